"""The target table of issue 4: fastreg against its peers on large synthetic problems.

Run as a module from the repository root::

    python -m bench.targets                          # every row but the heavy ones
    python -m bench.targets --rows corr,tall --scale 0.1          # a quick look
    python -m bench.targets --rows text_path@1.0     # a row at another scale
    python -m bench.targets --rows ridgecv_text --json out.json --append
    python -m bench.targets --report out.json        # print the tables of saved rows

Rows (``--rows``, comma-separated short names; ``all`` adds the heavy rows):

=====================  ================================  =====================================
row                    problem (n x p at scale 1)        task
=====================  ================================  =====================================
``corr``               dense Toeplitz rho=0.6, 200x10k   Lasso at alpha_max / 20
``tall``               dense tall rho=0.3, 100k x 200    Lasso at alpha_max / 20 (+ sklearn Gram)
``tall_path``          same                              100-alpha Lasso path, eps=1e-3
``square``             dense rho=0.3, 5000 x 5000        Lasso at alpha_max / 20
``text``               sparse text-like, 20k x 100k      Lasso at alpha_max / 20
``text_path``          same, default row scale 0.3       100-alpha Lasso path, eps=1e-3
``sparse_tall``        sparse text-like, 200k x 2000     Lasso at alpha_max / 20
``ridge_<family>``     each family above                 Ridge: fastreg, NumPy floor, sklearn
``ridgecv_tall``       dense tall                        RidgeCV, 50 alphas: fastreg, sklearn
``ridgecv_sparse_tall`` sparse tall                      RidgeCV: fastreg (sklearn: flag)
``ridgecv_text``       sparse text (heavy)               RidgeCV: fastreg (sklearn: flag)
=====================  ================================  =====================================

Same accuracy for everyone
--------------------------
Every L1 result is certified by one solver-independent function,
:func:`fastreg.reference.enet_duality_gap`, in scikit-learn's units
(``1/(2n) ||y - Xw - b||^2 + alpha ||w||_1``, intercept fitted): the target is
``gap <= EPS * ||y - mean(y)||^2 / n`` (``--eps``, default 1e-6), the definition
of ``bench/harness.py``. A path is certified at every alpha (its worst gap counts;
a vectorised transcription of the same formula, cross-checked against the
reference function at three alphas of every certified path). Ridge results are
certified by the same function as an Elastic-Net with ``l1_ratio=0`` and
``alpha / n`` (the Ridge objective divided by 2n); RidgeCV by the Ridge gap of the
refitted model at the chosen ``alpha_``.

Each iterative solver's ``tol`` is calibrated first, untimed: the loosest value of
the half-decade ladder 1e-1 ... 1e-14 whose result meets the target, found by
starting at the solver's likely value (1e-4) and walking down while the target
is missed, or up while it is still met. Direct solvers (closed forms, RidgeCV)
run once with their defaults and are certified the same way. On sparse X both
Ridges are iterative (scikit-learn's 'auto' and fastreg's ``solver='sparse_cg'``,
conjugate gradient) and are calibrated. The calibrated
configuration is then timed in CPU time (``time.process_time``, BLAS pinned to
one thread) as one full call from the raw ``(X, y)``, best of at least 3 fresh
runs (more within ``--budget`` seconds); a call longer than ``--long-cap / 3``
is repeated fewer times, and one longer than ``--long-cap`` is not repeated at
all (its certification run is the timing).

Peers: scikit-learn (``Lasso``, ``Lasso(precompute=True)`` on the tall row,
``lasso_path``, ``Ridge(solver='auto')``, ``RidgeCV``), celer (``celer.Lasso``,
``celer.celer_path``) and skglm (``skglm.Lasso``; its path is a loop over the
alphas with ``warm_start=True``); a peer that cannot be imported is skipped.
Paths use one explicit grid ``alpha_max * geomspace(1, eps, 100)`` for every
solver, with the intercept: fastreg's ``lasso_path(fit_intercept=True)``,
scikit-learn's and celer's path functions on centred data (dense: ``X - mean``
inside the timed call; sparse: ``X_offset`` = column means, ``y`` centred), the
intercept then ``mean(y) - mean(X) . w`` (skglm reports its own).
The NumPy/LAPACK Ridge floor centres X (sparse: a low-rank correction of the
sparse Gram product instead), forms the smaller Gram matrix by SYRK and solves
by Cholesky (POTRF/POTRS); its dense n x n dual Gram on the 20k x 100k text
problem (3.2 GB) runs only with ``--big-floor``.
"""
import os

# One thread everywhere, before NumPy (or numba) is imported.
THREAD_VARS = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS",
               "BLIS_NUM_THREADS", "VECLIB_MAXIMUM_THREADS", "NUMEXPR_NUM_THREADS",
               "NUMBA_NUM_THREADS")
for _var in THREAD_VARS:
    os.environ[_var] = "1"

import argparse  # noqa: E402
import gc  # noqa: E402
import importlib  # noqa: E402
import importlib.util  # noqa: E402
import json  # noqa: E402
import math  # noqa: E402
import platform  # noqa: E402
import signal  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
import traceback  # noqa: E402
import warnings  # noqa: E402
from dataclasses import dataclass  # noqa: E402

import numpy as np  # noqa: E402
import scipy.linalg as la  # noqa: E402
import scipy.sparse as sp  # noqa: E402

from bench.problems import dense_tall, sparse_text, toeplitz_correlated  # noqa: E402

#: Default accuracy: gap <= EPS * ||y_c||^2 / n.
GAP_EPS = 1e-6
#: Calibration ladder: 1e-1 down to 1e-14 in half-decades.
LADDER = tuple(10.0 ** (-k / 2) for k in range(2, 29))
START_TOL = 1e-4
#: Epoch caps far above need: every solver must stop on its tolerance.
MAX_EPOCHS = 100_000
ALPHA_RATIO = 20.0
PATH_N_ALPHAS = 100
PATH_EPS = 1e-3
RIDGE_ALPHA_SCALE = 1e-2
RIDGECV_ALPHAS = np.logspace(-3, 3, 50)
#: Largest dense Gram matrix (entries) the NumPy floor forms without --big-floor.
FLOOR_MAX_GRAM = 2 ** 27


# ---------------------------------------------------------------------------
# problems
# ---------------------------------------------------------------------------

def _sz(v, s, lo):
    return max(lo, int(round(v * s)))


def _sparse_at_density(n, p, density, seed, k=50):
    """``sparse_text`` with its realised density brought to ``density``.

    Merged duplicates and clipped counts leave the generator ~10 % below the
    requested density: one regeneration with the requested value rescaled.
    """
    X, y, desc = sparse_text(n=n, p=p, density=density, k=k, seed=seed)
    if abs(desc["density"] / density - 1) > 0.02:
        X, y, desc = sparse_text(n=n, p=p, density=density * density / desc["density"],
                                 k=k, seed=seed)
    desc["density_requested"] = density
    return X, y, desc


@dataclass(frozen=True)
class Family:
    label: str
    make: object     # scale -> (X, y, desc)
    scaled: str      # which dimensions --scale shrinks


FAMILIES = {
    "corr": Family(
        "dense Toeplitz rho=0.6, k=20",
        lambda s: toeplitz_correlated(n=200, p=_sz(10_000, s, 50), rho=0.6, k=20, seed=0),
        "p"),
    "tall": Family(
        "dense tall Toeplitz rho=0.3, k=20",
        lambda s: dense_tall(n=_sz(100_000, s, 400), p=200, rho=0.3, k=20, seed=1),
        "n"),
    "square": Family(
        "dense square Toeplitz rho=0.3, k=50",
        lambda s: toeplitz_correlated(n=_sz(5000, s, 100), p=_sz(5000, s, 100), rho=0.3,
                                      k=50, seed=3),
        "n, p"),
    "text": Family(
        "sparse text-like (Zipf 1.1 term frequencies, tf-idf), k=50",
        lambda s: _sparse_at_density(_sz(20_000, s, 200), _sz(100_000, s, 1000), 1e-3,
                                     seed=2),
        "n, p"),
    "sparse_tall": Family(
        "sparse tall text-like (Zipf 1.1, tf-idf), k=50",
        lambda s: _sparse_at_density(_sz(200_000, s, 2000), 2000, 5e-3, seed=4),
        "n"),
}


# ---------------------------------------------------------------------------
# certificates (fastreg.reference.enet_duality_gap, harness units)
# ---------------------------------------------------------------------------

def gap_scale(y):
    """``||y - mean(y)||^2 / n``: the unit of the relative gap."""
    yc = np.asarray(y, dtype=np.float64) - np.mean(y)
    return float(yc @ yc) / yc.shape[0]


def lasso_gap(X, y, coef, intercept, alpha):
    from fastreg.reference import enet_duality_gap

    return float(enet_duality_gap(X, y, coef, intercept, alpha, l1_ratio=1.0))


def ridge_gap(X, y, coef, intercept, alpha):
    """Ridge (scikit-learn units) as the Elastic-Net with l1_ratio=0 and alpha / n."""
    from fastreg.reference import enet_duality_gap

    return float(enet_duality_gap(X, y, coef, intercept, alpha / X.shape[0], l1_ratio=0.0))


def path_gaps(X, y, alphas, coefs, intercepts):
    """Lasso duality gaps of a whole path at once, public units.

    The formula of :func:`fastreg.reference.enet_duality_gap` (``l1_ratio=1``,
    unit weights) vectorised over the alphas: primal at the given intercepts;
    dual point the centred residual ``R = yc - Xc w`` rescaled so that
    ``|Xc^T theta| <= n alpha``; the centring stays implicit for sparse X.
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
    """Largest |vectorised - reference| gap at the first, middle and last alpha."""
    worst = 0.0
    for k in sorted({0, len(alphas) // 2, len(alphas) - 1}):
        ref = lasso_gap(X, y, coefs[:, k], intercepts[k], alphas[k])
        worst = max(worst, abs(ref - gaps[k]))
    return worst


# ---------------------------------------------------------------------------
# solvers: fit(X, y, cfg, tol) -> result dict
# ---------------------------------------------------------------------------

def _single(est, **info):
    return dict(coef=np.asarray(est.coef_, dtype=np.float64).ravel(),
                intercept=float(np.ravel(est.intercept_)[0]), info=info)


def _means(X, y):
    return np.asarray(X.mean(axis=0), dtype=np.float64).ravel(), float(np.mean(y))


def lasso_fastreg(X, y, cfg, tol):
    import fastreg

    est = fastreg.Lasso(alpha=cfg["alpha"], tol=tol, max_iter=MAX_EPOCHS).fit(X, y)
    return _single(est, n_iter=int(np.ravel(est.n_iter_)[0]))


def lasso_sklearn(X, y, cfg, tol, precompute=False):
    from sklearn.linear_model import Lasso

    est = Lasso(alpha=cfg["alpha"], tol=tol, max_iter=MAX_EPOCHS,
                precompute=precompute).fit(X, y)
    return _single(est, n_iter=int(np.ravel(est.n_iter_)[0]))


def lasso_sklearn_gram(X, y, cfg, tol):
    return lasso_sklearn(X, y, cfg, tol, precompute=True)


def lasso_celer(X, y, cfg, tol):
    import celer

    est = celer.Lasso(alpha=cfg["alpha"], tol=tol, max_iter=1000,
                      max_epochs=MAX_EPOCHS).fit(X, y)
    return _single(est, n_iter=int(np.ravel(est.n_iter_)[0]))


def lasso_skglm(X, y, cfg, tol):
    import skglm

    est = skglm.Lasso(alpha=cfg["alpha"], tol=tol, max_iter=1000,
                      max_epochs=MAX_EPOCHS).fit(X, y)
    return _single(est, n_iter=int(np.ravel(getattr(est, "n_iter_", -1))[0]))


def _path_out(X, y, coefs, intercepts=None):
    coefs = np.asarray(coefs, dtype=np.float64)
    if intercepts is None:
        xbar, ybar = _means(X, y)
        intercepts = ybar - xbar @ coefs
    return dict(coefs=coefs, intercepts=np.asarray(intercepts, dtype=np.float64), info={})


def path_fastreg(X, y, cfg, tol):
    import fastreg

    _, coefs, _ = fastreg.lasso_path(X, y, alphas=cfg["alphas"], tol=tol,
                                     max_iter=MAX_EPOCHS, fit_intercept=True)
    return _path_out(X, y, coefs)


def _centred_inputs(X, y):
    """What a user passes to a path function without an intercept option."""
    xbar, ybar = _means(X, y)
    yc = np.asarray(y, dtype=np.float64) - ybar
    if sp.issparse(X):
        return X, yc, dict(X_offset=xbar, X_scale=np.ones(X.shape[1]))
    return np.asfortranarray(X - xbar), yc, {}


def path_sklearn(X, y, cfg, tol):
    from sklearn.linear_model import lasso_path

    Xc, yc, kw = _centred_inputs(X, y)
    _, coefs, _ = lasso_path(Xc, yc, alphas=cfg["alphas"], tol=tol, max_iter=MAX_EPOCHS,
                             **kw)
    return _path_out(X, y, coefs)


def path_celer(X, y, cfg, tol):
    from celer import celer_path

    Xc, yc, kw = _centred_inputs(X, y)
    out = celer_path(Xc, yc, "lasso", alphas=cfg["alphas"], tol=tol, max_iter=1000,
                     max_epochs=MAX_EPOCHS, **kw)
    return _path_out(X, y, out[1])


def path_skglm(X, y, cfg, tol):
    import skglm

    alphas = cfg["alphas"]
    coefs = np.empty((X.shape[1], len(alphas)))
    intercepts = np.empty(len(alphas))
    est = skglm.Lasso(alpha=alphas[0], tol=tol, max_iter=1000, max_epochs=MAX_EPOCHS,
                      fit_intercept=True, warm_start=True)
    for k, a in enumerate(alphas):
        est.alpha = float(a)
        est.fit(X, y)
        coefs[:, k] = est.coef_
        intercepts[k] = est.intercept_
    return _path_out(X, y, coefs, intercepts)


def ridge_fastreg(X, y, cfg, tol):
    """'auto' (closed form, or CG to round-off on sparse X) when ``tol`` is None;
    ``solver='sparse_cg'`` at the calibrated ``tol`` otherwise: sparse rows are
    calibrated like scikit-learn's, whose 'auto' takes the same route there."""
    import fastreg

    kw = {} if tol is None else dict(solver="sparse_cg", tol=tol)
    est = fastreg.Ridge(alpha=cfg["alpha"], **kw).fit(X, y)
    return _single(est, route=est.solver_)


def ridge_sklearn(X, y, cfg, tol):
    from sklearn.linear_model import Ridge

    kw = {} if tol is None else dict(tol=tol)
    est = Ridge(alpha=cfg["alpha"], solver="auto", **kw).fit(X, y)
    return _single(est, route=getattr(est, "solver_", None)
                   or ("sparse_cg" if sp.issparse(X) else "cholesky"))


def _cholesky_solve(G, alpha, b):
    """Solve (G + alpha I) z = b in place with POTRF/POTRS (G: lower triangle used)."""
    G[np.diag_indices_from(G)] += alpha
    potrf, potrs = la.get_lapack_funcs(("potrf", "potrs"), (G,))
    c, info = potrf(G, lower=1, overwrite_a=1, clean=0)
    if info != 0:
        raise np.linalg.LinAlgError(f"potrf info={info}")
    z, info = potrs(c, b, lower=1)
    if info != 0:
        raise np.linalg.LinAlgError(f"potrs info={info}")
    return z


def _sparse_dual_gram(X, block=1000):
    """X X^T of sparse X, densified in row blocks (no full sparse product held)."""
    Xr = X.tocsr()
    n = X.shape[0]
    K = np.empty((n, n), order="F")
    XT = Xr.T.tocsc()
    for i in range(0, n, block):
        K[:, i:i + block] = (Xr @ XT[:, i:i + block]).toarray()
    return K


class NeedsFlag(Exception):
    """A run too large for the defaults (the message names the flag)."""


def ridge_floor(X, y, cfg, tol, big=False):
    """Plain NumPy/LAPACK closed form: centre, SYRK Gram of the smaller side, Cholesky."""
    alpha = cfg["alpha"]
    n, p = X.shape
    xbar, ybar = _means(X, y)
    yc = np.asarray(y, dtype=np.float64) - ybar
    primal = n >= p
    if not big and min(n, p) ** 2 > FLOOR_MAX_GRAM:
        raise NeedsFlag(f"dense {min(n, p)} x {min(n, p)} Gram matrix "
                        f"({min(n, p) ** 2 * 8 / 2 ** 30:.1f} GiB): needs --big-floor")
    if sp.issparse(X):
        if primal:
            G = (X.T @ X).toarray()
            G -= n * np.outer(xbar, xbar)
            w = _cholesky_solve(G, alpha, np.asarray(X.T @ yc).ravel())
        else:
            K = _sparse_dual_gram(X)
            u = np.asarray(X @ xbar).ravel()
            # (X - 1 m^T)(X - 1 m^T)^T = K - u 1^T - 1 u^T + (m.m) 1 1^T
            K -= u[:, None]
            K -= u[None, :]
            K += xbar @ xbar
            z = _cholesky_solve(K, alpha, yc)
            w = np.asarray(X.T @ z).ravel() - xbar * z.sum()
    else:
        Xc = np.asfortranarray(X - xbar)
        syrk = la.get_blas_funcs("syrk", (Xc,))
        if primal:
            w = _cholesky_solve(syrk(1.0, Xc, trans=1, lower=1), alpha, Xc.T @ yc)
        else:
            w = Xc.T @ _cholesky_solve(syrk(1.0, Xc, trans=0, lower=1), alpha, yc)
    return dict(coef=np.asarray(w), intercept=float(ybar - xbar @ w),
                info=dict(route="primal" if primal else "dual"))


def ridgecv_fastreg(X, y, cfg, tol):
    import fastreg

    est = fastreg.RidgeCV(alphas=cfg["alphas"]).fit(X, y)
    return dict(_single(est), alpha=float(est.alpha_), best_score=float(est.best_score_),
                info=dict(route=getattr(est, "gcv_mode_", None)))


def ridgecv_sklearn(X, y, cfg, tol):
    from sklearn.linear_model import RidgeCV

    est = RidgeCV(alphas=cfg["alphas"]).fit(X, y)
    return dict(_single(est), alpha=float(est.alpha_), best_score=float(est.best_score_),
                info={})


@dataclass(frozen=True)
class Solver:
    name: str
    module: str
    fit: object
    iterative: object = True   # bool, or X -> bool


SOLVERS = {
    "lasso": {
        "fastreg": Solver("fastreg", "fastreg", lasso_fastreg),
        "sklearn": Solver("sklearn", "sklearn", lasso_sklearn),
        "sklearn_gram": Solver("sklearn_gram", "sklearn", lasso_sklearn_gram),
        "celer": Solver("celer", "celer", lasso_celer),
        "skglm": Solver("skglm", "skglm", lasso_skglm),
    },
    "path": {
        "fastreg": Solver("fastreg", "fastreg", path_fastreg),
        "sklearn": Solver("sklearn", "sklearn", path_sklearn),
        "celer": Solver("celer", "celer", path_celer),
        "skglm": Solver("skglm", "skglm", path_skglm),
    },
    "ridge": {
        "fastreg": Solver("fastreg", "fastreg", ridge_fastreg, sp.issparse),
        "floor": Solver("floor", "scipy", ridge_floor, False),
        "sklearn": Solver("sklearn", "sklearn", ridge_sklearn, sp.issparse),
    },
    "ridgecv": {
        "fastreg": Solver("fastreg", "fastreg", ridgecv_fastreg, False),
        "sklearn": Solver("sklearn", "sklearn", ridgecv_sklearn, False),
    },
}
#: Column order of the summary table.
COLUMNS = ("fastreg", "sklearn", "sklearn_gram", "celer", "skglm", "floor")
COLUMN_TITLES = {"fastreg": "fastreg", "sklearn": "sklearn", "sklearn_gram": "sklearn Gram",
                 "celer": "celer", "skglm": "skglm", "floor": "NumPy floor"}


# ---------------------------------------------------------------------------
# rows
# ---------------------------------------------------------------------------

@dataclass(frozen=True)
class Row:
    name: str
    family: str
    task: str
    solvers: tuple
    scale: float = 1.0
    heavy: bool = False          # only with --rows all or by name
    sklearn_flag: bool = False   # sklearn only with --sklearn-sparse-ridgecv
    run_cap: float = None        # overrides --run-cap (0: none) for known-long rows


L1 = ("fastreg", "sklearn", "celer", "skglm")
RIDGE = ("fastreg", "floor", "sklearn")
ROWS = {r.name: r for r in [
    Row("corr", "corr", "lasso", L1),
    Row("tall", "tall", "lasso", ("fastreg", "sklearn", "sklearn_gram", "celer", "skglm")),
    Row("tall_path", "tall", "path", L1),
    Row("square", "square", "lasso", L1),
    Row("text", "text", "lasso", L1),
    Row("text_path", "text", "path", L1, scale=0.3),
    Row("sparse_tall", "sparse_tall", "lasso", L1),
    Row("ridge_corr", "corr", "ridge", RIDGE),
    Row("ridge_tall", "tall", "ridge", RIDGE),
    Row("ridge_square", "square", "ridge", RIDGE),
    Row("ridge_text", "text", "ridge", RIDGE),
    Row("ridge_sparse_tall", "sparse_tall", "ridge", RIDGE),
    Row("ridgecv_tall", "tall", "ridgecv", ("fastreg", "sklearn")),
    Row("ridgecv_sparse_tall", "sparse_tall", "ridgecv", ("fastreg", "sklearn"),
        sklearn_flag=True),
    # a 20,000 x 20,000 eigendecomposition: about half an hour, never capped
    Row("ridgecv_text", "text", "ridgecv", ("fastreg", "sklearn"), heavy=True,
        sklearn_flag=True, run_cap=0.0),
]}
TASK_LABELS = {
    "lasso": "Lasso alpha_max/20",
    "path": f"Lasso path {PATH_N_ALPHAS} alphas, eps={PATH_EPS:g}",
    "ridge": f"Ridge alpha={RIDGE_ALPHA_SCALE:g}*|Xc|_F^2/p",
    "ridgecv": f"RidgeCV {RIDGECV_ALPHAS.size} alphas logspace(-3,3)*|Xc|_F^2/p",
}


def mean_sq_col_norm(X):
    """``||X - mean(X)||_F^2 / p``: the mean centred squared column norm."""
    n, p = X.shape
    if sp.issparse(X):
        m = np.asarray(X.mean(axis=0)).ravel()
        return (float(X.multiply(X).sum()) - n * float(m @ m)) / p
    Xc = X - X.mean(axis=0)
    return float(np.einsum("ij,ij->", Xc, Xc)) / p


def task_config(task, X, y):
    from fastreg.reference import alpha_max

    if task == "lasso":
        return dict(alpha=alpha_max(X, y) / ALPHA_RATIO)
    if task == "path":
        amax = alpha_max(X, y)
        return dict(alphas=amax * np.geomspace(1.0, PATH_EPS, PATH_N_ALPHAS))
    if task == "ridge":
        return dict(alpha=RIDGE_ALPHA_SCALE * mean_sq_col_norm(X))
    return dict(alphas=RIDGECV_ALPHAS * mean_sq_col_norm(X))


# ---------------------------------------------------------------------------
# calibration and timing
# ---------------------------------------------------------------------------

class RunCapped(Exception):
    """A single run exceeded ``--run-cap`` seconds (wall)."""


def _on_alarm(signum, frame):
    raise RunCapped()


#: Wall-clock cap of one run, seconds (0: none); set by main() from --run-cap.
RUN_CAP = [0.0]


def _measure(fn):
    """Run ``fn()`` once: (result, cpu seconds, wall seconds, warnings seen).

    Raises :class:`RunCapped` when the run exceeds ``RUN_CAP`` seconds: the alarm
    is delivered when control returns to Python (between the alphas of a path,
    or at the end of a compiled solve).
    """
    gc.collect()
    cap = RUN_CAP[0]
    if cap > 0:
        signal.signal(signal.SIGALRM, _on_alarm)
        signal.setitimer(signal.ITIMER_REAL, cap)
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            c0, t0 = time.process_time(), time.perf_counter()
            out = fn()
            cpu, wall = time.process_time() - c0, time.perf_counter() - t0
    finally:
        if cap > 0:
            signal.setitimer(signal.ITIMER_REAL, 0)
    seen = sorted({f"{w.category.__name__}: {str(w.message).splitlines()[0][:120]}"
                   for w in caught})
    return out, cpu, wall, seen


def certify(task, X, y, cfg, res):
    """Worst independent gap of a result (public units), plus details."""
    if task == "lasso":
        return lasso_gap(X, y, res["coef"], res["intercept"], cfg["alpha"]), {}
    if task == "ridge":
        return ridge_gap(X, y, res["coef"], res["intercept"], cfg["alpha"]), {}
    if task == "ridgecv":
        return ridge_gap(X, y, res["coef"], res["intercept"], res["alpha"]), {}
    gaps = path_gaps(X, y, cfg["alphas"], res["coefs"], res["intercepts"])
    k = int(np.argmax(gaps))
    return float(gaps[k]), dict(worst_alpha_index=k, gaps=gaps)


def _fmt_tol(tol):
    if tol is None:
        return "default"
    e = math.log10(tol)
    return f"1e{e:g}" if abs(e * 2 - round(e * 2)) < 1e-9 else f"{tol:.3g}"


def calibrate(fit, task, X, y, cfg, target, iterative, cap, who="", tried=None,
              start=START_TOL):
    """Loosest ladder ``tol`` meeting ``target`` (or the defaults of a direct solver).

    Returns ``(tol, tried, chosen)``: ``tried`` the list of ``(tol, gap, cpu)``
    (appended to the given list, so that it survives :class:`RunCapped`);
    ``chosen`` the ``(result, cpu, wall, warnings)`` of the run at the chosen
    tol, or None when no rung (within ``cap`` CPU seconds) met the target.
    """
    tried = [] if tried is None else tried
    runs, spent = {}, [0.0]

    def attempt(i):
        tol = LADDER[i] if i is not None else None
        try:
            res, cpu, wall, seen = _measure(lambda: fit(X, y, cfg, tol))
        except RunCapped:
            tried.append((tol, math.inf, None))
            print(f"    [{who}] tol {_fmt_tol(tol)}: stopped after --run-cap "
                  f"{RUN_CAP[0]:g} s", flush=True)
            raise
        gap, _ = certify(task, X, y, cfg, res)
        spent[0] += cpu
        tried.append((tol, gap, cpu))
        print(f"    [{who}] tol {_fmt_tol(tol)}: gap {gap / target:.3g} x target, "
              f"{cpu:.3g} s cpu ({wall:.3g} s wall)", flush=True)
        runs[i] = (res, cpu, wall, seen)
        for j in list(runs):  # keep only the run we may time (memory)
            if j != i:
                del runs[j]
        return gap <= target

    if not iterative:
        ok = attempt(None)
        return None, tried, runs[None] if ok else None
    i = LADDER.index(min(LADDER, key=lambda t: abs(math.log(t / start))))
    if attempt(i):
        best = i
        while best > 0:
            keep = runs[best]
            if not attempt(best - 1):
                runs = {best: keep}
                break
            best -= 1
        return LADDER[best], tried, runs[best]
    while i + 1 < len(LADDER) and spent[0] < cap:
        i += 1
        if attempt(i):
            return LADDER[i], tried, runs[i]
    return None, tried, None


def timed_runs(fn, first, budget, long_cap, min_runs=3, max_runs=20):
    """Fresh timed runs of the calibrated call; ``first`` = (cpu, wall) of its
    certification run, which sizes the loop and stands in when none fits."""
    est = first[0]
    cpus, walls, seen_all, last = [], [], set(), None
    while len(cpus) < max_runs:
        spent = sum(cpus)
        nxt = min(cpus) if cpus else est
        if len(cpus) < min_runs:
            if spent + nxt > long_cap:
                break
        elif spent + nxt > budget:
            break
        try:
            last, cpu, wall, seen = _measure(fn)
        except RunCapped:
            break
        cpus.append(cpu)
        walls.append(wall)
        seen_all.update(seen)
    return cpus, walls, sorted(seen_all), last


def _skglm_warmup(task, sparse):
    """Compile skglm's numba kernels for this input format (untimed)."""
    X, y, _ = (sparse_text(n=200, p=300, density=0.02, seed=7) if sparse
               else toeplitz_correlated(n=50, p=30, seed=7))
    cfg = task_config("path", X, y)
    cfg = dict(alpha=cfg["alphas"][5], alphas=cfg["alphas"][:5])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        lasso_skglm(X, y, cfg, 1e-6)
        path_skglm(X, y, cfg, 1e-6)


def _lookup(table, row, solver, default):
    """Value of ``row:solver`` or ``solver`` in a --start-tol style table."""
    return table.get(f"{row.name}:{solver}", table.get(solver, default))


def run_solver(row, solver, X, y, cfg, args, target):
    rec = dict(solver=solver.name, status="ok")
    if importlib.util.find_spec(solver.module) is None:
        rec["status"] = "unavailable"
        return rec, None
    fit = solver.fit
    if solver.name == "floor" and args.big_floor:
        def fit(X_, y_, c_, t_):
            return ridge_floor(X_, y_, c_, t_, big=True)
    if solver.name == "skglm":
        _skglm_warmup(row.task, sp.issparse(X))
    iterative = solver.iterative(X) if callable(solver.iterative) else solver.iterative
    t0 = time.perf_counter()
    tried = []
    try:
        tol, tried, chosen = calibrate(fit, row.task, X, y, cfg, target, iterative,
                                       args.calib_cap, who=solver.name, tried=tried,
                                       start=_lookup(args.start_tol, row, solver.name,
                                                     START_TOL))
    except RunCapped:
        done = [t for t in tried if t[2] is not None]
        rec.update(status="capped", cpu=None, run_cap=RUN_CAP[0], calibration=[
            dict(tol=t, gap_rel_target=g / target, cpu=c) for t, g, c in tried],
            note=f"a run at tol {_fmt_tol(tried[-1][0])} took more than --run-cap "
                 f"{RUN_CAP[0]:g} s (wall)" + (
                     f"; looser runs: best gap {min(t[1] for t in done) / target:.3g} x "
                     f"target" if done else ""))
        return rec, None
    except NeedsFlag as exc:
        rec.update(status="skipped (flag)", note=str(exc))
        return rec, None
    except Exception as exc:  # noqa: BLE001 - reported, the table goes on
        rec.update(status="error", error=f"{type(exc).__name__}: {exc}"[:300])
        if not isinstance(exc, MemoryError):
            rec["traceback"] = traceback.format_exc(limit=3)
        return rec, None
    rec["calibration"] = [dict(tol=t, gap_rel_target=g / target, cpu=c) for t, g, c in tried]
    print(f"    [{solver.name}] calibrated in {time.perf_counter() - t0:.1f} s wall", flush=True)
    rec["tol"] = tol
    rec["iterative"] = bool(iterative)
    if chosen is None:
        rec["status"] = "missed target"
        best = min(tried, key=lambda r: r[1])
        rec.update(gap=best[1], gap_rel_target=best[1] / target, cpu=None,
                   note=f"best gap {best[1] / target:.3g} x target at tol {_fmt_tol(best[0])}")
        return rec, None
    res0, cpu0, wall0, seen0 = chosen
    rec["calibration_wall"] = time.perf_counter() - t0
    cpus, walls, seen, last = timed_runs(lambda: fit(X, y, cfg, tol), (cpu0, wall0),
                                         args.budget, args.long_cap)
    if cpus:
        res = last
        rec.update(cpu=min(cpus), wall=walls[int(np.argmin(cpus))], cpus=cpus, walls=walls,
                   runs=len(cpus), timing="fresh runs")
    else:
        res = res0
        rec.update(cpu=cpu0, wall=wall0, cpus=[cpu0], walls=[wall0], runs=1,
                   timing="certification run (too long to repeat)")
        seen = seen0
    rec["warnings"] = list(seen)
    gap, extra = certify(row.task, X, y, cfg, res)
    rec.update(gap=gap, gap_rel_target=gap / target, target_met=bool(gap <= target))
    if not rec["target_met"]:
        rec["status"] = "missed target (timed run)"
    if row.task == "path":
        rec["worst_alpha_index"] = extra["worst_alpha_index"]
        rec["path_gap_crosscheck_rel_target"] = path_gap_crosscheck(
            X, y, cfg["alphas"], res["coefs"], res["intercepts"], extra["gaps"]) / target
    if "alpha" in res and row.task == "ridgecv":
        k = int(np.argmin(np.abs(cfg["alphas"] - res["alpha"])))
        rec.update(alpha_=res["alpha"], alpha_index=k, best_score=res["best_score"])
    info = res.get("info", {})
    if info:
        rec["info"] = {k: (v if isinstance(v, (int, float, str, type(None))) else str(v))
                       for k, v in info.items()}
    return rec, res


def run_row(row, scale, args):
    family = FAMILIES[row.family]
    t0 = time.perf_counter()
    X, y, desc = family.make(scale)
    gen_s = time.perf_counter() - t0
    n, p = X.shape
    cfg = task_config(row.task, X, y)
    target = args.eps * gap_scale(y)
    out = dict(row=row.name, family=row.family, problem=family.label, task=row.task,
               task_label=TASK_LABELS[row.task], scale=scale, scaled_dims=family.scaled,
               n=n, p=p, density=float(desc["density"]), nnz=int(desc["nnz"]),
               format=desc["format"], description={k: v for k, v in desc.items()
                                                   if isinstance(v, (int, float, str))},
               eps=args.eps, target=target, generate_seconds=gen_s, solvers={})
    if "alpha" in cfg:
        out["alpha"] = float(cfg["alpha"])
    if "alphas" in cfg:
        out["alphas_range"] = [float(cfg["alphas"][0]), float(cfg["alphas"][-1])]
    print(f"\n## {row.name}: {family.label}, n={n}, p={p}, density={out['density']:.3g}, "
          f"{TASK_LABELS[row.task]} (scale {scale:g}; generated in {gen_s:.1f} s)",
          flush=True)
    RUN_CAP[0] = args.run_cap if row.run_cap is None else row.run_cap
    for name in row.solvers:
        solver = SOLVERS[row.task][name]
        if name in args.skip or f"{row.name}:{name}" in args.skip:
            out["solvers"][name] = dict(solver=name, status="skipped (--skip)")
            print(f"  {name:13s} skipped (--skip)", flush=True)
            continue
        if name == "sklearn" and row.sklearn_flag and not args.sklearn_sparse_ridgecv:
            out["solvers"][name] = dict(solver=name,
                                        status="skipped (--sklearn-sparse-ridgecv)")
            print(f"  {name:13s} skipped (needs --sklearn-sparse-ridgecv)", flush=True)
            continue
        t1 = time.perf_counter()
        rec, res = run_solver(row, solver, X, y, cfg, args, target)
        rec["total_wall"] = time.perf_counter() - t1
        out["solvers"][name] = rec
        del res
        print("  " + _progress(rec), flush=True)
    out["ridgecv_agreement"] = _agreement(out)
    out["ratio"] = _ratio(out)
    out["row_wall"] = time.perf_counter() - t0
    return out


def _agreement(out):
    """RidgeCV: do fastreg and scikit-learn choose the same alpha_ and score?"""
    a, b = out["solvers"].get("fastreg", {}), out["solvers"].get("sklearn", {})
    if "alpha_" not in a or "alpha_" not in b:
        return None
    return dict(same_alpha=bool(a["alpha_"] == b["alpha_"]),
                best_score_rel_diff=abs(a["best_score"] - b["best_score"])
                / max(abs(b["best_score"]), 1e-300))


def _progress(rec):
    name = rec["solver"]
    if rec.get("cpu") is None:
        return f"{name:13s} {rec['status']}: {rec.get('error') or rec.get('note', '')}"
    return (f"{name:13s} {rec['cpu']:9.3f} s cpu (wall {rec['wall']:.3f}, {rec['runs']} runs)"
            f"  tol {_fmt_tol(rec['tol'])}  gap {rec['gap_rel_target']:.3g} x target"
            + (f"  warnings: {rec['warnings']}" if rec.get("warnings") else ""))


def _ok(rec):
    return rec.get("cpu") is not None and rec.get("target_met", False)


def _ratio(out):
    s = out["solvers"]
    if "fastreg" not in s or not _ok(s["fastreg"]):
        return None
    others = [r["cpu"] for k, r in s.items() if k != "fastreg" and _ok(r)]
    return s["fastreg"]["cpu"] / min(others) if others else None


# ---------------------------------------------------------------------------
# reporting
# ---------------------------------------------------------------------------

def machine_info():
    info = dict(python=platform.python_version(), platform=platform.platform(),
                logical_cpus=os.cpu_count(),
                thread_env={v: os.environ.get(v) for v in THREAD_VARS})
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    info["cpu"] = line.split(":", 1)[1].strip()
                    break
    except OSError:
        info["cpu"] = platform.processor()
    try:
        info["affinity"] = len(os.sched_getaffinity(0))
        info["loadavg_start"] = os.getloadavg()
        with open("/proc/meminfo") as f:
            info["mem_total_gb"] = round(int(f.readline().split()[1]) / 2 ** 20, 1)
    except (OSError, AttributeError):
        pass
    versions = {}
    for mod in ("fastreg", "numpy", "scipy", "sklearn", "celer", "skglm", "numba"):
        try:
            versions[mod] = str(importlib.import_module(mod).__version__)
        except Exception:  # noqa: BLE001 - informational
            versions[mod] = None
    info["versions"] = versions
    try:
        from threadpoolctl import threadpool_info
        info["threadpools"] = [dict(api=d.get("internal_api"), lib=d.get("prefix"),
                                    version=d.get("version"), threads=d.get("num_threads"))
                               for d in threadpool_info()]
    except ImportError:
        pass
    try:
        root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=root,
                              capture_output=True, text=True, timeout=10).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--", "fastreg"], cwd=root,
                               capture_output=True, text=True, timeout=10).stdout.strip()
        info["git"] = head + (" (fastreg/ has uncommitted changes)" if dirty else "")
    except Exception:  # noqa: BLE001
        pass
    return info


def _cell(rec):
    if rec is None:
        return "—"
    st = rec["status"]
    if st == "unavailable":
        return "n/a"
    if st.startswith("skipped"):
        return "skip"
    if st == "error":
        return "error"
    if st == "capped":
        return f"> {rec.get('run_cap', 0):g} (capped)"
    if rec.get("cpu") is None:
        return "miss"
    t = f"{rec['cpu']:.3g}"
    return t if rec.get("target_met") else f"{t} (miss)"


def _size(out):
    return f"{out['n']:,} x {out['p']:,}"


def markdown(rows, machine):
    lines = []
    if machine:
        pools = ", ".join(f"{d['api']} {d['version']} ({d['threads']} thr)"
                          for d in machine.get("threadpools", []))
        v = machine.get("versions", {})
        lines += [
            f"Machine: {machine.get('cpu')}, {machine.get('logical_cpus')} logical CPUs, "
            f"{machine.get('mem_total_gb')} GB; threads pinned to 1 "
            f"({', '.join(f'{k}={x}' for k, x in machine.get('thread_env', {}).items())}); "
            f"pools: {pools or 'n/a'}.",
            "Versions: " + ", ".join(f"{k} {x}" for k, x in v.items() if x) +
            f"; fastreg git {machine.get('git', '?')}.", ""]
    lines += [
        "CPU seconds (best of the timed runs) of one full call at the common accuracy "
        "(independent duality gap <= EPS * ||y - mean(y)||^2 / n); ratio = fastreg / "
        "fastest other solver that met the target (< 1: fastreg faster).", "",
        "| row | problem | n x p | density | task | "
        + " | ".join(COLUMN_TITLES[c] for c in COLUMNS) + " | fastreg / fastest other |",
        "|---|---|---|---|---|" + "---:|" * (len(COLUMNS) + 1)]
    for out in rows:
        s = out["solvers"]
        ratio = f"{out['ratio']:.2f}" if out.get("ratio") else "—"
        scale = f" (scale {out['scale']:g})" if out["scale"] != 1 else ""
        lines.append(
            f"| {out['row']} | {out['problem']}{scale} | {_size(out)} | {out['density']:.3g} | "
            f"{out['task_label']} | " + " | ".join(_cell(s.get(c)) for c in COLUMNS)
            + f" | {ratio} |")
    lines += ["", "Accuracy and runs (gap relative to the target; tol = calibrated value, "
              "'default' for direct solvers):", "",
              "| row | solver | CPU s | wall s | runs | tol | gap / target | notes |",
              "|---|---|---:|---:|---:|---|---:|---|"]
    for out in rows:
        for name, rec in out["solvers"].items():
            notes = []
            if rec["status"] != "ok":
                notes.append(rec["status"] + (f": {rec['error']}" if rec.get("error") else "")
                             + (f" ({rec['note']})" if rec.get("note") else ""))
            if rec.get("info", {}).get("route"):
                notes.append(f"route {rec['info']['route']}")
            if "alpha_index" in rec:
                notes.append(f"alpha_ index {rec['alpha_index']}/{RIDGECV_ALPHAS.size - 1}")
            if "worst_alpha_index" in rec:
                notes.append(f"worst gap at alpha #{rec['worst_alpha_index']}")
            if rec.get("timing", "").startswith("certification"):
                notes.append("single run")
            if rec.get("warnings"):
                notes.append("warnings: " + "; ".join(rec["warnings"]))
            cpu = f"{rec['cpu']:.3g}" if rec.get("cpu") is not None else "—"
            wall = f"{rec['wall']:.3g}" if rec.get("wall") is not None else "—"
            gap = (f"{rec['gap_rel_target']:.2g}" if rec.get("gap_rel_target") is not None
                   else "—")
            tol = _fmt_tol(rec["tol"]) if "tol" in rec else "—"
            lines.append(f"| {out['row']} | {name} | {cpu} | {wall} | {rec.get('runs', '—')} "
                         f"| {tol} | {gap} | {'; '.join(notes)} |")
        agr = _agreement(out)
        if agr:
            lines.append(f"| {out['row']} | agreement | | | | | | same alpha_: "
                         f"{agr['same_alpha']}; best_score_ rel. diff "
                         f"{agr['best_score_rel_diff']:.1e} |")
    return "\n".join(lines)


def _json_default(o):
    if isinstance(o, np.generic):
        return o.item()
    if isinstance(o, np.ndarray):
        return o.tolist()
    raise TypeError(type(o))


def _parse_rows(spec):
    selected = []
    for item in filter(None, (s.strip() for s in spec.split(","))):
        name, _, scale = item.partition("@")
        if name == "all":
            selected += [(r, None) for r in ROWS]
            continue
        if name not in ROWS:
            raise SystemExit(f"unknown row {name!r}; rows: {', '.join(ROWS)}")
        selected.append((name, float(scale) if scale else None))
    return selected


def main(argv=None):
    ap = argparse.ArgumentParser(prog="python -m bench.targets", description=__doc__.split(
        "\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rows", default=",".join(r.name for r in ROWS.values() if not r.heavy),
                    help="comma-separated row names, each optionally name@SCALE "
                         "(replaces the row's default scale); 'all' adds the heavy rows. "
                         f"Rows: {', '.join(ROWS)}")
    ap.add_argument("--scale", type=float, default=1.0,
                    help="multiplies every row's scale (shrinks n, and p where the "
                         "family scales it)")
    ap.add_argument("--eps", type=float, default=GAP_EPS, help="relative gap target")
    ap.add_argument("--budget", type=float, default=5.0,
                    help="CPU seconds of timed runs per solver beyond the first 3")
    ap.add_argument("--long-cap", type=float, default=120.0,
                    help="CPU seconds the 3 fresh timed runs may take together; longer "
                         "calls are repeated fewer times")
    ap.add_argument("--calib-cap", type=float, default=900.0,
                    help="CPU seconds after which calibration stops tightening tol")
    ap.add_argument("--run-cap", type=float, default=300.0,
                    help="wall seconds after which a single run is abandoned and the "
                         "solver reported as capped on that row (0: no cap)")
    ap.add_argument("--start-tol", default="",
                    help="comma-separated solver=TOL or row:solver=TOL: where the "
                         f"calibration starts (default {START_TOL:g})")
    ap.add_argument("--skip", default="",
                    help="comma-separated solver names or row:solver pairs to skip")
    ap.add_argument("--big-floor", action="store_true",
                    help="let the NumPy Ridge floor form dense Gram matrices above 1 GiB")
    ap.add_argument("--sklearn-sparse-ridgecv", action="store_true",
                    help="run scikit-learn's RidgeCV on the sparse RidgeCV rows (minutes "
                         "to infeasible)")
    ap.add_argument("--json", help="write the results to this JSON file")
    ap.add_argument("--append", action="store_true",
                    help="merge into an existing --json file (same rows are replaced)")
    ap.add_argument("--report", nargs="+", metavar="JSON",
                    help="print the tables of saved JSON files and exit")
    args = ap.parse_args(argv)

    if args.report:
        rows, machine = [], None
        for path in args.report:
            with open(path) as f:
                data = json.load(f)
            machine = machine or data.get("machine")
            rows += data["rows"]
        order = {name: i for i, name in enumerate(ROWS)}
        rows.sort(key=lambda r: order.get(r["row"], len(order)))
        print(markdown(rows, machine))
        return 0

    args.skip = {s.strip() for s in args.skip.split(",") if s.strip()}
    RUN_CAP[0] = args.run_cap
    args.start_tol = {k.strip(): float(v) for k, _, v in
                      (item.partition("=") for item in args.start_tol.split(",") if item)}
    selected = _parse_rows(args.rows)
    from threadpoolctl import threadpool_limits

    import fastreg  # noqa: F401 - load every BLAS the timed code uses, then limit
    import sklearn.linear_model  # noqa: F401
    for mod in ("celer", "skglm"):
        if importlib.util.find_spec(mod) is not None:
            importlib.import_module(mod)
    limiter = threadpool_limits(1)
    machine = machine_info()
    print(f"Machine: {machine.get('cpu')}, {machine.get('logical_cpus')} CPUs, threads "
          f"pinned to 1; versions {machine['versions']}; git {machine.get('git')}",
          flush=True)
    rows = []
    for name, scale in selected:
        row = ROWS[name]
        eff = (row.scale if scale is None else scale) * args.scale
        out = run_row(row, eff, args)
        out["machine"] = dict(cpu=machine.get("cpu"), git=machine.get("git"),
                              loadavg_start=machine.get("loadavg_start"))
        rows.append(out)
        if args.json:
            _save(args, rows, machine)
    limiter.restore_original_limits()
    print()
    print(markdown(rows, machine))
    return 0


def _save(args, rows, machine):
    saved = []
    if args.append and os.path.exists(args.json):
        with open(args.json) as f:
            old = json.load(f)
        mine = {r["row"]: r for r in rows}
        for r in old.get("rows", []):
            new = mine.get(r["row"])
            if new is None:
                saved.append(r)
            elif all(r.get(k) == new.get(k) for k in ("n", "p", "scale", "eps", "nnz")):
                # same problem: solvers run now replace theirs, the others are kept
                merged = dict(r["solvers"])
                merged.update({k: v for k, v in new["solvers"].items()
                               if not v["status"].startswith("skipped (--skip)")})
                new["solvers"] = {k: merged[k] for k in ROWS[r["row"]].solvers
                                  if k in merged} if r["row"] in ROWS else merged
                new["ratio"] = _ratio(new)
                new["ridgecv_agreement"] = _agreement(new)
    with open(args.json, "w") as f:
        json.dump(dict(machine=machine, rows=saved + rows), f, indent=1,
                  default=_json_default)


if __name__ == "__main__":
    sys.exit(main())
