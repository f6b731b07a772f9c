"""Dense linear algebra shared by the Ridge routes: rank-revealing cut-offs, the
symmetric positive (semi-)definite solve and its minimum-norm fallback.

The rule for "numerically zero", everywhere in fastreg: a singular value of an
m x n matrix is zero when it is at most ``max(m, n) * eps * sigma_max``
(LAPACK ``gelsd``'s and NumPy's ``lstsq`` default ``rcond``); an eigenvalue of
a Gram matrix ``X^T X`` (or ``X X^T``) of size k is zero when it is at most
``k * eps * lambda_max``: forming the Gram matrix and a backward-stable
eigensolver both perturb its eigenvalues by about ``eps * lambda_max``
(Golub & Van Loan, *Matrix Computations*, 4th ed., 8.1.2), so nothing below is
information. The eigenvectors of those eigenvalues span the numerical null
space of the design: ``X v = 0`` for the primal Gram matrix, ``X^T q = 0`` for
the kernel one. A ridge solution has no component there (for ``alpha = 0``:
the minimum-norm least-squares solution), so RidgeCV's leave-one-out engine
drops them instead of amplifying their round-off by ``1 / alpha``; Ridge's
fallback solve drops the numerical null space of the shifted matrix
``G + alpha I``, the only directions where Cholesky fails.
"""
import numpy as np
import scipy.linalg as la


def null_cutoff(top, size):
    """Largest value (eigenvalue, or singular value) counted as zero when the
    largest one is ``top``, for a matrix of ``size`` (max dimension)."""
    return max(size, 1) * np.finfo(np.float64).eps * max(float(top), 0.0)


def _full_from_lower(G):
    """The symmetric matrix whose lower triangle is G's (a new float array)."""
    return np.tril(G) + np.tril(G, -1).T


def _norm1_from_lower(A, block=256):
    """The 1-norm of the symmetric matrix whose lower triangle is A's, in column
    blocks (no k x k temporary)."""
    k = A.shape[0]
    sums = np.zeros(k)
    for j0 in range(0, k, block):
        j1 = min(j0 + block, k)
        top = np.tril(np.abs(A[j0:j1, j0:j1]))
        below = np.abs(A[j1:, j0:j1])
        sums[j0:j1] += top.sum(axis=0) + below.sum(axis=0)   # lower part of columns
        sums[j0:j1] += top.sum(axis=1) - np.diag(top)        # their mirror images
        sums[j1:] += below.sum(axis=1)
    return float(sums.max(initial=0.0))


def solve_spd(G, alpha, B, overwrite=False):
    """Solve ``(G + alpha I) Z = B`` by Cholesky, reading only G's lower triangle.

    Returns None when the shifted matrix is not numerically positive definite:
    the factorisation fails, or LAPACK's condition estimate (``pocon``) says its
    reciprocal condition number is below ``k * eps`` (k = size), where the
    Cholesky answer carries no correct digit. :func:`solve_psd_min_norm` is
    then the answer. ``overwrite`` factorises in G's own memory (no k x k copy;
    G is then destroyed).
    """
    A = G if overwrite else G.copy()
    k = A.shape[0]
    A[np.diag_indices_from(A)] += alpha
    anorm = _norm1_from_lower(A)  # before potrf overwrites A
    potrf, potrs, pocon = la.get_lapack_funcs(("potrf", "potrs", "pocon"), (A,))
    c, info = potrf(A, lower=1, overwrite_a=1, clean=0)
    if info != 0:
        return None
    rcond, info = pocon(c, anorm, uplo="L")
    if info != 0 or not rcond > k * np.finfo(A.dtype).eps:
        return None
    Z, info = potrs(c, B, lower=1)
    return Z if info == 0 else None


def solve_psd_min_norm(G, alpha, B):
    """The minimum-norm solution of ``(G + alpha I) Z = B`` for a symmetric
    positive semi-definite G given by its lower triangle: the solve of
    :func:`solve_spd`'s numerically singular case.

    One symmetric eigendecomposition (k^3 flops). Components on the numerical
    null space of the *shifted* matrix (``lam_i + alpha`` at most
    :func:`null_cutoff` of ``lam_max + alpha``, where Cholesky would divide by
    round-off) are zero; the others are exact, ``v_i^T B / (lam_i + alpha)``.
    For a Gram matrix and ``B`` in its range (``X^T Y``, primal) or mapped
    through ``X^T`` afterwards (dual), this is the ridge solution, and at
    ``alpha = 0`` the minimum-norm least-squares one. No warning: the answer
    is the one the problem has.
    """
    lam, V = la.eigh(_full_from_lower(np.asarray(G, dtype=np.float64)),
                     check_finite=False)
    shifted = lam + alpha
    keep = shifted > null_cutoff(shifted.max(initial=0.0), lam.shape[0])
    Vk = V[:, keep]
    inv = 1.0 / shifted[keep]
    B64 = np.asarray(B, dtype=np.float64)
    Z = Vk @ (inv[:, None] * (Vk.T @ B64)) if B64.ndim == 2 else Vk @ (inv * (Vk.T @ B64))
    return Z.astype(np.result_type(G.dtype, B.dtype), copy=False)


def eigh_psd(A, driver="evd"):
    """Eigenpairs of the symmetric positive semi-definite A (lower triangle read;
    A is overwritten), with the numerical null space set to exactly zero.

    Eigenvalues at most :func:`null_cutoff` (round-off of a Gram matrix, and
    the negative ones it can produce) are returned as 0.0, so that callers can
    tell the null space of the design by ``lam == 0``.
    """
    lam, V = la.eigh(A, lower=True, overwrite_a=True, check_finite=False, driver=driver)
    lam = np.where(lam > null_cutoff(lam.max(initial=0.0), lam.shape[0]), lam, 0.0)
    return lam, V


def pivoted_cholesky(G, tol, norms=None):
    """Rank-revealing Cholesky of the symmetric positive semi-definite G (lower
    triangle read), on its diagonally scaled form ``S^-1 G S^-1``, ``S =
    diag(norms)``, by default ``norms = sqrt(G_jj)`` (scale-free: a column is
    judged by its own norm; for a Schur complement, pass the norms of the
    original columns).

    LAPACK ``pstrf`` picks the largest remaining diagonal at each step and stops
    when it is at most ``tol``: a column counts as dependent when the squared
    norm of its part orthogonal to the chosen ones is at most ``tol`` of its
    own (``tol = k * eps``, k = size, is the rule of :func:`null_cutoff` on
    the eigenvalues of the scaled matrix; a G that carries round-off of its
    own, e.g. a Schur complement, needs that round-off's size). Columns with a
    zero diagonal are dependent.

    Returns ``(L, piv, rank)``: ``G[piv[:r]][:, piv[:r]] = L L^T`` with L lower
    triangular of size r = rank (float64, Fortran), ``piv`` a permutation.
    """
    G = np.asarray(G, dtype=np.float64)
    k = G.shape[0]
    if k == 0:
        return np.zeros((0, 0), order="F"), np.zeros(0, dtype=np.intp), 0
    diag = np.maximum(np.diagonal(G), 0.0)
    d = np.sqrt(diag) if norms is None else np.asarray(norms, dtype=np.float64)
    s = np.where(d > 0, d, 1.0)
    scaled = np.asfortranarray(G / np.multiply.outer(s, s))
    scaled[np.diag_indices(k)] = np.where(d > 0, diag / (s * s), 0.0)
    pstrf = la.get_lapack_funcs("pstrf", (scaled,))
    c, piv, rank, info = pstrf(scaled, tol=tol, lower=1, overwrite_a=1)
    if info < 0:
        raise RuntimeError(f"LAPACK pstrf: illegal argument {-info}.")
    piv = piv - 1  # 1-based
    # pstrf accepts its first pivot whatever tol says: count the pivots above
    # tol (they decrease) among the ones it kept
    pivots = np.diagonal(c)[:int(rank)] ** 2
    r = int(np.count_nonzero(pivots > tol))
    L = np.tril(c[:r, :r]) * s[piv[:r]][:, np.newaxis]
    return np.asfortranarray(L), piv, r
