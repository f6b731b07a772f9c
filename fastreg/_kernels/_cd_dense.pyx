"""Coordinate descent for the Elastic-Net on a dense, Fortran-ordered design.

The kernel trusts the numbers it is given: validation, centring, sample-weight
rescaling and the conversion from scikit-learn's ``alpha``/``l1_ratio`` are the
driver's (``fastreg._enet_solver``). It checks shapes, which it needs for
memory safety. Its contract (the arguments after the design, the return tuple,
the options' meaning) is the one of the sparse and Gram kernels too.
"""
import numpy as np

from libc.math cimport fabs, sqrt
from libc.stdint cimport uint64_t

from ._anderson cimport ANDERSON_MAX_K, anderson_depth, anderson_push, anderson_weights
from ._blas cimport floating, _axpy, _copy, _dot, _gemv_n, _gemv_t
from ._cd_helpers cimport cd_update, fr_rand_index, fr_rand_seed
from ._contract cimport check_lengths, check_shared, factors_and_box
from ._interrupt cimport INTERRUPT_BUDGET, spend
from ._dual cimport (Projection, clip, penalty, pf_gap, projection_init,
                     project_unpenalised, screen_feature)
from ._sweep cimport sweep_list
from ._anderson cimport unmoved as _unmoved


cdef floating _dense_gap(const floating[::1, :] X, const floating[::1] y,
                         const floating[::1] w, const floating[::1] R,
                         floating[::1] XtR, const floating[::1] pf,
                         const floating[::1] qf, const floating[::1] lo,
                         const floating[::1] hi, const Projection *proj, floating l1, floating l2, floating *dual_norm,
                         floating *gap_l1) noexcept nogil:
    """Duality gap at (w, R = y - Xw), kernel units; fills XtR = X^T theta.

    theta is R, projected off the unpenalised columns if there are any (see
    ``_dual.pxd``). Also returns, through pointers, the dual norm and the gap
    at the rescaled dual point (for Gap Safe screening).
    """
    cdef int n = X.shape[0]
    cdef int p = X.shape[1]
    cdef double R_norm2, th_norm2, th_y
    _gemv_t(n, p, <floating> 1, &X[0, 0], n, &R[0], <floating> 0, &XtR[0])
    R_norm2 = _dot(n, &R[0], 1, &R[0], 1)
    th_norm2 = R_norm2
    th_y = _dot(n, &R[0], 1, &y[0], 1)
    project_unpenalised(XtR, w, lo, hi, proj, &th_norm2, &th_y)
    return pf_gap(XtR, w, pf, qf, lo, hi, R_norm2, th_norm2, th_y, l1, l2, dual_norm,
                  gap_l1)


def enet_cd_dense(const floating[::1, :] X, const floating[::1] y, floating[::1] w,
                  floating l1_reg, floating l2_reg, int max_iter, floating tol,
                  uint64_t seed, bint random, bint positive, int gap_freq=10,
                  int anderson_k=5, double work_frac=0.0,
                  const floating[::1] penalty_factor=None, const int[::1] unpen_idx=None,
                  const floating[::1, :] unpen_pinv=None,
                  const floating[::1, :] unpen_cross=None, floating[::1] proj_work=None,
                  double[::1] proj_dwork=None, int[::1] proj_iwork=None,
                  const floating[::1] l2_factor=None, const floating[::1] lower=None,
                  const floating[::1] upper=None, const int[::1] unpen_sign=None):
    """Minimise the Elastic-Net objective by coordinate descent on a dense design, in place.

    Minimises, in kernel units,

        P(w) = 1/2 ||y - X w||^2 + sum_j (pf_j l1_reg |w_j| + qf_j l2_reg/2 w_j^2)

    over w in the box lower_j <= w_j <= upper_j (w >= 0 if ``positive``), pf_j
    and qf_j the L1 and L2 penalty factors (all ones by default, qf = pf
    unless ``l2_factor`` is given). Each coordinate update is the unconstrained
    one (soft-thresholding) clipped to [lower_j, upper_j]: exact, the 1-D
    objective being strictly convex. The duality gap is the box's (see
    ``_dual.pxd``). The drivers' objective, scikit-learn's, is P / n_samples with
    ``l1_reg = alpha * l1_ratio * n_samples`` and ``l2_reg = alpha * (1 -
    l1_ratio) * n_samples`` (n_samples: the total sample weight).

    Design
    ------
    X : ndarray of shape (n_samples, n_features), Fortran-ordered
        The design, float32 or float64, already centred and rescaled by the
        caller if needed.
    y : ndarray of shape (n_samples,)
        The target, X's dtype.

    Arguments after the design (the same for every kernel)
    -------------------------------------------------------
    w : ndarray of shape (n_features,), the design's dtype
        The warm start; overwritten in place with the solution. Features with
        a zero column get w_j = 0.
    l1_reg, l2_reg : float
        Penalty strengths in kernel units (above), >= 0.
    max_iter : int
        Maximum number of epochs (passes over the swept features).
    tol : float
        Stop when the duality gap is at most ``tol_scaled = tol * ||y||^2``.
    seed : int
        Seed of the PRNG of random selection.
    random : bool
        Update a uniformly drawn feature at each step instead of cycling.
    positive : bool
        Constrain the coefficients to be non-negative: ``lower`` defaults to
        zeros (a given ``lower`` takes precedence).
    gap_freq : int, default=10
        The duality gap is computed before the first epoch, every
        ``gap_freq`` epochs, and after an epoch whose largest coefficient
        change is at most ``tol`` times the largest coefficient. After each
        gap computation Gap Safe screening (l1_reg > 0) drops the features it
        proves zero at the optimum; the gap itself always involves every
        feature. Must be >= 1.
    anderson_k : int, default=5
        With cyclic selection, after every ``anderson_k + 1`` epochs over an
        unchanged list of features, the last ``anderson_k + 1`` iterates are
        extrapolated (Anderson acceleration) and the extrapolated point
        replaces ``w`` if it lowers P. 0 or less disables it, more than 8
        counts as 8; random selection ignores it.
    work_frac : float in [0, 1], default=0.0
        With cyclic selection and ``l1_reg > 0``, a positive ``work_frac``
        makes the epochs between two gap checks sweep only the features that
        are non-zero, unpenalised, or have ``|x_j.theta - l2_reg qf_j w_j| >=
        work_frac * l1_reg * pf_j`` at the last check (signed with
        ``positive``; a strong set). Every gap check still involves all
        features, and the next list every feature then violating its
        constraint. 0: every feature that screening kept.
    penalty_factor : ndarray of shape (n_features,), default=None
        The factors pf_j >= 0, the design's dtype. None: all ones.
    unpen_idx : int32 ndarray of shape (u,), default=None
        The features with pf_j = 0 and a non-zero column: required when there
        are any, for the certificate, whose dual point is projected off their
        columns X_U (see ``_dual.pxd``). None or empty: there are none.
    unpen_pinv : ndarray of shape (u, u), Fortran-ordered, default=None
        ``(X_U^T X_U)^+``, the design's dtype (with ``unpen_idx``).
    unpen_cross : ndarray of shape (n_features, u), Fortran-ordered, default=None
        ``X^T X_U``, the design's dtype (with ``unpen_idx``).
    proj_work, proj_dwork, proj_iwork : ndarrays, default=None
        The projection's scratch, allocated by the caller (with ``unpen_idx``):
        ``proj_work`` at least 3u numbers of the design's dtype and, with
        ``positive`` or a non-zero ``unpen_sign``, ``proj_dwork`` at least
        u^2 + 7u float64 and ``proj_iwork`` at least 2u int32.
    l2_factor : ndarray of shape (n_features,), default=None
        The L2 factors qf_j (> 0 where pf_j > 0), the design's dtype. None:
        ``penalty_factor``.
    lower, upper : ndarrays of shape (n_features,), default=None
        The box, ``lower_j <= 0 <= upper_j`` (infinite allowed), the design's
        dtype. None: -inf (0 with ``positive``) and +inf. A warm start outside
        the box is clipped into it.
    unpen_sign : int32 ndarray of shape (u,), default=None
        For each feature of ``unpen_idx``: 0 if both its bounds are infinite,
        1 if only its upper bound is, -1 if only its lower bound is (one with
        two finite bounds is not listed in ``unpen_idx``). None: all 1 with
        ``positive``, else all 0.

    Returns
    -------
    gap : float
        The duality gap at the returned ``w``, kernel units.
    tol_scaled : float
        ``tol * ||y||^2``, the threshold the gap was compared with.
    n_iter : int
        Epochs run (0 when the warm start was already optimal).
    converged : bool
        Whether ``gap <= tol_scaled``.

    Modified in place: ``w`` and the ``proj_*`` scratch; every other array
    is read only. Raises ValueError for inconsistent shapes, ``gap_freq < 1``
    or ``work_frac`` outside [0, 1].
    """
    cdef int n = X.shape[0]
    cdef int p = X.shape[1]
    if y.shape[0] != n:
        raise ValueError(f"Inconsistent shapes: X ({n}, {p}), y ({y.shape[0]},).")
    check_shared(p, w.shape[0], -1 if penalty_factor is None else penalty_factor.shape[0],
                 gap_freq, work_frac)
    check_lengths(p, l2_factor, lower, upper)
    dtype = np.float32 if floating is float else np.float64
    cdef floating[::1] R = np.empty(n, dtype=dtype)
    cdef floating[::1] XtR = np.empty(p, dtype=dtype)
    cdef floating[::1] norms = np.empty(p, dtype=dtype)
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
    # coefficients, a candidate point and its residual.
    anderson_k = anderson_depth(anderson_k, random)
    cdef floating[::1] snaps, w_acc, R_acc
    cdef int n_snaps = 0
    # Penalty factors (all ones if not given) and the projection off the
    # unpenalised features, from the caller's arrays.
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
        for j in range(p):
            norms[j] = _dot(n, &X[0, j], 1, &X[0, j], 1)
            if norms[j] != 0:
                active[n_active] = j
                n_active += 1
            else:
                w[j] = 0
        tol_scaled = tol * _dot(n, &y[0], 1, &y[0], 1)
        for k in range(proj.u):
            Uy[k] = _dot(n, &X[0, proj.U[k]], 1, &y[0], 1)
    # Once, before the epochs, for the active set: the sweep lists are subsets.
    snaps = np.empty((anderson_k + 1) * max(n_active, 1) if anderson_k else 1, dtype=dtype)
    w_acc = np.empty(max(n_active, 1) if anderson_k else 1, dtype=dtype)
    R_acc = np.empty(n if anderson_k else 1, dtype=dtype)
    with nogil:
        while True:
            # R = y - X w before the first gap check (a warm start, or alpha >=
            # alpha_max, may already be optimal: n_iter is then 0) and, in
            # float32, before every check: float32 residuals drift with the
            # updates by more than a tight tolerance.
            if epoch == 0 or floating is float:
                _copy(n, &y[0], 1, &R[0], 1)
                _gemv_n(n, p, <floating> -1, &X[0, 0], n, &w[0], <floating> 1, &R[0])
            gap = _dense_gap(X, y, w, R, XtR, pf, qf, lo, hi, &proj, l1_reg, l2_reg,
                             &dual_norm, &gap_l1)
            spend(&budget, <Py_ssize_t> n * p)
            converged = gap <= tol_scaled
            if converged or epoch >= max_iter:
                break
            if l1_reg > 0:
                n_active = _screen(X, w, R, XtR, norms, pf, qf, lo, hi, active, n_active, dual_norm,
                                   gap_l1, l1_reg, l2_reg)
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
                    spend(&budget, n)
                    a = norms[j]
                    w_old = w[j]
                    b = _dot(n, &X[0, j], 1, &R[0], 1) + a * w_old
                    w_new = clip(cd_update(b, a, l1_reg * pf[j], l2_reg * qf[j], False), lo[j], hi[j])
                    if w_new != w_old:
                        _axpy(n, w_old - w_new, &X[0, j], 1, &R[0], 1)
                        w[j] = w_new
                    d_w_max = max(d_w_max, fabs(w_new - w_old))
                    w_max = max(w_max, fabs(w_new))
                epoch += 1
                if anderson_k and anderson_push(snaps, w, work, n_work, anderson_k,
                                                &n_snaps):
                    _extrapolate(X, w, R, snaps, w_acc, R_acc, pf, qf, lo, hi, work, n_work,
                                 anderson_k, l1_reg, l2_reg)
                if w_max == 0 or d_w_max <= tol * w_max or epoch % gap_freq == 0:
                    break
    return float(gap), float(tol_scaled), epoch, bool(converged)


cdef int _screen(const floating[::1, :] X, floating[::1] w, floating[::1] R,
                 const floating[::1] XtR, const floating[::1] norms,
                 const floating[::1] pf, const floating[::1] qf,
                 const floating[::1] lo, const floating[::1] hi, int[::1] active,
                 int n_active, floating dual_norm, floating gap_l1, floating l1,
                 floating l2) noexcept nogil:
    """Gap Safe screening: drop provably-zero features from ``active``.

    A dropped feature with a non-zero coefficient is zeroed and its
    contribution removed from R. Returns the new number of active features.
    """
    cdef int n = X.shape[0]
    cdef int f, j, kept = 0
    cdef floating scale = dual_norm if dual_norm > l1 else l1
    cdef floating radius = sqrt(2 * gap_l1) / l1 if gap_l1 > 0 else 0
    for f in range(n_active):
        j = active[f]
        if screen_feature(XtR[j] - l2 * qf[j] * w[j], scale, radius, norms[j], l2 * qf[j],
                          pf[j], lo[j], hi[j]):
            if w[j] != 0:
                _axpy(n, w[j], &X[0, j], 1, &R[0], 1)
                w[j] = 0
        else:
            active[kept] = j
            kept += 1
    return kept


cdef void _extrapolate(const floating[::1, :] X, floating[::1] w, floating[::1] R,
                       const floating[::1] snaps, floating[::1] w_acc,
                       floating[::1] R_acc, const floating[::1] pf,
                       const floating[::1] qf, const floating[::1] lo,
                       const floating[::1] hi,
                       const int[::1] cols, int m, int K,
                       floating l1, floating l2) noexcept nogil:
    """Anderson step: move (w, R) to the extrapolated point if it is better.

    ``snaps`` holds K + 1 iterates of ``w[cols[:m]]`` (the swept features),
    the last one equal to the current ``w``; the other coefficients stay.
    """
    cdef int n = X.shape[0]
    cdef int f, j, k
    cdef double c[ANDERSON_MAX_K]
    cdef double acc, d, pen_cur = 0, pen_acc = 0
    if m == 0 or not anderson_weights(&snaps[0], K, m, c):
        return
    _copy(n, &R[0], 1, &R_acc[0], 1)
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
            _axpy(n, <floating> -d, &X[0, j], 1, &R_acc[0], 1)
        pen_cur += penalty(w[j], pf[j], qf[j], l1, l2)
        pen_acc += penalty(w_acc[f], pf[j], qf[j], l1, l2)
    if (0.5 * _dot(n, &R_acc[0], 1, &R_acc[0], 1) + pen_acc
            < 0.5 * _dot(n, &R[0], 1, &R[0], 1) + pen_cur):
        _copy(n, &R_acc[0], 1, &R[0], 1)
        for f in range(m):
            w[cols[f]] = w_acc[f]
