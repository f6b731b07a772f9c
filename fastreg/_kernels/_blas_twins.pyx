"""Python-callable twins of the BLAS shim's wrappers (``_blas.pxd``), for tests.

Each function calls the wrapper of the same name on NumPy arrays, so that
``tests/test_blas.py`` can check every wrapper against NumPy in float32 and
float64. Vectors of the level-1 wrappers may have any stride that is a
non-zero multiple of the item size, negative ones included: BLAS reads a
vector with a negative increment from its far end, so the twin passes the
address of the element lowest in memory and the element order is NumPy's.
(BLAS's nrm2 and asum take positive increments only, and return 0 for
others; their result does not depend on the order, so their twins pass the
same elements with the increment's magnitude.) The GEMV wrappers take unit
increments, as the kernels use them, and a column-major matrix whose leading
dimension may exceed its row count (a block of a larger Fortran array).
Scalars are taken as Python floats and handed to the wrappers in the arrays'
type. Nothing in fastreg calls these.
"""
from ._blas cimport floating, _asum, _axpy, _copy, _dot, _gemv_n, _gemv_t, _nrm2


cdef const floating *_start(const floating[:] x, int *inc,
                            bint positive_inc=False) except? NULL:
    """The BLAS view of ``x``: its increment (through ``inc``; its magnitude
    with ``positive_inc``) and the address BLAS starts from, the lowest in
    memory (NULL for an empty vector, which BLAS does not read)."""
    cdef Py_ssize_t stride = x.strides[0]
    if stride == 0 or stride % <Py_ssize_t> sizeof(floating) != 0:
        raise ValueError(f"BLAS needs a stride that is a non-zero multiple of the item "
                         f"size, got {stride} bytes.")
    inc[0] = <int> (stride // <Py_ssize_t> sizeof(floating))
    if x.shape[0] == 0:
        return NULL
    if inc[0] > 0:
        return &x[0]
    if positive_inc:
        inc[0] = -inc[0]
    return &x[x.shape[0] - 1]


cdef int _same_length(Py_ssize_t a, Py_ssize_t b) except -1:
    if a != b:
        raise ValueError(f"The vectors must have the same length, got {a} and {b}.")
    return 0


def dot(const floating[:] x, const floating[:] y):
    """``x . y`` by ``_dot``."""
    cdef int incx, incy
    _same_length(x.shape[0], y.shape[0])
    cdef const floating *px = _start(x, &incx)
    cdef const floating *py = _start(y, &incy)
    return _dot(<int> x.shape[0], px, incx, py, incy)


def axpy(double alpha, const floating[:] x, floating[:] y):
    """``y += alpha * x`` in place, by ``_axpy``."""
    cdef int incx, incy
    _same_length(x.shape[0], y.shape[0])
    cdef const floating *px = _start(x, &incx)
    cdef floating *py = <floating *> _start(y, &incy)
    _axpy(<int> x.shape[0], <floating> alpha, px, incx, py, incy)


def copy(const floating[:] x, floating[:] y):
    """``y[:] = x`` in place, by ``_copy``."""
    cdef int incx, incy
    _same_length(x.shape[0], y.shape[0])
    cdef const floating *px = _start(x, &incx)
    cdef floating *py = <floating *> _start(y, &incy)
    _copy(<int> x.shape[0], px, incx, py, incy)


def nrm2(const floating[:] x):
    """``||x||_2`` by ``_nrm2``."""
    cdef int incx
    cdef const floating *px = _start(x, &incx, True)
    return _nrm2(<int> x.shape[0], px, incx)


def asum(const floating[:] x):
    """``sum |x_i|`` by ``_asum``."""
    cdef int incx
    cdef const floating *px = _start(x, &incx, True)
    return _asum(<int> x.shape[0], px, incx)


cdef int _column_major(const floating[:, :] A, int *lda) except -1:
    """The leading dimension of ``A``, which must be column-major (unit row
    stride) and non-empty."""
    cdef Py_ssize_t item = sizeof(floating)
    if A.shape[0] == 0 or A.shape[1] == 0:
        raise ValueError("The matrix must not be empty.")
    if A.strides[0] != item or A.strides[1] % item != 0 or A.strides[1] // item < A.shape[0]:
        raise ValueError("The matrix must be column-major (a Fortran array or a block "
                         "of one).")
    lda[0] = <int> (A.strides[1] // item)
    return 0


def gemv_t(double alpha, const floating[:, :] A, const floating[::1] x, double beta,
           floating[::1] y):
    """``y = alpha * A^T x + beta * y`` in place, by ``_gemv_t``."""
    cdef int lda
    _column_major(A, &lda)
    _same_length(A.shape[0], x.shape[0])
    _same_length(A.shape[1], y.shape[0])
    _gemv_t(<int> A.shape[0], <int> A.shape[1], <floating> alpha, &A[0, 0], lda, &x[0],
            <floating> beta, &y[0])


def gemv_n(double alpha, const floating[:, :] A, const floating[::1] x, double beta,
           floating[::1] y):
    """``y = alpha * A x + beta * y`` in place, by ``_gemv_n``."""
    cdef int lda
    _column_major(A, &lda)
    _same_length(A.shape[1], x.shape[0])
    _same_length(A.shape[0], y.shape[0])
    _gemv_n(<int> A.shape[0], <int> A.shape[1], <floating> alpha, &A[0, 0], lda, &x[0],
            <floating> beta, &y[0])
