"""No tests here: an import alias kept for tests/test_kernels.py, which imports
``make`` from this module.

The property-based tests moved to the files of the modules whose promises
they check (test_coordinate_descent.py, test_ridge.py), their problem
generator and certificates to random_problems.py. Delete this file once
test_kernels.py imports ``from random_problems import make``.
"""
from random_problems import make  # noqa: F401
