"""fastreg._multi_task_working_set: the working-set loop of the multi-task driver.

Its full gap equals the reference's (kernel units); on wide and tall dense
designs (the shapes the driver sends it) the loop reaches the reference
oracle's optimum with a certified gap, for float32/64, intercept, weights,
Elastic-Net and positive penalty factors; the driver takes it where
``working_set_pays`` says so and not for paths, sparse X or unpenalised
features.
"""
import numpy as np
import pytest
import scipy.sparse as sp

from fastreg import MultiTaskElasticNet
from fastreg import reference as ref
from fastreg._multi_task_solver import MultiTaskProblem, working_set_pays
from fastreg._multi_task_working_set import multi_task_gap
from fastreg._preprocess import preprocess

from conftest import DTYPES, SAMPLE_WEIGHTS, make_problem, make_sample_weight

WIDE = dict(n=40, p=600, n_nonzero=5)
TALL = dict(n=7000, p=130, n_nonzero=6)


@pytest.mark.parametrize("l1_ratio", [1.0, 0.7])
def test_gap_equals_reference(l1_ratio):
    X, Y = make_problem(n=30, p=20, n_nonzero=3, n_targets=3, seed=1)
    rng = np.random.default_rng(0)
    W = rng.standard_normal((20, 3)) * (rng.random(20) < 0.3)[:, None]
    pf = rng.uniform(0.5, 2.0, 20)
    alpha, n = 0.3, 30
    design = preprocess(X, Y, None, True, normalize_weights=True)
    R = design.y2d - design.matvec(W)
    gap, gap_l1, _, _ = multi_task_gap(design.rmatvec(R), float(np.sum(R * R)),
                                       float(np.sum(R * design.y2d)), W,
                                       alpha * l1_ratio * n, alpha * (1 - l1_ratio) * n, pf)
    b = design.y_mean - W.T @ design.x_mean
    want = ref.multitask_duality_gap(X, Y, W.T, b, alpha, l1_ratio, penalty_factor=pf)
    assert gap / n == pytest.approx(want, rel=1e-9)
    assert gap_l1 >= gap * (1 - 1e-12)


@pytest.mark.parametrize("shape", ["wide", "tall"])
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("sw", SAMPLE_WEIGHTS)
@pytest.mark.parametrize("l1_ratio", [1.0, 0.6])
def test_loop_reaches_reference_optimum(shape, dtype, fit_intercept, sw, l1_ratio):
    size = WIDE if shape == "wide" else TALL
    X, Y = make_problem(**size, n_targets=4, seed=2)
    X = X.astype(dtype)
    Y = Y.astype(dtype)
    s = make_sample_weight(X.shape[0], sw)
    pf = np.random.default_rng(3).uniform(0.5, 1.5, X.shape[1])
    alpha = 0.2 * ref.multitask_alpha_max(X, Y, l1_ratio, s, fit_intercept)
    est = MultiTaskElasticNet(alpha=alpha, l1_ratio=l1_ratio, fit_intercept=fit_intercept,
                              tol=1e-10 if dtype == np.float64 else 1e-6,
                              penalty_factor=pf, max_iter=5000)
    design = preprocess(X, Y, s, fit_intercept, normalize_weights=True, lazy=True)
    assert MultiTaskProblem(design, pf).working_set  # the route under test
    est.fit(X, Y, sample_weight=s)
    gap = ref.multitask_duality_gap(X, Y, est.coef_, est.intercept_, alpha, l1_ratio, s,
                                    fit_intercept, penalty_factor=pf)
    # the fit's certificate bounds the true suboptimality's bound at its point
    p_fit = ref.multitask_objective(X, Y, est.coef_, est.intercept_, alpha, l1_ratio, s, pf)
    oracle = ref.multitask_coordinate_descent(X.astype(np.float64), Y.astype(np.float64),
                                              alpha, l1_ratio, s, fit_intercept, tol=1e-12,
                                              max_iter=20000, penalty_factor=pf)
    p_ref = ref.multitask_objective(X, Y, oracle[0], oracle[1], alpha, l1_ratio, s, pf)
    rtol = 1e-8 if dtype == np.float64 else 1e-4
    assert p_fit <= p_ref * (1 + rtol)
    assert gap <= max(est.dual_gap_, 0) * (1 + 1e-3) + rtol * p_ref
    np.testing.assert_array_equal(np.any(est.coef_ != 0, axis=0),
                                  np.any(np.asarray(oracle[0]) != 0, axis=0))


def test_route_choice():
    X, Y = make_problem(**WIDE, n_targets=3)
    dense = preprocess(X, Y, None, True, normalize_weights=True, lazy=True)
    assert working_set_pays(dense, 1, None)
    assert not working_set_pays(dense, 100, None)  # a path
    pf = np.ones(X.shape[1])
    pf[0] = 0
    assert not working_set_pays(dense, 1, pf)  # an unpenalised feature
    sparse = preprocess(sp.csc_matrix(X), Y, None, True, normalize_weights=True)
    assert not working_set_pays(sparse, 1, None)
    small = preprocess(X[:, :30], Y, None, True, normalize_weights=True)
    assert not working_set_pays(small, 1, None)
    assert not MultiTaskProblem(dense, precompute=False).working_set
