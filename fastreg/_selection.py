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


def best_cv_index(mse_path, rule, gammas=None):
    """The chosen l1_ratio and alpha of ElasticNetCV (and relaxation gamma) from
    held-out errors, the grids of alphas decreasing.

    Without ``gammas``: ``mse_path`` of shape (n_l1_ratio, n_alphas, n_folds),
    returns ``(i, j)``. With ``gammas`` (relaxed fits, :mod:`fastreg._relaxed`):
    ``mse_path`` of shape (n_l1_ratio, n_gammas, n_alphas, n_folds), returns
    ``(i, g, j)``; the plain fit is the case of a single ``gamma = 1``.

    ``rule='min'``: the smallest mean error; on ties the first l1_ratio, then
    the largest alpha, then the largest gamma (scikit-learn's rule, extended
    as glmnet's ``cv.relaxed`` breaks ties: the sparsest, most shrunk model).
    ``'1se'``: for that l1_ratio, among the (gamma, alpha) pairs whose mean
    error is within one standard error of the minimum's (``std / sqrt(n_folds)``
    of the minimum's fold errors), the largest alpha, then the largest gamma
    (glmnet's ``lambda.1se`` and, for relaxed fits, ``gamma.1se``): the
    sparsest model the folds cannot tell from the best.
    """
    relaxed = gammas is not None
    errors = mse_path if relaxed else mse_path[:, np.newaxis]
    gammas = np.asarray(gammas, dtype=np.float64) if relaxed else np.ones(1)
    mean = errors.mean(axis=3)
    # NaN errors (a diverged fold) rank last
    best = np.inf if np.all(np.isnan(mean)) else np.nanmin(mean)
    i, g, j = _first_pair((mean <= best) | (np.isnan(mean) & np.isinf(best)), gammas)
    if rule == "1se":
        n_folds = errors.shape[3]
        se = (errors[i, g, j].std(ddof=1) / np.sqrt(n_folds)) if n_folds > 1 else 0.0
        within = np.zeros(mean.shape, dtype=bool)
        within[i] = mean[i] <= mean[i, g, j] + se
        i, g, j = _first_pair(within, gammas)
    return (i, g, j) if relaxed else (i, j)


def _first_pair(mask, gammas):
    """The entry of ``mask`` (n_l1_ratio, n_gammas, n_alphas) that comes first in
    the order: l1_ratio first, alpha largest (grids decrease: smallest index),
    gamma largest (first of equal gammas)."""
    i, g, j = np.nonzero(mask)
    first = np.lexsort((g, -gammas[g], j, i))[0]
    return int(i[first]), int(g[first]), int(j[first])
