"""Coordinate descent for the Elastic-Net on a sparse CSC matrix.

Centering is implicit: the kernel works with the column means instead of
ever forming ``X - mean`` (which would be dense). Sample weights arrive
folded into the data (rows scaled by ``sqrt(s_i)``) by the caller, who also
passes ``sqrt_sw``; the centred, weighted design is then

    Xt[:, j] = Xs[:, j] - x_mean[j] * sqrt_sw,    Xs = diag(sqrt_sw) X.

The residual is stored as ``R_true = R + c * sqrt_sw``: an update of w_j by
delta subtracts delta * Xs[:, j] from R (its non-zeros only) and adds
delta * x_mean[j] to the scalar c. The shift is folded back into R whenever
the duality gap is computed, so the gap is always evaluated on the true
residual, without cancellation.

The contract (the arguments after the design, the return tuple, the options'
meaning) is the dense and Gram kernels'.
"""
import numpy as np

from libc.float cimport DBL_EPSILON, FLT_EPSILON
from libc.math cimport fabs, sqrt
from libc.stdint cimport int32_t, int64_t, uint64_t

from ._anderson cimport ANDERSON_MAX_K, anderson_depth, anderson_push, anderson_weights
from ._blas cimport floating, _axpy, _copy, _dot
from ._cd_helpers cimport (cd_update, fr_rand_index, fr_rand_seed,
                           fr_sparse_axpy_d_i32, fr_sparse_axpy_d_i64,
                           fr_sparse_axpy_s_i32, fr_sparse_axpy_s_i64,
                           fr_sparse_dot_d_i32, fr_sparse_dot_d_i64,
                           fr_sparse_dot_s_i32, fr_sparse_dot_s_i64)
from ._contract cimport check_lengths, check_shared, factors_and_box
from ._interrupt cimport INTERRUPT_BUDGET, spend
from ._dual cimport (Projection, clip, penalty, pf_gap, projection_init,
                     project_unpenalised, screen_feature)
from ._sweep cimport sweep_list
from ._anderson cimport unmoved as _unmoved

ctypedef fused index_t:
    int32_t
    int64_t


cdef inline const floating *_fptr(const floating[::1] a) noexcept nogil:
    """First element's address, NULL for an empty array (X with no non-zeros:
    the column loops then never dereference it)."""
    return &a[0] if a.shape[0] > 0 else NULL


cdef inline const index_t *_iptr(const index_t[::1] a) noexcept nogil:
    """As _fptr, for index arrays."""
    return &a[0] if a.shape[0] > 0 else NULL


cdef inline floating _col_dot(const floating *data, const index_t *indices,
                              index_t start, index_t end,
                              const floating *v) noexcept nogil:
    if floating is double:
        if index_t is int32_t:
            return fr_sparse_dot_d_i32(data, indices, start, end, v)
        else:
            return fr_sparse_dot_d_i64(data, indices, start, end, v)
    else:
        if index_t is int32_t:
            return fr_sparse_dot_s_i32(data, indices, start, end, v)
        else:
            return fr_sparse_dot_s_i64(data, indices, start, end, v)


cdef inline void _col_axpy(floating alpha, const floating *data, const index_t *indices,
                           index_t start, index_t end, floating *v) noexcept nogil:
    if floating is double:
        if index_t is int32_t:
            fr_sparse_axpy_d_i32(alpha, data, indices, start, end, v)
        else:
            fr_sparse_axpy_d_i64(alpha, data, indices, start, end, v)
    else:
        if index_t is int32_t:
            fr_sparse_axpy_s_i32(alpha, data, indices, start, end, v)
        else:
            fr_sparse_axpy_s_i64(alpha, data, indices, start, end, v)


cdef floating _sparse_gap(const floating[::1] data, const index_t[::1] indices,
                          const index_t[::1] indptr, const floating[::1] x_mean,
                          const floating[::1] y, const floating[::1] w,
                          const floating[::1] R, floating sum_R, floating[::1] XtR,
                          const floating[::1] pf, const floating[::1] qf, const floating[::1] lo, const floating[::1] hi, const Projection *proj,
                          floating l1, floating l2,
                          floating *dual_norm, floating *gap_l1) noexcept nogil:
    """Duality gap at w, kernel units; fills XtR = Xt^T theta.

    R must be the true residual (shift folded in) and sum_R its sum against
    sqrt_sw; theta is R, projected off the unpenalised columns if any. Also
    returns the dual norm and the gap at the rescaled dual point, as in the
    dense kernel.
    """
    cdef int n = y.shape[0]
    cdef int p = w.shape[0]
    cdef int j
    cdef double R_norm2, th_norm2, th_y
    for j in range(p):
        XtR[j] = (_col_dot(_fptr(data), _iptr(indices), indptr[j], indptr[j + 1], &R[0])
                  - x_mean[j] * sum_R)
    R_norm2 = _dot(n, &R[0], 1, &R[0], 1)
    th_norm2 = R_norm2
    th_y = _dot(n, &R[0], 1, &y[0], 1)
    project_unpenalised(XtR, w, lo, hi, proj, &th_norm2, &th_y)
    return pf_gap(XtR, w, pf, qf, lo, hi, R_norm2, th_norm2, th_y, l1, l2, dual_norm,
                  gap_l1)


cdef floating _residual(const floating[::1] data, const index_t[::1] indices,
                        const index_t[::1] indptr, const floating[::1] x_mean,
                        const floating[::1] y, const floating[::1] w,
                        floating[::1] R) noexcept nogil:
    """R <- y - Xs w from scratch; returns the shift c = x_mean . w."""
    cdef int n = R.shape[0]
    cdef int p = w.shape[0]
    cdef int j
    _copy(n, &y[0], 1, &R[0], 1)
    for j in range(p):
        if w[j] != 0:
            _col_axpy(-w[j], _fptr(data), _iptr(indices), indptr[j], indptr[j + 1], &R[0])
    return _dot(p, &x_mean[0], 1, &w[0], 1)


cdef inline floating _fold_shift(floating c, const floating[::1] sqrt_sw,
                                 floating[::1] R) noexcept nogil:
    """R <- R + c * sqrt_sw, so that R becomes the true residual; returns sqrt_sw . R."""
    cdef int n = R.shape[0]
    if c != 0:
        _axpy(n, c, &sqrt_sw[0], 1, &R[0], 1)
    return _dot(n, &sqrt_sw[0], 1, &R[0], 1)


cdef int _column_stats(const floating[::1] data, const index_t[::1] indices,
                       const index_t[::1] indptr, const floating[::1] x_mean,
                       const floating[::1] sqrt_sw, floating sum_sw,
                       floating[::1] norms, floating[::1] colsum) except -1 nogil:
    """norms[j] = ||Xt_j||^2 (0 for a numerically constant column) and
    colsum[j] = Xs_j . sqrt_sw.

    The centred squared norm is accumulated term by term (no "sum x^2 - n m^2"
    cancellation):
      ||Xt_j||^2 = sum_{i in nz} (xs_ij - m sqrt_sw_i)^2 + m^2 (sum_sw - sum_{i in nz} s_i).
    A centred norm below (64 eps)^2 of the raw norm is round-off: the column
    is numerically constant, and treating it as zero avoids dividing by noise.
    Returns 0; ``except -1`` lets a debug build's bounds error propagate (the
    first read of ``indices`` happens here).
    """
    cdef Py_ssize_t n = sqrt_sw.shape[0]
    cdef Py_ssize_t p = norms.shape[0]
    cdef Py_ssize_t j
    cdef index_t k
    cdef floating m, acc, nz_sw, raw, d
    cdef floating tiny = (64 * (FLT_EPSILON if floating is float else DBL_EPSILON)) ** 2
    for j in range(p):
        m = x_mean[j]
        acc = 0
        nz_sw = 0
        raw = 0
        colsum[j] = 0
        for k in range(indptr[j], indptr[j + 1]):
            d = data[k] - m * sqrt_sw[indices[k]]
            acc += d * d
            raw += data[k] * data[k]
            nz_sw += sqrt_sw[indices[k]] * sqrt_sw[indices[k]]
            colsum[j] += data[k] * sqrt_sw[indices[k]]
        # Implicit zeros contribute m^2 each (times their weight); a column
        # without any must not pick up the round-off of sum_sw - nz_sw.
        d = sum_sw - nz_sw if indptr[j + 1] - indptr[j] < n else 0
        norms[j] = acc + m * m * (d if d > 0 else 0)
        if norms[j] <= tiny * raw:
            norms[j] = 0
    return 0


cdef int _check_csc(const floating[::1] data, const index_t[::1] indices,
                    const index_t[::1] indptr, const floating[::1] x_mean,
                    Py_ssize_t n, Py_ssize_t n_sqrt_sw) except -1:
    """Raise ValueError unless the CSC triplet, ``x_mean`` (one mean per column)
    and ``sqrt_sw`` (one per row, n rows) fit together. Row indices are not
    checked (a debug build bounds-checks them)."""
    cdef Py_ssize_t p = indptr.shape[0] - 1
    if (p < 0 or data.shape[0] != indices.shape[0] or x_mean.shape[0] != p
            or n_sqrt_sw != n or indptr[0] != 0 or indptr[p] > data.shape[0]):
        raise ValueError(f"Inconsistent shapes: data ({data.shape[0]},), indices "
                         f"({indices.shape[0]},), indptr ({indptr.shape[0]},) ending at "
                         f"{indptr[p] if p >= 0 else None}, x_mean ({x_mean.shape[0]},), "
                         f"sqrt_sw ({n_sqrt_sw},), {n} samples.")
    return 0


def sparse_column_stats(const floating[::1] data, const index_t[::1] indices,
                        const index_t[::1] indptr, const floating[::1] x_mean,
                        const floating[::1] sqrt_sw):
    """``(norms, colsum)`` of the design (see :func:`enet_cd_sparse`'s
    ``column_stats``), new arrays in the data's dtype."""
    cdef Py_ssize_t n = sqrt_sw.shape[0]
    cdef Py_ssize_t p = indptr.shape[0] - 1
    _check_csc(data, indices, indptr, x_mean, n, n)
    dtype = np.float32 if floating is float else np.float64
    norms_ = np.empty(p, dtype=dtype)
    colsum_ = np.empty(p, dtype=dtype)
    cdef floating[::1] norms = norms_
    cdef floating[::1] colsum = colsum_
    cdef floating sum_sw
    with nogil:
        sum_sw = _dot(n, &sqrt_sw[0], 1, &sqrt_sw[0], 1)
        _column_stats(data, indices, indptr, x_mean, sqrt_sw, sum_sw, norms, colsum)
    return norms_, colsum_


def enet_cd_sparse(const floating[::1] data, const index_t[::1] indices,
                   const index_t[::1] indptr, const floating[::1] x_mean,
                   const floating[::1] sqrt_sw, const floating[::1] y,
                   floating[::1] w, floating l1_reg, floating l2_reg, int max_iter,
                   floating tol, uint64_t seed, bint random, bint positive,
                   int gap_freq=10, int anderson_k=5, double work_frac=0.0,
                   const floating[::1] penalty_factor=None, const int[::1] unpen_idx=None,
                   const floating[::1, :] unpen_pinv=None,
                   const floating[::1, :] unpen_cross=None, floating[::1] proj_work=None,
                   double[::1] proj_dwork=None, int[::1] proj_iwork=None,
                   const floating[::1] l2_factor=None, const floating[::1] lower=None,
                   const floating[::1] upper=None, const int[::1] unpen_sign=None, *,
                   column_stats=None):
    """Minimise the Elastic-Net objective by coordinate descent on a sparse design, in place.

    Minimises, in kernel units,

        P(w) = 1/2 ||y - Xt w||^2 + sum_j pf_j (l1_reg |w_j| + l2_reg/2 w_j^2)

    over w (w >= 0 if ``positive``), ``Xt = Xs - sqrt_sw x_mean^T`` the
    implicitly centred design of the module docstring, pf_j the penalty
    factors (all ones by default). Units as in :func:`enet_cd_dense`.

    Design
    ------
    data, indices, indptr : ndarrays
        The CSC triplet of ``Xs = diag(sqrt_sw) X``, shape (n_samples,
        n_features), float32 or float64 data, int32 or int64 indices;
        canonical (no duplicate entries).
    x_mean : ndarray of shape (n_features,)
        The column means subtracted implicitly (weighted means of X), or zeros.
    sqrt_sw : ndarray of shape (n_samples,)
        Square roots of the sample weights (ones if unweighted).
    y : ndarray of shape (n_samples,)
        The target, centred and rescaled by ``sqrt_sw``.
    column_stats : tuple (norms, colsum), keyword only, default=None
        :func:`sparse_column_stats` of this design (read only), to skip
        computing them: a path passes them to every solve.

    Arguments after the design (the same for every kernel)
    -------------------------------------------------------
    w, l1_reg, l2_reg, max_iter, tol, seed, random, positive, gap_freq, anderson_k,
    work_frac, penalty_factor, unpen_idx, unpen_pinv, unpen_cross, proj_work,
    proj_dwork, proj_iwork, l2_factor, lower, upper, unpen_sign
        As in :func:`enet_cd_dense`, with ``Xt`` for X (``||y||^2`` for
        ``tol_scaled``; w_j = 0 for numerically constant columns).

    Returns
    -------
    (gap, tol_scaled, n_iter, converged)
        As in :func:`enet_cd_dense`.

    Modified in place: ``w`` and the ``proj_*`` scratch; every other array
    is read only. Raises ValueError as :func:`enet_cd_dense` does.
    """
    cdef int n = y.shape[0]
    cdef int p = indptr.shape[0] - 1
    _check_csc(data, indices, indptr, x_mean, n, sqrt_sw.shape[0])
    check_shared(p, w.shape[0], -1 if penalty_factor is None else penalty_factor.shape[0],
                 gap_freq, work_frac)
    check_lengths(p, l2_factor, lower, upper)
    dtype = np.float32 if floating is float else np.float64
    cdef floating[::1] R = np.empty(n, dtype=dtype)
    cdef floating[::1] XtR = np.empty(p, dtype=dtype)
    # Column statistics: computed here, or once per design by the caller
    # (sparse_column_stats) and shared by the solves of a path.
    cdef bint given_stats = column_stats is not None
    cdef floating[::1] norms = column_stats[0] if given_stats else np.empty(p, dtype=dtype)
    cdef floating[::1] colsum = column_stats[1] if given_stats else np.empty(p, dtype=dtype)
    if norms.shape[0] != p or colsum.shape[0] != p:
        raise ValueError(f"column_stats must hold two arrays of {p} numbers.")
    cdef int[::1] active = np.empty(p, dtype=np.intc)   # not screened out
    cdef int[::1] work = np.empty(p, dtype=np.intc)     # swept (sweep_list)
    cdef int n_active = 0, n_work = -1
    cdef bint work_changed
    cdef floating gap = 0, gap_l1, dual_norm, tol_scaled, a, b, w_old, w_new
    cdef floating w_max, d_w_max, delta, sum_sw, sum_R, c
    cdef uint64_t state = fr_rand_seed(seed)
    cdef int epoch = 0, f, j
    cdef bint converged = False
    cdef Py_ssize_t budget = INTERRUPT_BUDGET   # work until an interrupt check
    # Strong sets only with cyclic selection and an L1 term.
    cdef double threshold = work_frac * l1_reg if not random and l1_reg > 0 else 0.0
    # Anderson extrapolation buffers, as in the dense kernel.
    anderson_k = anderson_depth(anderson_k, random)
    cdef floating[::1] snaps, w_acc, R_acc
    cdef int n_snaps = 0
    # Penalty factors and the projection off the unpenalised features, as in
    # the dense kernel.
    cdef const floating[::1] pf, qf, lo, hi
    pf, qf, lo, hi = factors_and_box(p, dtype, penalty_factor, l2_factor, lower, upper,
                                     positive)
    cdef Projection proj
    projection_init(&proj, p, unpen_idx, unpen_pinv, unpen_cross, proj_work, proj_dwork,
                    proj_iwork, positive, unpen_sign)
    cdef floating *Uy = <floating *> proj.Uy
    # A warm start outside the box is projected onto it: every iterate is inside.
    for j in range(p):
        w[j] = clip(w[j], lo[j], hi[j])
    cdef floating sum_y

    with nogil:
        sum_sw = _dot(n, &sqrt_sw[0], 1, &sqrt_sw[0], 1)
        tol_scaled = tol * _dot(n, &y[0], 1, &y[0], 1)
        if proj.u > 0:
            sum_y = _dot(n, &sqrt_sw[0], 1, &y[0], 1)
        for f in range(proj.u):
            j = proj.U[f]
            Uy[f] = (_col_dot(_fptr(data), _iptr(indices), indptr[j], indptr[j + 1], &y[0])
                     - x_mean[j] * sum_y)
        if not given_stats:
            _column_stats(data, indices, indptr, x_mean, sqrt_sw, sum_sw, norms, colsum)
        for j in range(p):
            if norms[j] != 0:
                active[n_active] = j
                n_active += 1
            else:
                w[j] = 0
    # Once, before the epochs, for the active set: the sweep lists are subsets.
    snaps = np.empty((anderson_k + 1) * max(n_active, 1) if anderson_k else 1, dtype=dtype)
    w_acc = np.empty(max(n_active, 1) if anderson_k else 1, dtype=dtype)
    R_acc = np.empty(n if anderson_k else 1, dtype=dtype)
    with nogil:
        while True:
            # R = y - Xs w (the true residual is R + c sqrt_sw) before the first
            # gap check and, in float32, before every check, as in the dense
            # kernel.
            if epoch == 0 or floating is float:
                c = _residual(data, indices, indptr, x_mean, y, w, R)
            # Make R the true residual (also stops round-off drift), then check
            # the gap: before the first epoch too, as in the dense kernel.
            sum_R = _fold_shift(c, sqrt_sw, R)
            c = 0
            gap = _sparse_gap(data, indices, indptr, x_mean, y, w, R, sum_R, XtR, pf, qf, lo, hi, &proj,
                              l1_reg, l2_reg, &dual_norm, &gap_l1)
            spend(&budget, n + indptr[p])
            converged = gap <= tol_scaled
            if converged or epoch >= max_iter:
                break
            if l1_reg > 0:
                n_active = _screen(data, indices, indptr, x_mean, colsum, w, R, XtR,
                                   norms, pf, qf, lo, hi, active, n_active, dual_norm, gap_l1,
                                   l1_reg, l2_reg, &sum_R, &c)
            n_work = sweep_list(active, n_active, w, XtR, pf, qf, lo, hi, l2_reg, threshold,
                                work, n_work, &work_changed)
            if work_changed:
                n_snaps = 0  # Anderson's history is of the previous list
            while epoch < max_iter:
                w_max = 0
                d_w_max = 0
                for f in range(n_work):
                    j = work[fr_rand_index(&state, n_work) if random else f]
                    spend(&budget, 1 + indptr[j + 1] - indptr[j])
                    a = norms[j]
                    w_old = w[j]
                    b = (_col_dot(_fptr(data), _iptr(indices), indptr[j], indptr[j + 1], &R[0])
                         - x_mean[j] * sum_R + c * (colsum[j] - sum_sw * x_mean[j])
                         + a * w_old)
                    w_new = clip(cd_update(b, a, l1_reg * pf[j], l2_reg * qf[j], False), lo[j], hi[j])
                    if w_new != w_old:
                        delta = w_new - w_old
                        _col_axpy(-delta, _fptr(data), _iptr(indices), indptr[j], indptr[j + 1],
                                  &R[0])
                        sum_R -= delta * colsum[j]
                        c += delta * x_mean[j]
                        w[j] = w_new
                    d_w_max = max(d_w_max, fabs(w_new - w_old))
                    w_max = max(w_max, fabs(w_new))
                epoch += 1
                if anderson_k and anderson_push(snaps, w, work, n_work, anderson_k,
                                                &n_snaps):
                    _extrapolate(data, indices, indptr, x_mean, colsum, sum_sw, w, R,
                                 snaps, w_acc, R_acc, pf, qf, lo, hi, work, n_work,
                                 anderson_k, l1_reg, l2_reg, &sum_R, &c)
                if w_max == 0 or d_w_max <= tol * w_max or epoch % gap_freq == 0:
                    break
    return float(gap), float(tol_scaled), epoch, bool(converged)


cdef int _screen(const floating[::1] data, const index_t[::1] indices,
                 const index_t[::1] indptr, const floating[::1] x_mean,
                 const floating[::1] colsum, floating[::1] w, floating[::1] R,
                 const floating[::1] XtR, const floating[::1] norms,
                 const floating[::1] pf, const floating[::1] qf,
                 const floating[::1] lo, const floating[::1] hi, int[::1] active,
                 int n_active, floating dual_norm, floating gap_l1, floating l1,
                 floating l2, floating *sum_R, floating *c) noexcept nogil:
    """Gap Safe screening, as in the dense kernel; keeps (R, sum_R, c) consistent."""
    cdef int f, j, kept = 0
    cdef floating scale = dual_norm if dual_norm > l1 else l1
    cdef floating radius = sqrt(2 * gap_l1) / l1 if gap_l1 > 0 else 0
    for f in range(n_active):
        j = active[f]
        if screen_feature(XtR[j] - l2 * qf[j] * w[j], scale, radius, norms[j], l2 * qf[j],
                          pf[j], lo[j], hi[j]):
            if w[j] != 0:
                _col_axpy(w[j], _fptr(data), _iptr(indices), indptr[j], indptr[j + 1], &R[0])
                sum_R[0] += w[j] * colsum[j]
                c[0] -= w[j] * x_mean[j]
                w[j] = 0
        else:
            active[kept] = j
            kept += 1
    return kept


cdef void _extrapolate(const floating[::1] data, const index_t[::1] indices,
                       const index_t[::1] indptr, const floating[::1] x_mean,
                       const floating[::1] colsum, floating sum_sw, floating[::1] w,
                       floating[::1] R, const floating[::1] snaps, floating[::1] w_acc,
                       floating[::1] R_acc, const floating[::1] pf,
                       const floating[::1] qf, const floating[::1] lo,
                       const floating[::1] hi,
                       const int[::1] active, int m, int K,
                       floating l1, floating l2, floating *sum_R,
                       floating *c) noexcept nogil:
    """Anderson step, as in the dense kernel, on the shifted residual.

    The true residual is ``R + c sqrt_sw`` with ``sum_R = sqrt_sw . R``, so
    ``||R_true||^2 = ||R||^2 + 2 c sum_R + c^2 sum_sw``; (R, sum_R, c) move
    together to the extrapolated point when it is accepted.
    """
    cdef int n = R.shape[0]
    cdef int f, j, k
    cdef double coef[ANDERSON_MAX_K]
    cdef double acc, d, pen_cur = 0, pen_acc = 0, obj_cur, obj_acc
    cdef floating sum_acc = sum_R[0], c_acc = c[0]
    if m == 0 or not anderson_weights(&snaps[0], K, m, coef):
        return
    _copy(n, &R[0], 1, &R_acc[0], 1)
    for f in range(m):
        j = active[f]
        acc = 0
        for k in range(K):
            acc += coef[k] * snaps[(k + 1) * m + f]
        # Weights summing to 1 keep a coordinate that did not move (one held
        # at a bound, say) where it is, exactly: round-off would not.
        if _unmoved(snaps, K, m, f):
            acc = snaps[K * m + f]
        w_acc[f] = clip(<floating> acc, lo[j], hi[j])
        d = w_acc[f] - w[j]
        if d != 0:
            _col_axpy(<floating> -d, _fptr(data), _iptr(indices), indptr[j], indptr[j + 1],
                      &R_acc[0])
            sum_acc -= <floating> d * colsum[j]
            c_acc += <floating> d * x_mean[j]
        pen_cur += penalty(w[j], pf[j], qf[j], l1, l2)
        pen_acc += penalty(w_acc[f], pf[j], qf[j], l1, l2)
    obj_cur = 0.5 * (_dot(n, &R[0], 1, &R[0], 1) + 2.0 * c[0] * sum_R[0]
                     + c[0] * c[0] * sum_sw) + pen_cur
    obj_acc = 0.5 * (_dot(n, &R_acc[0], 1, &R_acc[0], 1) + 2.0 * c_acc * sum_acc
                     + c_acc * c_acc * sum_sw) + pen_acc
    if obj_acc < obj_cur:
        _copy(n, &R_acc[0], 1, &R[0], 1)
        sum_R[0] = sum_acc
        c[0] = c_acc
        for f in range(m):
            w[active[f]] = w_acc[f]
