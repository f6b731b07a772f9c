"""Seeded benchmark problems: re-exported from :mod:`fastreg.benchmarks.problems`.

The definitions live in the installed package so that ``python -m fastreg bench``
runs the same problems as this suite without a checkout; see that module.
"""
from fastreg.benchmarks.problems import *  # noqa: F401,F403
from fastreg.benchmarks.problems import (  # noqa: F401
    ALPHA_RATIO, ENET_L1_RATIO, RIDGE_ALPHA_SCALE)
