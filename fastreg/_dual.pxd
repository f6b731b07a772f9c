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
# The caller precomputes M (u x u) and X^T X_U (p x u).
from libc.math cimport fabs

from ._blas cimport floating, _gemv_n
from ._cd_helpers cimport enet_gap, excess_sq, screen_out


cdef inline void project_unpenalised(floating[::1] XtR, const int[::1] U,
                                     const floating[::1, :] UM,
                                     const floating[::1, :] UC,
                                     const floating[::1] Uy, floating[::1] t,
                                     floating[::1] z, double *th_norm2,
                                     double *th_y) noexcept nogil:
    """XtR <- X^T theta; th_norm2, th_y (entering as ||R||^2, R.y) <- ||theta||^2,
    theta.y. No-op without unpenalised features."""
    cdef int u = U.shape[0]
    cdef int p = XtR.shape[0]
    cdef int k
    cdef double tz = 0, zy = 0
    if u == 0:
        return
    for k in range(u):
        t[k] = XtR[U[k]]
    _gemv_n(u, u, <floating> 1, &UM[0, 0], u, &t[0], <floating> 0, &z[0])
    _gemv_n(p, u, <floating> -1, &UC[0, 0], p, &z[0], <floating> 1, &XtR[0])
    for k in range(u):
        tz += <double> t[k] * z[k]
        zy += <double> z[k] * Uy[k]
    th_norm2[0] -= tz
    if th_norm2[0] < 0:
        th_norm2[0] = 0
    th_y[0] -= zy


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
