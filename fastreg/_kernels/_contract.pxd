# The arguments the three coordinate-descent kernels share after their design
# (w, l1_reg, l2_reg, max_iter, tol, seed, random, positive, gap_freq,
# anderson_k, work_frac, penalty_factor, the projection's arrays, l2_factor,
# lower, upper and unpen_sign; see
# enet_cd_dense's docstring): checked here, in one place, so that the kernels
# cannot drift apart in what they accept.
import numpy as np
from libc.math cimport isnan

from ._blas cimport floating


cdef inline int check_shared(Py_ssize_t p, Py_ssize_t n_coef, Py_ssize_t n_factors,
                             int gap_freq, double work_frac) except -1:
    """Raise ValueError unless ``w`` has ``p`` coefficients, the penalty factors
    (``n_factors`` of them, -1 when not given) one per feature, ``gap_freq >=
    1`` and ``0 <= work_frac <= 1`` (above 1 the strong set could leave out
    features that violate their constraint). The projection's arrays are
    checked by ``_dual.projection_init``."""
    if n_coef != p:
        raise ValueError(f"w must hold one coefficient per feature ({p}), got {n_coef}.")
    if n_factors >= 0 and n_factors != p:
        raise ValueError(f"penalty_factor must hold one factor per feature ({p}), "
                         f"got {n_factors}.")
    if gap_freq < 1:
        raise ValueError(f"gap_freq must be >= 1, got {gap_freq}.")
    if isnan(work_frac) or work_frac < 0 or work_frac > 1:
        raise ValueError(f"work_frac must be in [0, 1], got {work_frac}.")
    return 0


cdef inline int check_lengths(Py_ssize_t p, object l2_factor, object lower,
                              object upper) except -1:
    """Raise ValueError unless each given per-feature array (``l2_factor``,
    ``lower``, ``upper``) holds one number per feature."""
    for name, a in (("l2_factor", l2_factor), ("lower", lower), ("upper", upper)):
        if a is not None and a.shape[0] != p:
            raise ValueError(f"{name} must hold one number per feature ({p}), "
                             f"got {a.shape[0]}.")
    return 0


cdef inline tuple factors_and_box(Py_ssize_t p, object dtype, object penalty_factor,
                                  object l2_factor, object lower, object upper,
                                  bint positive):
    """``(pf, qf, lo, hi)``: the L1 and L2 factors (ones; qf defaults to pf)
    and the box (lower defaults to 0 with ``positive``, else -inf; upper to
    +inf), as the kernels read them, one code path for every option."""
    pf = np.ones(p, dtype=dtype) if penalty_factor is None else penalty_factor
    qf = pf if l2_factor is None else l2_factor
    if lower is None:
        lower = np.zeros(p, dtype=dtype) if positive else np.full(p, -np.inf, dtype=dtype)
    if upper is None:
        upper = np.full(p, np.inf, dtype=dtype)
    return pf, qf, lower, upper
