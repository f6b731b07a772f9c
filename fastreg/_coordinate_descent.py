"""Elastic-Net and Lasso estimators, solved by fastreg's coordinate-descent kernels.

Flow: estimator (parameters, validation) -> ``preprocess`` (centering,
weights) -> :func:`fastreg._enet_solver.solve_enet` (unit conversion, strategy)
-> kernel.
"""
import warnings

import numpy as np
import scipy.sparse as sp
from sklearn.utils import check_random_state

from ._base import LinearRegressorBase, intercept_of
from ._dask import is_dask_collection
from ._enet_solver import gram_for, gram_target, make_penalty, solve_enet
from ._path import enet_path
from ._preprocess import preprocess
from ._result import FitResult
from ._penalty import check_penalty_factor, resolve_box
from ._validation import (check_bool, check_choice, check_finite_fit, check_int, check_real,
                          check_sample_weight)


class ElasticNet(LinearRegressorBase):
    """Linear regression with combined L1 and L2 priors as regulariser.

    Minimises, exactly as :class:`sklearn.linear_model.ElasticNet`::

        1 / (2 * n_samples) * ||y - Xw - b||^2_2
        + alpha * l1_ratio * ||w||_1 + 0.5 * alpha * (1 - l1_ratio) * ||w||^2_2

    by cyclic (or random) coordinate descent in compiled kernels that release
    the GIL, stopping on the duality gap.

    Parameters
    ----------
    alpha : float, default=1.0
        Constant that multiplies the penalty terms.
    l1_ratio : float, default=0.5
        The Elastic-Net mixing parameter, in [0, 1]: 1 is the Lasso, 0 a
        ridge penalty.
    fit_intercept : bool, default=True
        Whether to fit an (unpenalised) intercept, by centering the data.
    precompute : bool, 'auto' or array-like of shape (n_features, n_features), \
            default=False
        Run the coordinate descent on the Gram matrix ``X^T X`` (O(p) per
        update instead of O(n)): True/False force it, 'auto' decides by a
        measured cost model (worth it for n_samples >> n_features with few
        features, or many targets), an array is used as the Gram matrix of
        the (uncentred, unweighted) data; with centering or weights it is
        recomputed, with a warning, as in scikit-learn.
    max_iter : int, default=1000
        Maximum number of epochs.
    copy_X : bool, default=True
        If False, a dense Fortran-ordered float X may be centred in place.
    tol : float, default=1e-4
        Stop when the duality gap is at most ``tol * ||y_centred||^2 / n``.
    warm_start : bool, default=False
        Start from the previous ``coef_`` when refitting.
    positive : bool, default=False
        Constrain the coefficients to be non-negative.
    random_state : int, RandomState instance or None, default=None
        Seed of the coordinate selection when ``selection='random'``.
    selection : {'cyclic', 'random'}, default='cyclic'
        Coordinate selection rule.
    penalty_factor : array-like of shape (n_features,), default=None
        Per-feature factors ``pf_j >= 0`` of the penalty, which becomes
        ``alpha * sum_j pf_j * (l1_ratio*|w_j| + (1-l1_ratio)/2*w_j^2)``
        (glmnet's ``penalty.factor``, but not rescaled to sum to
        n_features). 0 leaves a feature unpenalised. None means all ones.
    lower_bounds : float or array-like of shape (n_features,), default=None
        Lower limits of the coefficients (glmnet's ``lower.limits``, glum's
        ``lower_bounds``), each ``<= 0``; ``-inf`` allowed. None: no limit
        (0 with ``positive=True``, which is ``lower_bounds=0``: both given
        must agree).
    upper_bounds : float or array-like of shape (n_features,), default=None
        Upper limits of the coefficients, each ``>= 0``; ``+inf`` allowed.
        None: no limit.
    standardize : bool, default=False
        glmnet's ``standardize``: scale each column to unit weighted standard
        deviation (1/sum(w) scaling; centred with ``fit_intercept``) before
        the penalty applies; the coefficients, the intercept and the bounds
        are on the original scale. Sparse X is never densified (the scale
        enters the kernels as penalty factors). Constant columns get 0.

    Attributes
    ----------
    coef_ : ndarray of shape (n_features,) or (n_targets, n_features)
        Coefficients.
    intercept_ : float or ndarray of shape (n_targets,)
        Intercept.
    n_iter_ : int or list of int
        Epochs run by the solver for each target.
    dual_gap_ : float or ndarray of shape (n_targets,)
        Final duality gap(s), in the units of the objective above.
    n_features_in_ : int
        Number of features seen during fit.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Feature names, when X has string column names.

    Notes
    -----
    Dense X is used in place when it is Fortran-ordered and needs neither
    centering nor weighting; otherwise one working copy is made (C-ordered
    input is copied once to Fortran order), or, when the working-set strategy
    applies (float64, wide or tall X), only the columns it touches are centred
    and copied. Sparse X is converted once to
    canonical CSC (a copy from CSR) and is never densified: centering is
    implicit in the kernel.
    """

    def __init__(self, alpha=1.0, *, l1_ratio=0.5, fit_intercept=True, precompute=False,
                 max_iter=1000, copy_X=True, tol=1e-4, warm_start=False, positive=False,
                 random_state=None, selection="cyclic", penalty_factor=None,
                 lower_bounds=None, upper_bounds=None, standardize=False):
        self.alpha = alpha
        self.l1_ratio = l1_ratio
        self.fit_intercept = fit_intercept
        self.precompute = precompute
        self.max_iter = max_iter
        self.copy_X = copy_X
        self.tol = tol
        self.warm_start = warm_start
        self.positive = positive
        self.random_state = random_state
        self.selection = selection
        self.penalty_factor = penalty_factor
        self.lower_bounds = lower_bounds
        self.upper_bounds = upper_bounds
        self.standardize = standardize

    #: The path function of this model (scikit-learn's ``ElasticNet.path``).
    path = staticmethod(enet_path)

    def _check_params(self):
        alpha = check_real(self.alpha, "alpha", low=0.0)
        l1_ratio = check_real(self.l1_ratio, "l1_ratio", low=0.0, high=1.0)
        check_int(self.max_iter, "max_iter", low=1)
        check_real(self.tol, "tol", low=0.0)
        for name in ("fit_intercept", "copy_X", "warm_start", "positive", "standardize"):
            check_bool(getattr(self, name), name)
        check_choice(self.selection, "selection", {"cyclic", "random"})
        if not (isinstance(self.precompute, (bool, np.bool_))
                or hasattr(self.precompute, "shape") or self.precompute == "auto"):
            raise ValueError("precompute must be a bool, 'auto' or a Gram matrix, got "
                             f"{self.precompute!r}.")
        return alpha, l1_ratio

    def fit(self, X, y, sample_weight=None, check_input=True):
        """Fit the model by coordinate descent.

        Parameters
        ----------
        X : {ndarray, sparse matrix} of shape (n_samples, n_features)
            Training data (dense, or scipy.sparse CSC/CSR).
        y : ndarray of shape (n_samples,) or (n_samples, n_targets)
            Target; each column of a 2-D y is an independent problem.
        sample_weight : float or array-like of shape (n_samples,), default=None
            Sample weights, rescaled internally to sum to n_samples.
        check_input : bool, default=True
            If False, skip the finiteness checks of X and y (for callers that
            validated them already).

        Returns
        -------
        self : object
            Fitted estimator.
        """
        alpha, l1_ratio = self._check_params()
        if alpha == 0:
            warnings.warn("With alpha=0, this algorithm does not converge well. You are "
                          "advised to use the LinearRegression estimator", stacklevel=2)
        if is_dask_collection(X):  # Dask arrays: Gram-mode CD on one-pass statistics
            from ._dask.enet import fit_enet_dask
            previous = getattr(self, "coef_", None) if self.warm_start else None
            return self._set_fitted(fit_enet_dask(
                dict(self.get_params(deep=False), alpha=alpha, l1_ratio=l1_ratio), X, y,
                sample_weight, coef_init=previous))
        X, y, col_sums = self._validate_Xy(X, y, check_input, col_sums=True)
        sample_weight = check_sample_weight(sample_weight, X.shape[0], X.dtype)
        penalty_factor = check_penalty_factor(self.penalty_factor, X.shape[1],
                                              self.positive)
        bounds, positive = resolve_box(self.lower_bounds, self.upper_bounds, X.shape[1],
                                       self.positive)
        design = preprocess(X, y, sample_weight, self.fit_intercept, copy_X=self.copy_X,
                            normalize_weights=True, lazy=True,
                            col_sums=col_sums)
        penalty = make_penalty(design, penalty_factor, bounds, self.standardize)
        Y = design.y.reshape(X.shape[0], -1)
        n_targets, n_features = Y.shape[1], X.shape[1]

        coef = np.zeros((n_targets, n_features), dtype=X.dtype)
        if self.warm_start and hasattr(self, "coef_"):
            previous = np.atleast_2d(self.coef_)
            if previous.shape == coef.shape:
                coef[:] = previous
        rng = check_random_state(self.random_state)
        gram = gram_for(design, self.precompute, n_targets)
        gaps = np.zeros(n_targets, dtype=X.dtype)
        n_iters = []
        for k in range(n_targets):
            seed = int(rng.randint(np.iinfo(np.int32).max))
            y_k = np.ascontiguousarray(Y[:, k])
            gaps[k], n_iter = solve_enet(
                design, y_k, coef[k], alpha, l1_ratio, tol=self.tol,
                max_iter=self.max_iter, positive=positive, seed=seed,
                random=self.selection == "random", gram=gram_target(design, gram, y_k),
                penalty=penalty)
            n_iters.append(n_iter)

        single = n_targets == 1  # scikit-learn's rule, also for y of shape (n, 1)
        coef = coef[0] if single else coef
        intercept = intercept_of(design, coef, self.fit_intercept)
        check_finite_fit(coef, intercept)
        return self._set_fitted(FitResult(coef, intercept, n_iter=n_iters[0] if single
                                          else n_iters, dual_gap=gaps[0] if single else gaps))

    @property
    def sparse_coef_(self):
        """Sparse (CSR) representation of the fitted ``coef_``."""
        return sp.csr_matrix(np.atleast_2d(self.coef_))


class Lasso(ElasticNet):
    """Linear model trained with an L1 prior as regulariser (the Lasso).

    Minimises, exactly as :class:`sklearn.linear_model.Lasso`::

        1 / (2 * n_samples) * ||y - Xw - b||^2_2 + alpha * ||w||_1

    This is :class:`ElasticNet` with ``l1_ratio=1``; see it for the solver,
    the parameters and the fitted attributes.

    Parameters
    ----------
    alpha : float, default=1.0
        Constant that multiplies the L1 term.
    fit_intercept : bool, default=True
        Whether to fit an (unpenalised) intercept.
    precompute : bool, 'auto' or array-like, default=False
        Gram mode; see :class:`ElasticNet`.
    copy_X : bool, default=True
        If False, a dense Fortran-ordered float X may be centred in place.
    max_iter : int, default=1000
        Maximum number of epochs.
    tol : float, default=1e-4
        Duality-gap tolerance, relative to ``||y_centred||^2 / n``.
    warm_start : bool, default=False
        Start from the previous ``coef_`` when refitting.
    positive : bool, default=False
        Constrain the coefficients to be non-negative.
    random_state : int, RandomState instance or None, default=None
        Seed of the coordinate selection when ``selection='random'``.
    selection : {'cyclic', 'random'}, default='cyclic'
        Coordinate selection rule.
    penalty_factor : array-like of shape (n_features,), default=None
        Per-feature factors of the L1 penalty (0: unpenalised); see
        :class:`ElasticNet`.
    lower_bounds, upper_bounds : float or array-like of shape (n_features,), \
            default=None
        Limits of the coefficients (``lower <= 0 <= upper``); see
        :class:`ElasticNet`.
    standardize : bool, default=False
        Penalise the coefficients of the columns scaled to unit weighted
        standard deviation; see :class:`ElasticNet`.

    Attributes
    ----------
    coef_ : ndarray of shape (n_features,) or (n_targets, n_features)
        Coefficients.
    intercept_ : float or ndarray of shape (n_targets,)
        Intercept.
    n_iter_ : int or list of int
        Epochs run by the solver for each target.
    dual_gap_ : float or ndarray of shape (n_targets,)
        Final duality gap(s).
    n_features_in_ : int
        Number of features seen during fit.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Feature names, when X has string column names.
    """

    def __init__(self, alpha=1.0, *, fit_intercept=True, precompute=False, copy_X=True,
                 max_iter=1000, tol=1e-4, warm_start=False, positive=False,
                 random_state=None, selection="cyclic", penalty_factor=None,
                 lower_bounds=None, upper_bounds=None, standardize=False):
        super().__init__(alpha=alpha, l1_ratio=1.0, fit_intercept=fit_intercept,
                         precompute=precompute, max_iter=max_iter, copy_X=copy_X, tol=tol,
                         warm_start=warm_start, positive=positive,
                         random_state=random_state, selection=selection,
                         penalty_factor=penalty_factor, lower_bounds=lower_bounds,
                         upper_bounds=upper_bounds, standardize=standardize)
