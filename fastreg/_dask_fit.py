"""Fitting fastreg's estimators on Dask arrays from sufficient statistics.

For n_samples >> n_features, one distributed pass
(:mod:`fastreg._dask_stats`) gives the centred, weighted ``Xt^T Xt``,
``Xt^T yt`` and ``||yt||^2``; every estimator then finishes on the client in
O(p^3), with fastreg's own solvers:

- :class:`~fastreg.Ridge`: the Cholesky closed form of :mod:`fastreg._ridge`
  (``solve_spd``, minimum-norm fallback when singular); ``positive=True``
  runs the Gram-mode coordinate descent kernel with no L1 term.
- :class:`~fastreg.ElasticNet` / :class:`~fastreg.Lasso`: the Gram-mode kernel
  :func:`fastreg._kernels._cd_gram.enet_cd_gram`, in the units of
  :func:`fastreg._enet_solver.solve_enet` (weights normalised to sum to
  n_samples: the statistics are scaled by ``n / W``). When the Gram matrix
  would be too large (p^2 > ``GRAM_MAX_ENTRIES``) the fit goes to consensus
  ADMM (:mod:`fastreg._dask_admm`).
- :class:`~fastreg.RidgeCV` (``cv=None``): exact efficient leave-one-out, as
  the in-memory 'gram' route: one eigendecomposition of ``Xt^T Xt`` on the
  client, then a second pass where every chunk returns the per-alpha sums of
  its squared leave-one-out residuals (alpha-sized results). With K-fold
  ``cv``, per-fold statistics of the same single pass give every fold's
  closed-form coefficients and held-out R^2.
- :func:`dask_enet_path` and :class:`~fastreg.ElasticNetCV` /
  :class:`~fastreg.LassoCV`: one pass computes per-fold statistics; the
  training statistics of fold k are the merge of the other folds', the
  held-out error of a coefficient vector is a quadratic form in the test
  fold's statistics, and the whole CV needs no further pass over the data.

Objectives, units and fitted attributes are those of the in-memory
estimators (scikit-learn's).
"""
import numbers
import warnings

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import KFold, check_cv
from sklearn.utils import check_random_state

from ._blas_threads import single_threaded_blas
from ._dask_stats import (ContiguousFolds, align, compute, compute_stats, merge_all,
                          tree_reduce, _blocks)
from ._kernels._cd_gram import enet_cd_gram
from ._penalty import (check_penalty_factor, kernel_kwargs, projection,
                       residual_correlations)
from ._validation import (check_bool, check_choice, check_finite_fit, check_grid_l1_ratio,
                          check_int, check_penalty,
                          check_real)

#: Largest Gram matrix (entries) formed for the Elastic-Net; beyond, ADMM.
GRAM_MAX_ENTRIES = 8192 ** 2
_RESOLUTION = np.finfo(np.float64).resolution


def _record_features(est, X):
    est.n_features_in_ = X.shape[1]
    if hasattr(est, "feature_names_in_"):
        del est.feature_names_in_


def _constant_mask(st, G, fit_intercept, dtype):
    """Centred columns that are round-off only (fastreg's in-memory test):
    ``||Xt_j||^2 <= (64 eps)^2 (||Xt_j||^2 + W m_j^2)``."""
    if not fit_intercept:
        return np.zeros(G.shape[0], dtype=bool)
    d = np.diag(G).copy()
    raw = d + st.W * st.mx ** 2
    return d <= (64 * np.finfo(dtype).eps) ** 2 * raw


def _zero_constant(G, Xy, mask):
    if np.any(mask):
        G[mask, :] = 0
        G[:, mask] = 0
        Xy[mask] = 0


def _check_gram_size(X, what):
    """The one-pass route holds p x p statistics per chunk: refuse beyond the limit."""
    p = X.shape[1]
    if p * p > GRAM_MAX_ENTRIES:
        raise ValueError(f"{what} on Dask input needs p x p statistics; n_features={p} "
                         f"is beyond the limit of {int(np.sqrt(GRAM_MAX_ENTRIES))} "
                         "(only ElasticNet/Lasso have a wide route, consensus ADMM).")


def _out_dtype(X):
    return X.dtype if X.dtype in (np.float32, np.float64) else np.dtype(np.float64)


# ---------------------------------------------------------------------------
# Ridge
# ---------------------------------------------------------------------------

def fit_ridge_dask(est, X, y, sample_weight=None):
    """:meth:`fastreg.Ridge.fit` on Dask arrays (closed form from statistics)."""
    from ._linalg import solve_psd_min_norm, solve_spd
    from ._ridge import SOLVERS

    for name in ("fit_intercept", "copy_X", "positive"):
        check_bool(getattr(est, name), name)
    check_choice(est.solver, "solver", SOLVERS)
    tol = check_real(est.tol, "tol", low=0.0)
    X, y, sw, _ = align(X, y, sample_weight)
    _check_gram_size(X, "Ridge")
    T = 1 if y.ndim == 1 else y.shape[1]
    alphas = check_penalty(est.alpha, "alpha", T)
    alphas = np.full(T, alphas) if np.ndim(alphas) == 0 else alphas
    dtype = _out_dtype(X)
    st = compute_stats(X, y, sw)
    G, Xy, yy = st.moments(est.fit_intercept)
    _zero_constant(G, Xy, _constant_mask(st, G, est.fit_intercept, dtype))
    p = G.shape[0]
    coef = np.empty((T, p))
    n_iter = None
    if est.positive:
        max_iter = 1000 if est.max_iter is None else check_int(est.max_iter, "max_iter",
                                                                low=1)
        Gf = np.asfortranarray(G)
        n_iter = []
        for k in range(T):
            w = np.zeros(p)
            with single_threaded_blas():
                gap, tol_s, it, conv = enet_cd_gram(
                    Gf, np.ascontiguousarray(Xy[:, k]), float(yy[k]), w, 0.0,
                    float(alphas[k]), max_iter, tol, 0, False, True,
                    anderson_k=0)  # plain CD, as fastreg._enet_solver.GRAM_ANDERSON_K
            if not conv:
                warnings.warn(f"Ridge (positive, Dask): coordinate descent did not "
                              f"converge after {it} epochs: duality gap {gap:.3e} > "
                              f"{tol_s:.3e}.", ConvergenceWarning, stacklevel=3)
            coef[k] = w
            n_iter.append(it)
        n_iter = np.array(n_iter)
        est.solver_ = "cd"
    else:
        for a in np.unique(alphas):
            cols = np.flatnonzero(alphas == a)
            B = np.ascontiguousarray(Xy[:, cols])
            Z = solve_spd(G, float(a), B)
            if Z is None:
                Z = solve_psd_min_norm(G, float(a), B)
            coef[cols] = Z.T
        est.solver_ = "cholesky"
    _record_features(est, X)
    est.coef_ = (coef[0] if T == 1 else coef).astype(dtype, copy=False)
    est.n_iter_ = n_iter
    _set_intercept(est, st, y.ndim, dtype)
    return est


def _set_intercept(est, st, y_ndim, dtype):
    coef = np.atleast_2d(est.coef_).astype(np.float64)
    if est.fit_intercept:
        b = st.my - coef @ st.mx
        est.intercept_ = dtype.type(b[0]) if y_ndim == 1 else b.astype(dtype)
    else:
        est.intercept_ = 0.0 if y_ndim == 1 else np.zeros(coef.shape[0], dtype=dtype)


# ---------------------------------------------------------------------------
# Elastic-Net / Lasso
# ---------------------------------------------------------------------------

def enet_units(st, fit_intercept, dtype):
    """(G, Xy, yy, n) in solve_enet's units: weights normalised to sum to n, so
    every statistic is scaled by n / W; constant columns zeroed."""
    n = st.n
    G, Xy, yy = st.moments(fit_intercept)
    scale = n / st.W
    G *= scale
    Xy *= scale
    yy *= scale
    _zero_constant(G, Xy, _constant_mask(st, G, fit_intercept, dtype))
    return np.asfortranarray(G), Xy, yy, n


def penalty_kwargs(G, penalty_factor):
    """The Gram kernel's ``penalty_factor``/``unpenalised`` arguments for factors
    on statistics ``G`` (float64, Fortran), as :class:`fastreg._penalty.Penalty`
    prepares them for an in-memory Gram matrix; {} for None."""
    if penalty_factor is None:
        return {}
    pf = np.ascontiguousarray(penalty_factor, dtype=np.float64)
    U = np.flatnonzero((pf == 0) & (np.diag(G) > 0)).astype(np.intc)
    if U.size == 0:
        return {"penalty_factor": pf}
    return {"penalty_factor": pf, "unpenalised": projection(U, G[:, U], np.float64)}


def penalised_correlations(G, Xy, kw, positive):
    """``Xt^T r0 / pf`` on the penalised features, ``r0`` the residual of the
    (non-negative, with ``positive``) least squares on the unpenalised ones:
    what alpha_max is computed from (:func:`fastreg._path.alpha_max`)."""
    if not kw:
        return Xy
    pf = kw["penalty_factor"]
    if "unpenalised" in kw:
        U, _, C = kw["unpenalised"]
        Xy = residual_correlations(Xy, U, C, positive)
    pen = pf > 0
    return Xy[pen] / pf[pen]


def gram_solve(G, Xy_k, yy_k, n, w, alpha, l1_ratio, *, tol, max_iter, positive, seed,
               random, stacklevel=4, kw=None):
    """One Elastic-Net solve in place on statistics (G Fortran float64); returns
    (gap in scikit-learn's units, epochs). Same units and warning as
    :func:`fastreg._enet_solver.solve_enet`'s Gram route; ``kw`` are
    the penalty factors' kernel arguments (:func:`penalty_kwargs`)."""
    l1_reg = alpha * l1_ratio * n
    l2_reg = alpha * (1.0 - l1_ratio) * n
    with single_threaded_blas():
        gap, tol_scaled, n_iter, converged = enet_cd_gram(
            G, np.ascontiguousarray(Xy_k, dtype=np.float64), float(yy_k), w, l1_reg,
            l2_reg, max_iter, tol, seed, random, positive,
            anderson_k=0,  # plain CD, as fastreg._enet_solver.GRAM_ANDERSON_K
            **kernel_kwargs(kw, positive))
    if not converged:
        from ._enet_solver import warn_not_converged

        warn_not_converged(n_iter, gap / n, tol_scaled / n, alpha, stacklevel + 1)
    return gap / n, n_iter


def fit_enet_dask(est, X, y, sample_weight=None):
    """:meth:`fastreg.ElasticNet.fit` (and Lasso) on Dask arrays."""
    alpha, l1_ratio = est._check_params()
    if alpha == 0:
        warnings.warn("With alpha=0, this algorithm does not converge well. You are "
                      "advised to use the LinearRegression estimator", stacklevel=3)
    X, y, sw, sparse = align(X, y, sample_weight)
    dtype = _out_dtype(X)
    p = X.shape[1]
    pf = check_penalty_factor(est.penalty_factor, p, est.positive)
    if p * p > GRAM_MAX_ENTRIES:
        if pf is not None:
            raise ValueError("penalty_factor is not supported by the wide (ADMM) route "
                             f"of Dask input (n_features={p}).")
        from ._dask_admm import fit_enet_admm
        return fit_enet_admm(est, X, y, sw, alpha, l1_ratio)
    st = compute_stats(X, y, sw)
    G, Xy, yy, n = enet_units(st, est.fit_intercept, dtype)
    kw = penalty_kwargs(G, pf)
    T = Xy.shape[1]
    coef = np.zeros((T, p))
    if est.warm_start and hasattr(est, "coef_"):
        previous = np.atleast_2d(est.coef_)
        if previous.shape == coef.shape:
            coef[:] = previous
    rng = check_random_state(est.random_state)
    gaps, n_iters = np.zeros(T), []
    for k in range(T):
        seed = int(rng.randint(np.iinfo(np.int32).max))
        gaps[k], it = gram_solve(G, Xy[:, k], yy[k], n, coef[k], alpha, l1_ratio,
                                 tol=est.tol, max_iter=est.max_iter,
                                 positive=est.positive, seed=seed,
                                 random=est.selection == "random", kw=kw)
        n_iters.append(it)
    single = T == 1
    _record_features(est, X)
    est.coef_ = (coef[0] if single else coef).astype(dtype, copy=False)
    est.dual_gap_ = dtype.type(gaps[0]) if single else gaps.astype(dtype)
    est.n_iter_ = n_iters[0] if single else n_iters
    _set_intercept(est, st, 1 if single else 2, dtype)
    check_finite_fit(est.coef_, est.intercept_)
    return est


# ---------------------------------------------------------------------------
# RidgeCV
# ---------------------------------------------------------------------------

def _loo_chunk(x, y, s, mx, my, W, V, inv, C, fit_intercept):
    """Sums over one chunk's rows of the squared weighted leave-one-out residuals,
    shape (T, A): the per-row formulas of fastreg._ridge_cv._loo_residuals
    (primal route), with the global means and eigenpairs."""
    import scipy.sparse as sp

    m = x.shape[0]
    y = np.asarray(y, dtype=np.float64).reshape(m, -1)
    T, A = y.shape[1], inv.shape[1]
    if m == 0:
        return np.zeros((T, A))
    if sp.issparse(x):
        Z = np.asarray(sp.csr_matrix(x, dtype=np.float64) @ V) - mx @ V
    else:
        Z = (np.asarray(x, dtype=np.float64) - mx) @ V
    yt = y - my
    if s is not None:
        sq = np.sqrt(np.asarray(s, dtype=np.float64).reshape(m))
        Z *= sq[:, None]
        yt *= sq[:, None]
        lev0 = sq * sq / W if fit_intercept else np.zeros(m)
    else:
        lev0 = np.full(m, 1.0 / W) if fit_intercept else np.zeros(m)
    fitted = (Z @ C).reshape(m, T, A)
    one_minus_h = 1.0 - lev0[:, None] - (Z * Z) @ inv
    with np.errstate(divide="ignore", invalid="ignore"):
        e = (yt[:, :, None] - fitted) / one_minus_h[:, None, :]
    return np.einsum("itk,itk->tk", e, e)


def _sum(*parts):
    out = parts[0].copy()
    for q in parts[1:]:
        out += q
    return out


def fit_ridge_cv_dask(est, X, y, sample_weight=None):
    """:meth:`fastreg.RidgeCV.fit` on Dask arrays: leave-one-out (cv=None, two
    passes) or K-fold (one pass of per-fold statistics)."""
    import dask

    from ._ridge_cv import _check_alphas, _eigh, _first_best

    check_bool(est.fit_intercept, "fit_intercept")
    check_bool(est.store_cv_results, "store_cv_results")
    check_bool(est.alpha_per_target, "alpha_per_target")
    if est.scoring is not None:
        raise ValueError("RidgeCV on Dask input supports scoring=None only (mean "
                         "squared leave-one-out error, or R^2 with K-fold).")
    if est.store_cv_results:
        raise ValueError("store_cv_results=True would collect n-sized results: not "
                         "supported on Dask input.")
    alphas = _check_alphas(est.alphas, strict=est.cv is None)
    if est.cv is not None:
        if est.alpha_per_target:
            raise ValueError("cv!=None and alpha_per_target=True are incompatible: "
                             "one alpha per target needs leave-one-out (cv=None).")
        return _ridge_cv_kfold(est, X, y, sample_weight, alphas)
    X, y, sw, _ = align(X, y, sample_weight)
    _check_gram_size(X, "RidgeCV")
    dtype = _out_dtype(X)
    st = compute_stats(X, y, sw)
    G, Xy, _ = st.moments(est.fit_intercept)
    lam, V = _eigh(np.asfortranarray(G))
    c = V.T @ Xy                                             # (r, T)
    T, A, r = Xy.shape[1], alphas.shape[0], lam.shape[0]
    inv = 1.0 / (lam[:, None] + alphas[None, :])             # (r, A)
    C = (c[:, :, None] * inv[:, None, :]).reshape(r, T * A)
    mx = st.mx if est.fit_intercept else np.zeros_like(st.mx)
    my = st.my if est.fit_intercept else np.zeros_like(st.my)
    xs, ys = _blocks(X), _blocks(y)
    ws = _blocks(sw) if sw is not None else [None] * len(xs)
    f = dask.delayed(_loo_chunk, pure=True)
    V_d, inv_d, C_d = (dask.delayed(a) for a in (V, inv, C))   # shipped once
    parts = [f(xb, yb, wb, mx, my, st.W, V_d, inv_d, C_d, est.fit_intercept)
             for xb, yb, wb in zip(xs, ys, ws)]
    (sse,) = compute(tree_reduce(parts, _sum))
    n = st.n
    per_target = est.alpha_per_target and y.ndim == 2 and T > 1
    if per_target:
        scores = -sse / n
        best = np.array([_first_best(scores[t]) for t in range(T)])
        est.alpha_ = alphas[best]
        est.best_score_ = scores[np.arange(T), best]
        chosen = est.alpha_
    else:
        scores = -sse.sum(axis=0) / (n * T)
        best = _first_best(scores)
        est.alpha_ = float(alphas[best])
        est.best_score_ = scores[best]
        chosen = np.full(T, alphas[best])
    coef = (V @ (c / (lam[:, None] + chosen[None, :]))).T   # (T, p)
    _record_features(est, X)
    est.gcv_mode_ = "gram"
    est.coef_ = (coef[0] if T == 1 else coef).astype(dtype, copy=False)
    if est.fit_intercept:
        b = st.my - coef @ st.mx
        est.intercept_ = dtype.type(b[0]) if y.ndim == 1 else b.astype(dtype)
    else:
        est.intercept_ = 0.0
    if hasattr(est, "cv_results_"):
        del est.cv_results_
    return est


def fold_labels(cv, n, y_like=None):
    """Fold label of every row (the test fold it belongs to), from a splitter, as
    the in-memory CV would split ``n`` rows; and the number of folds. Every row
    must be in exactly one test fold (a K-fold partition). Unshuffled KFold
    gives :class:`ContiguousFolds` (boundaries only); any other splitter is
    run on the client (an n-sized label array)."""
    if isinstance(cv, KFold) and not cv.shuffle:
        # KFold's own fold sizes: n // K each, the first n % K one larger
        K = cv.get_n_splits()
        if K > n:
            raise ValueError(f"Cannot have number of splits n_splits={K} greater than "
                             f"the number of samples: n_samples={n}.")
        sizes = np.full(K, n // K)
        sizes[:n % K] += 1
        return ContiguousFolds(np.concatenate([[0], np.cumsum(sizes)])), K
    labels = np.full(n, -1, dtype=np.int32)
    dummy = np.zeros((n, 1), dtype=np.int8)
    K = 0
    for k, (_, test) in enumerate(cv.split(dummy, y_like)):
        test = np.asarray(test)
        if np.any(labels[test] >= 0):
            raise ValueError("cv must partition the rows (each sample in exactly one "
                             "test fold) to run on Dask input.")
        labels[test] = k
        K = k + 1
    if K < 2 or np.any(labels < 0):
        raise ValueError("cv must partition the rows into at least 2 test folds (as "
                         "KFold does) to run on Dask input.")
    return labels, K


def _train_stats(folds, k):
    return merge_all([f for j, f in enumerate(folds) if j != k])


def heldout_sse(st, coef, intercept, T=None):
    """sum_i s_i (y_i - x_i.w - b)^2 over the rows of ``st`` for coefficients
    ``coef`` (p, K) and intercepts (K,) of one target column ``T``: a quadratic
    form in the centred statistics (exact up to round-off of size
    eps * cyy; no pass over the data)."""
    t = 0 if T is None else T
    Cxy = st.Cxy[:, t]
    quad = np.einsum("pk,pq,qk->k", coef, st.Cxx, coef)
    off = st.my[t] - st.mx @ coef - intercept
    return np.maximum(st.cyy[t] - 2 * (Cxy @ coef) + quad, 0.0) + st.W * off * off


def _ridge_cv_kfold(est, X, y, sample_weight, alphas):
    from ._ridge import Ridge
    from ._ridge_cv import _eigh, _first_best, _shifted_inverse

    X, y, sw, _ = align(X, y, sample_weight)
    _check_gram_size(X, "RidgeCV")
    n = X.shape[0]
    cv = check_cv(est.cv, None, classifier=False)
    labels, K = fold_labels(cv, n)
    folds = compute_stats(X, y, sw, labels, K)
    T = 1 if y.ndim == 1 else y.shape[1]
    A = alphas.shape[0]
    fold_scores = []
    for k in range(K):
        tr, te = _train_stats(folds, k), folds[k]
        G, Xy, _ = tr.moments(est.fit_intercept)
        lam, V = _eigh(np.asfortranarray(G))
        W = V @ ((V.T @ Xy)[:, :, None] * _shifted_inverse(lam, alphas)[:, None, :]
                 ).reshape(lam.shape[0], T * A)
        W = W.reshape(-1, T, A)
        r2 = np.zeros((T, A))
        for t in range(T):
            coef = W[:, t, :]                                    # (p, A)
            b = (tr.my[t] - tr.mx @ coef) if est.fit_intercept else np.zeros(A)
            sse = heldout_sse(te, coef, b, t)
            # r2_score (weighted when sample_weight was given): 1 - SSE / SST;
            # a constant held-out target scores 1 if predicted exactly, else 0
            # (scikit-learn's force_finite convention).
            sst = te.cyy[t]
            r2[t] = (1.0 - sse / sst) if sst > 0 else np.where(sse == 0, 1.0, 0.0)
        fold_scores.append(r2.mean(axis=0))
    mean_scores = np.mean(np.array(fold_scores), axis=0)
    best = _first_best(mean_scores)
    est.alpha_ = float(alphas[best])
    est.best_score_ = mean_scores[best]
    est.gcv_mode_ = None
    final = Ridge(alpha=est.alpha_, fit_intercept=est.fit_intercept)
    fit_ridge_dask(final, X, y, sw)
    _record_features(est, X)
    est.coef_ = final.coef_
    est.intercept_ = final.intercept_ if est.fit_intercept else 0.0
    if hasattr(est, "cv_results_"):
        del est.cv_results_
    return est


# ---------------------------------------------------------------------------
# paths and ElasticNetCV / LassoCV
# ---------------------------------------------------------------------------

def alpha_grid_stats(st, fit_intercept, l1_ratio, eps, n_alphas, positive,
                     penalty_factor=None):
    """The in-memory :func:`fastreg._path.alpha_grid`, from statistics:
    alpha_max = max_j |Xt_j . yt| / (n l1_ratio) with weights normalised to n,
    i.e. max_j |Cxy_j| / (W l1_ratio) (with penalty factors: of the residual
    after least squares on the unpenalised features, divided by pf_j)."""
    check_grid_l1_ratio(l1_ratio)
    G, Xy, _ = st.moments(fit_intercept)
    Xy = Xy[:, 0]
    if penalty_factor is not None:
        _zero_constant(G, Xy, _constant_mask(st, G, fit_intercept, np.float64))
        Xy = penalised_correlations(G, Xy, penalty_kwargs(G, penalty_factor), positive)
    Xy = Xy / st.W
    top = max(0.0, Xy.max(initial=0.0)) if positive else np.abs(Xy).max(initial=0.0)
    a_max = float(top / l1_ratio)
    if a_max <= _RESOLUTION:
        return np.full(n_alphas, _RESOLUTION)
    return np.geomspace(a_max, a_max * eps, num=n_alphas)


def path_from_stats(st, alphas, l1_ratio, fit_intercept, dtype, *, tol=1e-4,
                    max_iter=1000, positive=False, random_state=None,
                    selection="cyclic", coef_init=None, penalty_factor=None):
    """Warm-started path along ``alphas`` (order kept) on statistics, by the
    Gram-mode kernel, as :func:`fastreg._path.path_on_design` does with a Gram
    matrix. Returns (coefs (p, A), gaps (A,), n_iters (A,))."""
    G, Xy, yy, n = enet_units(st, fit_intercept, dtype)
    kw = penalty_kwargs(G, penalty_factor)
    p = G.shape[0]
    coef = np.zeros(p)
    if coef_init is not None:
        coef[:] = coef_init
    rng = check_random_state(random_state)
    coefs = np.empty((p, len(alphas)))
    gaps = np.empty(len(alphas))
    n_iters = np.empty(len(alphas), dtype=np.intp)
    for i, a in enumerate(alphas):
        gaps[i], n_iters[i] = gram_solve(
            G, Xy[:, 0], yy[0], n, coef, float(a), l1_ratio, tol=tol, max_iter=max_iter,
            positive=positive, seed=int(rng.randint(np.iinfo(np.int32).max)),
            random=selection == "random", stacklevel=5, kw=kw)
        coefs[:, i] = coef
    return coefs, gaps, n_iters


def dask_enet_path(X, y, *, l1_ratio=0.5, eps=1e-3, n_alphas=100, alphas=None,
                   coef_init=None, return_n_iter=False, positive=False, tol=1e-4,
                   max_iter=1000, random_state=None, selection="cyclic",
                   fit_intercept=False, sample_weight=None, penalty_factor=None):
    """:func:`fastreg.enet_path` on Dask arrays: one pass for the statistics, then
    the whole path on the client (same grid, objective and returns)."""
    l1_ratio = check_real(l1_ratio, "l1_ratio", low=0.0, high=1.0)
    eps = check_real(eps, "eps", low=0.0, low_open=True)
    tol = check_real(tol, "tol", low=0.0)
    max_iter = check_int(max_iter, "max_iter", low=1)
    check_choice(selection, "selection", {"cyclic", "random"})
    check_bool(fit_intercept, "fit_intercept")
    X, y, sw, _ = align(X, y, sample_weight)
    if y.ndim != 1:
        raise ValueError(f"y must be 1-D for a path, got shape {y.shape}.")
    _check_gram_size(X, "enet_path")
    pf = check_penalty_factor(penalty_factor, X.shape[1], positive)
    dtype = _out_dtype(X)
    st = compute_stats(X, y, sw)
    if alphas is None or isinstance(alphas, numbers.Integral):
        na = check_int(n_alphas if alphas is None else alphas, "n_alphas", low=1)
        alphas = alpha_grid_stats(st, fit_intercept, l1_ratio, eps, na, positive, pf)
    else:
        alphas = np.asarray(alphas, dtype=np.float64).ravel()
        if alphas.size == 0 or not np.all(np.isfinite(alphas)) or np.any(alphas < 0):
            raise ValueError("alphas must be a non-empty array of finite values >= 0.")
        alphas = np.sort(alphas)[::-1]
    coefs, gaps, n_iters = path_from_stats(
        st, alphas, l1_ratio, fit_intercept, dtype, tol=tol, max_iter=max_iter,
        positive=positive, random_state=random_state, selection=selection,
        coef_init=coef_init, penalty_factor=pf)
    coefs = coefs.astype(dtype, copy=False)
    if return_n_iter:
        return alphas, coefs, gaps, n_iters
    return alphas, coefs, gaps


def fit_enet_cv_dask(est, X, y, sample_weight=None):
    """:meth:`fastreg.ElasticNetCV.fit` (and LassoCV) on Dask arrays: one pass of
    per-fold statistics serves the grid, every fold's path, the held-out errors
    and the final refit."""
    from ._coordinate_descent import ElasticNet

    l1_ratios, eps = est._check_params()
    X, y, sw, _ = align(X, y, sample_weight)
    if y.ndim != 1:
        raise ValueError(f"y must be 1-D for this estimator, got shape {y.shape}.")
    _check_gram_size(X, "ElasticNetCV")
    pf = check_penalty_factor(est.penalty_factor, X.shape[1], est.positive)
    dtype = _out_dtype(X)
    n = X.shape[0]
    labels, K = fold_labels(check_cv(est.cv), n)
    folds = compute_stats(X, y, sw, labels, K)
    full = merge_all(folds)
    fi = est.fit_intercept
    if isinstance(est.alphas, numbers.Integral) and not isinstance(est.alphas, bool):
        n_alphas = check_int(est.alphas, "alphas", low=1)
        grids = np.array([alpha_grid_stats(full, fi, r, eps, n_alphas, est.positive, pf)
                          for r in l1_ratios])
    else:
        alphas = np.asarray(est.alphas, dtype=np.float64).ravel()
        if alphas.size == 0 or not np.all(np.isfinite(alphas)) or np.any(alphas < 0):
            raise ValueError("alphas must be an int or a non-empty array of finite "
                             "values >= 0.")
        grids = np.tile(np.sort(alphas)[::-1], (len(l1_ratios), 1))
    params = dict(tol=est.tol, max_iter=est.max_iter, positive=est.positive,
                  random_state=est.random_state, selection=est.selection,
                  penalty_factor=pf)
    mses = []
    for i, r in enumerate(l1_ratios):
        for k in range(K):
            tr, te = _train_stats(folds, k), folds[k]
            coefs, _, _ = path_from_stats(tr, grids[i], r, fi, dtype, **params)
            coefs = coefs.astype(dtype).astype(np.float64)
            b = (tr.my[0] - tr.mx @ coefs) if fi else np.zeros(coefs.shape[1])
            mses.append(heldout_sse(te, coefs, b) / te.W)
    mse_path = np.array(mses).reshape(len(l1_ratios), K, -1).transpose(0, 2, 1)
    mean = mse_path.mean(axis=2)
    i_best, j_best = np.unravel_index(np.argmin(mean), mean.shape)
    if est.alpha_rule == "1se":
        se = (mse_path[i_best].std(axis=1, ddof=1) / np.sqrt(K) if K > 1
              else np.zeros(mean.shape[1]))
        within = np.flatnonzero(mean[i_best] <= mean[i_best, j_best] + se[j_best])
        j_best = within.min()
    est.l1_ratio_ = l1_ratios[i_best]
    est.alpha_ = float(grids[i_best, j_best])
    single = np.ndim(est.l1_ratio) == 0
    est.mse_path_ = mse_path[0] if single else mse_path
    est.alphas_ = grids[0] if single else grids

    # refit on all data from the same statistics (no further pass)
    G, Xy, yy, nn = enet_units(full, fi, dtype)
    coef = np.zeros(X.shape[1])
    rng = check_random_state(est.random_state)
    gap, it = gram_solve(G, Xy[:, 0], yy[0], nn, coef, est.alpha_, est.l1_ratio_,
                         tol=est.tol, max_iter=est.max_iter, positive=est.positive,
                         seed=int(rng.randint(np.iinfo(np.int32).max)),
                         random=est.selection == "random", kw=penalty_kwargs(G, pf))
    _record_features(est, X)
    est.coef_ = coef.astype(dtype)
    est.dual_gap_ = dtype.type(gap)
    est.n_iter_ = it
    model = ElasticNet(fit_intercept=fi)
    model.coef_ = est.coef_
    _set_intercept(model, full, 1, dtype)
    est.intercept_ = model.intercept_
    return est


# ---------------------------------------------------------------------------
# predict
# ---------------------------------------------------------------------------

def predict_dask(est, X):
    """``X @ coef_.T + intercept_`` as a lazy Dask array, chunk by chunk (dense or
    scipy.sparse chunks): nothing is computed or gathered here."""
    from sklearn.utils.validation import check_is_fitted

    check_is_fitted(est, "coef_")
    if X.ndim != 2:
        raise ValueError(f"X must be 2-D, got a Dask array with shape {X.shape}.")
    if X.shape[1] != est.n_features_in_:
        raise ValueError(f"X has {X.shape[1]} features, but {type(est).__name__} was "
                         f"fitted with {est.n_features_in_} features.")
    if len(X.chunks[1]) > 1:
        X = X.rechunk({1: -1})
    coef = np.asarray(est.coef_, dtype=np.float64)
    intercept = np.asarray(est.intercept_, dtype=np.float64)

    def block(x):
        return np.asarray(x @ coef.T, dtype=np.float64) + intercept

    if coef.ndim == 1:
        return X.map_blocks(block, drop_axis=1, dtype=np.float64)
    return X.map_blocks(block, chunks=(X.chunks[0], (coef.shape[0],)), dtype=np.float64)
