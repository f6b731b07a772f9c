"""fastreg._coordinate_descent: the ElasticNet and Lasso estimators, their
optimality proven independently of any solver.

For each problem the fitted coefficients are checked against

* the objective value of ``fastreg.reference.enet_coordinate_descent`` and of
  scikit-learn (both run to a tight tolerance in float64), evaluated by
  ``reference.enet_objective``;
* the duality gap and KKT violation recomputed by ``fastreg.reference`` from
  the coefficients alone: a gap ``<= tol * ||y_c||^2 / n`` is a certificate
  that the objective is within that distance of the optimum, whichever solver
  produced the point.

Also: zero coefficients from alpha_max on, least squares (and scikit-learn's
warning) at alpha = 0, duplicated columns; dense, CSC and CSR layouts agree;
the options (random selection, warm starts, multiple targets, dtypes, sample
weights) and the fitted attributes.

Properties (hypothesis, on the random small problems of random_problems.py;
FASTREG_FUZZ=k runs k times more examples): certified optimality, dense ==
sparse, permutations of features and samples, scaling y (exactly, by powers
of two), alpha >= alpha_max, ElasticNet(l1_ratio=0) is Ridge.
"""
import functools
import warnings

import numpy as np
import pytest
import scipy.sparse as sp
import sklearn.linear_model as sklm
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.linalg import LinAlgWarning
from sklearn.exceptions import ConvergenceWarning

from fastreg import ElasticNet, Lasso, Ridge
from fastreg import reference as ref

from conftest import (DTYPES, LAYOUTS, SAMPLE_WEIGHTS, assert_coef_close,
                      assert_rel_close, centred_weighted, coef_rtol, dense, fit_quiet,
                      fit_tol, make_problem, make_sample_weight, make_text_like,
                      obj_rtol, small_problem, to_layout)
from random_problems import (PROBLEM_LAYOUTS, allowed_gap, alpha_floor,
                             assert_same_optimum, certify, fit_problem, fuzz, gap_scale,
                             kkt_bound, kkt_roundoff, layout_of, pick_alpha, problem_tol,
                             problems, roundoff, slack, total_weight)

N, P = 60, 30


@functools.lru_cache(maxsize=None)
def _problem(kind):
    if kind == "correlated":
        return make_problem(n=N, p=P, n_nonzero=6, rho=0.6, density=0.5, seed=3)
    if kind == "text":
        X, y = make_text_like(n=100, p=40, seed=5)
        return X.toarray(), y
    raise ValueError(kind)


def problem(kind="correlated"):
    X, y = _problem(kind)
    return X.copy(), y.copy()


def weights(kind, n=N):
    return make_sample_weight(n, kind, seed=11)


@functools.lru_cache(maxsize=None)
def _alpha(kind, l1_ratio, sw_kind, fit_intercept, divisor):
    X, y = problem(kind)
    sw = weights(sw_kind, X.shape[0])
    return ref.alpha_max(X, y, l1_ratio, sw, fit_intercept) / divisor


@functools.lru_cache(maxsize=None)
def _reference_solution(kind, l1_ratio, sw_kind, fit_intercept, divisor, positive):
    X, y = problem(kind)
    sw = weights(sw_kind, X.shape[0])
    alpha = _alpha(kind, l1_ratio, sw_kind, fit_intercept, divisor)
    coef, intercept, gap, n_iter = ref.enet_coordinate_descent(
        X, y, alpha, l1_ratio, sw, fit_intercept, positive, tol=1e-14, max_iter=20000)
    return coef, intercept, gap


@functools.lru_cache(maxsize=None)
def _sklearn_solution(kind, l1_ratio, sw_kind, fit_intercept, divisor, positive):
    X, y = problem(kind)
    sw = weights(sw_kind, X.shape[0])
    alpha = _alpha(kind, l1_ratio, sw_kind, fit_intercept, divisor)
    est = sklm.ElasticNet(alpha=alpha, l1_ratio=l1_ratio, fit_intercept=fit_intercept,
                          positive=positive, tol=1e-10, max_iter=100000)
    est.fit(X, y, sample_weight=sw)
    return est.coef_.copy(), float(est.intercept_)


def _data_as_seen(X, y, sw, dtype):
    """The float64 values of the problem the estimator actually solves (after
    casting to ``dtype``): gaps and objectives are evaluated on them."""
    Xs = dense(np.asarray(X, dtype=dtype))
    ys = np.asarray(y, dtype=dtype).astype(np.float64)
    sws = None if sw is None else np.asarray(sw, dtype=dtype).astype(np.float64)
    return Xs, ys, sws


def _scale(X, y, sw, fit_intercept):
    """||y_c||^2 / sum(s): the unit of sklearn's tol, in public units."""
    _, yc, _, _ = centred_weighted(X, y, sw, fit_intercept)
    return (yc @ yc) / (X.shape[0] if sw is None else np.sum(sw))


def _gap_slack(dtype):
    """Round-off allowance (relative to _scale) for a certificate computed in dtype."""
    return 1e-12 if np.dtype(dtype) == np.float64 else 5e-6


def _kkt_bound(X, y, sw, fit_intercept, alpha, l1_ratio, eps):
    """Bound on the KKT violation of a point whose objective is eps above the optimum.

    With S = sum(s) and x_c, r_c the weighted centred columns and residual,
    P(w) - P* >= ||r_c - r_c*||^2 / (2S) and >= alpha(1-l1_ratio)/2 ||w - w*||^2,
    so |g_j(w) - g_j(w*)| <= ||x_c,j|| sqrt(2 eps / S) + sqrt(2 eps alpha (1-l1_ratio)).
    A factor 2 covers coordinates whose sign changed after their last update.
    """
    Xc, _, _, _ = centred_weighted(X, y, sw, fit_intercept)
    S = X.shape[0] if sw is None else np.sum(sw)
    col = np.sqrt(np.max(np.sum(Xc * Xc, axis=0)))
    return 2 * (col * np.sqrt(2 * eps / S) + np.sqrt(2 * eps * alpha * (1 - l1_ratio)))


def _estimator(l1_ratio, **kw):
    if l1_ratio == 1.0:
        return Lasso(**kw)
    return ElasticNet(l1_ratio=l1_ratio, **kw)


# --------------------------------------------------------------------------
# optimality on the full grid
# --------------------------------------------------------------------------
@pytest.mark.parametrize("divisor", [5, 50])
@pytest.mark.parametrize("l1_ratio", [1.0, 0.5, 0.1])
@pytest.mark.parametrize("sw_kind", SAMPLE_WEIGHTS)
@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("layout", LAYOUTS)
def test_enet_optimal_vs_reference_and_sklearn(layout, dtype, fit_intercept, sw_kind,
                                               l1_ratio, divisor):
    X, y = problem()
    sw = weights(sw_kind)
    alpha = _alpha("correlated", l1_ratio, sw_kind, fit_intercept, divisor)
    tol = fit_tol(dtype)
    est = _estimator(l1_ratio, alpha=alpha, fit_intercept=fit_intercept, tol=tol,
                     max_iter=100000)
    fit_quiet(est, to_layout(X, layout, dtype), y, sample_weight=sw)

    assert est.coef_.shape == (P,)
    assert est.coef_.dtype == np.dtype(dtype)
    assert np.all(np.isfinite(est.coef_)) and np.isfinite(est.intercept_)
    if not fit_intercept:
        assert est.intercept_ == 0.0

    # -- objective vs the two independent solvers (float64 problem)
    obj = ref.enet_objective(X, y, est.coef_, est.intercept_, alpha, l1_ratio, sw)
    c_ref, b_ref, _ = _reference_solution("correlated", l1_ratio, sw_kind, fit_intercept,
                                          divisor, False)
    c_sk, b_sk = _sklearn_solution("correlated", l1_ratio, sw_kind, fit_intercept,
                                   divisor, False)
    obj_ref = ref.enet_objective(X, y, c_ref, b_ref, alpha, l1_ratio, sw)
    obj_sk = ref.enet_objective(X, y, c_sk, b_sk, alpha, l1_ratio, sw)
    assert_rel_close(obj, obj_ref, obj_rtol(dtype), "objective vs reference CD:")
    assert_rel_close(obj, obj_sk, obj_rtol(dtype), "objective vs sklearn:")
    assert_coef_close(est.coef_, c_ref, coef_rtol(dtype), "coef vs reference:")
    assert_coef_close(est.coef_, c_sk, coef_rtol(dtype), "coef vs sklearn:")
    if fit_intercept:
        assert abs(est.intercept_ - b_ref) <= coef_rtol(dtype) * (1 + abs(b_ref)) * 10

    # -- certificate on the data the estimator actually saw
    Xs, ys, sws = _data_as_seen(X, y, sw, dtype)
    scale = _scale(Xs, ys, sws, fit_intercept)
    gap = ref.enet_duality_gap(Xs, ys, est.coef_, est.intercept_, alpha, l1_ratio, sws,
                               fit_intercept)
    assert gap <= (tol + _gap_slack(dtype)) * scale, (gap, tol * scale)
    kkt = ref.enet_kkt_violation(Xs, ys, est.coef_, est.intercept_, alpha, l1_ratio, sws,
                                 fit_intercept)
    bound = _kkt_bound(Xs, ys, sws, fit_intercept, alpha, l1_ratio,
                       (tol + _gap_slack(dtype)) * scale)
    assert kkt <= bound, (kkt, bound)
    # -- the self-reported gap is the independent one
    assert est.dual_gap_ >= -_gap_slack(dtype) * scale  # >= 0 up to round-off
    assert abs(est.dual_gap_ - gap) <= _gap_slack(dtype) * scale, (est.dual_gap_, gap)
    assert isinstance(est.n_iter_, (int, np.integer)) and 1 <= est.n_iter_ <= 100000


@pytest.mark.parametrize("sw_kind", SAMPLE_WEIGHTS)
@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("layout", LAYOUTS)
def test_positive_vs_reference_and_sklearn(layout, dtype, fit_intercept, sw_kind):
    X, y = problem()
    sw = weights(sw_kind)
    l1_ratio, divisor = 0.7, 20
    alpha = _alpha("correlated", l1_ratio, sw_kind, fit_intercept, divisor)
    tol = fit_tol(dtype)
    est = ElasticNet(alpha=alpha, l1_ratio=l1_ratio, fit_intercept=fit_intercept,
                     positive=True, tol=tol, max_iter=100000)
    fit_quiet(est, to_layout(X, layout, dtype), y, sample_weight=sw)
    assert np.all(est.coef_ >= 0)
    assert np.any(est.coef_ > 0)

    c_ref, b_ref, _ = _reference_solution("correlated", l1_ratio, sw_kind, fit_intercept,
                                          divisor, True)
    c_sk, b_sk = _sklearn_solution("correlated", l1_ratio, sw_kind, fit_intercept,
                                   divisor, True)
    obj = ref.enet_objective(X, y, est.coef_, est.intercept_, alpha, l1_ratio, sw)
    assert_rel_close(obj, ref.enet_objective(X, y, c_ref, b_ref, alpha, l1_ratio, sw),
                     obj_rtol(dtype))
    assert_rel_close(obj, ref.enet_objective(X, y, c_sk, b_sk, alpha, l1_ratio, sw),
                     obj_rtol(dtype))
    assert_coef_close(est.coef_, c_sk, coef_rtol(dtype))

    # The unconstrained optimum has negative entries: the constraint is active.
    unconstrained = _reference_solution("correlated", l1_ratio, sw_kind, fit_intercept,
                                        divisor, False)[0]
    assert np.any(unconstrained < 0)

    Xs, ys, sws = _data_as_seen(X, y, sw, dtype)
    scale = _scale(Xs, ys, sws, fit_intercept)
    gap = ref.enet_duality_gap(Xs, ys, est.coef_, est.intercept_, alpha, l1_ratio, sws,
                               fit_intercept, positive=True)
    assert gap <= (tol + _gap_slack(dtype)) * scale
    assert abs(est.dual_gap_ - gap) <= _gap_slack(dtype) * scale
    kkt = ref.enet_kkt_violation(Xs, ys, est.coef_, est.intercept_, alpha, l1_ratio, sws,
                                 fit_intercept, positive=True)
    assert kkt <= _kkt_bound(Xs, ys, sws, fit_intercept, alpha, l1_ratio,
                             (tol + _gap_slack(dtype)) * scale)


@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("l1_ratio", [1.0, 0.5])
@pytest.mark.parametrize("layout", ["csc", "csr", "dense"])
def test_text_like_design(layout, l1_ratio, fit_intercept):
    """Heavy-tailed column norms (bag-of-words): same optimum as both oracles."""
    X, y = problem("text")
    alpha = _alpha("text", l1_ratio, None, fit_intercept, 30)
    est = _estimator(l1_ratio, alpha=alpha, fit_intercept=fit_intercept, tol=1e-10,
                     max_iter=100000)
    fit_quiet(est, to_layout(X, layout), y)
    c_ref, b_ref, _ = _reference_solution("text", l1_ratio, None, fit_intercept, 30, False)
    c_sk, b_sk = _sklearn_solution("text", l1_ratio, None, fit_intercept, 30, False)
    obj = ref.enet_objective(X, y, est.coef_, est.intercept_, alpha, l1_ratio)
    assert_rel_close(obj, ref.enet_objective(X, y, c_ref, b_ref, alpha, l1_ratio), 1e-7)
    assert_rel_close(obj, ref.enet_objective(X, y, c_sk, b_sk, alpha, l1_ratio), 1e-7)
    assert_coef_close(est.coef_, c_ref, 1e-5)
    gap = ref.enet_duality_gap(X, y, est.coef_, est.intercept_, alpha, l1_ratio,
                               fit_intercept=fit_intercept)
    assert gap <= (1e-10 + 1e-12) * _scale(X, y, None, fit_intercept)
    # predictions use the intercept and the original (uncentred) X
    pred = est.predict(to_layout(X, layout))
    np.testing.assert_allclose(pred, X @ est.coef_ + est.intercept_, rtol=1e-12, atol=1e-10)


# --------------------------------------------------------------------------
# alpha >= alpha_max, alpha = 0
# --------------------------------------------------------------------------
@pytest.mark.parametrize("factor", [1.0, 3.0])
@pytest.mark.parametrize("l1_ratio", [1.0, 0.5])
@pytest.mark.parametrize("sw_kind", SAMPLE_WEIGHTS)
@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("layout", LAYOUTS)
def test_alpha_max_gives_zero(layout, dtype, fit_intercept, sw_kind, l1_ratio, factor):
    X, y = small_problem(seed=2)
    n, p = X.shape
    sw = make_sample_weight(n, sw_kind)
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
    np.testing.assert_array_equal(est.coef_, np.zeros(p))
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


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("Est", [Lasso, ElasticNet])
def test_alpha_zero_warns_and_gives_least_squares(Est, layout):
    X, y = small_problem(seed=2)
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
    X, y = small_problem(seed=2)
    with pytest.warns(UserWarning) as theirs:
        sklm.Lasso(alpha=0.0).fit(X, y)
    with pytest.warns(UserWarning) as ours:
        Lasso(alpha=0.0).fit(X, y)
    msg_theirs = [str(w.message) for w in theirs if w.category is UserWarning][0]
    msg_ours = [str(w.message) for w in ours if w.category is UserWarning][0]
    assert msg_theirs.split(".")[0] == msg_ours.split(".")[0]


# --------------------------------------------------------------------------
# duplicated columns
# --------------------------------------------------------------------------
@pytest.mark.parametrize("layout", LAYOUTS)
def test_duplicated_column_lasso(layout):
    """Duplicating a column does not change the Lasso optimum (the weight can
    be split arbitrarily between the copies)."""
    X, y = small_problem(seed=2)
    p = X.shape[1]
    Xd = np.c_[X, X[:, 3]]
    alpha = 0.05
    one = fit_quiet(Lasso(alpha=alpha, tol=1e-12), to_layout(X, layout), y)
    two = fit_quiet(Lasso(alpha=alpha, tol=1e-12), to_layout(Xd, layout), y)
    assert one.coef_[3] != 0
    assert_rel_close(ref.enet_objective(X, y, one.coef_, one.intercept_, alpha),
                     ref.enet_objective(Xd, y, two.coef_, two.intercept_, alpha), 1e-9)
    merged = two.coef_[:p].copy()
    merged[3] += two.coef_[p]
    assert_coef_close(merged, one.coef_, 1e-5)
    # both copies carry weights of the same sign (or zero)
    assert two.coef_[3] * two.coef_[p] >= 0


@pytest.mark.parametrize("layout", LAYOUTS)
def test_duplicated_column_elastic_net_splits_equally(layout):
    X, y = small_problem(seed=2)
    p = X.shape[1]
    Xd = np.c_[X, X[:, 3]]
    alpha, l1_ratio, tol = 0.05, 0.5, 1e-13
    est = fit_quiet(ElasticNet(alpha=alpha, l1_ratio=l1_ratio, tol=tol, max_iter=100000),
                    to_layout(Xd, layout), y)
    a, b = est.coef_[3], est.coef_[p]
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
    sym[3] = sym[p] = (a + b) / 2
    o_sym = ref.enet_objective(Xd, y, sym, est.intercept_, alpha, l1_ratio)
    assert o_fit - o_sym <= eps + 1e-15
    # equivalently, a single copy with half the l2 weight: same total coefficient
    ridge_like = Ridge(alpha=1.0).fit(to_layout(Xd, layout), y)
    assert abs(ridge_like.coef_[3] - ridge_like.coef_[p]) <= 1e-9 * abs(ridge_like.coef_[3])


# --------------------------------------------------------------------------
# layouts agree to round-off
# --------------------------------------------------------------------------
@pytest.mark.parametrize("positive", [False, True])
@pytest.mark.parametrize("l1_ratio", [1.0, 0.3])
@pytest.mark.parametrize("sw_kind", SAMPLE_WEIGHTS)
@pytest.mark.parametrize("fit_intercept", [True, False])
def test_dense_csc_csr_identical(fit_intercept, sw_kind, l1_ratio, positive):
    X, y = problem()
    sw = weights(sw_kind)
    alpha = _alpha("correlated", l1_ratio, sw_kind, fit_intercept, 20)
    fits = {}
    variants = [("dense", np.int32, "C"), ("dense_f", np.int32, "F"),
                ("csc", np.int32, None), ("csr", np.int32, None),
                ("csc", np.int64, None), ("csr", np.int64, None)]
    for layout, idx, _ in variants:
        Xl = to_layout(X, layout, np.float64, index_dtype=idx)
        est = ElasticNet(alpha=alpha, l1_ratio=l1_ratio, fit_intercept=fit_intercept,
                         positive=positive, tol=1e-12, max_iter=100000)
        fit_quiet(est, Xl, y, sample_weight=sw)
        fits[(layout, np.dtype(idx).name)] = est
    base = fits[("dense", "int32")]
    for key, est in fits.items():
        # The dense and sparse kernels sweep differently (the sparse one only
        # its strong set between gap checks): both certified to tol=1e-12, they
        # agree to what that certificate implies, not to the last digit.
        assert_coef_close(est.coef_, base.coef_, 1e-5, f"{key}:")
        assert abs(est.intercept_ - base.intercept_) <= 1e-5 * (1 + abs(base.intercept_))
        f = [ref.enet_objective(X, y, m.coef_, m.intercept_, alpha, l1_ratio, sw)
             for m in (est, base)]
        assert abs(f[0] - f[1]) <= 1e-10 * abs(f[1])
        # same zero pattern
        np.testing.assert_array_equal(est.coef_ != 0, base.coef_ != 0)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("layout", ["csc", "csr"])
def test_int64_sparse_indices(layout, dtype):
    X, y = problem()
    X64 = to_layout(X, layout, dtype, index_dtype=np.int64)
    X32 = to_layout(X, layout, dtype, index_dtype=np.int32)
    assert X64.indices.dtype == np.int64 and X64.indptr.dtype == np.int64
    alpha = _alpha("correlated", 1.0, None, True, 10)
    a = fit_quiet(Lasso(alpha=alpha, tol=fit_tol(dtype)), X64, y)
    b = fit_quiet(Lasso(alpha=alpha, tol=fit_tol(dtype)), X32, y)
    np.testing.assert_allclose(a.coef_, b.coef_, rtol=0, atol=1e-12 * np.abs(b.coef_).max()
                               if dtype == np.float64 else 1e-6 * np.abs(b.coef_).max())
    # mixed index widths (int32 indices with int64 indptr) are accepted too
    cls = sp.csc_matrix if layout == "csc" else sp.csr_matrix
    mixed = cls(X32, copy=True)
    mixed.indptr = mixed.indptr.astype(np.int64)
    assert mixed.indices.dtype == np.int32 and mixed.indptr.dtype == np.int64
    c = fit_quiet(Lasso(alpha=alpha, tol=fit_tol(dtype)), mixed, y)
    assert_coef_close(c.coef_, b.coef_, 1e-6 if dtype == np.float64 else 1e-3)


# --------------------------------------------------------------------------
# options
# --------------------------------------------------------------------------
@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("l1_ratio", [1.0, 0.5])
def test_random_selection_reproducible_and_optimal(layout, l1_ratio):
    X, y = problem()
    Xl = to_layout(X, layout)
    alpha = _alpha("correlated", l1_ratio, None, True, 20)
    kw = dict(alpha=alpha, l1_ratio=l1_ratio, selection="random", tol=1e-10,
              max_iter=100000)
    a = fit_quiet(ElasticNet(random_state=7, **kw), Xl, y)
    b = fit_quiet(ElasticNet(random_state=7, **kw), Xl, y)
    np.testing.assert_array_equal(a.coef_, b.coef_)
    assert a.n_iter_ == b.n_iter_
    c = fit_quiet(ElasticNet(random_state=np.random.RandomState(123), **kw), Xl, y)
    cyc = fit_quiet(ElasticNet(alpha=alpha, l1_ratio=l1_ratio, tol=1e-10), Xl, y)
    objs = [ref.enet_objective(X, y, e.coef_, e.intercept_, alpha, l1_ratio)
            for e in (a, c, cyc)]
    for o in objs[1:]:
        assert_rel_close(o, objs[0], 1e-7)
    assert_coef_close(a.coef_, cyc.coef_, 1e-4)
    assert_coef_close(c.coef_, cyc.coef_, 1e-4)
    for e in (a, c):
        assert ref.enet_duality_gap(X, y, e.coef_, e.intercept_, alpha, l1_ratio) <= (
            (1e-10 + 1e-12) * _scale(X, y, None, True))


def test_random_selection_actually_random():
    """Different seeds visit coordinates in different orders: iterates differ
    before convergence (max_iter=2), but coordinates are not skipped for good."""
    X, y = problem()
    alpha = _alpha("correlated", 1.0, None, True, 50)
    coefs = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        for seed in range(4):
            coefs.append(Lasso(alpha=alpha, selection="random", random_state=seed,
                               max_iter=2, tol=1e-12).fit(X, y).coef_)
    assert any(not np.array_equal(coefs[0], c) for c in coefs[1:])


@pytest.mark.parametrize("layout", LAYOUTS)
def test_warm_start(layout):
    X, y = problem()
    Xl = to_layout(X, layout)
    amax = ref.alpha_max(X, y)
    a1, a2 = amax / 20, amax / 22
    cold = fit_quiet(Lasso(alpha=a2, tol=1e-10), Xl, y)
    est = Lasso(alpha=a1, tol=1e-10, warm_start=True)
    fit_quiet(est, Xl, y)
    first = est.coef_.copy()
    est.set_params(alpha=a2)
    fit_quiet(est, Xl, y)
    assert est.n_iter_ < cold.n_iter_, (est.n_iter_, cold.n_iter_)
    assert not np.array_equal(first, est.coef_)
    assert_rel_close(ref.enet_objective(X, y, est.coef_, est.intercept_, a2),
                     ref.enet_objective(X, y, cold.coef_, cold.intercept_, a2), 1e-7)
    # refitting at an optimum needs (at most) one epoch and keeps the solution
    before = est.coef_.copy()
    fit_quiet(est, Xl, y)
    assert est.n_iter_ <= 1
    assert_coef_close(est.coef_, before, 1e-6)
    # without warm_start the second fit starts from scratch
    fresh = Lasso(alpha=a1, tol=1e-10)
    fit_quiet(fresh, Xl, y)
    n1 = fresh.n_iter_
    fit_quiet(fresh, Xl, y)
    assert fresh.n_iter_ == n1


def test_warm_start_shape_change_restarts():
    X, y = problem()
    est = Lasso(alpha=0.05, warm_start=True, tol=1e-10)
    fit_quiet(est, X, y)
    fit_quiet(est, X[:, :10], y)
    ref_fit = fit_quiet(Lasso(alpha=0.05, tol=1e-10), X[:, :10], y)
    assert est.coef_.shape == (10,)
    assert_coef_close(est.coef_, ref_fit.coef_, 1e-5)


@pytest.mark.parametrize("sw_kind", SAMPLE_WEIGHTS)
@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("fit_intercept", [True, False])
def test_multi_target_equals_columnwise(fit_intercept, layout, sw_kind):
    X, Y = make_problem(n=N, p=P, n_targets=3, seed=8)
    sw = weights(sw_kind)
    Xl = to_layout(X, layout)
    kw = dict(alpha=0.05, l1_ratio=0.6, fit_intercept=fit_intercept, tol=1e-10)
    multi = fit_quiet(ElasticNet(**kw), Xl, Y, sample_weight=sw)
    assert multi.coef_.shape == (3, P)
    assert np.shape(multi.intercept_) == (3,)
    assert np.shape(multi.dual_gap_) == (3,)
    assert len(multi.n_iter_) == 3
    for k in range(3):
        single = fit_quiet(ElasticNet(**kw), Xl, Y[:, k], sample_weight=sw)
        np.testing.assert_allclose(multi.coef_[k], single.coef_, rtol=1e-12, atol=1e-14)
        np.testing.assert_allclose(multi.intercept_[k], single.intercept_, rtol=1e-12,
                                   atol=1e-14)
        # the gap is a difference of O(||y||^2) terms: equal up to round-off
        np.testing.assert_allclose(multi.dual_gap_[k], single.dual_gap_, rtol=0,
                                   atol=1e-13 * np.var(Y[:, k]))
    np.testing.assert_allclose(multi.predict(Xl), dense(Xl) @ multi.coef_.T
                               + multi.intercept_, rtol=1e-12, atol=1e-10)


def test_y_column_vector_like_sklearn():
    X, y = problem()
    ours = fit_quiet(Lasso(alpha=0.05, tol=1e-10), X, y[:, None])
    theirs = sklm.Lasso(alpha=0.05, tol=1e-10).fit(X, y[:, None])
    assert ours.coef_.shape == theirs.coef_.shape
    assert ours.predict(X).shape == theirs.predict(X).shape
    assert_coef_close(ours.coef_, theirs.coef_, 1e-5)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("layout", LAYOUTS)
def test_dtype_follows_X(layout, dtype):
    X, y = problem()
    est = fit_quiet(ElasticNet(alpha=0.05, tol=fit_tol(dtype)), to_layout(X, layout, dtype),
                    y)
    assert est.coef_.dtype == np.dtype(dtype)
    assert est.predict(to_layout(X, layout, dtype)).dtype == np.dtype(dtype)
    est2 = fit_quiet(ElasticNet(alpha=0.05, tol=fit_tol(dtype)),
                     to_layout(X, layout, dtype), np.c_[y, -y])
    assert est2.coef_.dtype == np.dtype(dtype)
    assert est2.coef_.shape == (2, P)


@pytest.mark.parametrize("order", ["C", "F"])
def test_memory_order_irrelevant(order):
    X, y = problem()
    a = fit_quiet(Lasso(alpha=0.05, tol=1e-10), np.array(X, order=order), y)
    b = fit_quiet(Lasso(alpha=0.05, tol=1e-10), np.array(X, order="F"), y)
    # equal up to round-off (numpy's reductions for the means depend on layout)
    assert_coef_close(a.coef_, b.coef_, 1e-12)
    # a strided (non-contiguous) view works as well
    Xw = np.zeros((N, 2 * P))
    Xw[:, ::2] = X
    c = fit_quiet(Lasso(alpha=0.05, tol=1e-10), Xw[:, ::2], y)
    assert_coef_close(c.coef_, b.coef_, 1e-12)


def test_lasso_is_elasticnet_l1_ratio_one():
    X, y = problem()
    a = fit_quiet(Lasso(alpha=0.07, tol=1e-10), X, y)
    b = fit_quiet(ElasticNet(alpha=0.07, l1_ratio=1.0, tol=1e-10), X, y)
    np.testing.assert_array_equal(a.coef_, b.coef_)
    assert Lasso().get_params()["alpha"] == 1.0
    assert "l1_ratio" not in Lasso().get_params()


def test_default_params_match_sklearn():
    for ours, theirs in ((Lasso(), sklm.Lasso()), (ElasticNet(), sklm.ElasticNet())):
        p_ours, p_theirs = ours.get_params(), theirs.get_params()
        for name, value in p_theirs.items():
            assert name in p_ours, name
            assert p_ours[name] == value, (name, p_ours[name], value)


@pytest.mark.parametrize("layout", LAYOUTS)
def test_sample_weight_semantics(layout):
    """Integer weights are repetitions; weights are rescale-invariant (ENet
    normalises them to sum n); zero weights drop samples."""
    X, y = problem()
    rng = np.random.default_rng(4)
    sw = rng.integers(0, 4, size=N).astype(float)
    sw[:3] = [0, 2, 3]
    Xl = to_layout(X, layout)
    kw = dict(alpha=0.03, l1_ratio=0.8, tol=1e-12, max_iter=100000)
    weighted = fit_quiet(ElasticNet(**kw), Xl, y, sample_weight=sw)
    rep = np.repeat(np.arange(N), sw.astype(int))
    repeated = fit_quiet(ElasticNet(**kw), to_layout(X[rep], layout), y[rep])
    assert_coef_close(weighted.coef_, repeated.coef_, 1e-6)
    assert abs(weighted.intercept_ - repeated.intercept_) < 1e-6
    scaled = fit_quiet(ElasticNet(**kw), Xl, y, sample_weight=7.5 * sw)
    assert_coef_close(weighted.coef_, scaled.coef_, 1e-8)
    keep = sw > 0
    dropped = fit_quiet(ElasticNet(**kw), to_layout(X[keep], layout), y[keep],
                        sample_weight=sw[keep])
    # the objective normalises by sum(s), not by the number of rows: same optimum
    assert_coef_close(weighted.coef_, dropped.coef_, 1e-6)
    # a scalar weight is the same as no weight
    unw = fit_quiet(ElasticNet(**kw), Xl, y)
    sc = fit_quiet(ElasticNet(**kw), Xl, y, sample_weight=2.0)
    assert_coef_close(unw.coef_, sc.coef_, 1e-10)


def test_sparse_coef_and_attributes():
    X, y = problem()
    est = fit_quiet(Lasso(alpha=0.1, tol=1e-10), X, y)
    assert sp.issparse(est.sparse_coef_)
    np.testing.assert_array_equal(est.sparse_coef_.toarray().ravel(), est.coef_)
    assert est.n_features_in_ == P
    assert not hasattr(est, "feature_names_in_")
    assert np.any(est.coef_ == 0) and np.any(est.coef_ != 0)
    # R^2 of RegressorMixin
    assert 0.5 < est.score(X, y) <= 1.0


def test_objective_path_monotone_in_alpha():
    """Along a decreasing alpha path the number of selected features grows
    (roughly) and the data-fit term decreases: a sanity check of the path."""
    X, y = problem()
    amax = ref.alpha_max(X, y)
    datafits, nnz = [], []
    for div in (1.01, 2, 5, 20, 100):
        est = fit_quiet(Lasso(alpha=amax / div, tol=1e-10), X, y)
        datafit, _ = ref.enet_objective_terms(X, y, est.coef_, est.intercept_, amax / div)
        datafits.append(datafit)
        nnz.append(np.count_nonzero(est.coef_))
    assert nnz[0] == 1
    assert all(a > b for a, b in zip(datafits, datafits[1:]))
    assert nnz[-1] > nnz[1]


def test_path_is_the_path_function():
    from fastreg import ElasticNetCV, LassoCV, enet_path, lasso_path
    assert ElasticNet.path is enet_path and Lasso.path is enet_path
    assert ElasticNetCV.path is enet_path and LassoCV.path is lasso_path
    X, y = make_problem(n=30, p=6)
    assert np.array_equal(Lasso().path(X, y, alphas=[0.1])[1], enet_path(X, y, alphas=[0.1])[1])


# --------------------------------------------------------------------------
# properties (hypothesis): optimality certified by the independent gap and KKT
# --------------------------------------------------------------------------
@fuzz(60)
@given(pb=problems(), l1_ratio=st.sampled_from([1.0, 0.9, 0.5, 0.1, 0.0]),
       frac=st.floats(1e-3, 1.2), positive=st.booleans(),
       selection=st.sampled_from(["cyclic", "random"]))
def test_certified_optimal(pb, l1_ratio, frac, positive, selection):
    alpha = pick_alpha(pb, l1_ratio, frac)
    tol = problem_tol(pb["dtype"])
    est = ElasticNet(alpha=alpha, l1_ratio=l1_ratio, fit_intercept=pb["fit_intercept"],
                     positive=positive, selection=selection, random_state=0, tol=tol,
                     max_iter=20000)
    est, converged = fit_problem(est, pb)
    assert est.coef_.dtype == pb["dtype"] and est.coef_.shape == (pb["p"],)
    assert np.all(np.isfinite(est.coef_)) and np.isfinite(est.intercept_)
    if positive:
        assert np.all(est.coef_ >= 0)
    if not pb["fit_intercept"]:
        assert est.intercept_ == 0.0
    scale, floor = gap_scale(pb)
    # what the solver claims: the tolerance if it converged, else its gap
    claimed = tol * scale if converged else float(est.dual_gap_)
    if converged:
        assert est.dual_gap_ <= tol * scale * (1 + 1e-6) + floor
    else:
        assert est.dual_gap_ > tol * scale
    eps = claimed * (1 + 1e-6) + slack(pb["dtype"]) * scale + roundoff(pb, est.coef_) + floor
    gap, kkt = certify(pb, est, alpha, l1_ratio, positive)
    assert gap <= eps, (gap, eps, converged)
    assert kkt <= kkt_bound(pb, alpha, l1_ratio, eps) + kkt_roundoff(pb, est.coef_), (kkt, eps)


# --------------------------------------------------------------------------
# properties: dense == sparse; permutations
# --------------------------------------------------------------------------
@fuzz(30)
@given(pb=problems(layouts=["dense"]), l1_ratio=st.sampled_from([1.0, 0.5, 0.05]),
       frac=st.floats(1e-2, 1.0), positive=st.booleans())
def test_dense_equals_sparse(pb, l1_ratio, frac, positive):
    alpha = pick_alpha(pb, l1_ratio, frac)
    tol = problem_tol(pb["dtype"])
    fits = {}
    for layout in PROBLEM_LAYOUTS:
        est = ElasticNet(alpha=alpha, l1_ratio=l1_ratio, fit_intercept=pb["fit_intercept"],
                         positive=positive, tol=tol, max_iter=100000)
        fits[layout] = fit_problem(est, pb, X=layout_of(pb["X64"], layout, pb["dtype"]))[0]
    for layout in ("dense_f", "csc", "csr"):
        assert_same_optimum(pb, fits["dense"], fits[layout], alpha, l1_ratio, layout,
                            positive)
    # the two sparse layouts reach the same canonical CSC: same arithmetic
    np.testing.assert_array_equal(fits["csc"].coef_, fits["csr"].coef_)


@fuzz(30)
@given(pb=problems(), l1_ratio=st.sampled_from([1.0, 0.5]), frac=st.floats(1e-2, 1.0),
       data=st.data())
def test_permuting_features_permutes_coef(pb, l1_ratio, frac, data):
    perm = np.array(data.draw(st.permutations(range(pb["p"]))), dtype=int)
    alpha = pick_alpha(pb, l1_ratio, frac)
    tol = problem_tol(pb["dtype"])
    kw = dict(alpha=alpha, l1_ratio=l1_ratio, fit_intercept=pb["fit_intercept"], tol=tol,
              max_iter=100000)
    a = fit_problem(ElasticNet(**kw), pb)[0]
    Xp = layout_of(pb["X64"][:, perm], pb["layout"], pb["dtype"])
    b = fit_problem(ElasticNet(**kw), pb, X=Xp)[0]
    b.coef_ = b.coef_[np.argsort(perm)]  # back to the original order
    assert_same_optimum(pb, a, b, alpha, l1_ratio, "features permuted")
    # permuting the samples (with their weights) changes nothing either
    rows = np.array(data.draw(st.permutations(range(pb["n"]))), dtype=int)
    Xr = layout_of(pb["X64"][rows], pb["layout"], pb["dtype"])
    c = fit_problem(ElasticNet(**kw), pb, X=Xr, y=pb["y"][rows],
            sw=None if pb["sw"] is None else pb["sw"][rows])[0]
    assert_same_optimum(pb, a, c, alpha, l1_ratio, "samples permuted")


# --------------------------------------------------------------------------
# properties: scaling y
# --------------------------------------------------------------------------
@fuzz(30)
@given(pb=problems(dtypes=(np.float64,)), frac=st.floats(1e-2, 1.0),
       c=st.sampled_from([-1.0, -3.7, 0.001, 0.37, 5.0, 1e3]))
def test_lasso_scaling_y_and_alpha_scales_coef(pb, frac, c):
    """Lasso(c alpha) on c y has the optimum c w*, for any c != 0."""
    alpha = pick_alpha(pb, 1.0, frac)
    tol = problem_tol(pb["dtype"])
    a = fit_problem(Lasso(alpha=alpha, fit_intercept=pb["fit_intercept"], tol=tol,
                  max_iter=20000), pb)[0]
    b = fit_problem(Lasso(alpha=alpha * abs(c), fit_intercept=pb["fit_intercept"], tol=tol,
                  max_iter=20000), pb, y=c * pb["y"])[0]
    # b / c solves the unscaled problem, with its gap divided by c^2
    b.coef_ = b.coef_ / c
    b.intercept_ = b.intercept_ / c
    assert_same_optimum(pb, a, b, alpha, 1.0, f"c={c}")


@fuzz(30)
@given(pb=problems(), frac=st.floats(1e-2, 1.0), k=st.integers(-8, 8),
       sign=st.sampled_from([1.0, -1.0]), l1_ratio=st.sampled_from([1.0, 0.5]))
def test_power_of_two_scaling_is_exact(pb, frac, k, sign, l1_ratio):
    """Scaling by c = +-2^k is exact in floating point, and the solvers have no
    absolute thresholds: the coefficients scale bit for bit (Lasso with c alpha;
    Ridge at the same alpha; the Elastic-Net with its l1 part scaled by c)."""
    c = sign * 2.0 ** k
    alpha = pick_alpha(pb, l1_ratio, frac)
    kw = dict(fit_intercept=pb["fit_intercept"], tol=problem_tol(pb["dtype"]),
              max_iter=100000)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)  # exactness holds regardless
        warnings.simplefilter("ignore", LinAlgWarning)  # singular: lstsq, exact all the same
        if l1_ratio == 1.0:
            a = Lasso(alpha=alpha, **kw).fit(pb["X"], pb["y"], sample_weight=pb["sw"])
            b = Lasso(alpha=alpha * abs(c), **kw).fit(pb["X"], c * pb["y"],
                                                      sample_weight=pb["sw"])
            np.testing.assert_array_equal(b.coef_, c * a.coef_)
            np.testing.assert_array_equal(b.intercept_, c * a.intercept_)
        for solver in ("auto", "svd", "cd"):
            r = Ridge(alpha=alpha, solver=solver, **kw)
            a = r.fit(pb["X"], pb["y"], sample_weight=pb["sw"]).coef_.copy()
            b = r.fit(pb["X"], c * pb["y"], sample_weight=pb["sw"]).coef_
            np.testing.assert_array_equal(b, c * a, err_msg=solver)


# --------------------------------------------------------------------------
# properties: alpha >= alpha_max
# --------------------------------------------------------------------------
@fuzz(40)
@given(pb=problems(), l1_ratio=st.sampled_from([1.0, 0.7, 0.2]),
       factor=st.floats(1.0, 100.0), positive=st.booleans())
def test_alpha_above_alpha_max_gives_zero(pb, l1_ratio, factor, positive):
    amax = ref.alpha_max(pb["Xs"], pb["ys"], l1_ratio, pb["sws"], pb["fit_intercept"])
    # the kernels compute x_j . y in the data's precision: a relative margin
    margin = 1 + (1e-10 if pb["dtype"] == np.float64 else 1e-4)
    alpha = max(amax * factor * margin, alpha_floor(pb))
    est = ElasticNet(alpha=alpha, l1_ratio=l1_ratio, positive=positive,
                     fit_intercept=pb["fit_intercept"], tol=problem_tol(pb["dtype"]))
    est, converged = fit_problem(est, pb)
    assert converged  # zero is optimal, and certified before the first epoch
    np.testing.assert_array_equal(est.coef_, np.zeros(pb["p"]))
    expected = np.average(pb["ys"], weights=pb["sws"]) if pb["fit_intercept"] else 0.0
    rtol = 1e-12 if pb["dtype"] == np.float64 else 1e-6
    assert abs(est.intercept_ - expected) <= rtol * max(abs(expected), np.abs(pb["ys"]).max())


# --------------------------------------------------------------------------
# properties: ElasticNet(l1_ratio=0) is Ridge
# --------------------------------------------------------------------------
@fuzz(30)
@given(pb=problems(), a=st.floats(1e-3, 10.0))
def test_enet_without_l1_is_ridge(pb, a):
    """ElasticNet(l1_ratio=0, alpha=a) minimises
        1/(2 S) sum_i s_i r_i^2 + a/2 ||w||^2,          S = sum(s),
    Ridge(alpha=A) minimises sum_i s_i r_i^2 + A ||w||^2: multiplying the
    first by 2S gives the second with A = a S (a n without weights; with
    weights, S and not n, since Ridge does not normalise the weights)."""
    S = total_weight(pb)
    tol = problem_tol(pb["dtype"])
    enet, converged = fit_problem(ElasticNet(alpha=a, l1_ratio=0.0,
                                             fit_intercept=pb["fit_intercept"], tol=tol,
                                             max_iter=20000), pb)
    ridge = Ridge(alpha=a * S, fit_intercept=pb["fit_intercept"]).fit(
        pb["X"], pb["y"], sample_weight=pb["sw"])
    # Ridge's closed form, certified as the Elastic-Net it is (in float64: a
    # float32 Cholesky of an ill-conditioned Gram matrix is only as accurate
    # as scikit-learn's, ~1e-4 relative)
    if pb["dtype"] == np.float64:
        assert certify(pb, ridge, a, 0.0)[0] <= allowed_gap(pb, tol, ridge.coef_)
    # and the two are the same point (mu >= a > 0: the radius is finite)
    assert_same_optimum(pb, enet, ridge, a, 0.0, "enet vs ridge")


def test_enet_ridge_correspondence_uses_total_weight_not_n():
    """The weighted correspondence is alpha_ridge = a * sum(s): a * n is wrong
    as soon as sum(s) != n (guards the property test above against a
    tolerance too loose to tell the two apart)."""
    rng = np.random.default_rng(3)
    n, p = 30, 6
    X = rng.standard_normal((n, p))
    y = X @ rng.standard_normal(p) + rng.standard_normal(n)
    sw = rng.uniform(2.0, 5.0, n)  # sum(s) ~ 3.5 n
    a = 0.5
    enet = ElasticNet(alpha=a, l1_ratio=0.0, tol=1e-14, max_iter=100000).fit(
        X, y, sample_weight=sw)
    right = Ridge(alpha=a * sw.sum()).fit(X, y, sample_weight=sw)
    wrong = Ridge(alpha=a * n).fit(X, y, sample_weight=sw)
    np.testing.assert_allclose(enet.coef_, right.coef_, rtol=1e-8, atol=1e-10)
    assert np.abs(enet.coef_ - wrong.coef_).max() > 1e-3 * np.abs(right.coef_).max()


def test_problem_generator_covers_its_space():
    """The strategy yields every layout, dtype and weight kind (sanity check of
    the generator itself, so that the properties are not vacuous)."""
    seen = set()

    @settings(max_examples=150, deadline=None, database=None)
    @given(pb=problems())
    def collect(pb):
        seen.add((pb["layout"], pb["dtype"].name, pb["sw"] is None))

    collect()
    assert {lay for lay, _, _ in seen} == set(PROBLEM_LAYOUTS)
    assert {dt for _, dt, _ in seen} == {"float64", "float32"}
    assert {w for _, _, w in seen} == {True, False}


# --- Box constraints and standardisation (issue 15) ---------------------------

from fastreg import enet_path, reference as _ref  # noqa: E402


def _box_problem(seed=0, n=70, p=25):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p)) * rng.uniform(0.2, 5.0, p)
    X[:, 3] = 2.0  # a constant column
    coef = np.zeros(p)
    coef[:6] = [3.0, -2.0, 1.5, 0.0, -1.0, 0.8]
    y = X @ coef + rng.standard_normal(n)
    lower = np.full(p, -0.4)
    lower[::4] = -np.inf
    upper = np.full(p, 0.9)
    upper[1::5] = np.inf
    return X, y, lower, upper


def _as(X, kind):
    return {"dense": X, "csc": sp.csc_matrix(X), "csr": sp.csr_matrix(X)}[kind]


@pytest.mark.parametrize("kind", ["dense", "csc", "csr"])
@pytest.mark.parametrize("precompute", [False, True])
@pytest.mark.parametrize("l1_ratio", [1.0, 0.6])
@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("standardize", [False, True])
def test_box_problem_kkt_and_objective_match_the_reference(kind, precompute, l1_ratio,
                                                           fit_intercept, weighted,
                                                           standardize):
    X, y, lower, upper = _box_problem()
    sw = np.random.default_rng(1).uniform(0.5, 2.0, X.shape[0]) if weighted else None
    alpha = 0.05
    m = ElasticNet(alpha=alpha, l1_ratio=l1_ratio, fit_intercept=fit_intercept,
                   precompute=precompute, tol=1e-12, max_iter=100000, lower_bounds=lower,
                   upper_bounds=upper, standardize=standardize)
    m.fit(_as(X, kind), y, sample_weight=sw)
    assert np.all(m.coef_ >= lower) and np.all(m.coef_ <= upper)
    assert np.any(m.coef_ == upper) and np.any(m.coef_ == lower)  # the box binds
    if fit_intercept:
        assert m.coef_[3] == 0  # a constant column
    d = _ref.standard_deviations(X, sw, fit_intercept) if standardize else None
    kkt = _ref.enet_box_kkt_violation(X, y, m.coef_, m.intercept_, alpha, l1_ratio, sw,
                                      fit_intercept, None, lower, upper, d)
    assert kkt < 1e-6
    w_ref, b_ref, _ = _ref.enet_box_coordinate_descent(
        X, y, alpha, l1_ratio, sw, fit_intercept, None, lower, upper, standardize)
    ours = _ref.enet_box_objective(X, y, m.coef_, m.intercept_, alpha, l1_ratio, sw, None,
                                   lower, upper, d)
    theirs = _ref.enet_box_objective(X, y, w_ref, b_ref, alpha, l1_ratio, sw, None, lower,
                                     upper, d)
    assert ours == pytest.approx(theirs, rel=1e-7)
    # The certificate: the reported gap bounds the suboptimality.
    assert ours - theirs <= m.dual_gap_ + 1e-12 * abs(theirs)


@pytest.mark.parametrize("kind", ["dense", "csc"])
@pytest.mark.parametrize("precompute", [False, True])
@pytest.mark.parametrize("l1_ratio", [1.0, 0.5])
def test_dual_gap_bounds_the_true_suboptimality_of_a_loose_box_fit(kind, precompute,
                                                                   l1_ratio):
    X, y, lower, upper = _box_problem(seed=3)
    alpha = 0.02
    w_ref, b_ref, _ = _ref.enet_box_coordinate_descent(X, y, alpha, l1_ratio,
                                                       lower_bounds=lower,
                                                       upper_bounds=upper)
    best = _ref.enet_box_objective(X, y, w_ref, b_ref, alpha, l1_ratio, None, None, lower,
                                   upper)
    for tol in (1e-1, 1e-2, 1e-3):
        m = ElasticNet(alpha=alpha, l1_ratio=l1_ratio, tol=tol, precompute=precompute,
                       lower_bounds=lower, upper_bounds=upper).fit(_as(X, kind), y)
        value = _ref.enet_box_objective(X, y, m.coef_, m.intercept_, alpha, l1_ratio, None,
                                        None, lower, upper)
        assert 0 <= value - best + 1e-13 <= m.dual_gap_ + 1e-12 * best


@pytest.mark.parametrize("kind", ["dense", "csc"])
@pytest.mark.parametrize("precompute", [False, True])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_bounds_never_active_are_bit_identical_to_no_bounds(kind, precompute, dtype):
    X, y, _, _ = _box_problem(seed=2)
    X = X.astype(dtype)
    kw = dict(alpha=0.03, l1_ratio=0.7, precompute=precompute, tol=1e-8)
    plain = ElasticNet(**kw).fit(_as(X, kind), y)
    boxed = ElasticNet(lower_bounds=-1e8, upper_bounds=np.full(X.shape[1], 1e8),
                       **kw).fit(_as(X, kind), y)
    np.testing.assert_array_equal(plain.coef_, boxed.coef_)
    assert plain.intercept_ == boxed.intercept_
    assert plain.dual_gap_ == boxed.dual_gap_ and plain.n_iter_ == boxed.n_iter_


@pytest.mark.parametrize("kind", ["dense", "csc"])
@pytest.mark.parametrize("precompute", [False, True])
def test_lower_zero_is_positive(kind, precompute):
    X, y, _, _ = _box_problem(seed=4)
    pf = np.ones(X.shape[1])
    pf[[0, 5]] = 0
    for extra in ({}, {"penalty_factor": pf}):
        a = ElasticNet(alpha=0.05, positive=True, precompute=precompute, **extra).fit(
            _as(X, kind), y)
        b = ElasticNet(alpha=0.05, lower_bounds=0, precompute=precompute, **extra).fit(
            _as(X, kind), y)
        c = ElasticNet(alpha=0.05, lower_bounds=0, positive=True, precompute=precompute,
                       **extra).fit(_as(X, kind), y)
        for m in (b, c):
            np.testing.assert_array_equal(a.coef_, m.coef_)
            assert a.dual_gap_ == m.dual_gap_


@pytest.mark.parametrize("kind", ["dense", "csc"])
@pytest.mark.parametrize("precompute", [False, True])
def test_bounds_with_unpenalised_features(kind, precompute):
    X, y, lower, upper = _box_problem(seed=5)
    pf = np.ones(X.shape[1])
    pf[[0, 1, 2, 4]] = 0   # 0: [-inf, 0.9]; 1: [-0.4, inf]; 2: [-0.4, 0.9]; 4: [-inf, 0.9]
    m = ElasticNet(alpha=0.05, l1_ratio=0.8, penalty_factor=pf, lower_bounds=lower,
                   upper_bounds=upper, tol=1e-12, max_iter=100000,
                   precompute=precompute).fit(_as(X, kind), y)
    kkt = _ref.enet_box_kkt_violation(X, y, m.coef_, m.intercept_, 0.05, 0.8, None, True,
                                      pf, lower, upper)
    assert kkt < 1e-6
    w_ref, b_ref, _ = _ref.enet_box_coordinate_descent(X, y, 0.05, 0.8, None, True, pf,
                                                       lower, upper)
    ours = _ref.enet_box_objective(X, y, m.coef_, m.intercept_, 0.05, 0.8, None, pf, lower,
                                   upper)
    theirs = _ref.enet_box_objective(X, y, w_ref, b_ref, 0.05, 0.8, None, pf, lower, upper)
    assert ours == pytest.approx(theirs, rel=1e-7)
    assert ours - theirs <= m.dual_gap_ + 1e-12 * abs(theirs)


@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("l1_ratio", [1.0, 0.5])
def test_standardize_is_the_standardised_problem_mapped_back(fit_intercept, l1_ratio):
    X, y, _, _ = _box_problem(seed=6)
    sw = np.random.default_rng(7).integers(1, 4, X.shape[0]).astype(float)
    d = _ref.standard_deviations(X, sw, fit_intercept)
    keep = d > 0
    kw = dict(alpha=0.04, l1_ratio=l1_ratio, fit_intercept=fit_intercept, tol=1e-12,
              max_iter=100000)
    scaled = ElasticNet(**kw).fit(X[:, keep] / d[keep], y, sample_weight=sw)
    mapped = np.zeros(X.shape[1])
    mapped[keep] = scaled.coef_ / d[keep]
    fits = [ElasticNet(standardize=True, **kw).fit(Xk, y, sample_weight=sw)
            for Xk in (X, sp.csc_matrix(X), sp.csr_matrix(X))]
    # Integer weights are repeated rows.
    rows = np.repeat(np.arange(X.shape[0]), sw.astype(int))
    fits.append(ElasticNet(standardize=True, **kw).fit(X[rows], y[rows]))
    # Both solves stop at a relative gap of 1e-12, which pins the coefficients
    # to about sqrt(1e-12) of their scale (the Lasso is not strongly convex).
    for m in fits:
        np.testing.assert_allclose(m.coef_, mapped, rtol=1e-5, atol=1e-6)
        assert m.intercept_ == pytest.approx(scaled.intercept_, rel=1e-5, abs=1e-6)
        if fit_intercept:
            assert m.coef_[3] == 0


@pytest.mark.parametrize("params, match", [
    ({"lower_bounds": 0.5}, "lower_bounds must be <= 0"),
    ({"upper_bounds": -1.0}, "upper_bounds must be >= 0"),
    ({"lower_bounds": np.zeros(3)}, "lower_bounds must be a scalar or have shape"),
    ({"upper_bounds": [1.0, np.nan] + [1.0] * 23}, "upper_bounds must not contain NaN"),
    ({"lower_bounds": -1.0, "positive": True}, "positive=True means lower_bounds=0"),
])
def test_bad_bounds_are_rejected(params, match):
    X, y, _, _ = _box_problem()
    with pytest.raises(ValueError, match=match):
        ElasticNet(**params).fit(X, y)
    with pytest.raises(TypeError, match="lower_bounds"):
        ElasticNet(lower_bounds="low").fit(X, y)


def test_box_path_starts_at_the_box_alpha_max():
    X, y, lower, upper = _box_problem(seed=8)
    upper[:] = 0.0   # only negative coefficients: alpha_max from the negative side
    alphas, coefs, _ = enet_path(X, y, l1_ratio=1.0, n_alphas=20, fit_intercept=True,
                                 lower_bounds=lower, upper_bounds=upper)
    assert np.all(coefs[:, 0] == 0) and np.any(coefs[:, 1] != 0)
    assert np.all(coefs <= 0)
    Xc = X - X.mean(0)
    corr = Xc.T @ (y - y.mean())
    assert alphas[0] == pytest.approx(max(-corr.min(), 0) / X.shape[0], rel=1e-10)
    alphas_std, coefs_std, _ = enet_path(X, y, l1_ratio=1.0, n_alphas=5, fit_intercept=True,
                                         standardize=True)
    d = np.sqrt((Xc ** 2).mean(0))
    keep = d > 0
    assert alphas_std[0] == pytest.approx(
        np.max(np.abs(corr[keep]) / d[keep]) / X.shape[0], rel=1e-10)
    assert np.all(coefs_std[:, 0] == 0) and np.any(coefs_std[:, 1] != 0)
