"""Cross-validated Elastic-Net and Lasso: pick alpha (and l1_ratio) on a path.

For each l1_ratio and each fold, one warm-started path is solved on the
training part (centred and weighted with the training part's own statistics)
and scored on the held-out part; folds run in parallel threads (the kernels
release the GIL). The model is then refitted on all the data at the chosen
alpha, and the whole data's path on the chosen grid is kept as ``path_``.

With ``relax=True`` each path is also scored blended with its least-squares
refits on the active sets (:mod:`fastreg._relaxed`: Meinshausen 2007, glmnet's
``relax=TRUE``), and CV picks the relaxation weight ``gamma`` too.
"""
import functools

import numpy as np
from sklearn.model_selection import check_cv
from sklearn.utils.metadata_routing import MetadataRouter, MethodMapping, process_routing

from ._base import LinearRegressorBase
from ._coordinate_descent import ElasticNet
from ._cv_folds import cv_mse_path
from ._enet_solver import make_penalty
from ._dask import is_dask_collection
from ._path import alpha_grid, enet_path, lasso_path
from ._penalty import check_penalty_factor, resolve_box
from ._relaxed import blend, least_squares_refits
from ._result import ABSENT, FitResult, intercept_from_means
from ._preprocess import preprocess
from ._regularization_path import REFIT_DEFAULTS, RegularizationPath, path_from_design
from ._selection import best_cv_index, cv_grids
from ._validation import (check_bool, check_choice, check_fit_params, check_gammas,
                          check_int, check_real, check_sample_weight, routing_enabled)

#: glmnet's default relaxation weights (``cv.glmnet(relax=TRUE)``'s ``gamma``).
DEFAULT_GAMMAS = (0.0, 0.25, 0.5, 0.75, 1.0)


class LinearModelCVMixin:
    """What the cross-validated estimators share with scikit-learn's
    LinearModelCV: the l1_ratio list and the routing of fit's metadata to the
    splitter."""

    def _l1_ratios(self):
        """The l1_ratio parameter as a checked list of floats in [0, 1]."""
        ratios = np.atleast_1d(np.asarray(self.l1_ratio, dtype=object))
        if ratios.ndim != 1 or ratios.size == 0:
            raise ValueError("l1_ratio must be a float or a non-empty list of floats.")
        return [check_real(r, "l1_ratio", low=0.0, high=1.0) for r in ratios]

    def _folds(self, X, y, sample_weight, params):
        """The (train, test) index pairs of ``cv``, with fit's metadata (e.g.
        ``groups``) routed to the splitter when routing is enabled."""
        split_params = {}
        if routing_enabled():
            routed = process_routing(self, "fit", sample_weight=sample_weight, **params)
            split_params = routed.splitter.split
        return list(check_cv(self.cv).split(X, y, **split_params))

    def get_metadata_routing(self):
        """Metadata routing of this estimator: ``fit`` routes metadata (e.g.
        ``groups``) to the splitter's ``split``, as scikit-learn's LinearModelCV.

        Returns
        -------
        routing : sklearn.utils.metadata_routing.MetadataRouter
        """
        return (MetadataRouter(owner=self)
                .add_self_request(self)
                .add(splitter=check_cv(self.cv),
                     method_mapping=MethodMapping().add(caller="fit", callee="split")))


class ElasticNetCV(LinearModelCVMixin, LinearRegressorBase):
    """Elastic-Net with alpha (and l1_ratio) chosen by cross-validation.

    Same parameters, objective and fitted attributes as
    :class:`sklearn.linear_model.ElasticNetCV`, solved by fastreg's kernels.

    Parameters
    ----------
    l1_ratio : float or list of float, default=0.5
        Elastic-Net mixing parameter(s) in [0, 1] to search over.
    eps : float, default=1e-3
        ``alpha_min / alpha_max`` of the automatic grid.
    alphas : int or array-like, default=100
        Number of alphas of the automatic grid (one grid per l1_ratio, from
        the whole data), or explicit alphas.
    fit_intercept : bool, default=True
        Whether to fit an intercept.
    precompute : bool, 'auto' or array-like, default='auto'
        Gram mode for the paths and the refit (see :class:`fastreg.ElasticNet`).
    max_iter : int, default=1000
        Maximum number of epochs per alpha.
    tol : float, default=1e-4
        Duality-gap tolerance (scikit-learn's meaning).
    cv : int, cross-validation generator or iterable, default=None
        As in scikit-learn: None means 5-fold.
    copy_X : bool, default=True
        If False, X may be centred in place for the final refit (not with
        ``relax=True``: the least-squares refit reads X after it).
    verbose : bool or int, default=0
        Unused; accepted for compatibility.
    n_jobs : int, default=None
        Threads running the folds in parallel (None means 1, -1 all cores).
    positive : bool, default=False
        Constrain the coefficients to be non-negative.
    random_state : int, RandomState instance or None, default=None
        Seed of the coordinate selection when ``selection='random'``.
    selection : {'cyclic', 'random'}, default='cyclic'
        Coordinate selection rule.
    alpha_rule : {'min', '1se'}, default='min'
        'min' picks the alpha with the smallest mean held-out error
        (scikit-learn's rule); '1se' picks the largest alpha whose mean error
        is within one standard error of that minimum (glmnet's
        ``lambda.1se``), for the chosen l1_ratio.
    penalty_factor : array-like of shape (n_features,), default=None
        Per-feature penalty factors (0: unpenalised), used in every fold, in
        the alpha grid and in the refit; see :class:`fastreg.ElasticNet`.
    lower_bounds, upper_bounds : float or array-like of shape (n_features,), \
            default=None
        Limits of the coefficients (``lower <= 0 <= upper``), in every fold,
        the alpha grid and the refit; see :class:`fastreg.ElasticNet`.
    standardize : bool, default=False
        glmnet's standardisation, each fold's columns scaled by that fold's
        standard deviations; see :class:`fastreg.ElasticNet`.
    relax : bool, default=False
        Relaxed fits (Meinshausen 2007, "Relaxed Lasso"; glmnet's
        ``relax=TRUE``, Hastie, Tibshirani & Tibshirani 2020): at each alpha
        the model ``gamma * w_pen + (1 - gamma) * w_ols``, with ``w_ols`` the
        unpenalised least-squares refit on the support of the penalised
        ``w_pen`` (within the same constraints: non-negative with
        ``positive``, in ``[lower_bounds, upper_bounds]`` with a box;
        standardisation does not change it; intercept likewise), and
        cross-validation chooses ``gamma`` among ``gammas`` with alpha (and
        l1_ratio). ``alpha_rule`` applies to the (gamma, alpha) pairs; see
        the user guide, "Choosing alpha".
    gammas : array-like of shape (n_gammas,), default=(0, 0.25, 0.5, 0.75, 1)
        Relaxation weights in [0, 1] tried with ``relax=True`` (1: the
        penalised fit, 0: the least-squares refit on its support); glmnet's
        default. Checked even when ``relax=False``.
    store_path : bool, default=True
        Solve the whole data's path on the chosen grid and keep it as
        ``path_`` (one more warm-started path, about one fold's cost; False
        skips it, e.g. in a loop of many fits).
    keep_fold_paths : bool, default=False
        Keep every fold's (penalised) path as ``fold_paths_``, each fitted on
        that fold's training part.

    Attributes
    ----------
    alpha_ : float
        The chosen penalty strength.
    l1_ratio_ : float
        The chosen mixing parameter.
    coef_ : ndarray of shape (n_features,)
        Coefficients of the model refitted on all the data.
    intercept_ : float
        Intercept of the refitted model.
    mse_path_ : ndarray of shape (n_l1_ratio, n_alphas, n_folds)
        Held-out mean squared errors (the first axis is dropped for a single
        l1_ratio). With ``relax=True``: of shape (n_l1_ratio, n_gammas,
        n_alphas, n_folds), the first axis dropped likewise.
    alphas_ : ndarray of shape (n_l1_ratio, n_alphas) or (n_alphas,)
        The grid(s) of alphas, decreasing: one per l1_ratio when computed
        (the first axis dropped for a single l1_ratio), the given alphas once
        when explicit.
    dual_gap_ : float
        Duality gap of the final (penalised) refit. With ``relax=True`` it
        certifies ``coef_penalized_``: the relaxed ``coef_`` solves no
        penalised problem, so it has no gap.
    n_iter_ : int
        Epochs of the final refit.
    path_ : fastreg.RegularizationPath
        With ``store_path=True``: the whole data's path on the chosen
        l1_ratio's grid (glmnet's ``glmnet.fit``), solved with warm starts.
        Its column at ``alpha_`` solves the refit's problem to the same
        tolerance (the refit itself is cold, as scikit-learn's). It keeps no
        data: exact refits at other alphas take ``X`` and ``y``.
    fold_paths_ : list of fastreg.RegularizationPath
        With ``keep_fold_paths=True``: each fold's penalised path, fitted on its
        training part (a list per l1_ratio when several are searched; glmnet's
        ``keep=TRUE`` keeps the fold predictions, this keeps the fits).
    gamma_ : float
        The chosen relaxation weight (``relax=True`` only).
    gammas_ : ndarray of shape (n_gammas,)
        The relaxation weights tried, in the order of ``mse_path_``'s gamma
        axis (``relax=True`` only).
    coef_penalized_ : ndarray of shape (n_features,)
        The penalised coefficients at ``alpha_`` on all the data, whose
        support the least-squares refit uses (``relax=True`` only).
    intercept_penalized_ : float
        Their intercept (``relax=True`` only).
    n_features_in_ : int
        Number of features seen during fit.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Feature names, when X has string column names.
    """

    def __init__(self, *, l1_ratio=0.5, eps=1e-3, alphas=100, fit_intercept=True,
                 precompute="auto", max_iter=1000, tol=1e-4, cv=None, copy_X=True,
                 verbose=0, n_jobs=None, positive=False, random_state=None,
                 selection="cyclic", alpha_rule="min", penalty_factor=None,
                 lower_bounds=None, upper_bounds=None, standardize=False,
                 relax=False, gammas=DEFAULT_GAMMAS, store_path=True, keep_fold_paths=False):
        self.l1_ratio = l1_ratio
        self.eps = eps
        self.alphas = alphas
        self.fit_intercept = fit_intercept
        self.precompute = precompute
        self.max_iter = max_iter
        self.tol = tol
        self.cv = cv
        self.copy_X = copy_X
        self.verbose = verbose
        self.n_jobs = n_jobs
        self.positive = positive
        self.random_state = random_state
        self.selection = selection
        self.alpha_rule = alpha_rule
        self.penalty_factor = penalty_factor
        self.lower_bounds = lower_bounds
        self.upper_bounds = upper_bounds
        self.standardize = standardize
        self.relax = relax
        self.gammas = gammas
        self.store_path = store_path
        self.keep_fold_paths = keep_fold_paths

    #: The path function of this model (scikit-learn's ``ElasticNetCV.path``).
    path = staticmethod(enet_path)

    def _check_params(self):
        """Validate the parameters; return (l1_ratios, eps, gammas), gammas None
        without ``relax``."""
        l1_ratios = self._l1_ratios()
        eps = check_real(self.eps, "eps", low=0.0, low_open=True)
        check_int(self.max_iter, "max_iter", low=1)
        check_real(self.tol, "tol", low=0.0)
        for name in ("fit_intercept", "copy_X", "positive", "standardize", "relax",
                     "store_path", "keep_fold_paths"):
            check_bool(getattr(self, name), name)
        check_choice(self.selection, "selection", {"cyclic", "random"})
        check_choice(self.alpha_rule, "alpha_rule", {"min", "1se"})
        gammas = check_gammas(self.gammas)
        return l1_ratios, eps, (gammas if self.relax else None)

    def fit(self, X, y, sample_weight=None, **params):
        """Choose alpha (and l1_ratio) by cross-validation, then refit on all data.

        Parameters
        ----------
        X : {ndarray, sparse matrix} of shape (n_samples, n_features)
            Training data (dense, or scipy.sparse CSC/CSR).
        y : ndarray of shape (n_samples,)
            Target.
        sample_weight : float or array-like of shape (n_samples,), default=None
            Sample weights (used in the fits and in the held-out errors).
        **params : dict
            Metadata routed to the splitter (e.g. ``groups``); only with
            ``sklearn.set_config(enable_metadata_routing=True)``.

        Returns
        -------
        self : object
            Fitted estimator.
        """
        check_fit_params(params, f"{type(self).__name__}.fit")
        l1_ratios, eps, gammas = self._check_params()
        if is_dask_collection(X):  # Dask arrays: one pass of per-fold statistics
            if params:
                raise ValueError("Metadata routing is not supported on Dask input.")
            from ._dask.enet import fit_enet_cv_dask
            result = fit_enet_cv_dask(
                dict(self.get_params(deep=False), l1_ratio=self.l1_ratio), X, y,
                sample_weight, l1_ratios, eps, gammas)
            if self.store_path:
                result.attributes["path"] = RegularizationPath(**result.attributes["path"])
            if self.keep_fold_paths:
                kept = [[RegularizationPath(**path) for path in per_ratio]
                        for per_ratio in result.attributes["fold_paths"]]
                result.attributes["fold_paths"] = (kept[0] if np.ndim(self.l1_ratio) == 0
                                                   else kept)
            return self._set_fitted(result)
        X, y, col_sums = self._validate_Xy(X, y, multi_output=False, col_sums=True)
        sample_weight = check_sample_weight(sample_weight, X.shape[0], X.dtype)
        penalty_factor = check_penalty_factor(self.penalty_factor, X.shape[1], self.positive)
        bounds, positive = resolve_box(self.lower_bounds, self.upper_bounds, X.shape[1],
                                       self.positive)
        if hasattr(X, "tocsr"):
            X = X.tocsr()  # row selection for the folds

        @functools.cache
        def full():  # the whole data's design: the automatic grids and the final path
            design = preprocess(X, y, sample_weight, self.fit_intercept,
                                normalize_weights=True, lazy=True, col_sums=col_sums)
            return design, make_penalty(design, penalty_factor, bounds, self.standardize)

        def grid(l1_ratio, n_alphas):
            design, penalty = full()
            return alpha_grid(design, l1_ratio, eps, n_alphas, positive, penalty)

        grids, explicit = cv_grids(self.alphas, l1_ratios, grid)

        folds = self._folds(X, y, sample_weight, params)
        params = dict(tol=self.tol, max_iter=self.max_iter, positive=positive,
                      random_state=self.random_state, selection=self.selection,
                      precompute=self.precompute, penalty_factor=penalty_factor,
                      lower_bounds=self.lower_bounds, upper_bounds=self.upper_bounds,
                      standardize=self.standardize)
        mse_path = cv_mse_path(X, y, sample_weight, folds, grids, l1_ratios,
                               self.fit_intercept, params, self.n_jobs, gammas,
                               self.keep_fold_paths)
        fold_paths = ABSENT
        if self.keep_fold_paths:
            mse_path, kept = mse_path
            refit_params = {k: v for k, v in params.items() if k in REFIT_DEFAULTS}
            fold_paths = [[RegularizationPath(**path, l1_ratio=r,
                                              fit_intercept=self.fit_intercept,
                                              params=refit_params) for path in per_ratio]
                          for r, per_ratio in zip(l1_ratios, kept)]
            fold_paths = fold_paths[0] if np.ndim(self.l1_ratio) == 0 else fold_paths

        if gammas is None:
            i_best, j_best = best_cv_index(mse_path, self.alpha_rule)
        else:
            i_best, g_best, j_best = best_cv_index(mse_path, self.alpha_rule, gammas)
        alpha = float(grids[i_best, j_best])
        single = np.ndim(self.l1_ratio) == 0
        # scikit-learn's shapes: one grid per l1_ratio when computed, the given
        # alphas (sorted, decreasing) once when explicit

        design, penalty = full()
        path = ABSENT
        if self.store_path:  # before the refit, which may centre X in place
            path = path_from_design(
                design, grids[i_best], l1_ratios[i_best], fit_intercept=self.fit_intercept,
                feature_names=getattr(self, "feature_names_in_", None), penalty=penalty,
                tol=self.tol, max_iter=self.max_iter, positive=positive,
                random_state=self.random_state, selection=self.selection,
                precompute=self.precompute, penalty_factor=penalty_factor,
                lower_bounds=self.lower_bounds, upper_bounds=self.upper_bounds,
                standardize=self.standardize)
        # scikit-learn's final model: a cold refit on all the data at alpha_,
        # so that the answer is its LassoCV/ElasticNetCV's; path_'s column at
        # alpha_ solves the same problem to the same certificate, warm-started.
        # The relaxed refit reads X after this fit: it must not centre X in place.
        model = ElasticNet(alpha=alpha, l1_ratio=l1_ratios[i_best],
                           fit_intercept=self.fit_intercept, precompute=self.precompute,
                           max_iter=self.max_iter, tol=self.tol,
                           copy_X=self.copy_X or gammas is not None, positive=self.positive,
                           random_state=self.random_state, selection=self.selection,
                           penalty_factor=penalty_factor, lower_bounds=self.lower_bounds,
                           upper_bounds=self.upper_bounds, standardize=self.standardize)
        model.fit(X, y, sample_weight=sample_weight)
        coef, intercept = model.coef_, model.intercept_
        n_iter, dual_gap = model.n_iter_, model.dual_gap_
        relaxed = dict.fromkeys(("gamma", "gammas", "coef_penalized",
                                 "intercept_penalized"), ABSENT)
        if gammas is not None:
            refit, _ = least_squares_refits(design, coef[:, np.newaxis], positive, bounds)
            refit = refit[:, 0]
            gamma = float(gammas[g_best])
            relaxed = {"gamma": gamma, "gammas": gammas, "coef_penalized": coef,
                       "intercept_penalized": intercept}
            coef = blend(gamma, coef, refit)
            intercept = blend(gamma, intercept, intercept_from_means(
                refit, design.x_mean, design.y_mean, self.fit_intercept))
        self._set_fitted(FitResult(
            coef, intercept, n_iter=n_iter, dual_gap=dual_gap,
            attributes={"alpha": alpha, "l1_ratio": l1_ratios[i_best],
                        "mse_path": mse_path[0] if single else mse_path,
                        "alphas": grids[0] if (single or explicit) else grids,
                        "path": path, "fold_paths": fold_paths, **relaxed}))
        return self

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = False
        return tags


class LassoCV(ElasticNetCV):
    """Lasso with alpha chosen by cross-validation.

    :class:`ElasticNetCV` with ``l1_ratio=1``; same parameters, objective and
    attributes as :class:`sklearn.linear_model.LassoCV`.

    Parameters
    ----------
    eps : float, default=1e-3
        ``alpha_min / alpha_max`` of the automatic grid.
    alphas : int or array-like, default=100
        Number of alphas of the automatic grid, or explicit alphas.
    fit_intercept : bool, default=True
        Whether to fit an intercept.
    precompute : bool, 'auto' or array-like, default='auto'
        Gram mode (see :class:`fastreg.ElasticNet`).
    max_iter : int, default=1000
        Maximum number of epochs per alpha.
    tol : float, default=1e-4
        Duality-gap tolerance.
    copy_X : bool, default=True
        If False, X may be centred in place for the final refit (not with
        ``relax=True``: the least-squares refit reads X after it).
    cv : int, cross-validation generator or iterable, default=None
        None means 5-fold.
    verbose : bool or int, default=False
        Unused.
    n_jobs : int, default=None
        Threads running the folds in parallel.
    positive : bool, default=False
        Constrain the coefficients to be non-negative.
    random_state : int, RandomState instance or None, default=None
        Seed of the coordinate selection when ``selection='random'``.
    selection : {'cyclic', 'random'}, default='cyclic'
        Coordinate selection rule.
    alpha_rule : {'min', '1se'}, default='min'
        See :class:`ElasticNetCV`.
    penalty_factor : array-like of shape (n_features,), default=None
        See :class:`ElasticNetCV`.
    lower_bounds, upper_bounds : float or array-like of shape (n_features,), \
            default=None
        See :class:`ElasticNetCV`.
    standardize : bool, default=False
        See :class:`ElasticNetCV`.
    relax : bool, default=False
        Relaxed fits, gamma chosen by cross-validation with alpha (the relaxed
        Lasso, Meinshausen 2007); see :class:`ElasticNetCV`.
    gammas : array-like of shape (n_gammas,), default=(0, 0.25, 0.5, 0.75, 1)
        Relaxation weights in [0, 1] tried with ``relax=True``; see
        :class:`ElasticNetCV`.
    store_path : bool, default=True
        Keep the whole data's path as ``path_``; see :class:`ElasticNetCV`.
    keep_fold_paths : bool, default=False
        Keep every fold's path as ``fold_paths_``; see :class:`ElasticNetCV`.

    Attributes
    ----------
    alpha_ : float
        The chosen penalty strength.
    coef_ : ndarray of shape (n_features,)
        Coefficients of the model refitted on all the data.
    intercept_ : float
        Intercept of the refitted model.
    mse_path_ : ndarray of shape (n_alphas, n_folds)
        Held-out mean squared errors; with ``relax=True`` of shape
        (n_gammas, n_alphas, n_folds).
    alphas_ : ndarray of shape (n_alphas,)
        The grid of alphas, decreasing.
    dual_gap_ : float
        Duality gap of the final (penalised) refit, which certifies
        ``coef_penalized_`` with ``relax=True``.
    n_iter_ : int
        Epochs of the final refit.
    path_ : fastreg.RegularizationPath
        With ``store_path=True``: the whole data's path on the grid (see
        :class:`ElasticNetCV`).
    fold_paths_ : list of fastreg.RegularizationPath
        With ``keep_fold_paths=True``: each fold's path, fitted on its
        training part.
    gamma_ : float
        The chosen relaxation weight (``relax=True`` only).
    gammas_ : ndarray of shape (n_gammas,)
        The relaxation weights tried (``relax=True`` only).
    coef_penalized_ : ndarray of shape (n_features,)
        The Lasso coefficients at ``alpha_`` (``relax=True`` only).
    intercept_penalized_ : float
        Their intercept (``relax=True`` only).
    n_features_in_ : int
        Number of features seen during fit.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Feature names, when X has string column names.
    """

    def __init__(self, *, eps=1e-3, alphas=100, fit_intercept=True, precompute="auto",
                 max_iter=1000, tol=1e-4, copy_X=True, cv=None, verbose=False,
                 n_jobs=None, positive=False, random_state=None, selection="cyclic",
                 alpha_rule="min", penalty_factor=None, lower_bounds=None,
                 upper_bounds=None, standardize=False, relax=False, gammas=DEFAULT_GAMMAS,
                 store_path=True, keep_fold_paths=False):
        super().__init__(l1_ratio=1.0, eps=eps, alphas=alphas, fit_intercept=fit_intercept,
                         precompute=precompute, max_iter=max_iter, tol=tol, cv=cv,
                         copy_X=copy_X, verbose=verbose, n_jobs=n_jobs, positive=positive,
                         random_state=random_state, selection=selection,
                         alpha_rule=alpha_rule, penalty_factor=penalty_factor,
                         lower_bounds=lower_bounds, upper_bounds=upper_bounds,
                         standardize=standardize, relax=relax, gammas=gammas,
                         store_path=store_path, keep_fold_paths=keep_fold_paths)

    #: The path function of this model (scikit-learn's ``LassoCV.path``).
    path = staticmethod(lasso_path)
