"""Gram-matrix ("covariance" / precompute) mode of the coordinate-descent solvers.

:func:`gram_statistics` turns a preprocessed :class:`~fastreg._preprocess.Design`
into the sufficient statistics ``(G, Xy, y_norm2)`` consumed by
:func:`fastreg._kernels._cd_gram.enet_cd_gram`; :func:`use_gram` decides, for
``precompute='auto'``, whether building them pays off; :func:`check_gram`
validates a user-supplied Gram matrix.

All statistics refer to the centred, sqrt(weight)-rescaled problem of the
design, ``Xt = diag(sqrt_sw) (X - 1 x_mean^T)`` and ``yt``: sample weights are
already folded into the design, so a user-supplied Gram matrix must be
``Xt^T Xt`` with the same (normalised) weights and centering.
"""
import numbers

import numpy as np
import scipy.linalg as la
import scipy.sparse as sp

# --------------------------------------------------------------------------
# cost model of precompute='auto' (measurements in the Notes of use_gram)
# --------------------------------------------------------------------------
#: Building G costs about n_features / _BUILD_EPOCHS_DIV full dense epochs.
_BUILD_EPOCHS_DIV = 20.0
#: Full dense epochs a cold single fit typically needs.
_EPOCHS_FIRST_FIT = 12.0
#: Full dense epochs each further, warm-started fit of a path typically needs.
_EPOCHS_WARM_FIT = 6.0
#: The largest Gram matrix (entries) fastreg forms without being asked to:
#: 2**27 doubles, 1 GiB (p or n up to 11,585). Coordinate descent's 'auto',
#: Ridge's 'auto' and RidgeCV's 'auto' route all stop here; beyond it they
#: take a matrix-free route or ask for one explicitly.
MAX_GRAM_ENTRIES = 2 ** 27


def _rtol(*dtypes):
    """Round-off tolerance: the loosest of the dtypes involved."""
    return max(1e-4 if np.dtype(d) == np.float32 else 1e-7 for d in dtypes)


def _symmetrize_lower(G):
    """Copy the strict lower triangle of G onto the upper one, in place."""
    p = G.shape[0]
    block = 512
    for k0 in range(0, p, block):
        k1 = min(k0 + block, p)
        # Off-diagonal strip: rows k0:k1, columns k1: of the upper triangle.
        G[k0:k1, k1:] = G[k1:, k0:k1].T
        # Diagonal block.
        B = G[k0:k1, k0:k1]
        iu = np.triu_indices(k1 - k0, 1)
        B[iu] = B.T[iu]
    return G


#: Entries of one column block of a sparse product made dense (doubles): the
#: sparse intermediate of a whole product can hold several times the dense size.
_BLOCK_ENTRIES = 2 ** 22


#: Entries of a block of dense element-wise work (doubles) that stays in cache.
_CACHE_ENTRIES = 2 ** 15


def _column_blocks(n_rows, n_cols, entries=_BLOCK_ENTRIES):
    step = max(1, entries // max(n_rows, 1))
    for j in range(0, n_cols, step):
        yield j, min(j + step, n_cols)


def _syrk(X, trans):
    """``X^T X`` (``trans=1``) or ``X X^T`` (``trans=0``) by SYRK, lower triangle
    valid, Fortran, X's dtype. An empty side is handled here: BLAS rejects a
    zero leading dimension (and prints so), and with no rows to sum over SYRK
    leaves its output unwritten."""
    k = X.shape[1] if trans else X.shape[0]
    if k == 0 or X.shape[1 - trans] == 0:
        return np.zeros((k, k), dtype=X.dtype, order="F")
    return la.get_blas_funcs("syrk", (X,))(1.0, X, trans=trans, lower=1)


def gram_matrix(design, lower_only=False):
    """``G = Xt^T Xt`` of a design: (n_features, n_features), Fortran, X's dtype.

    The one builder of the primal Gram matrix (coordinate descent's Gram mode,
    Ridge's Cholesky route, RidgeCV's leave-one-out).

    Dense designs (already centred and rescaled): one SYRK (``n p^2`` flops,
    half of GEMM's) in X's dtype; with ``lower_only`` only its lower triangle
    is valid, otherwise the upper one is filled in. A lazy unweighted design
    whose centring is well conditioned skips its centred copy:
    :func:`centred_gram_from_raw`.
    Sparse designs: the sparse product ``Xs^T Xs`` (float64), made dense in
    column blocks, minus the implicit centering as a rank-one-type correction,

        Xt^T Xt = Xs^T Xs - c m^T - m c^T + (sqrt_sw . sqrt_sw) m m^T,
        c = Xs^T sqrt_sw,  m = x_mean,

    which is exactly the design the sparse kernel sees. The correction cancels
    when a column is nearly constant (relative error ~ eps * mean^2 / variance
    on its entries); the diagonal is recomputed term by term instead, and a
    column whose centred norm is exactly zero gets a zero row and column.
    Sparse results are always fully symmetric.
    """
    if design.lazy:
        G = centred_gram_from_raw(design, symmetrize=not lower_only)
        if G is not None:
            return G
    X = design.X
    n, p = X.shape
    if not design.sparse:
        G = _syrk(X, trans=1)  # (p, p), Fortran, lower triangle filled
        return G if lower_only else _symmetrize_lower(G)
    X64 = X.astype(np.float64, copy=False)
    XT = X64.T.tocsr()
    G = np.empty((p, p), order="F")
    for j0, j1 in _column_blocks(p, p):
        G[:, j0:j1] = (XT @ X64[:, j0:j1]).toarray()
    if design.center_implicitly:
        m = design.x_mean.astype(np.float64)
        s = design.sqrt_sw.astype(np.float64)
        c = np.asarray(XT @ s).ravel()
        # cache-sized blocks: the outer products' temporaries stay in cache
        for j0, j1 in _column_blocks(p, p, _CACHE_ENTRIES):
            blk = G[:, j0:j1]
            blk -= np.multiply.outer(c, m[j0:j1])
            blk -= np.multiply.outer(m, c[j0:j1])
            blk += (s @ s) * np.multiply.outer(m, m[j0:j1])
        diag = design.column_norms2()  # term by term: no cancellation
        zero = diag == 0
        G[zero, :] = 0
        G[:, zero] = 0
        G[np.diag_indices(p)] = diag
    # The sparse product and the corrections are symmetric only up to round-off.
    return _symmetrize_lower(np.asfortranarray(G.astype(X.dtype, copy=False)))


def kernel_matrix(design, lower_only=False):
    """``K = Xt Xt^T`` of a design: (n_samples, n_samples), Fortran, X's dtype.

    The one builder of the kernel (dual) matrix: Ridge's dual Cholesky route
    and RidgeCV's leave-one-out with fewer samples than features. Dense: one
    SYRK (lower triangle; filled in unless ``lower_only``). Sparse: the sparse
    product of the CSR rows made dense in column blocks, with the implicit
    centering ``Xt = Xs - sqrt_sw m^T`` as the correction
    ``Xs Xs^T - a s^T - s a^T + (m . m) s s^T``, ``a = Xs m``; never densifies X.
    """
    X = design.X
    n = X.shape[0]
    if not design.sparse:
        K = _syrk(X, trans=0)
        return K if lower_only else _symmetrize_lower(K)
    Xr = X.astype(np.float64, copy=False).tocsr()
    XrT = Xr.T  # a CSC view of the transpose (no copy): cheap column blocks
    K = np.empty((n, n), order="F")
    m = design.x_mean.astype(np.float64)
    s = design.sqrt_sw.astype(np.float64)
    a = np.asarray(Xr @ m).ravel() if design.center_implicitly else None
    for i0, i1 in _column_blocks(n, n):
        K[:, i0:i1] = (Xr @ XrT[:, i0:i1]).toarray()
        if a is not None:
            blk = K[:, i0:i1]
            blk -= np.multiply.outer(a, s[i0:i1])
            blk -= np.multiply.outer(s, a[i0:i1])
            blk += (m @ m) * np.multiply.outer(s, s[i0:i1])
    return _symmetrize_lower(np.asfortranarray(K.astype(X.dtype, copy=False)))


#: Largest ``||x_j||^2 / ||x_j - mean_j||^2`` for which :func:`centred_gram_from_raw`
#: corrects the uncentred Gram matrix instead of centring X (the correction
#: loses about log2 of this many bits, of 52).
_MAX_CENTRING_AMPLIFICATION = 16.0


def centred_gram_from_raw(design, symmetrize=True):
    """``Xt^T Xt`` of an unweighted lazy dense design without its centred copy:
    ``X^T X - n m m^T`` (one SYRK on the raw X, any order), or None when that
    is not accurate or not applicable (weights, non-contiguous X, a column
    whose mean dominates its spread, or a constant column). Without
    ``symmetrize`` only the lower triangle is valid (SYRK's).

    The centred copy costs a pass that writes n x p numbers, a sizeable part
    of a tall path; the correction's cancellation costs
    log2(||x_j||^2 / ||x_j - m_j||^2) bits per entry, bounded here.
    """
    X, m = design.X_raw, design.x_mean
    if design._weighted or X.dtype != np.float64:
        return None
    if X.flags.f_contiguous:
        G = _syrk(X, trans=1)
    elif X.flags.c_contiguous:
        G = _syrk(X.T, trans=0)  # X.T is Fortran (p, n)
    else:
        return None
    n = X.shape[0]
    raw = np.diagonal(G).copy()
    centred = raw - n * m * m
    if np.any(centred <= 0) or np.any(raw > _MAX_CENTRING_AMPLIFICATION * centred):
        return None
    if np.any(m != 0):
        # Rank-one update of the lower triangle in place (an outer product
        # would allocate and write p^2 more numbers).
        G = la.blas.dsyr(-float(n), np.ascontiguousarray(m, dtype=np.float64), a=G,
                         lower=1, overwrite_a=1)
    return _symmetrize_lower(G) if symmetrize else G


def _design_diag(design):
    """||Xt_j||^2 for every column, float64, O(nnz) (used to spot-check a user G)."""
    return design.column_norms2() if design.sparse else np.einsum(
        "ij,ij->j", design.X, design.X, dtype=np.float64)


def check_gram(G, n_features, dtype=None):
    """Validate a user-supplied Gram matrix; return it Fortran, exactly symmetric.

    Parameters
    ----------
    G : array-like of shape (n_features, n_features)
        Must be finite and symmetric up to round-off: ``|G - G^T| <= rtol *
        max_j G[j, j]`` with rtol 1e-7 (1e-4 if G or dtype is float32), with a
        non-negative diagonal.
    n_features : int
    dtype : dtype, default=None
        Output dtype (the data's); G's own float dtype if None.

    Returns
    -------
    G : ndarray of shape (n_features, n_features), Fortran-ordered
        ``(G + G^T) / 2`` in ``dtype`` (a new array).
    """
    G = np.asarray(G)
    if G.dtype.kind not in "fiu":
        raise ValueError(f"The Gram matrix must be real-valued, got dtype {G.dtype}.")
    if dtype is None:
        dtype = G.dtype if G.dtype in (np.float32, np.float64) else np.float64
    dtype = np.dtype(dtype)
    if G.shape != (n_features, n_features):
        raise ValueError(f"The Gram matrix must have shape (n_features, n_features) = "
                         f"({n_features}, {n_features}), got {G.shape}.")
    if not np.all(np.isfinite(G)):
        raise ValueError("The Gram matrix contains NaN or infinite values.")
    G64 = G.astype(np.float64, copy=False)
    diag = np.diagonal(G64)
    if np.any(diag < 0):
        raise ValueError("The Gram matrix has negative diagonal entries: it is not "
                         "X^T X of any X.")
    scale = diag.max(initial=0.0)
    asym = np.max(np.abs(G64 - G64.T), initial=0.0)
    if asym > _rtol(G.dtype, dtype) * scale:
        raise ValueError(f"The Gram matrix is not symmetric: max |G - G^T| = {asym:.3e} "
                         f"for max G[j, j] = {scale:.3e}.")
    out = np.empty((n_features, n_features), dtype=dtype, order="F")
    np.add(G64, G64.T, out=out, casting="unsafe")
    out *= 0.5
    return out


def _check_gram_matches(G, design):
    """Spot-check a user Gram matrix against the design (its diagonal and one
    off-diagonal entry), like scikit-learn's single-element check but wider."""
    X = design.X
    p = X.shape[1]
    if p == 0:
        return
    expected = _design_diag(design)
    actual = np.diagonal(G).astype(np.float64)
    rtol = _rtol(G.dtype, X.dtype)
    bad = ~np.isclose(actual, expected, rtol=rtol, atol=rtol * expected.max(initial=0.0))
    f1, f2 = p // 2, min(p // 2 + 1, p - 1)
    if design.sparse:
        e = np.zeros((p, 2), dtype=X.dtype)
        e[f1, 0] = e[f2, 1] = 1
        cols = design.matvec(e)  # the two centred columns, O(nnz)
        off = float(cols[:, 0] @ cols[:, 1])
    else:
        off = float(np.dot(X[:, f1], X[:, f2]))
    off_ok = abs(off - float(G[f1, f2])) <= rtol * (np.sqrt(expected[f1] * expected[f2])
                                                    + expected.max(initial=0.0))
    if np.any(bad) or not off_ok:
        j = int(np.flatnonzero(bad)[0]) if np.any(bad) else f1
        raise ValueError(
            "Gram matrix passed in via 'precompute' parameter did not pass validation "
            "when a single element was checked - please check that it was computed "
            f"properly. For element ({j},{j}) we computed {float(expected[j])!r} but the "
            f"user-supplied value was {float(actual[j])!r}; for element ({f1},{f2}) we "
            f"computed {off!r}, the user-supplied value was {float(G[f1, f2])!r}. It does "
            "not match the data: it must be Xt^T Xt of the centred (when "
            "fit_intercept=True) and sqrt(sample_weight)-rescaled X, weights normalised "
            "to sum to n_samples.")


def gram_statistics(design, y, precompute=None):
    """Sufficient statistics ``(G, Xy, y_norm2)`` of a design for the Gram kernel.

    Parameters
    ----------
    design : Design
        Output of :func:`fastreg._preprocess.preprocess` (centred, weighted).
    y : ndarray of shape (n_samples,)
        One column of ``design.y`` (centred and rescaled).
    precompute : array-like of shape (n_features, n_features) or None
        A user-supplied ``Xt^T Xt`` to use instead of building it: validated by
        :func:`check_gram` and spot-checked against the design (diagonal and
        one off-diagonal entry); None builds it with :func:`gram_matrix`.
        A Gram matrix can also be reused across targets/alphas by passing the
        ``G`` of a previous call (it is then only re-validated, O(n p)).

    Returns
    -------
    G : ndarray of shape (n_features, n_features), Fortran-ordered, X's dtype
    Xy : ndarray of shape (n_features,), X's dtype
        ``Xt^T yt`` (float64 accumulation for sparse X).
    y_norm2 : numpy scalar of X's dtype
        ``||yt||^2``, accumulated in float64.
    """
    n, p = design.shape
    dtype = design.dtype
    y = np.asarray(y)
    if y.ndim != 1 or y.shape[0] != n:
        raise ValueError(f"y must have shape ({n},), got {y.shape}.")
    if precompute is None:
        G = gram_matrix(design)
    else:
        G = check_gram(precompute, p, dtype)
        _check_gram_matches(G, design)
    y64 = y.astype(np.float64, copy=False)
    if design.lazy:  # the centring stays implicit (X^T yc - m sum(yc))
        Xy = design.rmatvec(y.astype(dtype, copy=False))
    elif design.sparse:
        X = design.X
        X64 = X.astype(np.float64, copy=False)
        Xy = np.asarray(X64.T @ y64).ravel()
        if design.center_implicitly:
            Xy -= design.x_mean.astype(np.float64) * (design.sqrt_sw.astype(np.float64) @ y64)
        Xy = Xy.astype(dtype)
    else:
        Xy = design.X.T @ y.astype(dtype, copy=False)  # one GEMV in X's dtype
    return G, np.ascontiguousarray(Xy, dtype=dtype), dtype.type(y64 @ y64)


def use_gram(precompute, n_samples, n_features, n_alphas=1, n_tasks=1):
    """Whether to run coordinate descent in Gram mode.

    Parameters
    ----------
    precompute : bool, 'auto' or array-like of shape (n_features, n_features)
        True/False force the choice; an array is a user-supplied Gram matrix
        (validated here by :func:`check_gram`: shape and symmetry) and means
        True; 'auto' applies the cost model below.
    n_samples, n_features : int
        Shape of the design.
    n_alphas : int, default=1
        Number of fits that will share one Gram matrix (a regularisation
        path, several targets): the build is amortised over them.
    n_tasks : int, default=1
        Columns of the target solved jointly (the multi-task kernels): a
        dense epoch then costs ``n_tasks`` times more, the build no more.

    Returns
    -------
    bool

    Notes
    -----
    ``'auto'`` picks Gram mode iff ``n_samples >= n_features``, G has at most
    ``MAX_GRAM_ENTRIES`` entries, and

        p / 20  <  (12 + 6 (n_alphas - 1)) * (1 - p / (4 n)).

    Left: the cost of building G in *full dense epochs* (one dense-kernel
    coordinate step on every feature, ~2 n multiply-adds each). Right: the
    dense epochs the fits are expected to need, times the fraction of them a
    Gram epoch does not cost. For a single fit this means p below ~210-240
    (i.e. roughly p <= 200 whatever n >= p); with 10 alphas, p below ~1300;
    with 100 alphas, any p up to the memory cap.

    With ``n_tasks = T`` the left side is divided by T: a multi-task dense
    epoch updates T residual columns per feature (``2 n T`` multiply-adds),
    while G is built once for every task.

    The constants come from timings of both routes on correlated Gaussian
    designs, single fits and paths (bench/results/cost_models.md); they are
    meant to be right by a margin, not exact: a wrong Gram choice costs up to
    5x on easy problems.
    """
    if isinstance(precompute, (bool, np.bool_)):
        return bool(precompute)
    if isinstance(precompute, str):
        if precompute != "auto":
            raise ValueError(f"precompute must be a bool, 'auto' or an array, got "
                             f"{precompute!r}.")
        return _auto(n_samples, n_features, n_alphas, n_tasks)
    if sp.issparse(precompute):
        raise TypeError("A precomputed Gram matrix must be dense.")
    if precompute is None or isinstance(precompute, numbers.Number):
        raise ValueError(f"precompute must be a bool, 'auto' or an array, got "
                         f"{precompute!r}.")
    check_gram(precompute, n_features)
    return True


def _auto(n_samples, n_features, n_alphas, n_tasks=1):
    n, p = int(n_samples), int(n_features)
    if p == 0 or n < p or p * p > MAX_GRAM_ENTRIES:
        return False
    build = p / (_BUILD_EPOCHS_DIV * max(int(n_tasks), 1))  # in full dense epochs
    dense = _EPOCHS_FIRST_FIT + (max(int(n_alphas), 1) - 1) * _EPOCHS_WARM_FIT
    return build < dense * (1.0 - p / (4.0 * n))
