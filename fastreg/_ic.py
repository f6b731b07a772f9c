"""Elastic-Net and Lasso with alpha chosen by an information criterion (AIC,
BIC, EBIC) along one warm-started path (estimators only; the driver is
:mod:`fastreg._ic_fit` over :mod:`fastreg._criteria`, the Dask route
:mod:`fastreg._dask.ic`)."""
import numbers

from ._base import LinearRegressorBase
from ._criteria import CRITERIA
from ._dask import is_dask_collection
from ._ic_fit import fit_ic
from ._path import enet_path, lasso_path
from ._penalty import check_penalty_factor
from ._regularization_path import RegularizationPath
from ._validation import (check_bool, check_choice, check_int, check_real,
                          check_sample_weight)

_PARAMETERS = """
    criterion : {'aic', 'bic', 'ebic'}, default='bic'
        The information criterion minimised over the path (see Notes).
    eps : float, default=1e-3
        ``alpha_min / alpha_max`` of the automatic grid.
    alphas : int or array-like, default=100
        Number of alphas of the automatic grid (scikit-learn's, from
        alpha_max down to ``eps * alpha_max``), or explicit alphas (solved in
        decreasing order).
    fit_intercept : bool, default=True
        Whether to fit an (unpenalised) intercept.
    precompute : bool, 'auto' or array-like, default='auto'
        Gram mode of the path (see :class:`fastreg.ElasticNet`).
    max_iter : int, default=1000
        Maximum number of epochs per alpha.
    tol : float, default=1e-4
        Duality-gap tolerance of every fit of the path (scikit-learn's
        meaning).
    copy_X : bool, default=True
        If False, a dense Fortran float X may be centred in place (never
        when the noise variance is estimated by cross-validation, whose folds
        read X).
    positive : bool, default=False
        Constrain the coefficients to be non-negative.
    noise_variance : float, default=None
        The noise variance sigma^2 of the criterion, > 0; None estimates it
        (see Notes).
    ebic_gamma : float, default=0.5
        The EBIC's gamma >= 0 (0 is the BIC). 0.5, the default of e.g. R's
        ``huge``, is the value Chen & Chen (2008) prove consistent when the
        number of features grows like n^kappa with kappa < 1 (they require
        gamma > 1 - 1/(2 kappa)), and penalises the size of the model space
        less than their conservative gamma = 1.
    noise_cv : int, cross-validation generator or iterable, default=5
        Folds of the noise-variance estimate when n_features >= n_samples (an
        integer K is K-fold, with at most as many folds as samples).
    random_state : int, RandomState instance or None, default=None
        Seed of the coordinate selection when ``selection='random'``.
    selection : {'cyclic', 'random'}, default='cyclic'
        Coordinate selection rule.
    penalty_factor : array-like of shape (n_features,), default=None
        Per-feature penalty factors (0: unpenalised), in the path, the grid
        and the degrees of freedom; see :class:`fastreg.ElasticNet`.
    lower_bounds, upper_bounds : float or array-like of shape (n_features,), \
            default=None
        Per-coefficient box ``lower <= w <= upper`` of the path (scalars
        broadcast, -inf/+inf allowed, ``lower <= 0 <= upper``;
        ``positive=True`` is ``lower_bounds=0``); coefficients at a finite
        bound do not count in the degrees of freedom (see Notes). See
        :class:`fastreg.ElasticNet`.
    standardize : bool, default=False
        Penalise the coefficients of the columns scaled to unit weighted
        standard deviation (glmnet's ``standardize``); coefficients reported
        on the original scale. See :class:`fastreg.ElasticNet`."""

_ATTRIBUTES = """
    alpha_ : float
        The chosen penalty strength.
    alphas_ : ndarray of shape (n_alphas,)
        The alphas of the path, decreasing.
    criterion_ : ndarray of shape (n_alphas,)
        The criterion at every alpha.
    df_ : ndarray of shape (n_alphas,)
        Degrees of freedom at every alpha (including 1 for a fitted
        intercept).
    noise_variance_ : float
        The noise variance used (given or estimated).
    n_eff_ : float
        Effective sample size of the criterion (Kish's, see Notes).
    path_ : fastreg.RegularizationPath
        The whole data's path the criterion was evaluated on (``coef_`` is
        its column at ``alpha_``), to query at any alpha of its range.
    coef_ : ndarray of shape (n_features,)
        The path's coefficients at ``alpha_`` (no refit: the same problem,
        warm-started, at the same tolerance).
    intercept_ : float
        Intercept at ``alpha_``.
    dual_gap_ : float
        Duality gap of the fit at ``alpha_``.
    n_iter_ : int
        Epochs of the fit at ``alpha_``.
    n_features_in_ : int
        Number of features seen during fit.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Feature names, when X has string column names."""

_NOTES = """
    For each alpha of the path, with ``n_eff`` the effective sample size,
    ``RSS`` the (weighted) residual sum of squares and ``sigma2`` the noise
    variance::

        criterion = n_eff * log(2 pi sigma2) + RSS / sigma2 + k * df

    with ``k = 2`` (AIC), ``log(n_eff)`` (BIC), and for the EBIC (Chen & Chen
    2008, Biometrika 95) the BIC plus ``2 * ebic_gamma * log C(n_features,
    nnz)``. This is scikit-learn's ``LassoLarsIC`` convention, so the alphas
    agree with it up to the grid (LARS evaluates the criterion at the knots
    of the path, fastreg on its grid). The differences: ``df`` counts the
    fitted intercept (a constant shift of the criterion, the same choice);
    the least-squares noise variance divides by ``n_eff - rank -
    fit_intercept`` with the numerical rank of the centred design instead of
    n_features (the same for a full-rank design), and is the unconstrained
    one even with ``positive=True`` (it is unbiased whenever the linear model
    holds; scikit-learn fits non-negative least squares there); and where
    scikit-learn raises (n_features >= n_samples) fastreg estimates the
    noise variance as below.

    Degrees of freedom: the number of non-zero coefficients for the Lasso
    (Zou, Hastie & Tibshirani 2007, Ann. Statist. 35); for the Elastic-Net
    the trace of the ridge hat matrix of the active set, ``tr(X_A (X_A^T X_A
    + n alpha (1 - l1_ratio) diag(pf_A))^+ X_A^T)`` (unpenalised features
    counted fully); with ``standardize`` the L2 factors are ``pf_A d_A^2``,
    ``d`` the columns' standard deviations (the ridge term of the
    standardised problem on the unscaled design). With a box, A is the free
    active set, the non-zero coefficients not at a finite bound: locally a
    coefficient at its bound is fixed and the fit is the (ridge) projection
    on the free columns (Tibshirani & Taylor 2012, Ann. Statist. 40, for the
    Lasso's local projection; Meyer & Woodroofe 2000, Ann. Statist. 28, for
    constraints). The EBIC's model size stays the number of non-zeros, and
    the noise variance does not depend on the box or the standardisation
    (the unconstrained least-squares fit of the linear model).

    Noise variance, when ``noise_variance`` is None: with ``n_eff >
    n_features + fit_intercept``, the least-squares estimate; otherwise the
    cross-validation estimate of Reid, Tibshirani & Friedman (2016,
    Statistica Sinica 26), ``RSS(alpha_cv) / (n_eff - df(alpha_cv))`` with
    ``alpha_cv`` the alpha of smallest ``noise_cv``-fold error on the same
    grid: in their comparison the most reliable across sparsity and
    signal-to-noise regimes (the scaled lasso being the alternative). When
    the fit at ``alpha_cv`` leaves less than one residual degree of freedom,
    its held-out error is used (an over-estimate); with a single sample, the
    variance of y. The estimate is never below ``eps * var(y)``.

    Sample weights enter through Kish's effective sample size ``n_eff =
    (sum w)^2 / sum w^2``, with the weights rescaled to sum to ``n_eff`` in
    the RSS: uniform weights give the unweighted criterion, zero weights
    reduce ``n_eff``. Integer weights are *not* repetitions of rows: the fit
    is invariant to rescaling the weights (fastreg normalises them), and so
    is ``n_eff``, whereas repetitions would make ``n`` (hence the criterion)
    depend on that scale.

    Dask input (n_samples >> n_features) runs the whole fit from one pass of
    sufficient statistics; there, the noise variance must be given when
    ``n_eff <= n_features + fit_intercept``."""


class ElasticNetIC(LinearRegressorBase):
    __doc__ = f"""Elastic-Net with alpha chosen by an information criterion.

    Minimises, for each alpha of a path, the objective of
    :class:`fastreg.ElasticNet`, and picks the alpha of smallest AIC, BIC or
    EBIC (the first on ties); one warm-started path on all the data.

    Parameters
    ----------
    l1_ratio : float, default=0.5
        Elastic-Net mixing parameter in [0, 1] (in (0, 1] for an automatic
        grid); one value (compare criteria across l1_ratios by fitting
        several estimators with the same ``noise_variance``).{_PARAMETERS}

    Attributes
    ----------{_ATTRIBUTES}

    Notes
    -----{_NOTES}
    """

    def __init__(self, l1_ratio=0.5, criterion="bic", *, eps=1e-3, alphas=100,
                 fit_intercept=True, precompute="auto", max_iter=1000, tol=1e-4,
                 copy_X=True, positive=False, noise_variance=None, ebic_gamma=0.5,
                 noise_cv=5, random_state=None, selection="cyclic", penalty_factor=None,
                 lower_bounds=None, upper_bounds=None, standardize=False):
        self.l1_ratio = l1_ratio
        self.criterion = criterion
        self.eps = eps
        self.alphas = alphas
        self.fit_intercept = fit_intercept
        self.precompute = precompute
        self.max_iter = max_iter
        self.tol = tol
        self.copy_X = copy_X
        self.positive = positive
        self.noise_variance = noise_variance
        self.ebic_gamma = ebic_gamma
        self.noise_cv = noise_cv
        self.random_state = random_state
        self.selection = selection
        self.penalty_factor = penalty_factor
        self.lower_bounds = lower_bounds
        self.upper_bounds = upper_bounds
        self.standardize = standardize

    #: The path function of this model.
    path = staticmethod(enet_path)

    def _check_params(self):
        """Validate the parameters; return (l1_ratio, eps, params)."""
        l1_ratio = check_real(self.l1_ratio, "l1_ratio", low=0.0, high=1.0)
        eps = check_real(self.eps, "eps", low=0.0, low_open=True)
        check_choice(self.criterion, "criterion", set(CRITERIA))
        check_int(self.max_iter, "max_iter", low=1)
        check_real(self.tol, "tol", low=0.0)
        for name in ("fit_intercept", "copy_X", "positive", "standardize"):
            check_bool(getattr(self, name), name)
        check_choice(self.selection, "selection", {"cyclic", "random"})
        check_real(self.ebic_gamma, "ebic_gamma", low=0.0)
        params = dict(self.get_params(deep=False), l1_ratio=l1_ratio)
        if self.noise_variance is not None:
            params["noise_variance"] = check_real(self.noise_variance, "noise_variance",
                                                  low=0.0, low_open=True)
        if isinstance(self.noise_cv, numbers.Integral):
            check_int(self.noise_cv, "noise_cv", low=2)
        return l1_ratio, eps, params

    def fit(self, X, y, sample_weight=None):
        """Fit the path and choose alpha by the criterion.

        Parameters
        ----------
        X : {ndarray, sparse matrix, dask array} of shape (n_samples, n_features)
            Training data (dense, scipy.sparse CSC/CSR, or a row-chunked Dask
            array).
        y : ndarray of shape (n_samples,)
            Target.
        sample_weight : float or array-like of shape (n_samples,), default=None
            Sample weights (see Notes for their effective sample size).

        Returns
        -------
        self : object
            Fitted estimator.
        """
        l1_ratio, eps, params = self._check_params()
        if is_dask_collection(X):  # Dask arrays: the path from one pass of statistics
            from ._dask.ic import fit_ic_dask
            result = fit_ic_dask(params, X, y, sample_weight, l1_ratio, eps)
        else:
            X, y, col_sums = self._validate_Xy(X, y, multi_output=False, col_sums=True)
            sample_weight = check_sample_weight(sample_weight, X.shape[0], X.dtype)
            penalty_factor = check_penalty_factor(self.penalty_factor, X.shape[1],
                                                  self.positive)
            result = fit_ic(params, X, y, sample_weight, l1_ratio, eps, penalty_factor,
                            col_sums=col_sums)
            result.attributes["path"]["feature_names"] = getattr(
                self, "feature_names_in_", None)
        result.attributes["path"] = RegularizationPath(**result.attributes["path"])
        return self._set_fitted(result)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = False
        return tags


class LassoIC(ElasticNetIC):
    __doc__ = f"""Lasso with alpha chosen by an information criterion.

    :class:`ElasticNetIC` with ``l1_ratio=1``: the path of
    :class:`fastreg.Lasso`, and the alpha of smallest AIC, BIC or EBIC, as
    :class:`sklearn.linear_model.LassoLarsIC` (which uses LARS; here
    coordinate descent on a grid, dense or sparse, weighted, and also for
    n_features >= n_samples).

    Parameters
    ----------{_PARAMETERS}

    Attributes
    ----------{_ATTRIBUTES}

    Notes
    -----{_NOTES}
    """

    def __init__(self, criterion="bic", *, eps=1e-3, alphas=100, fit_intercept=True,
                 precompute="auto", max_iter=1000, tol=1e-4, copy_X=True, positive=False,
                 noise_variance=None, ebic_gamma=0.5, noise_cv=5, random_state=None,
                 selection="cyclic", penalty_factor=None, lower_bounds=None,
                 upper_bounds=None, standardize=False):
        super().__init__(l1_ratio=1.0, criterion=criterion, eps=eps, alphas=alphas,
                         fit_intercept=fit_intercept, precompute=precompute,
                         max_iter=max_iter, tol=tol, copy_X=copy_X, positive=positive,
                         noise_variance=noise_variance, ebic_gamma=ebic_gamma,
                         noise_cv=noise_cv, random_state=random_state,
                         selection=selection, penalty_factor=penalty_factor,
                         lower_bounds=lower_bounds, upper_bounds=upper_bounds,
                         standardize=standardize)

    #: The path function of this model.
    path = staticmethod(lasso_path)
