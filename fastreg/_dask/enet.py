"""The Elastic-Net family on Dask arrays: ElasticNet / Lasso, ``enet_path``,
ElasticNetCV / LassoCV, from one pass of sufficient statistics.

Every solve is the in-memory route's Gram-mode solve
(:func:`fastreg._enet_solver.solve_enet_gram`) on the statistics in its
units: weights normalised to sum to n_samples, i.e. ``G``, ``Xy`` and ``yy``
scaled by ``n / W`` (:func:`gram_units`). Cross-validation computes per-fold
statistics in the same single pass: the training statistics of fold k are the
merge of the other folds', the held-out error of a path is a quadratic form in
fold k's, and the refit uses the merge of all: no further pass over the data.
When the Gram matrix would be too large the fit goes to consensus ADMM
(:mod:`fastreg._dask.admm`).
"""

import numpy as np
from sklearn.model_selection import check_cv
from sklearn.utils import check_random_state

from .._enet_solver import gram_penalty, solve_enet_gram, warm_started_path
from .._penalty import check_penalty_factor, resolve_box
from .._relaxed import active_union, blend, refits_on_gram
from .._result import ABSENT, FitResult
from .._selection import (alpha_grid_from_max, alpha_max_from_correlations, best_cv_index,
                          cv_grids, path_alphas)
from .._validation import check_finite_fit, check_grid_l1_ratio
from .stats import (align, centred_moments, check_gram_size, compute_stats, features_seen,
                    fits_gram, fold_labels, heldout_sse, intercept, merge_all, out_dtype,
                    train_stats)


class _GramProblem:
    """Statistics in :func:`solve_enet_gram`'s units (:func:`gram_units`), and the
    penalty factors prepared for them (:meth:`fastreg._penalty.Penalty.from_gram`).

    ``stacklevel`` arguments: the ConvergenceWarning's, as if the method itself
    called ``warnings.warn``.
    """

    def __init__(self, st, fit_intercept, dtype, penalty_factor, bounds=None,
                 standardize=False):
        self.G, self.Xy, self.yy = gram_units(st, fit_intercept, dtype)
        self.n = st.n
        self.penalty = gram_penalty(self.G, self.n, penalty_factor, bounds, standardize)

    def solve(self, coef, alpha, l1_ratio, seed, params, stacklevel, target=0):
        """Solve for one target in place at ``alpha``; returns (gap, n_iter)."""
        kw = None if self.penalty is None else self.penalty.kernel_args(gram=self.G)
        return solve_enet_gram(
            self.G, np.ascontiguousarray(self.Xy[:, target]), float(self.yy[target]), coef,
            alpha, l1_ratio, self.n, tol=params["tol"], max_iter=params["max_iter"],
            positive=params["positive"], seed=seed, random=params["selection"] == "random",
            kernel_args=kw, stacklevel=stacklevel + 1)

    def alpha_grid(self, l1_ratio, eps, n_alphas, positive):
        """:func:`fastreg._path.alpha_grid` from the statistics (first target)."""
        check_grid_l1_ratio(l1_ratio)
        Xty = self.Xy[:, 0]
        if self.penalty is not None:
            # as fastreg._path.alpha_max: entry correlations, signed max
            Xty, positive = self.penalty.entry_correlations(Xty, positive), True
        return alpha_grid_from_max(
            alpha_max_from_correlations(Xty, self.n, l1_ratio, positive), eps, n_alphas)

    def path(self, alphas, l1_ratio, params, stacklevel, coef_init=None):
        """Warm-started path along ``alphas`` (order kept), as
        :func:`fastreg._path.path_on_design`: (coefs (p, A), gaps, n_iters)."""
        coef = np.zeros(self.G.shape[0])
        if coef_init is not None:
            coef[:] = coef_init
        # solve's frame is three below this one (lambda, warm_started_path)
        return warm_started_path(
            lambda w, alpha, seed: self.solve(w, alpha, l1_ratio, seed, params,
                                              stacklevel + 3),
            alphas, coef, params["random_state"])


    def refits(self, coefs, positive, bounds=None):
        """The least-squares refits of a path on its active sets
        (:mod:`fastreg._relaxed`) from the statistics, within the constraints
        (``positive``, the box ``bounds``): (p, n_alphas), float64."""
        U = active_union(coefs)
        out = np.zeros(coefs.shape)
        out[U] = refits_on_gram(self.G[np.ix_(U, U)], self.Xy[U, 0], coefs[U], positive,
                                None if bounds is None else (bounds[0][U], bounds[1][U]))
        return out


def gram_units(st, fit_intercept, dtype):
    """``(G Fortran, Xy, yy)`` in :func:`fastreg._enet_solver.solve_enet_gram`'s
    units: the statistics of weights normalised to sum to n (scaled by n / W),
    constant columns zeroed."""
    G, Xy, yy = centred_moments(st, fit_intercept, dtype, scale=st.n / st.W)
    return np.asfortranarray(G), Xy, yy


def fit_enet_dask(params, X, y, sample_weight=None, coef_init=None):
    """:meth:`fastreg.ElasticNet.fit` (and Lasso) on Dask arrays.

    ``params``: the estimator's parameters, ``alpha`` and ``l1_ratio``
    validated; ``coef_init``: the previous ``coef_`` for ``warm_start``.
    Returns a :class:`fastreg._result.FitResult`.
    """
    X, y, sw, _ = align(X, y, sample_weight)
    dtype = out_dtype(X)
    p = X.shape[1]
    pf = check_penalty_factor(params["penalty_factor"], p, params["positive"])
    bounds, positive = resolve_box(params.get("lower_bounds"), params.get("upper_bounds"),
                                   p, params["positive"])
    standardize = params.get("standardize", False)
    if not fits_gram(p):
        for name, given in (("penalty_factor", pf is not None),
                            ("lower_bounds/upper_bounds", bounds is not None),
                            ("standardize", standardize)):
            if given:
                raise ValueError(f"{name} is not supported by the wide (ADMM) route "
                                 f"of Dask input (n_features={p}).")
        from .admm import fit_enet_admm
        return fit_enet_admm(params, X, y, sw)
    params = dict(params, positive=positive)
    st = compute_stats(X, y, sw)
    problem = _GramProblem(st, params["fit_intercept"], dtype, pf, bounds, standardize)
    T = st.my.shape[0]
    coef = np.zeros((T, p))
    if coef_init is not None and np.atleast_2d(coef_init).shape == coef.shape:
        coef[:] = np.atleast_2d(coef_init)
    rng = check_random_state(params["random_state"])
    gaps, n_iters = np.zeros(T), []
    for k in range(T):
        seed = int(rng.randint(np.iinfo(np.int32).max))
        gaps[k], it = problem.solve(coef[k], params["alpha"], params["l1_ratio"], seed,
                                    params, stacklevel=4, target=k)
        n_iters.append(it)
    single = T == 1  # scikit-learn's rule, also for y of shape (n, 1)
    coef = (coef[0] if single else coef).astype(dtype, copy=False)
    b = intercept(st, coef, params["fit_intercept"], y.ndim)
    check_finite_fit(coef, b)
    return FitResult(coef, b, n_iter=n_iters[0] if single else n_iters,
                     dual_gap=dtype.type(gaps[0]) if single else gaps.astype(dtype),
                     attributes=features_seen(X))


def dask_path_problem(X, y, sample_weight, fit_intercept, penalty_factor, positive,
                      bounds=None, standardize=False):
    """One pass over Dask (X, y) for a 1-D path: ``(problem, stats, dtype)``, the
    :class:`_GramProblem` every solve of the path runs on, the statistics
    (their means give the intercepts) and the dtype of the results. ``bounds``:
    the box resolved by :func:`fastreg._penalty.resolve_box` (None: no box)."""
    X, y, sw, _ = align(X, y, sample_weight)
    if y.ndim != 1:
        raise ValueError(f"y must be 1-D for a path, got shape {y.shape}.")
    check_gram_size(X, "enet_path")
    pf = check_penalty_factor(penalty_factor, X.shape[1], positive)
    st = compute_stats(X, y, sw)
    dtype = out_dtype(X)
    return _GramProblem(st, fit_intercept, dtype, pf, bounds, standardize), st, dtype


def dask_path(X, y, *, l1_ratio, eps, n_alphas, alphas, coef_init, positive, tol, max_iter,
              random_state, selection, fit_intercept, sample_weight, penalty_factor,
              stacklevel, lower_bounds=None, upper_bounds=None, standardize=False):
    """The warm-started path on Dask arrays (parameters validated by the caller):
    one pass for the statistics, then the whole path on the client.
    ``stacklevel``: the ConvergenceWarning's, as if this function called
    ``warnings.warn``.

    Returns ``(alphas, coefs, gaps, n_iters, problem, stats)``: the path in
    the data's dtype, the :class:`_GramProblem` it was solved on (further
    solves need no pass over the data) and the statistics (their means give
    the intercepts, :func:`fastreg._dask.stats.intercept`).
    """
    bounds, positive = resolve_box(lower_bounds, upper_bounds, X.shape[1], positive)
    problem, st, dtype = dask_path_problem(X, y, sample_weight, fit_intercept,
                                           penalty_factor, positive, bounds, standardize)
    alphas = path_alphas(alphas, n_alphas,
                         lambda n: problem.alpha_grid(l1_ratio, eps, n, positive))
    params = dict(tol=tol, max_iter=max_iter, positive=positive, selection=selection,
                  random_state=random_state)
    coefs, gaps, n_iters = problem.path(alphas, l1_ratio, params, stacklevel + 1, coef_init)
    return alphas, coefs.astype(dtype, copy=False), gaps, n_iters, problem, st


def dask_enet_path(X, y, *, l1_ratio, eps, n_alphas, alphas, coef_init, return_n_iter,
                   positive, tol, max_iter, random_state, selection, fit_intercept,
                   sample_weight, penalty_factor, lower_bounds=None, upper_bounds=None,
                   standardize=False):
    """:func:`fastreg.enet_path` on Dask arrays (parameters validated by it):
    :func:`dask_path` (same grid, objective and returns)."""
    alphas, coefs, gaps, n_iters, _, _ = dask_path(
        X, y, l1_ratio=l1_ratio, eps=eps, n_alphas=n_alphas, alphas=alphas,
        coef_init=coef_init, positive=positive, tol=tol, max_iter=max_iter,
        random_state=random_state, selection=selection, fit_intercept=fit_intercept,
        sample_weight=sample_weight, penalty_factor=penalty_factor, stacklevel=4,
        lower_bounds=lower_bounds, upper_bounds=upper_bounds, standardize=standardize)
    if return_n_iter:
        return alphas, coefs, gaps, n_iters
    return alphas, coefs, gaps


def fit_enet_cv_dask(params, X, y, sample_weight, l1_ratios, eps, gammas=None):
    """:meth:`fastreg.ElasticNetCV.fit` (and LassoCV) on Dask arrays: one pass of
    per-fold statistics serves the grid, every fold's path, the held-out errors
    and the final refit.

    ``params``: the estimator's parameters (validated by it), with its
    ``l1_ratios``, ``eps`` and ``gammas`` (None without ``relax``). The relaxed
    fits' least-squares refits solve the same normal equations on the fold's
    statistics as the in-memory route on its design (:mod:`fastreg._relaxed`).
    Returns a :class:`fastreg._result.FitResult`.
    """
    X, y, sw, _ = align(X, y, sample_weight)
    if y.ndim != 1:
        raise ValueError(f"y must be 1-D for this estimator, got shape {y.shape}.")
    check_gram_size(X, "ElasticNetCV")
    pf = check_penalty_factor(params["penalty_factor"], X.shape[1], params["positive"])
    bounds, positive = resolve_box(params.get("lower_bounds"), params.get("upper_bounds"),
                                   X.shape[1], params["positive"])
    standardize = params.get("standardize", False)
    params = dict(params, positive=positive)
    dtype = out_dtype(X)
    labels, K = fold_labels(check_cv(params["cv"]), X.shape[0])
    folds = compute_stats(X, y, sw, labels, K)
    full = merge_all(folds)
    fi = params["fit_intercept"]
    problem = _GramProblem(full, fi, dtype, pf, bounds, standardize)
    # ElasticNetCV's grids: one per l1_ratio from all the data, or the given alphas
    grids, explicit = cv_grids(params["alphas"], l1_ratios, lambda r, n: problem.alpha_grid(
        r, eps, n, params["positive"]))
    train = [train_stats(folds, k) for k in range(K)]
    problems = [_GramProblem(tr, fi, dtype, pf, bounds, standardize) for tr in train]
    positive = params["positive"]

    def as_scored(coefs):
        # coefficients in the data's dtype, as the in-memory CV scores them
        return coefs.astype(dtype).astype(np.float64)

    # what exact refits of a path need (fastreg.RegularizationPath's params)
    refit_params = dict(tol=params["tol"], max_iter=params["max_iter"],
                        positive=params["positive"], penalty_factor=pf,
                        precompute=params["precompute"], selection=params["selection"],
                        random_state=params["random_state"],
                        lower_bounds=None if bounds is None else bounds[0],
                        upper_bounds=None if bounds is None else bounds[1],
                        standardize=standardize)
    kept = [[None] * K for _ in l1_ratios]  # the fold paths, with keep_fold_paths

    def fold_path(i, k, solved):
        if params.get("keep_fold_paths"):
            coefs = solved[0].astype(dtype, copy=False)
            kept[i][k] = dict(alphas=grids[i], coefs=coefs,
                              intercepts=intercept(train[k], coefs.T, fi, 1),
                              dual_gaps=solved[1], n_iters=solved[2], l1_ratio=l1_ratios[i],
                              fit_intercept=fi, params=refit_params)
        return solved[0]

    mses = []
    if gammas is None:
        for i, r in enumerate(l1_ratios):
            for k in range(K):
                coefs = fold_path(i, k, problems[k].path(grids[i], r, params, 4))
                # held out as the in-memory CV scores them, intercepts from the
                # training fold's means
                coefs = as_scored(coefs)
                b = intercept(train[k], coefs.T, fi, 2)
                mses.append(heldout_sse(folds[k], coefs, b) / folds[k].W)
    else:
        # as the in-memory route: one fold's paths (one per l1_ratio) share
        # their refits (bit-identical for equal active sets)
        by_fold = []
        for k in range(K):
            paths = []
            for i, r in enumerate(l1_ratios):  # a loop: the warnings' stacklevel
                paths.append(as_scored(fold_path(i, k, problems[k].path(grids[i], r,
                                                                         params, 4))))
            coefs = np.concatenate(paths, axis=1)
            b = intercept(train[k], coefs.T, fi, 2)
            refits = as_scored(problems[k].refits(coefs, positive, bounds))
            b_refit = intercept(train[k], refits.T, fi, 2)
            by_fold.append(np.array([
                heldout_sse(folds[k], blend(g, coefs, refits), blend(g, b, b_refit))
                / folds[k].W for g in gammas]).reshape(len(gammas), len(l1_ratios), -1))
        mses = [by_fold[k][:, i] for i in range(len(l1_ratios)) for k in range(K)]
    if gammas is None:
        mse_path = np.array(mses).reshape(len(l1_ratios), K, -1).transpose(0, 2, 1)
        i_best, j_best = best_cv_index(mse_path, params["alpha_rule"])
    else:
        mse_path = np.array(mses).reshape(len(l1_ratios), K, len(gammas), -1).transpose(
            0, 2, 3, 1)
        i_best, g_best, j_best = best_cv_index(mse_path, params["alpha_rule"], gammas)
    alpha, l1_ratio = float(grids[i_best, j_best]), l1_ratios[i_best]

    # the whole data's path on the chosen grid (path_), from the same statistics,
    # as the arguments of a fastreg.RegularizationPath, which the estimator
    # builds (the path object's own Dask route imports this module)
    path = ABSENT
    if params.get("store_path", True):
        coefs, gaps, n_iters = problem.path(grids[i_best], l1_ratio, params, 4)
        coefs = coefs.astype(dtype, copy=False)
        path = dict(alphas=grids[i_best], coefs=coefs,
                    intercepts=intercept(full, coefs.T, fi, 1), dual_gaps=gaps,
                    n_iters=n_iters, l1_ratio=l1_ratio, fit_intercept=fi,
                    params=refit_params)
    # the refit on all the data at alpha_, cold as in memory
    coef = np.zeros(X.shape[1])
    seed = int(check_random_state(params["random_state"]).randint(np.iinfo(np.int32).max))
    gap, it = problem.solve(coef, alpha, l1_ratio, seed, params, stacklevel=4)
    coef = coef.astype(dtype)
    b = intercept(full, coef, fi, 1)
    relaxed = dict.fromkeys(("gamma", "gammas", "coef_penalized", "intercept_penalized"),
                            ABSENT)
    if gammas is not None:
        gamma = float(gammas[g_best])
        refit = problem.refits(coef[:, np.newaxis].astype(np.float64), positive, bounds)[:, 0]
        refit = refit.astype(dtype)
        relaxed = {"gamma": gamma, "gammas": gammas, "coef_penalized": coef,
                   "intercept_penalized": b}
        coef = blend(gamma, coef, refit)
        b = blend(gamma, b, intercept(full, refit, fi, 1))
    single = np.ndim(params["l1_ratio"]) == 0
    # scikit-learn's shapes: one grid per l1_ratio when computed, the given
    # alphas once when explicit (as ElasticNetCV.fit)
    return FitResult(coef, b, n_iter=it, dual_gap=dtype.type(gap),
                     attributes={"alpha": alpha, "l1_ratio": l1_ratio,
                                 "mse_path": mse_path[0] if single else mse_path,
                                 "alphas": grids[0] if (single or explicit) else grids,
                                 "path": path,
                                 "fold_paths": kept if params.get("keep_fold_paths")
                                 else ABSENT, **relaxed,
                                 **features_seen(X)})
