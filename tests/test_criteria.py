"""The information-criterion driver (fastreg._criteria), against brute-force
NumPy: effective sample size, degrees of freedom (non-zeros; the dense
Elastic-Net hat matrix's trace), residual sums of squares, the least-squares
and cross-validation noise variances, the criterion values."""
import numpy as np
import pytest
import scipy.sparse as sp
from scipy.special import comb

from fastreg import enet_path
from fastreg._criteria import (criterion_values, cv_noise_variance, degrees_of_freedom,
                               design_rss, effective_sample_size, kish_size,
                               least_squares_from_gram, moments_rss, noise_floor,
                               ols_noise_variance, ridge_hat_trace)
from fastreg._enet_solver import kernel_penalties
from fastreg._gram import gram_matrix
from fastreg._preprocess import preprocess

from conftest import centred_weighted, make_problem, make_sample_weight, to_layout


def _hat_trace(Xa, l2):
    """Brute force: the trace of the n x n ridge hat matrix."""
    H = Xa @ np.linalg.pinv(Xa.T @ Xa + np.diag(l2)) @ Xa.T
    return np.trace(H)


def test_effective_sample_size():
    rng = np.random.default_rng(0)
    w = rng.uniform(0.2, 3.0, size=50)
    assert effective_sample_size(w, 50) == pytest.approx(w.sum() ** 2 / (w @ w), rel=1e-14)
    assert effective_sample_size(None, 50) == 50.0
    # uniform weights: exactly n, whatever their value
    assert effective_sample_size(np.full(50, 0.3), 50) == 50.0
    # zero weights reduce it; scale-invariant
    w0 = w.copy()
    w0[:10] = 0
    assert effective_sample_size(w0, 50) < effective_sample_size(w, 50)
    assert effective_sample_size(7 * w0, 50) == pytest.approx(effective_sample_size(w0, 50))
    assert effective_sample_size(np.r_[np.zeros(5), np.full(45, 2.0)], 50) == 45.0
    assert kish_size(10.0, 20.0, 5, False) == 5.0


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_ridge_hat_trace_matches_dense(seed):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((30, 8))
    X[:, 3] = X[:, 1] + X[:, 2]  # collinear columns, some unpenalised
    G = X.T @ X
    for l2 in (np.full(8, 2.5), rng.uniform(0.1, 5.0, 8),
               np.r_[0.0, 1.0, 0.0, 3.0, 2.0, 0.5, 0.0, 1.0],
               np.r_[0.0, 0.0, 0.0, 0.0, 1.0, 1.0, 1.0, 1.0]):
        assert ridge_hat_trace(G, l2) == pytest.approx(_hat_trace(X, l2), rel=1e-9)
    # no penalty at all: the rank
    assert ridge_hat_trace(G, np.zeros(8)) == pytest.approx(7.0)


@pytest.mark.parametrize("layout", ["dense", "csc"])
@pytest.mark.parametrize("sample_weight", [None, "random"])
@pytest.mark.parametrize("pf", [None, "zeros"])
def test_degrees_of_freedom_brute_force(layout, sample_weight, pf):
    """Lasso df = non-zeros; Elastic-Net df = the dense hat-matrix trace of the
    active columns of the centred weighted design (+1 intercept)."""
    X, y = make_problem(n=50, p=12, seed=3)
    n = X.shape[0]
    sw = make_sample_weight(n, sample_weight)
    pen = None if pf is None else np.r_[0.0, 0.0, np.linspace(0.5, 2.0, 10)]
    Xl = to_layout(X, layout)
    for l1_ratio in (1.0, 0.4):
        alphas, coefs, _ = enet_path(Xl, y, l1_ratio=l1_ratio, n_alphas=12, eps=1e-2,
                                     fit_intercept=True, sample_weight=sw,
                                     penalty_factor=pen, tol=1e-10)
        design = preprocess(Xl, y, sw, True, normalize_weights=True)
        union = np.flatnonzero(np.any(coefs != 0, axis=1))
        Gu = np.asarray(gram_matrix(design.restrict(union)), dtype=np.float64)
        df, nnz = degrees_of_freedom(coefs, alphas, l1_ratio, n, Gu, union, pen, True)
        assert np.array_equal(nnz, (coefs != 0).sum(axis=0))
        s = None if sw is None else sw * n / sw.sum()
        Xt, _, _, _ = centred_weighted(X, y, s)
        for k, alpha in enumerate(alphas):
            A = np.flatnonzero(coefs[:, k])
            if l1_ratio == 1.0:
                expected = A.size
            else:
                _, l2 = kernel_penalties(alpha, l1_ratio, n)
                pfa = np.ones(A.size) if pen is None else pen[A]
                expected = _hat_trace(Xt[:, A], l2 * pfa) if A.size else 0.0
            assert df[k] == pytest.approx(expected + 1.0, rel=1e-8, abs=1e-8)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("l1_ratio", [1.0, 0.4])
def test_degrees_of_freedom_with_a_box_and_l2_factors(dtype, l1_ratio):
    """With ``bounds``, coefficients at a finite bound do not count: df is that
    of the same path with those coefficients removed (Lasso: the free
    non-zeros; Elastic-Net: the hat trace of the free columns); ``l2_factor``
    replaces the penalty factors in the ridge term (the brute-force trace with
    those factors). The non-zero counts are unchanged."""
    X, y = make_problem(n=50, p=12, seed=4)
    n = X.shape[0]
    lower = np.where(np.arange(12) % 2 == 0, -0.2, -np.inf)
    upper = np.full(12, 0.3)
    Xl, yl = to_layout(X, "dense", dtype), y.astype(dtype)
    alphas, coefs, _ = enet_path(Xl, yl, l1_ratio=l1_ratio, n_alphas=10, eps=1e-2,
                                 fit_intercept=True, lower_bounds=lower,
                                 upper_bounds=upper, tol=1e-6)
    box = (lower.astype(dtype), upper.astype(dtype))
    at = (coefs == box[0][:, None]) | (coefs == box[1][:, None])
    assert at.any()
    qf = np.random.default_rng(5).uniform(0.5, 2.0, 12)
    design = preprocess(Xl, yl, None, True, normalize_weights=True)
    union = np.flatnonzero(np.any(coefs != 0, axis=1))
    Gu = np.asarray(gram_matrix(design.restrict(union)), dtype=np.float64)
    df, nnz = degrees_of_freedom(coefs, alphas, l1_ratio, n, Gu, union, None, True,
                                 l2_factor=qf, bounds=box)
    assert np.array_equal(nnz, (coefs != 0).sum(axis=0))
    Xt, _, _, _ = centred_weighted(X, y, None)
    for k, alpha in enumerate(alphas):
        F = np.flatnonzero((coefs[:, k] != 0) & ~at[:, k])
        if l1_ratio == 1.0:
            expected = F.size
        else:
            _, l2 = kernel_penalties(alpha, l1_ratio, n)
            expected = _hat_trace(Xt[:, F], l2 * qf[F]) if F.size else 0.0
        assert df[k] == pytest.approx(expected + 1.0, rel=1e-5, abs=1e-6)


@pytest.mark.parametrize("layout", ["dense", "csc"])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_design_and_moments_rss(layout, dtype):
    X, y = make_problem(n=40, p=9, seed=4)
    sw = make_sample_weight(40, "random")
    Xl = to_layout(X, layout, dtype=dtype)
    design = preprocess(Xl, y.astype(dtype), sw.astype(dtype), True, normalize_weights=True,
                        lazy=True)
    W = np.random.default_rng(1).standard_normal((9, 5))
    W[::2, 1] = 0
    s = sw * 40 / sw.sum()
    Xt, yt, _, _ = centred_weighted(X, y, s)
    expected = np.sum((yt[:, None] - Xt @ W) ** 2, axis=0)
    rtol = 1e-10 if dtype == np.float64 else 1e-4
    np.testing.assert_allclose(design_rss(design, W), expected, rtol=rtol)
    np.testing.assert_allclose(moments_rss(Xt.T @ Xt, Xt.T @ yt, yt @ yt, W), expected,
                               rtol=1e-8)


@pytest.mark.parametrize("layout", ["dense", "csc", "csr"])
@pytest.mark.parametrize("sample_weight", [None, "random"])
def test_ols_noise_variance(layout, sample_weight):
    """RSS_ols / (n_eff - p - 1) for a full-rank design, RSS in weights summing
    to n_eff; with a duplicated column, the rank replaces p."""
    X, y = make_problem(n=60, p=8, seed=5)
    n, p = X.shape
    sw = make_sample_weight(n, sample_weight)
    n_eff = effective_sample_size(sw, n)
    s = np.ones(n) if sw is None else sw * n_eff / sw.sum()
    Xt, yt, _, _ = centred_weighted(X, y, s)
    r = yt - Xt @ np.linalg.lstsq(Xt, yt, rcond=None)[0]
    design = preprocess(to_layout(X, layout), y, sw, True, normalize_weights=True, lazy=True)
    assert ols_noise_variance(design, n_eff, True) == pytest.approx(
        (r @ r) / (n_eff - p - 1), rel=1e-9)
    X2 = np.c_[X, X[:, 0]]
    design2 = preprocess(to_layout(X2, layout), y, sw, True, normalize_weights=True)
    assert ols_noise_variance(design2, n_eff, True) == pytest.approx(
        (r @ r) / (n_eff - p - 1), rel=1e-7)


def test_least_squares_from_gram_is_min_norm():
    rng = np.random.default_rng(2)
    X = rng.standard_normal((20, 6))
    X[:, 5] = X[:, 0] - X[:, 1]
    y = rng.standard_normal(20)
    coef, rank = least_squares_from_gram(X.T @ X, X.T @ y)
    assert rank == 5
    np.testing.assert_allclose(coef, np.linalg.pinv(X) @ y, rtol=1e-8, atol=1e-10)


def test_cv_noise_variance_rule():
    mse = np.array([[5.0, 5.2], [2.0, 2.2], [2.5, 2.3], [3.0, 3.1]])
    rss = np.array([400.0, 150.0, 100.0, 10.0])
    df = np.array([1.0, 6.0, 20.0, 99.5])
    # smallest mean held-out error at index 1: RSS / (n_eff - df)
    assert cv_noise_variance(mse, rss, df, 100.0) == pytest.approx(150.0 / 94.0)
    # fewer than one residual degree of freedom: the held-out error itself
    df2 = np.array([1.0, 99.5, 99.8, 99.9])
    assert cv_noise_variance(mse, rss, df2, 100.0) == pytest.approx(2.1)
    assert noise_floor(0.0) > 0 and noise_floor(4.0) == pytest.approx(4.0 * 2.0 ** -52)


@pytest.mark.parametrize("criterion", ["aic", "bic", "ebic"])
def test_criterion_values(criterion):
    rss = np.array([50.0, 30.0, 25.0])
    df = np.array([1.0, 3.0, 5.5])
    nnz = np.array([0, 2, 5])
    n_eff, s2, p, g = 40.0, 0.7, 12, 0.5
    k = 2.0 if criterion == "aic" else np.log(n_eff)
    expected = n_eff * np.log(2 * np.pi * s2) + rss / s2 + k * df
    if criterion == "ebic":
        expected = expected + 2 * g * np.log(comb(p, nnz))
    np.testing.assert_allclose(criterion_values(rss, df, nnz, n_eff, s2, criterion, g, p),
                               expected, rtol=1e-12)


def test_sparse_design_never_densified_for_ols(monkeypatch):
    """The OLS noise of a sparse design goes through its Gram matrix (sparse
    product) and matvecs, not a dense copy of X."""
    X, y = make_problem(n=50, p=6, seed=6)
    Xs = sp.csc_matrix(X)
    design = preprocess(Xs, y, None, True, normalize_weights=True)

    def refuse(*a, **k):
        raise AssertionError("densified")

    monkeypatch.setattr(sp.csc_matrix, "toarray", refuse)
    monkeypatch.setattr(sp.csc_matrix, "todense", refuse)
    assert ols_noise_variance(design, 50.0, True) > 0
