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
#
# Box constraints (glmnet's lower/upper limits) l_j <= w_j <= u_j, l_j <= 0 <=
# u_j, and separate L1 and L2 factors: the penalty of feature j is
#     g_j(w) = a_j |w| + b_j/2 w^2 + indicator(l_j <= w <= u_j),
#     a_j = l1 pf_j,  b_j = l2 qf_j
# (qf = pf unless the driver passes its own L2 factors, as standardisation
# does). Its conjugate is closed form per coordinate:
#     g_j*(z) = z w* - a_j |w*| - b_j/2 w*^2,  w* = clip(S(z, a_j)/b_j, l_j, u_j)
# for b_j > 0, i.e. (|z| - a_j)_+^2 / (2 b_j) while the clip is inactive; for
# b_j = 0 (the augmented Lasso form of the rescaled point below)
#     g_j*(z) = u_j (z - a_j)_+ + (-l_j) (-z - a_j)_+,
# finite everywhere when both bounds are. The dual is
#     D(theta) = theta.y - 1/2 ||theta||^2 - sum_j g_j*(x_j.theta)
# and the gap P(w) - D(theta) is a certificate for any theta. A side whose
# bound is 0 cannot move and costs nothing; only a side whose bound is
# infinite constrains the dual point. The gap takes the best of three points:
#   1. theta = c R (augmented Lasso), c rescaling into the constraints of
#      every side with a non-zero bound (then the bounds' terms vanish): the
#      unbounded problem's point;
#   2. theta = c' R, c' >= c rescaling only into the sides with an infinite
#      bound, paying the finite bounds' terms: what makes the gap vanish at
#      an optimum where a bound is active (evaluated only when some w_j sits
#      at a finite bound, so that bounds that never bind change nothing);
#   3. theta = R with the L2 conjugate above (l2 > 0).
# Gap Safe screening (Ndiaye, Fercoq, Gramfort & Salmon, 2017, JMLR) is valid
# under the box: |x_j.theta*| < a_j (on the sides that can move) implies
# w_j* = 0 since l_j <= 0 <= u_j, and the dual being 1-strongly concave,
# theta* lies within sqrt(2 gap) of the centre (point 1 or 2, the better).
# Unpenalised features: a side with an infinite bound gives an equality or a
# sign constraint on x_j.theta (the projection above, its sign per feature:
# 0 both sides infinite, +1 only u_j infinite (x_j.theta <= 0 needed), -1 only
# l_j infinite); a finite side is paid for by its conjugate term. J starts as
# the features of U with a sign of 0 or off their finite bound.
from libc.math cimport INFINITY, NAN, fabs, sqrt
from scipy.linalg.cython_lapack cimport dsyev

from ._blas cimport floating, _gemv_n


cdef struct Projection:
    # The projection's inputs and scratch, as pointers into the driver's arrays
    # (set by projection_init, which checked their shapes). Floating arrays are
    # of the kernel's type: the void pointers are cast back to it by the
    # functions below, fused on the same type as the kernel that fills them.
    int u                # number of unpenalised features; 0: no projection
    bint positive        # the signed variant (a growing subset J of U)
    const int *U         # (u,) their indices, each in [0, p)
    const int *sign      # (u,) signs (header), NULL: all +1 (positive=True)
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
                                bint positive, const int[::1] sign) except -1:
    """Fill ``P`` for a design of ``p`` features from the kernels' keyword
    arguments (``unpen_idx``, ``unpen_pinv``, ``unpen_cross``, ``proj_work``,
    ``proj_dwork``, ``proj_iwork``, ``unpen_sign``), after checking every shape
    and index: the gap functions then read them unchecked. ``U`` None or
    empty: no projection (the others are then not read). The projection is
    signed with ``positive`` (signs +1 unless given) or any non-zero sign."""
    cdef Py_ssize_t u = 0 if U is None else U.shape[0]
    cdef Py_ssize_t k
    P.u = 0
    P.sign = NULL
    if sign is not None and sign.shape[0] != u:
        raise ValueError(f"unpen_sign must hold one sign per unpenalised feature ({u}), "
                         f"got {sign.shape[0]}.")
    if sign is not None:
        for k in range(u):
            if sign[k] < -1 or sign[k] > 1:
                raise ValueError(f"unpen_sign must hold -1, 0 or 1, got {sign[k]}.")
            positive = positive or sign[k] != 0
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
        raise ValueError(f"With signs (positive=True), proj_dwork must hold at least "
                         f"{u * u + 7 * u} doubles and proj_iwork {2 * u} ints.")
    P.u = <int> u
    P.U = &U[0]
    if sign is not None:
        P.sign = &sign[0]
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
                                     const floating[::1] lo, const floating[::1] hi,
                                     const Projection *P, double *th_norm2,
                                     double *th_y) noexcept nogil:
    """XtR <- X^T theta; th_norm2, th_y (entering as ||R||^2, R.y) <- ||theta||^2,
    theta.y. No-op without unpenalised features. ``w`` (the coefficients) and
    the bounds choose the subset J in the signed case (see the header)."""
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
        _project_positive(XtR, w, lo, hi, P, &tz, &zy)
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
                                   const floating[::1] lo, const floating[::1] hi,
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
    cdef int sg
    for k in range(u):
        sg = 1 if P.sign == NULL else P.sign[k]
        inJ[k] = sg == 0 or (sg > 0 and w[U[k]] > lo[U[k]]) or (sg < 0 and w[U[k]] < hi[U[k]])
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
            if (v > 0) if (P.sign == NULL or P.sign[k] > 0) else (v < 0):
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


cdef inline double side_value(double v, double lo, double hi) noexcept nogil:
    """The largest of v and -v over the sides that can move (v if u_j > 0, -v
    if l_j < 0): how close x_j.theta comes to the constraint of feature j;
    -inf for a feature fixed at zero (l_j = u_j = 0)."""
    if hi > 0:
        return fabs(v) if lo < 0 else v
    return -v if lo < 0 else -INFINITY


cdef inline double inf_side_value(double v, double lo, double hi) noexcept nogil:
    """side_value over the sides whose bound is infinite (the only ones that
    constrain the dual point of the box; see the header)."""
    if hi == INFINITY:
        return fabs(v) if lo == -INFINITY else v
    return -v if lo == -INFINITY else -INFINITY


cdef inline double _l2_conjugate2(double e, double bound, double a, double l2,
                                  double q) noexcept nogil:
    """2 l2 g*(z) for one side of a penalised feature, e = (+-z) - a_j > 0 the
    excess on that side and ``bound`` its bound (> 0 in magnitude): (e^2 / q
    while e / (l2 q) <= bound, the clipped value past it)."""
    if e <= l2 * q * bound:
        return e * e / q
    return 2 * l2 * bound * e - l2 * l2 * q * bound * bound


cdef inline floating pf_gap(const floating[::1] XtR, const floating[::1] w,
                            const floating[::1] pf, const floating[::1] qf,
                            const floating[::1] lo, const floating[::1] hi,
                            double R_norm2, double th_norm2,
                            double th_y, floating l1, floating l2,
                            floating *dual_norm, floating *gap_l1) noexcept nogil:
    """Duality gap at w from XtR = X^T theta (kernel units), the best of the
    three dual points of the header; accumulated in double.

    Also returns, through pointers, the dual norm of the Gap Safe centre
    (point 1 or 2: max of side_value(x_j.theta - l2 qf_j w_j) / pf_j over the
    sides it rescales into, so that the centre is R / max(dual_norm, l1)) and
    the gap there (infinite if l1 == 0).
    """
    cdef int p = w.shape[0]
    cdef int j
    cdef double f, q, v, z, e, a, sv, c, c2, d1, d1b, d2, dual = 0, box_terms
    cdef double dn = 0, dn_inf = 0, exc = 0, w_l1 = 0, w_l2 = 0, unpen = 0, primal
    cdef bint at_bound = False
    for j in range(p):
        f = pf[j]
        z = XtR[j]
        if f == 0:
            # Finite sides of an unpenalised feature (the projection honours
            # its infinite ones): u z_+ + (-l)(-z)_+.
            if z > 0 and hi[j] != INFINITY:
                unpen += hi[j] * z
            elif z < 0 and lo[j] != -INFINITY:
                unpen += lo[j] * z
            continue
        q = qf[j]
        v = z - l2 * q * w[j]
        sv = side_value(v, lo[j], hi[j]) / f
        if sv > dn:
            dn = sv
        sv = inf_side_value(v, lo[j], hi[j]) / f
        if sv > dn_inf:
            dn_inf = sv
        if w[j] != 0 and (w[j] == hi[j] or w[j] == lo[j]):
            at_bound = True
        a = l1 * f
        if l2 > 0:
            if hi[j] > 0 and z - a > 0:
                exc += _l2_conjugate2(z - a, hi[j], a, l2, q)
            elif lo[j] < 0 and -z - a > 0:
                exc += _l2_conjugate2(-z - a, -lo[j], a, l2, q)
        w_l1 += f * fabs(w[j])
        w_l2 += q * (<double> w[j]) * w[j]
    primal = 0.5 * (R_norm2 + l2 * w_l2) + l1 * w_l1
    dual_norm[0] = <floating> dn
    gap_l1[0] = INFINITY
    if l1 > 0:
        c = l1 / dn if dn > l1 else 1.0
        d1 = c * th_y - 0.5 * c * c * (th_norm2 + l2 * w_l2) - c * unpen
        gap_l1[0] = <floating> (primal - d1)
        dual = d1 if d1 > dual else dual
        if at_bound and dn_inf < dn:
            c2 = l1 / dn_inf if dn_inf > l1 else 1.0
            box_terms = 0
            for j in range(p):
                f = pf[j]
                if f == 0:
                    continue
                v = c2 * (XtR[j] - l2 * qf[j] * w[j])
                a = l1 * f
                if v > a and hi[j] != INFINITY:
                    box_terms += hi[j] * (v - a)
                elif -v > a and lo[j] != -INFINITY:
                    box_terms -= lo[j] * (-v - a)
            d1b = (c2 * th_y - 0.5 * c2 * c2 * (th_norm2 + l2 * w_l2) - c2 * unpen
                   - box_terms)
            if d1b > d1:
                gap_l1[0] = <floating> (primal - d1b)
                dual_norm[0] = <floating> dn_inf
                dual = d1b if d1b > dual else dual
    if l2 > 0:
        d2 = th_y - 0.5 * th_norm2 - 0.5 * exc / l2 - unpen
        dual = d2 if d2 > dual else dual
    return <floating> (primal - dual)


cdef inline bint screen_feature(floating v, floating scale, floating radius,
                                floating col_norm2, floating l2q, floating f,
                                floating lo, floating hi) noexcept nogil:
    """Gap Safe test for feature j with L1 factor f, v = x_j.theta - l2 qf_j w_j
    and l2q = l2 qf_j: side_value(v) / scale + radius ||xt_j|| < f, with
    ||xt_j||^2 = ||x_j||^2 + l2q (the augmented Lasso's column). Unpenalised
    features (f = 0) are never screened; one fixed at zero always is."""
    if f == 0:
        return False
    return (side_value(v, lo, hi) / scale
            + radius * sqrt(<double> col_norm2 + l2q)) < f


cdef inline floating clip(floating v, floating lo, floating hi) noexcept nogil:
    """v projected onto [lo, hi]."""
    return lo if v < lo else (hi if v > hi else v)


cdef inline floating penalty(floating wj, floating f, floating q, floating l1,
                             floating l2) noexcept nogil:
    """pf_j l1 |w_j| + qf_j l2/2 w_j^2 (w_j inside its box)."""
    return f * l1 * fabs(wj) + 0.5 * q * l2 * wj * wj
