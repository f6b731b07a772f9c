"""fastreg._ridge: Ridge, every solver against the least-squares oracle and
scikit-learn.

``reference.ridge_closed_form`` solves the augmented system
``[Xc; sqrt(alpha) I] w = [yc; 0]`` by ``numpy.linalg.lstsq``: a different
algorithm from every fastreg route (normal equations, SVD of X, Krylov
methods, coordinate descent), so agreement is evidence of correctness.

Also: 2-D y and per-target alphas, sample weights (not normalised),
positive=True, a single sample, a single epoch of the Krylov solvers, the
solver_ attribute, alpha = 0 and tiny alphas (minimum-norm least squares),
and a property (hypothesis, random_problems.py): scaling y scales the
coefficients.
"""
import functools
import warnings

import numpy as np
import pytest
import scipy.sparse as sp
import sklearn.linear_model as sklm
from hypothesis import given
from hypothesis import strategies as st
from sklearn.base import clone
from sklearn.exceptions import ConvergenceWarning

from fastreg import Ridge
from fastreg import reference as ref

from conftest import (make_rng, DTYPES, LAYOUTS, SAMPLE_WEIGHTS, assert_coef_close,
                      assert_rel_close, centred_weighted, dense, make_problem,
                      make_sample_weight, make_text_like, small_problem, to_layout)
from random_problems import assert_same_optimum, fit_problem, fuzz, problems, total_weight

SHAPES = {"primal": (80, 30), "dual": (30, 80)}
ALPHA = 1.5
CLOSED_FORM = ["auto", "cholesky", "svd"]
ITERATIVE = ["lsqr", "sparse_cg"]


@functools.lru_cache(maxsize=None)
def _problem(shape, n_targets=None):
    n, p = SHAPES[shape]
    return make_problem(n=n, p=p, n_nonzero=6, rho=0.7, density=0.6,
                        n_targets=n_targets, seed=21)


def problem(shape, n_targets=None):
    X, y = _problem(shape, n_targets)
    return X.copy(), y.copy()


def weights(shape, kind):
    return make_sample_weight(SHAPES[shape][0], kind, seed=5)


def solver_tol(solver, dtype):
    """Tolerances passed to fastreg (iterative solvers) and used to compare."""
    if np.dtype(dtype) == np.float64:
        return 1e-13
    return 1e-7


def coef_tol(solver, dtype):
    if np.dtype(dtype) == np.float64:
        return 1e-8 if solver in CLOSED_FORM else 1e-6
    return 2e-4 if solver in CLOSED_FORM else 2e-3


@functools.lru_cache(maxsize=None)
def _sklearn_ridge(shape, sw_kind, fit_intercept, n_targets=None, alpha=ALPHA):
    X, y = problem(shape, n_targets)
    alpha = np.asarray(alpha) if isinstance(alpha, tuple) else alpha
    est = sklm.Ridge(alpha=alpha, fit_intercept=fit_intercept, solver="svd")
    est.fit(X, y, sample_weight=weights(shape, sw_kind))
    return est.coef_.copy(), np.copy(est.intercept_)


def _ridge_kkt(X, y, sw, coef, intercept, alpha, fit_intercept):
    """Gradient of sum_i s_i (y_i - x_i.w - b)^2 + alpha ||w||^2 w.r.t. w (and b)."""
    X = dense(X)
    s = np.ones(X.shape[0]) if sw is None else np.asarray(sw, float)
    r = y - X @ coef - intercept
    g = -2 * X.T @ (s * r) + 2 * alpha * coef
    g_b = -2 * np.sum(s * r) if fit_intercept else 0.0
    return g, g_b


# --------------------------------------------------------------------------
# every solver, every layout
# --------------------------------------------------------------------------
@pytest.mark.parametrize("sw_kind", SAMPLE_WEIGHTS)
@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("shape", ["primal", "dual"])
@pytest.mark.parametrize("solver", CLOSED_FORM + ITERATIVE)
def test_ridge_solvers_vs_oracles(solver, shape, layout, dtype, fit_intercept, sw_kind):
    X, y = problem(shape)
    sw = weights(shape, sw_kind)
    est = Ridge(alpha=ALPHA, solver=solver, fit_intercept=fit_intercept,
                tol=solver_tol(solver, dtype), max_iter=10000)
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        est.fit(to_layout(X, layout, dtype), y, sample_weight=sw)
    expected_solver = "cholesky" if solver == "auto" else solver
    assert est.solver_ == expected_solver
    assert est.coef_.dtype == np.dtype(dtype)
    assert est.coef_.shape == (X.shape[1],)
    if solver in CLOSED_FORM:
        assert est.n_iter_ is None
    else:
        assert np.all(np.asarray(est.n_iter_) >= 1)

    # oracle on the data as the estimator saw it (cast to dtype)
    Xs = np.asarray(X, dtype=dtype).astype(np.float64)
    ys = np.asarray(y, dtype=dtype).astype(np.float64)
    sws = None if sw is None else np.asarray(sw, dtype=dtype).astype(np.float64)
    c_ref, b_ref = ref.ridge_closed_form(Xs, ys, ALPHA, sws, fit_intercept)
    tol = coef_tol(solver, dtype)
    assert_coef_close(est.coef_, c_ref, tol, "coef vs lstsq oracle:")
    scale_b = max(1.0, abs(b_ref), np.abs(c_ref).max())
    assert abs(est.intercept_ - b_ref) <= 10 * tol * scale_b
    if not fit_intercept:
        assert est.intercept_ == 0.0

    obj = ref.ridge_objective(Xs, ys, est.coef_, est.intercept_, ALPHA, sws)
    obj_ref = ref.ridge_objective(Xs, ys, c_ref, b_ref, ALPHA, sws)
    assert obj >= obj_ref * (1 - 1e-12)  # the oracle is the minimum
    assert_rel_close(obj, obj_ref, 1e-12 if np.dtype(dtype) == np.float64 else 1e-5)

    c_sk, b_sk = _sklearn_ridge(shape, sw_kind, fit_intercept)
    assert_coef_close(est.coef_, c_sk, max(tol, 1e-8), "coef vs sklearn:")

    # stationarity: gradient of the objective vanishes at the returned point
    g, g_b = _ridge_kkt(Xs, ys, sws, est.coef_.astype(float), float(est.intercept_),
                        ALPHA, fit_intercept)
    g_scale = np.abs(2 * dense(centred_weighted(Xs, ys, sws, fit_intercept)[0]).T
                     @ centred_weighted(Xs, ys, sws, fit_intercept)[1]).max()
    assert np.abs(g).max() <= 10 * tol * g_scale
    assert abs(g_b) <= 10 * tol * g_scale


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("shape", ["primal", "dual"])
def test_ridge_cd_solver(shape, layout):
    """The coordinate-descent route certifies its gap: objective within tol."""
    X, y = problem(shape)
    est = Ridge(alpha=ALPHA, solver="cd", tol=1e-12, max_iter=100000)
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        est.fit(to_layout(X, layout), y)
    assert est.solver_ == "cd"
    c_ref, b_ref = ref.ridge_closed_form(X, y, ALPHA)
    obj = ref.ridge_objective(X, y, est.coef_, est.intercept_, ALPHA)
    obj_ref = ref.ridge_objective(X, y, c_ref, b_ref, ALPHA)
    _, yc, _, _ = centred_weighted(X, y)
    # kernel gap <= tol ||yc||^2 in units of half the Ridge objective
    assert obj - obj_ref <= 2 * 1e-12 * (yc @ yc) * (1 + 1e-6) + 1e-12 * obj_ref
    assert obj >= obj_ref * (1 - 1e-12)
    assert_coef_close(est.coef_, c_ref, 1e-4)


# --------------------------------------------------------------------------
# 2-D y, per-target alpha
# --------------------------------------------------------------------------
@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("shape", ["primal", "dual"])
@pytest.mark.parametrize("solver", CLOSED_FORM + ITERATIVE)
def test_multi_target_per_target_alpha(solver, shape, layout):
    X, Y = problem(shape, n_targets=3)
    alphas = np.array([0.1, 3.0, 0.1])  # repeated value: grouped solves
    sw = weights(shape, "random")
    est = Ridge(alpha=alphas, solver=solver, tol=1e-13, max_iter=10000)
    est.fit(to_layout(X, layout), Y, sample_weight=sw)
    assert est.coef_.shape == (3, X.shape[1])
    assert est.intercept_.shape == (3,)
    c_ref, b_ref = ref.ridge_closed_form(X, Y, alphas, sw)
    tol = coef_tol(solver, np.float64)
    for k in range(3):
        assert_coef_close(est.coef_[k], c_ref[k], tol, f"target {k}:")
        single = Ridge(alpha=alphas[k], solver=solver, tol=1e-13, max_iter=10000)
        single.fit(to_layout(X, layout), Y[:, k], sample_weight=sw)
        assert_coef_close(est.coef_[k], single.coef_, tol)
        np.testing.assert_allclose(est.intercept_[k], single.intercept_, rtol=1e-6,
                                   atol=1e-8)
    np.testing.assert_allclose(est.intercept_, b_ref, rtol=1e-6, atol=1e-7)
    c_sk, b_sk = _sklearn_ridge(shape, "random", True, 3, tuple(alphas))
    assert_coef_close(est.coef_, c_sk, max(tol, 1e-8))
    np.testing.assert_allclose(est.predict(to_layout(X, layout)),
                               X @ est.coef_.T + est.intercept_, rtol=1e-10, atol=1e-9)


def test_scalar_alpha_multi_target_and_alpha_length_one():
    X, Y = problem("primal", n_targets=2)
    a = Ridge(alpha=2.0).fit(X, Y)
    b = Ridge(alpha=np.array([2.0])).fit(X, Y)
    c = Ridge(alpha=np.array([2.0, 2.0])).fit(X, Y)
    np.testing.assert_allclose(a.coef_, b.coef_, rtol=1e-12)
    np.testing.assert_allclose(a.coef_, c.coef_, rtol=1e-12)
    c_ref, _ = ref.ridge_closed_form(X, Y, 2.0)
    assert_coef_close(a.coef_, c_ref, 1e-9)


def test_y_column_vector_like_sklearn():
    X, y = problem("primal")
    ours = Ridge(alpha=1.0).fit(X, y[:, None])
    theirs = sklm.Ridge(alpha=1.0).fit(X, y[:, None])
    assert ours.coef_.shape == theirs.coef_.shape
    assert np.shape(ours.intercept_) == np.shape(theirs.intercept_)
    assert ours.predict(X).shape == theirs.predict(X).shape
    assert_coef_close(ours.coef_, theirs.coef_, 1e-9)


@pytest.mark.parametrize("sw_kind", SAMPLE_WEIGHTS)
@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("solver", ["auto", "svd", "lsqr", "sparse_cg", "cd"])
def test_ridge_two_dimensional_y(solver, layout, sw_kind):
    X, Y = small_problem(seed=2, n_targets=4)
    n, p = X.shape
    Y[:, 2] = 1.0  # one constant target among them
    sw = make_sample_weight(n, sw_kind)
    est = Ridge(alpha=0.7, solver=solver, tol=1e-13, max_iter=100000)
    est.fit(to_layout(X, layout), Y, sample_weight=sw)
    assert est.coef_.shape == (4, p) and est.intercept_.shape == (4,)
    c_ref, b_ref = ref.ridge_closed_form(X, Y, 0.7, sw)
    rtol = 1e-8 if solver in ("auto", "svd") else 1e-5
    for k in range(4):
        assert_coef_close(est.coef_[k], c_ref[k], rtol)
    np.testing.assert_allclose(est.intercept_, b_ref, rtol=1e-5, atol=1e-6)
    assert np.abs(est.coef_[2]).max() <= 1e-12
    assert est.predict(to_layout(X, layout)).shape == (n, 4)


# --------------------------------------------------------------------------
# sample weights
# --------------------------------------------------------------------------
@pytest.mark.parametrize("layout", LAYOUTS)
def test_sample_weight_not_normalised(layout):
    """Ridge does not normalise weights: scaling them by c is alpha / c."""
    X, y = problem("primal")
    sw = weights("primal", "random")
    Xl = to_layout(X, layout)
    a = Ridge(alpha=ALPHA).fit(Xl, y, sample_weight=4.0 * sw)
    b = Ridge(alpha=ALPHA / 4.0).fit(Xl, y, sample_weight=sw)
    assert_coef_close(a.coef_, b.coef_, 1e-9)
    c = Ridge(alpha=ALPHA).fit(Xl, y, sample_weight=sw)
    assert not np.allclose(a.coef_, c.coef_)
    # integer weights are repetitions
    rng = np.random.default_rng(0)
    iw = rng.integers(0, 3, size=X.shape[0])
    rep = np.repeat(np.arange(X.shape[0]), iw)
    w = Ridge(alpha=ALPHA).fit(Xl, y, sample_weight=iw.astype(float))
    r = Ridge(alpha=ALPHA).fit(to_layout(X[rep], layout), y[rep])
    assert_coef_close(w.coef_, r.coef_, 1e-9)
    assert abs(w.intercept_ - r.intercept_) < 1e-8
    # a scalar weight multiplies every sample
    s = Ridge(alpha=ALPHA).fit(Xl, y, sample_weight=3.0)
    t = Ridge(alpha=ALPHA / 3.0).fit(Xl, y)
    assert_coef_close(s.coef_, t.coef_, 1e-9)
    # against scikit-learn
    sk = sklm.Ridge(alpha=ALPHA).fit(X, y, sample_weight=sw)
    assert_coef_close(c.coef_, sk.coef_, 1e-9)
    assert abs(c.intercept_ - sk.intercept_) < 1e-8


# --------------------------------------------------------------------------
# positive=True
# --------------------------------------------------------------------------
@pytest.mark.parametrize("sw_kind", SAMPLE_WEIGHTS)
@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("layout", LAYOUTS)
def test_positive_kkt(layout, dtype, fit_intercept, sw_kind):
    X, y = problem("primal")
    sw = weights("primal", sw_kind)
    tol = 1e-12 if np.dtype(dtype) == np.float64 else 1e-6
    est = Ridge(alpha=ALPHA, positive=True, fit_intercept=fit_intercept, tol=tol,
                max_iter=100000)
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        est.fit(to_layout(X, layout, dtype), y, sample_weight=sw)
    assert est.solver_ == "cd"
    assert est.coef_.dtype == np.dtype(dtype)
    assert np.all(est.coef_ >= 0)
    # the constraint is active: the unconstrained solution has negative entries
    c_free, _ = ref.ridge_closed_form(X, y, ALPHA, sw, fit_intercept)
    assert np.any(c_free < 0) and np.any(est.coef_ == 0)

    Xs = np.asarray(X, dtype=dtype).astype(np.float64)
    ys = np.asarray(y, dtype=dtype).astype(np.float64)
    sws = None if sw is None else np.asarray(sw, dtype=dtype).astype(np.float64)
    g, g_b = _ridge_kkt(Xs, ys, sws, est.coef_.astype(float), float(est.intercept_),
                        ALPHA, fit_intercept)
    # Bound from the certified gap: F(w) - F* <= E := 2 tol ||yc||^2 (the kernel
    # minimises F/2), and F is 2-strongly convex in the residual and
    # 2alpha-strongly convex in w, so |g_j - g*_j| <= 2||xc_j|| sqrt(E) + 2 sqrt(alpha E).
    Xc, yc, _, _ = centred_weighted(Xs, ys, sws, fit_intercept)
    slack = 1e-12 if np.dtype(dtype) == np.float64 else 5e-6
    E = 2 * (tol + slack) * (yc @ yc)
    bound = 2 * (2 * np.sqrt(np.max(np.sum(Xc * Xc, axis=0)) * E) + 2 * np.sqrt(ALPHA * E))
    active = est.coef_ > 0
    assert np.abs(g[active]).max() <= bound, (np.abs(g[active]).max(), bound)
    assert g[~active].min() >= -bound, (g[~active].min(), bound)
    assert abs(g_b) <= bound
    # the projected optimum is better than projecting the unconstrained solution
    obj = ref.ridge_objective(Xs, ys, est.coef_, est.intercept_, ALPHA, sws)
    clipped = np.maximum(c_free, 0)
    b_clip = ((np.average(ys, weights=sws) - np.average(Xs, axis=0, weights=sws) @ clipped)
              if fit_intercept else 0.0)
    assert obj <= ref.ridge_objective(Xs, ys, clipped, b_clip, ALPHA, sws)


def test_positive_vs_sklearn():
    X, y = problem("primal")
    ours = Ridge(alpha=ALPHA, positive=True, tol=1e-12, max_iter=100000).fit(X, y)
    theirs = sklm.Ridge(alpha=ALPHA, positive=True).fit(X, y)
    o = ref.ridge_objective(X, y, ours.coef_, ours.intercept_, ALPHA)
    t = ref.ridge_objective(X, y, theirs.coef_, theirs.intercept_, ALPHA)
    # sklearn's L-BFGS-B stops early (~1e-6 relative): ours is at least as
    # good, and close to it
    assert o <= t * (1 + 1e-12)
    assert_rel_close(o, t, 1e-5)
    np.testing.assert_array_equal(ours.coef_ > 1e-3, theirs.coef_ > 1e-3)
    assert_coef_close(ours.coef_, theirs.coef_, 1e-2)


def test_positive_rejects_closed_form_solvers():
    X, y = problem("primal")
    for solver in ("cholesky", "svd", "lsqr", "sparse_cg"):
        with pytest.raises(ValueError, match="positive"):
            Ridge(positive=True, solver=solver).fit(X, y)


# --------------------------------------------------------------------------
# a single sample; a single epoch
# --------------------------------------------------------------------------
@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("alpha", [0.5, 1e-8])
def test_single_sample_ridge_no_intercept(layout, alpha):
    """n = 1 < p: the dual route; w = x y / (|x|^2 + alpha)."""
    X, y = small_problem(seed=2)
    x = X[:1]
    est = Ridge(alpha=alpha, fit_intercept=False).fit(to_layout(x, layout), y[:1])
    np.testing.assert_allclose(est.coef_, x[0] * y[0] / (x[0] @ x[0] + alpha), rtol=1e-10)


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("est", [
    Ridge(solver="sparse_cg", max_iter=1, tol=1e-12),
    Ridge(solver="lsqr", max_iter=1, tol=1e-12),
], ids=["ridge-sparse_cg", "ridge-lsqr"])
def test_max_iter_one_warns_and_is_finite(est, layout):
    """The Krylov solvers (the coordinate-descent routes: test_enet_solver.py)."""
    est = clone(est)
    X, y = small_problem(seed=2)
    with pytest.warns(ConvergenceWarning):
        est.fit(to_layout(X, layout), y)
    assert np.all(np.isfinite(est.coef_)) and np.all(np.isfinite(est.intercept_))
    n_iter = np.max(est.n_iter_)
    assert n_iter == 1
    assert np.any(est.coef_ != 0)  # one pass did something


# --------------------------------------------------------------------------
# solver_ attribute and misc
# --------------------------------------------------------------------------
@pytest.mark.parametrize("layout", LAYOUTS)
def test_solver_attribute(layout):
    X, y = problem("primal")
    Xl = to_layout(X, layout)
    assert Ridge().fit(Xl, y).solver_ == "cholesky"
    assert Ridge(positive=True).fit(Xl, y).solver_ == "cd"
    for s in ("cholesky", "svd", "lsqr", "sparse_cg", "cd"):
        assert Ridge(solver=s).fit(Xl, y).solver_ == s
    # sklearn's stochastic/quasi-Newton names are accepted, answered exactly
    c_ref, _ = ref.ridge_closed_form(X, y, 1.0)
    for s in ("sag", "saga", "lbfgs"):
        est = Ridge(solver=s).fit(Xl, y)
        assert est.solver_ in ("cholesky", "lsqr")
        assert_coef_close(est.coef_, c_ref, 1e-8)
    assert not hasattr(Ridge(), "solver_")


def test_text_like_sparse_design():
    X, y = make_text_like(n=100, p=150, seed=2)  # n < p: dual route on sparse data
    for solver in ("auto", "cholesky", "svd", "lsqr", "sparse_cg"):
        for Xl in (X, X.tocsr(), X.toarray()):
            est = Ridge(alpha=0.5, solver=solver, tol=1e-13, max_iter=10000).fit(Xl, y)
            c_ref, b_ref = ref.ridge_closed_form(X, y, 0.5)
            assert_coef_close(est.coef_, c_ref, coef_tol(solver, np.float64), solver)
            assert abs(est.intercept_ - b_ref) < 1e-6 * max(1, abs(b_ref))


def test_large_alpha_shrinks_to_mean():
    X, y = problem("primal")
    sw = weights("primal", "random")
    est = Ridge(alpha=1e12).fit(X, y, sample_weight=sw)
    assert np.abs(est.coef_).max() < 1e-6
    assert abs(est.intercept_ - np.average(y, weights=sw)) < 1e-4


def test_alpha_zero_is_least_squares():
    X, y = problem("primal")
    est = Ridge(alpha=0.0).fit(X, y)
    lr = sklm.LinearRegression().fit(X, y)
    assert_coef_close(est.coef_, lr.coef_, 1e-8)
    assert abs(est.intercept_ - lr.intercept_) < 1e-8


def test_default_params_match_sklearn():
    ours, theirs = Ridge().get_params(), sklm.Ridge().get_params()
    for name, value in theirs.items():
        assert name in ours, name
        assert ours[name] == value, (name, ours[name], value)


def test_predict_sparse_and_dense_agree():
    X, y = problem("dual")
    est = Ridge(alpha=1.0).fit(sp.csr_matrix(X), y)
    np.testing.assert_allclose(est.predict(X), est.predict(sp.csc_matrix(X)), rtol=1e-12)
    np.testing.assert_allclose(est.predict(sp.coo_matrix(X)), est.predict(X), rtol=1e-12)
    assert 0 < est.score(X, y) <= 1


@pytest.mark.parametrize("order", ["C", "F"])
@pytest.mark.parametrize("shift, copies", [(0.5, False), (1e4, True)])
def test_cholesky_without_the_centred_copy(monkeypatch, order, shift, copies):
    """Unweighted dense Ridge (n >= p) takes X^T X - n m m^T from the raw X, with
    no centred copy, unless a column's mean dwarfs its spread (the subtraction
    would cancel): then it centres explicitly. Both match the least-squares
    oracle."""
    import fastreg._preprocess as pp

    rng = np.random.default_rng(4)
    X = rng.standard_normal((300, 8)) + shift * rng.uniform(0.5, 1.0, 8)
    X = np.asfortranarray(X) if order == "F" else np.ascontiguousarray(X)
    y = X @ rng.standard_normal(8) + rng.standard_normal(300)
    made = []
    centre = pp._centre_dense
    monkeypatch.setattr(pp, "_centre_dense", lambda *a, **k: made.append(1) or centre(*a, **k))
    before = X.copy()
    est = Ridge(alpha=2.0).fit(X, y)
    assert bool(made) == copies
    np.testing.assert_array_equal(X, before)
    c_ref, b_ref = ref.ridge_closed_form(X, y, 2.0)
    assert_coef_close(est.coef_, c_ref, 1e-9)
    assert abs(est.intercept_ - b_ref) <= 1e-9 * max(1.0, abs(b_ref))


# ---------------------------------------------------------------------------
# alpha = 0 and tiny alphas: the minimum-norm least-squares solution
# ---------------------------------------------------------------------------

def _min_norm_ols(X, y, fit_intercept):
    """Minimum-norm least squares by NumPy's SVD-based lstsq (the oracle)."""
    X = np.asarray(X, dtype=np.float64)
    xm = X.mean(axis=0) if fit_intercept else np.zeros(X.shape[1])
    ym = y.mean() if fit_intercept else 0.0
    w = np.linalg.lstsq(X - xm, y - ym, rcond=None)[0]
    return w, ym - xm @ w


@pytest.mark.parametrize("layout", ["dense", "csr"])
@pytest.mark.parametrize("solver", ["auto", "cholesky", "svd", "lsqr", "sparse_cg"])
@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("shape", [(60, 10), (12, 10)])
@pytest.mark.parametrize("alpha", [0.0, 1e-16])
def test_ridge_rank_deficient_is_min_norm(layout, solver, fit_intercept, shape, alpha):
    """Rank-deficient X (0.5 * [X, X]) at alpha = 0 or 1e-16: each solver gives
    the minimum-norm least-squares solution, split equally between the copies.
    Singular values below the numerical-rank cutoff are dropped, not only exact
    zeros (which left solver='svd' with coefficients ~1e16)."""
    n, p = shape
    rng = make_rng(5)
    X0 = rng.standard_normal((n, p))
    y = X0 @ rng.standard_normal(p) + 0.1 * rng.standard_normal(n)
    X = 0.5 * np.hstack([X0, X0])
    w, b = _min_norm_ols(X, y, fit_intercept)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")   # the singular-matrix and alpha=0 warnings
        est = Ridge(alpha=alpha, solver=solver, fit_intercept=fit_intercept,
                    tol=1e-12, max_iter=5000).fit(to_layout(X, layout), y)
    scale = np.abs(w).max()
    assert np.abs(est.coef_ - w).max() <= 1e-7 * scale, est.solver_
    assert abs(est.intercept_ - b) <= 1e-7 * (abs(b) + scale)
    assert np.allclose(est.coef_[:p], est.coef_[p:], rtol=1e-7)   # min norm: split equally


@pytest.mark.parametrize("solver", ["cholesky", "svd"])
def test_ridge_tiny_alpha_recovers_ols(solver):
    """make_regression without noise at alpha = 1e-16: the OLS solution (scikit-learn's
    test_regularization_limits_ridge), tall and wide."""
    from sklearn.datasets import make_regression
    for shape in [(100, 50), (50, 100)]:
        X, y = make_regression(*shape, noise=0, bias=10, random_state=42)
        w, b = _min_norm_ols(X, y, True)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            est = Ridge(alpha=1e-16, solver=solver).fit(X, y)
        assert np.abs(est.coef_ - w).max() <= 1e-10
        assert abs(est.intercept_ - b) <= 1e-10


@pytest.mark.parametrize("solver", ["sparse_cg", "lsqr", "cd"])
def test_ridge_tol_zero_accepted(solver):
    """tol=0 (scikit-learn: run until max_iter) is accepted by every route."""
    X, y = make_problem(n=40, p=8)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        est = Ridge(alpha=1.0, tol=0, solver=solver, max_iter=50).fit(X, y)
    exact = Ridge(alpha=1.0, solver="cholesky").fit(X, y)
    assert np.abs(est.coef_ - exact.coef_).max() <= 1e-6 * np.abs(exact.coef_).max()


# ---------------------------------------------------------------------------
# properties (hypothesis, on the random small problems of random_problems.py;
# FASTREG_FUZZ=k runs k times more examples)
# ---------------------------------------------------------------------------
@fuzz(30)
@given(pb=problems(dtypes=(np.float64,)), alpha=st.floats(1e-3, 1e2),
       c=st.sampled_from([-1.0, -3.7, 0.001, 0.37, 5.0, 1e3]),
       solver=st.sampled_from(["auto", "svd", "sparse_cg", "cd"]))
def test_ridge_scaling_y_scales_coef(pb, alpha, c, solver):
    """Ridge(alpha) on c y has the optimum c w* (same alpha); both fits are
    certified as the Elastic-Net (alpha / S, l1_ratio=0) that Ridge is."""
    kw = dict(alpha=alpha, fit_intercept=pb["fit_intercept"], solver=solver, tol=1e-12,
              max_iter=100000)
    a = fit_problem(Ridge(**kw), pb)[0]  # 'cd' may crawl: certified gaps decide
    b = fit_problem(Ridge(**kw), pb, y=c * pb["y"])[0]
    b.coef_ = b.coef_ / c
    b.intercept_ = b.intercept_ / c
    assert_same_optimum(pb, a, b, alpha / total_weight(pb), 0.0, f"c={c}")


# --------------------------------------------------------------------------
# standardize=True (glmnet's): the ridge of the standardised columns
# --------------------------------------------------------------------------
def _standardize_problem(shape, seed=3):
    """Columns of very different scales and offsets, one constant column."""
    rng = make_rng(seed)
    X, y = make_problem(*shape, seed=seed)
    X = X * rng.uniform(0.05, 20.0, shape[1]) + rng.uniform(-3, 3, shape[1])
    X[:, 2] = 4.0
    return X, y


def _standardised_oracle(X, y, alpha, sw, fit_intercept):
    """The closed form on ``X / d`` (d: the reference's weighted standard
    deviations, 1/sum(w) scaling), mapped back: ``w = b / d``, the intercept
    unchanged; a constant column (d = 0) is dropped and gets 0."""
    d = ref.standard_deviations(X, sw, fit_intercept)
    keep = d > 1e-8 * d.max()
    b, b0 = ref.ridge_closed_form(X[:, keep] / d[keep], y, alpha, sample_weight=sw,
                                  fit_intercept=fit_intercept)
    w = np.zeros(X.shape[1])
    w[keep] = b / d[keep]
    return w, b0


@pytest.mark.parametrize("solver", ["auto", "cholesky", "svd", "lsqr", "sparse_cg", "cd"])
@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("shape", list(SHAPES.values()), ids=list(SHAPES))
@pytest.mark.parametrize("sw_kind", SAMPLE_WEIGHTS)
@pytest.mark.parametrize("fit_intercept", [True, False])
def test_standardize_equals_standardised_problem(solver, layout, shape, sw_kind,
                                                 fit_intercept):
    if solver == "svd" and layout != "dense":
        pytest.skip("'svd' densifies sparse X (documented)")
    X, y = _standardize_problem(shape)
    sw = make_sample_weight(shape[0], sw_kind)
    w_ref, b_ref = _standardised_oracle(X, y, ALPHA, sw, fit_intercept)
    Xl = to_layout(X, layout)
    X_before = Xl.copy()
    model = Ridge(alpha=ALPHA, fit_intercept=fit_intercept, solver=solver, standardize=True,
                  tol=1e-12, max_iter=200_000).fit(Xl, y, sample_weight=sw)
    rtol = 1e-8
    if solver == "cd":
        # coordinate descent is certified by its gap: the objective of the
        # standardised problem (b = d w) is optimal to that accuracy, the
        # coefficients of a wide, ill-conditioned problem less so
        d = ref.standard_deviations(X, sw, fit_intercept)
        Xs = X / np.where(d > 0, d, 1.0)
        obj = ref.ridge_objective(Xs, y, model.coef_ * d, model.intercept_, ALPHA, sw)
        obj_ref = ref.ridge_objective(Xs, y, w_ref * d, b_ref, ALPHA, sw)
        assert obj - obj_ref <= 1e-9 * obj_ref
        rtol = 1e-3
    assert_coef_close(model.coef_, w_ref, rtol)
    if fit_intercept:  # a constant column (centred: zero) stays zero
        assert model.coef_[2] == 0.0
    assert abs(model.intercept_ - b_ref) <= rtol * max(1.0, abs(b_ref))
    # the user's X is untouched
    if sp.issparse(Xl):
        assert (Xl != X_before).nnz == 0
    else:
        np.testing.assert_array_equal(Xl, X_before)


@pytest.mark.parametrize("dtype", DTYPES)
def test_standardize_layouts_agree(dtype):
    """dense = CSR = CSC, and float32 close to float64, with weights and 2-D y."""
    X, _ = _standardize_problem((50, 12))
    rng = make_rng(5)
    Y = rng.standard_normal((50, 2))
    sw = make_sample_weight(50, "random")
    fits = [Ridge(alpha=[0.5, 3.0], standardize=True).fit(to_layout(X, layout, dtype), Y,
                                                          sample_weight=sw)
            for layout in LAYOUTS]
    rtol = 1e-4 if dtype == np.float32 else 1e-10
    for m in fits[1:]:
        assert m.coef_.dtype == dtype
        assert_coef_close(m.coef_, fits[0].coef_, rtol)
        np.testing.assert_allclose(m.intercept_, fits[0].intercept_, rtol=rtol, atol=rtol)
    for t, a in enumerate([0.5, 3.0]):
        w_ref, b_ref = _standardised_oracle(X, Y[:, t], a, sw, True)
        assert_coef_close(fits[0].coef_[t], w_ref, 10 * rtol)


def test_standardize_scale_invariant_and_default_unchanged():
    """Rescaling a column rescales its coefficient inversely (the fit of the
    standardised problem does not move); standardize=False is the plain Ridge."""
    X, y = _standardize_problem((40, 6))
    m = Ridge(alpha=2.0, standardize=True).fit(X, y)
    X2 = X.copy()
    X2[:, 0] *= 1000.0
    m2 = Ridge(alpha=2.0, standardize=True).fit(X2, y)
    assert_rel_close(m2.coef_[0] * 1000.0, m.coef_[0], 1e-9)
    np.testing.assert_allclose(m2.predict(X2), m.predict(X), rtol=1e-9, atol=1e-9)
    plain = Ridge(alpha=2.0).fit(X, y)
    np.testing.assert_array_equal(Ridge(alpha=2.0, standardize=False).fit(X, y).coef_,
                                  plain.coef_)


def test_standardize_positive():
    """positive=True with standardize: the non-negative ridge of the
    standardised columns (its KKT conditions: a zero coefficient has a
    non-positive gradient, a positive one a zero gradient)."""
    X, y = _standardize_problem((60, 10))
    m = Ridge(alpha=1.0, positive=True, standardize=True, tol=1e-12,
              max_iter=100_000).fit(X, y)
    assert np.all(m.coef_ >= 0)
    d = ref.standard_deviations(X)
    Xc, yc = X - X.mean(0), y - y.mean()
    grad = -Xc.T @ (yc - Xc @ m.coef_) + 1.0 * d ** 2 * m.coef_
    pos = m.coef_ > 0
    assert np.max(np.abs(grad[pos]), initial=0.0) <= 1e-6 * np.abs(Xc.T @ yc).max()
    assert np.all(grad[~pos] >= -1e-6 * np.abs(Xc.T @ yc).max())


def test_standardize_bad_value():
    X, y = _standardize_problem((20, 4))
    with pytest.raises((TypeError, ValueError), match="standardize"):
        Ridge(standardize="yes").fit(X, y)
