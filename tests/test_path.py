"""fastreg._path: ``enet_path`` and ``lasso_path``, and their alpha grid.

Paths are checked point by point against scikit-learn's paths (same grid,
objective within 1e-7) and against the independent duality gap of
``fastreg.reference``; screening is checked on adversarial, highly correlated
designs against the reference solver, which screens nothing. Also: explicit
alphas (sorted, as scikit-learn), ``coef_init``, ``return_n_iter`` and the
errors on bad arguments.
"""
import warnings

import numpy as np
import pytest
import sklearn.linear_model as sklm
from sklearn.exceptions import ConvergenceWarning

from fastreg import enet_path, lasso_path
from fastreg import reference as ref

from conftest import LAYOUTS, make_problem, make_sample_weight, to_layout

N, P = 50, 80


def _quiet(fn, *args, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return fn(*args, **kw)


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("l1_ratio", [1.0, 0.5])
def test_path_matches_sklearn_at_every_alpha(layout, l1_ratio):
    X, y = make_problem(n=N, p=P, n_nonzero=6, rho=0.6, seed=1)
    Xl = to_layout(X, layout)
    alphas, coefs, gaps = enet_path(Xl, y, l1_ratio=l1_ratio, n_alphas=30, tol=1e-12,
                                    max_iter=100000)
    sk_alphas, sk_coefs, _ = _quiet(sklm.enet_path, X, y, l1_ratio=l1_ratio, alphas=30,
                                    tol=1e-12, max_iter=100000)
    np.testing.assert_allclose(alphas, sk_alphas, rtol=1e-14)
    assert coefs.shape == (P, 30) and gaps.shape == (30,)
    for i, a in enumerate(alphas):
        ours = ref.enet_objective(X, y, coefs[:, i], 0.0, a, l1_ratio)
        theirs = ref.enet_objective(X, y, sk_coefs[:, i], 0.0, a, l1_ratio)
        assert ours <= theirs * (1 + 1e-7)
        assert abs(ours - theirs) <= 1e-7 * theirs
        gap = ref.enet_duality_gap(X, y, coefs[:, i], 0.0, a, l1_ratio, fit_intercept=False)
        assert gap <= 1e-12 * (y @ y) / N * 1.01
        assert gaps[i] <= 1e-12 * (y @ y) / N * 1.01


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("sw_kind", [None, "random"])
@pytest.mark.parametrize("positive", [False, True])
def test_path_with_intercept_and_weights_is_certified(layout, sw_kind, positive):
    X, y = make_problem(n=N, p=P, n_nonzero=6, rho=0.5, seed=2, positive_truth=positive)
    sw = make_sample_weight(N, sw_kind, seed=3)
    a_max = ref.alpha_max(X, y, 1.0, sw, True)
    alphas, coefs, gaps = enet_path(to_layout(X, layout), y, l1_ratio=1.0, n_alphas=20,
                                    eps=1e-2, tol=1e-10, max_iter=100000,
                                    fit_intercept=True, sample_weight=sw, positive=positive)
    if not positive:
        assert alphas[0] == pytest.approx(a_max, rel=1e-12)
    assert np.all(coefs[:, 0] == 0)  # alpha_max gives the zero solution
    yc = y - np.average(y, weights=sw)
    bound = 1e-10 * np.average(yc ** 2, weights=sw) * 1.01
    for i, a in enumerate(alphas):
        w = coefs[:, i]
        if positive:
            assert np.all(w >= 0)
        b = np.average(y - X @ w, weights=sw)
        assert ref.enet_duality_gap(X, y, w, b, a, 1.0, sw, True, positive) <= bound


def test_screening_keeps_active_features_on_correlated_design():
    """rho = 0.99: neighbouring features are near duplicates, the hardest case
    for safe rules. Every point of the path must be optimal, i.e. as good as
    the reference solver that never screens, and satisfy KKT."""
    X, y = make_problem(n=40, p=60, n_nonzero=8, rho=0.99, density=1.0, seed=4)
    alphas, coefs, _ = lasso_path(X, y, n_alphas=25, eps=1e-3, tol=1e-12,
                                  max_iter=200000, fit_intercept=True)
    for i in range(0, 25, 3):
        a = alphas[i]
        w = coefs[:, i]
        b = y.mean() - X.mean(axis=0) @ w
        ref_w, ref_b, _, _ = ref.enet_coordinate_descent(X, y, a, tol=1e-13, max_iter=200000)
        ours = ref.enet_objective(X, y, w, b, a)
        theirs = ref.enet_objective(X, y, ref_w, ref_b, a)
        assert ours <= theirs * (1 + 1e-9)
        assert ref.enet_kkt_violation(X, y, w, b, a) <= 1e-5 * a


def test_path_explicit_alphas_coef_init_and_n_iter():
    X, y = make_problem(n=N, p=P, seed=5)
    alphas, coefs, gaps, n_iter = lasso_path(X, y, alphas=[0.01, 0.1, 0.05],
                                             return_n_iter=True, tol=1e-10)
    np.testing.assert_array_equal(alphas, [0.1, 0.05, 0.01])  # decreasing, as sklearn
    assert n_iter.shape == (3,) and np.all(n_iter >= 0)
    # starting at the solution: the gap check before the first epoch suffices
    _, again, _, n_iter2 = lasso_path(X, y, alphas=[0.1], coef_init=coefs[:, 0],
                                      return_n_iter=True, tol=1e-10)
    assert n_iter2[0] == 0
    np.testing.assert_array_equal(again[:, 0], coefs[:, 0])


def test_path_rejects_bad_input():
    X, y = make_problem(n=N, p=P, seed=6)
    with pytest.raises(ValueError, match="y"):  # (2-D: the multi-task path)
        lasso_path(X, np.stack([y, y], axis=1)[:, :, None])
    with pytest.raises(ValueError, match="alphas"):
        lasso_path(X, y, alphas=[-1.0])
    with pytest.raises(ValueError, match="l1_ratio"):
        enet_path(X, y, l1_ratio=0.0)  # automatic grid needs an L1 term
    with pytest.raises(ValueError, match="coef_init"):
        lasso_path(X, y, coef_init=np.zeros(P + 1))
    with pytest.raises(ValueError, match="Unexpected parameters in params"):
        lasso_path(X, y, bogus=1)


def test_enet_path_unexpected_params():
    X, y = make_problem(n=20, p=5)
    with pytest.raises(ValueError, match="Unexpected parameters in params"):
        enet_path(X, y, normalize=True)


@pytest.mark.parametrize("layout", ["dense", "csc", "csr"])
@pytest.mark.parametrize("l1_ratio", [1.0, 0.6])
def test_two_dimensional_y_is_the_multi_task_path(layout, l1_ratio):
    """enet_path/lasso_path with a 2-D y: scikit-learn's multi-task path (same
    grid, coefs of shape (n_tasks, n_features, n_alphas), same objective at
    each alpha), certified by the reference's gap."""
    import sklearn.linear_model as sklm
    from fastreg import reference as ref
    X0, Y = make_problem(n=50, p=15, n_targets=3, seed=4)
    X = to_layout(X0, layout)
    fn = lasso_path if l1_ratio == 1.0 else enet_path
    kw = {} if l1_ratio == 1.0 else {"l1_ratio": l1_ratio}
    alphas, coefs, gaps = fn(X, Y, n_alphas=10, tol=1e-10, max_iter=50000, **kw)
    sk_alphas, sk_coefs, _ = getattr(sklm, fn.__name__)(X, Y, n_alphas=10, tol=1e-10,
                                                        max_iter=50000, **kw)
    np.testing.assert_allclose(alphas, sk_alphas, rtol=1e-10)
    assert coefs.shape == sk_coefs.shape == (3, 15, 10)
    for k, a in enumerate(alphas):
        obj = ref.multitask_objective(X0, Y, coefs[:, :, k], 0.0, a, l1_ratio)
        obj_sk = ref.multitask_objective(X0, Y, sk_coefs[:, :, k], 0.0, a, l1_ratio)
        assert obj <= obj_sk * (1 + 1e-9) and obj == pytest.approx(obj_sk, rel=1e-7)
        # tol is relative to ||Y||_F^2 / n (no centering on a path by default)
        assert ref.multitask_duality_gap(X0, Y, coefs[:, :, k], 0.0, a, l1_ratio,
                                         fit_intercept=False) <= 1e-9 * np.mean(
                                             np.sum(Y ** 2, axis=1))
        assert gaps[k] <= 1e-10 * np.mean(np.sum(Y ** 2, axis=1))
    with pytest.raises(ValueError, match="positive"):
        enet_path(X, Y, positive=True)
    with pytest.raises(ValueError, match="coef_init"):
        enet_path(X, Y, coef_init=np.zeros(15))
    with pytest.raises(ValueError, match="l1_ratio"):
        enet_path(X, Y, l1_ratio=0.0)  # automatic grid needs an L1 term
