"""Coordinate descent for the Elastic-Net from the Gram matrix ("covariance" mode).

The kernel never sees the design: it works from the sufficient statistics

    G = Xt^T Xt  (p x p),    Xy = Xt^T yt,    y_norm2 = ||yt||^2,

of the centred, weighted problem (built by :func:`fastreg._gram.gram_statistics`).
Instead of the residual R = yt - Xt w (length n) it keeps q = G w (length p)
up to date: the coordinate update of w_j needs

    x_j.R + ||x_j||^2 w_j = Xy[j] - q[j] + G[j, j] w_j          (O(1))

and a change of w_j by delta costs one axpy of the column G[:, j] into q
(O(p)). An epoch is therefore O(p * #changed coordinates), never O(n).

The duality gap needs R only through three scalars and one vector:

    Xt^T R  = Xy - q,
    R.yt    = y_norm2 - w.Xy,
    ||R||^2 = y_norm2 - 2 w.Xy + w.q  =  R.yt - w.(Xt^T R).

``||R||^2`` is a difference of terms of size ``y_norm2``: when the fit is
near-perfect (||R||^2 << y_norm2) it loses about log10(y_norm2 / ||R||^2)
significant digits, its absolute error being a few ulps of ``y_norm2`` (the
same holds for Xt^T R, whose components are differences of terms of size
|Xy[j]|). The scalars are therefore accumulated in double precision (also
for float32 data), q is recomputed from scratch at every gap evaluation (no
drift from the accumulated axpys), and a slightly negative ||R||^2 is
clipped to 0. The resulting absolute error of the gap, O(eps * y_norm2), is
far below the stopping threshold ``tol * y_norm2`` unless ``tol`` is within
a few hundred ulps of the dtype's epsilon (tol <~ 1e-13 in float64, <~ 1e-5
in float32): then the gap is noise at that level, and near-perfect fits are
better solved by the dense/sparse kernels, which compute R directly.

The contract (the arguments after the design, the return tuple, the options'
meaning, Anderson acceleration and strong sets included) is the dense and
sparse kernels'.
"""
import numpy as np

from libc.math cimport fabs, sqrt
from libc.stdint cimport uint64_t

from ._anderson cimport ANDERSON_MAX_K, anderson_depth, anderson_push, anderson_weights
from ._blas cimport floating, _axpy
from ._cd_helpers cimport cd_update, fr_rand_index, fr_rand_seed
from ._contract cimport check_lengths, check_shared, factors_and_box
from ._interrupt cimport INTERRUPT_BUDGET, spend
from ._dual cimport (Projection, clip, penalty, pf_gap, projection_init,
                     project_unpenalised, screen_feature)
from ._sweep cimport sweep_list
from ._anderson cimport unmoved as _unmoved


cdef void _refresh_q(const floating[::1, :] G, const floating[::1] w,
                     floating[::1] q) noexcept nogil:
    """q <- G w from scratch: one axpy per non-zero coefficient, O(p * nnz(w))."""
    cdef int p = w.shape[0]
    cdef int j
    for j in range(p):
        q[j] = 0
    for j in range(p):
        if w[j] != 0:
            _axpy(p, w[j], &G[0, j], 1, &q[0], 1)


cdef floating _gram_gap(const floating[::1] Xy, floating y_norm2, const floating[::1] w,
                        const floating[::1] q, floating[::1] XtR, const floating[::1] pf,
                        const floating[::1] qf, const floating[::1] lo,
                        const floating[::1] hi, const Projection *proj, floating l1, floating l2, floating *dual_norm,
                        floating *gap_l1) noexcept nogil:
    """Duality gap at w from (Xy, y_norm2, q = G w), kernel units; fills
    XtR = Xt^T theta (theta = R, projected off the unpenalised columns if any).

    Same outputs as the dense kernel's gap (dual norm and the gap at the
    rescaled dual point, through pointers). See the module docstring for the
    accuracy of ||R||^2.
    """
    cdef int p = w.shape[0]
    cdef int j
    cdef double w_xy = 0, w_xtr = 0, R_y, R_norm2, th_norm2, th_y
    for j in range(p):
        XtR[j] = Xy[j] - q[j]
        w_xy += <double> w[j] * Xy[j]
        w_xtr += <double> w[j] * XtR[j]
    R_y = <double> y_norm2 - w_xy
    R_norm2 = R_y - w_xtr
    if R_norm2 < 0:  # round-off when the fit is (near-)perfect; ||R||^2 >= 0
        R_norm2 = 0
    th_norm2 = R_norm2
    th_y = R_y
    project_unpenalised(XtR, w, lo, hi, proj, &th_norm2, &th_y)
    return pf_gap(XtR, w, pf, qf, lo, hi, R_norm2, th_norm2, th_y, l1, l2, dual_norm,
                  gap_l1)


def enet_cd_gram(const floating[::1, :] G, const floating[::1] Xy, floating y_norm2,
                 floating[::1] w, floating l1_reg, floating l2_reg, int max_iter,
                 floating tol, uint64_t seed, bint random, bint positive,
                 int gap_freq=10, int anderson_k=5, double work_frac=0.0,
                 const floating[::1] penalty_factor=None, const int[::1] unpen_idx=None,
                 const floating[::1, :] unpen_pinv=None,
                 const floating[::1, :] unpen_cross=None, floating[::1] proj_work=None,
                 double[::1] proj_dwork=None, int[::1] proj_iwork=None,
                 const floating[::1] l2_factor=None, const floating[::1] lower=None,
                 const floating[::1] upper=None, const int[::1] unpen_sign=None):
    """Minimise the Elastic-Net objective by coordinate descent on the Gram matrix, in place.

    Minimises, in kernel units,

        P(w) = 1/2 ||yt - Xt w||^2 + sum_j pf_j (l1_reg |w_j| + l2_reg/2 w_j^2)

    over w (w >= 0 if ``positive``), knowing only ``G = Xt^T Xt``, ``Xy =
    Xt^T yt`` and ``y_norm2 = ||yt||^2`` (the constant 1/2 ||yt||^2 included,
    so that P and its duality gap are those of :func:`enet_cd_dense` on (Xt,
    yt)); pf_j the penalty factors (all ones by default). Units as in
    :func:`enet_cd_dense`. Each coordinate update costs O(1), plus O(p) when
    the coefficient changes; nothing is O(n).

    Design
    ------
    G : ndarray of shape (n_features, n_features), Fortran-ordered
        The Gram matrix of the centred, rescaled design, float32 or float64;
        symmetric, both triangles filled (the kernel reads its columns).
    Xy : ndarray of shape (n_features,)
        ``Xt^T yt``, G's dtype.
    y_norm2 : float
        ``||yt||^2``.

    Arguments after the design (the same for every kernel)
    -------------------------------------------------------
    w, l1_reg, l2_reg, max_iter, tol, seed, random, positive, gap_freq, anderson_k,
    work_frac, penalty_factor, unpen_idx, unpen_pinv, unpen_cross, proj_work,
    proj_dwork, proj_iwork, l2_factor, lower, upper, unpen_sign
        As in :func:`enet_cd_dense`, with ``y_norm2`` for ``||y||^2``, the
        columns of G for those of X (``unpen_cross = G[:, U]``; w_j = 0 where
        ``G[j, j] <= 0``).

    Returns
    -------
    (gap, tol_scaled, n_iter, converged)
        As in :func:`enet_cd_dense`. The gap's absolute accuracy is
        O(eps * y_norm2) (see the module docstring): it may come out slightly
        negative at an exact optimum.

    Modified in place: ``w`` and the ``proj_*`` scratch; every other array
    is read only. Raises ValueError as :func:`enet_cd_dense` does.
    """
    cdef int p = G.shape[1]
    if G.shape[0] != p or Xy.shape[0] != p:
        raise ValueError(f"Inconsistent shapes: G ({G.shape[0]}, {G.shape[1]}), "
                         f"Xy ({Xy.shape[0]},), w ({w.shape[0]},).")
    check_shared(p, w.shape[0], -1 if penalty_factor is None else penalty_factor.shape[0],
                 gap_freq, work_frac)
    check_lengths(p, l2_factor, lower, upper)
    dtype = np.float32 if floating is float else np.float64
    cdef floating[::1] q = np.empty(p, dtype=dtype)
    cdef floating[::1] XtR = np.empty(p, dtype=dtype)
    cdef int[::1] active = np.empty(p, dtype=np.intc)   # not screened out
    cdef int[::1] work = np.empty(p, dtype=np.intc)     # swept (sweep_list)
    cdef int n_active = 0, n_work = -1
    cdef bint work_changed
    cdef floating gap = 0, gap_l1, dual_norm, tol_scaled, a, b, w_old, w_new
    cdef floating w_max, d_w_max
    cdef uint64_t state = fr_rand_seed(seed)
    cdef int epoch = 0, f, j, k
    cdef bint converged = False
    cdef Py_ssize_t budget = INTERRUPT_BUDGET   # work until an interrupt check
    # Strong sets only with cyclic selection and an L1 term.
    cdef double threshold = work_frac * l1_reg if not random and l1_reg > 0 else 0.0
    # Anderson extrapolation: the last anderson_k + 1 iterates of the swept
    # coefficients, a candidate point and its change of q = G w.
    anderson_k = anderson_depth(anderson_k, random)
    cdef floating[::1] snaps, w_acc, dq
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

    with nogil:
        for k in range(proj.u):
            Uy[k] = Xy[proj.U[k]]
        for j in range(p):
            if G[j, j] > 0:
                active[n_active] = j
                n_active += 1
            else:
                w[j] = 0
        tol_scaled = tol * y_norm2
    # Once, before the epochs, for the active set: the sweep lists are subsets.
    snaps = np.empty((anderson_k + 1) * max(n_active, 1) if anderson_k else 1, dtype=dtype)
    w_acc = np.empty(max(n_active, 1) if anderson_k else 1, dtype=dtype)
    dq = np.empty(p if anderson_k else 1, dtype=dtype)
    with nogil:
        while True:
            # q = G w afresh (cancels the drift of the running updates), then the
            # gap: before the first epoch too, so that an optimal warm start
            # returns n_iter = 0.
            _refresh_q(G, w, q)
            gap = _gram_gap(Xy, y_norm2, w, q, XtR, pf, qf, lo, hi, &proj, l1_reg, l2_reg,
                            &dual_norm, &gap_l1)
            spend(&budget, <Py_ssize_t> p * p)
            converged = gap <= tol_scaled
            if converged or epoch >= max_iter:
                break
            if l1_reg > 0:
                n_active = _screen(G, w, q, XtR, pf, qf, lo, hi, active, n_active, dual_norm, gap_l1,
                                   l1_reg, l2_reg)
            n_work = sweep_list(active, n_active, w, XtR, pf, qf, lo, hi, l2_reg, threshold,
                                work, n_work, &work_changed)
            if work_changed:
                n_snaps = 0  # Anderson's history is of the previous list
            # Epochs until the next gap check.
            while epoch < max_iter:
                w_max = 0
                d_w_max = 0
                for f in range(n_work):
                    j = work[fr_rand_index(&state, n_work) if random else f]
                    spend(&budget, p)
                    a = G[j, j]
                    w_old = w[j]
                    b = Xy[j] - q[j] + a * w_old
                    w_new = clip(cd_update(b, a, l1_reg * pf[j], l2_reg * qf[j], False), lo[j], hi[j])
                    if w_new != w_old:
                        _axpy(p, w_new - w_old, &G[0, j], 1, &q[0], 1)
                        w[j] = w_new
                    d_w_max = max(d_w_max, fabs(w_new - w_old))
                    w_max = max(w_max, fabs(w_new))
                epoch += 1
                if anderson_k and anderson_push(snaps, w, work, n_work, anderson_k,
                                                &n_snaps):
                    _extrapolate(G, Xy, w, q, snaps, w_acc, dq, pf, qf, lo, hi, work, n_work,
                                 anderson_k, l1_reg, l2_reg)
                if w_max == 0 or d_w_max <= tol * w_max or epoch % gap_freq == 0:
                    break
    return float(gap), float(tol_scaled), epoch, bool(converged)


cdef int _screen(const floating[::1, :] G, floating[::1] w, floating[::1] q,
                 const floating[::1] XtR, const floating[::1] pf, const floating[::1] qf,
                 const floating[::1] lo, const floating[::1] hi, int[::1] active,
                 int n_active,
                 floating dual_norm, floating gap_l1, floating l1, floating l2) noexcept nogil:
    """Gap Safe screening: drop provably-zero features from ``active``.

    A dropped feature with a non-zero coefficient is zeroed and its column
    removed from q = G w. Returns the new number of active features.
    """
    cdef int p = w.shape[0]
    cdef int f, j, kept = 0
    cdef floating scale = dual_norm if dual_norm > l1 else l1
    cdef floating radius = sqrt(2 * gap_l1) / l1 if gap_l1 > 0 else 0
    for f in range(n_active):
        j = active[f]
        if screen_feature(XtR[j] - l2 * qf[j] * w[j], scale, radius, G[j, j], l2 * qf[j],
                          pf[j], lo[j], hi[j]):
            if w[j] != 0:
                _axpy(p, -w[j], &G[0, j], 1, &q[0], 1)
                w[j] = 0
        else:
            active[kept] = j
            kept += 1
    return kept


cdef void _extrapolate(const floating[::1, :] G, const floating[::1] Xy, floating[::1] w,
                       floating[::1] q, const floating[::1] snaps, floating[::1] w_acc,
                       floating[::1] dq, const floating[::1] pf,
                       const floating[::1] qf, const floating[::1] lo,
                       const floating[::1] hi, const int[::1] cols,
                       int m, int K, floating l1, floating l2) noexcept nogil:
    """Anderson step on (w, q = G w): move to the extrapolated point if it
    lowers P, as in the dense kernel.

    ``snaps`` holds K + 1 iterates of ``w[cols[:m]]``, the last one equal to
    the current ``w``. With d = w_acc - w (zero off ``cols``), P changes by

        d.(q - Xy) + 1/2 d.G d + (change of the penalty),

    computed from dq = G d: a difference of small terms, where comparing the
    two objectives would subtract terms of size y_norm2 (see the module
    docstring).
    """
    cdef int p = w.shape[0]
    cdef int f, j, k
    cdef double c[ANDERSON_MAX_K]
    cdef double acc, d, lin = 0, quad = 0, pen_cur = 0, pen_acc = 0
    if m == 0 or not anderson_weights(&snaps[0], K, m, c):
        return
    for j in range(p):
        dq[j] = 0
    for f in range(m):
        j = cols[f]
        acc = 0
        for k in range(K):
            acc += c[k] * snaps[(k + 1) * m + f]
        # Weights summing to 1 keep a coordinate that did not move (one held
        # at a bound, say) where it is, exactly: round-off would not.
        if _unmoved(snaps, K, m, f):
            acc = snaps[K * m + f]
        w_acc[f] = clip(<floating> acc, lo[j], hi[j])
        d = w_acc[f] - w[j]
        if d != 0:
            _axpy(p, <floating> d, &G[0, j], 1, &dq[0], 1)
            lin += d * (q[j] - Xy[j])
        pen_cur += penalty(w[j], pf[j], qf[j], l1, l2)
        pen_acc += penalty(w_acc[f], pf[j], qf[j], l1, l2)
    for f in range(m):
        j = cols[f]
        quad += (<double> w_acc[f] - w[j]) * dq[j]
    if lin + 0.5 * quad + pen_acc < pen_cur:
        for j in range(p):
            q[j] += dq[j]
        for f in range(m):
            w[cols[f]] = w_acc[f]
