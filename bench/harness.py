"""Accuracy certificate, tolerance calibration and timing helpers of the benchmark suite.

The certificate and the calibration are those of ``python -m fastreg bench``
(:mod:`fastreg.benchmarks.accuracy`); this module adapts them to pytest: a
failed calibration or certificate fails the test, and :func:`run_timed` sizes
``benchmark.pedantic`` from the command-line options.
"""
import time

import numpy as np
import pytest

from fastreg.benchmarks import accuracy
from fastreg.benchmarks.accuracy import (  # noqa: F401
    GAP_EPS, TOL_LADDER, gap_scale, independent_gap)

#: Upper bound on timed rounds of very fast calls (each test stays ~max_time).
MAX_ROUNDS = 200


def assert_gap(problem, task, params, result, eps, who=""):
    """Assert that ``result = (coef, intercept, info)`` reaches the common target.

    Returns ``(gap, target)``, both in public units.
    """
    coef, intercept, _ = result
    assert np.all(np.isfinite(coef)) and np.isfinite(intercept), f"{who}: non-finite result"
    gap = independent_gap(problem, task, params, coef, intercept)
    target = eps * gap_scale(problem)
    assert gap <= target, (
        f"{who} on {problem.name}/{task}: independent duality gap {gap:.3e} > common "
        f"target {target:.3e} (EPS={eps:g})")
    return gap, target


def calibrate_tol(fit, problem, task, params, eps, iterative=True):
    """:func:`fastreg.benchmarks.accuracy.calibrate_tol`, failing the test when no
    tolerance reaches the target. Returns ``(tol, seconds of the last run, gap)``."""
    try:
        tol, elapsed, gap, _ = accuracy.calibrate_tol(fit, problem, task, params, eps,
                                                      iterative=iterative)
    except accuracy.CalibrationError as exc:
        pytest.fail(str(exc))
    return tol, elapsed, gap


def run_timed(benchmark, fn, config):
    """``benchmark.pedantic`` with as many rounds as fit in ``--benchmark-max-time``.

    One untimed warm-up call first (it also measures the call, to size the run:
    the first call after calibration can be a JIT compilation or a cold cache),
    then one call per round, at least ``--benchmark-min-rounds`` rounds, at most
    :data:`MAX_ROUNDS`.
    """
    t0 = time.perf_counter()
    fn()
    t_est = time.perf_counter() - t0
    max_time = float(config.getoption("benchmark_max_time"))
    min_rounds = int(config.getoption("benchmark_min_rounds"))
    rounds = int(min(MAX_ROUNDS, max(min_rounds, max_time // max(t_est, 1e-6))))
    return benchmark.pedantic(fn, rounds=rounds, iterations=1, warmup_rounds=0)
