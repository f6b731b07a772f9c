"""Input and parameter validation: done once, in Python, before any kernel runs.

Kernels trust what they are given; every check that protects them lives here,
and every error names the argument at fault.
"""
import numbers

import numpy as np
import scipy.sparse as sp
from sklearn import get_config
from sklearn.utils.validation import assert_all_finite

#: The floating dtypes the kernels are compiled for; other inputs are converted.
FLOAT_DTYPES = (np.float64, np.float32)


def check_real(value, name, *, low=None, high=None, low_open=False, high_open=False):
    """Return ``value`` as a float after checking it is a finite real in range."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number, got {value!r} of type "
                        f"{type(value).__name__}.")
    value = float(value)
    if not np.isfinite(value):
        raise ValueError(f"{name} must be finite, got {value!r}.")
    if low is not None and (value < low or (low_open and value == low)):
        raise ValueError(f"{name} must be {'>' if low_open else '>='} {low}, got {value!r}.")
    if high is not None and (value > high or (high_open and value == high)):
        raise ValueError(f"{name} must be {'<' if high_open else '<='} {high}, got {value!r}.")
    return value


def check_int(value, name, *, low=None, high=np.iinfo(np.int32).max):
    """Return ``value`` as an int after checking ``low <= value <= high``.

    The default ``high`` is the largest C int: counts reach the kernels as one.
    """
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an integer, got {value!r} of type "
                        f"{type(value).__name__}.")
    if low is not None and value < low:
        raise ValueError(f"{name} must be >= {low}, got {value!r}.")
    if high is not None and value > high:
        raise ValueError(f"{name} must be <= {high}, got {value!r}.")
    return int(value)


def check_bool(value, name):
    """Return ``value`` as a bool after checking it is one."""
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be a bool, got {value!r}.")
    return bool(value)


def check_choice(value, name, choices):
    """Check that ``value`` is one of ``choices``."""
    if not isinstance(value, str) or value not in choices:
        raise ValueError(f"{name} must be one of {sorted(choices)}, got {value!r}.")
    return value


def check_penalty(alpha, name="alpha", n_targets=None):
    """Check a penalty strength: a finite float >= 0, or one per target."""
    if np.ndim(alpha) == 0:
        return check_real(alpha, name, low=0.0)
    alpha = np.asarray(alpha)
    if n_targets is None or alpha.ndim != 1 or alpha.shape[0] not in (1, n_targets):
        raise ValueError(f"Number of targets and number of penalties do not correspond: "
                         f"{alpha.size} != {n_targets} ({name} must be a scalar or a "
                         f"1-D array with one value per target, got shape {alpha.shape}).")
    if alpha.dtype.kind not in "iuf":
        raise TypeError(f"{name} must hold real numbers, got dtype {alpha.dtype}.")
    alpha = alpha.astype(np.float64)
    if not np.all(np.isfinite(alpha)) or np.any(alpha < 0):
        raise ValueError(f"{name} must hold finite values >= 0, got {alpha!r}.")
    return alpha if alpha.shape[0] == n_targets else np.full(n_targets, alpha[0])


def check_sample_weight(sample_weight, n_samples, dtype):
    """Validate ``sample_weight``; return None (uniform) or a float array of shape (n,).

    Weights must be finite and non-negative, with a positive sum.
    """
    if sample_weight is None:
        return None
    sw = np.asarray(sample_weight)
    if sw.ndim == 0:
        sw = np.full(n_samples, check_real(sw.item(), "sample_weight"))
    if sw.dtype.kind not in "biuf":
        raise TypeError(f"sample_weight must hold real numbers, got dtype {sw.dtype}.")
    if sw.ndim != 1:
        raise ValueError(f"Sample weights must be 1D array or scalar (sample_weight has "
                         f"shape {sw.shape}).")
    if sw.ndim != 1 or sw.shape[0] != n_samples:
        raise ValueError(f"sample_weight must have shape ({n_samples},), got {sw.shape}.")
    sw = sw.astype(dtype, copy=True)
    if not np.all(np.isfinite(sw)):
        raise ValueError("sample_weight must be finite (it contains NaN or inf).")
    if np.any(sw < 0):
        raise ValueError("sample_weight must be non-negative.")
    if not np.any(sw > 0):
        raise ValueError("sample_weight must have a positive sum: all weights are zero.")
    return sw


def check_sparse_structure(X):
    """Reject a scipy.sparse matrix whose index arrays are inconsistent.

    scipy does not always check this at construction time, and a kernel that
    trusts the structure would read out of bounds.
    """
    if not sp.issparse(X):
        return
    if X.format == "coo":
        for coords, size, axis in ((X.row, X.shape[0], "row"), (X.col, X.shape[1], "column")):
            if coords.size and (coords.min() < 0 or coords.max() >= size):
                raise ValueError(f"X: sparse COO {axis} indices out of range [0, {size}).")
        return
    if X.format not in ("csr", "csc"):
        return
    n_major = X.shape[0] if X.format == "csr" else X.shape[1]
    n_minor = X.shape[1] if X.format == "csr" else X.shape[0]
    indptr, indices = X.indptr, X.indices
    if indptr.ndim != 1 or indptr.shape[0] != n_major + 1:
        raise ValueError(f"X: sparse indptr has length {indptr.shape[0]}, expected "
                         f"{n_major + 1} for a {X.format} matrix of shape {X.shape}.")
    if indptr[0] != 0 or np.any(np.diff(indptr) < 0):
        raise ValueError("X: sparse indptr must start at 0 and be non-decreasing.")
    if indptr[-1] != indices.shape[0] or X.data.shape[0] != indices.shape[0]:
        raise ValueError("X: sparse indptr[-1], len(indices) and len(data) disagree.")
    if indices.size and (indices.min() < 0 or indices.max() >= n_minor):
        raise ValueError(f"X: sparse indices out of range [0, {n_minor}).")


def check_array_basics(a, name, ndims):
    """Reject, with a message naming ``name``, what scikit-learn's generic
    validation would reject with an anonymous one: non-numeric or complex
    values, a wrong number of dimensions, no rows or no columns.

    Returns the array view used for the checks (for shapes), never a copy of
    sparse input.
    """
    if sp.issparse(a):
        if name != "X":
            raise TypeError(f"{name} must be a dense array, got a sparse matrix.")
        arr = a
    else:
        arr = a if isinstance(a, np.ndarray) else np.asarray(a)
        if arr.dtype.kind == "c":
            raise ValueError(f"Complex data not supported: {name} must be real-valued.")
        if arr.dtype.kind in "USV":
            raise ValueError(f"{name} must contain numbers, got an array of dtype "
                             f"{arr.dtype} (strings are not converted).")
        if arr.dtype.kind == "O":  # objects that are numbers are accepted, as in sklearn
            try:
                arr = arr.astype(np.float64)
            except (TypeError, ValueError) as exc:
                raise type(exc)(f"{name} must contain numbers only: {exc}") from None
    if arr.dtype.kind == "c":
        raise ValueError(f"Complex data not supported: {name} must be real-valued.")
    if arr.ndim not in ndims:
        raise ValueError(f"{name} must be {' or '.join(f'{d}-D' for d in ndims)}, got a "
                         f"{arr.ndim}-D array of shape {arr.shape}. Reshape your data.")
    if arr.ndim == 2 and name != "X" and arr.shape[1] == 0:
        raise ValueError(f"{name} has shape {arr.shape}: at least one target column is "
                         "required.")
    if arr.ndim == 2 and name == "X":
        for axis, what in ((0, "sample"), (1, "feature")):
            if arr.shape[axis] > np.iinfo(np.int32).max:  # the kernels count in C int
                raise ValueError(f"X has {arr.shape[axis]} {what}s: at most "
                                 f"{np.iinfo(np.int32).max} are supported.")
            if arr.shape[axis] == 0:
                raise ValueError(f"X is empty: found array with 0 {what}(s) (shape="
                                 f"{arr.shape}) while a minimum of 1 is required.")
    return arr


def check_feature_names(X):
    """The feature names of X: its string column names (a pandas DataFrame's) as
    an object array, or None when X has no column names or none is a string
    (scikit-learn's rule for ``feature_names_in_``); a mix of strings and
    other names is a TypeError."""
    columns = getattr(X, "columns", None)
    if columns is None or sp.issparse(X):
        return None
    names = np.asarray(columns, dtype=object)
    is_str = np.array([isinstance(c, str) for c in names], dtype=bool)
    if is_str.all() and names.size:
        return names
    if is_str.any():
        raise TypeError("Feature names are only supported if all input features have "
                        "string names; X has column names of types "
                        f"{sorted({type(c).__name__ for c in names})}: convert them all "
                        "to str, e.g. X.columns = X.columns.astype(str).")
    return None


def check_consistent_length(X, y):
    """``y`` must have one row per row of ``X``."""
    if y.shape[0] != X.shape[0]:
        raise ValueError(f"y has {y.shape[0]} samples but X has {X.shape[0]}: they must "
                         "have the same number of rows.")


def check_alpha_values(alphas, name="alphas", strict=False):
    """An explicit grid of penalties as a 1-D float64 array, checked entry by entry.

    Each entry must be a real number (TypeError otherwise, as a string in the
    list would otherwise be converted silently) and ``>= 0`` (``> 0`` when
    ``strict``); scikit-learn's wording, ``alphas[i] == v, must be >= 0.0.``,
    starts each message because its tests and users match on it.
    """
    if isinstance(alphas, (str, bytes)):
        raise TypeError(f"{name} must be a real number or an array-like of them, got "
                        f"{alphas!r}.")
    if sp.issparse(alphas):
        raise TypeError(f"{name} must be a dense array-like, got a sparse matrix.")
    values = np.asarray(alphas, dtype=object) if not isinstance(alphas, np.ndarray) \
        else alphas
    if values.ndim > 1:
        raise ValueError(f"{name} must be a float or a 1-D array-like, got an array of "
                         f"shape {values.shape}.")
    values = np.atleast_1d(values)
    if values.size == 0:
        raise ValueError(f"{name} must contain at least one value, got an empty sequence.")
    if values.dtype.kind not in "biuf":
        for i, v in enumerate(values):
            if isinstance(v, (bool, np.bool_)) or not isinstance(v, numbers.Real):
                raise TypeError(f"{name}[{i}] must be an instance of float, not "
                                f"{type(v).__name__}.")
    out = values.astype(np.float64)
    for i, v in enumerate(out):
        if not np.isfinite(v):
            raise ValueError(f"{name}[{i}] == {values[i]}, must be finite.")
        if v < 0 or (strict and v == 0):
            bound = "> 0.0" if strict else ">= 0.0"
            raise ValueError(f"{name}[{i}] == {values[i]}, must be {bound}.")
    return out


def check_ridge_cv_alphas(alphas, strict):
    """RidgeCV's ``alphas`` as a 1-D float64 array (:func:`check_alpha_values`).

    ``strict``: leave-one-out needs alpha > 0 (the hat matrix of alpha = 0 can
    have a leverage of 1); K-fold allows alpha = 0.
    """
    try:
        return check_alpha_values(alphas, "alphas", strict=strict)
    except ValueError as exc:
        if strict and "must be > 0.0" in str(exc):
            raise ValueError(f"{exc} Leave-one-out (cv=None) needs a positive penalty; "
                             "K-fold cross-validation accepts alpha = 0.") from None
        raise


def check_finite_fit(coef, intercept):
    """Fitted coefficients must be finite: overflow in the data shows here."""
    if not (np.all(np.isfinite(coef)) and np.all(np.isfinite(intercept))):
        raise ValueError("Coordinate descent iterations resulted in non-finite parameter "
                         "values. The input data may contain large values and need to be "
                         "preprocessed (the values overflow the dtype: rescale X or y).")


def check_grid_l1_ratio(l1_ratio):
    """The automatic alpha grid scales with 1 / l1_ratio: it needs an L1 term."""
    if l1_ratio == 0:
        raise ValueError("Automatic alpha grid generation is not supported for l1_ratio=0. "
                         "Please supply a grid by providing your estimator with the "
                         "appropriate `alphas=` argument.")


def routing_enabled():
    """Whether scikit-learn's metadata routing is on (``set_config``)."""
    return bool(get_config().get("enable_metadata_routing", False))


def check_fit_params(params, caller):
    """Extra ``fit`` keyword arguments are metadata for routing: refuse them, in
    scikit-learn's words, unless routing is enabled."""
    if params and not routing_enabled():
        raise ValueError(
            f"Passing extra keyword arguments to {caller} is only supported if "
            "enable_metadata_routing=True, which you can set using "
            "`sklearn.set_config`. Extra parameters passed are: "
            f"{set(params)}.")


def check_gammas(gammas):
    """The relaxation weights of relaxed fits: a non-empty 1-D float64 array of
    finite values in [0, 1] (order kept)."""
    if isinstance(gammas, (str, bytes)) or sp.issparse(gammas) or np.ndim(gammas) != 1:
        raise ValueError(f"gammas must be a non-empty 1-D array-like of floats in [0, 1], "
                         f"got {gammas!r}.")
    values = np.asarray(gammas, dtype=object)
    for i, v in enumerate(values):
        if isinstance(v, (bool, np.bool_)) or not isinstance(v, numbers.Real):
            raise TypeError(f"gammas[{i}] must be a real number, not {type(v).__name__}.")
    out = values.astype(np.float64)
    if out.size == 0:
        raise ValueError("gammas must contain at least one value, got an empty sequence.")
    for i, v in enumerate(out):
        if not (0.0 <= v <= 1.0):
            raise ValueError(f"gammas[{i}] == {values[i]!r}, must be in [0, 1].")
    return out


def finite_column_sums(X):
    """Column sums of dense X, checking finiteness on the way: one pass, the
    full element-wise check (and its error naming X) only when a sum is not
    finite. The sums are what the means are made of."""
    sums = np.sum(X, axis=0)
    if not np.isfinite(np.sum(sums)):
        assert_all_finite(X, input_name="X")
    return sums
