"""The implementations compared by the benchmark suite, behind one calling convention.

Every implementation is a function ``fit(X, y, model, alpha, l1_ratio, tol)`` returning
``(coef, intercept, info)``, where ``model`` is ``"enet"`` (Lasso is ``l1_ratio=1``,
scikit-learn's ElasticNet units) or ``"ridge"`` (scikit-learn's Ridge units) and
``tol`` is the solver's own stopping tolerance (``None`` for closed forms). The
estimator is built inside the call, as a user would: the timed call covers input
validation, preprocessing (centering) and the solve.

Stopping rules differ between libraries (fastreg, scikit-learn, celer and the
reference stop on their own duality gap, relative to ``||y_c||^2 / n``; skglm
on a KKT violation; scikit-learn's sparse Ridge on a CG residual), so the suite
never compares tolerances: it walks each solver's ``tol`` down a common ladder
until the solver-independent gap of :func:`fastreg.reference.enet_duality_gap`
reaches a common target (see :mod:`fastreg.benchmarks.accuracy`).

Regularisation paths have their own convention, :data:`PATH_IMPLS`:
``path(X, y, alphas, l1_ratio, tol)`` returns ``(coefs, info)`` with ``coefs`` of
shape ``(n_features, n_alphas)``, no intercept (as ``lasso_path``), every alpha
warm-started from the previous one.

Peers (celer, skglm) are optional: they are imported only when used, and
:func:`available` tells whether they can be.
"""
import importlib
import importlib.util

import numpy as np
import scipy.linalg as la
import scipy.sparse as sp

#: Epoch / iteration caps, far above what any benchmark problem needs: a solver
#: must stop on its tolerance, never on a cap (the gap assertion would catch it).
MAX_EPOCHS = 100_000


def _lasso_or_enet(lasso_cls, enet_cls, alpha, l1_ratio, **kw):
    if l1_ratio == 1.0:
        return lasso_cls(alpha=alpha, **kw)
    return enet_cls(alpha=alpha, l1_ratio=l1_ratio, **kw)


def _out(est, **info):
    info.setdefault("n_iter", _scalar(getattr(est, "n_iter_", None)))
    return np.asarray(est.coef_, dtype=np.float64), float(est.intercept_), info


def _scalar(v):
    if v is None:
        return None
    v = np.asarray(v).ravel()
    return int(v[0]) if v.size else None


def fit_fastreg(X, y, model, alpha, l1_ratio, tol):
    import fastreg

    if model == "ridge":
        # On sparse X 'auto' runs conjugate gradient to 1e-10 whatever tol is;
        # the benchmark calibrates tol instead, as it does for scikit-learn's
        # (whose 'auto' is conjugate gradient there too).
        kw = dict(solver="sparse_cg") if sp.issparse(X) and tol is not None else {}
        est = fastreg.Ridge(alpha=alpha, tol=tol, **kw).fit(X, y)
        return _out(est, solver=est.solver_)
    est = _lasso_or_enet(fastreg.Lasso, fastreg.ElasticNet, alpha, l1_ratio, tol=tol,
                         max_iter=MAX_EPOCHS).fit(X, y)
    return _out(est)


def fit_sklearn(X, y, model, alpha, l1_ratio, tol):
    from sklearn import linear_model as lm

    if model == "ridge":
        est = lm.Ridge(alpha=alpha, tol=tol).fit(X, y)
        return _out(est, solver=getattr(est, "solver_", None) or _sk_ridge_solver(X))
    est = _lasso_or_enet(lm.Lasso, lm.ElasticNet, alpha, l1_ratio, tol=tol,
                         max_iter=MAX_EPOCHS).fit(X, y)
    return _out(est)


def _sk_ridge_solver(X):
    # scikit-learn 1.9 resolves solver='auto' to cholesky (dense) / sparse_cg (sparse).
    return "sparse_cg" if sp.issparse(X) else "cholesky"


def fit_celer(X, y, model, alpha, l1_ratio, tol):
    import celer

    est = _lasso_or_enet(celer.Lasso, celer.ElasticNet, alpha, l1_ratio, tol=tol,
                         max_iter=1000, max_epochs=MAX_EPOCHS).fit(X, y)
    return _out(est)


def fit_skglm(X, y, model, alpha, l1_ratio, tol):
    import skglm

    est = _lasso_or_enet(skglm.Lasso, skglm.ElasticNet, alpha, l1_ratio, tol=tol,
                         max_iter=1000, max_epochs=MAX_EPOCHS).fit(X, y)
    return _out(est)


def fit_reference(X, y, model, alpha, l1_ratio, tol):
    from fastreg import reference

    if model == "ridge":
        coef, intercept = reference.ridge_closed_form(X, y, alpha)
        return np.asarray(coef), float(intercept), {"solver": "lstsq"}
    coef, intercept, _gap, n_iter = reference.enet_coordinate_descent(
        X, y, alpha, l1_ratio, tol=tol, max_iter=MAX_EPOCHS)
    return np.asarray(coef), float(intercept), {"n_iter": int(n_iter)}


def fit_numpy(X, y, model, alpha, l1_ratio, tol):
    """The plain NumPy/SciPy floor for Ridge: centre, form the smaller Gram matrix,
    ``scipy.linalg.solve(..., assume_a='pos')``.

    Primal ``(Xc^T Xc + alpha I) w = Xc^T yc`` when n >= p, dual
    ``(Xc Xc^T + alpha I) a = yc, w = Xc^T a`` otherwise. Sparse X is not densified:
    the Gram matrix is a sparse product with a rank-one (primal) or rank-two (dual)
    centering correction.
    """
    n, p = X.shape
    y_mean = float(np.mean(y))
    yc = y - y_mean
    if sp.issparse(X):
        m = np.asarray(X.mean(axis=0)).ravel()
        if n >= p:
            G = (X.T @ X).toarray()
            G -= n * np.outer(m, m)
            G[np.diag_indices(p)] += alpha
            w = la.solve(G, X.T @ yc - m * yc.sum(), assume_a="pos")
        else:
            u = X @ m
            K = (X @ X.T).toarray()
            K -= np.add.outer(u, u)
            K += m @ m
            K[np.diag_indices(n)] += alpha
            z = la.solve(K, yc, assume_a="pos")
            w = X.T @ z - m * z.sum()
    else:
        m = X.mean(axis=0)
        Xc = X - m
        if n >= p:
            G = Xc.T @ Xc
            G[np.diag_indices(p)] += alpha
            w = la.solve(G, Xc.T @ yc, assume_a="pos")
        else:
            K = Xc @ Xc.T
            K[np.diag_indices(n)] += alpha
            w = Xc.T @ la.solve(K, yc, assume_a="pos")
    return np.asarray(w), float(y_mean - m @ w), {"solver": "primal" if n >= p else "dual"}


#: name -> (fit function, module it needs, models it implements)
IMPLS = {
    "fastreg": (fit_fastreg, "fastreg", {"enet", "ridge"}),
    "reference": (fit_reference, "fastreg.reference", {"enet", "ridge"}),
    "sklearn": (fit_sklearn, "sklearn", {"enet", "ridge"}),
    "celer": (fit_celer, "celer", {"enet"}),
    "skglm": (fit_skglm, "skglm", {"enet"}),
    "numpy": (fit_numpy, "scipy", {"ridge"}),
}
OPTIONAL = ("celer", "skglm")


def available(name):
    """Whether the module implementation ``name`` needs can be imported."""
    return importlib.util.find_spec(IMPLS[name][1].split(".")[0]) is not None


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


def path_fastreg(X, y, alphas, l1_ratio, tol):
    import fastreg

    _, coefs, _ = fastreg.enet_path(X, y, l1_ratio=l1_ratio, alphas=alphas, tol=tol,
                                    max_iter=MAX_EPOCHS)
    return np.asarray(coefs, dtype=np.float64), {}


def path_sklearn(X, y, alphas, l1_ratio, tol):
    from sklearn.linear_model import enet_path

    _, coefs, _ = enet_path(X, y, l1_ratio=l1_ratio, alphas=alphas, tol=tol,
                            max_iter=MAX_EPOCHS)
    return np.asarray(coefs, dtype=np.float64), {}


def path_reference(X, y, alphas, l1_ratio, tol):
    """The pure-Python coordinate descent, one alpha after another, warm-started."""
    from fastreg import reference

    coefs = np.zeros((X.shape[1], len(alphas)))
    coef = None
    for k, alpha in enumerate(alphas):
        coef, _, _, _ = reference.enet_coordinate_descent(
            X, y, alpha, l1_ratio, fit_intercept=False, tol=tol, max_iter=MAX_EPOCHS,
            coef_init=coef)
        coefs[:, k] = coef
    return coefs, {}


#: name -> (path function, module it needs)
PATH_IMPLS = {
    "fastreg": (path_fastreg, "fastreg"),
    "reference": (path_reference, "fastreg.reference"),
    "sklearn": (path_sklearn, "sklearn"),
}


def version(name):
    """Installed version string of the implementation's package (or '')."""
    mod = IMPLS[name][1].split(".")[0]
    try:
        return str(importlib.import_module(mod).__version__)
    except Exception:  # noqa: BLE001 - informational only
        return ""
