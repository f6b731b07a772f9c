"""LassoIC / ElasticNetIC on Dask arrays, from one pass of sufficient
statistics: the path is the Gram-mode path of :mod:`fastreg._dask.enet`, the
residual sums of squares are quadratic forms in the statistics
(:func:`fastreg._criteria.moments_rss`), the degrees of freedom come from the
Gram matrix's active block and the least-squares noise variance from the
Gram matrix itself. The weights' sums for the effective sample size are
reduced in the same pass.

This route's regime is n_samples >> n_features: when ``n_eff <= n_features +
fit_intercept`` the noise variance must be given (the cross-validation
estimate would need the fold paths of the in-memory route).
"""
import numpy as np

from .._criteria import (active_union, degrees_of_freedom, kish_size, least_squares_from_gram,
                         likelihood_rss, moments_rss, noise_floor, select)
from .._penalty import check_penalty_factor, resolve_box
from .._result import FitResult
from .._selection import path_alphas
from .enet import _GramProblem
from .stats import (align, check_gram_size, check_stats, compute, features_seen, intercept,
                    out_dtype, stats_graph)


def _weight_sums(sw):
    """Delayed ``(sum w, sum w^2, count of w > 0, min of positive w, max w)``."""
    import dask.array as da

    pos = sw > 0
    return (sw.sum(), (sw * sw).sum(), pos.sum(), da.where(pos, sw, np.inf).min(),
            sw.max())


def fit_ic_dask(params, X, y, sample_weight, l1_ratio, eps):
    """:meth:`fastreg.ElasticNetIC.fit` (and LassoIC) on Dask arrays.

    ``params``: the estimator's parameters (validated by it), with its
    ``l1_ratio`` and ``eps``. Returns a :class:`fastreg._result.FitResult`.
    """
    X, y, sw, _ = align(X, y, sample_weight)
    if y.ndim != 1:
        raise ValueError(f"y must be 1-D for this estimator, got shape {y.shape}.")
    name = "LassoIC" if l1_ratio == 1.0 else "ElasticNetIC"
    check_gram_size(X, name)
    n, p = X.shape
    pf = check_penalty_factor(params["penalty_factor"], p, params["positive"])
    bounds, positive = resolve_box(params["lower_bounds"], params["upper_bounds"], p,
                                   params["positive"])
    dtype = out_dtype(X)
    if sw is None:
        (st,) = compute(stats_graph(X, y, None))
        check_stats(st)
        n_eff = float(n)
    else:
        st, sums = compute(stats_graph(X, y, sw), _weight_sums(sw))
        check_stats(st)
        W, W2, n_pos, lo, hi = sums
        n_eff = kish_size(W, W2, n_pos, lo == hi)
    fi = params["fit_intercept"]
    sigma2 = params["noise_variance"]
    if sigma2 is None and not n_eff > p + fi:
        raise ValueError(
            f"{name} on Dask input estimates the noise variance by least squares, which "
            f"needs n_eff > n_features + fit_intercept (n_eff={n_eff:.6g}, "
            f"n_features={p}): pass noise_variance, or fit in memory (cross-validation "
            "estimate).")

    problem = _GramProblem(st, fi, dtype, pf, bounds, params["standardize"])
    alphas = path_alphas(params["alphas"], 100, lambda k: problem.alpha_grid(
        l1_ratio, eps, k, positive))
    coefs, gaps, n_iters = problem.path(alphas, l1_ratio, dict(params, positive=positive),
                                        4)
    # the in-memory route's coefficients are in the data's dtype: so are these
    coefs = coefs.astype(dtype).astype(np.float64)
    G, Xy, yy = problem.G, problem.Xy[:, 0], float(problem.yy[0])
    rss = likelihood_rss(moments_rss(G, Xy, yy, coefs), n, n_eff)
    union = active_union(coefs)
    # the box as the coefficients are compared: in the data's dtype
    factors = {} if problem.penalty is None else dict(
        l2_factor=problem.penalty.factors64[1],
        bounds=None if bounds is None else tuple(b.astype(dtype) for b in bounds))
    df, nnz = degrees_of_freedom(coefs, alphas, l1_ratio, n,
                                 np.asarray(G[np.ix_(union, union)], dtype=np.float64),
                                 union, pf, fi, **factors)
    if sigma2 is None:
        b, rank = least_squares_from_gram(G, Xy)
        rss_ols = likelihood_rss(max(yy - b @ Xy, 0.0), n, n_eff)
        sigma2 = max(float(rss_ols) / (n_eff - rank - fi), noise_floor(yy / n))

    coefs = coefs.astype(dtype)
    intercepts = intercept(st, coefs.T, fi, 2)
    j, attributes = select(alphas, coefs, intercepts, gaps, n_iters, rss, df, nnz, n_eff,
                           sigma2, params, l1_ratio, pf)
    coef = coefs[:, j].copy()
    return FitResult(coef, intercepts[j], n_iter=int(n_iters[j]),
                     dual_gap=float(gaps[j]), attributes={**attributes,
                                                          **features_seen(X)})
