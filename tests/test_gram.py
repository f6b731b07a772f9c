"""Gram-mode ("covariance") coordinate descent: statistics, kernel, auto choice.

The Gram kernel minimises the same kernel-units objective as the dense and
sparse kernels,

    1/2 ||yt - Xt w||^2 + l1_reg ||w||_1 + l2_reg / 2 ||w||^2,

from (G, Xy, y_norm2) only, so on the same design it must follow the same
iterates (same coordinate order, same screening) and return the same w and
duality gap, up to round-off.
"""
import numpy as np
import pytest
import scipy.sparse as sp

from fastreg import reference as ref
from fastreg._kernels._cd_dense import enet_cd_dense
from fastreg._kernels._cd_gram import enet_cd_gram
from fastreg._kernels._cd_sparse import enet_cd_sparse
from fastreg._gram import check_gram, gram_matrix, gram_statistics, use_gram
from fastreg._preprocess import preprocess

from conftest import (assert_coef_close, centred_weighted, make_problem,
                      make_sample_weight, to_layout)


def make_design(layout="dense", weighted=True, fit_intercept=True, dtype=np.float64,
                n=60, p=25, seed=0, index_dtype=np.int32):
    """(design, raw X, raw y, normalised weights or None) as the estimators build them."""
    X, y = make_problem(n=n, p=p, density=0.4 if layout != "dense" else 1.0, seed=seed)
    sw = make_sample_weight(n, "random" if weighted else None, seed=seed)
    Xl = to_layout(X, layout, dtype=dtype, index_dtype=index_dtype)
    d = preprocess(Xl, y.astype(dtype), sw, fit_intercept, normalize_weights=True)
    sw_n = None if sw is None else sw * n / sw.sum()
    return d, X, y, sw_n


def penalties(Xy, l1_ratio, positive=False, frac=0.1):
    lam = frac * (np.max(Xy) if positive else np.max(np.abs(Xy)))
    return lam * l1_ratio, lam * (1 - l1_ratio) + (0.5 if l1_ratio == 0 else 0.0)


def run_gram(stats, l1, l2, max_iter=10000, tol=1e-12, seed=0, random=False,
             positive=False, w0=None, gap_freq=10):
    G, Xy, y2 = stats
    t = G.dtype.type
    w = np.zeros(G.shape[0], dtype=G.dtype) if w0 is None else w0.astype(G.dtype)
    out = enet_cd_gram(G, Xy, y2, w, t(l1), t(l2), max_iter, t(tol), seed, random,
                       positive, gap_freq, anderson_k=0)
    return w, out


def run_design(d, l1, l2, max_iter=10000, tol=1e-12, seed=0, random=False,
               positive=False, w0=None):
    """The dense or sparse kernel on the design itself, as plain coordinate
    descent (no Anderson extrapolation, nor in run_gram), so that both
    kernels run the same iterates."""
    X = d.X
    t = X.dtype.type
    p = X.shape[1]
    w = np.zeros(p, dtype=X.dtype) if w0 is None else w0.astype(X.dtype)
    args = (d.y, w, t(l1), t(l2), max_iter, t(tol), seed, random, positive)
    if d.sparse:
        out = enet_cd_sparse(X.data, X.indices, X.indptr, d.x_mean, d.sqrt_sw, *args,
                             anderson_k=0)
    else:
        out = enet_cd_dense(X, *args, anderson_k=0)
    return w, out


# --------------------------------------------------------------------------
# gram_statistics
# --------------------------------------------------------------------------
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("fit_intercept", [False, True])
@pytest.mark.parametrize("layout", ["dense", "csc", "csr"])
def test_gram_statistics_match_explicit(layout, fit_intercept, weighted, dtype):
    d, X, y, sw = make_design(layout, weighted, fit_intercept, dtype, n=70, p=30)
    G, Xy, y2 = gram_statistics(d, d.y)
    Xt, yt, _, _ = centred_weighted(to_layout(X, layout, dtype), y, sw, fit_intercept)
    rtol = 1e-10 if dtype == np.float64 else 2e-5
    assert G.dtype == Xy.dtype == np.dtype(dtype) and np.asarray(y2).dtype == dtype
    assert G.flags.f_contiguous and G.shape == (30, 30)
    np.testing.assert_array_equal(G, G.T)  # exactly symmetric
    np.testing.assert_allclose(G, Xt.T @ Xt, rtol=0, atol=rtol * np.abs(Xt.T @ Xt).max())
    np.testing.assert_allclose(Xy, Xt.T @ yt, rtol=0, atol=rtol * np.sqrt(G.max() * (yt @ yt)))
    np.testing.assert_allclose(y2, yt @ yt, rtol=rtol)


def test_gram_statistics_int64_indices_and_constant_sparse_column():
    X, y = make_problem(n=50, p=8, density=0.5, seed=3)
    X[:, 2] = 4.0  # constant: zero once centred
    X[:, 5] = 0.0  # empty
    Xs = to_layout(X, "csc", index_dtype=np.int64)
    d = preprocess(Xs, y, make_sample_weight(50, "random"), True, normalize_weights=True)
    G, Xy, _ = gram_statistics(d, d.y)
    assert np.all(G[5, :] == 0) and np.all(G[:, 5] == 0)  # exactly zero column
    # The constant column is zero only up to the rounding of x_mean (also in
    # the sparse kernel's implicit design): a tiny row, no cancellation blow-up.
    assert np.abs(G[2, :]).max() <= 1e-12 * G.max() and G[2, 2] <= 1e-20 * G.max()
    Xt = d.X.toarray() - np.outer(d.sqrt_sw, d.x_mean)
    np.testing.assert_allclose(G, Xt.T @ Xt, atol=1e-10 * G.max())
    w, (_, _, _, conv) = run_gram((G, Xy, d.y @ d.y), 0.01 * np.abs(Xy).max(), 0.0)
    assert conv and w[2] == 0 and w[5] == 0


# --------------------------------------------------------------------------
# kernel vs dense / sparse kernels
# --------------------------------------------------------------------------
@pytest.mark.parametrize("random", [False, True])
@pytest.mark.parametrize("positive", [False, True])
@pytest.mark.parametrize("l1_ratio", [1.0, 0.5, 0.0])
@pytest.mark.parametrize("layout", ["dense", "csc", "csr"])
def test_gram_kernel_matches_design_kernels(layout, l1_ratio, positive, random):
    d, X, y, sw = make_design(layout, weighted=True, fit_intercept=True)
    stats = gram_statistics(d, d.y)
    l1, l2 = penalties(stats[1], l1_ratio, positive)
    wd, (gd, td, nd, cd) = run_design(d, l1, l2, random=random, positive=positive)
    wg, (gg, tg, ng, cg) = run_gram(stats, l1, l2, random=random, positive=positive)
    assert cd and cg
    assert_coef_close(wg, wd, 1e-10)
    y2 = float(stats[2])
    assert tg == pytest.approx(td, rel=1e-14)
    assert abs(gg - gd) <= 1e-12 * y2
    assert ng == nd  # same iterates, same gap checks
    if positive:
        assert np.all(wg >= 0)
    if l1_ratio == 1.0:
        assert 0 < np.count_nonzero(wg) < wg.size  # a genuinely sparse solution


@pytest.mark.parametrize("random", [False, True])
@pytest.mark.parametrize("max_iter", [1, 3])
@pytest.mark.parametrize("layout", ["dense", "csr"])
def test_gap_before_convergence_matches_kernels_and_reference(layout, max_iter, random):
    """Same (non-optimal) iterate and same gap as the design kernel, and the
    reference gap (public units: kernel gap / n, weights normalised to sum n)."""
    d, X, y, sw = make_design(layout, weighted=True, fit_intercept=True, n=80, p=30,
                              seed=1)
    stats = gram_statistics(d, d.y)
    l1, l2 = penalties(stats[1], 0.5, frac=0.02)
    wd, (gd, _, _, _) = run_design(d, l1, l2, max_iter=max_iter, random=random)
    wg, (gg, _, ng, cg) = run_gram(stats, l1, l2, max_iter=max_iter, random=random)
    assert ng == max_iter and not cg
    assert_coef_close(wg, wd, 1e-12)
    np.testing.assert_allclose(gg, gd, rtol=1e-9)
    n = X.shape[0]
    alpha, ratio = (l1 + l2) / n, l1 / (l1 + l2)
    intercept = float(d.y_mean - d.x_mean @ wg)
    public = ref.enet_duality_gap(X, y, wg, intercept, alpha, ratio, sw, fit_intercept=True)
    np.testing.assert_allclose(gg / n, public, rtol=1e-8)


@pytest.mark.parametrize("layout", ["dense", "csc"])
def test_float32(layout):
    d32, X, y, sw = make_design(layout, dtype=np.float32, seed=2)
    d64, *_ = make_design(layout, dtype=np.float64, seed=2)
    s32, s64 = gram_statistics(d32, d32.y), gram_statistics(d64, d64.y)
    l1, l2 = penalties(s64[1], 0.5)
    w32, (g32, t32, _, c32) = run_gram(s32, l1, l2, tol=1e-6)
    wd32, (gd32, _, _, cd32) = run_design(d32, l1, l2, tol=1e-6)
    w64, _ = run_gram(s64, l1, l2)
    assert c32 and cd32 and w32.dtype == np.float32
    assert_coef_close(w32, wd32, 1e-4)
    assert_coef_close(w32, w64, 2e-3)
    # The float32 gap, certified against the float64 reference on the raw data.
    n = X.shape[0]
    public = ref.enet_duality_gap(X, y, w32.astype(np.float64),
                                  float(d64.y_mean - d64.x_mean @ w32), (l1 + l2) / n,
                                  l1 / (l1 + l2), sw)
    assert public * n <= 2e-5 * float(s64[2])


def test_warm_start_at_optimum_runs_zero_epochs():
    d, *_ = make_design("dense")
    stats = gram_statistics(d, d.y)
    l1, l2 = penalties(stats[1], 0.7)
    w, (_, _, n1, c1) = run_gram(stats, l1, l2, tol=1e-10)
    assert c1 and n1 > 0
    w2, (gap, tol_scaled, n2, c2) = run_gram(stats, l1, l2, tol=1e-10, w0=w)
    assert c2 and n2 == 0 and gap <= tol_scaled
    np.testing.assert_array_equal(w2, w)
    # A warm start from the dense kernel's solution is optimal for Gram mode too.
    wd, _ = run_design(d, l1, l2)
    _, (_, _, n3, c3) = run_gram(stats, l1, l2, tol=1e-10, w0=wd)
    assert c3 and n3 == 0


def test_alpha_above_alpha_max_and_zero_norm_feature():
    d, *_ = make_design("dense", p=10)
    G, Xy, y2 = gram_statistics(d, d.y)
    w, (gap, _, n_iter, conv) = run_gram((G, Xy, y2), 1.01 * np.abs(Xy).max(), 0.0)
    assert conv and n_iter == 0 and not np.any(w)
    # A zero column (G[j, j] == 0): its coefficient is zeroed, even from a warm start.
    G[3, :] = G[:, 3] = 0
    Xy[3] = 0
    w0 = np.full(10, 0.5)
    w, (_, _, _, conv) = run_gram((G, Xy, y2), 0.05 * np.abs(Xy).max(), 0.1, w0=w0)
    assert conv and w[3] == 0


def test_near_perfect_fit_cancellation():
    """||R||^2 = y2 - 2 w.Xy + w.G w cancels when the fit is near-perfect: the
    kernel still converges to the dense solution and reports a tiny, clipped gap."""
    rng = np.random.default_rng(5)
    X = rng.standard_normal((200, 10)) + 5.0
    y = X @ rng.uniform(1, 3, 10) + 1e-7 * rng.standard_normal(200)
    d = preprocess(X, y, None, True)
    stats = gram_statistics(d, d.y)
    l1 = 1e-9 * np.abs(stats[1]).max()
    wd, (gd, _, _, cd) = run_design(d, l1, 0.0, tol=1e-13)
    wg, (gg, tg, _, cg) = run_gram(stats, l1, 0.0, tol=1e-13)
    assert cd and cg
    assert_coef_close(wg, wd, 1e-9)
    assert abs(gg) <= 1e-13 * float(stats[2])


def test_invalid_kernel_arguments():
    G = np.asfortranarray(np.eye(3))
    with pytest.raises(ValueError, match="shapes"):
        enet_cd_gram(G, np.zeros(2), 1.0, np.zeros(3), 0.1, 0.0, 10, 1e-4, 0, False, False)
    with pytest.raises(ValueError, match="gap_freq"):
        enet_cd_gram(G, np.zeros(3), 1.0, np.zeros(3), 0.1, 0.0, 10, 1e-4, 0, False, False, 0)


# --------------------------------------------------------------------------
# user-supplied Gram matrices and the 'auto' choice
# --------------------------------------------------------------------------
@pytest.mark.parametrize("layout", ["dense", "csr"])
def test_user_gram_is_validated_and_used(layout):
    d, X, y, sw = make_design(layout, weighted=True, fit_intercept=True)
    G = gram_matrix(d)
    noisy = np.ascontiguousarray(G + 1e-12 * np.triu(np.ones_like(G)))  # C order, round-off
    assert use_gram(noisy, *X.shape) is True
    G2, Xy, y2 = gram_statistics(d, d.y, precompute=noisy)
    assert G2.flags.f_contiguous
    np.testing.assert_array_equal(G2, G2.T)
    np.testing.assert_allclose(G2, G, atol=1e-11)
    with pytest.raises(ValueError, match="shape"):
        use_gram(G[:-1, :-1], *X.shape)
    asym = G.copy()
    asym[0, 1] += 1e-3 * G.max()
    with pytest.raises(ValueError, match="symmetric"):
        use_gram(asym, *X.shape)
    with pytest.raises(ValueError, match="NaN"):
        check_gram(np.full_like(G, np.nan), X.shape[1])
    # The Gram matrix of the uncentred data does not match a centred design.
    Xw = np.sqrt(sw)[:, None] * X
    with pytest.raises(ValueError, match="does not match"):
        gram_statistics(d, d.y, precompute=Xw.T @ Xw)


def test_use_gram_choice():
    assert use_gram(True, 10, 1000) is True
    assert use_gram(np.bool_(False), 10**6, 10) is False
    with pytest.raises(ValueError):
        use_gram("always", 100, 10)
    with pytest.raises(TypeError):
        use_gram(sp.eye(10), 100, 10)
    auto = lambda n, p, k=1: use_gram("auto", n, p, k)  # noqa: E731
    assert auto(100000, 200) and auto(10**6, 50)       # tall, few features
    assert not auto(10000, 500) and not auto(2000, 2000)  # single fits: dense wins
    assert not auto(100, 200)                            # n < p
    assert auto(2000, 2000, 100) and auto(10000, 1000, 10)  # paths amortise the build
    assert auto(10**7, 10000, 1000)                      # within the one size limit
    assert not auto(10**7, 12000, 1000)                  # beyond it (p^2 > MAX_GRAM_ENTRIES)
    assert not auto(100, 0)
    # Monotone: more samples or more alphas never turn Gram mode off.
    for p in (50, 180, 300, 1000):
        for k in (1, 3, 10):
            ns = [p, 2 * p, 10 * p, 1000 * p]
            picks = [auto(n, p, k) for n in ns]
            assert picks == sorted(picks)
            assert auto(ns[-1], p, k) <= auto(ns[-1], p, k + 1)


# --------------------------------------------------------------------------
# lazy designs: the Gram matrix from raw X, without the centred copy
# --------------------------------------------------------------------------
@pytest.mark.parametrize("order", ["C", "F"])
@pytest.mark.parametrize("shift", [0.0, 1.0, 3.0])
def test_gram_from_raw_equals_centred_gram(order, shift):
    """Unweighted lazy design: X^T X - n m m^T from one SYRK on raw X equals the
    Gram matrix of the explicitly centred design (means up to 3 standard
    deviations: at most ~10x amplification of round-off), and the centred
    copy is never formed."""
    rng = np.random.default_rng(1)
    X = rng.standard_normal((300, 12)) + shift * rng.uniform(-1, 1, 12)
    X = np.asfortranarray(X) if order == "F" else np.ascontiguousarray(X)
    y = rng.standard_normal(300)
    lazy = preprocess(X, y, None, True, normalize_weights=True, lazy=True)
    G, Xy, y2 = gram_statistics(lazy, lazy.y)
    assert lazy.lazy  # no centred copy was needed
    eager = preprocess(X.copy(), y, None, True, normalize_weights=True)
    G_e, Xy_e, y2_e = gram_statistics(eager, eager.y)
    scale = np.max(np.diag(G_e))
    np.testing.assert_allclose(G, G_e, rtol=0, atol=1e-13 * scale)
    np.testing.assert_array_equal(G, G.T)
    np.testing.assert_allclose(Xy, Xy_e, rtol=1e-12, atol=1e-12 * np.abs(Xy_e).max())
    assert y2 == pytest.approx(y2_e, rel=1e-14)


@pytest.mark.parametrize("case", ["dominant_mean", "constant_column", "weighted",
                                  "strided"])
def test_gram_from_raw_falls_back_to_centring(case):
    """Where the correction would lose accuracy (a mean 1e4 times the spread, a
    constant column) or does not apply (weights, non-contiguous X), the design
    is centred explicitly and the Gram matrix is that of the centred copy."""
    rng = np.random.default_rng(2)
    X = rng.standard_normal((200, 8))
    sw = None
    if case == "dominant_mean":
        X[:, 3] = 1e4 + 1e-0 * X[:, 3]
    elif case == "constant_column":
        X[:, 5] = 7.25
    elif case == "weighted":
        sw = rng.uniform(0.5, 2.0, 200)
    elif case == "strided":
        X = np.asfortranarray(np.repeat(X, 2, axis=1))[:, ::2]
    y = rng.standard_normal(200)
    lazy = preprocess(X, y, sw, True, normalize_weights=True, lazy=True)
    G = gram_matrix(lazy)
    assert not lazy.lazy  # the centred copy was formed
    Xc, _, _, _ = centred_weighted(X, y, None if sw is None else sw * 200 / sw.sum())
    expected = Xc.T @ Xc
    np.testing.assert_allclose(G, expected, rtol=0, atol=1e-12 * np.max(np.diag(expected)))
    if case == "constant_column":
        assert np.all(G[5] == 0) and np.all(G[:, 5] == 0)


def test_path_gram_route_never_centres_a_copy(monkeypatch):
    """A tall unweighted path takes the Gram route from the raw X and returns
    the path of the explicitly centred problem (the certificate of every
    point checked by the reference)."""
    import fastreg
    import fastreg._preprocess as pp

    rng = np.random.default_rng(3)
    n, p = 3000, 40
    X = rng.standard_normal((n, p)) + 2.0
    y = X[:, :5] @ np.array([1.0, -2.0, 0.5, 3.0, -1.0]) + rng.standard_normal(n)
    copies = []
    centre = pp._centre_dense
    monkeypatch.setattr(pp, "_centre_dense", lambda *a, **k: copies.append(1) or centre(*a, **k))
    alphas, coefs, _ = fastreg.lasso_path(X, y, n_alphas=20, eps=1e-3, tol=1e-10,
                                          fit_intercept=True, precompute=True)
    assert not copies
    monkeypatch.setattr(pp, "_centre_dense", centre)
    scale = np.var(y)
    xm, ym = X.mean(axis=0), y.mean()
    for a, w in zip(alphas, coefs.T):
        gap = ref.enet_duality_gap(X, y, w, ym - xm @ w, a, 1.0)
        assert gap <= 1.01e-10 * scale


@pytest.mark.parametrize("shape", [(50, 0), (0, 4)])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_empty_sides_give_zero_matrices_without_blas_errors(shape, dtype, capfd):
    """No features (an empty active set) or no samples: zero Gram and kernel
    matrices of the right size, and no BLAS argument error on stderr (SYRK
    rejects a zero leading dimension; with no rows it leaves its output unset)."""
    from fastreg._gram import gram_matrix, kernel_matrix
    from fastreg._preprocess import preprocess

    X = np.asfortranarray(np.zeros(shape, dtype=dtype))
    y = np.zeros(shape[0], dtype=dtype)
    design = preprocess(X, y, None, False)
    G, K = gram_matrix(design), kernel_matrix(design)
    assert G.shape == (shape[1], shape[1]) and K.shape == (shape[0], shape[0])
    assert not np.any(G) and not np.any(K)
    assert "illegal value" not in capfd.readouterr().err
