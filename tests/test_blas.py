"""The BLAS shim (fastreg/_kernels/_blas.pxd), wrapper by wrapper, against NumPy.

Every kernel reaches BLAS through these by-value, fused-type wrappers over
scipy.linalg.cython_blas; fastreg._kernels._blas_twins exposes each one to
Python unchanged. Checked in float32 and float64, with unit, strided and
negative increments for the level-1 wrappers (nrm2 and asum: BLAS takes
positive ones only, the twins pass the same elements) and with a leading
dimension larger than the row count for GEMV.
"""
import numpy as np
import pytest

from fastreg._kernels import _blas_twins as blas

DTYPES = [np.float32, np.float64]
#: (step of x, step of y) for the level-1 wrappers: NumPy strides become the
#: increments (negative steps: BLAS reads from the far end of the vector).
STEPS = [(1, 1), (2, 3), (-1, 1), (3, -2), (-2, -1)]


def rtol(dtype):
    return 1e-5 if dtype == np.float32 else 1e-13


def vector(n, step, dtype, seed):
    """A length-n view with the given step into a larger random array."""
    base = np.random.default_rng(seed).standard_normal(n * abs(step) + 3).astype(dtype)
    view = base[1:1 + n * abs(step):abs(step)]
    return view[::-1] if step < 0 else view


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("steps", STEPS)
def test_dot(dtype, steps):
    x, y = vector(50, steps[0], dtype, 0), vector(50, steps[1], dtype, 1)
    got = blas.dot(x, y)
    assert got == pytest.approx(float(x.astype(np.float64) @ y), rel=rtol(dtype))
    assert blas.dot(x[:0], y[:0]) == 0.0


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("steps", STEPS)
def test_axpy(dtype, steps):
    x = vector(40, steps[0], dtype, 2)
    y = vector(40, steps[1], dtype, 3)
    base = y.base
    outside = base.copy()
    expected = y + dtype(0.75) * x
    blas.axpy(0.75, x, y)
    np.testing.assert_allclose(y, expected, rtol=rtol(dtype), atol=rtol(dtype))
    # Only the entries of the view change.
    touched = np.zeros(base.shape, dtype=bool)
    touched_view = touched[1:1 + 40 * abs(steps[1]):abs(steps[1])]
    touched_view[:] = True
    np.testing.assert_array_equal(base[~touched], outside[~touched])


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("steps", STEPS)
def test_copy(dtype, steps):
    x = vector(30, steps[0], dtype, 4)
    y = vector(30, steps[1], dtype, 5)
    blas.copy(x, y)
    np.testing.assert_array_equal(y, x)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("step", [1, 3, -1, -2])
def test_nrm2_and_asum(dtype, step):
    x = vector(60, step, dtype, 6)
    x64 = x.astype(np.float64)
    assert blas.nrm2(x) == pytest.approx(np.linalg.norm(x64), rel=rtol(dtype))
    assert blas.asum(x) == pytest.approx(np.abs(x64).sum(), rel=rtol(dtype))
    assert blas.nrm2(x[:0]) == 0.0 and blas.asum(x[:0]) == 0.0


@pytest.mark.parametrize("dtype", DTYPES)
def test_nrm2_does_not_overflow(dtype):
    """nrm2 scales as it accumulates: squares beyond the dtype's range are fine."""
    big = 1e200 if dtype == np.float64 else 1e30
    x = np.array([3 * big, 4 * big], dtype=dtype)
    assert blas.nrm2(x) == pytest.approx(5 * big, rel=rtol(dtype))


def matrix(m, n, lda, dtype, seed):
    """An (m, n) column-major block, leading dimension lda, of a larger array."""
    big = np.asfortranarray(np.random.default_rng(seed).standard_normal((lda, n + 1)),
                            dtype=dtype)
    return big[:m, 1:]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("lda_extra", [0, 5])
@pytest.mark.parametrize("alpha,beta", [(1.0, 0.0), (-1.0, 1.0), (0.5, -2.0)])
def test_gemv(dtype, lda_extra, alpha, beta):
    m, n = 17, 9
    A = matrix(m, n, m + lda_extra, dtype, 7)
    assert A.strides[1] == (m + lda_extra) * A.itemsize
    A64 = A.astype(np.float64)
    rng = np.random.default_rng(8)
    for trans, (len_x, len_y) in (("t", (m, n)), ("n", (n, m))):
        x = rng.standard_normal(len_x).astype(dtype)
        y = rng.standard_normal(len_y).astype(dtype)
        op = A64.T if trans == "t" else A64
        expected = alpha * (op @ x) + beta * y
        getattr(blas, "gemv_" + trans)(alpha, A, x, beta, y)
        np.testing.assert_allclose(y, expected, rtol=rtol(dtype), atol=10 * rtol(dtype))


@pytest.mark.parametrize("dtype", DTYPES)
def test_gemv_beta_zero_never_reads_y(dtype):
    """The kernels hand GEMV uninitialised outputs with beta = 0 (``X^T R``
    into a fresh buffer): BLAS must overwrite y, not scale it."""
    A = matrix(6, 4, 6, dtype, 9)
    x = np.ones(6, dtype=dtype)
    y = np.full(4, np.nan, dtype=dtype)
    blas.gemv_t(1.0, A, x, 0.0, y)
    np.testing.assert_allclose(y, A.astype(np.float64).sum(axis=0), rtol=rtol(dtype))
    y = np.full(6, np.nan, dtype=dtype)
    blas.gemv_n(1.0, A, np.ones(4, dtype=dtype), 0.0, y)
    np.testing.assert_allclose(y, A.astype(np.float64).sum(axis=1), rtol=rtol(dtype))


def test_twins_reject_what_blas_cannot_take():
    x = np.ones(8)
    with pytest.raises(ValueError, match="same length"):
        blas.dot(x, x[:7])
    with pytest.raises(ValueError, match="stride"):
        blas.asum(np.broadcast_to(np.ones(1), (4,)))          # stride 0
    with pytest.raises(ValueError, match="column-major"):
        blas.gemv_t(1.0, np.ones((3, 2)), np.ones(3), 0.0, np.ones(2))   # C order
    with pytest.raises((TypeError, ValueError)):
        blas.dot(x.astype(np.float32), x)                     # mixed dtypes
