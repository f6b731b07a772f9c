"""Degenerate inputs and the promises about the user's data."""
import warnings

import numpy as np
import pytest
import scipy.sparse as sp
import sklearn.linear_model as sklm
from sklearn.base import clone
from sklearn.exceptions import ConvergenceWarning

from fastreg import ElasticNet, Lasso, Ridge
from fastreg import reference as ref

from conftest import (DTYPES, LAYOUTS, SAMPLE_WEIGHTS, assert_coef_close,
                      assert_rel_close, centred_weighted, dense, fit_quiet, fit_tol,
                      make_problem, make_rng, make_sample_weight, to_layout)

N, P = 40, 12


def problem(seed=2, **kw):
    kw.setdefault("n", N)
    kw.setdefault("p", P)
    kw.setdefault("density", 0.5)
    return make_problem(seed=seed, **kw)


def all_estimators():
    return [
        Lasso(alpha=0.05, tol=1e-10),
        ElasticNet(alpha=0.05, l1_ratio=0.5, tol=1e-10),
        ElasticNet(alpha=0.05, l1_ratio=0.5, positive=True, tol=1e-10),
        Ridge(alpha=0.5),
        Ridge(alpha=0.5, solver="svd"),
        Ridge(alpha=0.5, solver="lsqr", tol=1e-12),
        Ridge(alpha=0.5, solver="sparse_cg", tol=1e-12),
        Ridge(alpha=0.5, positive=True, tol=1e-12, max_iter=10000),
    ]


def est_id(est):
    params = est.get_params()
    extra = [k for k in ("solver", "positive") if params.get(k) not in (None, False, "auto")]
    return type(est).__name__ + "".join(f"-{params[k]}" for k in extra)


ESTIMATORS = all_estimators()
EST_IDS = [est_id(e) for e in ESTIMATORS]


# --------------------------------------------------------------------------
# alpha >= alpha_max
# --------------------------------------------------------------------------
@pytest.mark.parametrize("factor", [1.0, 3.0])
@pytest.mark.parametrize("l1_ratio", [1.0, 0.5])
@pytest.mark.parametrize("sw_kind", SAMPLE_WEIGHTS)
@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("layout", LAYOUTS)
def test_alpha_max_gives_zero(layout, dtype, fit_intercept, sw_kind, l1_ratio, factor):
    X, y = problem()
    sw = make_sample_weight(N, sw_kind)
    Xl = to_layout(X, layout, dtype)
    Xs = dense(Xl)
    ys = np.asarray(y, dtype=dtype).astype(float)
    sws = None if sw is None else np.asarray(sw, dtype=dtype).astype(float)
    amax = ref.alpha_max(Xs, ys, l1_ratio, sws, fit_intercept)
    # float32 kernels compute x_j^T y in single precision: a 1e-4 margin
    margin = 1.0 if np.dtype(dtype) == np.float64 else 1.0 + 1e-4
    est = ElasticNet(alpha=amax * factor * margin, l1_ratio=l1_ratio,
                     fit_intercept=fit_intercept)
    fit_quiet(est, Xl, y, sample_weight=sw)
    np.testing.assert_array_equal(est.coef_, np.zeros(P))
    expected = np.average(ys, weights=sws) if fit_intercept else 0.0
    assert abs(est.intercept_ - expected) <= 1e-12 * max(1, abs(expected)) * (
        1 if np.dtype(dtype) == np.float64 else 1e6)
    assert est.dual_gap_ <= 1e-12 * np.var(ys) * (1 if dtype == np.float64 else 1e6)
    # just below alpha_max, exactly one feature enters (generic data)
    if factor == 1.0:
        below = ElasticNet(alpha=amax * 0.99, l1_ratio=l1_ratio,
                           fit_intercept=fit_intercept, tol=fit_tol(dtype))
        fit_quiet(below, Xl, y, sample_weight=sw)
        assert np.count_nonzero(below.coef_) >= 1


# --------------------------------------------------------------------------
# alpha = 0
# --------------------------------------------------------------------------
@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("Est", [Lasso, ElasticNet])
def test_alpha_zero_warns_and_gives_least_squares(Est, layout):
    X, y = problem()
    with pytest.warns(UserWarning, match="alpha=0") as record:
        est = Est(alpha=0.0).fit(to_layout(X, layout), y)
    # no dual certificate exists for plain least squares: not converged
    assert any(issubclass(w.category, ConvergenceWarning) for w in record)
    assert any(w.category is UserWarning for w in record)
    lr = sklm.LinearRegression().fit(X, y)
    assert_coef_close(est.coef_, lr.coef_, 1e-6)
    assert np.all(np.isfinite(est.coef_))


def test_alpha_zero_sklearn_also_warns():
    """The UserWarning text mirrors scikit-learn's."""
    X, y = problem()
    with pytest.warns(UserWarning) as theirs:
        sklm.Lasso(alpha=0.0).fit(X, y)
    with pytest.warns(UserWarning) as ours:
        Lasso(alpha=0.0).fit(X, y)
    msg_theirs = [str(w.message) for w in theirs if w.category is UserWarning][0]
    msg_ours = [str(w.message) for w in ours if w.category is UserWarning][0]
    assert msg_theirs.split(".")[0] == msg_ours.split(".")[0]


# --------------------------------------------------------------------------
# constant / zero / duplicated columns
# --------------------------------------------------------------------------
@pytest.mark.parametrize("sw_kind", SAMPLE_WEIGHTS)
@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("est", ESTIMATORS, ids=EST_IDS)
def test_constant_and_zero_columns(est, layout, sw_kind):
    est = clone(est)
    X, y = problem()
    X[:, 2] = 3.0     # constant: zero after centering
    X[:, 5] = 0.0     # all zeros (no stored entry in sparse layouts)
    X[:, 7] = 0.1     # constant, a value not exact in binary
    sw = make_sample_weight(N, sw_kind)
    est.fit(to_layout(X, layout), y, sample_weight=sw)
    coef = est.coef_
    assert np.all(np.isfinite(coef))
    scale = np.abs(coef).max()
    assert scale > 0
    is_l1 = isinstance(est, ElasticNet)
    for j in (2, 5, 7):
        if is_l1:  # soft-thresholding of a zero correlation: exactly zero
            assert coef[j] == 0.0, (j, coef[j])
        else:  # closed forms: zero up to round-off
            assert abs(coef[j]) <= 1e-10 * scale, (j, coef[j])
    # removing those columns does not change the others
    keep = [j for j in range(P) if j not in (2, 5, 7)]
    reduced = type(est)(**est.get_params()).fit(to_layout(X[:, keep], layout), y,
                                                sample_weight=sw)
    assert_coef_close(coef[keep], reduced.coef_, 1e-6)
    assert abs(est.intercept_ - reduced.intercept_) <= 1e-6 * (1 + abs(reduced.intercept_))


def test_constant_column_without_intercept_is_a_feature():
    X, y = problem()
    X[:, 2] = 3.0
    est = fit_quiet(Lasso(alpha=0.01, fit_intercept=False, tol=1e-10), X, y)
    assert est.coef_[2] != 0.0  # it plays the role of the intercept
    c_ref, _, _, _ = ref.enet_coordinate_descent(X, y, 0.01, fit_intercept=False,
                                                 tol=1e-13, max_iter=100000)
    assert_rel_close(ref.enet_objective(X, y, est.coef_, 0.0, 0.01),
                     ref.enet_objective(X, y, c_ref, 0.0, 0.01), 1e-7)


@pytest.mark.parametrize("layout", LAYOUTS)
def test_duplicated_column_lasso(layout):
    """Duplicating a column does not change the Lasso optimum (the weight can
    be split arbitrarily between the copies)."""
    X, y = problem()
    Xd = np.c_[X, X[:, 3]]
    alpha = 0.05
    one = fit_quiet(Lasso(alpha=alpha, tol=1e-12), to_layout(X, layout), y)
    two = fit_quiet(Lasso(alpha=alpha, tol=1e-12), to_layout(Xd, layout), y)
    assert one.coef_[3] != 0
    assert_rel_close(ref.enet_objective(X, y, one.coef_, one.intercept_, alpha),
                     ref.enet_objective(Xd, y, two.coef_, two.intercept_, alpha), 1e-9)
    merged = two.coef_[:P].copy()
    merged[3] += two.coef_[P]
    assert_coef_close(merged, one.coef_, 1e-5)
    # both copies carry weights of the same sign (or zero)
    assert two.coef_[3] * two.coef_[P] >= 0


@pytest.mark.parametrize("layout", LAYOUTS)
def test_duplicated_column_elastic_net_splits_equally(layout):
    X, y = problem()
    Xd = np.c_[X, X[:, 3]]
    alpha, l1_ratio, tol = 0.05, 0.5, 1e-13
    est = fit_quiet(ElasticNet(alpha=alpha, l1_ratio=l1_ratio, tol=tol, max_iter=100000),
                    to_layout(Xd, layout), y)
    a, b = est.coef_[3], est.coef_[P]
    assert a != 0 and np.sign(a) == np.sign(b)
    # Strict convexity makes the optimum split equally; how close a point with
    # gap eps is: alpha(1-l1_ratio)/2 ||w - w*||^2 <= eps.
    eps = ref.enet_duality_gap(Xd, y, est.coef_, est.intercept_, alpha, l1_ratio)
    # the gap is a difference of two objectives: known to a few ulps of them only
    o_fit = ref.enet_objective(Xd, y, est.coef_, est.intercept_, alpha, l1_ratio)
    eps = max(eps, 0.0) + 8 * np.finfo(np.float64).eps * o_fit
    bound = 2 * np.sqrt(2 * eps / (alpha * (1 - l1_ratio)))
    assert abs(a - b) <= bound + 1e-12, (a, b, bound)
    # and the split point is as good: symmetrising does not improve the objective
    sym = est.coef_.copy()
    sym[3] = sym[P] = (a + b) / 2
    o_sym = ref.enet_objective(Xd, y, sym, est.intercept_, alpha, l1_ratio)
    assert o_fit - o_sym <= eps + 1e-15
    # equivalently, a single copy with half the l2 weight: same total coefficient
    ridge_like = Ridge(alpha=1.0).fit(to_layout(Xd, layout), y)
    assert abs(ridge_like.coef_[3] - ridge_like.coef_[P]) <= 1e-9 * abs(ridge_like.coef_[3])


# --------------------------------------------------------------------------
# tiny shapes, constant y
# --------------------------------------------------------------------------
@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("est", ESTIMATORS, ids=EST_IDS)
def test_single_feature(est, layout):
    est = clone(est)
    X, y = problem()
    x = X[:, :1]
    est.fit(to_layout(x, layout), y)
    assert est.coef_.shape == (1,)
    xc, yc, _, _ = centred_weighted(x, y)
    xc, s2 = xc[:, 0], xc[:, 0] @ xc[:, 0]
    if isinstance(est, Ridge):
        expected = (xc @ yc) / (s2 + est.alpha)
        if est.positive:
            expected = max(expected, 0.0)
    else:  # soft-thresholding, in public units
        a, l1 = est.alpha, est.l1_ratio
        z = xc @ yc / N
        expected = np.sign(z) * max(abs(z) - a * l1, 0) / (s2 / N + a * (1 - l1))
        if est.positive:
            expected = max(expected, 0.0)
    np.testing.assert_allclose(est.coef_[0], expected, rtol=1e-8, atol=1e-12)


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("est", ESTIMATORS, ids=EST_IDS)
def test_single_sample(est, layout):
    est = clone(est)
    X, y = problem()
    est.fit(to_layout(X[:1], layout), y[:1])
    np.testing.assert_array_equal(est.coef_, np.zeros(P))
    assert est.intercept_ == pytest.approx(y[0], rel=1e-12)
    np.testing.assert_allclose(est.predict(X[:3]), np.full(3, y[0]), rtol=1e-12)


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("alpha", [0.5, 1e-8])
def test_single_sample_ridge_no_intercept(layout, alpha):
    """n = 1 < p: the dual route; w = x y / (|x|^2 + alpha)."""
    X, y = problem()
    x = X[:1]
    est = Ridge(alpha=alpha, fit_intercept=False).fit(to_layout(x, layout), y[:1])
    np.testing.assert_allclose(est.coef_, x[0] * y[0] / (x[0] @ x[0] + alpha), rtol=1e-10)


@pytest.mark.parametrize("sw_kind", SAMPLE_WEIGHTS)
@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("est", ESTIMATORS, ids=EST_IDS)
def test_constant_y(est, layout, sw_kind):
    est = clone(est)
    X, _ = problem()
    y = np.full(N, -2.5)
    sw = make_sample_weight(N, sw_kind)
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        est.fit(to_layout(X, layout), y, sample_weight=sw)
    # L1 thresholding gives exact zeros; the other routes see a centred y of
    # pure round-off (a weighted mean of a constant is not always exact)
    atol = 0.0 if isinstance(est, ElasticNet) else 1e-12
    np.testing.assert_allclose(est.coef_, np.zeros(P), rtol=0, atol=atol)
    assert est.intercept_ == pytest.approx(-2.5, rel=1e-12)
    Y = np.c_[y, np.full(N, 4.0)]
    est.fit(to_layout(X, layout), Y, sample_weight=sw)
    np.testing.assert_allclose(est.coef_, np.zeros((2, P)), rtol=0, atol=atol)
    np.testing.assert_allclose(est.intercept_, [-2.5, 4.0], rtol=1e-12)


# --------------------------------------------------------------------------
# Ridge, 2-D y
# --------------------------------------------------------------------------
@pytest.mark.parametrize("sw_kind", SAMPLE_WEIGHTS)
@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("solver", ["auto", "svd", "lsqr", "sparse_cg", "cd"])
def test_ridge_two_dimensional_y(solver, layout, sw_kind):
    X, Y = problem(n_targets=4)
    Y[:, 2] = 1.0  # one constant target among them
    sw = make_sample_weight(N, sw_kind)
    est = Ridge(alpha=0.7, solver=solver, tol=1e-13, max_iter=100000)
    est.fit(to_layout(X, layout), Y, sample_weight=sw)
    assert est.coef_.shape == (4, P) and est.intercept_.shape == (4,)
    c_ref, b_ref = ref.ridge_closed_form(X, Y, 0.7, sw)
    rtol = 1e-8 if solver in ("auto", "svd") else 1e-5
    for k in range(4):
        assert_coef_close(est.coef_[k], c_ref[k], rtol)
    np.testing.assert_allclose(est.intercept_, b_ref, rtol=1e-5, atol=1e-6)
    assert np.abs(est.coef_[2]).max() <= 1e-12
    assert est.predict(to_layout(X, layout)).shape == (N, 4)


# --------------------------------------------------------------------------
# max_iter=1
# --------------------------------------------------------------------------
@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("est", [
    Lasso(alpha=1e-3, max_iter=1, tol=1e-12),
    ElasticNet(alpha=1e-3, max_iter=1, tol=1e-12),
    ElasticNet(alpha=1e-3, max_iter=1, tol=1e-12, positive=True),
    ElasticNet(alpha=1e-3, max_iter=1, tol=1e-12, selection="random", random_state=0),
    Ridge(solver="cd", max_iter=1, tol=1e-12),
    Ridge(solver="sparse_cg", max_iter=1, tol=1e-12),
    Ridge(solver="lsqr", max_iter=1, tol=1e-12),
], ids=["lasso", "enet", "enet-positive", "enet-random", "ridge-cd", "ridge-sparse_cg",
        "ridge-lsqr"])
def test_max_iter_one_warns_and_is_finite(est, layout):
    est = clone(est)
    X, y = problem()
    with pytest.warns(ConvergenceWarning):
        est.fit(to_layout(X, layout), y)
    assert np.all(np.isfinite(est.coef_)) and np.all(np.isfinite(est.intercept_))
    n_iter = np.max(est.n_iter_)
    assert n_iter == 1
    assert np.any(est.coef_ != 0)  # one pass did something


# --------------------------------------------------------------------------
# non-canonical sparse input
# --------------------------------------------------------------------------
def non_canonical(X, fmt, seed=0):
    """The same matrix as X, stored with unsorted indices, duplicate entries
    (each value split in two) and explicit zeros."""
    rng = make_rng(seed)
    r, c = np.nonzero(X)
    v = X[r, c]
    f = rng.uniform(0.2, 0.8, size=v.size)
    zr = rng.integers(0, X.shape[0], 4)
    zc = rng.integers(0, X.shape[1], 4)
    R = np.r_[r, r, zr]
    C = np.r_[c, c, zc]
    V = np.r_[v * f, v * (1 - f), np.zeros(4)]
    perm = rng.permutation(R.size)
    R, C, V = R[perm], C[perm], V[perm]
    major, minor, n_major = (R, C, X.shape[0]) if fmt == "csr" else (C, R, X.shape[1])
    order = np.argsort(major, kind="stable")
    indptr = np.r_[0, np.cumsum(np.bincount(major, minlength=n_major))]
    cls = sp.csr_matrix if fmt == "csr" else sp.csc_matrix
    M = cls((V[order], minor[order].astype(np.int32), indptr.astype(np.int32)),
            shape=X.shape)
    assert not M.has_sorted_indices
    np.testing.assert_allclose(M.toarray(), X, rtol=1e-14, atol=1e-15)
    return M


@pytest.mark.parametrize("fmt", ["csr", "csc"])
@pytest.mark.parametrize("est", ESTIMATORS, ids=EST_IDS)
def test_non_canonical_sparse(est, fmt):
    X, y = problem(density=0.4)
    X[5, :] = 0.0   # empty row
    X[:, 4] = 0.0   # empty column
    sw = make_sample_weight(N, "random")
    M = non_canonical(X, fmt)
    before = (M.data.copy(), M.indices.copy(), M.indptr.copy())
    a = type(est)(**est.get_params()).fit(M, y, sample_weight=sw)
    b = type(est)(**est.get_params()).fit(X, y, sample_weight=sw)
    assert_coef_close(a.coef_, b.coef_, 1e-8)
    assert abs(a.intercept_ - b.intercept_) <= 1e-8 * (1 + abs(b.intercept_))
    assert a.coef_[4] == pytest.approx(0.0, abs=1e-12)
    # the user's matrix is left as it was (not canonicalised in place)
    for old, new in zip(before, (M.data, M.indices, M.indptr)):
        assert np.array_equal(old, new)
    assert not M.has_sorted_indices
    np.testing.assert_allclose(a.predict(M), b.predict(X), rtol=1e-8, atol=1e-8)


# --------------------------------------------------------------------------
# the user's data are not modified
# --------------------------------------------------------------------------
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("layout", ["dense", "dense_f", "csc", "csr"])
@pytest.mark.parametrize("est", ESTIMATORS, ids=EST_IDS)
def test_inputs_unchanged(est, layout, dtype):
    est = clone(est)
    X, y = problem()
    Xl = to_layout(X, layout, dtype)
    y = y.astype(dtype)
    sw = make_sample_weight(N, "random").astype(dtype)
    if sp.issparse(Xl):
        before = [Xl.data.copy(), Xl.indices.copy(), Xl.indptr.copy()]
    else:
        before = [Xl.copy()]
    y0, sw0 = y.copy(), sw.copy()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)  # float32 + tight tol
        est.fit(Xl, y, sample_weight=sw)
        est.fit(Xl, y)
        est.fit(Xl, np.c_[y, y])
    after = [Xl.data, Xl.indices, Xl.indptr] if sp.issparse(Xl) else [Xl]
    for old, new in zip(before, after):
        assert old.dtype == new.dtype
        assert np.array_equal(old, new)
    assert np.array_equal(y, y0)
    assert np.array_equal(sw, sw0)
    if not sp.issparse(Xl):
        assert Xl.flags.c_contiguous == (layout == "dense")


@pytest.mark.parametrize("layout", ["dense", "dense_f", "csc", "csr"])
@pytest.mark.parametrize("est", ESTIMATORS, ids=EST_IDS)
def test_read_only_inputs(est, layout, tmp_path):
    X, y = problem()
    Xl = to_layout(X, layout)
    arrays = [Xl.data, Xl.indices, Xl.indptr] if sp.issparse(Xl) else [Xl]
    sw = make_sample_weight(N, "random")
    Y = np.c_[y, 2 * y]
    for a in arrays + [y, sw, Y]:
        a.setflags(write=False)
    fitted = type(est)(**est.get_params()).fit(Xl, y, sample_weight=sw)
    writable = type(est)(**est.get_params()).fit(to_layout(X, layout), y.copy(),
                                                 sample_weight=sw.copy())
    np.testing.assert_array_equal(fitted.coef_, writable.coef_)
    fitted.fit(Xl, Y)
    assert fitted.coef_.shape == (2, P)
    assert np.all(np.isfinite(fitted.predict(Xl)))
    # a read-only memory map, as joblib hands out
    if not sp.issparse(Xl):
        np.save(tmp_path / "X.npy", Xl)
        mm = np.load(tmp_path / "X.npy", mmap_mode="r")
        assert not mm.flags.writeable
        again = type(est)(**est.get_params()).fit(mm, y)
        np.testing.assert_array_equal(again.coef_, fitted.fit(Xl, y).coef_)


@pytest.mark.parametrize("est", ESTIMATORS, ids=EST_IDS)
def test_copy_X_false(est):
    """copy_X=False may centre an F-ordered float64 X in place; the answer is
    still right. A C-ordered or sparse X is copied anyway and left intact."""
    X, y = problem()
    sw = make_sample_weight(N, "random")
    expected = type(est)(**est.get_params()).fit(X, y, sample_weight=sw)
    XF = np.asfortranarray(X.copy())
    got = type(est)(**est.get_params()).set_params(copy_X=False).fit(XF, y, sample_weight=sw)
    assert_coef_close(got.coef_, expected.coef_, 1e-10)
    assert abs(got.intercept_ - expected.intercept_) <= 1e-10 * (1 + abs(expected.intercept_))
    XC = np.ascontiguousarray(X.copy())
    fit_c = type(est)(**est.get_params()).set_params(copy_X=False).fit(XC, y)
    assert np.array_equal(XC, X)
    Xs = sp.csc_matrix(X)
    data0 = Xs.data.copy()
    type(est)(**est.get_params()).set_params(copy_X=False).fit(Xs, y, sample_weight=sw)
    assert np.array_equal(Xs.data, data0)
    assert np.all(np.isfinite(fit_c.coef_))
