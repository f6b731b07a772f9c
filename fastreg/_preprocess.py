"""Centering and sample-weight preprocessing, shared by every estimator.

The weighted, centred problem that all solvers see is

    Xt = diag(sqrt(s)) (X - 1 x_mean^T),    yt = diag(sqrt(s)) (y - y_mean),

with ``x_mean``, ``y_mean`` the s-weighted means (zeros without an intercept),
so that the intercept is recovered as ``y_mean - x_mean . coef``.

Dense X is centred and rescaled explicitly, in one copy (or in place when the
caller allows it). Sparse X is never densified: it becomes canonical CSC (one
copy from CSR, none for canonical CSC), its data are rescaled by sqrt(s) on a
copy of ``data`` only, and the centering stays implicit (the kernels and the
linear operators receive ``x_mean``).
"""
import numpy as np
import scipy.sparse as sp

from ._kernels._cd_sparse import sparse_column_stats


class Design:
    """A preprocessed design: what the solvers consume.

    Attributes
    ----------
    X : ndarray (Fortran-ordered, already centred and rescaled) or CSC sparse
        For sparse input, the rows are rescaled by ``sqrt_sw`` but not centred.
        A *lazy* dense design (see ``X_raw``) forms this centred copy on first
        access only.
    y : ndarray of shape (n_samples,) or (n_samples, n_targets)
        Centred, rescaled target (a private copy).
    x_mean, y_mean : ndarrays
        Weighted means removed (zeros when ``fit_intercept=False``).
    sqrt_sw : ndarray of shape (n_samples,)
        Square roots of the sample weights (ones when unweighted).
    X_raw : ndarray or None
        Lazy dense designs only: the validated input, neither centred nor
        weighted (written to only when the caller allowed it, ``copy_X=False``:
        ``X`` is then formed in place, and ``X_raw`` is stale). ``matvec`` and
        ``rmatvec`` then centre and weight implicitly,
        :meth:`restrict` copies only the columns it needs, and :func:`fastreg._gram.centred_gram_from_raw` forms the
        centred Gram matrix from the raw X, so that a working-set solve, a
        Gram-mode path or a Ridge fit need not pay for the full centred copy.
    """

    def __init__(self, X, y, x_mean, y_mean, sqrt_sw, X_raw=None, raw_writable=False):
        self._X = X
        self._raw_writable = raw_writable
        self.y = y
        self.x_mean = x_mean
        self.y_mean = y_mean
        self.sqrt_sw = sqrt_sw
        self.X_raw = X_raw
        self._weighted = bool(np.any(sqrt_sw != 1))
        # True when the round-off-only columns of a dense centred X are still
        # to be zeroed (preprocess(zero_constant=False)).
        self.constant_pending = False
        self._column_stats = None   # the sparse kernel's, see column_stats()
        self._column_norms2 = None  # see column_norms2()

    @property
    def X(self):
        if self._X is None:
            self._X = _centre_dense(self.X_raw, self.x_mean, self.sqrt_sw,
                                    fit_intercept=bool(np.any(self.x_mean != 0)),
                                    weighted=self._weighted, in_place=self._raw_writable)
        return self._X

    @property
    def lazy(self):
        """Whether the centred dense copy has not been formed (yet)."""
        return self._X is None

    @property
    def shape(self):
        return (self.X_raw if self._X is None else self._X).shape

    @property
    def dtype(self):
        return (self.X_raw if self._X is None else self._X).dtype

    @property
    def sparse(self):
        return self._X is not None and sp.issparse(self._X)

    @property
    def y2d(self):
        """The target as a 2-D (n_samples, n_targets) view."""
        return self.y.reshape(self.y.shape[0], -1)

    @property
    def center_implicitly(self):
        """Whether ``X`` still has to be centred by the consumer (sparse case)."""
        return self.sparse and bool(np.any(self.x_mean != 0))

    def zero_constant_columns(self):
        """Do the zeroing that ``preprocess(zero_constant=False)`` left pending."""
        if self.constant_pending:
            _zero_constant_columns(self.X, self.x_mean, self.sqrt_sw)
            self.constant_pending = False

    def column_stats(self):
        """The sparse coordinate-descent kernel's column statistics (squared
        centred norms and weighted column sums), computed once per design and
        shared by every solve on it (a path's, a CV fold's)."""
        if self._column_stats is None:
            X = self.X
            self._column_stats = sparse_column_stats(X.data, X.indices, X.indptr,
                                                     self.x_mean, self.sqrt_sw)
        return self._column_stats

    def column_norms2(self):
        """Squared norms of the centred, weighted columns ``||Xt_j||^2`` (float64).

        Cached (paths and CV ask once per design). Sparse columns are
        accumulated term by term, as the sparse kernel does (float64 data: its
        :meth:`column_stats` themselves), and numerically constant columns get
        norm 0. A lazy design does not form
        its centred copy for them: ``sum s x_j^2 - m_j^2 sum s`` plus a bound on
        its cancellation error, an over-estimate, which is what ranking and
        Gap Safe screening need (the kernels use the exact norms of the
        explicitly centred columns).
        """
        if self._column_norms2 is not None:
            return self._column_norms2
        eps = np.finfo(self.dtype).eps
        if self.lazy:
            s2 = self.sqrt_sw.astype(np.float64) ** 2
            X = self.X_raw
            raw = (column_sq_norms(X) if not self._weighted
                   else np.einsum("i,ij,ij->j", s2, X, X, dtype=np.float64))
            m = self.x_mean.astype(np.float64)
            norms = np.maximum(raw - m * m * s2.sum(), 0.0) + 16 * eps * raw
            norms[raw == 0] = 0.0
        elif self.sparse and self.dtype == np.float64:
            # The sparse kernel's own statistics: the same accumulation, term
            # by term, compiled, and computed once for the solves anyway.
            norms = np.array(self.column_stats()[0], dtype=np.float64)
        elif self.sparse:
            # float32 data: accumulated in float64 (the kernel's are float32).
            X = self.X
            p = X.shape[1]
            counts = np.diff(X.indptr)
            col = np.repeat(np.arange(p), counts)
            rows = X.indices
            m = self.x_mean.astype(np.float64)
            s = self.sqrt_sw.astype(np.float64)
            data = X.data.astype(np.float64)
            d = data - m[col] * s[rows]
            acc = np.bincount(col, d * d, minlength=p)
            nz_sw = np.bincount(col, s[rows] ** 2, minlength=p)
            rest = np.where(counts < X.shape[0], s @ s - nz_sw, 0.0)
            norms = acc + m * m * np.maximum(rest, 0.0)
            norms[constant_columns(norms, self.x_mean, self.sqrt_sw, self.dtype)] = 0.0
        else:
            norms = column_sq_norms(self.X)
        self._column_norms2 = norms
        return norms

    def inverse_scales(self):
        """``1 / d_j`` for glmnet's standardisation, 0 for a constant column
        (:func:`inverse_scales` of this design's exact column norms and total
        weight; a lazy design's norms are over-estimates, so standardising
        callers ask for a design that is not lazy)."""
        s = self.sqrt_sw.astype(np.float64)
        return inverse_scales(self.column_norms2(), s @ s, self.x_mean, self.dtype)

    def scaled(self, scale):
        """The design of the columns ``Xt_j * scale_j`` (the same target and
        weights): dense X scaled in one new Fortran copy, sparse X in a new
        ``data`` array (its indices shared, never densified), the implicit
        centring's means scaled alike. Used to standardise a Ridge design."""
        scale = np.asarray(scale, dtype=np.float64)
        X = self.X
        if self.sparse:
            col = np.repeat(np.arange(X.shape[1]), np.diff(X.indptr))
            Xs = sp.csc_matrix((X.data * scale.astype(X.dtype)[col], X.indices, X.indptr),
                               shape=X.shape)
        else:
            Xs = np.multiply(X, scale.astype(X.dtype), order="F")
        # (columns left constant-pending here have scale 0: they are exactly 0)
        return Design(X=Xs, y=self.y, x_mean=(self.x_mean * scale).astype(self.dtype),
                      y_mean=self.y_mean, sqrt_sw=self.sqrt_sw)

    def restrict(self, cols):
        """The design restricted to the columns ``cols`` (a copy of those columns
        only: a lazy design centres and weights just them)."""
        if self.lazy:
            m = self.x_mean[cols]
            Xs = _centre_dense(_take_columns(self.X_raw, cols), m, self.sqrt_sw,
                               fit_intercept=bool(np.any(m != 0)),
                               weighted=self._weighted, in_place=False)
            return Design(X=Xs, y=self.y, x_mean=m, y_mean=self.y_mean,
                          sqrt_sw=self.sqrt_sw)
        X = self.X
        if self.sparse:
            Xs = X[:, cols]
            if not Xs.has_sorted_indices:
                Xs.sort_indices()
        else:
            Xs = _take_columns(X, cols)
        return Design(X=Xs, y=self.y, x_mean=self.x_mean[cols], y_mean=self.y_mean,
                      sqrt_sw=self.sqrt_sw)

    def matvec(self, v):
        """Xt @ v for the centred, weighted design (never densifies or copies X)."""
        if self._X is None:
            out = self.X_raw @ v
            out -= self.x_mean @ v
            if self._weighted:
                out *= self.sqrt_sw.reshape((-1,) + (1,) * (out.ndim - 1))
            return out
        out = self._X @ v
        if self.center_implicitly:
            out -= np.multiply.outer(self.sqrt_sw, self.x_mean @ v)
        return out

    def rmatvec(self, u):
        """Xt.T @ u for the centred, weighted design (never densifies or copies X)."""
        if self._X is None:
            if self._weighted:
                u = self.sqrt_sw.reshape((-1,) + (1,) * (u.ndim - 1)) * u
            return self.X_raw.T @ u - np.multiply.outer(self.x_mean, u.sum(axis=0))
        out = self._X.T @ u
        if self.center_implicitly:
            out -= np.multiply.outer(self.x_mean, self.sqrt_sw @ u)
        return out


def column_sq_norms(X):
    """``||X_j||^2`` of every column of dense X, float64.

    A Fortran float64 X takes ``vecdot`` over the rows of its transpose
    (contiguous dot products); einsum strides across the columns there, and
    float32 data are accumulated in float64 by einsum.
    """
    if X.dtype == np.float64 and X.flags.f_contiguous and _VECDOT is not None:
        return _VECDOT(X.T, X.T)
    return np.einsum("ij,ij->j", X, X, dtype=np.float64)


_VECDOT = getattr(np, "vecdot", None)  # NumPy >= 2.0


def _take_columns(X, cols):
    """``X[:, cols]`` as fast as the memory layout allows (np.take along the
    strided axis of a Fortran array is an order of magnitude slower)."""
    if X.flags.f_contiguous:
        return X.T[cols].T  # a row gather of the C-ordered transpose: F-ordered
    return X[:, cols]


def _centre_dense(X, x_mean, sqrt_sw, fit_intercept, weighted, in_place,
                  zero_constant=True):
    """Centred, weighted Fortran-ordered copy of dense X (or X itself, centred in
    place, when ``in_place``), with round-off-only columns set to 0 (unless
    ``zero_constant`` is False: the caller then does it, see
    :func:`zero_constant_columns`)."""
    out = X if in_place else np.empty(X.shape, dtype=X.dtype, order="F")
    # One pass: centre (and transpose C-ordered input) straight into `out`.
    if fit_intercept:
        np.subtract(X, x_mean, out=out)
    elif out is not X:
        out[...] = X
    if weighted:
        out *= sqrt_sw[:, np.newaxis]
    if fit_intercept and zero_constant:
        _zero_constant_columns(out, x_mean, sqrt_sw)
    return out


def constant_columns(sq_norms, x_mean, sqrt_sw, dtype):
    """Mask of the centred columns that are round-off only, from their squared
    norms ``||Xc_j||^2`` (e.g. a Gram matrix's diagonal): the test of
    :func:`_zero_constant_columns`, without another pass over X."""
    sqrt_sw = sqrt_sw.astype(np.float64)
    return constant_mask(sq_norms, x_mean, sqrt_sw @ sqrt_sw, dtype)


def inverse_scales(sq_norms, total_weight, x_mean, dtype):
    """``1 / d_j`` with ``d_j = sqrt(||Xt_j||^2 / sum(s))`` the weighted standard
    deviation of glmnet's ``standardize`` (1/sum(w) scaling; the root mean
    square without an intercept, the columns then being uncentred), from the
    squared norms of the centred, weighted columns; 0 for the columns that
    :func:`constant_mask` finds constant, whose coefficient then stays 0."""
    sq = np.asarray(sq_norms, dtype=np.float64)
    keep = (sq > 0) & ~constant_mask(sq, x_mean, total_weight, dtype)
    out = np.zeros(sq.shape)
    out[keep] = np.sqrt(total_weight / sq[keep])
    return out


def constant_mask(sq_norms, x_mean, total_weight, dtype):
    """:func:`constant_columns` from the total weight ``sum(s)`` (the Dask
    route's statistics have no per-sample weights): centred norm at most
    (64 eps)^2 of the raw norm ``||Xc_j||^2 + sum(s) m_j^2``."""
    sq = np.asarray(sq_norms, dtype=np.float64)
    raw = sq + total_weight * x_mean.astype(np.float64) ** 2
    return sq <= (64 * np.finfo(dtype).eps) ** 2 * raw


def _canonical_csc(X):
    """CSC with sorted, summed duplicates and one index dtype; never touches X."""
    X = sp.csc_matrix(X) if X.format != "csc" else X  # CSR -> CSC copies once
    if not X.has_canonical_format:
        X = X.copy()
        X.sum_duplicates()
    idx = np.promote_types(X.indices.dtype, X.indptr.dtype)
    arrays = (X.data, X.indices, X.indptr)
    if (X.indices.dtype != X.indptr.dtype
            or not all(a.flags.c_contiguous for a in arrays)):
        # one index dtype, contiguous arrays: what the kernels' memoryviews take
        X = sp.csc_matrix((np.ascontiguousarray(X.data),
                           np.ascontiguousarray(X.indices, dtype=idx),
                           np.ascontiguousarray(X.indptr, dtype=idx)), shape=X.shape)
    return X


def _zero_constant_columns(Xc, x_mean, sqrt_sw):
    """Set to exactly 0 the centred columns that are round-off only.

    A constant column centred by its computed mean keeps values of a few ulps
    of the constant; a solver dividing by their norm would amplify noise.
    The test is the same as the sparse kernel's: centred norm below
    (64 eps)^2 of the raw norm ``||Xc_j||^2 + sum(s) m_j^2``.
    """
    sq = column_sq_norms(Xc)
    constant = constant_columns(sq, x_mean, sqrt_sw, Xc.dtype)
    if np.any(constant):
        Xc[:, constant] = 0


def preprocess(X, y, sample_weight, fit_intercept, copy_X=True, normalize_weights=False,
               lazy=False, zero_constant=True, col_sums=None):
    """Centre and weight (X, y) for the solvers; see the module docstring.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features) or sparse CSC/CSR
        Validated float32/float64 data (dense: any order).
    y : ndarray of shape (n_samples,) or (n_samples, n_targets)
        Validated target, same dtype as X.
    sample_weight : ndarray of shape (n_samples,) or None
        Validated weights.
    fit_intercept : bool
        Whether to centre.
    copy_X : bool, default=True
        If False and X is a Fortran-ordered dense array, centre it in place.
    normalize_weights : bool, default=False
        Rescale the weights to sum to n_samples (the Elastic-Net convention,
        whose objective divides the data-fit term by the total weight).
    lazy : bool, default=False
        For dense float64 X that needs centering or weighting: return a lazy
        design (``Design.X_raw``) instead of forming the centred copy now.
        For the working-set solver, which touches few columns.
    zero_constant : bool, default=True
        Set the round-off-only centred columns of dense X to 0 (one more pass
        over X). False leaves that to the caller, whose ``Design`` then has
        ``constant_pending=True``.
    col_sums : ndarray of shape (n_features,), default=None
        ``np.sum(X, axis=0)`` if the caller has it already (the validation
        does): the unweighted means are then ``col_sums / n_samples``, exactly
        ``X.mean(axis=0)``, without another pass over X.

    Returns
    -------
    design : Design
    """
    n_samples = X.shape[0]
    dtype = X.dtype
    if sample_weight is None:
        sw = None
        sqrt_sw = np.ones(n_samples, dtype=dtype)
    else:
        sw = sample_weight.astype(np.float64)
        if normalize_weights:
            sw *= n_samples / sw.sum()
        sqrt_sw = np.sqrt(sw).astype(dtype)

    if fit_intercept:
        # Means in float64 whatever the data dtype, for accuracy.
        if sp.issparse(X):
            wts = np.ones(n_samples) if sw is None else sw
            x_mean = np.asarray(X.T @ wts, dtype=np.float64).ravel() / wts.sum()
        else:
            if sw is None:
                x_mean = (np.true_divide(col_sums, n_samples) if col_sums is not None
                          else X.mean(axis=0))
            else:
                x_mean = np.average(X, axis=0, weights=sw)
        y_mean = y.mean(axis=0) if sw is None else np.average(y, axis=0, weights=sw)
    else:
        x_mean = np.zeros(X.shape[1])
        y_mean = np.zeros(y.shape[1:]) if y.ndim > 1 else np.float64(0.0)
    x_mean = x_mean.astype(dtype)
    y_mean = np.asarray(y_mean, dtype=dtype)

    y = np.array(y, dtype=dtype, copy=True)
    y -= y_mean
    if sw is not None:
        y *= sqrt_sw.reshape((-1,) + (1,) * (y.ndim - 1))

    if sp.issparse(X):
        X = _canonical_csc(X)
        if sw is not None:
            X = sp.csc_matrix((X.data * sqrt_sw[X.indices], X.indices, X.indptr),
                              shape=X.shape)
    elif fit_intercept or sw is not None:
        in_place = not copy_X and X.flags.f_contiguous and X.flags.writeable
        if lazy and dtype == np.float64:
            return Design(X=None, y=y, x_mean=x_mean, y_mean=y_mean, sqrt_sw=sqrt_sw,
                          X_raw=X, raw_writable=in_place)
        X = _centre_dense(X, x_mean, sqrt_sw, fit_intercept, sw is not None, in_place,
                          zero_constant=zero_constant)
        if fit_intercept and not zero_constant:
            design = Design(X=X, y=y, x_mean=x_mean, y_mean=y_mean, sqrt_sw=sqrt_sw)
            design.constant_pending = True
            return design
    else:
        X = np.asfortranarray(X)  # no copy when already Fortran-ordered
    return Design(X=X, y=y, x_mean=x_mean, y_mean=y_mean, sqrt_sw=sqrt_sw)
