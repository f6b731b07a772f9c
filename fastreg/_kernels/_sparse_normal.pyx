"""Products with the normal matrix of a sparse design, in one pass over X.

For the centred, weighted design ``Xt = Xs - sqrt_sw x_mean^T`` (``Xs`` the
row-scaled CSR matrix, centring implicit as in the coordinate-descent
kernels), :func:`normal_matvec` computes

    out = (Xt^T Xt + alpha I) v

reading every stored entry of ``Xs`` once: row ``i`` first gives
``t_i = xs_i . v - sqrt_sw_i (x_mean . v)`` and is then, still in cache,
scattered into ``out`` as ``t_i xs_i``; the centring enters through one
scalar ``sum_i sqrt_sw_i t_i`` at the end. A matvec followed by a separate
transposed matvec would stream X from memory twice. This is the product that
Ridge's conjugate gradient spends its time in.
"""
from libc.stdint cimport int32_t, int64_t

from ._blas cimport floating
from ._interrupt cimport INTERRUPT_BUDGET, spend

ctypedef fused index_t:
    int32_t
    int64_t


def normal_matvec(const floating[::1] data, const index_t[::1] indices,
                  const index_t[::1] indptr, const floating[::1] x_mean,
                  const floating[::1] sqrt_sw, bint centre, double alpha,
                  const floating[::1] v, floating[::1] out):
    """``out = (Xt^T Xt + alpha I) v`` for CSR ``Xs`` (see the module docstring).

    ``centre`` False skips the centring (``x_mean`` and ``sqrt_sw`` unread).
    ``out`` must not alias ``v``. Kernel contract: shapes are trusted.
    """
    cdef Py_ssize_t n = indptr.shape[0] - 1
    cdef Py_ssize_t p = v.shape[0]
    cdef Py_ssize_t i, j, k, start, end
    cdef double c = 0.0, acc = 0.0, t
    cdef Py_ssize_t budget = INTERRUPT_BUDGET   # work until an interrupt check
    with nogil:
        if centre:
            for j in range(p):
                c += x_mean[j] * v[j]
        for j in range(p):
            out[j] = alpha * v[j]
        for i in range(n):
            start = indptr[i]
            end = indptr[i + 1]
            spend(&budget, 1 + 2 * (end - start))
            t = 0.0
            for k in range(start, end):
                t += data[k] * v[indices[k]]
            if centre:
                t -= sqrt_sw[i] * c
                acc += sqrt_sw[i] * t
            if t != 0.0:
                for k in range(start, end):
                    out[indices[k]] += <floating>(t * data[k])
        if centre and acc != 0.0:
            for j in range(p):
                out[j] -= <floating>(acc * x_mean[j])


def csr_relabelled(const floating[::1] data, const index_t[::1] indices,
                   const index_t[::1] indptr, Py_ssize_t n_rows,
                   const index_t[::1] label, floating[::1] out_data,
                   index_t[::1] out_indices, index_t[::1] out_indptr):
    """CSR form of the CSC matrix ``(data, indices, indptr)`` with column ``j``
    renamed ``label[j]``, in one counting pass and one scatter pass.

    Within a row the entries come in column order of the input, so their new
    labels need not be sorted (:func:`normal_matvec` does not need them to be).
    ``out_*`` are preallocated: nnz, nnz and ``n_rows + 1`` entries.
    """
    cdef Py_ssize_t p = indptr.shape[0] - 1
    cdef Py_ssize_t i, j, k, dest
    cdef index_t total = 0, count
    with nogil:
        for i in range(n_rows + 1):
            out_indptr[i] = 0
        for k in range(indptr[p]):
            out_indptr[indices[k] + 1] += 1
        for i in range(n_rows):
            count = out_indptr[i + 1]
            out_indptr[i + 1] = total + count
            out_indptr[i] = total
            total += count
        # out_indptr[i] now is the next free slot of row i; shifted back below.
        for j in range(p):
            for k in range(indptr[j], indptr[j + 1]):
                i = indices[k]
                dest = out_indptr[i]
                out_data[dest] = data[k]
                out_indices[dest] = label[j]
                out_indptr[i] = dest + 1
        for i in range(n_rows, 0, -1):
            out_indptr[i] = out_indptr[i - 1]
        out_indptr[0] = 0
