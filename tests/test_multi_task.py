"""fastreg._multi_task: MultiTaskElasticNet and MultiTaskLasso.

Against scikit-learn's MultiTask estimators (objective within 1e-7 relative,
float32 within its round-off, and the same support) over dense/CSC/CSR,
float32/64, fit_intercept and sample_weight; every fit certified by the
reference's independent duality gap (``fastreg.reference``); one task is
``ElasticNet``; penalty factors against the reference oracle; warm starts,
bad input, the user's arrays left alone.
"""
import warnings

import numpy as np
import pytest
import sklearn.linear_model as sklm
from sklearn.exceptions import ConvergenceWarning

from fastreg import ElasticNet, MultiTaskElasticNet, MultiTaskLasso
from fastreg import reference as ref

from conftest import (DTYPES, LAYOUTS, SAMPLE_WEIGHTS, assert_coef_close, assert_rel_close,
                      assert_unchanged, dense, fit_tol, make_problem, make_sample_weight,
                      obj_rtol, snapshot, to_layout)

ALPHA, L1_RATIO = 0.3, 0.7


def _problem(n=50, p=30, T=4, seed=0):
    X, Y = make_problem(n=n, p=p, n_nonzero=4, n_targets=T, density=0.5, seed=seed)
    # a shared support: the first task's truth drives every task
    Y = Y + 2.0 * X[:, :3] @ np.ones((3, T))
    return X, Y


def _support(coef, rel=1e-6):
    norms = np.linalg.norm(np.asarray(coef, dtype=np.float64), axis=0)
    return norms > rel * max(norms.max(), 1e-300)


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("sw_kind", SAMPLE_WEIGHTS)
@pytest.mark.parametrize("cls", [MultiTaskElasticNet, MultiTaskLasso])
def test_multi_task_matches_sklearn_and_is_certified(layout, dtype, fit_intercept, sw_kind,
                                                     cls):
    X0, Y = _problem()
    sw = make_sample_weight(X0.shape[0], sw_kind)
    X = to_layout(X0, layout, dtype)
    Yd = Y.astype(dtype)
    kw = dict(alpha=ALPHA, fit_intercept=fit_intercept, tol=fit_tol(dtype), max_iter=20000)
    if cls is MultiTaskElasticNet:
        kw["l1_ratio"] = L1_RATIO
    l1_ratio = kw.get("l1_ratio", 1.0)
    ours = cls(**kw).fit(X, Yd, sample_weight=sw)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        theirs = getattr(sklm, cls.__name__)(**kw).fit(X, Yd, sample_weight=sw)
    assert ours.coef_.shape == (Y.shape[1], X0.shape[1]) and ours.coef_.dtype == dtype
    assert ours.intercept_.shape == (Y.shape[1],)
    if not fit_intercept:
        assert np.all(ours.intercept_ == 0)
    obj = ref.multitask_objective(X0, Y, ours.coef_, ours.intercept_, ALPHA, l1_ratio, sw)
    obj_sk = ref.multitask_objective(X0, Y, theirs.coef_, theirs.intercept_, ALPHA,
                                     l1_ratio, sw)
    # ours is never worse than scikit-learn's beyond round-off
    assert obj <= obj_sk * (1 + obj_rtol(dtype))
    assert_rel_close(obj, obj_sk, obj_rtol(dtype))
    np.testing.assert_array_equal(_support(ours.coef_), _support(theirs.coef_))
    # the independent certificate (float64 reference) bounds the suboptimality
    gap = ref.multitask_duality_gap(X0, Y, ours.coef_, ours.intercept_, ALPHA, l1_ratio,
                                    sw, fit_intercept=fit_intercept)
    Yc = Y - (np.average(Y, axis=0, weights=sw) if fit_intercept else 0)
    s = np.ones(len(Y)) if sw is None else sw * len(Y) / sw.sum()
    tol_abs = fit_tol(dtype) * np.sum(s[:, None] * Yc ** 2) / len(Y)
    slack = 0 if dtype == np.float64 else 1e-5 * obj
    assert gap <= 10 * tol_abs + slack, (gap, tol_abs)
    assert ours.dual_gap_ <= tol_abs * (1 + 1e-6) + slack


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("l1_ratio", [1.0, 0.5])
def test_single_task_is_elastic_net(layout, l1_ratio):
    X0, Y = _problem(T=1)
    X = to_layout(X0, layout)
    sw = make_sample_weight(X0.shape[0], "random")
    mt = MultiTaskElasticNet(alpha=ALPHA, l1_ratio=l1_ratio, tol=1e-12,
                             max_iter=20000).fit(X, Y, sample_weight=sw)
    st = ElasticNet(alpha=ALPHA, l1_ratio=l1_ratio, tol=1e-12,
                    max_iter=20000).fit(X, Y[:, 0], sample_weight=sw)
    # both certified to a gap of 1e-12 relative: the objectives agree to it,
    # the coefficients to about its square root
    obj = [ref.enet_objective(X0, Y[:, 0], c, b, ALPHA, l1_ratio, sw)
           for c, b in ((mt.coef_[0], mt.intercept_[0]), (st.coef_, st.intercept_))]
    assert_rel_close(obj[0], obj[1], 1e-11)
    assert_coef_close(mt.coef_[0], st.coef_, 1e-5)
    assert_rel_close(mt.intercept_[0], st.intercept_, 1e-5)


@pytest.mark.parametrize("layout", LAYOUTS)
def test_penalty_factor_against_reference(layout):
    X0, Y = _problem()
    pf = np.linspace(0.5, 2.0, X0.shape[1])
    pf[[1, 5]] = 0.0  # unpenalised: the dual point is projected off them
    est = MultiTaskElasticNet(alpha=ALPHA, l1_ratio=L1_RATIO, tol=1e-12, max_iter=50000,
                              penalty_factor=pf).fit(to_layout(X0, layout), Y)
    W, b, _, _ = ref.multitask_coordinate_descent(X0, Y, ALPHA, L1_RATIO, tol=1e-13,
                                                  max_iter=50000, penalty_factor=pf)
    obj = ref.multitask_objective(X0, Y, est.coef_, est.intercept_, ALPHA, L1_RATIO,
                                  penalty_factor=pf)
    assert_rel_close(obj, ref.multitask_objective(X0, Y, W, b, ALPHA, L1_RATIO,
                                                  penalty_factor=pf), 1e-9)
    assert np.all(np.linalg.norm(est.coef_[:, [1, 5]], axis=0) > 0)
    gap = ref.multitask_duality_gap(X0, Y, est.coef_, est.intercept_, ALPHA, L1_RATIO,
                                    penalty_factor=pf)
    assert gap <= 1e-10 * obj and est.dual_gap_ <= 1e-10 * obj


def test_random_selection_and_warm_start():
    X, Y = _problem()
    cyc = MultiTaskLasso(alpha=ALPHA, tol=1e-12, max_iter=20000).fit(X, Y)
    rnd = MultiTaskLasso(alpha=ALPHA, tol=1e-12, max_iter=20000, selection="random",
                         random_state=0).fit(X, Y)
    assert_coef_close(rnd.coef_, cyc.coef_, 1e-5)
    est = MultiTaskLasso(alpha=ALPHA, tol=1e-12, max_iter=20000, warm_start=True).fit(X, Y)
    n_cold = est.n_iter_
    est.fit(X, Y)
    assert est.n_iter_ < n_cold
    assert_coef_close(est.coef_, cyc.coef_, 1e-6)


def test_alpha_max_gives_zero_and_predict():
    X, Y = _problem()
    a_max = ref.multitask_alpha_max(X, Y)
    at = MultiTaskLasso(alpha=a_max * (1 + 1e-9)).fit(X, Y)
    assert np.all(at.coef_ == 0)
    np.testing.assert_allclose(at.intercept_, Y.mean(axis=0))
    below = MultiTaskLasso(alpha=a_max * 0.9).fit(X, Y)
    assert np.any(below.coef_ != 0)
    np.testing.assert_allclose(below.predict(X), X @ below.coef_.T + below.intercept_)


def test_not_converged_warns_with_the_gap():
    X, Y = _problem()
    with pytest.warns(ConvergenceWarning, match="Duality gap"):
        MultiTaskElasticNet(alpha=0.01, tol=1e-14, max_iter=2).fit(X, Y)


@pytest.mark.parametrize("layout", LAYOUTS)
def test_inputs_unchanged(layout):
    X0, Y = _problem()
    X = to_layout(X0, layout, order="F")
    sw = make_sample_weight(X0.shape[0], "random")
    before = (snapshot(X), snapshot(Y), snapshot(sw))
    MultiTaskElasticNet(alpha=ALPHA).fit(X, Y, sample_weight=sw)
    for b, a in zip(before, (X, Y, sw)):
        assert_unchanged(b, a)
    np.testing.assert_array_equal(dense(X), X0)


@pytest.mark.parametrize("params, match", [
    (dict(alpha=-1.0), "alpha"), (dict(l1_ratio=1.5), "l1_ratio"),
    (dict(max_iter=0), "max_iter"), (dict(tol=-1.0), "tol"),
    (dict(selection="sideways"), "selection"), (dict(fit_intercept="yes"), "fit_intercept"),
    (dict(penalty_factor=np.ones(3)), "penalty_factor"),
    (dict(penalty_factor=-np.ones(30)), "penalty_factor"),
])
def test_bad_parameters(params, match):
    X, Y = _problem()
    with pytest.raises((ValueError, TypeError), match=match):
        MultiTaskElasticNet(**params).fit(X, Y)


def test_bad_data():
    X, Y = _problem()
    with pytest.raises(ValueError, match="mono-task.*ElasticNet"):
        MultiTaskElasticNet().fit(X, Y[:, 0])
    with pytest.raises(ValueError, match="mono-task.*Lasso"):
        MultiTaskLasso().fit(X, Y[:, 0])
    with pytest.raises(ValueError, match="sample"):
        MultiTaskLasso().fit(X, Y[:-1])
    with pytest.raises(ValueError, match="sample_weight"):
        MultiTaskLasso().fit(X, Y, sample_weight=np.ones(3))
    Ynan = Y.copy()
    Ynan[0, 0] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        MultiTaskLasso().fit(X, Ynan)
