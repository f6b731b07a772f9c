# Anderson extrapolation of coordinate-descent iterates, shared by the kernels.
#
# A kernel keeps the last K + 1 iterates (restricted to its active features)
# in `snaps`, row k at snaps + k * m. With U the K x m matrix of successive
# differences, the extrapolated point is sum_k c_k snaps[k + 1] with the
# affine weights c = z / sum(z), (U U^T) z = 1 (Anderson acceleration, type
# II, as used for Lasso solvers by Bertrand & Massias, 2021). The kernel then
# accepts it only if it lowers the primal objective, so it can never hurt
# convergence or the certificate.
from libc.math cimport fabs, isfinite

from ._blas cimport floating

cdef enum:
    ANDERSON_MAX_K = 8


cdef inline bint anderson_weights(const floating *snaps, int K, int m,
                                  double *c) noexcept nogil:
    """Fill c[0..K-1] with the extrapolation weights; False if ill-posed."""
    cdef double G[ANDERSON_MAX_K][ANDERSON_MAX_K + 1]
    cdef double acc, ui, uj, piv, t, total, ridge = 0
    cdef int i, j, k, f, best
    if K > ANDERSON_MAX_K or K < 1:
        return False
    # Gram matrix of the differences, in double whatever the data type.
    for i in range(K):
        for j in range(i + 1):
            acc = 0
            for f in range(m):
                ui = <double> snaps[(i + 1) * m + f] - <double> snaps[i * m + f]
                uj = <double> snaps[(j + 1) * m + f] - <double> snaps[j * m + f]
                acc += ui * uj
            G[i][j] = acc
            G[j][i] = acc
        ridge += G[i][i]
    if not (ridge > 0):
        return False
    ridge *= 1e-10 / K
    for i in range(K):
        G[i][i] += ridge
        G[i][K] = 1.0
    # Gaussian elimination with partial pivoting on the augmented K x (K+1) system.
    for k in range(K):
        best = k
        for i in range(k + 1, K):
            if fabs(G[i][k]) > fabs(G[best][k]):
                best = i
        if G[best][k] == 0:
            return False
        if best != k:
            for j in range(K + 1):
                t = G[k][j]
                G[k][j] = G[best][j]
                G[best][j] = t
        piv = G[k][k]
        for i in range(k + 1, K):
            t = G[i][k] / piv
            for j in range(k, K + 1):
                G[i][j] -= t * G[k][j]
    total = 0
    for i in range(K - 1, -1, -1):
        acc = G[i][K]
        for j in range(i + 1, K):
            acc -= G[i][j] * c[j]
        c[i] = acc / G[i][i]
        total += c[i]
    if not (isfinite(total) and total != 0):
        return False
    for i in range(K):
        c[i] /= total
    return True


cdef inline int anderson_depth(int anderson_k, bint random) noexcept nogil:
    """The history depth K a kernel runs for its ``anderson_k``: 0 (off) with
    random selection, whose iterates are not those of one fixed map (the
    extrapolation assumes they are), or for anderson_k <= 0; at most
    ANDERSON_MAX_K."""
    if random or anderson_k < 0:
        return 0
    return min(anderson_k, ANDERSON_MAX_K)


cdef inline bint anderson_push(floating[::1] snaps, const floating[::1] w,
                               const int[::1] cols, int m, int K,
                               int *n_snaps) noexcept nogil:
    """Store ``w[cols[:m]]`` as the next iterate of the history ``snaps`` (row
    ``*n_snaps``, of ``m`` entries); True when that completes K + 1 iterates,
    the extrapolation's input, and the history then starts over. The kernel
    resets ``*n_snaps`` to 0 when ``cols`` changes."""
    cdef int f
    for f in range(m):
        snaps[n_snaps[0] * m + f] = w[cols[f]]
    n_snaps[0] += 1
    if n_snaps[0] == K + 1:
        n_snaps[0] = 0
        return True
    return False


cdef inline bint unmoved(const floating[::1] snaps, int K, int m, int f) noexcept nogil:
    """Whether coordinate f is the same in the last K snapshots (those the
    extrapolation combines, ``snaps[(k + 1) * m + f]``, k < K)."""
    cdef int k
    for k in range(1, K):
        if snaps[(k + 1) * m + f] != snaps[m + f]:
            return False
    return True
