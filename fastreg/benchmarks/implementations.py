"""The implementations compared by the benchmarks, behind one calling convention.

Every implementation is a function ``fit(X, y, model, alpha, l1_ratio, tol)`` returning
``(coef, intercept, info)``, where ``model`` is ``"enet"`` (Lasso is ``l1_ratio=1``,
scikit-learn's ElasticNet units) or ``"ridge"`` (scikit-learn's Ridge units) and
``tol`` is the solver's own stopping tolerance (``None``: the library's default,
for direct solvers). The estimator is built inside the call, as a user would:
the timed call covers input validation, preprocessing (centering) and the solve.
``info`` may hold ``n_iter`` and ``solver`` (the route a Ridge took).

Stopping rules differ between libraries (fastreg, scikit-learn, celer and the
reference stop on their own duality gap, relative to ``||y_c||^2 / n``; skglm
on a KKT violation; scikit-learn's sparse Ridge on a CG residual), so the
benchmarks never compare tolerances: they calibrate each solver's ``tol`` until
the solver-independent gap of :func:`fastreg.reference.enet_duality_gap`
reaches a common target (see :mod:`fastreg.benchmarks.accuracy`).

Regularisation paths have their own convention, :data:`PATH_IMPLS`:
``path(X, y, alphas, l1_ratio, tol, fit_intercept=False)`` returns
``(coefs, info)`` with ``coefs`` of shape ``(n_features, n_alphas)``, every alpha
warm-started from the previous one; without an intercept as ``lasso_path``,
with one ``info["intercepts"]`` holds them (the path functions of scikit-learn
and celer have no intercept option: they get centred data, centred inside the
call, and the intercepts are ``mean(y) - mean(X) . w``). :data:`RIDGECV_IMPLS`
fit a ``RidgeCV`` and return the fitted estimator.

Peers (celer, skglm) are optional: they are imported only when used, and
:func:`available` / :func:`import_error` tell whether they can be.
"""
import importlib
import importlib.util

import numpy as np
import scipy.linalg as la
import scipy.sparse as sp

#: Epoch / iteration caps, far above what any benchmark problem needs: a solver
#: must stop on its tolerance, never on a cap (the gap certificate would catch it).
MAX_EPOCHS = 100_000
#: Outer (working-set) iterations of celer and skglm: above need, for the same reason.
MAX_OUTER = 1000


def _tol(tol):
    """``tol`` as a keyword, or nothing: ``None`` keeps the library's default."""
    return {} if tol is None else dict(tol=tol)


def _lasso_or_enet(lasso_cls, enet_cls, alpha, l1_ratio, **kw):
    if l1_ratio == 1.0:
        return lasso_cls(alpha=alpha, **kw)
    return enet_cls(alpha=alpha, l1_ratio=l1_ratio, **kw)


def _out(est, **info):
    info.setdefault("n_iter", _scalar(getattr(est, "n_iter_", None)))
    return (np.asarray(est.coef_, dtype=np.float64).ravel(),
            float(np.ravel(est.intercept_)[0]), info)


def _scalar(v):
    if v is None:
        return None
    v = np.asarray(v).ravel()
    return int(v[0]) if v.size else None


def fit_fastreg(X, y, model, alpha, l1_ratio, tol):
    import fastreg

    if model == "ridge":
        # On sparse X 'auto' runs conjugate gradient to round-off whatever tol
        # is; a given tol is honoured by 'sparse_cg' instead, so that it can be
        # calibrated like scikit-learn's (whose 'auto' is conjugate gradient there).
        kw = dict(solver="sparse_cg") if sp.issparse(X) and tol is not None else {}
        est = fastreg.Ridge(alpha=alpha, **_tol(tol), **kw).fit(X, y)
        return _out(est, solver=est.solver_)
    est = _lasso_or_enet(fastreg.Lasso, fastreg.ElasticNet, alpha, l1_ratio, **_tol(tol),
                         max_iter=MAX_EPOCHS).fit(X, y)
    return _out(est)


def fit_sklearn(X, y, model, alpha, l1_ratio, tol, precompute=False):
    from sklearn import linear_model as lm

    if model == "ridge":
        est = lm.Ridge(alpha=alpha, **_tol(tol)).fit(X, y)
        return _out(est, solver=getattr(est, "solver_", None) or _sk_ridge_solver(X))
    est = _lasso_or_enet(lm.Lasso, lm.ElasticNet, alpha, l1_ratio, **_tol(tol),
                         max_iter=MAX_EPOCHS, precompute=precompute).fit(X, y)
    return _out(est)


def fit_sklearn_gram(X, y, model, alpha, l1_ratio, tol):
    """scikit-learn's coordinate descent on its precomputed Gram matrix
    (``precompute=True``): its fastest route when n >> p."""
    return fit_sklearn(X, y, model, alpha, l1_ratio, tol, precompute=True)


def _sk_ridge_solver(X):
    # Ridge(solver='auto') does not store the route it took; 'auto' is
    # cholesky on dense X and sparse_cg on sparse X (with an intercept).
    return "sparse_cg" if sp.issparse(X) else "cholesky"


def fit_celer(X, y, model, alpha, l1_ratio, tol):
    import celer

    est = _lasso_or_enet(celer.Lasso, celer.ElasticNet, alpha, l1_ratio, **_tol(tol),
                         max_iter=MAX_OUTER, max_epochs=MAX_EPOCHS).fit(X, y)
    return _out(est)


def fit_skglm(X, y, model, alpha, l1_ratio, tol):
    import skglm

    est = _lasso_or_enet(skglm.Lasso, skglm.ElasticNet, alpha, l1_ratio, **_tol(tol),
                         max_iter=MAX_OUTER, max_epochs=MAX_EPOCHS).fit(X, y)
    return _out(est)


def fit_reference(X, y, model, alpha, l1_ratio, tol):
    from fastreg import reference

    if model == "ridge":
        coef, intercept = reference.ridge_closed_form(X, y, alpha)
        return np.asarray(coef), float(intercept), {"solver": "lstsq"}
    coef, intercept, _gap, n_iter = reference.enet_coordinate_descent(
        X, y, alpha, l1_ratio, **_tol(tol), max_iter=MAX_EPOCHS)
    return np.asarray(coef), float(intercept), {"n_iter": int(n_iter)}


class GramTooLarge(ValueError):
    """The NumPy floor would form a dense Gram matrix above its ``max_gram`` entries."""


def _cholesky_solve(G, alpha, b):
    """Solve ``(G + alpha I) z = b``, overwriting G (lower triangle used), by
    POTRF/POTRS: the least work for a symmetric positive definite system."""
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
    """``X X^T`` of sparse X, densified block of columns by block: the full sparse
    product (denser than X) is never held."""
    Xr = X.tocsr()
    n = X.shape[0]
    K = np.empty((n, n), order="F")
    XT = Xr.T.tocsc()
    for i in range(0, n, block):
        K[:, i:i + block] = (Xr @ XT[:, i:i + block]).toarray()
    return K


def fit_numpy(X, y, model, alpha, l1_ratio, tol, max_gram=None):
    """The plain NumPy/LAPACK floor for Ridge: centre, form the Gram matrix of the
    smaller side by SYRK, solve by Cholesky (POTRF/POTRS).

    Primal ``(Xc^T Xc + alpha I) w = Xc^T yc`` when n >= p, dual
    ``(Xc Xc^T + alpha I) z = yc, w = Xc^T z`` otherwise. Sparse X is not
    centred: the Gram matrix is the sparse product with a rank-one (primal) or
    rank-two (dual) centring correction. ``max_gram``: largest number of
    entries of that dense matrix (None: no limit); above it
    :class:`GramTooLarge` is raised instead of allocating it.
    """
    n, p = X.shape
    k = min(n, p)
    if max_gram is not None and k * k > max_gram:
        raise GramTooLarge(f"dense {k} x {k} Gram matrix ({k * k * 8 / 2 ** 30:.1f} GiB)")
    xbar = np.asarray(X.mean(axis=0), dtype=np.float64).ravel()
    ybar = float(np.mean(y))
    yc = np.asarray(y, dtype=np.float64) - ybar
    primal = n >= p
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
    w = np.asarray(w)
    return w, float(ybar - xbar @ w), {"solver": "primal" if primal else "dual"}


#: name -> (fit function, module it needs, models it implements): what the
#: suite and ``fastreg bench`` compare.
IMPLS = {
    "fastreg": (fit_fastreg, "fastreg", {"enet", "ridge"}),
    "reference": (fit_reference, "fastreg.reference", {"enet", "ridge"}),
    "sklearn": (fit_sklearn, "sklearn", {"enet", "ridge"}),
    "celer": (fit_celer, "celer", {"enet"}),
    "skglm": (fit_skglm, "skglm", {"enet"}),
    "numpy": (fit_numpy, "scipy", {"ridge"}),
}
#: Further variants, timed by the target table only.
VARIANTS = {
    "sklearn_gram": (fit_sklearn_gram, "sklearn", {"enet"}),
}
OPTIONAL = ("celer", "skglm")


def _module(name):
    entry = IMPLS.get(name) or VARIANTS.get(name)
    return (entry[1] if entry else name).split(".")[0]


def available(name):
    """Whether the module implementation ``name`` needs is installed."""
    return importlib.util.find_spec(_module(name)) is not None


def import_error(name):
    """None when the module of implementation ``name`` imports; otherwise why not
    (``"not installed"``, or the error of an installed but broken package)."""
    module = _module(name)
    try:
        if importlib.util.find_spec(module) is None:
            return "not installed"
        importlib.import_module(module)
    except Exception as exc:  # noqa: BLE001 - e.g. built against another NumPy
        return f"fails to import: {exc!r}"
    return None


def applicable(name, spec, model):
    """Whether ``name`` is run for ``model`` on a problem.

    ``spec`` is the problem's :class:`~fastreg.benchmarks.problems.Spec` or the
    :class:`~fastreg.benchmarks.problems.Problem` itself (both carry the
    ``reference_cd`` and ``reference_ridge`` flags).

    The pure-Python reference only runs where its problem spec allows it (it is
    orders of magnitude slower); the NumPy floor is a Ridge-only baseline.
    """
    if model not in IMPLS[name][2]:
        return False
    if name == "reference":
        return spec.reference_ridge if model == "ridge" else spec.reference_cd
    return True


def iterative(name, model):
    """Whether implementation ``name`` has a stopping tolerance for ``model`` (the
    direct solvers, the NumPy floor and the reference Ridge, run once with
    ``tol=None``)."""
    return not (name == "numpy" or (name == "reference" and model == "ridge"))


# ---------------------------------------------------------------------------
# paths
# ---------------------------------------------------------------------------

def _means(X, y):
    return np.asarray(X.mean(axis=0), dtype=np.float64).ravel(), float(np.mean(y))


def _centred(X, y):
    """What a user passes to a path function without an intercept option:
    ``(Xc, yc, keywords)``; sparse X stays as it is, its column means passed
    as ``X_offset`` (both scikit-learn's and celer's path functions take it)."""
    xbar, ybar = _means(X, y)
    yc = np.asarray(y, dtype=np.float64) - ybar
    if sp.issparse(X):
        return X, yc, dict(X_offset=xbar, X_scale=np.ones(X.shape[1]))
    return np.asfortranarray(X - xbar), yc, {}


def _path_out(X, y, coefs, fit_intercept, intercepts=None):
    coefs = np.asarray(coefs, dtype=np.float64)
    info = {}
    if fit_intercept:
        if intercepts is None:
            xbar, ybar = _means(X, y)
            intercepts = ybar - xbar @ coefs
        info["intercepts"] = np.asarray(intercepts, dtype=np.float64)
    return coefs, info


def path_fastreg(X, y, alphas, l1_ratio, tol, fit_intercept=False):
    import fastreg

    _, coefs, _ = fastreg.enet_path(X, y, l1_ratio=l1_ratio, alphas=alphas, tol=tol,
                                    max_iter=MAX_EPOCHS, fit_intercept=fit_intercept)
    return _path_out(X, y, coefs, fit_intercept)


def path_sklearn(X, y, alphas, l1_ratio, tol, fit_intercept=False):
    from sklearn.linear_model import enet_path

    Xc, yc, kw = _centred(X, y) if fit_intercept else (X, y, {})
    _, coefs, _ = enet_path(Xc, yc, l1_ratio=l1_ratio, alphas=alphas, tol=tol,
                            max_iter=MAX_EPOCHS, **kw)
    return _path_out(X, y, coefs, fit_intercept)


def path_celer(X, y, alphas, l1_ratio, tol, fit_intercept=False):
    from celer import celer_path

    Xc, yc, kw = _centred(X, y) if fit_intercept else (X, y, {})
    out = celer_path(Xc, yc, "lasso", alphas=alphas, l1_ratio=l1_ratio, tol=tol,
                     max_iter=MAX_OUTER, max_epochs=MAX_EPOCHS, **kw)
    return _path_out(X, y, out[1], fit_intercept)


def path_skglm(X, y, alphas, l1_ratio, tol, fit_intercept=False):
    """skglm has no path function: its estimator, warm-started along the grid."""
    import skglm

    coefs = np.empty((X.shape[1], len(alphas)))
    intercepts = np.empty(len(alphas))
    est = _lasso_or_enet(skglm.Lasso, skglm.ElasticNet, alphas[0], l1_ratio, tol=tol,
                         max_iter=MAX_OUTER, max_epochs=MAX_EPOCHS,
                         fit_intercept=fit_intercept, warm_start=True)
    for k, a in enumerate(alphas):
        est.alpha = float(a)
        est.fit(X, y)
        coefs[:, k] = est.coef_
        intercepts[k] = est.intercept_
    return _path_out(X, y, coefs, fit_intercept, intercepts)


def path_reference(X, y, alphas, l1_ratio, tol, fit_intercept=False):
    """The pure-Python coordinate descent, one alpha after another, warm-started."""
    from fastreg import reference

    coefs = np.zeros((X.shape[1], len(alphas)))
    intercepts = np.zeros(len(alphas))
    coef = None
    for k, alpha in enumerate(alphas):
        coef, intercepts[k], _, _ = reference.enet_coordinate_descent(
            X, y, alpha, l1_ratio, fit_intercept=fit_intercept, tol=tol,
            max_iter=MAX_EPOCHS, coef_init=coef)
        coefs[:, k] = coef
    return _path_out(X, y, coefs, fit_intercept, intercepts)


#: name -> (path function, module it needs)
PATH_IMPLS = {
    "fastreg": (path_fastreg, "fastreg"),
    "reference": (path_reference, "fastreg.reference"),
    "sklearn": (path_sklearn, "sklearn"),
    "celer": (path_celer, "celer"),
    "skglm": (path_skglm, "skglm"),
}


# ---------------------------------------------------------------------------
# RidgeCV
# ---------------------------------------------------------------------------

def ridgecv_fastreg(X, y, alphas, **kw):
    import fastreg

    return fastreg.RidgeCV(alphas=alphas, **kw).fit(X, y)


def ridgecv_sklearn(X, y, alphas, **kw):
    from sklearn.linear_model import RidgeCV

    return RidgeCV(alphas=alphas, **kw).fit(X, y)


#: name -> (function ``(X, y, alphas, **estimator keywords) -> fitted RidgeCV``, module)
RIDGECV_IMPLS = {
    "fastreg": (ridgecv_fastreg, "fastreg"),
    "sklearn": (ridgecv_sklearn, "sklearn"),
}


def version(name):
    """Installed version string of the implementation's package (or '')."""
    try:
        return str(importlib.import_module(_module(name)).__version__)
    except Exception:  # noqa: BLE001 - informational only
        return ""
