# Which features the epochs between two gap checks sweep, shared by the
# coordinate-descent kernels: the active set (the features that screening has
# not removed), or, with a strong-set threshold, the part of it that can move
# soon. The certificate never depends on it: every gap check involves all
# features, and the list is rebuilt after each one.
from ._blas cimport floating
from ._dual cimport side_value


cdef inline int sweep_list(const int[::1] active, int n_active, const floating[::1] w,
                           const floating[::1] XtR, const floating[::1] pf,
                           const floating[::1] qf, const floating[::1] lo,
                           const floating[::1] hi, floating l2, double threshold,
                           int[::1] work, int n_old, bint *changed) noexcept nogil:
    """Fill ``work`` with the features to sweep; returns their number.

    A feature of ``active[:n_active]`` is left out when ``threshold > 0`` (the
    kernel's ``work_frac * l1_reg``) and it is zero, penalised, and its dual
    constraint is slack by more than that: ``side_value(x_j.theta - l2 qf_j
    w_j) < threshold * pf_j`` (the sides of its box that can move; see
    ``_dual.pxd``), ``XtR = X^T theta`` from
    the last gap check. Such a feature cannot move in the next few epochs; one
    that comes to violate its constraint is back after the next check.
    ``*changed`` tells whether the list differs from the previous one,
    ``work[:n_old]`` (``n_old < 0``: none yet): Anderson's history restarts then.
    """
    cdef int f, j, k = 0
    cdef bint same = True
    for f in range(n_active):
        j = active[f]
        if threshold > 0 and w[j] == 0 and pf[j] != 0:
            if side_value(XtR[j] - l2 * qf[j] * w[j], lo[j], hi[j]) < threshold * pf[j]:
                continue
        if k >= n_old or work[k] != j:
            same = False
        work[k] = j
        k += 1
    changed[0] = not same or k != n_old
    return k
