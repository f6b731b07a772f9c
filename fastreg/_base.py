"""What every fastreg linear estimator shares: prediction and scikit-learn plumbing."""
import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, MultiOutputMixin, RegressorMixin
from sklearn.utils.validation import check_is_fitted, validate_data

from ._validation import check_sparse_structure

FLOAT_DTYPES = (np.float64, np.float32)


class LinearRegressorBase(MultiOutputMixin, RegressorMixin, BaseEstimator):
    """Base class: validated input, ``predict``, intercept bookkeeping, tags."""

    def _validate_Xy(self, X, y, check_input=True):
        """Validate (X, y) once: float32/64, finite, dense or CSC/CSR sparse."""
        if sp.issparse(X):
            check_sparse_structure(X)
        X, y = validate_data(
            self, X, y,
            accept_sparse=("csc", "csr"),
            dtype=FLOAT_DTYPES,
            order="F",
            copy=False,
            multi_output=True,
            y_numeric=True,
            ensure_all_finite=check_input,
        )
        y = np.asarray(y, dtype=X.dtype)
        if y.ndim > 2:
            raise ValueError(f"y must be 1-D or 2-D, got shape {y.shape}.")
        return X, y

    def _set_intercept(self, design):
        """intercept_ = y_mean - x_mean . coef_ (0.0 without an intercept)."""
        if self.fit_intercept:
            self.intercept_ = design.y_mean - self.coef_ @ design.x_mean
        else:
            self.intercept_ = (np.zeros(self.coef_.shape[0], dtype=self.coef_.dtype)
                               if self.coef_.ndim == 2 else 0.0)

    def _decision_function(self, X):
        check_is_fitted(self)
        if sp.issparse(X):
            check_sparse_structure(X)
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
            Predicted values.
        """
        return self._decision_function(X)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        return tags
