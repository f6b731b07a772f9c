# The arguments the three coordinate-descent kernels share after their design
# (w, l1_reg, l2_reg, max_iter, tol, seed, random, positive, gap_freq,
# anderson_k, work_frac, penalty_factor and the projection's arrays; see
# enet_cd_dense's docstring): checked here, in one place, so that the kernels
# cannot drift apart in what they accept.
from libc.math cimport isnan


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
