# The one BLAS shim of fastreg: by-value, fused-type, nogil wrappers over
# scipy.linalg.cython_blas (we never link BLAS ourselves). Level-1 only, plus
# GEMV: the kernels need nothing more.
from scipy.linalg cimport cython_blas as blas

ctypedef fused floating:
    float
    double


cdef inline floating _dot(int n, const floating *x, int incx,
                          const floating *y, int incy) noexcept nogil:
    if floating is float:
        return blas.sdot(&n, <float *> x, &incx, <float *> y, &incy)
    else:
        return blas.ddot(&n, <double *> x, &incx, <double *> y, &incy)


cdef inline void _axpy(int n, floating alpha, const floating *x, int incx,
                       floating *y, int incy) noexcept nogil:
    if floating is float:
        blas.saxpy(&n, &alpha, <float *> x, &incx, y, &incy)
    else:
        blas.daxpy(&n, &alpha, <double *> x, &incx, y, &incy)


cdef inline void _copy(int n, const floating *x, int incx, floating *y,
                       int incy) noexcept nogil:
    if floating is float:
        blas.scopy(&n, <float *> x, &incx, y, &incy)
    else:
        blas.dcopy(&n, <double *> x, &incx, y, &incy)


cdef inline floating _nrm2(int n, const floating *x, int incx) noexcept nogil:
    if floating is float:
        return blas.snrm2(&n, <float *> x, &incx)
    else:
        return blas.dnrm2(&n, <double *> x, &incx)


cdef inline floating _asum(int n, const floating *x, int incx) noexcept nogil:
    if floating is float:
        return blas.sasum(&n, <float *> x, &incx)
    else:
        return blas.dasum(&n, <double *> x, &incx)


cdef inline void _gemv_t(int m, int n, floating alpha, const floating *A, int lda,
                         const floating *x, floating beta, floating *y) noexcept nogil:
    """y <- alpha * A^T x + beta * y for a column-major (m, n) matrix A."""
    cdef char trans = b'T'
    cdef int inc = 1
    if floating is float:
        blas.sgemv(&trans, &m, &n, &alpha, <float *> A, &lda, <float *> x, &inc,
                   &beta, y, &inc)
    else:
        blas.dgemv(&trans, &m, &n, &alpha, <double *> A, &lda, <double *> x, &inc,
                   &beta, y, &inc)


cdef inline void _gemv_n(int m, int n, floating alpha, const floating *A, int lda,
                         const floating *x, floating beta, floating *y) noexcept nogil:
    """y <- alpha * A x + beta * y for a column-major (m, n) matrix A."""
    cdef char trans = b'N'
    cdef int inc = 1
    if floating is float:
        blas.sgemv(&trans, &m, &n, &alpha, <float *> A, &lda, <float *> x, &inc,
                   &beta, y, &inc)
    else:
        blas.dgemv(&trans, &m, &n, &alpha, <double *> A, &lda, <double *> x, &inc,
                   &beta, y, &inc)
