# The dual side of the kernels, shared by the dense, sparse and Gram kernels:
# the duality gap with per-feature penalty factors, the dual point's
# projection off the unpenalised features, and the Gap Safe test.
#
# With penalty factors pf_j the primal is
#     P(w) = 1/2 ||R||^2 + sum_j pf_j (l1 |w_j| + l2/2 w_j^2),   R = y - X w,
# and its dual constraints are |x_j.theta - l2 pf_j w_j| <= l1 pf_j (augmented
# Lasso form) for pf_j > 0, and x_j.theta = 0 for the unpenalised features
# (pf_j = 0). The residual does not satisfy those equalities exactly before
# convergence, so the dual candidate is the residual projected onto the
# orthogonal complement of the unpenalised columns X_U:
#     theta = R - X_U M X_U^T R,     M = (X_U^T X_U)^+,
# computed without touching n-length vectors: with t = X_U^T R (entries of
# X^T R) and z = M t,
#     X^T theta = X^T R - (X^T X_U) z,   ||theta||^2 = ||R||^2 - t.z,
#     theta.y   = R.y - z.(X_U^T y).
# The driver precomputes M (u x u) and X^T X_U (p x u), and allocates the
# scratch; projection_init checks their shapes once and gathers them in a
# Projection, the one argument the gap functions take for all of it.
#
# With positive=True an unpenalised feature's constraint is x_j.theta <= 0 (the
# conjugate of the indicator of w_j >= 0), and the point above need not be the
# best one, nor is a subset projection infeasible: theta is projected off only
# the columns J of U, J starting as {j in U: w_j > 0} and growing by every
# j in U with x_j.theta > 0 until there is none (at worst J = U). Then
# x_j.theta = 0 on J and <= 0 on U \ J: feasible. At the optimum J holds the
# active features and theta = R*. The solve with G_JJ = X_J^T X_J (rows of
# X^T X_U) uses a symmetric eigendecomposition (LAPACK dsyev, in double), so a
# singular G_JJ (duplicate columns) gets its pseudo-inverse.
from libc.math cimport NAN, fabs
from scipy.linalg.cython_lapack cimport dsyev

from ._blas cimport floating, _gemv_n
from ._cd_helpers cimport enet_gap, excess_sq, screen_out


cdef struct Projection:
    # The projection's inputs and scratch, as pointers into the driver's arrays
    # (set by projection_init, which checked their shapes). Floating arrays are
    # of the kernel's type: the void pointers are cast back to it by the
    # functions below, fused on the same type as the kernel that fills them.
    int u                # number of unpenalised features; 0: no projection
    bint positive        # the positive variant (a growing subset J of U)
    const int *U         # (u,) their indices, each in [0, p)
    const void *M        # (u, u) column-major: (X_U^T X_U)^+
    const void *C        # (p, u) column-major: X^T X_U
    void *Uy             # (u,) X_U^T y, written by the kernel before its first gap
    void *t              # (u,) scratch: X_U^T R
    void *z              # (u,) scratch: M t
    double *ds           # positive only: u*u + 7u doubles of scratch
    int *J               # positive only: 2u ints of scratch


cdef inline int projection_init(Projection *P, Py_ssize_t p, const int[::1] U,
                                const floating[::1, :] M, const floating[::1, :] C,
                                floating[::1] work, double[::1] dwork, int[::1] iwork,
                                bint positive) except -1:
    """Fill ``P`` for a design of ``p`` features from the kernels' keyword
    arguments (``unpen_idx``, ``unpen_pinv``, ``unpen_cross``, ``proj_work``,
    ``proj_dwork``, ``proj_iwork``), after checking every shape and index:
    the gap functions then read them unchecked. ``U`` None or empty: no
    projection (the others are then not read)."""
    cdef Py_ssize_t u = 0 if U is None else U.shape[0]
    cdef Py_ssize_t k
    P.u = 0
    P.positive = positive
    P.U = NULL
    P.M = P.C = NULL
    P.Uy = P.t = P.z = NULL
    P.ds = NULL
    P.J = NULL
    if u == 0:
        return 0
    if M is None or C is None or M.shape[0] != u or M.shape[1] != u \
            or C.shape[0] != p or C.shape[1] != u:
        raise ValueError(f"unpen_idx lists {u} features: unpen_pinv must have shape "
                         f"({u}, {u}) and unpen_cross ({p}, {u}).")
    for k in range(u):
        if U[k] < 0 or U[k] >= p:
            raise ValueError(f"unpen_idx must hold feature indices in [0, {p}), "
                             f"got {U[k]}.")
    if work is None or work.shape[0] < 3 * u:
        raise ValueError(f"proj_work must hold at least 3 * {u} numbers.")
    if positive and (dwork is None or dwork.shape[0] < u * u + 7 * u
                     or iwork is None or iwork.shape[0] < 2 * u):
        raise ValueError(f"With positive=True, proj_dwork must hold at least "
                         f"{u * u + 7 * u} doubles and proj_iwork {2 * u} ints.")
    P.u = <int> u
    P.U = &U[0]
    P.M = &M[0, 0]
    P.C = &C[0, 0]
    P.Uy = &work[0]
    P.t = &work[u]
    P.z = &work[2 * u]
    if positive:
        P.ds = &dwork[0]
        P.J = &iwork[0]
    return 0


cdef inline void project_unpenalised(floating[::1] XtR, const floating[::1] w,
                                     const Projection *P, double *th_norm2,
                                     double *th_y) noexcept nogil:
    """XtR <- X^T theta; th_norm2, th_y (entering as ||R||^2, R.y) <- ||theta||^2,
    theta.y. No-op without unpenalised features. ``w`` (the coefficients)
    chooses the subset J in the positive case (see the header)."""
    cdef int u = P.u
    cdef int p = XtR.shape[0]
    cdef int k
    cdef double tz = 0, zy = 0
    cdef const floating *M = <const floating *> P.M
    cdef const floating *C = <const floating *> P.C
    cdef const floating *Uy = <const floating *> P.Uy
    cdef floating *t = <floating *> P.t
    cdef floating *z = <floating *> P.z
    if u == 0:
        return
    for k in range(u):
        t[k] = XtR[P.U[k]]
    if P.positive:
        _project_positive(XtR, w, P, &tz, &zy)
    else:
        _gemv_n(u, u, <floating> 1, M, u, t, <floating> 0, z)
        _gemv_n(p, u, <floating> -1, C, p, z, <floating> 1, &XtR[0])
        for k in range(u):
            tz += <double> t[k] * z[k]
            zy += <double> z[k] * Uy[k]
    th_norm2[0] -= tz
    if th_norm2[0] < 0:
        th_norm2[0] = 0
    th_y[0] -= zy


cdef inline void _project_positive(floating[::1] XtR, const floating[::1] w,
                                   const Projection *P, double *tz,
                                   double *zy) noexcept nogil:
    """The positive case of project_unpenalised: theta off the columns J (see
    the header); XtR updated, t.z and z.Uy returned through pointers. If LAPACK
    fails (it does not on finite input), t.z is NaN: no gap is certified."""
    cdef int u = P.u
    cdef int p = XtR.shape[0]
    cdef int nJ = 0, a, b, k, m, info, lwork = 3 * u
    cdef bint grown, failed = False
    cdef double v, top, cutoff
    cdef const int *U = P.U
    cdef const floating *C = <const floating *> P.C   # C[i + k * p] = x_i . x_U[k]
    cdef const floating *Uy = <const floating *> P.Uy
    cdef const floating *t = <const floating *> P.t
    cdef int *J = P.J                  # J[0:nJ] lists J (positions in U)
    cdef int *inJ = J + u              # membership flags
    cdef double *A = P.ds              # G_JJ, then its eigenvectors (column-major)
    cdef double *lam = A + u * u       # eigenvalues, ascending
    cdef double *work = lam + u        # 3u
    cdef double *tJ = work + 3 * u     # t on J, then V^T t scaled
    cdef double *zJ = tJ + u           # z on J
    for k in range(u):
        inJ[k] = w[U[k]] > 0
        if inJ[k]:
            J[nJ] = k
            nJ += 1
    while True:
        # z_J = G_JJ^+ t_J by the eigendecomposition of G_JJ (a few columns).
        for a in range(nJ):
            for b in range(nJ):
                A[a + b * nJ] = C[U[J[a]] + J[b] * p]
        if nJ > 0:
            dsyev(b"V", b"L", &nJ, A, &nJ, lam, work, &lwork, &info)
            failed = failed or info != 0
            top = lam[nJ - 1] if lam[nJ - 1] > 0 else 0
            cutoff = top * nJ * 2.220446049250313e-16
            for m in range(nJ):        # tJ <- diag(1/lam) V^T t_J (kept modes)
                v = 0
                for a in range(nJ):
                    v += A[a + m * nJ] * t[J[a]]
                tJ[m] = v / lam[m] if (info == 0 and lam[m] > cutoff) else 0
            for a in range(nJ):
                v = 0
                for m in range(nJ):
                    v += A[a + m * nJ] * tJ[m]
                zJ[a] = v
        # Grow J by the features of U \ J whose constraint theta violates.
        grown = False
        for k in range(u):
            if inJ[k]:
                continue
            v = t[k]
            for a in range(nJ):
                v -= C[U[k] + J[a] * p] * zJ[a]
            if v > 0:
                inJ[k] = 1
                grown = True
        if not grown:
            break
        nJ = 0
        for k in range(u):
            if inJ[k]:
                J[nJ] = k
                nJ += 1
    tz[0] = 0
    zy[0] = 0
    for a in range(nJ):
        k = J[a]
        for m in range(p):
            XtR[m] -= <floating> (C[m + k * p] * zJ[a])
        tz[0] += t[k] * zJ[a]
        zy[0] += zJ[a] * Uy[k]
    if failed:
        tz[0] = NAN


cdef inline floating pf_gap(const floating[::1] XtR, const floating[::1] w,
                            const floating[::1] pf, double R_norm2, double th_norm2,
                            double th_y, floating l1, floating l2, bint positive,
                            floating *dual_norm, floating *gap_l1) noexcept nogil:
    """Duality gap at w from XtR = X^T theta (kernel units); see fr_enet_gap.

    Also returns, through pointers, the dual norm max_{pf_j>0} |x_j.theta -
    l2 pf_j w_j| / pf_j and the gap at the rescaled dual point (Gap Safe).
    """
    cdef int p = w.shape[0]
    cdef int j
    cdef floating f, v
    cdef double exc = 0, w_l1 = 0, w_l2 = 0, primal
    dual_norm[0] = 0
    for j in range(p):
        f = pf[j]
        if f == 0:
            continue
        v = XtR[j] - l2 * f * w[j]
        if not positive:
            v = fabs(v)
        v = v / f
        if v > dual_norm[0]:
            dual_norm[0] = v
        exc += excess_sq(XtR[j], l1 * f, positive) / f
        w_l1 += f * fabs(w[j])
        w_l2 += f * (<double> w[j]) * w[j]
    primal = 0.5 * (R_norm2 + l2 * w_l2) + l1 * w_l1
    return enet_gap(<floating> primal, <floating> th_norm2, <floating> th_y,
                    <floating> (l2 * w_l2), dual_norm[0], <floating> exc, l1, l2, gap_l1)


cdef inline bint screen_feature(floating v, floating scale, floating radius,
                                floating col_norm2, floating l2, floating f,
                                bint positive) noexcept nogil:
    """Gap Safe test for feature j with penalty factor f and v = x_j.theta -
    l2 f w_j: |v| / scale + radius ||xt_j|| < f, with ||xt_j||^2 = ||x_j||^2 +
    l2 f. Unpenalised features (f = 0) are never screened."""
    if f == 0:
        return False
    return screen_out(v / f, scale, radius / f, col_norm2, l2 * f, positive)


cdef inline floating penalty(floating wj, floating f, floating l1,
                             floating l2) noexcept nogil:
    """pf_j (l1 |w_j| + l2/2 w_j^2)."""
    return f * (l1 * fabs(wj) + 0.5 * l2 * wj * wj)
