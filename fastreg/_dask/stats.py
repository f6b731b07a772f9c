"""Dask input: detection, alignment, and the one-pass sufficient statistics.

Everything fastreg needs from a row-chunked Dask array when n_samples >>
n_features is, for the s-weighted problem (s = sample weights, ones if none),

    W = sum_i s_i,   x_mean = sum_i s_i x_i / W,   y_mean = sum_i s_i y_i / W,
    Cxx = sum_i s_i (x_i - x_mean)(x_i - x_mean)^T          (p x p)
    Cxy = sum_i s_i (x_i - x_mean)(y_i - y_mean)^T          (p x T)
    cyy = sum_i s_i (y_i - y_mean)^2                        (T,)

i.e. ``Xt^T Xt``, ``Xt^T yt`` and ``||yt||^2`` of the centred, weighted design
``Xt = diag(sqrt s)(X - 1 x_mean^T)`` of :mod:`fastreg._preprocess` (the
uncentred moments, for ``fit_intercept=False``, are ``Cxx + W x_mean x_mean^T``
etc.: sums of non-negative-definite terms, no cancellation).

They are computed by a tree reduction over the row chunks: every chunk
computes its own *centred* statistics in float64 (dense chunks: centred by
the chunk's own weighted mean, then one GEMM; scipy.sparse chunks: the sparse
product minus the chunk's rank-one mean correction, with the diagonal summed
term by term, as fastreg's in-memory sparse Gram matrix does), and two
partial results are merged by the parallel update of Chan, Golub & LeVeque,

    W = Wa + Wb,   d = mean_b - mean_a,   mean = mean_a + d Wb / W,
    C = Ca + Cb + (Wa Wb / W) d d^T,

which never forms ``X^T X - n mean mean^T`` globally, so large column means
do not cancel. Only p-sized (and p x p) results travel to the client.

With ``fold_labels`` the same pass computes the statistics of every fold
separately (a chunk splits its rows by fold label); the statistics of a
training set "all folds but k" are then the merge of the other folds', and
the held-out error of coefficients is a quadratic form in the test fold's
statistics (:func:`heldout_sse`): cross-validation needs no further pass.

The end of this module holds what every driver does with the statistics on
the client: the size limit, constant columns, the intercept. Dask is imported
lazily (inside functions), as everywhere in :mod:`fastreg._dask`.
"""
import numpy as np
import scipy.sparse as sp

from .._gram import MAX_GRAM_ENTRIES
from . import is_dask_collection

#: Fan-in of the tree reduction.
SPLIT_EVERY = 8
#: Largest Gram matrix (entries) the one-pass route forms: fastreg's one size
#: limit (every chunk returns a p x p matrix). Beyond, the Elastic-Net goes to
#: consensus ADMM and the other estimators refuse.
GRAM_MAX_ENTRIES = MAX_GRAM_ENTRIES


# ---------------------------------------------------------------------------
# statistics of one chunk, and merging
# ---------------------------------------------------------------------------

class Stats:
    """Centred, weighted sufficient statistics of a set of rows (see module doc).

    Attributes: ``n`` rows, ``W`` total weight, ``mx`` (p,), ``my`` (T,),
    ``Cxx`` (p, p), ``Cxy`` (p, T), ``cyy`` (T,), all float64, and ``bad_w``
    (a negative or non-finite weight was seen).
    """

    __slots__ = ("n", "W", "mx", "my", "Cxx", "Cxy", "cyy", "bad_w")

    def __init__(self, n, W, mx, my, Cxx, Cxy, cyy, bad_w=False):
        self.n, self.W, self.mx, self.my = n, W, mx, my
        self.Cxx, self.Cxy, self.cyy, self.bad_w = Cxx, Cxy, cyy, bad_w

    @classmethod
    def empty(cls, n, p, T, bad_w=False):
        return cls(n, 0.0, np.zeros(p), np.zeros(T), np.zeros((p, p)), np.zeros((p, T)),
                   np.zeros(T), bad_w)

    @property
    def finite(self):
        return bool(np.isfinite(self.W) and np.all(np.isfinite(self.Cxx))
                    and np.all(np.isfinite(self.mx)))

    @property
    def finite_y(self):
        return bool(np.all(np.isfinite(self.cyy)) and np.all(np.isfinite(self.my))
                    and np.all(np.isfinite(self.Cxy)))

    def moments(self, fit_intercept):
        """(G, Xy, yy) = (Xt^T Xt, Xt^T yt, ||yt||^2 per target) of the centred
        (``fit_intercept``) or uncentred weighted problem, float64 copies."""
        if fit_intercept:
            return self.Cxx.copy(), self.Cxy.copy(), self.cyy.copy()
        W, mx, my = self.W, self.mx, self.my
        return (self.Cxx + W * np.outer(mx, mx), self.Cxy + W * np.outer(mx, my),
                self.cyy + W * my * my)


def merge(a, b):
    """Statistics of the union of two disjoint row sets (Chan et al.'s update)."""
    n = a.n + b.n
    bad = a.bad_w or b.bad_w
    if b.W == 0 or a.W == 0:
        keep, other = (a, b) if b.W == 0 else (b, a)
        # an all-zero-weight side adds nothing but its non-finite flags
        mx = keep.mx if np.all(np.isfinite(other.mx)) else other.mx + keep.mx
        my = keep.my if np.all(np.isfinite(other.my)) else other.my + keep.my
        return Stats(n, keep.W, mx, my, keep.Cxx, keep.Cxy, keep.cyy, bad)
    W = a.W + b.W
    dx = b.mx - a.mx
    dy = b.my - a.my
    f = a.W * b.W / W
    mx = a.mx + dx * (b.W / W)
    my = a.my + dy * (b.W / W)
    Cxx = a.Cxx + b.Cxx
    Cxx += f * np.outer(dx, dx)
    Cxy = a.Cxy + b.Cxy
    Cxy += f * np.outer(dx, dy)
    cyy = a.cyy + b.cyy + f * dy * dy
    return Stats(n, W, mx, my, Cxx, Cxy, cyy, bad)


def merge_all(items):
    """Merge a non-empty sequence of Stats (left to right)."""
    out = items[0]
    with np.errstate(all="ignore"):  # non-finite input: reported by check_stats
        for s in items[1:]:
            out = merge(out, s)
    return out


def _merge_lists(*lists):
    """Element-wise merge of per-fold lists (or plain Stats)."""
    if isinstance(lists[0], Stats):
        return merge_all(lists)
    return [merge_all([lst[k] for lst in lists]) for k in range(len(lists[0]))]


def _weights(s, m):
    """(weights float64 or None, bad flag) of one chunk."""
    if s is None:
        return None, False
    s = np.asarray(s, dtype=np.float64).reshape(m)
    bad = bool(not np.all(np.isfinite(s)) or np.any(s < 0))
    return s, bad


def rows_stats(x, y, s):
    """Stats of one block of rows: x dense (m, p) or scipy.sparse, y (m, T), s (m,)
    or None. Computed in float64 whatever the input dtype. Non-finite input
    propagates silently into the statistics, where :func:`check_stats` reports
    it on the client."""
    with np.errstate(all="ignore"):
        return _rows_stats(x, y, s)


def _rows_stats(x, y, s):
    m, p = x.shape
    y = np.asarray(y, dtype=np.float64)
    y = y[:, None] if y.ndim == 1 else y
    T = y.shape[1]
    s, bad = _weights(s, m)
    if bad:  # reported by the caller; the statistics are meaningless
        return Stats.empty(m, p, T, bad_w=True)
    W = float(m) if s is None else float(s.sum())
    if m == 0 or W == 0:
        out = Stats.empty(m, p, T)
        # zero-weight rows do not count, but non-finite values are still errors
        xsum = x.sum() if not sp.issparse(x) else x.data.sum()
        if not np.isfinite(xsum):
            out.mx = np.full(p, np.nan)
        if not np.isfinite(y.sum()):
            out.my = np.full(T, np.nan)
        return out
    my = (y.sum(axis=0) if s is None else s @ y) / W
    yc = y - my
    if s is not None:
        sq = np.sqrt(s)
        yc *= sq[:, None]
    if sp.issparse(x):
        x = sp.csr_matrix(x, dtype=np.float64)
        xs = x if s is None else sp.csr_matrix(x.multiply(s[:, None]))  # S X
        mx = np.asarray(xs.sum(axis=0)).ravel() / W
        Cxx = np.asarray((x.T @ xs).toarray())
        Cxx -= W * np.outer(mx, mx)
        # diagonal summed term by term: sum_nz s (x - m)^2 + m^2 * (weight of zeros)
        xc = x.tocsc()
        col = np.repeat(np.arange(p), np.diff(xc.indptr))
        s_nz = np.ones(xc.nnz) if s is None else s[xc.indices]
        d = xc.data - mx[col]
        diag = np.bincount(col, weights=s_nz * d * d, minlength=p)
        nz_w = np.bincount(col, weights=s_nz, minlength=p)
        zero_w = np.where(np.diff(xc.indptr) == m, 0.0, np.maximum(W - nz_w, 0.0))
        Cxx[np.diag_indices(p)] = diag + mx * mx * zero_w
        Cxx = 0.5 * (Cxx + Cxx.T)
        # sum s x (y - my) = X^T S yc' since sum s (y - my) = 0
        Cxy = np.asarray(x.T @ (yc if s is None else yc * sq[:, None]))
    else:
        x = np.asarray(x, dtype=np.float64)
        mx = (x.sum(axis=0) if s is None else s @ x) / W
        xc = x - mx
        if s is not None:
            xc *= sq[:, None]
        Cxx = xc.T @ xc
        Cxy = xc.T @ yc
    cyy = np.einsum("ij,ij->j", yc, yc)
    return Stats(m, W, mx, my, Cxx, Cxy, cyy)


def chunk_stats(x, y, s, labels=None, n_folds=0):
    """Stats of one chunk, or with ``labels`` (fold of each row) a list of the
    ``n_folds`` per-fold Stats of its rows."""
    if labels is None:
        return rows_stats(x, y, s)
    m = x.shape[0]
    if isinstance(labels, tuple):  # contiguous folds: (first row, fold boundaries)
        start, bounds = labels
        labels = np.searchsorted(bounds, np.arange(start, start + m), side="right") - 1
    labels = np.asarray(labels)
    y = np.asarray(y)
    y = y[:, None] if y.ndim == 1 else y
    out = []
    if sp.issparse(x):
        x = sp.csr_matrix(x)
    for k in range(n_folds):
        idx = np.flatnonzero(labels == k)
        if idx.size == m:
            out.append(rows_stats(x, y, s))
            continue
        xs = x[idx]
        out.append(rows_stats(xs, y[idx], None if s is None else np.asarray(s)[idx]))
    return out


# ---------------------------------------------------------------------------
# Dask inputs
# ---------------------------------------------------------------------------

def _is_sparse_meta(X):
    return sp.issparse(getattr(X, "_meta", None))


def align(X, y, sample_weight):
    """Validate and align (X, y, sample_weight) as row-chunked Dask arrays.

    X: a 2-D Dask array with known chunk sizes, made a single column block
    (dense chunks are rechunked; sparse chunks must already be). y and
    sample_weight (NumPy or Dask; a scalar weight is broadcast) get X's row
    chunks (a rechunk of vectors, cheap). Errors are ValueErrors naming the
    argument. Returns ``(X, y, sample_weight or None, sparse)``.
    """
    import dask.array as da

    if not isinstance(X, da.Array):
        raise ValueError(f"X must be a dask.array.Array to be fitted with Dask, got "
                         f"{type(X).__name__}; call .to_dask_array() on a DataFrame.")
    if X.ndim != 2:
        raise ValueError(f"X must be 2-D, got a Dask array of shape {X.shape}.")
    if any(np.isnan(c) for chunks in X.chunks for c in chunks):
        raise ValueError("X has unknown chunk sizes (NaN); call X.compute_chunk_sizes() "
                         "first.")
    if X.dtype.kind not in "biuf":
        raise ValueError(f"X must hold real numbers, got dtype {X.dtype}.")
    n, p = X.shape
    if n == 0 or p == 0:
        raise ValueError(f"X must have at least one sample and one feature, got shape "
                         f"{X.shape}.")
    sparse = _is_sparse_meta(X)
    if X.numblocks[1] > 1:
        if sparse:
            raise ValueError(f"X with scipy.sparse chunks must have a single column "
                             f"block (chunks along axis 1: {X.chunks[1]}); rebuild it "
                             "with whole rows per chunk.")
        X = X.rechunk({1: -1})
    rows = X.chunks[0]
    y = _align_vector(y, "y", n, rows, ndims=(1, 2))
    if sample_weight is not None:
        if np.ndim(sample_weight) == 0 and not is_dask_collection(sample_weight):
            w = float(sample_weight)
            if not np.isfinite(w) or w < 0:
                raise ValueError("sample_weight must be finite and non-negative.")
            if w == 0:
                raise ValueError("sample_weight must have a positive sum: all weights "
                                 "are zero.")
            sample_weight = da.full(n, w, chunks=(rows,), dtype=np.float64)
        else:
            sample_weight = _align_vector(sample_weight, "sample_weight", n, rows,
                                          ndims=(1,))
    return X, y, sample_weight, sparse


def _align_vector(v, name, n, rows, ndims):
    import dask.array as da

    if v is None:
        raise ValueError(f"{name} is required (got None).")
    if not is_dask_collection(v):
        v = np.asarray(v)
        if v.dtype.kind not in "biuf":
            raise ValueError(f"{name} must hold real numbers, got dtype {v.dtype}.")
        if v.ndim not in ndims or v.shape[0] != n:
            raise ValueError(f"{name} must have {n} rows (X's) and {ndims[-1]} or fewer "
                             f"dimensions, got shape {v.shape}.")
        chunks = (rows,) + tuple((d,) for d in v.shape[1:])
        return da.from_array(v, chunks=chunks)
    if not isinstance(v, da.Array):
        raise ValueError(f"{name} must be a dask.array.Array or a NumPy array, got "
                         f"{type(v).__name__}.")
    if v.ndim not in ndims:
        raise ValueError(f"{name} must have {' or '.join(map(str, ndims))} dimensions, "
                         f"got shape {v.shape}.")
    if any(np.isnan(c) for c in v.chunks[0]):
        raise ValueError(f"{name} has unknown chunk sizes (NaN); call "
                         f"{name}.compute_chunk_sizes() first.")
    if v.shape[0] != n:
        raise ValueError(f"{name} has {v.shape[0]} rows but X has {n}.")
    if v.dtype.kind not in "biuf":
        raise ValueError(f"{name} must hold real numbers, got dtype {v.dtype}.")
    target = {0: rows}
    if v.ndim == 2:
        target[1] = -1
    if v.chunks[0] != rows or (v.ndim == 2 and v.numblocks[1] > 1):
        v = v.rechunk(target)
    return v


class ContiguousFolds:
    """Fold labels of contiguous test folds (unshuffled K-fold), given by the
    K + 1 row boundaries: each chunk derives its rows' labels itself, so no
    n-sized array is built on the client or shipped in the graph."""

    def __init__(self, bounds):
        self.bounds = np.asarray(bounds, dtype=np.int64)


def row_blocks(a):
    """The row blocks of an aligned Dask array as a list of Delayed objects."""
    d = a.to_delayed()
    return list(d.reshape(d.shape[0], -1)[:, 0])


def tree_reduce(parts, combine, split_every=SPLIT_EVERY):
    """Delayed tree reduction of a list of Delayed partial results."""
    import dask

    f = dask.delayed(combine, pure=True)
    while len(parts) > 1:
        parts = [f(*parts[i:i + split_every]) if len(parts[i:i + split_every]) > 1
                 else parts[i] for i in range(0, len(parts), split_every)]
    return parts[0]


def stats_graph(X, y, sample_weight, fold_labels=None, n_folds=0):
    """A Delayed object computing the Stats (a list per fold with labels) of the
    aligned inputs: one task per row chunk and a tree of merges."""
    import dask

    xs, ys = row_blocks(X), row_blocks(y)
    ws = row_blocks(sample_weight) if sample_weight is not None else [None] * len(xs)
    offsets = np.concatenate([[0], np.cumsum(X.chunks[0])])
    f = dask.delayed(chunk_stats, pure=True)
    parts = []
    for k, (xb, yb, wb) in enumerate(zip(xs, ys, ws)):
        if fold_labels is None:
            parts.append(f(xb, yb, wb))
        else:
            if isinstance(fold_labels, ContiguousFolds):
                lab = (int(offsets[k]), fold_labels.bounds)
            else:
                lab = np.asarray(fold_labels[offsets[k]:offsets[k + 1]])
            parts.append(f(xb, yb, wb, lab, n_folds))
    return tree_reduce(parts, _merge_lists)


def check_stats(st):
    """Raise the ValueError the in-memory validation would, from reduced Stats."""
    if st.bad_w:
        raise ValueError("sample_weight must be finite and non-negative (it contains "
                         "NaN, inf or negative values).")
    if not st.finite:
        raise ValueError("Input X contains NaN or infinity (found while reducing the "
                         "Dask chunks).")
    if not st.finite_y:
        raise ValueError("Input y contains NaN or infinity (found while reducing the "
                         "Dask chunks).")
    if not st.W > 0:
        raise ValueError("sample_weight must have a positive sum: all weights are zero.")


def compute(*graphs):
    """``dask.compute`` with BLAS limited to one thread, taken in the calling
    thread: Dask's threads (or worker processes, where distributed already sets
    it) are the parallelism; nested BLAS threads on top oversubscribe the
    cores (bench/results/cost_models.md)."""
    import dask

    from .._blas_threads import single_threaded_blas

    with single_threaded_blas():
        return dask.compute(*graphs)


def persist(*graphs):
    """``dask.persist`` under the same BLAS limit as :func:`compute`."""
    import dask

    from .._blas_threads import single_threaded_blas

    with single_threaded_blas():
        return dask.persist(*graphs)


def compute_stats(X, y, sample_weight, fold_labels=None, n_folds=0):
    """Run the one pass; returns Stats (or the list of per-fold Stats), checked."""
    (out,) = compute(stats_graph(X, y, sample_weight, fold_labels, n_folds))
    check_stats(merge_all(out) if isinstance(out, list) else out)
    return out


# ---------------------------------------------------------------------------
# cross-validation from per-fold statistics
# ---------------------------------------------------------------------------

def fold_labels(cv, n, y_like=None):
    """Fold label of every row (the test fold it belongs to), from a splitter, as
    the in-memory CV would split ``n`` rows; and the number of folds. Every row
    must be in exactly one test fold (a K-fold partition). Unshuffled KFold
    gives :class:`ContiguousFolds` (boundaries only); any other splitter is
    run on the client (an n-sized label array)."""
    from sklearn.model_selection import KFold

    if isinstance(cv, KFold) and not cv.shuffle:
        # KFold's own fold sizes: n // K each, the first n % K one larger
        K = cv.get_n_splits()
        if K > n:
            raise ValueError(f"Cannot have number of splits n_splits={K} greater than "
                             f"the number of samples: n_samples={n}.")
        sizes = np.full(K, n // K)
        sizes[:n % K] += 1
        return ContiguousFolds(np.concatenate([[0], np.cumsum(sizes)])), K
    labels = np.full(n, -1, dtype=np.int32)
    dummy = np.zeros((n, 1), dtype=np.int8)
    K = 0
    for k, (_, test) in enumerate(cv.split(dummy, y_like)):
        test = np.asarray(test)
        if np.any(labels[test] >= 0):
            raise ValueError("cv must partition the rows (each sample in exactly one "
                             "test fold) to run on Dask input.")
        labels[test] = k
        K = k + 1
    if K < 2 or np.any(labels < 0):
        raise ValueError("cv must partition the rows into at least 2 test folds (as "
                         "KFold does) to run on Dask input.")
    return labels, K


def train_stats(folds, k):
    """Statistics of every fold but ``k``: fold k's training set."""
    return merge_all([f for j, f in enumerate(folds) if j != k])


def heldout_sse(st, coef, intercept, t=0):
    """``sum_i s_i (y_i - x_i.w - b)^2`` over the rows of ``st`` for the
    coefficients ``coef`` (p, K) and intercepts (K,) of target column ``t``:
    a quadratic form in the centred statistics, exact up to round-off of size
    eps * cyy, with no pass over the data."""
    quad = np.einsum("pk,pq,qk->k", coef, st.Cxx, coef)
    off = st.my[t] - st.mx @ coef - intercept
    return np.maximum(st.cyy[t] - 2 * (st.Cxy[:, t] @ coef) + quad, 0.0) + st.W * off * off


# ---------------------------------------------------------------------------
# on the client: what every driver does with the statistics
# ---------------------------------------------------------------------------

def fits_gram(n_features):
    """Whether the p x p statistics are within :data:`GRAM_MAX_ENTRIES`."""
    return n_features * n_features <= GRAM_MAX_ENTRIES


def check_gram_size(X, what):
    """The one-pass route holds p x p statistics per chunk: refuse beyond the limit."""
    p = X.shape[1]
    if not fits_gram(p):
        raise ValueError(f"{what} on Dask input needs p x p statistics; n_features={p} "
                         f"is beyond the limit of {int(np.sqrt(GRAM_MAX_ENTRIES))} "
                         "(only ElasticNet/Lasso have a wide route, consensus ADMM).")


def out_dtype(X):
    """The dtype of the fitted attributes: the input's when float32 or float64
    (as the in-memory validation converts), else float64."""
    return X.dtype if X.dtype in (np.float32, np.float64) else np.dtype(np.float64)


def centred_moments(st, fit_intercept, dtype, scale=1.0):
    """``(G, Xy, yy)`` of :meth:`Stats.moments` times ``scale``, with the columns
    that centring leaves as round-off only (constant features) zeroed, as the
    in-memory preprocessing zeroes them (:func:`fastreg._preprocess.constant_mask`)."""
    from .._preprocess import constant_mask

    G, Xy, yy = st.moments(fit_intercept)
    if fit_intercept:
        const = constant_mask(np.diag(G), st.mx, st.W, dtype)
        if np.any(const):
            G[const, :] = 0
            G[:, const] = 0
            Xy[const] = 0
    if scale != 1.0:
        G *= scale
        Xy *= scale
        yy *= scale
    return G, Xy, yy


def intercept(st, coef, fit_intercept, y_ndim):
    """``intercept_`` of ``coef`` fitted on the rows of ``st`` (the in-memory
    rule, :func:`fastreg._result.intercept_from_means`), for a y of ``y_ndim``
    dimensions."""
    from .._result import intercept_from_means

    y_mean = st.my if y_ndim == 2 else st.my[0]
    return intercept_from_means(coef, st.mx, y_mean, fit_intercept)


def features_seen(X):
    """The fitted attributes that describe the input: its width, and no feature
    names (a Dask array has none; a stale ``feature_names_in_`` goes)."""
    from .._result import ABSENT

    return {"n_features_in": X.shape[1], "feature_names_in": ABSENT}


def chunk_design(x, y, s, x_mean, y_mean, scale=1.0):
    """One chunk's rows as a :class:`fastreg._preprocess.Design` centred by the
    *global* means and weighted by ``s * scale``: ``Xt = diag(sqrt(s scale))
    (x - x_mean)``, ``yt`` likewise (one column per target). Dense chunks are
    centred explicitly; sparse ones stay sparse, centred implicitly by the
    design."""
    from .._preprocess import Design, _canonical_csc

    m, p = x.shape
    y = np.asarray(y, dtype=np.float64)
    sw = np.ones(m) if s is None else np.asarray(s, dtype=np.float64).reshape(m)
    sq = np.sqrt(sw * scale)
    yt = (y - y_mean) * sq.reshape((m,) + (1,) * (y.ndim - 1))
    if sp.issparse(x):
        X = _canonical_csc(sp.csr_matrix(x, dtype=np.float64))
        X = sp.csc_matrix((X.data * sq[X.indices], X.indices, X.indptr), shape=X.shape)
    else:
        X = np.asfortranarray(np.asarray(x, dtype=np.float64) - x_mean)
        X *= sq[:, None]
        x_mean = np.zeros(p)
    return Design(X=X, y=yt, x_mean=x_mean, y_mean=np.asarray(y_mean, dtype=np.float64),
                  sqrt_sw=sq)
