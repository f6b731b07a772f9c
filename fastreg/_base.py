"""What every fastreg linear estimator shares: prediction and scikit-learn plumbing."""
import warnings

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, MultiOutputMixin, RegressorMixin
from sklearn.exceptions import DataConversionWarning
from sklearn.utils.validation import assert_all_finite, check_is_fitted, validate_data

from ._dask import is_dask_collection
from ._result import ABSENT, intercept_from_means
from ._validation import (FLOAT_DTYPES, check_array_basics, check_consistent_length,
                          check_sparse_structure, finite_column_sums)


class LinearRegressorBase(MultiOutputMixin, RegressorMixin, BaseEstimator):
    """Base class: validated input, ``predict``, intercept bookkeeping, tags."""

    def _validate_Xy(self, X, y, check_input=True, multi_output=True, col_sums=False):
        """Validate (X, y) once: float32/64, finite, dense or CSC/CSR sparse.

        The memory layout is left alone: ``preprocess`` makes the one copy (if
        any) that puts X in Fortran order for the kernels. With ``col_sums``,
        also return X's column sums when the finiteness check computed them
        (plain dense arrays), else None: ``preprocess`` turns them into the
        means without another pass over X.
        """
        if y is None:
            raise ValueError(f"{type(self).__name__} requires y to be passed, but the "
                             "target y is None.")
        if _plain_float_array(X) and _plain_float_array(y):
            X, y, sums = self._validate_Xy_fast(X, y, check_input)
            y = y if multi_output else _single_output(y)
            return (X, y, sums) if col_sums else (X, y)
        if sp.issparse(X):
            check_sparse_structure(X)
        check_consistent_length(check_array_basics(X, "X", (2,)),
                                check_array_basics(y, "y", (1, 2)))
        X, y = validate_data(
            self, X, y,
            accept_sparse=("csc", "csr"),
            dtype=FLOAT_DTYPES,
            copy=False,
            multi_output=True,
            y_numeric=True,
            ensure_all_finite=check_input,
        )
        y = np.asarray(y, dtype=X.dtype)
        if y.ndim > 2:
            raise ValueError(f"y must be 1-D or 2-D, got shape {y.shape}.")
        y = y if multi_output else _single_output(y)
        return (X, y, None) if col_sums else (X, y)

    def _validate_Xy_fast(self, X, y, check_input):
        """The checks of ``_validate_Xy`` for plain float ndarrays, without the
        generic machinery of ``validate_data`` (which costs as much as a whole
        small fit). Returns ``(X, y, column sums of X or
        None)``."""
        check_array_basics(X, "X", (2,))
        check_array_basics(y, "y", (1, 2))
        check_consistent_length(X, y)
        n_features = X.shape[1]
        sums = None
        if check_input:
            sums = finite_column_sums(X)  # returned for the means
            if not np.isfinite(np.sum(y)):
                assert_all_finite(y, input_name="y")
        self.n_features_in_ = n_features
        if hasattr(self, "feature_names_in_"):
            del self.feature_names_in_
        return X, np.asarray(y, dtype=X.dtype), sums

    def _set_fitted(self, result):
        """Set the fitted attributes from a :class:`fastreg._result.FitResult`
        (the one place they are written); returns ``self``."""
        self.coef_ = result.coef
        self.intercept_ = result.intercept
        if result.n_iter is not ABSENT:
            self.n_iter_ = result.n_iter
        if result.dual_gap is not ABSENT:
            self.dual_gap_ = result.dual_gap
        for name, value in result.attributes.items():
            if value is ABSENT:
                if hasattr(self, name + "_"):
                    delattr(self, name + "_")
            else:
                setattr(self, name + "_", value)
        return self

    def _decision_function(self, X):
        check_is_fitted(self)
        if (_plain_float_array(X) and X.ndim == 2 and X.shape[0] > 0
                and not hasattr(self, "feature_names_in_")):
            if X.shape[1] != self.n_features_in_:
                raise ValueError(f"X has {X.shape[1]} features, but "
                                 f"{type(self).__name__} is expecting "
                                 f"{self.n_features_in_} features as input.")
            if not np.isfinite(np.sum(X)):
                assert_all_finite(X, input_name="X")
        else:
            if sp.issparse(X):
                check_sparse_structure(X)
            check_array_basics(X, "X", (2,))
            X = validate_data(self, X, accept_sparse=("csr", "csc", "coo"),
                              dtype=FLOAT_DTYPES, reset=False)
        out = X @ self.coef_.T
        return np.asarray(out) + self.intercept_

    def predict(self, X):
        """Predict using the linear model.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Samples.

        Returns
        -------
        y_pred : ndarray of shape (n_samples,) or (n_samples, n_targets)
            Predicted values. For a Dask array X, a lazy Dask array computed
            chunk by chunk.
        """
        if is_dask_collection(X):
            from ._dask.predict import predict_dask
            return predict_dask(self, X)
        return self._decision_function(X)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        return tags


def intercept_of(design, coef, fit_intercept):
    """The intercept of ``coef`` (shape (p,) or (T, p)) on a preprocessed design:
    ``y_mean - x_mean . coef``, or zeros (0.0 for a single target) without one."""
    return intercept_from_means(coef, design.x_mean, design.y_mean, fit_intercept)


def _plain_float_array(a):
    """True for an exact numpy ndarray of float32/float64 (no subclass, no frame)."""
    return type(a) is np.ndarray and a.dtype in FLOAT_DTYPES


def _single_output(y):
    """y for a single-output estimator: a column vector is raveled with a warning
    (scikit-learn's behaviour); more than one column is an error."""
    if y.ndim == 2 and y.shape[1] == 1:
        warnings.warn("A column-vector y was passed when a 1d array was expected; it is "
                      "raveled to shape (n_samples,).", DataConversionWarning, stacklevel=4)
        return y.ravel()
    if y.ndim != 1:
        raise ValueError(f"y must be 1-D for this estimator, got shape {y.shape}; fit one "
                         "model per target.")
    return y
