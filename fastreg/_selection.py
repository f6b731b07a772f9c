"""Choosing the penalty: the automatic alpha grid, and the pick from scores.

Shared by the in-memory estimators and the Dask route (:mod:`fastreg._dask`),
which differ only in where the correlations and the held-out errors come from
(a preprocessed design, or sufficient statistics).
"""
import numbers

import numpy as np

from ._validation import check_alpha_values, check_int

_RESOLUTION = np.finfo(np.float64).resolution


def alpha_max_from_correlations(Xty, n, l1_ratio, positive):
    """Smallest alpha at which every coefficient is zero: ``max_j |Xty_j| / (n
    l1_ratio)``, with ``Xty`` the correlations ``Xt^T yt`` of the centred
    design and target (weights normalised to sum to ``n``; with penalty factors
    only the penalised features', divided by their factors). With
    ``positive`` the signed maximum, clipped at 0: a negative correlation
    never makes a non-negative coefficient enter.
    """
    Xty = np.asarray(Xty, dtype=np.float64)
    top = max(0.0, Xty.max(initial=0.0)) if positive else np.abs(Xty).max(initial=0.0)
    return float(top / (n * l1_ratio))


def alpha_grid_from_max(alpha_max, eps, n_alphas):
    """Decreasing geometric grid from ``alpha_max`` down to ``eps * alpha_max``,
    scikit-learn's, so that cross-validation picks the same alpha. When
    alpha_max vanishes (y constant, or orthogonal to X) every alpha is the
    float64 resolution, as scikit-learn does: a grid of zeros would ask for an
    unpenalised fit.
    """
    if alpha_max <= _RESOLUTION:
        return np.full(n_alphas, _RESOLUTION)
    return np.geomspace(alpha_max, alpha_max * eps, num=n_alphas)


def path_alphas(alphas, n_alphas, grid):
    """The alphas of a path (``enet_path``'s ``alphas`` and ``n_alphas``):
    ``grid(n)``, the automatic grid of ``n`` alphas, when ``alphas`` is None
    (``n = n_alphas``) or an integer (``n = alphas``); otherwise the given
    alphas, checked, in decreasing order (warm starts go from sparse to dense).
    """
    if alphas is None or isinstance(alphas, numbers.Integral):
        return grid(check_int(n_alphas if alphas is None else alphas, "n_alphas", low=1))
    return decreasing_alphas(alphas)


def decreasing_alphas(alphas):
    """Given alphas, checked entry by entry, in decreasing order (warm starts go
    from sparse to dense)."""
    return np.sort(check_alpha_values(alphas, "alphas"))[::-1]


def cv_grids(alphas, l1_ratios, grid):
    """ElasticNetCV's alphas, one row per l1_ratio: ``grid(l1_ratio, n)``, the
    automatic grid of ``n`` alphas, when ``alphas`` is an integer ``n``;
    otherwise the given alphas (:func:`decreasing_alphas`) for every l1_ratio.

    Returns ``(grids, explicit)``: an array of shape (n_l1_ratio, n_alphas), and
    whether the alphas were given (scikit-learn then reports them once).
    """
    if isinstance(alphas, numbers.Integral) and not isinstance(alphas, bool):
        n = check_int(alphas, "alphas", low=1)
        return np.array([grid(r, n) for r in l1_ratios]), False
    return np.tile(decreasing_alphas(alphas), (len(l1_ratios), 1)), True


def first_best(scores):
    """Index of the largest score, the first one on ties (the alphas are tried in
    the order given); NaN ranks last."""
    scores = np.asarray(scores, dtype=float)
    if np.all(np.isnan(scores)):
        return 0
    return int(np.nanargmax(scores))


def choose_alphas(scores, alphas, per_target, n_targets):
    """RidgeCV's choice among ``alphas`` from scores (greater is better).

    ``per_target``: ``scores`` of shape (n_targets, n_alphas), one alpha per
    target; otherwise of shape (n_alphas,), one alpha for all targets.
    Returns ``(alpha_, best_score_, chosen)``: the fitted attributes and the
    alpha of every target, shape (n_targets,).
    """
    if per_target:
        best = np.array([first_best(row) for row in scores])
        return alphas[best], scores[np.arange(len(best)), best], alphas[best]
    best = first_best(scores)
    return float(alphas[best]), scores[best], np.full(n_targets, alphas[best])


def best_cv_index(mse_path, rule):
    """``(i, j)``: the chosen l1_ratio and alpha of ElasticNetCV from held-out
    errors ``mse_path`` of shape (n_l1_ratio, n_alphas, n_folds), the grids of
    alphas decreasing.

    ``rule='min'``: the smallest mean error (the first on ties, scikit-learn's
    rule). ``'1se'``: for that l1_ratio, the largest alpha whose mean error is
    within one standard error of the minimum (glmnet's ``lambda.1se``): the
    sparsest model the folds cannot tell from the best.
    """
    mean = mse_path.mean(axis=2)
    i_best, j_best = np.unravel_index(np.argmin(mean), mean.shape)
    if rule == "1se":
        n_folds = mse_path.shape[2]
        se = (mse_path[i_best].std(axis=1, ddof=1) / np.sqrt(n_folds) if n_folds > 1
              else np.zeros(mean.shape[1]))
        within = np.flatnonzero(mean[i_best] <= mean[i_best, j_best] + se[j_best])
        j_best = within.min()  # grids decrease: the smallest index is the largest alpha
    return i_best, j_best
