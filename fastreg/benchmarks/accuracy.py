"""Same accuracy for every solver: the common certificate and the tolerance calibration.

Libraries stop on different quantities (their own duality gaps, built from
different dual points; a KKT violation; a CG residual), so equal ``tol`` values
do not mean equal accuracy. The benchmarks therefore certify every result with
one solver-independent duality gap, :func:`fastreg.reference.enet_duality_gap`,
in scikit-learn's Elastic-Net units (Ridge as the Elastic-Net with
``l1_ratio=0`` and ``alpha / n``: the same objective divided by ``2 n``), and
ask for

    gap <= eps * ||y - mean(y)||^2 / n        (eps = GAP_EPS = 1e-6 by default)

Each solver's own ``tol`` is then *calibrated*: the loosest value of the common
ladder :data:`TOL_LADDER` whose result meets that target.

Regularisation paths (no intercept, as ``lasso_path``) are certified by their
worst gap along the grid, relative to ``||y||^2 / n``.
"""
import time
import warnings

import numpy as np

from .problems import TASKS

__all__ = ["GAP_EPS", "TOL_LADDER", "STALL_STEPS", "CalibrationError", "gap_scale", "independent_gap",
           "calibrate_tol", "path_gap_scale", "path_worst_gap", "calibrate_path_tol"]

#: Default common accuracy: gap <= GAP_EPS * ||y_c||^2 / n (public units).
GAP_EPS = 1e-6
#: Tolerance ladder for calibration: 1e-4 down to 1e-14 in half-decades.
TOL_LADDER = tuple(10.0 ** (-k / 2) for k in range(8, 29))


class CalibrationError(RuntimeError):
    """No tolerance of the ladder reaches the common gap."""


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


#: Calibration gives up when the gap has not improved by 10 % over this many
#: consecutive tolerances (a solver whose stopping rule stalls above the target).
STALL_STEPS = 6


def _walk_ladder(run, certify, target, iterative, what, budget=None):
    """Run ``run(tol)`` down the ladder until ``certify(result) <= target``.

    Gives up (:class:`CalibrationError`) at the end of the ladder, when the gap
    stalls for :data:`STALL_STEPS` tolerances, or once ``budget`` seconds are spent.
    """
    tried, best, since_best, spent = [], np.inf, 0, 0.0
    for tol in (TOL_LADDER if iterative else (None,)):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # loose tolerances may warn
            t0 = time.perf_counter()
            result = run(tol)
            elapsed = time.perf_counter() - t0
        spent += elapsed
        gap = certify(result)
        tried.append((tol, float(f"{gap:.3g}")))
        if gap <= target:
            return tol, elapsed, gap, result
        if gap < 0.9 * best:
            best, since_best = gap, 0
        else:
            since_best += 1
        why = None
        if since_best >= STALL_STEPS:
            why = f"the gap stalls at {best:.3g}"
        elif budget is not None and spent > budget:
            why = f"the calibration budget of {budget:g} s is spent"
        if why:
            break
    else:
        why = "the tolerance ladder is exhausted"
    raise CalibrationError(
        f"no tolerance reaches the common gap {target:.3e} on {what} ({why}): "
        f"tried (tol, gap) = {tried}")


def calibrate_tol(fit, problem, task, params, eps, iterative=True, budget=None):
    """Loosest ``tol`` of :data:`TOL_LADDER` whose result reaches the common gap.

    Parameters
    ----------
    fit : callable
        ``fit(tol)`` runs the solver once and returns ``(coef, intercept, info)``.
    problem : Problem
    task : str
        A key of :data:`fastreg.benchmarks.problems.TASKS`.
    params : dict
        ``alpha`` and ``l1_ratio`` of the task on this problem.
    eps : float
        The common target is ``eps * gap_scale(problem)``.
    iterative : bool, default=True
        False for direct solvers: they are run once, with ``tol=None``.
    budget : float, default=None
        Seconds after which to give up (checked between runs); None: no limit.

    Returns
    -------
    tol : float or None
    seconds : float
        Wall time of the last run (an estimate of one call).
    gap : float
        Independent gap of the last run.
    result : tuple
        ``(coef, intercept, info)`` of the last run.

    Raises
    ------
    CalibrationError
        If no tolerance of the ladder reaches the target, the gap stalls, or
        the budget is spent.
    """
    target = eps * gap_scale(problem)
    return _walk_ladder(
        fit, lambda r: independent_gap(problem, task, params, r[0], r[1]), target,
        iterative, f"{problem.name}/{task}", budget)


def path_gap_scale(y):
    """``||y||^2 / n``: the unit of path gaps (paths fit no intercept)."""
    y = np.asarray(y, dtype=np.float64)
    return float(y @ y) / y.shape[0]


def path_worst_gap(X, y, alphas, coefs, l1_ratio=1.0):
    """Largest independent duality gap along a path (no intercept), public units."""
    from fastreg.reference import enet_duality_gap

    return max(float(enet_duality_gap(X, y, coefs[:, k], 0.0, a, l1_ratio,
                                      fit_intercept=False))
               for k, a in enumerate(alphas))


def calibrate_path_tol(run, X, y, alphas, eps, l1_ratio=1.0, what="path", budget=None):
    """Loosest ``tol`` whose path ``run(tol) -> (coefs, info)`` has its worst gap
    ``<= eps * ||y||^2 / n``. Returns ``(tol, seconds, worst gap, result)``; raises
    :class:`CalibrationError` otherwise (as :func:`calibrate_tol`)."""
    target = eps * path_gap_scale(y)
    return _walk_ladder(run, lambda r: path_worst_gap(X, y, alphas, r[0], l1_ratio),
                        target, True, what, budget)
