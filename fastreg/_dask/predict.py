"""``predict`` on a Dask array: a lazy Dask array, chunk by chunk."""
import numpy as np


def predict_dask(est, X):
    """``X @ coef_.T + intercept_`` of the fitted ``est`` as a lazy Dask array,
    chunk by chunk (dense or scipy.sparse chunks): nothing is computed or
    gathered here. Reads the fitted attributes only."""
    from sklearn.utils.validation import check_is_fitted

    check_is_fitted(est, "coef_")
    if X.ndim != 2:
        raise ValueError(f"X must be 2-D, got a Dask array with shape {X.shape}.")
    if X.shape[1] != est.n_features_in_:
        raise ValueError(f"X has {X.shape[1]} features, but {type(est).__name__} was "
                         f"fitted with {est.n_features_in_} features.")
    if len(X.chunks[1]) > 1:
        X = X.rechunk({1: -1})
    coef = np.asarray(est.coef_, dtype=np.float64)
    intercept = np.asarray(est.intercept_, dtype=np.float64)

    def block(x):
        return np.asarray(x @ coef.T, dtype=np.float64) + intercept

    if coef.ndim == 1:
        return X.map_blocks(block, drop_axis=1, dtype=np.float64)
    return X.map_blocks(block, chunks=(X.chunks[0], (coef.shape[0],)), dtype=np.float64)
