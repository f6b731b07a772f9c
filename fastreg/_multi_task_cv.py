"""MultiTaskElasticNetCV and MultiTaskLassoCV (estimators), and their fold loop.

The single-task fold engine (``fastreg._cv_folds.fold_mse``) runs
single-task paths: the multi-task one here is the same loop on
:func:`fastreg._multi_task_solver.multi_task_path` (each fold's training part
centred and weighted with its own statistics, folds on threads, BLAS on one
thread). The held-out error is scikit-learn's: the (weighted) mean squared
error over the test samples, averaged over the tasks.
"""
import functools

import numpy as np
from joblib import delayed

from ._base import LinearRegressorBase
from ._cv import LinearModelCVMixin
from ._blas_threads import single_threaded_blas
from ._interruptible import run_thread_jobs
from ._multi_task import MultiTaskElasticNet, check_multi_task_params, check_multi_task_y
from ._multi_task_solver import MultiTaskProblem, multi_task_alphas, multi_task_path
from ._penalty import check_penalty_factor
from ._preprocess import preprocess
from ._result import FitResult
from ._selection import best_cv_index, cv_grids
from ._validation import check_fit_params, check_int, check_real, check_sample_weight


def multi_task_fold_mse(X, Y, sample_weight, train, test, alphas, l1_ratio,
                        fit_intercept, penalty_factor, params):
    """Held-out error of one fold's warm-started multi-task path, per alpha."""
    sw_train = None if sample_weight is None else sample_weight[train]
    design = preprocess(X[train], Y[train], sw_train, fit_intercept, copy_X=False,
                        normalize_weights=True)
    problem = MultiTaskProblem(design, penalty_factor, n_fits=len(alphas))
    coefs, _, _ = multi_task_path(problem, alphas, l1_ratio, **params)  # (T, p, k)
    X_test, Y_test = X[test], Y[test]
    sw_test = None if sample_weight is None else sample_weight[test]
    mse = np.empty(len(alphas))
    for k in range(len(alphas)):
        W = coefs[:, :, k]
        b = design.y_mean - W @ design.x_mean if fit_intercept else 0.0
        R = np.asarray(X_test @ W.T) + b - Y_test
        mse[k] = np.average(R ** 2, axis=0, weights=sw_test).mean()
    return mse


class MultiTaskElasticNetCV(LinearModelCVMixin, LinearRegressorBase):
    """Multi-task Elastic-Net with alpha (and l1_ratio) chosen by cross-validation.

    As :class:`sklearn.linear_model.MultiTaskElasticNetCV`: for each l1_ratio
    a warm-started path per fold (:class:`MultiTaskElasticNet`'s objective),
    the alpha with the lowest held-out mean squared error (averaged over
    folds and tasks), then a refit on all data.

    Parameters
    ----------
    l1_ratio : float or list of float, default=0.5
        Mixing parameter(s) in [0, 1] to try.
    eps : float, default=1e-3
        ``alpha_min / alpha_max`` of the automatic grid.
    alphas : int or array-like, default=100
        Number of alphas of the automatic grid, or the alphas to try.
    fit_intercept : bool, default=True
        Whether to fit an intercept per task.
    max_iter : int, default=1000
        Maximum number of epochs per solve.
    tol : float, default=1e-4
        Duality-gap tolerance of each solve.
    cv : int, cross-validation generator or iterable, default=None
        scikit-learn's ``cv`` (None: 5-fold).
    copy_X : bool, default=True
        If False, the final refit may centre a Fortran float X in place.
    verbose : bool or int, default=0
        Unused; accepted for compatibility.
    n_jobs : int, default=None
        Threads running the folds' paths.
    random_state : int, RandomState instance or None, default=None
        Seed of ``selection='random'``.
    selection : {'cyclic', 'random'}, default='cyclic'
        Order of the features' updates.
    penalty_factor : array-like of shape (n_features,), default=None
        Per-feature penalty factors (see :class:`MultiTaskElasticNet`).

    Attributes
    ----------
    coef_ : ndarray of shape (n_tasks, n_features)
        Coefficients of the refit.
    intercept_ : ndarray of shape (n_tasks,)
        Intercepts of the refit.
    alpha_ : float
        The chosen alpha.
    l1_ratio_ : float
        The chosen l1_ratio.
    alphas_ : ndarray of shape (n_alphas,) or (n_l1_ratio, n_alphas)
        The alphas tried (one grid per l1_ratio when computed).
    mse_path_ : ndarray of shape (n_alphas, n_folds) or (n_l1_ratio, n_alphas, n_folds)
        Held-out errors.
    n_iter_ : int
        Epochs of the refit.
    dual_gap_ : float
        Duality gap of the refit.
    n_features_in_ : int
        Number of features seen during fit.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Feature names, when X has string column names.
    """

    _single_task = "ElasticNetCV"

    def __init__(self, *, l1_ratio=0.5, eps=1e-3, alphas=100, fit_intercept=True,
                 max_iter=1000, tol=1e-4, cv=None, copy_X=True, verbose=0, n_jobs=None,
                 random_state=None, selection="cyclic", penalty_factor=None):
        self.l1_ratio = l1_ratio
        self.eps = eps
        self.alphas = alphas
        self.fit_intercept = fit_intercept
        self.max_iter = max_iter
        self.tol = tol
        self.cv = cv
        self.copy_X = copy_X
        self.verbose = verbose
        self.n_jobs = n_jobs
        self.random_state = random_state
        self.selection = selection
        self.penalty_factor = penalty_factor

    def fit(self, X, y, sample_weight=None, **params):
        """Choose alpha (and l1_ratio) by cross-validation, then refit on all data.

        Parameters
        ----------
        X : {ndarray, sparse matrix} of shape (n_samples, n_features)
            Training data (dense, or scipy.sparse CSC/CSR).
        y : ndarray of shape (n_samples, n_tasks)
            Targets (2-D).
        sample_weight : float or array-like of shape (n_samples,), default=None
            Sample weights (in the fits and in the held-out errors).
        **params : dict
            Metadata routed to the splitter (e.g. ``groups``); only with
            ``sklearn.set_config(enable_metadata_routing=True)``.

        Returns
        -------
        self : object
            Fitted estimator.
        """
        check_fit_params(params, f"{type(self).__name__}.fit")
        l1_ratios = self._l1_ratios()
        eps = check_real(self.eps, "eps", low=0.0, low_open=True)
        check_multi_task_params(self)
        if self.n_jobs is not None:
            check_int(self.n_jobs, "n_jobs", low=-(2 ** 31))
        X, y, col_sums = self._validate_Xy(X, y, True, col_sums=True)
        check_multi_task_y(y, self._single_task)
        sample_weight = check_sample_weight(sample_weight, X.shape[0], X.dtype)
        penalty_factor = check_penalty_factor(self.penalty_factor, X.shape[1])
        if hasattr(X, "tocsr"):
            X = X.tocsr()  # row selection for the folds

        @functools.cache
        def full():  # the whole data's problem, needed by the automatic grids only
            design = preprocess(X, y, sample_weight, self.fit_intercept,
                                normalize_weights=True, col_sums=col_sums)
            return MultiTaskProblem(design, penalty_factor, precompute=False)

        grids, explicit = cv_grids(self.alphas, l1_ratios,
                                   lambda r, k: multi_task_alphas(full(), r, eps, k))
        folds = self._folds(X, y, sample_weight, params)
        params = dict(tol=self.tol, max_iter=self.max_iter,
                      random_state=self.random_state, selection=self.selection)
        jobs = [(i, train, test) for i in range(len(l1_ratios)) for train, test in folds]
        with single_threaded_blas():
            mses = run_thread_jobs(
                (delayed(multi_task_fold_mse)(X, y, sample_weight, train, test, grids[i],
                                              l1_ratios[i], self.fit_intercept,
                                              penalty_factor, params)
                 for i, train, test in jobs), self.n_jobs)
        mse_path = np.array(mses).reshape(len(l1_ratios), len(folds), -1).transpose(0, 2, 1)
        i_best, j_best = best_cv_index(mse_path, "min")
        alpha = float(grids[i_best, j_best])
        model = MultiTaskElasticNet(alpha=alpha, l1_ratio=l1_ratios[i_best],
                                    fit_intercept=self.fit_intercept, copy_X=self.copy_X,
                                    max_iter=self.max_iter, tol=self.tol,
                                    random_state=self.random_state,
                                    selection=self.selection,
                                    penalty_factor=penalty_factor)
        model.fit(X, y, sample_weight=sample_weight)
        single = np.ndim(self.l1_ratio) == 0
        return self._set_fitted(FitResult(
            model.coef_, model.intercept_, n_iter=model.n_iter_, dual_gap=model.dual_gap_,
            attributes={"alpha": alpha, "l1_ratio": l1_ratios[i_best],
                        "mse_path": mse_path[0] if single else mse_path,
                        "alphas": grids[0] if (single or explicit) else grids}))

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        tags.target_tags.single_output = False
        return tags


class MultiTaskLassoCV(MultiTaskElasticNetCV):
    """Multi-task Lasso with alpha chosen by cross-validation.

    :class:`MultiTaskElasticNetCV` with ``l1_ratio=1``, as
    :class:`sklearn.linear_model.MultiTaskLassoCV`.

    Parameters
    ----------
    eps : float, default=1e-3
        ``alpha_min / alpha_max`` of the automatic grid.
    alphas : int or array-like, default=100
        Number of alphas of the automatic grid, or the alphas to try.
    fit_intercept : bool, default=True
        Whether to fit an intercept per task.
    max_iter : int, default=1000
        Maximum number of epochs per solve.
    tol : float, default=1e-4
        Duality-gap tolerance of each solve.
    copy_X : bool, default=True
        If False, the final refit may centre a Fortran float X in place.
    cv : int, cross-validation generator or iterable, default=None
        scikit-learn's ``cv`` (None: 5-fold).
    verbose : bool or int, default=False
        Unused; accepted for compatibility.
    n_jobs : int, default=None
        Threads running the folds' paths.
    random_state : int, RandomState instance or None, default=None
        Seed of ``selection='random'``.
    selection : {'cyclic', 'random'}, default='cyclic'
        Order of the features' updates.
    penalty_factor : array-like of shape (n_features,), default=None
        Per-feature penalty factors.

    Attributes
    ----------
    coef_ : ndarray of shape (n_tasks, n_features)
        Coefficients of the refit.
    intercept_ : ndarray of shape (n_tasks,)
        Intercepts of the refit.
    alpha_ : float
        The chosen alpha.
    l1_ratio_ : float
        1.0 (scikit-learn's attribute).
    alphas_ : ndarray of shape (n_alphas,)
        The alphas tried.
    mse_path_ : ndarray of shape (n_alphas, n_folds)
        Held-out errors.
    n_iter_ : int
        Epochs of the refit.
    dual_gap_ : float
        Duality gap of the refit.
    n_features_in_ : int
        Number of features seen during fit.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Feature names, when X has string column names.
    """

    _single_task = "LassoCV"

    def __init__(self, *, eps=1e-3, alphas=100, fit_intercept=True, max_iter=1000,
                 tol=1e-4, copy_X=True, cv=None, verbose=False, n_jobs=None,
                 random_state=None, selection="cyclic", penalty_factor=None):
        self.eps = eps
        self.alphas = alphas
        self.fit_intercept = fit_intercept
        self.max_iter = max_iter
        self.tol = tol
        self.copy_X = copy_X
        self.cv = cv
        self.verbose = verbose
        self.n_jobs = n_jobs
        self.random_state = random_state
        self.selection = selection
        self.penalty_factor = penalty_factor

    #: Not a parameter: the L2,1 penalty alone.
    l1_ratio = 1.0
