"""``python -m fastreg``: see :mod:`fastreg.cli`."""
import sys

from .cli import main

sys.exit(main())
