# Level-2/3 BLAS the multi-task kernels need beyond the shared shim (_blas.pxd):
# a rank-1 update (one row of W changes every residual column at once) and a
# matrix product (X^T R for every task in one call). Same conventions as
# _blas.pxd: by-value, fused-type, nogil wrappers over scipy.linalg.cython_blas.
from scipy.linalg cimport cython_blas as blas

from ._blas cimport floating


cdef inline void _ger(int m, int n, floating alpha, const floating *x,
                      const floating *y, floating *A, int lda) noexcept nogil:
    """A <- A + alpha * x y^T for a column-major (m, n) matrix A."""
    cdef int inc = 1
    if floating is float:
        blas.sger(&m, &n, &alpha, <float *> x, &inc, <float *> y, &inc, A, &lda)
    else:
        blas.dger(&m, &n, &alpha, <double *> x, &inc, <double *> y, &inc, A, &lda)


cdef inline void _gemm_nn(int m, int n, int k, floating alpha, const floating *A,
                          int lda, const floating *B, int ldb, floating beta,
                          floating *C, int ldc) noexcept nogil:
    """C <- alpha * A B + beta * C, column-major A (m, k), B (k, n), C (m, n)."""
    cdef char tr = b'N'
    if floating is float:
        blas.sgemm(&tr, &tr, &m, &n, &k, &alpha, <float *> A, &lda, <float *> B, &ldb,
                   &beta, C, &ldc)
    else:
        blas.dgemm(&tr, &tr, &m, &n, &k, &alpha, <double *> A, &lda, <double *> B, &ldb,
                   &beta, C, &ldc)
