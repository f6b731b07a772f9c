"""The two compiled coordinate-descent kernels, called directly.

Both minimise, in kernel units,

    1/2 ||yt - Xt w||^2 + l1_reg ||w||_1 + l2_reg / 2 ||w||^2     (w >= 0 if positive)

with ``Xt = diag(sqrt(s)) (X - 1 x_mean^T)``: the dense kernel receives Xt
explicitly, the sparse one receives the CSC of diag(sqrt(s)) X plus x_mean and
sqrt(s), and centres implicitly.  With the public units of scikit-learn
(``1/(2S) sum s r^2 + alpha l1_ratio |w|_1 + ...``, S = sum(s)) the kernel
objective and its duality gap are S times the public ones.
"""
import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from fastreg import reference as ref
from fastreg._kernels._cd_dense import enet_cd_dense
from fastreg._kernels._cd_sparse import enet_cd_sparse, sparse_column_stats

from conftest import make_problem, make_sample_weight, make_text_like


def kernel_problem(n=50, p=25, weighted=True, centre=True, seed=0, text=False,
                   dtype=np.float64, index_dtype=np.int32):
    """Both kernel inputs for one problem, plus the raw data for the oracle."""
    if text:
        Xs, y = make_text_like(n=n, p=p, seed=seed)
        X = Xs.toarray()
    else:
        X, y = make_problem(n=n, p=p, density=0.4, seed=seed)
    s = make_sample_weight(n, "random", seed=seed) if weighted else np.ones(n)
    s = s * n / s.sum()  # the estimator's normalisation (not required by the kernels)
    xm = s @ X / s.sum() if centre else np.zeros(p)
    ym = s @ y / s.sum() if centre else 0.0
    r = np.sqrt(s)
    Xt = np.asfortranarray(r[:, None] * (X - xm), dtype=dtype)
    yt = np.ascontiguousarray(r * (y - ym), dtype=dtype)
    Xs = sp.csc_matrix(r[:, None] * X)
    Xs.sort_indices()
    sparse = dict(data=Xs.data.astype(dtype), indices=Xs.indices.astype(index_dtype),
                  indptr=Xs.indptr.astype(index_dtype), x_mean=xm.astype(dtype),
                  sqrt_sw=r.astype(dtype))
    return dict(X=X, y=y, s=s, xm=xm, ym=ym, Xt=Xt, yt=yt, sparse=sparse,
                centre=centre, dtype=dtype)


def run_dense(pb, l1, l2, max_iter=10000, tol=1e-12, seed=0, random=False,
              positive=False, w0=None):
    w = np.zeros(pb["Xt"].shape[1], dtype=pb["dtype"]) if w0 is None else w0.copy()
    out = enet_cd_dense(pb["Xt"], pb["yt"], w, pb["dtype"](l1), pb["dtype"](l2),
                        max_iter, pb["dtype"](tol), seed, random, positive)
    return w, out


def run_sparse(pb, l1, l2, max_iter=10000, tol=1e-12, seed=0, random=False,
               positive=False, w0=None):
    sps = pb["sparse"]
    w = np.zeros(pb["Xt"].shape[1], dtype=pb["dtype"]) if w0 is None else w0.copy()
    out = enet_cd_sparse(sps["data"], sps["indices"], sps["indptr"], sps["x_mean"],
                         sps["sqrt_sw"], pb["yt"], w, pb["dtype"](l1), pb["dtype"](l2),
                         max_iter, pb["dtype"](tol), seed, random, positive)
    return w, out


def l1_max(pb, positive=False):
    c = pb["Xt"].T.astype(np.float64) @ pb["yt"].astype(np.float64)
    return np.max(c) if positive else np.max(np.abs(c))


def public_gap(pb, w, l1, l2, positive=False):
    """reference.enet_duality_gap of the same problem, times S (kernel units)."""
    S = pb["s"].sum()
    alpha = (l1 + l2) / S
    l1_ratio = l1 / (l1 + l2)
    intercept = pb["ym"] - pb["xm"] @ w if pb["centre"] else 0.0
    g = ref.enet_duality_gap(pb["X"], pb["y"], w, intercept, alpha, l1_ratio, pb["s"],
                             fit_intercept=pb["centre"], positive=positive)
    return S * g


PENALTIES = [(0.2, 0.0), (0.05, 0.0), (0.1, 0.5), (0.01, 2.0)]  # (l1 / l1_max, l2)


# --------------------------------------------------------------------------
# dense vs sparse
# --------------------------------------------------------------------------
@pytest.mark.parametrize("index_dtype", [np.int32, np.int64])
@pytest.mark.parametrize("random", [False, True])
@pytest.mark.parametrize("positive", [False, True])
@pytest.mark.parametrize("weighted,centre", [(False, False), (False, True), (True, True),
                                             (True, False)])
@pytest.mark.parametrize("pen", PENALTIES)
def test_dense_and_sparse_kernels_agree(pen, weighted, centre, positive, random,
                                        index_dtype):
    pb = kernel_problem(weighted=weighted, centre=centre, index_dtype=index_dtype)
    l1 = pen[0] * l1_max(pb, positive)
    l2 = pen[1]
    wd, (gd, tsd, itd, cd) = run_dense(pb, l1, l2, seed=3, random=random,
                                       positive=positive)
    ws, (gs, tss, its, cs) = run_sparse(pb, l1, l2, seed=3, random=random,
                                        positive=positive)
    assert cd and cs, (gd, gs, tsd)
    scale = max(np.abs(wd).max(), 1e-300)
    assert np.max(np.abs(wd - ws)) <= 1e-10 * scale
    yy = pb["yt"] @ pb["yt"]
    assert abs(gd - gs) <= 1e-10 * yy
    np.testing.assert_allclose(tsd, 1e-12 * yy, rtol=1e-12)
    np.testing.assert_allclose(tss, tsd, rtol=1e-12)
    if positive:
        assert np.all(wd >= 0) and np.all(ws >= 0)
    # gaps are >= 0 up to round-off, and certified
    assert -1e-12 * yy <= gd <= tsd and -1e-12 * yy <= gs <= tss
    # the certificate, recomputed independently from w alone
    for w, g in ((wd, gd), (ws, gs)):
        indep = public_gap(pb, w, l1, l2, positive)
        assert abs(indep - g) <= 1e-9 * yy, (indep, g)
        assert indep <= tsd + 1e-9 * yy


@pytest.mark.parametrize("index_dtype", [np.int32, np.int64])
@pytest.mark.parametrize("random", [False, True])
@pytest.mark.parametrize("positive", [False, True])
def test_text_like_sparse_kernel(index_dtype, random, positive):
    """Heavy-tailed column norms, weights and implicit centring."""
    pb = kernel_problem(n=80, p=60, text=True, index_dtype=index_dtype, seed=1)
    l1 = 0.05 * l1_max(pb, positive)
    wd, (gd, tsd, _, cd) = run_dense(pb, l1, 0.3, random=random, positive=positive)
    ws, (gs, _, _, cs) = run_sparse(pb, l1, 0.3, random=random, positive=positive)
    assert cd and cs
    assert np.max(np.abs(wd - ws)) <= 1e-10 * np.abs(wd).max()
    assert abs(public_gap(pb, ws, l1, 0.3, positive) - gs) <= 1e-9 * (pb["yt"] @ pb["yt"])


# --------------------------------------------------------------------------
# the returned gap is the duality gap, also far from the optimum
# --------------------------------------------------------------------------
@pytest.mark.parametrize("kernel", ["dense", "sparse"])
@pytest.mark.parametrize("positive", [False, True])
@pytest.mark.parametrize("pen", PENALTIES)
@pytest.mark.parametrize("max_iter", [1, 2, 5])
def test_gap_formula_before_convergence(max_iter, pen, positive, kernel):
    pb = kernel_problem(weighted=True, centre=True, seed=4)
    l1 = pen[0] * l1_max(pb, positive)
    run = run_dense if kernel == "dense" else run_sparse
    w, (gap, tol_scaled, n_iter, converged) = run(pb, l1, pen[1], max_iter=max_iter,
                                                  positive=positive)
    assert n_iter == max_iter and not converged
    assert gap > tol_scaled
    indep = public_gap(pb, w, l1, pen[1], positive)
    assert indep > 0
    np.testing.assert_allclose(gap, indep, rtol=1e-10, atol=1e-12 * (pb["yt"] @ pb["yt"]))


@pytest.mark.parametrize("kernel", ["dense", "sparse"])
def test_gap_at_zero_and_random_points(kernel):
    """Warm-start from arbitrary w with max_iter=1... the gap reported with
    n_iter = 0 (already optimal) or after one epoch matches the oracle."""
    pb = kernel_problem(seed=5)
    l1 = 0.1 * l1_max(pb)
    rng = np.random.default_rng(0)
    run = run_dense if kernel == "dense" else run_sparse
    for _ in range(3):
        w0 = rng.standard_normal(pb["Xt"].shape[1])
        w, (gap, _, n_iter, _) = run(pb, l1, 0.5, max_iter=1, w0=w0)
        assert n_iter == 1
        np.testing.assert_allclose(gap, public_gap(pb, w, l1, 0.5), rtol=1e-10)


# --------------------------------------------------------------------------
# pure L2 (l1_reg = 0): the second dual point certifies
# --------------------------------------------------------------------------
@pytest.mark.parametrize("kernel", ["dense", "sparse"])
@pytest.mark.parametrize("positive", [False, True])
@pytest.mark.parametrize("weighted", [False, True])
def test_pure_l2_converges_and_certifies(kernel, positive, weighted):
    pb = kernel_problem(weighted=weighted, seed=6)
    l2 = 3.0
    run = run_dense if kernel == "dense" else run_sparse
    w, (gap, tol_scaled, n_iter, converged) = run(pb, 0.0, l2, tol=1e-10,
                                                  positive=positive)
    assert converged and gap <= tol_scaled
    assert n_iter < 10000
    # the rescaled-residual dual point alone (scikit-learn's) certifies nothing:
    # with l1 = 0 its scaling is 0 and its dual value is 0, the "gap" is the primal
    Xt, yt = pb["Xt"], pb["yt"]
    R = yt - Xt @ w
    primal = 0.5 * (R @ R) + 0.5 * l2 * (w @ w)
    assert primal > 1e3 * tol_scaled
    # the raw-residual dual point does: D(R) = R.y - |R|^2/2 - |(X^T R)_+|^2/(2 l2)
    v = Xt.T @ R
    v = np.maximum(v, 0) if positive else v
    dual = R @ yt - 0.5 * (R @ R) - (v @ v) / (2 * l2)
    assert primal - dual <= tol_scaled * (1 + 1e-6)
    np.testing.assert_allclose(gap, primal - dual, rtol=1e-6, atol=1e-13 * (yt @ yt))
    np.testing.assert_allclose(gap, public_gap(pb, w, 0.0, l2, positive), rtol=1e-6,
                               atol=1e-13 * (yt @ yt))
    # the optimum is the ridge solution (unconstrained case)
    if not positive:
        w_star = np.linalg.solve(Xt.T @ Xt + l2 * np.eye(Xt.shape[1]), Xt.T @ yt)
        assert np.max(np.abs(w - w_star)) <= 1e-4 * np.abs(w_star).max()


@pytest.mark.parametrize("kernel", ["dense", "sparse"])
def test_no_penalty_returns_primal_as_gap(kernel):
    """l1 = l2 = 0: no dual point but theta = 0; the gap is the primal value."""
    pb = kernel_problem(seed=7)
    run = run_dense if kernel == "dense" else run_sparse
    w, (gap, tol_scaled, n_iter, converged) = run(pb, 0.0, 0.0, max_iter=50, tol=1e-4)
    R = pb["yt"] - pb["Xt"] @ w
    np.testing.assert_allclose(gap, 0.5 * (R @ R), rtol=1e-10)
    assert converged == (gap <= tol_scaled)
    assert np.all(np.isfinite(w))


# --------------------------------------------------------------------------
# contract details
# --------------------------------------------------------------------------
@pytest.mark.parametrize("kernel", ["dense", "sparse"])
def test_warm_start_at_optimum_runs_zero_epochs(kernel):
    pb = kernel_problem(seed=8)
    l1 = 0.1 * l1_max(pb)
    run = run_dense if kernel == "dense" else run_sparse
    w, (_, _, n_iter, converged) = run(pb, l1, 0.2, tol=1e-10)
    assert converged and n_iter > 0
    w2, (_, _, n_iter2, converged2) = run(pb, l1, 0.2, tol=1e-10, w0=w)
    assert converged2 and n_iter2 == 0
    np.testing.assert_array_equal(w, w2)
    # above l1_max, zero is optimal from the start
    w3, (gap, _, n_iter3, converged3) = run(pb, 1.01 * l1_max(pb), 0.0)
    assert converged3 and n_iter3 == 0 and gap <= 1e-12 * (pb["yt"] @ pb["yt"])
    assert not np.any(w3)


@pytest.mark.parametrize("kernel", ["dense", "sparse"])
def test_kernel_inputs_not_modified(kernel):
    pb = kernel_problem(seed=9)
    before = {k: v.copy() for k, v in pb["sparse"].items()}
    Xt, yt = pb["Xt"].copy(), pb["yt"].copy()
    run = run_dense if kernel == "dense" else run_sparse
    run(pb, 0.1 * l1_max(pb), 0.1)
    np.testing.assert_array_equal(pb["Xt"], Xt)
    np.testing.assert_array_equal(pb["yt"], yt)
    for k, v in pb["sparse"].items():
        np.testing.assert_array_equal(v, before[k])


@pytest.mark.parametrize("kernel", ["dense", "sparse"])
def test_zero_column_with_nonzero_start(kernel):
    """A column of zeros (norm 0) starting from a non-zero coefficient must end
    at 0: any non-zero value only adds penalty."""
    pb = kernel_problem(seed=10, centre=False, weighted=False)
    pb["Xt"][:, 3] = 0.0
    pb["X"][:, 3] = 0.0  # uncentred, unweighted: Xt is X
    Xs = sp.csc_matrix(pb["Xt"])
    pb["sparse"].update(data=Xs.data, indices=Xs.indices, indptr=Xs.indptr)
    l1 = 0.05 * l1_max(pb)
    w0 = np.zeros(pb["Xt"].shape[1])
    w0[3] = 1.5
    run = run_dense if kernel == "dense" else run_sparse
    w, (gap, tol_scaled, _, converged) = run(pb, l1, 0.1, w0=w0)
    assert converged and w[3] == 0.0
    assert abs(public_gap(pb, w, l1, 0.1) - gap) <= 1e-9 * (pb["yt"] @ pb["yt"])


@pytest.mark.parametrize("kernel", ["dense", "sparse"])
def test_random_selection_depends_on_seed_only(kernel):
    pb = kernel_problem(seed=11)
    l1 = 0.02 * l1_max(pb)
    run = run_dense if kernel == "dense" else run_sparse
    a, _ = run(pb, l1, 0.0, max_iter=3, random=True, seed=42)
    b, _ = run(pb, l1, 0.0, max_iter=3, random=True, seed=42)
    c, _ = run(pb, l1, 0.0, max_iter=3, random=True, seed=1234567)
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)
    cyc, _ = run(pb, l1, 0.0, max_iter=3)
    assert not np.array_equal(a, cyc)
    # seed 0 is allowed (the PRNG state must not be stuck at zero)
    d, (_, _, _, conv) = run(pb, l1, 0.0, random=True, seed=0)
    assert conv
    e, _ = run(pb, l1, 0.0)
    assert np.max(np.abs(d - e)) <= 1e-5 * np.abs(e).max()


@pytest.mark.parametrize("kernel", ["dense", "sparse"])
def test_distinct_seeds_give_distinct_orders(kernel):
    """Every seed is its own stream: no two of 0..7 visit the coordinates in
    the same order (in particular not two adjacent seeds)."""
    pb = kernel_problem(seed=11)
    l1 = 0.02 * l1_max(pb)
    run = run_dense if kernel == "dense" else run_sparse
    iterates = [run(pb, l1, 0.0, max_iter=2, random=True, seed=s)[0] for s in range(8)]
    for i in range(8):
        for k in range(i + 1, 8):
            assert not np.array_equal(iterates[i], iterates[k]), (i, k)


@pytest.mark.parametrize("kernel", ["dense", "sparse"])
def test_float32_kernels(kernel):
    pb64 = kernel_problem(seed=12)
    pb32 = kernel_problem(seed=12, dtype=np.float32)
    l1 = 0.1 * l1_max(pb64)
    run = run_dense if kernel == "dense" else run_sparse
    w64, _ = run(pb64, l1, 0.3, tol=1e-10)
    w32, (g32, ts32, _, conv32) = run(pb32, l1, 0.3, tol=1e-5)
    assert w32.dtype == np.float32
    assert conv32 and g32 <= ts32
    assert np.max(np.abs(w32 - w64)) <= 2e-3 * np.abs(w64).max()
    assert public_gap(pb64, w32.astype(np.float64), l1, 0.3) <= 2e-5 * (pb64["yt"] @ pb64["yt"])


def test_mixed_dtypes_rejected():
    pb = kernel_problem(seed=13)
    w = np.zeros(pb["Xt"].shape[1], dtype=np.float32)
    with pytest.raises((TypeError, ValueError)):
        enet_cd_dense(pb["Xt"], pb["yt"], w, 0.1, 0.0, 10, 1e-4, 0, False, False)
    with pytest.raises((TypeError, ValueError)):  # C-ordered X is not Fortran
        enet_cd_dense(np.ascontiguousarray(pb["Xt"]), pb["yt"],
                      np.zeros(pb["Xt"].shape[1]), 0.1, 0.0, 10, 1e-4, 0, False, False)


# --------------------------------------------------------------------------
# properties on random small problems
# --------------------------------------------------------------------------
@settings(max_examples=15, deadline=None, database=None)
@given(n=st.integers(2, 25), p=st.integers(1, 15), seed=st.integers(0, 2 ** 16),
       density=st.floats(0.1, 1.0), l1_frac=st.floats(0.01, 1.2),
       l2=st.sampled_from([0.0, 0.1, 2.0]), positive=st.booleans(),
       weighted=st.booleans())
def test_property_dense_equals_sparse(n, p, seed, density, l1_frac, l2, positive,
                                      weighted):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p)) * (rng.random((n, p)) < density) + 0.5
    X[:, rng.random(p) < 0.2] = 0.0  # some empty columns
    y = rng.standard_normal(n) * 2 + 1
    s = rng.uniform(0.1, 2, n) if weighted else np.ones(n)
    xm, ym = s @ X / s.sum(), s @ y / s.sum()
    r = np.sqrt(s)
    Xt = np.asfortranarray(r[:, None] * (X - xm))
    yt = r * (y - ym)
    Xs = sp.csc_matrix(r[:, None] * X)
    lmax = np.max(np.abs(Xt.T @ yt))
    l1 = l1_frac * lmax if lmax > 0 else 0.1
    wd = np.zeros(p)
    ws = np.zeros(p)
    gd, tsd, _, cd = enet_cd_dense(Xt, yt, wd, l1, l2, 20000, 1e-11, 0, False, positive)
    gs, _, _, cs = enet_cd_sparse(Xs.data, Xs.indices, Xs.indptr, xm, r, yt, ws, l1, l2,
                                  20000, 1e-11, 0, False, positive)
    yy = yt @ yt
    assert cd and cs
    assert np.max(np.abs(wd - ws), initial=0) <= 1e-7 * max(np.abs(wd).max(), 1.0)
    if positive:
        assert np.all(wd >= 0)
    S = s.sum()
    alpha = (l1 + l2) / S
    g_ref = ref.enet_duality_gap(X, y, wd, ym - xm @ wd, alpha, l1 / (l1 + l2), s,
                                 positive=positive)
    assert S * g_ref <= tsd + 1e-9 * max(yy, 1e-300)


@settings(max_examples=10, deadline=None, database=None)
@given(seed=st.integers(0, 2 ** 16), n=st.integers(5, 30), p=st.integers(2, 12))
def test_property_permuting_features_permutes_coef(seed, n, p):
    from fastreg import ElasticNet
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p))
    y = X @ rng.standard_normal(p) + rng.standard_normal(n)
    perm = rng.permutation(p)
    alpha, l1_ratio, tol = 0.05, 0.7, 1e-12
    kw = dict(alpha=alpha, l1_ratio=l1_ratio, tol=tol, max_iter=100000)
    a = ElasticNet(**kw).fit(X, y)
    b = ElasticNet(**kw).fit(X[:, perm], y)
    # Strongly convex (mu = alpha (1 - l1_ratio)): one optimum, and a point with
    # gap eps is within sqrt(2 eps / mu) of it; both fits are certified to
    # eps = tol ||y_c||^2 / n (plus round-off).
    eps = (tol + 1e-13) * np.sum((y - y.mean()) ** 2) / n
    radius = np.sqrt(2 * eps / (alpha * (1 - l1_ratio)))
    assert np.linalg.norm(b.coef_ - a.coef_[perm]) <= 2 * radius
    xbar = X.mean(axis=0)
    assert abs(b.intercept_ - a.intercept_) <= 2 * radius * np.linalg.norm(xbar) + 1e-12
    # Sparse input runs another kernel (strong-set sweeps): the same bound.
    b_sp = ElasticNet(**kw).fit(sp.csr_matrix(X[:, perm]), y)
    assert np.linalg.norm(b_sp.coef_ - b.coef_) <= 2 * radius


@pytest.mark.parametrize("layout", ["dense", "csc"])
def test_float32_reported_gap_is_the_true_gap(layout):
    """float32 residuals drift with the coordinate updates; the kernels compute
    the certificate on a fresh residual, so the gap they report is the gap of
    the coefficients they return (it used to be 10x too optimistic here)."""
    import warnings

    from fastreg import Lasso
    from random_problems import make

    pb = make(17, 17, 46612, 0.25, layout, np.float32, True, "positive", [])
    alpha = ref.alpha_max(pb["Xs"], pb["ys"], sample_weight=pb["sws"]) / 512
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # float32 cannot reach tol=1e-7 here
        est = Lasso(alpha=alpha, tol=1e-7, max_iter=3000).fit(pb["X"], pb["y"],
                                                               sample_weight=pb["sw"])
    true_gap = ref.enet_duality_gap(pb["Xs"], pb["ys"], est.coef_.astype(np.float64),
                                    float(est.intercept_), alpha, sample_weight=pb["sws"])
    assert true_gap <= 2.5 * est.dual_gap_ + 1e-6 * np.var(pb["ys"])


@pytest.mark.parametrize("positive", [False, True])
@pytest.mark.parametrize("pen", [(0.02, 0.0), (0.01, 1.0)])
@pytest.mark.parametrize("work_frac", [0.5, 0.9, 0.99])
def test_sparse_strong_set_sweeps_reach_the_same_certified_optimum(work_frac, pen, positive):
    """Sweeping only the strong set between gap checks changes the epochs'
    cost, not the answer: same objective, each certified by the reference."""
    pb = kernel_problem(n=80, p=120, text=True, seed=3)
    l1 = pen[0] * l1_max(pb, positive)
    sps = pb["sparse"]
    out = {}
    for frac in (0.0, work_frac):
        w = np.zeros(120)
        gap, tol_scaled, n_iter, conv = enet_cd_sparse(
            sps["data"], sps["indices"], sps["indptr"], sps["x_mean"], sps["sqrt_sw"],
            pb["yt"], w, l1, pen[1], 100000, 1e-12, 0, False, positive, work_frac=frac)
        assert conv
        assert public_gap(pb, w, l1, pen[1], positive) <= tol_scaled * (1 + 1e-6)
        out[frac] = w
    S = pb["s"].sum()
    objs = [ref.enet_objective(pb["X"], pb["y"], w, pb["ym"] - pb["xm"] @ w,
                               (l1 + pen[1]) / S, l1 / (l1 + pen[1]), pb["s"])
            for w in out.values()]
    assert abs(objs[0] - objs[1]) <= 1e-10 * abs(objs[0])


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("index_dtype", [np.int32, np.int64])
@pytest.mark.parametrize("weighted,centre", [(False, False), (True, True)])
def test_sparse_column_stats_given_or_computed_are_identical(dtype, index_dtype,
                                                             weighted, centre):
    """A path hands the kernel the column statistics of its design
    (sparse_column_stats) instead of recomputing them per solve: the same
    numbers, so bit-identical solves; and they are the centred norms."""
    pb = kernel_problem(weighted=weighted, centre=centre, dtype=dtype,
                        index_dtype=index_dtype, text=True, n=60, p=40)
    sps = pb["sparse"]
    norms, colsum = sparse_column_stats(sps["data"], sps["indices"], sps["indptr"],
                                        sps["x_mean"], sps["sqrt_sw"])
    Xt = pb["Xt"].astype(np.float64)
    rtol = 1e-12 if dtype == np.float64 else 1e-5
    expected = np.einsum("ij,ij->j", Xt, Xt)
    np.testing.assert_allclose(norms, expected, rtol=rtol, atol=rtol * expected.max())
    Xs = sp.csc_matrix((sps["data"], sps["indices"], sps["indptr"]), shape=Xt.shape)
    np.testing.assert_allclose(colsum, Xs.T @ sps["sqrt_sw"], rtol=rtol)
    l1 = 0.1 * l1_max(pb)
    for l2 in (0.0, 0.3):
        w_a, out_a = run_sparse(pb, l1, l2, tol=1e-10)
        w_b = np.zeros_like(w_a)
        out_b = enet_cd_sparse(sps["data"], sps["indices"], sps["indptr"], sps["x_mean"],
                               sps["sqrt_sw"], pb["yt"], w_b, dtype(l1), dtype(l2), 10000,
                               dtype(1e-10), 0, False, False, column_stats=(norms, colsum))
        np.testing.assert_array_equal(w_a, w_b)
        assert out_a == out_b
