"""Accuracy certificate, tolerance calibration and timing helpers of the benchmark suite.

The certificate, the calibration and the rounds rule are those of
``python -m fastreg bench`` (:mod:`fastreg.benchmarks.accuracy`,
:mod:`fastreg.benchmarks.timing`); this module adapts them to pytest: a failed
calibration or certificate fails the test, and :func:`run_timed` sizes
``benchmark.pedantic`` from the command-line options.
"""
import numpy as np
import pytest

from fastreg.benchmarks import accuracy
from fastreg.benchmarks.accuracy import (  # noqa: F401
    GAP_EPS, TOL_LADDER, gap_scale, independent_gap)
from fastreg.benchmarks.timing import measure, rounds_for

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


def run_timed(benchmark, fn, config, slow_min_rounds=None):
    """``benchmark.pedantic`` with as many rounds as fit in ``--benchmark-max-time``.

    One untimed warm-up call first (it also measures the call, to size the run:
    the first call after calibration can be a JIT compilation or a cold cache),
    then one call per round, at least ``--benchmark-min-rounds`` rounds (or
    ``slow_min_rounds`` for calls slower than
    :data:`fastreg.benchmarks.timing.SLOW_CALL`), at most :data:`MAX_ROUNDS`.
    """
    seconds = measure(fn, collect=False).wall
    rounds = rounds_for(seconds, float(config.getoption("benchmark_max_time")),
                        int(config.getoption("benchmark_min_rounds")), MAX_ROUNDS,
                        slow_min_rounds=slow_min_rounds)
    return benchmark.pedantic(fn, rounds=rounds, iterations=1, warmup_rounds=0)
