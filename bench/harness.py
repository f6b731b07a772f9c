"""Accuracy certificate, tolerance calibration and timing helpers of the benchmark suite.

Kept out of ``conftest.py`` so that test modules (and ``python -m fastreg bench``)
can import them as plain functions.
"""
import time
import warnings

import numpy as np
import pytest

from bench.problems import TASKS

#: Default common accuracy: gap <= GAP_EPS * ||y_c||^2 / n (public units).
GAP_EPS = 1e-6
#: Tolerance ladder for calibration: 1e-4 down to 1e-14 in half-decades.
TOL_LADDER = tuple(10.0 ** (-k / 2) for k in range(8, 29))
#: Upper bound on timed rounds of very fast calls (each test stays ~max_time).
MAX_ROUNDS = 200


# ---------------------------------------------------------------------------
# accuracy certificate
# ---------------------------------------------------------------------------

def gap_scale(problem):
    """``||y - mean(y)||^2 / n``: the unit of the relative gap (2 x P(0))."""
    y = np.asarray(problem.y, dtype=np.float64)
    yc = y - y.mean()
    return float(yc @ yc) / y.shape[0]


def independent_gap(problem, task, params, coef, intercept):
    """Solver-independent duality gap of a result, Elastic-Net public units."""
    from fastreg.reference import enet_duality_gap

    alpha, l1_ratio = params["alpha"], params["l1_ratio"]
    if TASKS[task].model == "ridge":
        # sum r^2 + a ||w||^2 == 2n * (1/(2n) sum r^2 + (a/n)/2 ||w||^2)
        alpha, l1_ratio = alpha / problem.n, 0.0
    return float(enet_duality_gap(problem.X, problem.y, coef, intercept, alpha,
                                  l1_ratio=l1_ratio))


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


# ---------------------------------------------------------------------------
# tolerance calibration and timing
# ---------------------------------------------------------------------------

def calibrate_tol(fit, problem, task, params, eps, iterative=True):
    """Loosest ``tol`` of :data:`TOL_LADDER` whose result reaches the common gap.

    ``fit(tol)`` runs the solver once. Returns ``(tol, seconds of the last run,
    gap of the last run)``. Fails the test if no tolerance reaches the target.
    """
    target = eps * gap_scale(problem)
    tried = []
    for tol in (TOL_LADDER if iterative else (None,)):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # loose tolerances may warn
            t0 = time.perf_counter()
            result = fit(tol)
            elapsed = time.perf_counter() - t0
        gap = independent_gap(problem, task, params, result[0], result[1])
        tried.append((tol, gap))
        if gap <= target:
            return tol, elapsed, gap
    pytest.fail(f"no tolerance reaches the common gap {target:.3e} on "
                f"{problem.name}/{task}: tried (tol, gap) = {tried}")


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
