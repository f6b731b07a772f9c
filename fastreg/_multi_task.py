"""MultiTaskElasticNet and MultiTaskLasso (estimators only).

Flow: estimator (parameters, validation) -> ``preprocess`` (centering,
weights; a 2-D target) -> :class:`fastreg._multi_task_solver.MultiTaskProblem`
(units, Gram mode or not, the warning) -> block coordinate-descent kernel.
"""
import numpy as np
from sklearn.utils import check_random_state

from ._base import LinearRegressorBase, intercept_of
from ._dask import is_dask_collection
from ._multi_task_solver import MultiTaskProblem
from ._penalty import check_penalty_factor
from ._preprocess import preprocess
from ._result import FitResult
from ._validation import (check_bool, check_choice, check_finite_fit, check_int, check_real,
                          check_sample_weight)


def check_multi_task_params(est):
    """The shared parameters of the MultiTask estimators, checked (each error
    names its argument)."""
    check_int(est.max_iter, "max_iter", low=1)
    check_real(est.tol, "tol", low=0.0)
    for name in ("fit_intercept", "copy_X"):
        check_bool(getattr(est, name), name)
    check_choice(est.selection, "selection", {"cyclic", "random"})


def check_multi_task_y(y, estimator_name):
    """A 2-D target: a 1-D y is refused, as scikit-learn does, pointing to
    the single-task estimator."""
    if y.ndim == 1:
        raise ValueError(f"For mono-task outputs, use {estimator_name}: y must be 2-D "
                         f"(n_samples, n_tasks), got shape {y.shape}.")
    return y


class MultiTaskElasticNet(LinearRegressorBase):
    """Multi-task Elastic-Net: the tasks share one support (L2,1 penalty).

    Minimises, exactly as :class:`sklearn.linear_model.MultiTaskElasticNet`::

        1 / (2 * n_samples) * ||Y - XW^T - b||^2_Fro
        + alpha * l1_ratio * ||W||_21 + 0.5 * alpha * (1 - l1_ratio) * ||W||^2_Fro

    with ``||W||_21 = sum_j ||W[:, j]||_2`` (each feature is used by every task
    or by none), by block coordinate descent (one feature's row of coefficients
    per update, group soft-thresholding) in compiled kernels that release the
    GIL, with Gap Safe screening of features, stopping on the duality gap.

    Parameters
    ----------
    alpha : float, default=1.0
        Constant that multiplies the penalty terms.
    l1_ratio : float, default=0.5
        Mixing parameter in [0, 1]: 1 is the L2,1 penalty alone
        (:class:`MultiTaskLasso`), 0 a ridge penalty.
    fit_intercept : bool, default=True
        Whether to fit an (unpenalised) intercept per task, by centering.
    copy_X : bool, default=True
        If False, a dense Fortran-ordered float X may be centred in place.
    max_iter : int, default=1000
        Maximum number of epochs.
    tol : float, default=1e-4
        Stop when the duality gap is at most ``tol * ||Y_centred||^2_Fro / n``.
    warm_start : bool, default=False
        Start from the previous ``coef_`` when refitting.
    random_state : int, RandomState instance or None, default=None
        Seed of the feature selection when ``selection='random'``.
    selection : {'cyclic', 'random'}, default='cyclic'
        Order of the features' updates.
    penalty_factor : array-like of shape (n_features,), default=None
        Per-feature factors ``pf_j >= 0`` of both penalty terms (0:
        unpenalised; glmnet's ``penalty.factor``, not rescaled). None: ones.

    Attributes
    ----------
    coef_ : ndarray of shape (n_tasks, n_features)
        Coefficients (its columns are zero together).
    intercept_ : ndarray of shape (n_tasks,)
        Intercepts.
    n_iter_ : int
        Epochs run.
    dual_gap_ : float
        Final duality gap, in the units of the objective above.
    eps_ : float
        The tolerance of the gap, ``tol * ||Y_centred||^2_Fro / n``
        (scikit-learn's attribute).
    n_features_in_ : int
        Number of features seen during fit.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Feature names, when X has string column names.

    Notes
    -----
    Dense X is centred in one Fortran-ordered working copy (none when it
    needs neither centering nor weighting and is Fortran already); sparse X
    becomes canonical CSC and is never densified (implicit centering). For
    ``n_samples >> n_features`` the kernel runs on the Gram matrix.
    """

    def __init__(self, alpha=1.0, *, l1_ratio=0.5, fit_intercept=True, copy_X=True,
                 max_iter=1000, tol=1e-4, warm_start=False, random_state=None,
                 selection="cyclic", penalty_factor=None):
        self.alpha = alpha
        self.l1_ratio = l1_ratio
        self.fit_intercept = fit_intercept
        self.copy_X = copy_X
        self.max_iter = max_iter
        self.tol = tol
        self.warm_start = warm_start
        self.random_state = random_state
        self.selection = selection
        self.penalty_factor = penalty_factor

    _single_task = "ElasticNet"

    def fit(self, X, y, sample_weight=None):
        """Fit the model by block coordinate descent.

        Parameters
        ----------
        X : {ndarray, sparse matrix} of shape (n_samples, n_features)
            Training data (dense, or scipy.sparse CSC/CSR).
        y : ndarray of shape (n_samples, n_tasks)
            Targets (2-D: a 1-D y is refused, as in scikit-learn).
        sample_weight : float or array-like of shape (n_samples,), default=None
            Sample weights, rescaled internally to sum to n_samples.

        Returns
        -------
        self : object
            Fitted estimator.
        """
        alpha = check_real(self.alpha, "alpha", low=0.0)
        l1_ratio = check_real(self.l1_ratio, "l1_ratio", low=0.0, high=1.0)
        check_multi_task_params(self)
        check_bool(self.warm_start, "warm_start")
        if is_dask_collection(X):  # Dask arrays: Gram-mode block CD on one-pass statistics
            from ._dask.multi_task import fit_multi_task_dask
            previous = getattr(self, "coef_", None) if self.warm_start else None
            return self._set_fitted(fit_multi_task_dask(
                dict(self.get_params(deep=False), alpha=alpha, l1_ratio=l1_ratio), X, y,
                sample_weight, coef_init=previous))
        X, y, col_sums = self._validate_Xy(X, y, True, col_sums=True)
        check_multi_task_y(y, self._single_task)
        sample_weight = check_sample_weight(sample_weight, X.shape[0], X.dtype)
        penalty_factor = check_penalty_factor(self.penalty_factor, X.shape[1])
        # lazy: the working-set loop centres only the columns it restricts to
        design = preprocess(X, y, sample_weight, self.fit_intercept, copy_X=self.copy_X,
                            normalize_weights=True, lazy=True, col_sums=col_sums)
        problem = MultiTaskProblem(design, penalty_factor)
        n_tasks, n_features = y.shape[1], X.shape[1]
        W = np.zeros((n_features, n_tasks), dtype=X.dtype)
        previous = getattr(self, "coef_", None) if self.warm_start else None
        if previous is not None and previous.shape == (n_tasks, n_features):
            W[:] = previous.T
        seed = int(check_random_state(self.random_state).randint(np.iinfo(np.int32).max))
        gap, n_iter = problem.solve(W, alpha, l1_ratio, tol=self.tol,
                                    max_iter=self.max_iter, seed=seed,
                                    random=self.selection == "random")
        coef = np.asfortranarray(W.T)  # (n_tasks, n_features), scikit-learn's layout
        intercept = intercept_of(design, coef, self.fit_intercept)
        check_finite_fit(coef, intercept)
        eps = self.tol * float(np.sum(problem.Y.astype(np.float64) ** 2)) / problem.n
        return self._set_fitted(FitResult(coef, intercept, n_iter=n_iter, dual_gap=gap,
                                          attributes={"eps": eps}))

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        tags.target_tags.single_output = False
        return tags


class MultiTaskLasso(MultiTaskElasticNet):
    """Multi-task Lasso: the tasks share one support (L2,1 penalty).

    Minimises, exactly as :class:`sklearn.linear_model.MultiTaskLasso`::

        1 / (2 * n_samples) * ||Y - XW^T - b||^2_Fro + alpha * ||W||_21

    This is :class:`MultiTaskElasticNet` with ``l1_ratio=1``; see it for the
    solver and the attributes.

    Parameters
    ----------
    alpha : float, default=1.0
        Constant that multiplies the L2,1 term.
    fit_intercept : bool, default=True
        Whether to fit an intercept per task.
    copy_X : bool, default=True
        If False, a dense Fortran-ordered float X may be centred in place.
    max_iter : int, default=1000
        Maximum number of epochs.
    tol : float, default=1e-4
        Duality-gap tolerance, relative to ``||Y_centred||^2_Fro / n``.
    warm_start : bool, default=False
        Start from the previous ``coef_`` when refitting.
    random_state : int, RandomState instance or None, default=None
        Seed of the feature selection when ``selection='random'``.
    selection : {'cyclic', 'random'}, default='cyclic'
        Order of the features' updates.
    penalty_factor : array-like of shape (n_features,), default=None
        Per-feature factors of the penalty (0: unpenalised).

    Attributes
    ----------
    coef_ : ndarray of shape (n_tasks, n_features)
        Coefficients.
    intercept_ : ndarray of shape (n_tasks,)
        Intercepts.
    n_iter_ : int
        Epochs run.
    dual_gap_ : float
        Final duality gap.
    eps_ : float
        The tolerance of the gap.
    n_features_in_ : int
        Number of features seen during fit.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Feature names, when X has string column names.
    """

    _single_task = "Lasso"

    def __init__(self, alpha=1.0, *, fit_intercept=True, copy_X=True, max_iter=1000,
                 tol=1e-4, warm_start=False, random_state=None, selection="cyclic",
                 penalty_factor=None):
        self.alpha = alpha
        self.fit_intercept = fit_intercept
        self.copy_X = copy_X
        self.max_iter = max_iter
        self.tol = tol
        self.warm_start = warm_start
        self.random_state = random_state
        self.selection = selection
        self.penalty_factor = penalty_factor

    #: Not a parameter: the L2,1 penalty alone.
    l1_ratio = 1.0
