"""Ridge and RidgeCV on Dask arrays, from one pass of sufficient statistics.

- Ridge: the closed form of the in-memory 'cholesky' route on ``Xt^T Xt``
  (:func:`fastreg._linalg.solve_spd`, the minimum-norm solve when singular);
  ``positive=True`` runs the in-memory 'cd' route's solve (the Elastic-Net with
  no L1 term) in Gram mode.
- RidgeCV, ``cv=None``: exact efficient leave-one-out, as the in-memory 'gram'
  route: one eigendecomposition of ``Xt^T Xt`` on the client, then a second
  pass where every chunk returns the per-alpha sums of its squared
  leave-one-out residuals (:func:`fastreg._ridge_loo.primal_loo_errors`;
  alpha-sized results).
- RidgeCV, K-fold: per-fold statistics of the same single pass give every
  fold's closed-form coefficients, their held-out R^2 (a quadratic form in
  the test fold's statistics) and the final refit.

``standardize=True``: the same solves on the statistics of the standardised
columns, ``D^{-1} G D^{-1}`` and ``D^{-1} Xt^T yt`` with ``d_j^2 = G_jj /
sum(s)`` (:func:`fastreg._preprocess.inverse_scales`), the coefficients
mapped back by ``D^{-1}``; K-fold standardises each training fold by its own
deviations, as in memory.
"""
import numpy as np
from sklearn.model_selection import check_cv

from .._enet_solver import solve_enet_gram
from .._linalg import solve_psd_min_norm, solve_spd
from .._result import ABSENT, FitResult
from .._ridge_loo import eigh, primal_loo_errors, shifted_inverse
from .._selection import choose_alphas, first_best
from .._validation import check_penalty
from .stats import (align, centred_moments, check_gram_size, chunk_design, compute,
                    compute_stats, features_seen, fold_labels, heldout_sse, intercept,
                    merge_all, out_dtype, row_blocks, train_stats, tree_reduce)


def fit_ridge_dask(params, X, y, sample_weight=None):
    """:meth:`fastreg.Ridge.fit` on Dask arrays (parameters validated by it).
    Returns a :class:`fastreg._result.FitResult`."""
    X, y, sw, _ = align(X, y, sample_weight)
    check_gram_size(X, "Ridge")
    T = 1 if y.ndim == 1 else y.shape[1]
    alphas = check_penalty(params["alpha"], "alpha", T)
    alphas = np.full(T, alphas) if np.ndim(alphas) == 0 else alphas
    result = _ridge_from_stats(compute_stats(X, y, sw), alphas, y.ndim, out_dtype(X),
                               params["fit_intercept"], params["positive"], params["tol"],
                               params["max_iter"], params.get("standardize", False))
    result.attributes.update(features_seen(X))
    return result


def _standardised_moments(st, fit_intercept, dtype, standardize):
    """``(G, Xy, yy, scale)``: :func:`centred_moments`, of the standardised
    columns when ``standardize`` (``scale`` = 1/d, else None)."""
    from .._preprocess import inverse_scales

    G, Xy, yy = centred_moments(st, fit_intercept, dtype)
    if not standardize:
        return G, Xy, yy, None
    mx = st.mx if fit_intercept else np.zeros_like(st.mx)
    scale = inverse_scales(np.diag(G), st.W, mx, dtype)
    G = scale[:, None] * G * scale[None, :]
    return G, scale[:, None] * Xy, yy, scale


def _ridge_from_stats(st, alphas, y_ndim, dtype, fit_intercept, positive=False, tol=None,
                      max_iter=None, standardize=False):
    """The Ridge fit of the rows of ``st`` at ``alphas`` (one per target);
    ``tol`` and ``max_iter`` serve ``positive`` only."""
    G, Xy, yy, scale = _standardised_moments(st, fit_intercept, dtype, standardize)
    p, T = Xy.shape
    coef = np.empty((T, p))
    n_iter = None
    if positive:
        # the in-memory 'cd' route: the Elastic-Net kernel's l2_reg is alpha,
        # i.e. alpha / n in scikit-learn's Elastic-Net units
        G = np.asfortranarray(G)
        n, n_iter = st.n, []
        for k in range(T):
            coef[k] = 0.0
            _, it = solve_enet_gram(
                G, np.ascontiguousarray(Xy[:, k]), float(yy[k]), coef[k],
                float(alphas[k]) / n, 0.0, n, tol=tol, max_iter=max_iter or 1000,
                positive=True, seed=0, random=False, stacklevel=5)
            n_iter.append(it)
        n_iter, solver = np.array(n_iter), "cd"
    else:
        for a in np.unique(alphas):
            cols = np.flatnonzero(alphas == a)
            B = np.ascontiguousarray(Xy[:, cols])
            Z = solve_spd(G, float(a), B)
            if Z is None:
                Z = solve_psd_min_norm(G, float(a), B)
            coef[cols] = Z.T
        solver = "cholesky"
    if scale is not None:
        coef *= scale  # the original columns' scale
    coef = (coef[0] if T == 1 else coef).astype(dtype, copy=False)
    return FitResult(coef, intercept(st, coef, fit_intercept, y_ndim), n_iter=n_iter,
                     attributes={"solver": solver})


def _loo_chunk(x, y, s, mx, my, W, V, inv, C, fit_intercept):
    """Sums over one chunk's rows of the squared weighted leave-one-out
    residuals, shape (T, A): the in-memory primal route's block
    (:func:`fastreg._ridge_loo.primal_loo_errors`), with the global means and
    eigenpairs."""
    m = x.shape[0]
    T, A = my.shape[0], inv.shape[1]
    if m == 0:
        return np.zeros((T, A))
    d = chunk_design(x, np.asarray(y, dtype=np.float64).reshape(m, T), s, mx, my)
    Z = np.asarray(d.matvec(V))
    # the intercept's leverage u_i^2, u = sqrt(s) / ||sqrt(s)|| over all rows
    lev0 = d.sqrt_sw ** 2 / W if fit_intercept else np.zeros(m)
    e = primal_loo_errors(Z * Z, Z @ C, d.y2d, lev0, inv)
    return np.einsum("itk,itk->tk", e, e)


def _sum(*parts):
    out = parts[0].copy()
    for q in parts[1:]:
        out += q
    return out


def fit_ridge_cv_dask(params, X, y, sample_weight=None):
    """:meth:`fastreg.RidgeCV.fit` on Dask arrays: leave-one-out (cv=None, two
    passes) or K-fold (one pass of per-fold statistics). ``params``: the
    estimator's parameters (validated by it, ``alphas`` checked). Returns a
    :class:`fastreg._result.FitResult`."""
    if params["scoring"] is not None:
        raise ValueError("RidgeCV on Dask input supports scoring=None only (mean "
                         "squared leave-one-out error, or R^2 with K-fold).")
    if params["store_cv_results"]:
        raise ValueError("store_cv_results=True would collect n-sized results: not "
                         "supported on Dask input.")
    X, y, sw, _ = align(X, y, sample_weight)
    check_gram_size(X, "RidgeCV")
    if params["cv"] is not None:
        result = _ridge_cv_kfold(params, X, y, sw)
    else:
        result = _ridge_cv_loo(params, X, y, sw)
    result.attributes.update(cv_results=ABSENT, **features_seen(X))
    return result


def _ridge_cv_loo(params, X, y, sw):
    import dask

    alphas, fi = params["alphas"], params["fit_intercept"]
    dtype = out_dtype(X)
    st = compute_stats(X, y, sw)
    # in float64 whatever the input dtype, as the in-memory RidgeCV
    G, Xy, _, scale = _standardised_moments(st, fi, np.float64,
                                            params.get("standardize", False))
    lam, V = eigh(np.asfortranarray(G))
    # the chunks' raw rows times V: of the standardised design with D^{-1} V
    V_rows = V if scale is None else scale[:, None] * V
    c = V.T @ Xy                                             # (r, T)
    T, A, r = Xy.shape[1], alphas.shape[0], lam.shape[0]
    inv = shifted_inverse(lam, alphas)                       # (r, A)
    C = (c[:, :, None] * inv[:, None, :]).reshape(r, T * A)
    mx = st.mx if fi else np.zeros_like(st.mx)
    my = st.my if fi else np.zeros_like(st.my)
    xs, ys = row_blocks(X), row_blocks(y)
    ws = row_blocks(sw) if sw is not None else [None] * len(xs)
    f = dask.delayed(_loo_chunk, pure=True)
    V_d, inv_d, C_d = (dask.delayed(a) for a in (V_rows, inv, C))   # shipped once
    parts = [f(xb, yb, wb, mx, my, st.W, V_d, inv_d, C_d, fi)
             for xb, yb, wb in zip(xs, ys, ws)]
    (sse,) = compute(tree_reduce(parts, _sum))
    # scoring=None: minus the mean squared leave-one-out error (RidgeCV's)
    per_target = params["alpha_per_target"] and y.ndim == 2 and T > 1
    scores = -sse / st.n if per_target else -sse.sum(axis=0) / (st.n * T)
    alpha, best_score, chosen = choose_alphas(scores, alphas, per_target, T)
    coef = (V_rows @ (c * shifted_inverse(lam, chosen))).T   # (T, p), original scale
    coef = (coef[0] if T == 1 else coef).astype(dtype, copy=False)
    # scikit-learn's RidgeCV: a float 0.0 without an intercept, whatever y's shape
    b = intercept(st, coef, fi, y.ndim) if fi else 0.0
    return FitResult(coef, b, attributes={"alpha": alpha, "best_score": best_score,
                                          "gcv_mode": "gram"})


def _ridge_cv_kfold(params, X, y, sw):
    alphas, fi = params["alphas"], params["fit_intercept"]
    labels, K = fold_labels(check_cv(params["cv"], None, classifier=False), X.shape[0])
    folds = compute_stats(X, y, sw, labels, K)
    T = 1 if y.ndim == 1 else y.shape[1]
    A = alphas.shape[0]
    fold_scores = []
    for k in range(K):
        tr, te = train_stats(folds, k), folds[k]
        G, Xy, _, scale = _standardised_moments(tr, fi, np.float64,
                                                params.get("standardize", False))
        lam, V = eigh(np.asfortranarray(G))
        if scale is not None:  # the fold's coefficients on the original scale
            V_back = scale[:, None] * V
        else:
            V_back = V
        W = V_back @ ((V.T @ Xy)[:, :, None] * shifted_inverse(lam, alphas)[:, None, :]
                 ).reshape(lam.shape[0], T * A)
        W = W.reshape(-1, T, A)
        r2 = np.zeros((T, A))
        for t in range(T):
            coef = W[:, t, :]                                    # (p, A)
            b = (tr.my[t] - tr.mx @ coef) if fi else np.zeros(A)
            sse = heldout_sse(te, coef, b, t)
            # r2_score (weighted when sample_weight was given): 1 - SSE / SST;
            # a constant held-out target scores 1 if predicted exactly, else 0
            # (scikit-learn's force_finite convention).
            sst = te.cyy[t]
            r2[t] = (1.0 - sse / sst) if sst > 0 else np.where(sse == 0, 1.0, 0.0)
        fold_scores.append(r2.mean(axis=0))
    mean_scores = np.mean(np.array(fold_scores), axis=0)
    best = first_best(mean_scores)
    alpha = float(alphas[best])
    # the final refit at alpha_ on all the data (as RidgeCV: a Ridge fit), from
    # the merged statistics: no further pass
    final = _ridge_from_stats(merge_all(folds), np.full(T, alpha), y.ndim, out_dtype(X),
                              fi, standardize=params.get("standardize", False))
    return FitResult(final.coef, final.intercept if fi else 0.0,
                     attributes={"alpha": alpha, "best_score": mean_scores[best],
                                 "gcv_mode": None})
