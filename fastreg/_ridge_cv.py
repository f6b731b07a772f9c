"""Ridge regression with the penalty chosen by cross-validation: the estimator.

Same objective as :class:`fastreg.Ridge` (sample weights are not normalised)::

    sum_i s_i (y_i - x_i.w - b)^2 + alpha * ||w||^2

Leave-one-out (``cv=None``) is exact, for every alpha from one decomposition:
the engine, and its mathematics, are :mod:`fastreg._ridge_loo`.

K-fold (``cv`` an int, splitter or iterable)
--------------------------------------------
``GridSearchCV(Ridge(), {'alpha': alphas}, cv=cv, scoring=scoring)`` semantics:
per fold, one eigendecomposition of the training design gives the closed-form
coefficients of every alpha; the score is the scorer (R^2 by default) of each
candidate on the held-out fold, given the fold's sample weights when the scorer
accepts them (as GridSearchCV does), averaged over folds without weights; ties
go to the first alpha in the order given. The final model is refitted at ``alpha_``
on all data by :class:`fastreg.Ridge`.
"""
import inspect
import warnings

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.metrics import check_scoring, get_scorer
from sklearn.model_selection import check_cv
from sklearn.utils.metadata_routing import (MetadataRouter, MethodMapping,
                                            process_routing)

from ._base import LinearRegressorBase
from ._dask import is_dask_collection
from ._ridge_loo import choose_route, decompose, full_predictions, loo_residuals
from ._preprocess import preprocess
from ._result import ABSENT, FitResult
from ._ridge import Ridge
from ._selection import choose_alphas, first_best
from ._validation import (check_bool, check_choice, check_fit_params, check_ridge_cv_alphas,
                          check_sample_weight, routing_enabled)

GCV_MODES = {"auto", "svd", "eigen"}


class _PredictionsAsRegressor(RegressorMixin, BaseEstimator):
    """A stand-in estimator whose ``predict`` returns its input: lets a
    scikit-learn scorer score precomputed (leave-one-out) predictions."""

    def fit(self, X, y=None):  # pragma: no cover - never fitted
        return self

    def predict(self, X):
        return X


# ---------------------------------------------------------------------------
# Gram matrices of the centred, weighted float64 design
# ---------------------------------------------------------------------------
# the estimator
# ---------------------------------------------------------------------------

class RidgeCV(LinearRegressorBase):
    """Ridge regression with built-in cross-validation of the penalty.

    Drop-in for :class:`sklearn.linear_model.RidgeCV`: same parameters, same
    fitted attributes, same objective as :class:`fastreg.Ridge`::

        sum_i s_i (y_i - x_i.w - b)^2 + alpha * ||w||^2

    By default (``cv=None``) the penalty is chosen by exact, efficient
    leave-one-out cross-validation: one eigendecomposition of the centred
    design (or of its n x n kernel matrix when n_samples < n_features) gives the
    leave-one-out residuals of every alpha at once, intercept included. Sparse X
    is never densified.

    Parameters
    ----------
    alphas : float or array-like of shape (n_alphas,), default=(0.1, 1.0, 10.0)
        Candidate penalties, > 0 with ``cv=None`` (>= 0 with K-fold).
    fit_intercept : bool, default=True
        Whether to fit an (unpenalised) intercept.
    scoring : str, callable or None, default=None
        A scikit-learn scorer name or callable ``scorer(estimator, X, y)``.
        None means: with ``cv=None`` minus the mean squared (weighted)
        leave-one-out error; with K-fold the R^2 of each held-out fold.
    cv : int, cross-validation generator, iterable or None, default=None
        None for efficient leave-one-out; otherwise the K-fold splitting
        strategy, as accepted by :func:`sklearn.model_selection.check_cv`
        (an int is a :class:`~sklearn.model_selection.KFold`).
    gcv_mode : {'auto', 'svd', 'eigen'} or None, default=None
        Decomposition used with ``cv=None``. 'svd': the p x p side, i.e. the
        thin SVD of the dense centred design (the eigendecomposition of
        ``X^T X`` for sparse X); 'eigen': the eigendecomposition of the n x n
        kernel matrix ``X X^T``; 'auto' (or None) chooses by a cost model among
        the eigendecompositions of ``X^T X`` (SYRK, then eigh) and of ``X X^T``
        that fit in memory.
    store_cv_results : bool, default=False
        Whether to keep the leave-one-out values in ``cv_results_`` (only with
        ``cv=None``).
    alpha_per_target : bool, default=False
        With a 2-D ``y``, choose one alpha per target (only with ``cv=None``).
    standardize : bool, default=False
        glmnet's ``standardize``, as in :class:`fastreg.Ridge`: every fit
        penalises the coefficients of the columns scaled to unit weighted
        standard deviation; ``coef_`` and ``intercept_`` are on the original
        scale. Leave-one-out decomposes the design standardised by the
        deviations of all the data (held fixed when a sample is left out: the
        exact leave-one-out of that generalised ridge); K-fold standardises
        each training fold by its own deviations, as ``GridSearchCV(Ridge(
        standardize=True))`` does.

    Attributes
    ----------
    cv_results_ : ndarray of shape (n_samples, n_alphas) or (n_samples, n_targets, n_alphas)
        With ``store_cv_results=True`` and ``cv=None``: the squared weighted
        leave-one-out errors ``s_i (y_i - yhat_{-i})^2`` (``scoring=None``) or
        the leave-one-out predictions (a scorer given).
    coef_ : ndarray of shape (n_features,) or (n_targets, n_features)
        Coefficients of the model refitted at ``alpha_`` on all the data.
    intercept_ : float or ndarray of shape (n_targets,)
        Intercept (0.0 when ``fit_intercept=False``).
    alpha_ : float or ndarray of shape (n_targets,)
        The chosen penalty (one per target with ``alpha_per_target=True``).
    best_score_ : float or ndarray of shape (n_targets,)
        Score of ``alpha_`` (greater is better: with ``cv=None`` and
        ``scoring=None`` it is minus the mean squared leave-one-out error).
    gcv_mode_ : str or None
        The leave-one-out route taken: 'svd', 'gram' (eigendecomposition of
        ``X^T X``) or 'eigen' (of ``X X^T``); None with K-fold.
    n_features_in_ : int
        Number of features seen during fit.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Feature names, when X has string column names.

    Notes
    -----
    With ``cv=None`` the computation is float64 whatever the input dtype; a
    float32 X is upcast (one float64 copy), as scikit-learn does.

    The 'gram' and 'eigen' routes square the condition number of X: alphas
    below about ``1e-12 * ||X||_2^2`` lose accuracy there; ``gcv_mode='svd'``
    (dense X) keeps it.

    Examples
    --------
    >>> import numpy as np
    >>> from fastreg._ridge_cv import RidgeCV
    >>> rng = np.random.default_rng(0)
    >>> X = rng.standard_normal((50, 5))
    >>> y = X @ np.arange(5.0) + 2.0 * rng.standard_normal(50)
    >>> model = RidgeCV(alphas=np.logspace(-3, 3, 13)).fit(X, y)
    >>> round(model.alpha_, 4), model.gcv_mode_
    (0.3162, 'gram')
    """

    def __init__(self, alphas=(0.1, 1.0, 10.0), *, fit_intercept=True, scoring=None,
                 cv=None, gcv_mode=None, store_cv_results=False, alpha_per_target=False,
                 standardize=False):
        self.alphas = alphas
        self.fit_intercept = fit_intercept
        self.scoring = scoring
        self.cv = cv
        self.gcv_mode = gcv_mode
        self.store_cv_results = store_cv_results
        self.alpha_per_target = alpha_per_target
        self.standardize = standardize

    # -- scikit-learn plumbing ----------------------------------------------
    def _scorer(self, for_routing=False):
        if self.scoring is None:
            if for_routing or (routing_enabled() and self.cv is not None):
                # R^2, weighted when routing passes sample_weight (as scikit-learn)
                return get_scorer("r2").set_score_request(sample_weight=True)
            return None
        return check_scoring(estimator=self, scoring=self.scoring)

    def get_metadata_routing(self):
        """Get the metadata routing of this object.

        Returns
        -------
        routing : MetadataRouter
            Routes ``fit`` metadata to the scorer (``score``) and to the
            cross-validation splitter (``split``).
        """
        return (MetadataRouter(owner=self)
                .add_self_request(self)
                .add(scorer=self._scorer(for_routing=True),
                     method_mapping=MethodMapping().add(caller="fit", callee="score"))
                .add(splitter=self.cv,
                     method_mapping=MethodMapping().add(caller="fit", callee="split")))

    def fit(self, X, y, sample_weight=None, **params):
        """Fit the model, choosing alpha by cross-validation.

        Parameters
        ----------
        X : {ndarray, sparse matrix} of shape (n_samples, n_features)
            Training data (dense, or scipy.sparse CSC/CSR; never densified).
        y : ndarray of shape (n_samples,) or (n_samples, n_targets)
            Target values.
        sample_weight : float or array-like of shape (n_samples,), default=None
            Individual weights for each sample (not normalised). With
            ``cv=None`` they weight the leave-one-out errors too (and are passed
            to a scorer); with K-fold they weight the fits and are passed to the
            scorer of each held-out fold, as scikit-learn's GridSearchCV does.
        **params : dict
            Metadata routed to the scorer and the splitter (e.g. ``groups``);
            only with ``sklearn.set_config(enable_metadata_routing=True)``.

        Returns
        -------
        self : object
            Fitted estimator.
        """
        check_bool(self.fit_intercept, "fit_intercept")
        check_bool(self.store_cv_results, "store_cv_results")
        check_bool(self.alpha_per_target, "alpha_per_target")
        check_bool(self.standardize, "standardize")
        if self.gcv_mode is not None:
            check_choice(self.gcv_mode, "gcv_mode", GCV_MODES)
        if self.scoring is not None and not (isinstance(self.scoring, str)
                                             or callable(self.scoring)):
            raise ValueError(f"scoring must be a str, a callable or None, got "
                             f"{self.scoring!r}.")
        alphas = check_ridge_cv_alphas(self.alphas, strict=self.cv is None)
        if self.cv is not None:
            if self.store_cv_results:
                raise ValueError("cv!=None and store_cv_results=True are incompatible: "
                                 "cv_results_ holds leave-one-out values (cv=None).")
            if self.alpha_per_target:
                raise ValueError("cv!=None and alpha_per_target=True are incompatible: "
                                 "one alpha per target needs leave-one-out (cv=None).")
        check_fit_params(params, "RidgeCV.fit")
        if is_dask_collection(X):  # Dask arrays: statistics, then LOO or K-fold
            if params:
                raise ValueError("Metadata routing is not supported on Dask input.")
            from ._dask.ridge import fit_ridge_cv_dask
            return self._set_fitted(fit_ridge_cv_dask(
                dict(self.get_params(deep=False), alphas=alphas), X, y, sample_weight))

        X, y = self._validate_Xy(X, y)
        n = X.shape[0]
        sw = check_sample_weight(sample_weight, n, np.float64)
        score_params, split_params = {}, {}
        if routing_enabled():
            if sample_weight is not None:
                params = dict(params, sample_weight=sample_weight)
            routed = process_routing(self, "fit", **params)
            score_params = dict(routed.scorer.score)
            split_params = dict(routed.splitter.split)
        elif sw is not None and (self.scoring is not None or self.cv is not None):
            # as scikit-learn: the weights reach the scorer (K-fold: when it
            # accepts them, like GridSearchCV)
            score_params = {"sample_weight": sw}

        if self.cv is None:
            result = self._fit_loo(X, y, sw, alphas, score_params)
        else:
            result = self._fit_kfold(X, y, sample_weight, sw, alphas, score_params,
                                     split_params)
        return self._set_fitted(result)

    # -- leave-one-out --------------------------------------------------------
    def _fit_loo(self, X, y, sw, alphas, score_params):
        dtype = X.dtype
        n = X.shape[0]
        if sp.issparse(X):
            X64 = X if X.dtype == np.float64 else X.astype(np.float64)
        else:
            X64 = np.asarray(X, dtype=np.float64, order="F")
        # preprocess may centre X64 in place only when it is our own copy
        copy_X = sp.issparse(X) or X64 is X or np.may_share_memory(X64, X)
        y64 = np.asarray(y, dtype=np.float64)
        design = base = preprocess(X64, y64, sw, self.fit_intercept, copy_X=copy_X)
        scale = None
        if self.standardize:  # the engine runs on the standardised columns
            scale = design.inverse_scales()
            design = design.scaled(scale)
        T = design.y2d.shape[1]
        A = alphas.shape[0]
        scorer = self._scorer() if self.scoring is not None else None
        route = choose_route(design, self.gcv_mode or "auto", A * (T + 1))
        spec = decompose(design, route, self.fit_intercept)

        keep = self.store_cv_results or scorer is not None
        sse, E = loo_residuals(spec, alphas, keep)
        per_target = self.alpha_per_target and y.ndim == 2 and T > 1

        if scorer is None:
            if per_target:
                scores = -sse / n                                  # (T, A)
            else:
                scores = -sse.sum(axis=0) / (n * T)                # (A,)
            if self.store_cv_results:
                results = E * E
        else:
            P = self._loo_predictions(spec, X, y64, sw, E, alphas, T, scale)
            ident = _PredictionsAsRegressor()
            if per_target:
                scores = np.array([[scorer(ident, P[:, t, a], y64[:, t], **score_params)
                                    for a in range(A)] for t in range(T)], dtype=float)
            else:
                Pa = P[:, 0, :] if y.ndim == 1 else P
                scores = np.array([scorer(ident, Pa[..., a], y64, **score_params)
                                   for a in range(A)], dtype=float)
            if self.store_cv_results:
                results = P

        alpha, best_score, chosen = choose_alphas(scores, alphas, per_target, T)

        coef = spec.coefs_paired(chosen, spec.projected_target()).T  # (T, p)
        if scale is not None:
            coef = coef * scale  # the original columns' scale
        if self.fit_intercept:
            intercept = base.y_mean - coef @ base.x_mean
            intercept = (intercept.astype(dtype) if y.ndim == 2
                         else dtype.type(intercept[0]))
        else:
            intercept = 0.0  # scikit-learn's RidgeCV: a float, whatever y's shape
        cv_results = ABSENT
        if self.store_cv_results:
            shape = (n, A) if y.ndim == 1 else (n, T, A)
            cv_results = results.reshape(shape).astype(dtype, copy=False)
        return FitResult((coef[0] if T == 1 else coef).astype(dtype, copy=False), intercept,
                         attributes={"alpha": alpha, "best_score": best_score,
                                     "gcv_mode": route, "cv_results": cv_results})

    def _loo_predictions(self, spec, X, y64, sw, E, alphas, T, scale=None):
        """Leave-one-out predictions in the original units, (n, T, A) (``scale``:
        the standardisation's column scales of the engine's design)."""
        d = spec.design
        s = d.sqrt_sw
        n = y64.shape[0]
        Y = y64.reshape(n, T)
        P = np.empty_like(E)
        pos = s > 0
        P[pos] = Y[pos, :, None] - E[pos] / s[pos, None, None]
        zero = np.flatnonzero(~pos)
        if zero.size:
            # a zero-weight sample leaves the fit unchanged: its leave-one-out
            # prediction is the full-data prediction
            rows = X[zero]
            rows = rows.astype(np.float64) if sp.issparse(rows) else np.asarray(
                rows, dtype=np.float64)
            if scale is not None:  # rows of the standardised design
                rows = rows @ sp.diags(scale) if sp.issparse(rows) else rows * scale
            P[zero] = full_predictions(spec, alphas, rows, T)
        return P

    # -- K-fold ---------------------------------------------------------------
    def _fit_kfold(self, X, y, sample_weight, sw, alphas, score_params, split_params):
        cv = check_cv(self.cv, y, classifier=False)
        scorer = self._scorer()
        if scorer is None:
            scorer = get_scorer("r2")
        if (not routing_enabled() and "sample_weight" in score_params
                and not _accepts_sample_weight(scorer)):
            warnings.warn(f"The scoring {scorer} does not support sample_weight: the "
                          "held-out folds are scored without weights.", UserWarning,
                          stacklevel=3)
            score_params = {}
        n = X.shape[0]
        Xw = X.tocsr() if sp.issparse(X) else X
        Xw64 = Xw.astype(np.float64) if Xw.dtype != np.float64 else Xw
        y64 = np.asarray(y, dtype=np.float64)
        A = alphas.shape[0]
        fold_scores = []
        for train, test in cv.split(X, y, **split_params):
            train, test = np.asarray(train), np.asarray(test)
            sw_tr = None if sw is None else sw[train]
            fold = self._fold_coefs(Xw64[train], y64[train], sw_tr, alphas)
            Xte = Xw[test]
            yte = y[test]
            sp_te = {k: (v[test] if _is_sample_aligned(v, n) else v)
                     for k, v in score_params.items()}
            row = []
            for a in range(A):
                coef, intercept = fold[a]
                est = Ridge(alpha=float(alphas[a]), fit_intercept=self.fit_intercept)
                est._set_fitted(FitResult(coef.astype(X.dtype, copy=False), intercept,
                                          n_iter=None, attributes={
                                              "n_features_in": X.shape[1],
                                              "solver": "cholesky"}))
                row.append(scorer(est, Xte, yte, **sp_te))
            fold_scores.append(row)
        if not fold_scores:
            raise ValueError("cv produced no train/test splits.")
        mean_scores = np.mean(np.array(fold_scores, dtype=float), axis=0)
        if not np.all(np.isfinite(mean_scores)):
            warnings.warn(f"RidgeCV: some cross-validation scores are non-finite: "
                          f"{mean_scores}", UserWarning, stacklevel=3)
        best = first_best(mean_scores)
        alpha = float(alphas[best])
        final = Ridge(alpha=alpha, fit_intercept=self.fit_intercept,
                      standardize=self.standardize).fit(
            X, y, sample_weight=sample_weight)
        return FitResult(final.coef_, final.intercept_ if self.fit_intercept else 0.0,
                         attributes={"alpha": alpha, "best_score": mean_scores[best],
                                     "gcv_mode": None, "cv_results": ABSENT})

    def _fold_coefs(self, Xtr, ytr, sw_tr, alphas):
        """[(coef, intercept)] of every alpha on one training fold, in the shapes
        fastreg.Ridge would give."""
        design = base = preprocess(Xtr, ytr, sw_tr, self.fit_intercept, copy_X=False)
        scale = None
        if self.standardize:  # the fold's own standard deviations
            scale = design.inverse_scales()
            design = design.scaled(scale)
        T = design.y2d.shape[1]
        A = alphas.shape[0]
        try:
            route = choose_route(design, "auto", A * T)
        except ValueError:
            route = None
        out = []
        if route is None:  # no decomposition fits: one Ridge fit per alpha
            for a in alphas:
                m = Ridge(alpha=float(a), fit_intercept=self.fit_intercept,
                          standardize=self.standardize).fit(
                    Xtr, ytr, sample_weight=sw_tr)
                out.append((np.asarray(m.coef_), m.intercept_))
            return out
        spec = decompose(design, route, self.fit_intercept)
        W = spec.coefs(alphas).reshape(-1, T, A)                   # (p, T, A)
        if scale is not None:
            W = W * scale[:, None, None]  # the original columns' scale
        for a in range(A):
            coef = W[:, :, a].T                                    # (T, p)
            if self.fit_intercept:
                intercept = base.y_mean.reshape(T) - coef @ base.x_mean
            else:
                intercept = np.zeros(T)
            if ytr.ndim == 1:
                out.append((coef[0], float(intercept[0])))
            else:
                out.append((coef, intercept))
        return out


def _accepts_sample_weight(scorer):
    check = getattr(scorer, "_accept_sample_weight", None)
    if callable(check):
        return bool(check())
    try:
        return "sample_weight" in inspect.signature(scorer).parameters
    except (TypeError, ValueError):
        return False


def _is_sample_aligned(v, n):
    return hasattr(v, "__len__") and not isinstance(v, (str, bytes)) and len(v) == n
