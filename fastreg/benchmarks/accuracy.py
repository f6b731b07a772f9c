"""Same accuracy for every solver: the common certificate and the tolerance calibration.

Libraries stop on different quantities (their own duality gaps, built from
different dual points; a KKT violation; a CG residual), so equal ``tol`` values
do not mean equal accuracy. The benchmarks therefore certify every result with
one solver-independent duality gap, :func:`fastreg.reference.enet_duality_gap`,
in scikit-learn's Elastic-Net units (Ridge as the Elastic-Net with
``l1_ratio=0`` and ``alpha / n``: the same objective divided by ``2 n``), and
ask for

    gap <= eps * ||y - mean(y)||^2 / n        (eps = GAP_EPS = 1e-6 by default)

Each solver's own ``tol`` is then *calibrated* on the half-decade ladder
:data:`TOL_LADDER` (1e-1 ... 1e-14) by :func:`walk_ladder`: starting at
:data:`START_TOL`, tighter until the target is met (the suite and
``fastreg bench``), and, for the target table, also looser while it is still
met (the loosest passing value).

Paths with an intercept (the target table) are certified at every alpha by
:func:`path_gaps`, a vectorised transcription of the same formula; paths
without an intercept (as ``lasso_path``: the suite, ``fastreg bench``) by
their worst gap along the grid, relative to ``||y||^2 / n``.
"""
import math
import time
import warnings
from dataclasses import dataclass, field

import numpy as np

from .problems import TASKS

__all__ = ["GAP_EPS", "TOL_LADDER", "START_TOL", "STALL_STEPS", "CalibrationError",
           "Calibration", "gap_unit", "gap_scale", "enet_gap", "independent_gap",
           "walk_ladder", "calibrate_tol", "path_gap_scale", "path_worst_gap", "path_gaps",
           "path_gap_crosscheck", "calibrate_path_tol"]

#: Default common accuracy: gap <= GAP_EPS * ||y_c||^2 / n (public units).
GAP_EPS = 1e-6
#: Tolerance ladder for calibration: 1e-1 down to 1e-14 in half-decades.
TOL_LADDER = tuple(10.0 ** (-k / 2) for k in range(2, 29))
#: Where calibration starts on the ladder: a typical solver default.
START_TOL = 1e-4
#: Calibration gives up when the gap has not improved by 10 % over this many
#: consecutive tolerances (a solver whose stopping rule stalls above the target).
STALL_STEPS = 6


def gap_unit(y):
    """``||y - mean(y)||^2 / n``: the unit of the relative gap (2 x P(0))."""
    yc = np.asarray(y, dtype=np.float64) - np.mean(y)
    return float(yc @ yc) / yc.shape[0]


def gap_scale(problem):
    """:func:`gap_unit` of a :class:`~fastreg.benchmarks.problems.Problem`."""
    return gap_unit(problem.y)


def enet_gap(X, y, coef, intercept, alpha, l1_ratio=1.0, model="enet"):
    """Solver-independent duality gap of ``(coef, intercept)``, Elastic-Net public units.

    ``model="ridge"``: ``alpha`` is scikit-learn's Ridge ``alpha`` (objective
    ``||y - Xw - b||^2 + alpha ||w||^2``), certified as the Elastic-Net with
    ``l1_ratio=0`` and ``alpha / n``: the same objective divided by ``2 n``.
    """
    from fastreg.reference import enet_duality_gap

    if model == "ridge":
        alpha, l1_ratio = alpha / X.shape[0], 0.0
    return float(enet_duality_gap(X, y, coef, intercept, alpha, l1_ratio=l1_ratio))


def independent_gap(problem, task, params, coef, intercept):
    """:func:`enet_gap` of a result of ``task`` on ``problem`` (``params``: its penalty)."""
    return enet_gap(problem.X, problem.y, coef, intercept, params["alpha"],
                    params["l1_ratio"], TASKS[task].model)


class CalibrationError(RuntimeError):
    """No tolerance of the ladder reaches the common gap; ``tried`` lists
    ``(tol, gap, seconds)`` of every run."""

    def __init__(self, message, tried=()):
        super().__init__(message)
        self.tried = list(tried)


@dataclass
class Calibration:
    """The outcome of :func:`walk_ladder`: the chosen ``tol`` (None for a direct
    solver), the seconds and certified ``gap`` of the run at that tol, what it
    returned, and ``(tol, gap, seconds)`` of every run tried."""

    tol: float
    seconds: float
    gap: float
    result: object
    tried: list = field(default_factory=list)


def _nearest_rung(tol):
    return min(range(len(TOL_LADDER)), key=lambda i: abs(math.log(TOL_LADDER[i] / tol)))


def walk_ladder(run, certify, target, *, iterative=True, start=START_TOL, loosen=False,
                budget=None, stall_steps=STALL_STEPS, clock=time.perf_counter, log=None,
                what="a solver"):
    """Find a ``tol`` of :data:`TOL_LADDER` whose result meets ``certify(result) <= target``.

    Parameters
    ----------
    run : callable
        ``run(tol)`` runs the solver once (``tol=None`` for a direct solver).
    certify : callable
        ``certify(result) -> gap``, in the units of ``target``.
    iterative : bool, default=True
        False: one run with ``tol=None``.
    start : float, default=START_TOL
        First rung tried (the nearest one); the walk goes tighter while the
        target is missed.
    loosen : bool, default=False
        When the first rung meets the target, also walk looser while it is
        still met: the result is the loosest passing rung. Without it the walk
        never goes above ``start``.
    budget : float, default=None
        Seconds (of ``clock``) after which the walk stops tightening.
    stall_steps : int or None, default=STALL_STEPS
        Give up when the gap has not improved by 10 % over this many rungs.
    clock : callable, default=time.perf_counter
    log : callable, default=None
        ``log(tol, gap, seconds, result)`` after each run.

    Returns
    -------
    Calibration
        Only the result of the chosen run is kept (results can be large).

    Raises
    ------
    CalibrationError
        If no rung reaches the target (end of the ladder, stalled gap, budget
        spent), or the direct solver misses it. Exceptions of ``run`` propagate.
    """
    tried = []

    def attempt(tol):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # loose tolerances may warn
            t0 = clock()
            result = run(tol)
            seconds = clock() - t0
        gap = certify(result)
        tried.append((tol, gap, seconds))
        if log is not None:
            log(tol, gap, seconds, result)
        return Calibration(tol, seconds, gap, result, tried)

    def fail(why):
        shown = [(t, float(f"{g:.3g}")) for t, g, _ in tried]
        raise CalibrationError(f"no tolerance reaches the common gap {target:.3e} on {what} "
                               f"({why}): tried (tol, gap) = {shown}", tried)

    if not iterative:
        out = attempt(None)
        if out.gap > target:
            fail("the direct solver misses it")
        return out
    i = _nearest_rung(start)
    out = attempt(TOL_LADDER[i])
    if out.gap <= target:
        while loosen and i > 0:
            looser = attempt(TOL_LADDER[i - 1])
            if looser.gap > target:
                break
            out, i = looser, i - 1
        return out
    best, since_best, spent = out.gap, 0, out.seconds
    while True:
        if i + 1 == len(TOL_LADDER):
            fail("the tolerance ladder is exhausted")
        if stall_steps is not None and since_best >= stall_steps:
            fail(f"the gap stalls at {best:.3g}")
        if budget is not None and spent > budget:
            fail(f"the calibration budget of {budget:g} s is spent")
        del out  # the missed run's result is not needed any more
        i += 1
        out = attempt(TOL_LADDER[i])
        spent += out.seconds
        if out.gap <= target:
            return out
        if out.gap < 0.9 * best:
            best, since_best = out.gap, 0
        else:
            since_best += 1


def calibrate_tol(fit, problem, task, params, eps, iterative=True, budget=None):
    """Loosest ``tol`` of the ladder from :data:`START_TOL` down whose result
    reaches the common gap.

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
    out = walk_ladder(fit, lambda r: independent_gap(problem, task, params, r[0], r[1]),
                      eps * gap_scale(problem), iterative=iterative, budget=budget,
                      what=f"{problem.name}/{task}")
    return out.tol, out.seconds, out.gap, out.result


def path_gap_scale(y):
    """``||y||^2 / n``: the unit of path gaps without an intercept."""
    y = np.asarray(y, dtype=np.float64)
    return float(y @ y) / y.shape[0]


def path_worst_gap(X, y, alphas, coefs, l1_ratio=1.0):
    """Largest independent duality gap along a path (no intercept), public units."""
    from fastreg.reference import enet_duality_gap

    return max(float(enet_duality_gap(X, y, coefs[:, k], 0.0, a, l1_ratio,
                                      fit_intercept=False))
               for k, a in enumerate(alphas))


def path_gaps(X, y, alphas, coefs, intercepts):
    """Lasso duality gaps of a whole path with an intercept, public units.

    The formula of :func:`fastreg.reference.enet_duality_gap` (``l1_ratio=1``,
    unit weights) vectorised over the alphas, so that a 100-alpha path on a
    large X costs a few products instead of 100 calls: primal at the given
    intercepts; dual point the centred residual ``R = yc - Xc w`` rescaled so
    that ``|Xc^T theta| <= n alpha``; the centring stays implicit for sparse X.
    """
    n = X.shape[0]
    y = np.asarray(y, dtype=np.float64)
    yc = y - y.mean()
    xbar = np.asarray(X.mean(axis=0), dtype=np.float64).ravel()
    W = np.asarray(coefs, dtype=np.float64)
    alphas = np.asarray(alphas, dtype=np.float64)
    XW = np.asarray(X @ W, dtype=np.float64)
    full = y[:, None] - XW - np.asarray(intercepts, dtype=np.float64)[None, :]
    primal = 0.5 * np.einsum("ik,ik->k", full, full) + n * alphas * np.abs(W).sum(axis=0)
    del full
    R = yc[:, None] - (XW - (xbar @ W)[None, :])
    del XW
    XtR = np.asarray(X.T @ R, dtype=np.float64) - np.outer(xbar, R.sum(axis=0))
    dual_norm = np.abs(XtR).max(axis=0)
    l1 = n * alphas
    c = np.where(dual_norm > 0, np.minimum(1.0, l1 / np.where(dual_norm > 0, dual_norm, 1)),
                 1.0)
    dual = np.maximum(c * (R.T @ yc) - 0.5 * c * c * np.einsum("ik,ik->k", R, R), 0.0)
    return np.maximum(primal - dual, 0.0) / n


def path_gap_crosscheck(X, y, alphas, coefs, intercepts, gaps):
    """Largest ``|path_gaps - enet_gap|`` at the first, middle and last alpha: the
    vectorised certificate checked against the reference function."""
    worst = 0.0
    for k in sorted({0, len(alphas) // 2, len(alphas) - 1}):
        ref = enet_gap(X, y, coefs[:, k], intercepts[k], alphas[k])
        worst = max(worst, abs(ref - gaps[k]))
    return worst


def calibrate_path_tol(run, X, y, alphas, eps, l1_ratio=1.0, what="path", budget=None):
    """Loosest ``tol`` whose path ``run(tol) -> (coefs, info)`` has its worst gap
    ``<= eps * ||y||^2 / n``. Returns ``(tol, seconds, worst gap, result)``; raises
    :class:`CalibrationError` otherwise (as :func:`calibrate_tol`)."""
    out = walk_ladder(run, lambda r: path_worst_gap(X, y, alphas, r[0], l1_ratio),
                      eps * path_gap_scale(y), budget=budget, what=what)
    return out.tol, out.seconds, out.gap, out.result
