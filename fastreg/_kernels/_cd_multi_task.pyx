"""Block coordinate descent for the multi-task Elastic-Net: dense, sparse, Gram.

In kernel units the three kernels minimise

    P(W) = 1/2 ||Y - Xt W||_F^2 + sum_j pf_j (l1_reg ||W_j||_2 + l2_reg/2 ||W_j||_2^2)

over W of shape (n_features, n_tasks), W_j its row j (the coefficients of
feature j in every task): the L2,1 penalty of joint sparsity (Obozinski,
Taskar & Jordan, Statistics and Computing 2010). One update minimises P over
one row exactly, by group soft-thresholding: with rho = Xt_j^T R + a_j W_j,
a_j = ||Xt_j||^2,

    W_j <- (1 - l1_reg pf_j / ||rho||)_+ rho / (a_j + l2_reg pf_j)

(block coordinate descent; Simon, Friedman & Hastie, arXiv:1311.6529).

Certificate: the duality gap of the augmented Lasso (the dual norm of the
L2,1 norm is the largest row norm), with the better of its two dual points
(``fr_enet_gap`` of csrc/fastreg_cd.h, which takes the same scalars for a row
norm as for an absolute value). Rows are discarded by the Gap Safe rule of
Ndiaye, Fercoq, Gramfort & Salmon (NeurIPS 2015, JMLR 2017): row j is zero at
the optimum when ||x~_j^T u|| + r ||x~_j|| < pf_j, u the rescaled dual point,
r = sqrt(2 gap) / l1_reg. Anderson extrapolation of the iterates (on the
active rows, accepted only when it lowers P) as in the single-task kernels.

Features with pf_j = 0 are unpenalised: the dual point is then the residual
projected off their columns, from the caller's ``unpen_pinv = pinv(Xt_U^T
Xt_U)``, ``unpen_cross = Xt^T Xt_U`` and ``unpen_xty = Xt_U^T Y``.

Layouts: W, Y and the residual are C-ordered (n, T) / (p, T) arrays (one
row's T values contiguous); a dense X is Fortran-ordered, a Gram matrix
Fortran-ordered (symmetric). The sparse kernel centres implicitly, as
``_cd_sparse.pyx`` does (true residual R + sqrt_sw c^T, c in T numbers).
The three kernels share one loop (``_solve``) and differ only in how a row's
correlation is read and a row's change applied.
"""
import numpy as np

from libc.math cimport fabs, sqrt
from libc.stdint cimport int32_t, int64_t, uint64_t

from ._anderson cimport ANDERSON_MAX_K, anderson_depth, anderson_weights
from ._blas cimport floating, _axpy, _copy, _dot, _gemv_n, _nrm2
from ._blas_mt cimport _gemm_nn, _ger
from ._cd_helpers cimport enet_gap, fr_rand_index, fr_rand_seed
from ._interrupt cimport INTERRUPT_BUDGET, spend

ctypedef fused index_t:
    int32_t
    int64_t

cdef enum:
    DENSE = 0
    SPARSE = 1
    GRAM = 2


cdef struct Unpen:
    # The projection off the unpenalised columns (u of them; u = 0: none).
    int u
    const int *idx
    const void *pinv      # (u, u) Fortran
    const void *cross     # (p, u) Fortran
    const void *xty       # (u, T) C
    void *M               # (u, T) scratch


cdef floating _mt_gap(floating[:, ::1] XtR, const floating[:, ::1] W,
                      const floating[::1] pf, double R_norm2, double R_y,
                      floating l1, floating l2, const Unpen *up,
                      floating *dual_norm, floating *gap_l1) noexcept nogil:
    """Duality gap at W from XtR = Xt^T R (overwritten with Xt^T theta),
    ||R||^2 and <R, Y>; also the dual norm and the gap at the rescaled point."""
    cdef int p = W.shape[0]
    cdef int T = W.shape[1]
    cdef int j, t, a, b
    cdef double th_norm2 = R_norm2, th_y = R_y, acc, nrm, nrm_v, pen = 0, l2_w2 = 0
    cdef double excess = 0, dn = 0, e
    cdef const floating *P = <const floating *> up.pinv
    cdef const floating *C = <const floating *> up.cross
    cdef const floating *UY = <const floating *> up.xty
    cdef floating *M = <floating *> up.M
    if up.u > 0:
        # M = pinv(G_UU) Xt_U^T R; theta = R - Xt_U M.
        for a in range(up.u):
            for t in range(T):
                acc = 0
                for b in range(up.u):
                    acc += P[a + b * up.u] * XtR[up.idx[b], t]
                M[a * T + t] = <floating> acc
        for a in range(up.u):
            for t in range(T):
                th_norm2 -= XtR[up.idx[a], t] * M[a * T + t]
                th_y -= UY[a * T + t] * M[a * T + t]
        for j in range(p):
            for t in range(T):
                acc = 0
                for a in range(up.u):
                    acc += C[j + a * p] * M[a * T + t]
                XtR[j, t] -= <floating> acc
        for a in range(up.u):
            for t in range(T):
                XtR[up.idx[a], t] = 0   # orthogonal by construction (round-off only)
        if th_norm2 < 0:
            th_norm2 = 0
    for j in range(p):
        nrm = _nrm2(T, &W[j, 0], 1)
        pen += pf[j] * (l1 * nrm + 0.5 * l2 * nrm * nrm)
        l2_w2 += l2 * pf[j] * nrm * nrm
        if pf[j] > 0:
            acc = 0
            nrm_v = 0
            for t in range(T):
                e = XtR[j, t] - l2 * pf[j] * W[j, t]
                acc += e * e
                nrm_v += XtR[j, t] * XtR[j, t]
            acc = sqrt(acc) / pf[j]
            if acc > dn:
                dn = acc
            e = sqrt(nrm_v) - l1 * pf[j]
            if e > 0:
                excess += e * e / pf[j]
    dual_norm[0] = <floating> dn
    return enet_gap(<floating> (0.5 * R_norm2 + pen), <floating> th_norm2,
                    <floating> th_y, <floating> l2_w2, <floating> dn,
                    <floating> excess, l1, l2, gap_l1)


cdef inline floating _sdot_row(const floating *data, const index_t *indices,
                               index_t start, index_t end, const floating *R, int T,
                               floating *out) noexcept nogil:
    """out[t] = sum_k data[k] R[indices[k], t] (a sparse column against every
    task's residual at once)."""
    cdef index_t k
    cdef int t
    cdef floating v
    cdef const floating *row
    for t in range(T):
        out[t] = 0
    for k in range(start, end):
        v = data[k]
        row = R + <Py_ssize_t> indices[k] * T
        for t in range(T):
            out[t] += v * row[t]
    return 0


cdef inline void _saxpy_row(const floating *data, const index_t *indices,
                            index_t start, index_t end, const floating *delta, int T,
                            floating *R) noexcept nogil:
    """R[indices[k], :] -= data[k] * delta for the column's non-zeros."""
    cdef index_t k
    cdef int t
    cdef floating v
    cdef floating *row
    for k in range(start, end):
        v = data[k]
        row = R + <Py_ssize_t> indices[k] * T
        for t in range(T):
            row[t] -= v * delta[t]


cdef void _apply(int kind, int j, const floating *delta, int n, int p, int T,
                 const floating *X, const floating *data, const index_t *indices,
                 const index_t *indptr, const floating *x_mean,
                 const floating *colsum, floating *R, floating *sum_R,
                 floating *c) noexcept nogil:
    """The residual state after row j of W changed by ``delta`` (T numbers):
    dense R -= x_j delta^T; sparse, the same on Xs plus the shift's bookkeeping;
    Gram, Q = Xt^T R -= G_j delta^T (X is then G)."""
    cdef int t
    if kind == DENSE:
        _ger(T, n, <floating> -1, delta, X + <Py_ssize_t> j * n, R, T)
    elif kind == GRAM:
        _ger(T, p, <floating> -1, delta, X + <Py_ssize_t> j * p, R, T)
    else:
        _saxpy_row(data, indices, indptr[j], indptr[j + 1], delta, T, R)
        for t in range(T):
            sum_R[t] -= delta[t] * colsum[j]
            c[t] += delta[t] * x_mean[j]


cdef void _correlation(int kind, int j, int n, int p, int T, const floating *X,
                       const floating *data, const index_t *indices,
                       const index_t *indptr, const floating *x_mean,
                       const floating *colsum, floating sum_sw, const floating *R,
                       const floating *sum_R, const floating *c,
                       floating *out) noexcept nogil:
    """out = Xt_j^T R_true (T numbers)."""
    cdef int t
    if kind == DENSE:
        _gemv_n(T, n, <floating> 1, R, T, X + <Py_ssize_t> j * n, <floating> 0, out)
    elif kind == GRAM:
        _copy(T, R + <Py_ssize_t> j * T, 1, out, 1)
    else:
        _sdot_row(data, indices, indptr[j], indptr[j + 1], R, T, out)
        for t in range(T):
            out[t] += -x_mean[j] * sum_R[t] + c[t] * (colsum[j] - sum_sw * x_mean[j])


cdef double _half_rnorm2(int kind, int n, int p, int T, const floating *R,
                         const floating *sum_R, const floating *c, floating sum_sw,
                         const floating *W, const floating *XtY,
                         double y_norm2) noexcept nogil:
    """1/2 ||R_true||^2 of a residual state (Gram: from Q = XtY - G W)."""
    cdef int t
    cdef double acc
    if kind == DENSE:
        return 0.5 * _dot(n * T, R, 1, R, 1)
    if kind == GRAM:
        # ||Y - Xt W||^2 = ||Y||^2 - <XtY, W> - <Q, W>
        acc = y_norm2 - <double> _dot(p * T, XtY, 1, W, 1) - <double> _dot(p * T, R, 1, W, 1)
        return 0.5 * (acc if acc > 0 else 0)
    acc = _dot(n * T, R, 1, R, 1)
    for t in range(T):
        acc += 2.0 * c[t] * sum_R[t] + <double> c[t] * c[t] * sum_sw
    return 0.5 * acc


cdef int _solve(int kind, int n, int p, int T, const floating *X,
                const floating *data, const index_t *indices, const index_t *indptr,
                const floating *x_mean, const floating *sqrt_sw, const floating *colsum,
                const floating[::1] norms, const floating *Y, const floating *XtY,
                double y_norm2, floating[:, ::1] W, floating[:, ::1] R,
                floating[:, ::1] XtR, floating l1, floating l2, int max_iter,
                floating tol_scaled, floating tol, uint64_t seed, bint random,
                int gap_freq, int K, bint screen, const floating[::1] pf,
                const Unpen *up, int[::1] active, floating[::1] buf,
                floating[::1] snaps, floating[::1] R_acc, floating[::1] W_acc,
                floating *gap_out, bint *converged_out) except -1 nogil:
    """The loop the three kernels share; returns the epochs run (and raises
    KeyboardInterrupt at a Ctrl-C or a stop request: ``_interrupt.pxd``). ``R`` is the
    residual (dense, sparse: (n, T)) or Q = Xt^T R (Gram: (p, T)); ``buf``
    holds 5 T scratch numbers (rho, delta, sum_R, c and their Anderson copies
    follow in R_acc's tail for the sparse kernel)."""
    cdef floating *rho = &buf[0]
    cdef floating *delta = &buf[T]
    cdef floating *sum_R = &buf[2 * T]
    cdef floating *c = &buf[3 * T]
    cdef floating sum_sw = 0, gap = 0, gap_l1, dual_norm, a, nrm, shrink, scale, radius
    cdef floating w_max, d_max, d
    cdef double R_norm2, R_y, acc
    cdef int n_active = 0, epoch = 0, f, j, t, kept, m, k, n_snaps = 0
    cdef int nR = (n if kind != GRAM else p) * T
    cdef uint64_t state = fr_rand_seed(seed)
    cdef bint converged = False
    cdef double coef[ANDERSON_MAX_K]
    cdef Py_ssize_t budget = INTERRUPT_BUDGET   # work until an interrupt check
    # one row update reads a column (dense: n, Gram: p entries) for T tasks
    cdef Py_ssize_t row_cost = <Py_ssize_t> (n if kind != GRAM else p) * T
    if kind == SPARSE:
        sum_sw = _dot(n, sqrt_sw, 1, sqrt_sw, 1)
    for j in range(p):
        if norms[j] > 0:
            active[n_active] = j
            n_active += 1
        else:
            for t in range(T):
                W[j, t] = 0
    for t in range(T):
        c[t] = 0
        sum_R[t] = 0
    while True:
        # The residual from scratch before the first gap check and, for Gram
        # mode and float32, before every check: no drift of the updates.
        if epoch == 0 or floating is float or kind == GRAM:
            _refresh(kind, n, p, T, X, data, indices, indptr, x_mean, Y, XtY, W, R, c)
        if kind == SPARSE:
            # Fold the shift in: R becomes the true residual.
            for t in range(T):
                if c[t] != 0:
                    _axpy(n, c[t], sqrt_sw, 1, &R[0, t], T)
                c[t] = 0
                sum_R[t] = _dot(n, sqrt_sw, 1, &R[0, t], T)
        # XtR, ||R||^2 and <R, Y>
        if kind == DENSE:
            _gemm_nn(T, p, n, <floating> 1, &R[0, 0], T, X, n, <floating> 0, &XtR[0, 0], T)
        elif kind == GRAM:
            _copy(p * T, &R[0, 0], 1, &XtR[0, 0], 1)
        else:
            for j in range(p):
                _correlation(kind, j, n, p, T, X, data, indices, indptr, x_mean, colsum,
                             sum_sw, &R[0, 0], sum_R, c, &XtR[j, 0])
        if kind == GRAM:
            acc = y_norm2 - <double> _dot(p * T, XtY, 1, &W[0, 0], 1)
            R_y = acc
            R_norm2 = acc - <double> _dot(p * T, &R[0, 0], 1, &W[0, 0], 1)
            if R_norm2 < 0:
                R_norm2 = 0
        else:
            R_norm2 = _dot(nR, &R[0, 0], 1, &R[0, 0], 1)
            R_y = _dot(nR, &R[0, 0], 1, Y, 1)
        gap = _mt_gap(XtR, W, pf, R_norm2, R_y, l1, l2, up, &dual_norm, &gap_l1)
        spend(&budget, row_cost * p)
        converged = gap <= tol_scaled
        if converged or epoch >= max_iter:
            break
        if screen and l1 > 0 and gap_l1 < 1e300:
            # Gap Safe rule on the rows (see the module docstring).
            scale = dual_norm if dual_norm > l1 else l1
            radius = sqrt(2 * gap_l1) / l1 if gap_l1 > 0 else 0
            kept = 0
            for f in range(n_active):
                j = active[f]
                acc = 0
                for t in range(T):
                    d = XtR[j, t] - l2 * pf[j] * W[j, t]
                    acc += d * d
                if pf[j] > 0 and (sqrt(acc) / scale
                                  + radius * sqrt(norms[j] + l2 * pf[j]) < pf[j]):
                    if _nrm2(T, &W[j, 0], 1) != 0:
                        for t in range(T):
                            delta[t] = -W[j, t]
                            W[j, t] = 0
                        _apply(kind, j, delta, n, p, T, X, data, indices, indptr, x_mean,
                               colsum, &R[0, 0], sum_R, c)
                else:
                    active[kept] = j
                    kept += 1
            if kept != n_active:
                n_snaps = 0
            n_active = kept
        while epoch < max_iter:
            w_max = 0
            d_max = 0
            for f in range(n_active):
                j = active[fr_rand_index(&state, n_active) if random else f]
                spend(&budget, row_cost)
                a = norms[j]
                _correlation(kind, j, n, p, T, X, data, indices, indptr, x_mean, colsum,
                             sum_sw, &R[0, 0], sum_R, c, rho)
                for t in range(T):
                    rho[t] += a * W[j, t]
                nrm = _nrm2(T, rho, 1)
                shrink = 1 - l1 * pf[j] / nrm if nrm > 0 else 0
                if shrink < 0:
                    shrink = 0
                shrink /= a + l2 * pf[j]
                acc = 0
                for t in range(T):
                    d = shrink * rho[t] - W[j, t]
                    delta[t] = d
                    acc += <double> d * d
                    W[j, t] += d
                if acc != 0:
                    _apply(kind, j, delta, n, p, T, X, data, indices, indptr, x_mean,
                           colsum, &R[0, 0], sum_R, c)
                d = sqrt(acc)
                if d > d_max:
                    d_max = d
                d = _nrm2(T, &W[j, 0], 1)
                if d > w_max:
                    w_max = d
            epoch += 1
            if K > 0 and n_active > 0:
                m = n_active * T
                for f in range(n_active):
                    _copy(T, &W[active[f], 0], 1, &snaps[n_snaps * m + f * T], 1)
                n_snaps += 1
                if n_snaps == K + 1:
                    n_snaps = 0
                    if anderson_weights(&snaps[0], K, m, coef):
                        _extrapolate(kind, n, p, T, X, data, indices, indptr, x_mean,
                                     colsum, sum_sw, XtY, y_norm2, W, R, R_acc, W_acc,
                                     snaps, coef, K, active, n_active, pf, l1, l2, buf)
            if w_max == 0 or d_max <= tol * w_max or epoch % gap_freq == 0:
                break
    gap_out[0] = gap
    converged_out[0] = converged
    return epoch


cdef void _refresh(int kind, int n, int p, int T, const floating *X,
                   const floating *data, const index_t *indices, const index_t *indptr,
                   const floating *x_mean, const floating *Y, const floating *XtY,
                   floating[:, ::1] W, floating[:, ::1] R, floating *c) noexcept nogil:
    """The residual state from scratch: R = Y - X W (dense), Y - Xs W with the
    shift c = W^T x_mean (sparse), Q = XtY - G W (Gram)."""
    cdef int j, t
    if kind == GRAM:
        _copy(p * T, XtY, 1, &R[0, 0], 1)
        _gemm_nn(T, p, p, <floating> -1, &W[0, 0], T, X, p, <floating> 1, &R[0, 0], T)
        return
    _copy(n * T, Y, 1, &R[0, 0], 1)
    for t in range(T):
        c[t] = 0
    for j in range(p):
        if _nrm2(T, &W[j, 0], 1) == 0:
            continue
        if kind == DENSE:
            _ger(T, n, <floating> -1, &W[j, 0], X + <Py_ssize_t> j * n, &R[0, 0], T)
        else:
            _saxpy_row(data, indices, indptr[j], indptr[j + 1], &W[j, 0], T, &R[0, 0])
            for t in range(T):
                c[t] += W[j, t] * x_mean[j]


cdef void _extrapolate(int kind, int n, int p, int T, const floating *X,
                       const floating *data, const index_t *indices,
                       const index_t *indptr, const floating *x_mean,
                       const floating *colsum, floating sum_sw, const floating *XtY,
                       double y_norm2, floating[:, ::1] W, floating[:, ::1] R,
                       floating[::1] R_acc, floating[::1] W_acc,
                       const floating[::1] snaps, const double *coef, int K,
                       const int[::1] active, int m, const floating[::1] pf,
                       floating l1, floating l2, floating[::1] buf) noexcept nogil:
    """Anderson step on the active rows (weights ``coef`` of the last K + 1
    snapshots); W and the residual state move there only if P decreases.

    The objective at the extrapolated point needs its residual: the state is
    copied and each changed row applied to the copy. Gram mode's residual norm
    reads W, so W holds the candidate while it is evaluated."""
    cdef int nR = (n if kind != GRAM else p) * T
    cdef int f, j, t, k
    cdef int mT = m * T
    cdef double acc, pen_cur = 0, pen_acc = 0, obj_cur, obj_acc, nrm
    cdef floating *delta = &buf[T]
    cdef floating *sum_R = &buf[2 * T]
    cdef floating *c = &buf[3 * T]
    cdef floating *sum_acc = &R_acc[nR]
    cdef floating *c_acc = &R_acc[nR + T]
    _copy(nR, &R[0, 0], 1, &R_acc[0], 1)
    for t in range(T):
        sum_acc[t] = sum_R[t]
        c_acc[t] = c[t]
    for f in range(m):
        j = active[f]
        for t in range(T):
            acc = 0
            for k in range(K):
                acc += coef[k] * snaps[(k + 1) * mT + f * T + t]
            W_acc[f * T + t] = <floating> acc
            delta[t] = W_acc[f * T + t] - W[j, t]
        nrm = _nrm2(T, &W[j, 0], 1)
        pen_cur += pf[j] * (l1 * nrm + 0.5 * l2 * nrm * nrm)
        nrm = _nrm2(T, &W_acc[f * T], 1)
        pen_acc += pf[j] * (l1 * nrm + 0.5 * l2 * nrm * nrm)
        if _nrm2(T, delta, 1) != 0:
            _apply(kind, j, delta, n, p, T, X, data, indices, indptr, x_mean, colsum,
                   &R_acc[0], sum_acc, c_acc)
    obj_cur = _half_rnorm2(kind, n, p, T, &R[0, 0], sum_R, c, sum_sw, &W[0, 0], XtY,
                           y_norm2) + pen_cur
    # Swap the candidate in (Gram mode's residual norm reads W).
    for f in range(m):
        j = active[f]
        for t in range(T):
            acc = W[j, t]
            W[j, t] = W_acc[f * T + t]
            W_acc[f * T + t] = <floating> acc
    obj_acc = _half_rnorm2(kind, n, p, T, &R_acc[0], sum_acc, c_acc, sum_sw, &W[0, 0],
                           XtY, y_norm2) + pen_acc
    if obj_acc < obj_cur:
        _copy(nR, &R_acc[0], 1, &R[0, 0], 1)
        for t in range(T):
            sum_R[t] = sum_acc[t]
            c[t] = c_acc[t]
    else:
        for f in range(m):
            j = active[f]
            _copy(T, &W_acc[f * T], 1, &W[j, 0], 1)


cdef tuple _prepare(Py_ssize_t p, Py_ssize_t T, object dtype, object W,
                    object penalty_factor, object unpen_idx, object unpen_pinv,
                    object unpen_cross, object unpen_xty, int gap_freq):
    """Check the shared arguments; returns (pf, idx, pinv, cross, xty, M)."""
    if W.shape[0] != p or W.shape[1] != T:
        raise ValueError(f"W must have shape ({p}, {T}) (n_features, n_tasks), got "
                         f"{tuple(W.shape[:2])}.")
    if gap_freq < 1:
        raise ValueError(f"gap_freq must be >= 1, got {gap_freq}.")
    pf = np.ones(p, dtype=dtype) if penalty_factor is None else penalty_factor
    if pf.shape[0] != p:
        raise ValueError(f"penalty_factor must hold one factor per feature ({p}), "
                         f"got {pf.shape[0]}.")
    if unpen_idx is None or unpen_idx.shape[0] == 0:
        z = np.zeros((1, 1), dtype=dtype, order="F")
        return pf, np.zeros(1, dtype=np.intc), z, z, np.zeros((1, 1), dtype=dtype), \
            np.zeros((1, 1), dtype=dtype), 0
    u = unpen_idx.shape[0]
    if (unpen_pinv is None or unpen_cross is None or unpen_xty is None
            or tuple(unpen_pinv.shape[:2]) != (u, u)
            or tuple(unpen_cross.shape[:2]) != (p, u)
            or tuple(unpen_xty.shape[:2]) != (u, T)
            or np.any(np.asarray(unpen_idx) < 0) or np.any(np.asarray(unpen_idx) >= p)):
        raise ValueError(f"unpen_idx ({u} features) needs unpen_pinv ({u}, {u}), "
                         f"unpen_cross ({p}, {u}) and unpen_xty ({u}, {T}), indices "
                         f"in [0, {p}).")
    return (pf, unpen_idx, unpen_pinv, unpen_cross, unpen_xty,
            np.zeros((u, T), dtype=dtype), u)


def mt_cd_dense(const floating[::1, :] X, const floating[:, ::1] Y, floating[:, ::1] W,
                floating l1_reg, floating l2_reg, int max_iter, floating tol,
                uint64_t seed, bint random, int gap_freq=10, int anderson_k=5,
                bint screen=True, const floating[::1] penalty_factor=None,
                const int[::1] unpen_idx=None, const floating[::1, :] unpen_pinv=None,
                const floating[::1, :] unpen_cross=None,
                const floating[:, ::1] unpen_xty=None):
    """Minimise the multi-task Elastic-Net (module docstring) on a dense design, in place.

    Design
    ------
    X : ndarray of shape (n_samples, n_features), Fortran-ordered
        Centred and rescaled by the caller, float32 or float64.
    Y : ndarray of shape (n_samples, n_tasks), C-ordered
        The targets, centred and rescaled, X's dtype.

    Arguments after the design (the same for the three kernels)
    ----------------------------------------------------------
    W : ndarray of shape (n_features, n_tasks), C-ordered
        Initial coefficients (warm start), overwritten with the solution.
    l1_reg, l2_reg : float
        Kernel units: scikit-learn's ``alpha * l1_ratio * n`` and ``alpha *
        (1 - l1_ratio) * n``, n the total sample weight.
    max_iter : int
        Maximum number of epochs.
    tol : float
        Stop once the gap is at most ``tol * ||Y||_F^2``; an epoch whose
        largest row change is at most ``tol`` times the largest row norm
        triggers a gap check early.
    seed : int
        Seed of random selection.
    random : bool
        Rows in random order instead of cyclic (then without extrapolation).
    gap_freq : int, default=10
        Epochs between two gap checks.
    anderson_k : int, default=5
        Anderson extrapolation depth (0: off).
    screen : bool, default=True
        Gap Safe screening of rows at each gap check.
    penalty_factor : ndarray of shape (n_features,), default=None
        pf_j >= 0 (ones if None).
    unpen_idx, unpen_pinv, unpen_cross, unpen_xty : ndarrays, default=None
        The unpenalised features (pf_j = 0) and their projection (module
        docstring); required when some factor is 0.

    Returns
    -------
    (gap, tol_scaled, n_iter, converged)
        Final gap and ``tol * ||Y||_F^2`` (kernel units), epochs run, and
        whether the gap reached the tolerance.
    """
    cdef int n = X.shape[0]
    cdef int p = X.shape[1]
    cdef int T = Y.shape[1]
    if Y.shape[0] != n:
        raise ValueError(f"Y must have {n} rows (one per sample), got {Y.shape[0]}.")
    dtype = np.float32 if floating is float else np.float64
    norms_ = np.empty(p, dtype=dtype)
    cdef floating[::1] norms = norms_
    cdef int j
    for j in range(p):
        norms[j] = _dot(n, &X[0, j], 1, &X[0, j], 1) if n > 0 else 0
    cdef const int32_t[::1] no_idx = np.zeros(1, dtype=np.int32)
    return _run(DENSE, n, p, T, &X[0, 0] if n * p > 0 else NULL, NULL,
                &no_idx[0], &no_idx[0], NULL, NULL, NULL, norms,
                &Y[0, 0] if n * T > 0 else NULL, NULL, -1.0, W, l1_reg, l2_reg,
                max_iter, tol, seed, random, gap_freq, anderson_k, screen,
                penalty_factor, unpen_idx, unpen_pinv, unpen_cross, unpen_xty)


def mt_cd_sparse(const floating[::1] data, const index_t[::1] indices,
                 const index_t[::1] indptr, const floating[::1] x_mean,
                 const floating[::1] sqrt_sw, const floating[::1] norms,
                 const floating[::1] colsum, const floating[:, ::1] Y,
                 floating[:, ::1] W, floating l1_reg, floating l2_reg, int max_iter,
                 floating tol, uint64_t seed, bint random, int gap_freq=10,
                 int anderson_k=5, bint screen=True,
                 const floating[::1] penalty_factor=None, const int[::1] unpen_idx=None,
                 const floating[::1, :] unpen_pinv=None,
                 const floating[::1, :] unpen_cross=None,
                 const floating[:, ::1] unpen_xty=None):
    """Minimise the multi-task Elastic-Net on a sparse CSC design, in place.

    Design
    ------
    data, indices, indptr : ndarrays
        Canonical CSC triplet of ``Xs = diag(sqrt_sw) X``.
    x_mean : ndarray of shape (n_features,)
        Column means centred implicitly (zeros without an intercept).
    sqrt_sw : ndarray of shape (n_samples,)
        Square roots of the sample weights.
    norms, colsum : ndarrays of shape (n_features,)
        ``_cd_sparse.sparse_column_stats`` of this design.
    Y : ndarray of shape (n_samples, n_tasks), C-ordered
        The targets, centred and rescaled.

    Arguments after the design
    --------------------------
    W, l1_reg, l2_reg, max_iter, tol, seed, random, gap_freq, anderson_k, screen,
    penalty_factor, unpen_idx, unpen_pinv, unpen_cross, unpen_xty
        As in :func:`mt_cd_dense`.

    Returns
    -------
    (gap, tol_scaled, n_iter, converged)
        As in :func:`mt_cd_dense`.
    """
    cdef int n = sqrt_sw.shape[0]
    cdef int p = indptr.shape[0] - 1
    cdef int T = Y.shape[1]
    if (p < 0 or data.shape[0] != indices.shape[0] or x_mean.shape[0] != p
            or norms.shape[0] != p or colsum.shape[0] != p or Y.shape[0] != n
            or indptr[0] != 0 or indptr[p] > data.shape[0]):
        raise ValueError("Inconsistent shapes of the CSC triplet, x_mean, sqrt_sw, "
                         "norms, colsum and Y.")
    return _run(SPARSE, n, p, T, NULL, &data[0] if data.shape[0] > 0 else NULL,
                &indices[0] if indices.shape[0] > 0 else NULL, &indptr[0],
                &x_mean[0] if p > 0 else NULL, &sqrt_sw[0] if n > 0 else NULL,
                &colsum[0] if p > 0 else NULL, norms,
                &Y[0, 0] if n * T > 0 else NULL, NULL, -1.0, W, l1_reg, l2_reg,
                max_iter, tol, seed, random, gap_freq, anderson_k, screen,
                penalty_factor, unpen_idx, unpen_pinv, unpen_cross, unpen_xty)


def mt_cd_gram(const floating[::1, :] G, const floating[:, ::1] XtY, double y_norm2,
               floating[:, ::1] W, floating l1_reg, floating l2_reg, int max_iter,
               floating tol, uint64_t seed, bint random, int gap_freq=10,
               int anderson_k=0, bint screen=True, const floating[::1] penalty_factor=None,
               const int[::1] unpen_idx=None, const floating[::1, :] unpen_pinv=None,
               const floating[::1, :] unpen_cross=None,
               const floating[:, ::1] unpen_xty=None):
    """Minimise the multi-task Elastic-Net from its statistics, in place.

    Design
    ------
    G : ndarray of shape (n_features, n_features), Fortran-ordered
        ``Xt^T Xt`` of the centred, weighted design.
    XtY : ndarray of shape (n_features, n_tasks), C-ordered
        ``Xt^T Y``.
    y_norm2 : float
        ``||Y||_F^2``.

    Arguments after the design
    --------------------------
    W, l1_reg, l2_reg, max_iter, tol, seed, random, gap_freq, anderson_k, screen,
    penalty_factor, unpen_idx, unpen_pinv, unpen_cross, unpen_xty
        As in :func:`mt_cd_dense` (``tol`` relative to ``y_norm2``).

    Returns
    -------
    (gap, tol_scaled, n_iter, converged)
        As in :func:`mt_cd_dense`.
    """
    cdef int p = G.shape[0]
    cdef int T = XtY.shape[1]
    if G.shape[1] != p or XtY.shape[0] != p:
        raise ValueError(f"G must be square and XtY have {p} rows, got G {G.shape[0]}x"
                         f"{G.shape[1]} and XtY {XtY.shape[0]} rows.")
    dtype = np.float32 if floating is float else np.float64
    norms_ = np.array(np.diagonal(np.asarray(G)), dtype=dtype)  # a copy: diagonal is read-only
    norms_[norms_ < 0] = 0
    cdef floating[::1] norms = norms_
    cdef const int32_t[::1] no_idx = np.zeros(1, dtype=np.int32)
    return _run(GRAM, 0, p, T, &G[0, 0] if p > 0 else NULL, NULL, &no_idx[0], &no_idx[0],
                NULL, NULL, NULL, norms, NULL, &XtY[0, 0] if p * T > 0 else NULL,
                y_norm2, W, l1_reg, l2_reg, max_iter, tol, seed, random, gap_freq,
                anderson_k, screen, penalty_factor, unpen_idx, unpen_pinv, unpen_cross,
                unpen_xty)


cdef tuple _run(int kind, int n, int p, int T, const floating *X, const floating *data,
                const index_t *indices, const index_t *indptr, const floating *x_mean,
                const floating *sqrt_sw, const floating *colsum,
                const floating[::1] norms, const floating *Y, const floating *XtY,
                double y_norm2, floating[:, ::1] W, floating l1, floating l2,
                int max_iter, floating tol, uint64_t seed, bint random, int gap_freq,
                int anderson_k, bint screen, object penalty_factor, object unpen_idx,
                object unpen_pinv, object unpen_cross, object unpen_xty):
    """Scratch, checks and the nogil call of the shared loop."""
    dtype = np.float32 if floating is float else np.float64
    pf_, idx_, pinv_, cross_, xty_, M_, u = _prepare(
        p, T, dtype, W, penalty_factor, unpen_idx, unpen_pinv, unpen_cross, unpen_xty,
        gap_freq)
    cdef const floating[::1] pf = pf_
    cdef const int[::1] idx = idx_
    cdef const floating[::1, :] pinv = pinv_
    cdef const floating[::1, :] cross = cross_
    cdef const floating[:, ::1] xty = xty_
    cdef floating[:, ::1] M = M_
    cdef Unpen up
    up.u = u
    up.idx = &idx[0]
    up.pinv = &pinv[0, 0]
    up.cross = &cross[0, 0]
    up.xty = &xty[0, 0]
    up.M = &M[0, 0]
    cdef int rows = n if kind != GRAM else p
    cdef int K = anderson_depth(anderson_k, random)
    cdef floating[:, ::1] R = np.zeros((max(rows, 1), max(T, 1)), dtype=dtype)
    cdef floating[:, ::1] XtR = np.zeros((max(p, 1), max(T, 1)), dtype=dtype)
    cdef int[::1] active = np.zeros(max(p, 1), dtype=np.intc)
    cdef floating[::1] buf = np.zeros(5 * max(T, 1), dtype=dtype)
    cdef floating[::1] snaps = np.zeros((K + 1) * max(p * T, 1) if K else 1, dtype=dtype)
    cdef floating[::1] R_acc = np.zeros(rows * T + 2 * T + 1 if K else 1, dtype=dtype)
    cdef floating[::1] W_acc = np.zeros(max(p * T, 1) if K else 1, dtype=dtype)
    cdef floating tol_scaled, gap = 0
    cdef bint converged = False
    cdef int n_iter = 0
    cdef double ynorm = y_norm2
    if T == 0 or p == 0:
        return 0.0, 0.0, 0, True
    with nogil:
        if kind != GRAM:
            ynorm = _dot(n * T, Y, 1, Y, 1) if n > 0 else 0
        tol_scaled = <floating> (tol * ynorm)
        n_iter = _solve(kind, n, p, T, X, data, indices, indptr, x_mean, sqrt_sw, colsum,
                        norms, Y, XtY, ynorm, W, R, XtR, l1, l2, max_iter, tol_scaled,
                        tol, seed, random, gap_freq, K, screen, pf, &up, active, buf,
                        snaps, R_acc, W_acc, &gap, &converged)
    return float(gap), float(tol_scaled), n_iter, bool(converged)
