"""Ridge's conjugate-gradient route: the fused sparse product, the relabelled
CSR copy and the CG loop, each against a plain dense computation.

The estimator-level agreement of ``solver='sparse_cg'`` with the closed form
(every layout, dtype, weight and intercept setting) lives in test_ridge.py;
here the pieces are checked one by one, including the cases that the
estimator tests reach only indirectly (empty rows and columns, int64
indices, no stored entries, a wide text-like design where the route skips
Jacobi preconditioning).
"""
import numpy as np
import pytest
import scipy.sparse as sp

from fastreg import Ridge
from fastreg import reference as ref
from fastreg._ridge_cg import conjugate_gradient
from fastreg._kernels._sparse_normal import csr_relabelled, normal_matvec

from conftest import assert_coef_close, make_sample_weight, make_text_like


def _sparse(n, p, density, seed, empty_row=True, empty_col=True):
    rng = np.random.default_rng(seed)
    X = sp.random(n, p, density=density, format="csc", random_state=rng,
                  data_rvs=lambda k: rng.standard_normal(k))
    X = X.tolil()
    if empty_row:
        X[n // 2, :] = 0
    if empty_col:
        X[:, p // 3] = 0
    return X.tocsc()


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("index_dtype", [np.int32, np.int64])
@pytest.mark.parametrize("centre", [False, True])
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("shape", [(40, 25), (25, 40)])
def test_normal_matvec_matches_dense(dtype, index_dtype, centre, weighted, shape):
    n, p = shape
    rng = np.random.default_rng(3)
    X = _sparse(n, p, 0.2, seed=4)
    s = np.sqrt(make_sample_weight(n, "random", seed=1)) if weighted else np.ones(n)
    Xs = sp.csr_matrix(sp.diags(s) @ X)
    mean = rng.standard_normal(p) if centre else np.zeros(p)
    Xt = Xs.toarray() - np.outer(s, mean) if centre else Xs.toarray()
    v = rng.standard_normal(p)
    alpha = 0.7
    expected = Xt.T @ (Xt @ v) + alpha * v

    out = np.full(p, np.nan, dtype=dtype)
    normal_matvec(Xs.data.astype(dtype), Xs.indices.astype(index_dtype),
                  Xs.indptr.astype(index_dtype), mean.astype(dtype), s.astype(dtype),
                  centre, alpha, v.astype(dtype), out)
    rtol = 1e-12 if dtype == np.float64 else 1e-5
    np.testing.assert_allclose(out, expected, rtol=rtol, atol=rtol * np.abs(expected).max())


def test_normal_matvec_no_stored_entries():
    n, p = 6, 4
    X = sp.csr_matrix((n, p))
    mean = np.arange(1.0, p + 1)
    v = np.ones(p)
    out = np.empty(p)
    normal_matvec(X.data, X.indices, X.indptr, mean, np.ones(n), True, 2.0, v, out)
    # Xt = -1 mean^T: Xt^T Xt v = n (mean . v) mean
    np.testing.assert_allclose(out, n * (mean @ v) * mean + 2.0 * v)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("index_dtype", [np.int32, np.int64])
def test_csr_relabelled_is_the_permuted_matrix(dtype, index_dtype):
    n, p = 30, 50
    X = _sparse(n, p, 0.15, seed=7).astype(dtype)
    X.indices = X.indices.astype(index_dtype)
    X.indptr = X.indptr.astype(index_dtype)
    perm = np.random.default_rng(0).permutation(p)
    label = np.empty(p, dtype=index_dtype)
    label[perm] = np.arange(p, dtype=index_dtype)
    data = np.empty(X.nnz, dtype=dtype)
    indices = np.empty(X.nnz, dtype=index_dtype)
    indptr = np.empty(n + 1, dtype=index_dtype)
    csr_relabelled(X.data, X.indices, X.indptr, n, label, data, indices, indptr)
    got = sp.csr_matrix((data, indices, indptr), shape=(n, p))
    np.testing.assert_array_equal(got.toarray(), X.toarray()[:, perm])
    np.testing.assert_array_equal(indptr, X.tocsr().indptr)


@pytest.mark.parametrize("precondition", [False, True])
def test_conjugate_gradient_solves_spd_system(precondition):
    rng = np.random.default_rng(5)
    B = rng.standard_normal((30, 30)) * np.logspace(0, 2, 30)
    A = B.T @ B + 0.1 * np.eye(30)
    b = rng.standard_normal(30)

    def apply(v, out):
        out[:] = A @ v

    inv_diag = 1.0 / np.diag(A) if precondition else None
    x, n_iter, ok = conjugate_gradient(apply, b, inv_diag, 1e-12, 500)
    assert ok and 0 < n_iter <= 500
    assert np.linalg.norm(A @ x - b) <= 1e-12 * np.linalg.norm(b) * 10
    np.testing.assert_allclose(x, np.linalg.solve(A, b), rtol=1e-6)
    # a zero right-hand side is solved by zero, in no iteration
    x0, it0, ok0 = conjugate_gradient(apply, np.zeros(30), inv_diag, 1e-12, 500)
    assert ok0 and it0 == 0 and not np.any(x0)
    # an exhausted budget says so
    _, it1, ok1 = conjugate_gradient(apply, b, inv_diag, 1e-14, 2)
    assert not ok1 and it1 == 2


@pytest.mark.parametrize("layout", ["csc", "csr"])
@pytest.mark.parametrize("fit_intercept", [False, True])
@pytest.mark.parametrize("sw", [None, "random"])
@pytest.mark.parametrize("shape", [(60, 200), (200, 60)])
def test_sparse_cg_route_matches_closed_form(layout, fit_intercept, sw, shape):
    """Wide (primal, no preconditioner) and tall (primal, Jacobi) sparse systems,
    heavy-tailed column norms, int64 indices on CSR."""
    n, p = shape
    X, y = make_text_like(n=n, p=p, seed=8)
    w = None if sw is None else make_sample_weight(n, sw, seed=2)
    Xl = X.tocsr() if layout == "csr" else X.tocsc()
    if layout == "csr":
        Xl.indices = Xl.indices.astype(np.int64)
        Xl.indptr = Xl.indptr.astype(np.int64)
    before = Xl.copy()
    est = Ridge(alpha=0.3, solver="sparse_cg", tol=1e-12, max_iter=5000,
                fit_intercept=fit_intercept).fit(Xl, y, sample_weight=w)
    c_ref, b_ref = ref.ridge_closed_form(X.toarray(), y, 0.3, sample_weight=w,
                                         fit_intercept=fit_intercept)
    assert_coef_close(est.coef_, c_ref, 1e-8)
    assert abs(est.intercept_ - b_ref) <= 1e-8 * max(1.0, abs(b_ref))
    assert (Xl != before).nnz == 0  # the user's matrix is untouched
