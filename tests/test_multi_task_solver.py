"""fastreg._multi_task_solver and its kernels (fastreg._kernels._cd_multi_task).

The dense, sparse and Gram kernels reach the reference oracle's optimum
(float32/64), with and without screening, extrapolation, random order; their
gaps are certificates (the reference's gap at their point is no larger);
penalty factors with unpenalised features; the driver's path is warm-started
and matches independent fits; shape errors are ValueErrors.
"""
import numpy as np
import pytest
import scipy.sparse as sp

from fastreg import reference as ref
from fastreg._kernels._cd_multi_task import mt_cd_dense, mt_cd_gram, mt_cd_sparse
from fastreg._multi_task_solver import MultiTaskProblem, multi_task_path
from fastreg._preprocess import preprocess

from conftest import DTYPES, assert_rel_close, make_problem, make_sample_weight

ALPHA, L1_RATIO = 0.2, 0.8


def _problem(T=3, seed=0):
    X, Y = make_problem(n=40, p=25, n_nonzero=4, n_targets=T, density=0.5, seed=seed)
    return X, Y


def _solve(route, design, dtype, l1, l2, tol, **kw):
    n, p = design.shape
    Y = np.ascontiguousarray(design.y2d, dtype=dtype)
    W = np.zeros((p, Y.shape[1]), dtype=dtype)
    if route == "dense":
        out = mt_cd_dense(np.asfortranarray(design.X.toarray() if design.sparse else design.X,
                                            dtype=dtype), Y, W, l1, l2, 20000, tol, 0,
                          kw.pop("random", False), **kw)
    elif route == "sparse":
        X = design.X
        norms, colsum = design.column_stats()
        out = mt_cd_sparse(X.data, X.indices, X.indptr, design.x_mean, design.sqrt_sw,
                           norms, colsum, Y, W, l1, l2, 20000, tol, 0,
                           kw.pop("random", False), **kw)
    else:
        Xd = design.X.toarray() - np.outer(design.sqrt_sw, design.x_mean) \
            if design.sparse else design.X
        Xd = Xd.astype(np.float64)
        out = mt_cd_gram(np.asfortranarray(Xd.T @ Xd, dtype=dtype),
                         np.ascontiguousarray(Xd.T @ Y, dtype=dtype),
                         float(np.sum(Y.astype(np.float64) ** 2)), W, l1, l2, 20000, tol,
                         0, kw.pop("random", False), **kw)
    return W, out


@pytest.mark.parametrize("route", ["dense", "sparse", "gram"])
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("options", [{}, {"screen": False}, {"anderson_k": 0},
                                     {"random": True}, {"anderson_k": 3, "gap_freq": 1}])
def test_kernels_reach_the_oracle_and_certify(route, dtype, options):
    X, Y = _problem()
    sw = make_sample_weight(X.shape[0], "random")
    Xin = sp.csc_matrix(X, dtype=dtype) if route == "sparse" else X.astype(dtype)
    design = preprocess(Xin, Y.astype(dtype), sw.astype(dtype), True,
                        normalize_weights=True)
    n = X.shape[0]
    tol = 1e-10 if dtype == np.float64 else 1e-6
    W, (gap, tol_scaled, n_iter, converged) = _solve(
        route, design, dtype, ALPHA * L1_RATIO * n, ALPHA * (1 - L1_RATIO) * n, tol,
        **dict(options))
    assert converged and gap <= tol_scaled and n_iter >= 1
    coef = W.T.astype(np.float64)
    b = design.y_mean - coef @ design.x_mean
    Wr, br, _, _ = ref.multitask_coordinate_descent(X, Y, ALPHA, L1_RATIO, sw, tol=1e-13,
                                                    max_iter=20000)
    obj = ref.multitask_objective(X, Y, coef, b, ALPHA, L1_RATIO, sw)
    obj_ref = ref.multitask_objective(X, Y, Wr, br, ALPHA, L1_RATIO, sw)
    assert_rel_close(obj, obj_ref, 1e-9 if dtype == np.float64 else 1e-5)
    true_gap = ref.multitask_duality_gap(X, Y, coef, b, ALPHA, L1_RATIO, sw)
    # the kernel's gap (kernel units / n) bounds the suboptimality as the
    # independent one does, to the dtype's round-off
    slack = 0 if dtype == np.float64 else 1e-5 * obj
    assert obj - obj_ref <= gap / n + 1e-12 * obj + slack
    assert true_gap <= 10 * tol_scaled / n + slack


@pytest.mark.parametrize("route", ["dense", "sparse", "gram"])
def test_kernels_with_unpenalised_features(route):
    X, Y = _problem()
    pf = np.ones(X.shape[1])
    pf[[0, 3]] = 0.0
    pf[7] = 3.0
    Xin = sp.csc_matrix(X) if route == "sparse" else X
    design = preprocess(Xin, Y, None, True, normalize_weights=True)
    problem = MultiTaskProblem(design, pf, precompute=route == "gram")
    assert (problem.G is not None) == (route == "gram")
    W = np.zeros((X.shape[1], Y.shape[1]))
    gap, _ = problem.solve(W, ALPHA, L1_RATIO, tol=1e-12, max_iter=50000, seed=0,
                           random=False)
    coef = W.T
    b = design.y_mean - coef @ design.x_mean
    Wr, br, _, _ = ref.multitask_coordinate_descent(X, Y, ALPHA, L1_RATIO, tol=1e-13,
                                                    max_iter=50000, penalty_factor=pf)
    obj = ref.multitask_objective(X, Y, coef, b, ALPHA, L1_RATIO, penalty_factor=pf)
    assert_rel_close(obj, ref.multitask_objective(X, Y, Wr, br, ALPHA, L1_RATIO,
                                                  penalty_factor=pf), 1e-9)
    assert gap <= 1e-11 * obj
    assert ref.multitask_duality_gap(X, Y, coef, b, ALPHA, L1_RATIO,
                                     penalty_factor=pf) <= 1e-10 * obj
    # alpha_max: every penalised row zero at it, not below it
    a_max = problem.alpha_max(L1_RATIO)
    for scale, zero in ((1 + 1e-8, True), (0.95, False)):
        W[:] = 0
        problem.solve(W, a_max * scale, L1_RATIO, tol=1e-12, max_iter=50000, seed=0,
                      random=False)
        assert np.all(W[pf > 0] == 0) == zero


@pytest.mark.parametrize("sparse", [False, True])
def test_path_is_warm_started_and_matches_single_fits(sparse):
    X, Y = _problem()
    design = preprocess(sp.csc_matrix(X) if sparse else X, Y, None, True,
                        normalize_weights=True)
    problem = MultiTaskProblem(design, None, n_fits=8)
    alphas = np.geomspace(problem.alpha_max(1.0), problem.alpha_max(1.0) * 1e-2, 8)
    coefs, gaps, n_iters = multi_task_path(problem, alphas, 1.0, tol=1e-12,
                                           max_iter=20000)
    assert coefs.shape == (Y.shape[1], X.shape[1], 8) and np.all(gaps <= 1e-10)
    cold = 0
    for k, alpha in enumerate(alphas):
        W = np.zeros((X.shape[1], Y.shape[1]))
        _, it = problem.solve(W, alpha, 1.0, tol=1e-12, max_iter=20000, seed=0,
                              random=False)
        cold += it
        obj = [ref.multitask_objective(X, Y, C, design.y_mean - C @ design.x_mean, alpha)
               for C in (coefs[:, :, k], W.T)]
        assert_rel_close(obj[0], obj[1], 1e-10)
    assert n_iters.sum() < cold


def test_kernel_shape_errors():
    X, Y = _problem()
    W = np.zeros((X.shape[1], Y.shape[1]))
    Xf, Yc = np.asfortranarray(X), np.ascontiguousarray(Y)
    with pytest.raises(ValueError, match="W must have shape"):
        mt_cd_dense(Xf, Yc, np.zeros((3, Y.shape[1])), 1.0, 0.0, 10, 1e-4, 0, False)
    with pytest.raises(ValueError, match="rows"):
        mt_cd_dense(Xf, Yc[:-1], W, 1.0, 0.0, 10, 1e-4, 0, False)
    with pytest.raises(ValueError, match="gap_freq"):
        mt_cd_dense(Xf, Yc, W, 1.0, 0.0, 10, 1e-4, 0, False, gap_freq=0)
    with pytest.raises(ValueError, match="penalty_factor"):
        mt_cd_dense(Xf, Yc, W, 1.0, 0.0, 10, 1e-4, 0, False, penalty_factor=np.ones(2))
    with pytest.raises(ValueError, match="unpen_idx"):
        mt_cd_dense(Xf, Yc, W, 1.0, 0.0, 10, 1e-4, 0, False,
                    unpen_idx=np.array([0], dtype=np.intc))
    with pytest.raises(ValueError, match="square"):
        mt_cd_gram(np.asfortranarray(X[:5]), np.ascontiguousarray(Y[:5]), 1.0, W, 1.0,
                   0.0, 10, 1e-4, 0, False)
