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
"""
import numpy as np

from libc.math cimport fabs, sqrt
from libc.stdint cimport uint64_t

from ._blas cimport floating, _axpy
from ._cd_helpers cimport cd_update, fr_rand_index, fr_rand_seed
from ._dual cimport (Projection, pf_gap, projection_init, project_unpenalised,
                     screen_feature)


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
                        const Projection *proj, floating l1, floating l2,
                        bint positive, floating *dual_norm,
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
    project_unpenalised(XtR, w, proj, &th_norm2, &th_y)
    return pf_gap(XtR, w, pf, R_norm2, th_norm2, th_y, l1, l2, positive, dual_norm,
                  gap_l1)


def enet_cd_gram(const floating[::1, :] G, const floating[::1] Xy, floating y_norm2,
                 floating[::1] w, floating l1_reg, floating l2_reg, int max_iter,
                 floating tol, uint64_t seed, bint random, bint positive,
                 int gap_freq=10, const floating[::1] penalty_factor=None,
                 const int[::1] unpen_idx=None, const floating[::1, :] unpen_pinv=None,
                 const floating[::1, :] unpen_cross=None, floating[::1] proj_work=None,
                 double[::1] proj_dwork=None, int[::1] proj_iwork=None):
    """Minimise the Elastic-Net objective by coordinate descent on the Gram matrix, in place.

    Minimises, in kernel units,

        1/2 ||yt - Xt w||^2 + l1_reg ||w||_1 + l2_reg/2 ||w||^2    (w >= 0 if positive)

    knowing only ``G = Xt^T Xt``, ``Xy = Xt^T yt`` and ``y_norm2 = ||yt||^2``
    (constant term 1/2 ||yt||^2 included, so that objective and duality gap
    are exactly those of :func:`fastreg._kernels._cd_dense.enet_cd_dense` on (Xt, yt)).
    Each coordinate update costs O(1), plus O(p) when the coefficient changes;
    nothing is O(n).

    Parameters
    ----------
    G : ndarray of shape (n_features, n_features), Fortran-ordered
        Gram matrix of the centred, rescaled design; must be symmetric (both
        triangles filled): the kernel reads its columns.
    Xy : ndarray of shape (n_features,)
        ``Xt^T yt``, same dtype as G.
    y_norm2 : float
        ``||yt||^2``.
    w : ndarray of shape (n_features,)
        Initial coefficients (warm start); overwritten in place with the
        solution. Coefficients of features with ``G[j, j] == 0`` are set to 0.
    l1_reg, l2_reg : float
        Un-normalised penalty strengths (``alpha * l1_ratio * n`` and
        ``alpha * (1 - l1_ratio) * n`` in scikit-learn's units).
    max_iter : int
        Maximum number of epochs (full passes over the active features).
    tol : float
        Stop when the duality gap is at most ``tol * y_norm2``.
    seed : int
        Seed of the PRNG used when ``random`` is true.
    random : bool
        Update a uniformly drawn coordinate at each step instead of cycling.
    positive : bool
        Constrain the coefficients to be non-negative.
    gap_freq : int, default=10
        As in the dense kernel: the gap is computed before the first epoch,
        every ``gap_freq`` epochs, and whenever the largest coefficient change
        of an epoch falls below ``tol`` relative to the largest coefficient;
        after each gap computation, Gap Safe screening (l1_reg > 0) removes
        provably-zero features from the sweep. Must be >= 1.
    penalty_factor, unpen_idx, unpen_pinv, unpen_cross, proj_work, proj_dwork, proj_iwork
        As in :func:`fastreg._kernels._cd_dense.enet_cd_dense` (``unpen_cross = G[:, U]``).

    Returns
    -------
    gap : float
        Final duality gap, kernel units. Its absolute accuracy is
        O(eps * y_norm2) (see the module docstring), and it may come out
        slightly negative at an exact optimum.
    tol_scaled : float
        ``tol * y_norm2``, the threshold the gap was compared with.
    n_iter : int
        Number of epochs run (0 if the initial w was already optimal).
    converged : bool
        Whether ``gap <= tol_scaled``.
    """
    cdef int p = G.shape[1]
    if G.shape[0] != p or Xy.shape[0] != p or w.shape[0] != p:
        raise ValueError(f"Inconsistent shapes: G ({G.shape[0]}, {G.shape[1]}), "
                         f"Xy ({Xy.shape[0]},), w ({w.shape[0]},).")
    if gap_freq < 1:
        raise ValueError(f"gap_freq must be >= 1, got {gap_freq}.")
    dtype = np.float32 if floating is float else np.float64
    cdef floating[::1] q = np.empty(p, dtype=dtype)
    cdef floating[::1] XtR = np.empty(p, dtype=dtype)
    cdef int[::1] active = np.empty(p, dtype=np.intc)
    cdef floating gap = 0, gap_l1, dual_norm, tol_scaled, a, b, w_old, w_new
    cdef floating w_max, d_w_max
    cdef uint64_t state = fr_rand_seed(seed)
    cdef int epoch = 0, f, j, k, n_active = 0
    cdef bint converged = False
    cdef const floating[::1] pf = penalty_factor
    if penalty_factor is None:
        pf = np.ones(p, dtype=dtype)
    cdef Projection proj
    projection_init(&proj, p, unpen_idx, unpen_pinv, unpen_cross, proj_work, proj_dwork,
                    proj_iwork, positive)
    cdef floating *Uy = <floating *> proj.Uy

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
        while True:
            # q = G w afresh (cancels the drift of the running updates), then the
            # gap: before the first epoch too, so that an optimal warm start
            # returns n_iter = 0.
            _refresh_q(G, w, q)
            gap = _gram_gap(Xy, y_norm2, w, q, XtR, pf, &proj, l1_reg, l2_reg, positive,
                            &dual_norm, &gap_l1)
            converged = gap <= tol_scaled
            if converged or epoch >= max_iter:
                break
            if l1_reg > 0:
                n_active = _screen(G, w, q, XtR, pf, active, n_active, dual_norm, gap_l1,
                                   l1_reg, l2_reg, positive)
            # Epochs until the next gap check.
            while epoch < max_iter:
                w_max = 0
                d_w_max = 0
                for f in range(n_active):
                    j = active[fr_rand_index(&state, n_active) if random else f]
                    a = G[j, j]
                    w_old = w[j]
                    b = Xy[j] - q[j] + a * w_old
                    w_new = cd_update(b, a, l1_reg * pf[j], l2_reg * pf[j], positive)
                    if w_new != w_old:
                        _axpy(p, w_new - w_old, &G[0, j], 1, &q[0], 1)
                        w[j] = w_new
                    d_w_max = max(d_w_max, fabs(w_new - w_old))
                    w_max = max(w_max, fabs(w_new))
                epoch += 1
                if w_max == 0 or d_w_max <= tol * w_max or epoch % gap_freq == 0:
                    break
    return float(gap), float(tol_scaled), epoch, bool(converged)


cdef int _screen(const floating[::1, :] G, floating[::1] w, floating[::1] q,
                 const floating[::1] XtR, const floating[::1] pf, int[::1] active,
                 int n_active,
                 floating dual_norm, floating gap_l1, floating l1, floating l2,
                 bint positive) noexcept nogil:
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
        if screen_feature(XtR[j] - l2 * pf[j] * w[j], scale, radius, G[j, j], l2, pf[j],
                          positive):
            if w[j] != 0:
                _axpy(p, -w[j], &G[0, j], 1, &q[0], 1)
                w[j] = 0
        else:
            active[kept] = j
            kept += 1
    return kept
