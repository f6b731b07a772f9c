"""The in-memory route of LassoIC and ElasticNetIC: one warm-started path on
all the data, the criteria along it (:mod:`fastreg._criteria`), the chosen
column (no refit); the noise variance by least squares, or from the held-out
errors of the fold engine (:mod:`fastreg._cv_folds`) when n_features >=
n_samples.
"""
import numbers

import numpy as np
from sklearn.model_selection import KFold, check_cv

from ._criteria import (active_union, cv_noise_variance, degrees_of_freedom, design_rss,
                        effective_sample_size, likelihood_rss, noise_floor,
                        ols_noise_variance, select)
from ._cv_folds import cv_mse_path
from ._enet_solver import make_penalty
from ._gram import gram_matrix
from ._path import alpha_grid, path_on_design
from ._penalty import resolve_box
from ._preprocess import preprocess
from ._result import FitResult, intercept_from_means
from ._selection import path_alphas


def _folds(noise_cv, X, y):
    """The noise estimate's folds: an integer K is K-fold with at most as many
    folds as samples (so that small data do not fail); a splitter is used as
    given. An empty list when fewer than 2 samples leave nothing to hold out."""
    if isinstance(noise_cv, numbers.Integral):
        if X.shape[0] < 2:
            return []
        noise_cv = KFold(min(int(noise_cv), X.shape[0]))
    return list(check_cv(noise_cv).split(X, y))


def _df_factors(penalty):
    """The L2 factors and the box (in the kernels' dtype) of the degrees of
    freedom (:func:`fastreg._criteria.degrees_of_freedom`), from a prepared
    penalty (None: the plain one)."""
    if penalty is None:
        return {}
    return dict(l2_factor=penalty.factors64[1], bounds=penalty.box)


def fit_ic(params, X, y, sample_weight, l1_ratio, eps, penalty_factor, col_sums=None):
    """LassoIC / ElasticNetIC on validated in-memory data: one path, the
    criteria along it, the chosen column. Returns a
    :class:`fastreg._result.FitResult`.

    ``params``: the estimator's parameters (validated), ``l1_ratio`` and
    ``eps`` checked, ``penalty_factor`` from ``check_penalty_factor``.
    """
    n, p = X.shape
    fi = params["fit_intercept"]
    n_eff = effective_sample_size(sample_weight, n)
    sigma2 = params["noise_variance"]
    use_cv = sigma2 is None and not n_eff > p + fi
    # the folds read the user's X, which an in-place centering would change
    design = preprocess(X, y, sample_weight, fi, copy_X=params["copy_X"] or use_cv,
                        normalize_weights=True, lazy=True, col_sums=col_sums)
    bounds, positive = resolve_box(params["lower_bounds"], params["upper_bounds"], p,
                                   params["positive"])
    penalty = make_penalty(design, penalty_factor, bounds, params["standardize"])
    alphas = path_alphas(params["alphas"], 100, lambda k: alpha_grid(
        design, l1_ratio, eps, k, positive, penalty))
    path_params = dict(tol=params["tol"], max_iter=params["max_iter"],
                       positive=positive, random_state=params["random_state"],
                       selection=params["selection"], precompute=params["precompute"],
                       penalty_factor=penalty_factor, lower_bounds=params["lower_bounds"],
                       upper_bounds=params["upper_bounds"],
                       standardize=params["standardize"])
    mse_path = None
    if use_cv:
        Xf = X.tocsr() if hasattr(X, "tocsr") else X  # row selection for the folds
        folds = _folds(params["noise_cv"], Xf, y)
        # a user's Gram matrix describes all the rows, not a fold's
        fold_params = (dict(path_params, precompute="auto")
                       if hasattr(params["precompute"], "shape") else path_params)
        if folds:
            mse_path = cv_mse_path(Xf, y, sample_weight, folds, alphas[None, :],
                                   [l1_ratio], fi, fold_params)[0]

    coefs, gaps, n_iters = path_on_design(design, alphas, l1_ratio, penalty=penalty,
                                          **path_params)
    union = active_union(coefs)
    sub = design.restrict(union)
    rss = likelihood_rss(design_rss(sub, coefs[union]), n, n_eff)
    gram_union = None
    if l1_ratio != 1.0 and union.size:
        gram_union = np.asarray(gram_matrix(sub), dtype=np.float64)
    df, nnz = degrees_of_freedom(coefs, alphas, l1_ratio, n, gram_union, union,
                                 penalty_factor, fi, **_df_factors(penalty))

    yt = np.asarray(design.y, dtype=np.float64)
    floor = noise_floor(yt @ yt / n)
    if sigma2 is None:
        if not use_cv:
            sigma2 = ols_noise_variance(design, n_eff, fi)
        elif mse_path is not None:
            sigma2 = cv_noise_variance(mse_path, rss, df, n_eff)
        else:  # nothing to hold out: the null model's residual variance
            sigma2 = yt @ yt / n
        sigma2 = max(sigma2, floor)

    intercepts = intercept_from_means(coefs.T, design.x_mean, design.y_mean, fi)
    j, attributes = select(alphas, coefs, intercepts, gaps, n_iters, rss, df, nnz, n_eff,
                           sigma2, params, l1_ratio, penalty_factor)
    coef = coefs[:, j].copy()
    return FitResult(coef, intercepts[j], n_iter=int(n_iters[j]),
                     dual_gap=float(gaps[j]), attributes=attributes)
