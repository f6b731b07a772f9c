"""Per-feature penalty factors (fastreg._penalty) through the public API:
ElasticNet and Lasso, enet_path and lasso_path, ElasticNetCV and LassoCV.

The objective is ``1/(2 S) sum_i s_i (y_i - x_i.w - b)^2 + alpha * sum_j pf_j *
(l1_ratio |w_j| + (1 - l1_ratio) / 2 w_j^2)`` (glmnet's ``penalty.factor``,
not rescaled); ``pf_j = 0`` leaves feature j unpenalised. Every fit is checked
against ``fastreg.reference`` (proven right in test_reference.py): objective,
independent gap certificate, KKT; on every route (dense, sparse, Gram,
random selection, working sets on wide and tall designs), with unit factors
bit-identical to none, and bad factors rejected by every entry point.
"""
import functools
import warnings

import numpy as np
import pytest
from scipy.optimize import nnls

import fastreg
import fastreg._enet_solver as cd_mod
from fastreg._preprocess import Design
from fastreg import reference as ref

from conftest import (DTYPES, LAYOUTS, SAMPLE_WEIGHTS, assert_coef_close,
                      assert_rel_close, centred_weighted, correlated_design, dense,
                      fit_quiet, fit_tol, make_rng, make_sample_weight,
                      make_text_like, obj_rtol, sparse_truth, to_layout)
from penalty_problems import (N, P, PF_KINDS, oracle, pf_of, problem, problem_alpha,
                              reference_solution, tol_unit, total_weight, weights)


def _estimator(l1_ratio, **kw):
    if l1_ratio == 1.0:
        return fastreg.Lasso(**kw)
    return fastreg.ElasticNet(l1_ratio=l1_ratio, **kw)


def _data_as_seen(X, y, sw, dtype):
    Xs = dense(np.asarray(dense(X), dtype=dtype))
    ys = np.asarray(y, dtype=dtype).astype(np.float64)
    sws = None if sw is None else np.asarray(sw, dtype=dtype).astype(np.float64)
    return Xs, ys, sws


def _gap_slack(dtype):
    return 1e-12 if np.dtype(dtype) == np.float64 else 5e-6


def _kkt_bound(X, y, sw, fit_intercept, alpha, l1_ratio, pf, eps):
    """KKT violation allowed at a point eps above the optimum (as in
    test_coordinate_descent._kkt_bound, with the l2 curvature
    alpha (1 - l1_ratio) pf_j)."""
    Xc, _, _, _ = centred_weighted(X, y, sw, fit_intercept)
    S = total_weight(sw, X.shape[0])
    col = np.sqrt(np.max(np.sum(Xc * Xc, axis=0)))
    return 2 * (col * np.sqrt(2 * eps / S)
                + np.sqrt(2 * eps * alpha * (1 - l1_ratio) * np.max(pf)))


@pytest.mark.parametrize("l1_ratio", [1.0, 0.5])
@pytest.mark.parametrize("positive", [False, True])
@pytest.mark.parametrize("sw_kind", SAMPLE_WEIGHTS)
@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("layout", LAYOUTS)
def test_unit_factors_bit_identical_to_none(layout, dtype, fit_intercept, sw_kind,
                                            positive, l1_ratio):
    X, y = problem()
    sw = weights(sw_kind)
    alpha = problem_alpha(l1_ratio, sw_kind, fit_intercept, "ones", positive)
    kw = dict(alpha=alpha, fit_intercept=fit_intercept, positive=positive,
              tol=fit_tol(dtype), max_iter=100000)
    Xl = to_layout(X, layout, dtype)
    a = fit_quiet(_estimator(l1_ratio, **kw), Xl, y, sample_weight=sw)
    b = fit_quiet(_estimator(l1_ratio, penalty_factor=np.ones(P), **kw), Xl, y,
                  sample_weight=sw)
    c = fit_quiet(_estimator(l1_ratio, penalty_factor=[1] * P, **kw), Xl, y,
                  sample_weight=sw)
    for e in (b, c):
        np.testing.assert_array_equal(e.coef_, a.coef_)
        assert e.coef_.dtype == a.coef_.dtype
        assert e.intercept_ == a.intercept_
        assert e.dual_gap_ == a.dual_gap_
        assert e.n_iter_ == a.n_iter_


@pytest.mark.parametrize("pf_kind", PF_KINDS)
@pytest.mark.parametrize("l1_ratio", [1.0, 0.5])
@pytest.mark.parametrize("positive", [False, True])
@pytest.mark.parametrize("sw_kind", SAMPLE_WEIGHTS)
@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("layout", LAYOUTS)
def test_fit_optimal_vs_reference(layout, dtype, fit_intercept, sw_kind, positive,
                                  l1_ratio, pf_kind):
    X, y = problem()
    sw, pf = weights(sw_kind), pf_of(pf_kind)
    alpha, w_ref, b_ref, _ = reference_solution(l1_ratio, sw_kind, fit_intercept,
                                                 pf_kind, positive)
    tol = fit_tol(dtype)
    est = _estimator(l1_ratio, alpha=alpha, fit_intercept=fit_intercept, positive=positive,
                     tol=tol, max_iter=100000, penalty_factor=pf)
    fit_quiet(est, to_layout(X, layout, dtype), y, sample_weight=sw)
    assert est.coef_.shape == (P,) and est.coef_.dtype == np.dtype(dtype)
    np.testing.assert_array_equal(est.penalty_factor, pf)  # not modified, not rescaled
    if positive:
        assert np.all(est.coef_ >= 0)
    if pf_kind == "zeros" and not positive:
        assert np.all(est.coef_[pf == 0] != 0), est.coef_

    obj = ref.enet_objective(X, y, est.coef_, est.intercept_, alpha, l1_ratio, sw,
                             penalty_factor=pf)
    obj_ref = ref.enet_objective(X, y, w_ref, b_ref, alpha, l1_ratio, sw, penalty_factor=pf)
    assert_rel_close(obj, obj_ref, obj_rtol(dtype), "objective vs reference:")

    Xs, ys, sws = _data_as_seen(X, y, sw, dtype)
    scale = tol_unit(Xs, ys, sws, fit_intercept)
    gap = ref.enet_duality_gap(Xs, ys, est.coef_, est.intercept_, alpha, l1_ratio, sws,
                               fit_intercept, positive, penalty_factor=pf)
    assert gap <= (tol + _gap_slack(dtype)) * scale, (gap, tol * scale)
    kkt = ref.enet_kkt_violation(Xs, ys, est.coef_, est.intercept_, alpha, l1_ratio, sws,
                                 fit_intercept, positive, penalty_factor=pf)
    assert kkt <= _kkt_bound(Xs, ys, sws, fit_intercept, alpha, l1_ratio, pf,
                             (tol + _gap_slack(dtype)) * scale), kkt
    # the self-reported gap: converged, and (float64) a valid bound, i.e. not
    # below the suboptimality measured against the reference optimum
    assert -_gap_slack(dtype) * scale <= est.dual_gap_ <= (tol * (1 + 1e-6)
                                                          + _gap_slack(dtype)) * scale, \
        (est.dual_gap_, tol * scale)
    if np.dtype(dtype) == np.float64:
        assert est.dual_gap_ >= obj - obj_ref - 1e-12 * scale, (est.dual_gap_, obj - obj_ref)


@pytest.mark.parametrize("solver", ["gram", "random"])
@pytest.mark.parametrize("pf_kind", PF_KINDS)
def test_gram_and_random_selection(solver, pf_kind):
    """The Gram (precompute=True) kernel and random selection honour the factors."""
    X, y = problem()
    sw, pf = weights("random"), pf_of(pf_kind)
    alpha, w_ref, b_ref, _ = reference_solution(0.5, "random", True, pf_kind, False)
    kw = (dict(precompute=True) if solver == "gram"
          else dict(selection="random", random_state=0))
    est = fit_quiet(fastreg.ElasticNet(alpha=alpha, l1_ratio=0.5, tol=1e-10,
                                       max_iter=100000, penalty_factor=pf, **kw),
                    X, y, sample_weight=sw)
    assert_rel_close(ref.enet_objective(X, y, est.coef_, est.intercept_, alpha, 0.5, sw,
                                        penalty_factor=pf),
                     ref.enet_objective(X, y, w_ref, b_ref, alpha, 0.5, sw,
                                        penalty_factor=pf), 1e-7)
    assert ref.enet_duality_gap(X, y, est.coef_, est.intercept_, alpha, 0.5, sw,
                                penalty_factor=pf) <= 1.01e-10 * tol_unit(X, y, sw, True)


def _positive_unpenalised_problem(n, p, seed=3):
    """Unpenalised features whose unconstrained least-squares coefficients have
    both signs (so some sign constraints are active at the optimum), two of
    them duplicates (a singular X_J^T X_J)."""
    rng = make_rng(seed)
    X = correlated_design(n, p, rho=0.5, seed=seed)
    X[:, 4] = X[:, 2]
    w = np.zeros(p)
    w[[0, 2, 4, 7, 9]] = [2.0, 1.5, 0.0, -3.0, 1.0]
    w[[11, 12, 13]] = [-1.0, 0.5, 2.0]
    y = X @ w + 0.5 * rng.standard_normal(n)
    pf = np.ones(p)
    pf[[2, 4, 7, 9, 1]] = 0.0
    return X, y, pf


@pytest.mark.parametrize("layout, route", [(layout, route) for layout in LAYOUTS
                                           for route in ("cd", "random")]
                         + [("dense", route) for route in ("gram", "working_set", "tall")])
@pytest.mark.parametrize("l1_ratio", [1.0, 0.5])
def test_positive_with_unpenalised_features(layout, l1_ratio, route, spy):
    """positive=True with zero factors, on every route: the certificate projects
    the dual point off only the unpenalised columns whose sign constraint is
    inactive, so it is valid (below the suboptimality against the reference
    optimum) and reaches tol; KKT holds, coefficients are >= 0."""
    n, p = {"working_set": (60, 600), "tall": (6400, 128)}.get(route, (50, 20))
    X, y, pf = _positive_unpenalised_problem(n, p)
    sw = make_sample_weight(n, "random", seed=4)
    alpha = ref.alpha_max(X, y, l1_ratio, sw, True, penalty_factor=pf, positive=True) / 20
    kw = dict(alpha=alpha, tol=1e-10, max_iter=200000, positive=True, penalty_factor=pf)
    if route == "gram":
        kw["precompute"] = True
    if route == "random":
        kw.update(selection="random", random_state=0)
    est = fit_quiet(_estimator(l1_ratio, **kw), to_layout(X, layout), y, sample_weight=sw)
    if route in ("working_set", "tall"):
        calls, sizes = spy
        assert calls and sizes and min(sizes) < p, "the working-set route was not taken"
    w, b = est.coef_, est.intercept_
    assert np.all(w >= 0)
    scale = tol_unit(X, y, sw, True)
    gap = ref.enet_duality_gap(X, y, w, b, alpha, l1_ratio, sw, True, True, penalty_factor=pf)
    assert gap <= 1.01e-10 * scale, gap / scale
    assert est.dual_gap_ <= 1.01e-10 * scale
    w_ref, b_ref = ref.enet_coordinate_descent(
        X, y, alpha, l1_ratio, sw, True, True, tol=1e-15, max_iter=200000,
        penalty_factor=pf)[:2]
    obj = ref.enet_objective(X, y, w, b, alpha, l1_ratio, sw, penalty_factor=pf)
    obj_ref = ref.enet_objective(X, y, w_ref, b_ref, alpha, l1_ratio, sw, penalty_factor=pf)
    assert_rel_close(obj, obj_ref, 1e-8)
    # the reported gap bounds the true suboptimality (a valid certificate)
    assert est.dual_gap_ >= obj - obj_ref - 1e-12 * scale
    kkt = ref.enet_kkt_violation(X, y, w, b, alpha, l1_ratio, sw, True, True,
                                 penalty_factor=pf)
    assert kkt <= _kkt_bound(X, y, sw, True, alpha, l1_ratio, pf, 1.01e-10 * scale), kkt
    # some unpenalised feature is held at its bound, some is free
    assert np.any(w[pf == 0] == 0) and np.any(w[pf == 0] > 0)


@pytest.mark.parametrize("layout", LAYOUTS)
def test_positive_unpenalised_cv(layout):
    X, y, pf = _positive_unpenalised_problem(60, 20)
    est = fit_quiet(fastreg.LassoCV(cv=3, positive=True, penalty_factor=pf, tol=1e-8,
                                    alphas=20), to_layout(X, layout), y)
    assert np.all(est.coef_ >= 0)
    assert ref.enet_duality_gap(X, y, est.coef_, est.intercept_, est.alpha_, 1.0, None,
                                True, True, penalty_factor=pf) <= 1.01e-8 * tol_unit(
        X, y, None, True)
    a_max = ref.alpha_max(X, y, 1.0, None, True, penalty_factor=pf, positive=True)
    assert est.alphas_[0] == pytest.approx(a_max, rel=1e-10)


@pytest.mark.parametrize("layout", LAYOUTS)
def test_rescaled_design_equivalence_in_fastreg(layout):
    """Lasso(pf) on X == Lasso on X / pf, coefficients divided by pf."""
    X, y = problem()
    pf = pf_of("mixed")
    a = ref.alpha_max(X, y, penalty_factor=pf) / 10
    got = fit_quiet(fastreg.Lasso(alpha=a, tol=1e-12, max_iter=100000, penalty_factor=pf),
                    to_layout(X, layout), y)
    plain = fit_quiet(fastreg.Lasso(alpha=a, tol=1e-12, max_iter=100000),
                      to_layout(X / pf, layout), y)
    assert_coef_close(got.coef_, plain.coef_ / pf, 1e-6)
    assert abs(got.intercept_ - plain.intercept_) <= 1e-6 * (1 + abs(plain.intercept_))


@pytest.mark.parametrize("layout", LAYOUTS)
def test_multi_target_equals_columnwise(layout):
    X, y = problem()
    Y = np.column_stack([y, -0.5 * y + X[:, 0]])
    pf = pf_of("zeros")
    kw = dict(alpha=0.05, l1_ratio=0.7, tol=1e-10, max_iter=100000, penalty_factor=pf)
    both = fit_quiet(fastreg.ElasticNet(**kw), to_layout(X, layout), Y)
    for k in range(2):
        one = fit_quiet(fastreg.ElasticNet(**kw), to_layout(X, layout), Y[:, k])
        assert_coef_close(both.coef_[k], one.coef_, 1e-6)
        assert ref.enet_duality_gap(X, Y[:, k], both.coef_[k], both.intercept_[k], 0.05,
                                    0.7, penalty_factor=pf) <= 1.01e-10 * tol_unit(
                                        X, Y[:, k], None, True)


@pytest.mark.parametrize("l1_ratio", [1.0, 0.5])
@pytest.mark.parametrize("sw_kind", SAMPLE_WEIGHTS)
@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("layout", LAYOUTS)
def test_unpenalised_never_zero_at_huge_alpha(layout, fit_intercept, sw_kind, l1_ratio):
    X, y = problem()
    sw, pf = weights(sw_kind), pf_of("zeros")
    U = pf == 0
    est = fit_quiet(_estimator(l1_ratio, alpha=1e6, fit_intercept=fit_intercept,
                               tol=1e-10, penalty_factor=pf),
                    to_layout(X, layout), y, sample_weight=sw)
    assert np.all(est.coef_[~U] == 0)
    Xc, yc, xm, ym = centred_weighted(X, y, sw, fit_intercept)
    ls = np.linalg.lstsq(Xc[:, U], yc, rcond=None)[0]
    assert np.all(est.coef_[U] != 0)
    assert_coef_close(est.coef_[U], ls, 1e-6)
    if fit_intercept:
        assert est.intercept_ == pytest.approx(ym - xm[U] @ ls, rel=1e-7, abs=1e-9)


@pytest.mark.parametrize("layout", LAYOUTS)
def test_unpenalised_duplicate_takes_the_weight(layout):
    """Column 1 (pf = 0) duplicated as column 3 (pf > 0): at the optimum the
    penalised copy is zero, the unpenalised one carries the coefficient."""
    X, y = problem()
    X[:, 3] = X[:, 1]
    y = y + 2 * X[:, 1]
    pf = pf_of("zeros")
    assert pf[1] == 0 and pf[3] > 0
    a = ref.alpha_max(X, y, penalty_factor=pf) / 20
    est = fit_quiet(fastreg.Lasso(alpha=a, tol=1e-12, max_iter=100000, penalty_factor=pf),
                    to_layout(X, layout), y)
    assert est.coef_[3] == 0 and est.coef_[1] != 0
    assert ref.enet_duality_gap(X, y, est.coef_, est.intercept_, a,
                                penalty_factor=pf) <= 1.01e-12 * tol_unit(X, y, None, True)


@pytest.mark.parametrize("layout", LAYOUTS)
def test_rank_deficient_unpenalised_columns(layout):
    """Unpenalised columns that are constant (zero once centred) or duplicates
    of each other: the projection must cope with a rank-deficient X_U."""
    X, y = problem()
    pf = pf_of("zeros")                      # unpenalised: 1, 6, 10
    X[:, 6] = 3.0                            # constant
    X[:, 10] = X[:, 1]                       # duplicate
    est = fit_quiet(fastreg.ElasticNet(alpha=0.1, l1_ratio=0.7, tol=1e-10,
                                       max_iter=100000, penalty_factor=pf),
                    to_layout(X, layout), y)
    assert est.coef_[6] == 0
    w, b, _, _ = ref.enet_coordinate_descent(X, y, 0.1, 0.7, tol=1e-15, max_iter=20000,
                                             penalty_factor=pf)
    args = (0.1, 0.7, None)
    assert_rel_close(ref.enet_objective(X, y, est.coef_, est.intercept_, *args,
                                        penalty_factor=pf),
                     ref.enet_objective(X, y, w, b, *args, penalty_factor=pf), 1e-9)
    assert ref.enet_duality_gap(X, y, est.coef_, est.intercept_, *args,
                                penalty_factor=pf) <= 1.01e-10 * tol_unit(X, y, None, True)


@pytest.mark.parametrize("tiny, tol", [(1e-12, 1e-10), (1e-8, 1e-7)])
@pytest.mark.parametrize("layout", LAYOUTS)
def test_tiny_positive_factors_converge(layout, tiny, tol):
    """pf_j > 0 but tiny: the dual constraint |x_j . theta| <= l1 pf_j is then
    at round-off level, and the scaled dual point's gap has a floor of about
    eps ||x_j|| ||r|| / (l1 pf_j) (relative).  The reference also tries the
    point projected off those columns (gap ~ l1 pf_j |w_j|): together, their
    floor is highest near pf ~ sqrt(eps) (~1e-10 relative here), hence the
    looser tol there.  The solver must converge and be certified."""
    X, y = problem()
    pf = np.ones(P)
    pf[[1, 6]] = tiny
    est = fit_quiet(fastreg.Lasso(alpha=0.1, tol=tol, max_iter=20000, penalty_factor=pf),
                    to_layout(X, layout), y)
    w, b, gap_ref, _ = ref.enet_coordinate_descent(X, y, 0.1, tol=tol / 100,
                                                   max_iter=5000, penalty_factor=pf)
    scale = tol_unit(X, y, None, True)
    assert gap_ref <= tol / 100 * scale
    assert ref.enet_duality_gap(X, y, est.coef_, est.intercept_, 0.1,
                                penalty_factor=pf) <= 1.01 * tol * scale
    assert_rel_close(ref.enet_objective(X, y, est.coef_, est.intercept_, 0.1,
                                        penalty_factor=pf),
                     ref.enet_objective(X, y, w, b, 0.1, penalty_factor=pf), 1e-9)


@pytest.mark.parametrize("l1_ratio", [1.0, 0.5])
def test_tall_design(l1_ratio, spy):
    """n >= WS_TALL * p: the strategy also runs on tall dense designs."""
    n, p = 700, 12
    X = correlated_design(n, p, rho=0.7, seed=3)
    y = X @ sparse_truth(p, 4, seed=3) + make_rng(4).standard_normal(n) + 1.0
    pf = np.linspace(0.5, 2.0, p)
    pf[[0, 5]] = 0.0
    alpha = ref.alpha_max(X, y, l1_ratio, penalty_factor=pf) / 10
    est = fit_quiet(_estimator(l1_ratio, alpha=alpha, tol=1e-10, max_iter=100000,
                               penalty_factor=pf), X, y)
    w, b, _, _ = ref.enet_coordinate_descent(X, y, alpha, l1_ratio, tol=1e-15,
                                             max_iter=20000, penalty_factor=pf)
    args = (alpha, l1_ratio, None)
    assert_rel_close(ref.enet_objective(X, y, est.coef_, est.intercept_, *args,
                                        penalty_factor=pf),
                     ref.enet_objective(X, y, w, b, *args, penalty_factor=pf), 1e-9)
    assert ref.enet_duality_gap(X, y, est.coef_, est.intercept_, *args,
                                penalty_factor=pf) <= 1.01e-10 * tol_unit(X, y, None, True)
    assert np.all(est.coef_[pf == 0] != 0)


# --------------------------------------------------------------------------
# paths
# --------------------------------------------------------------------------
@pytest.mark.parametrize("pf_kind", ["mixed", "zeros"])
@pytest.mark.parametrize("sw_kind", SAMPLE_WEIGHTS)
@pytest.mark.parametrize("l1_ratio", [1.0, 0.5])
@pytest.mark.parametrize("layout", LAYOUTS)
def test_path_grid_and_points(layout, l1_ratio, sw_kind, pf_kind):
    X, y = problem()
    sw, pf = weights(sw_kind), pf_of(pf_kind)
    pen = pf > 0
    path = fastreg.lasso_path if l1_ratio == 1.0 else functools.partial(
        fastreg.enet_path, l1_ratio=l1_ratio)
    alphas, coefs, gaps = path(to_layout(X, layout), y, n_alphas=12, eps=1e-2, tol=1e-10,
                               max_iter=100000, fit_intercept=True, sample_weight=sw,
                               penalty_factor=pf)
    a_max = ref.alpha_max(X, y, l1_ratio, sw, True, penalty_factor=pf)
    assert alphas[0] == pytest.approx(a_max, rel=1e-10)
    np.testing.assert_allclose(alphas, np.geomspace(a_max, a_max * 1e-2, 12), rtol=1e-10)
    # everything penalised is zero (up to the round-off of alpha_max, computed
    # from the least-squares residual on the unpenalised columns) ...
    assert np.all(np.abs(coefs[pen, 0]) <= 1e-10 * np.abs(coefs[:, -1]).max())
    assert np.any(coefs[pen, 1] != 0)            # ... and only down to alpha_max
    Xc, yc, xm, ym = centred_weighted(X, y, sw, True)
    if (~pen).any():                             # unpenalised: the LS fit
        ls = np.linalg.lstsq(Xc[:, ~pen], yc, rcond=None)[0]
        assert_coef_close(coefs[~pen, 0], ls, 1e-4)  # tol=1e-10 on the objective
        assert np.all(coefs[~pen, :] != 0)
    scale = tol_unit(X, y, sw, True)
    for i in range(0, len(alphas), 3):
        a, w = alphas[i], coefs[:, i]
        b = ym - xm @ w
        assert ref.enet_duality_gap(X, y, w, b, a, l1_ratio, sw, True,
                                    penalty_factor=pf) <= 1.01e-10 * scale
        one = fit_quiet(_estimator(l1_ratio, alpha=a, tol=1e-10, max_iter=100000,
                                   penalty_factor=pf), X, y, sample_weight=sw)
        assert_rel_close(ref.enet_objective(X, y, w, b, a, l1_ratio, sw, penalty_factor=pf),
                         ref.enet_objective(X, y, one.coef_, one.intercept_, a, l1_ratio,
                                            sw, penalty_factor=pf), 1e-7)


@pytest.mark.parametrize("layout", LAYOUTS)
def test_path_explicit_alphas_no_intercept(layout):
    """sklearn's defaults (no intercept), explicit alphas, given in any order."""
    X, y = problem()
    pf = pf_of("zeros")
    grid = [0.5, 0.02, 0.1]
    alphas, coefs, _ = fastreg.enet_path(to_layout(X, layout), y, l1_ratio=0.7,
                                         alphas=grid, tol=1e-12, max_iter=100000,
                                         penalty_factor=pf)
    for i, a in enumerate(alphas):
        w_o, _ = oracle(X, y, a, 0.7, None, False, pf, False)
        assert_rel_close(ref.enet_objective(X, y, coefs[:, i], 0.0, a, 0.7,
                                            penalty_factor=pf),
                         ref.enet_objective(X, y, w_o, 0.0, a, 0.7, penalty_factor=pf),
                         1e-9)
        assert ref.enet_duality_gap(X, y, coefs[:, i], 0.0, a, 0.7, fit_intercept=False,
                                    penalty_factor=pf) <= 1.01e-12 * (y @ y) / N


@pytest.mark.parametrize("pf_kind", PF_KINDS)
def test_path_positive(pf_kind):
    """positive=True: every point certified; the grid starts at the signed
    alpha_max (unpenalised part: non-negative least squares)."""
    X, y = problem()
    pf, sw = pf_of(pf_kind), weights("random")
    alphas, coefs, _ = fastreg.lasso_path(X, y, n_alphas=8, eps=1e-2, tol=1e-10,
                                          max_iter=100000, positive=True,
                                          fit_intercept=True, sample_weight=sw,
                                          penalty_factor=pf)
    assert np.all(coefs >= 0)
    _, _, xm, ym = centred_weighted(X, y, sw, True)
    for a, w in zip(alphas, coefs.T):
        assert ref.enet_duality_gap(X, y, w, ym - xm @ w, a, 1.0, sw, True, True,
                                    penalty_factor=pf) <= 1.01e-10 * tol_unit(X, y, sw, True)
    a_max = ref.alpha_max(X, y, 1.0, sw, True, penalty_factor=pf, positive=True)
    assert alphas[0] == pytest.approx(a_max, rel=1e-10)
    # penalised features are zero at alpha_max, up to the round-off of alpha_max
    # itself when it comes from a (non-negative) least-squares residual on U
    assert np.all(np.abs(coefs[pf > 0, 0]) <= 1e-10 * np.abs(coefs[:, -1]).max())
    assert np.any(coefs[pf > 0, 1] != 0)
    if np.any(pf == 0):  # at alpha_max: the non-negative least squares on U alone
        Xc, yc, _, _ = centred_weighted(X, y, sw, True)
        z = nnls(Xc[:, pf == 0], yc)[0]
        assert_coef_close(coefs[pf == 0, 0], z, 1e-4)
        assert np.any(z == 0) and np.any(z > 0)  # some sign constraint is active


# --------------------------------------------------------------------------
# cross-validation
# --------------------------------------------------------------------------
def _manual_cv_alpha(X, y, sw, l1_ratio, alphas, pf, n_folds=3):
    """Mean held-out weighted MSE over KFold(n_folds) of paths on each fold."""
    from sklearn.model_selection import KFold
    mse = np.zeros(len(alphas))
    for train, test in KFold(n_folds).split(X):
        sw_tr = None if sw is None else sw[train]
        _, coefs, _ = fastreg.enet_path(X[train], y[train], l1_ratio=l1_ratio,
                                        alphas=alphas, tol=1e-10, max_iter=100000,
                                        fit_intercept=True, sample_weight=sw_tr,
                                        penalty_factor=pf)
        b = np.array([np.average(y[train] - X[train] @ w, weights=sw_tr) for w in coefs.T])
        res = X[test] @ coefs + b - y[test][:, None]
        mse += np.average(res ** 2, axis=0, weights=None if sw is None else sw[test])
    return alphas[np.argmin(mse)]


@pytest.mark.parametrize("sw_kind", SAMPLE_WEIGHTS)
@pytest.mark.parametrize("pf_kind", PF_KINDS)
@pytest.mark.parametrize("l1_ratio", [1.0, 0.5])
def test_cv(l1_ratio, pf_kind, sw_kind):
    X, y = problem()
    sw, pf = weights(sw_kind), pf_of(pf_kind)
    kw = dict(alphas=10, eps=1e-2, cv=3, tol=1e-10, max_iter=100000, penalty_factor=pf)
    cv = (fastreg.LassoCV(**kw) if l1_ratio == 1.0
          else fastreg.ElasticNetCV(l1_ratio=l1_ratio, **kw))
    fit_quiet(cv, X, y, sample_weight=sw)
    a_max = ref.alpha_max(X, y, l1_ratio, sw, True, penalty_factor=pf)
    assert cv.alphas_[0] == pytest.approx(a_max, rel=1e-10)
    assert cv.alpha_ in cv.alphas_
    assert cv.alpha_ == _manual_cv_alpha(X, y, sw, l1_ratio, cv.alphas_, pf)
    one = fit_quiet(_estimator(l1_ratio, alpha=cv.alpha_, tol=1e-10, max_iter=100000,
                               penalty_factor=pf), X, y, sample_weight=sw)
    args = (cv.alpha_, l1_ratio, sw)
    assert_rel_close(ref.enet_objective(X, y, cv.coef_, cv.intercept_, *args,
                                        penalty_factor=pf),
                     ref.enet_objective(X, y, one.coef_, one.intercept_, *args,
                                        penalty_factor=pf), 1e-7)
    assert ref.enet_duality_gap(X, y, cv.coef_, cv.intercept_, cv.alpha_, l1_ratio, sw,
                                penalty_factor=pf) <= 1.01e-10 * tol_unit(X, y, sw, True)


def test_cv_sparse_and_l1_ratio_list():
    X, y = make_text_like(n=90, p=30, seed=2)
    pf = np.linspace(0.5, 2.0, 30)
    pf[[0, 7]] = 0.0
    cv = fit_quiet(fastreg.ElasticNetCV(l1_ratio=[0.5, 1.0], alphas=8, eps=1e-2, cv=3,
                                        tol=1e-10, max_iter=100000, penalty_factor=pf),
                   X, y)
    assert cv.l1_ratio_ in (0.5, 1.0) and cv.alpha_ in cv.alphas_[[0.5, 1.0].index(
        cv.l1_ratio_)]
    for i, r in enumerate((0.5, 1.0)):
        assert cv.alphas_[i, 0] == pytest.approx(
            ref.alpha_max(X, y, r, penalty_factor=pf), rel=1e-10)
    assert np.all(cv.coef_[[0, 7]] != 0)
    assert ref.enet_duality_gap(X, y, cv.coef_, cv.intercept_, cv.alpha_, cv.l1_ratio_,
                                penalty_factor=pf) <= 1.01e-10 * tol_unit(dense(X), y, None,
                                                                        True)


# --------------------------------------------------------------------------
# wide dense design: the working-set strategy
# --------------------------------------------------------------------------
@pytest.fixture
def spy(monkeypatch):
    """Calls of the working-set strategy, and the sizes of the column subsets
    it restricts the design to."""
    calls, sizes = [], []
    solve_ws, restrict = cd_mod._solve_ws, Design.restrict

    def counting_solve(*args, **kw):
        calls.append(1)
        return solve_ws(*args, **kw)

    def counting_restrict(design, cols):
        sizes.append(len(cols))
        return restrict(design, cols)

    monkeypatch.setattr(cd_mod, "_solve_ws", counting_solve)
    monkeypatch.setattr(Design, "restrict", counting_restrict)
    monkeypatch.setattr(cd_mod, "WS_MIN_ENTRIES", 0)  # small problems engage it too
    return calls, sizes


@functools.lru_cache(maxsize=None)
def _wide():
    n, p = 80, 800
    X = correlated_design(n, p, rho=0.9, seed=6)
    w = sparse_truth(p, 12, seed=6)
    y = X @ w + 0.5 * make_rng(13).standard_normal(n) + 3.0
    pf = make_rng(14).uniform(0.5, 2.0, size=p)
    support = np.flatnonzero(w)
    pf[support[:2]] = 0.0                      # unpenalised and truly active
    pf[[5, 300, 301, 777]] = 0.0               # unpenalised, not in the truth
    return X, y, pf


@pytest.mark.parametrize("l1_ratio", [1.0, 0.5])
@pytest.mark.parametrize("sw_kind", SAMPLE_WEIGHTS)
def test_wide_working_set(sw_kind, l1_ratio, spy, monkeypatch):
    X, y, pf = _wide()
    X, y = X.copy(), y.copy()
    sw = make_sample_weight(len(y), sw_kind, seed=2)
    U = pf == 0
    alpha = ref.alpha_max(X, y, l1_ratio, sw, penalty_factor=pf) / 20
    kw = dict(alpha=alpha, tol=1e-10, max_iter=100000, penalty_factor=pf)
    calls, sizes = spy
    got = fit_quiet(_estimator(l1_ratio, **kw), X, y, sample_weight=sw)
    assert calls, "the working-set strategy did not run"
    assert sizes and max(sizes) < X.shape[1] // 2
    assert np.all(got.coef_[U] != 0)
    monkeypatch.setattr(cd_mod, "WS_MIN_FEATURES", np.iinfo(np.int64).max)
    if hasattr(cd_mod, "WS_TALL"):
        monkeypatch.setattr(cd_mod, "WS_TALL", np.inf)
    calls.clear()
    plain = fit_quiet(_estimator(l1_ratio, **kw), X, y, sample_weight=sw)
    assert not calls
    f = [ref.enet_objective(X, y, e.coef_, e.intercept_, alpha, l1_ratio, sw,
                            penalty_factor=pf) for e in (got, plain)]
    assert_rel_close(f[0], f[1], 1e-7)
    scale = tol_unit(X, y, sw, True)
    gap = ref.enet_duality_gap(X, y, got.coef_, got.intercept_, alpha, l1_ratio, sw,
                               penalty_factor=pf)
    assert gap <= 1.01e-10 * scale, gap / scale
    assert ref.enet_kkt_violation(X, y, got.coef_, got.intercept_, alpha, l1_ratio, sw,
                                  penalty_factor=pf) < 1e-4 * alpha


def test_wide_path_huge_alpha_and_grid():
    X, y, pf = _wide()
    alphas, coefs, _ = fastreg.lasso_path(X, y, n_alphas=5, eps=0.1, tol=1e-10,
                                          max_iter=100000, fit_intercept=True,
                                          penalty_factor=pf)
    assert alphas[0] == pytest.approx(ref.alpha_max(X, y, penalty_factor=pf), rel=1e-10)
    assert np.all(coefs[pf > 0, 0] == 0) and np.any(coefs[pf > 0, 1] != 0)
    _, _, xm, ym = centred_weighted(X, y)
    for a, w in zip(alphas, coefs.T):
        assert ref.enet_duality_gap(X, y, w, ym - xm @ w, a, penalty_factor=pf) <= \
            1.01e-10 * tol_unit(X, y, None, True)


# --------------------------------------------------------------------------
# validation
# --------------------------------------------------------------------------
BAD = {
    "short": np.ones(P - 1),
    "long": np.ones(P + 1),
    "2d": np.ones((2, P)),
    "negative": np.r_[-0.5, np.ones(P - 1)],
    "nan": np.r_[np.nan, np.ones(P - 1)],
    "inf": np.r_[np.inf, np.ones(P - 1)],
    "all_zero": np.zeros(P),
}

ENTRY_POINTS = {
    "ElasticNet": lambda X, y, pf: fastreg.ElasticNet(alpha=0.1, penalty_factor=pf).fit(X, y),
    "Lasso": lambda X, y, pf: fastreg.Lasso(alpha=0.1, penalty_factor=pf).fit(X, y),
    "ElasticNetCV": lambda X, y, pf: fastreg.ElasticNetCV(alphas=3, cv=2,
                                                          penalty_factor=pf).fit(X, y),
    "LassoCV": lambda X, y, pf: fastreg.LassoCV(alphas=3, cv=2,
                                                penalty_factor=pf).fit(X, y),
    "enet_path": lambda X, y, pf: fastreg.enet_path(X, y, n_alphas=3, penalty_factor=pf),
    "lasso_path": lambda X, y, pf: fastreg.lasso_path(X, y, n_alphas=3, penalty_factor=pf),
}


@pytest.mark.parametrize("bad", list(BAD))
@pytest.mark.parametrize("entry", list(ENTRY_POINTS))
def test_invalid_penalty_factor(entry, bad):
    X, y = problem()
    pf = BAD[bad].copy()
    with pytest.raises(ValueError, match="penalty_factor"):
        ENTRY_POINTS[entry](X, y, pf)


@pytest.mark.parametrize("entry", list(ENTRY_POINTS))
def test_non_numeric_penalty_factor(entry):
    X, y = problem()
    with pytest.raises((TypeError, ValueError)):
        ENTRY_POINTS[entry](X, y, ["a"] * P)


@pytest.mark.parametrize("entry", ["ElasticNet", "Lasso", "ElasticNetCV", "LassoCV"])
def test_estimator_param_plumbing(entry):
    """A constructor parameter: default None, in get_params, clonable, stored
    as given (no validation or copy in __init__), user's array not modified."""
    from sklearn.base import clone
    cls = getattr(fastreg, entry)
    assert cls().get_params()["penalty_factor"] is None
    pf = pf_of("zeros")
    est = cls(penalty_factor=pf)
    assert est.get_params()["penalty_factor"] is pf
    np.testing.assert_array_equal(clone(est).get_params()["penalty_factor"], pf)
    X, y = problem()
    kw = {"alphas": 3, "cv": 2} if entry.endswith("CV") else {"alpha": 0.1}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        cls(penalty_factor=pf, **kw).fit(X, y)
    np.testing.assert_array_equal(pf, pf_of("zeros"))


# --------------------------------------------------------------------------
# the box's helpers: check_bounds, resolve_box, box_is_positive, side_values,
# bounded_least_squares, Penalty.entry_correlations
# --------------------------------------------------------------------------
from fastreg._penalty import (bounded_least_squares, box_is_positive,  # noqa: E402
                              check_bounds, resolve_box, side_values)


def test_check_bounds_broadcasts_and_validates():
    assert check_bounds(None, None, 4) is None
    lo, hi = check_bounds(-1.0, None, 4)
    np.testing.assert_array_equal(lo, -np.ones(4))
    assert np.all(np.isposinf(hi)) and lo.dtype == hi.dtype == np.float64
    given = [-np.inf, 0.0, -2.0, -0.5]
    lo, hi = check_bounds(given, [1.0, np.inf, 0.0, 3.0], 4)
    np.testing.assert_array_equal(lo, given)
    assert lo is not given
    user = np.array([-1.0, -2.0, 0.0, -3.0])
    before = user.copy()
    lo, _ = check_bounds(user, None, 4)
    lo[0] = 5.0
    np.testing.assert_array_equal(user, before)      # never the user's array
    with pytest.raises(ValueError, match="lower_bounds must be <= 0"):
        check_bounds(0.1, None, 4)
    with pytest.raises(ValueError, match="upper_bounds must be >= 0"):
        check_bounds(None, [1.0, -1.0, 1.0, 1.0], 4)
    with pytest.raises(ValueError, match=r"lower_bounds must be a scalar or have shape \(4,\)"):
        check_bounds(np.zeros(3), None, 4)
    with pytest.raises(ValueError, match="upper_bounds must not contain NaN"):
        check_bounds(None, np.nan, 4)
    with pytest.raises(TypeError, match="lower_bounds"):
        check_bounds("zero", None, 4)
    with pytest.raises(TypeError, match="upper_bounds must contain real numbers"):
        check_bounds(None, [object()] * 4, 4)
    # positive=True is lower = 0: a lower of 0 agrees, another does not
    lo, hi = check_bounds(None, 2.0, 4, positive=True)
    np.testing.assert_array_equal(lo, np.zeros(4))
    assert check_bounds(0.0, None, 4, positive=True)[0].tolist() == [0.0] * 4
    with pytest.raises(ValueError, match="positive=True means lower_bounds=0"):
        check_bounds(-1.0, None, 4, positive=True)


def test_resolve_box_and_box_is_positive():
    """[0, +inf) everywhere is positive=True and no box: one code path."""
    assert resolve_box(None, None, 3, False) == (None, False)
    assert resolve_box(None, None, 3, True) == (None, True)
    assert resolve_box(0.0, None, 3, False) == (None, True)
    assert resolve_box([0.0, 0.0, 0.0], np.inf, 3, False) == (None, True)
    bounds, positive = resolve_box(0.0, [1.0, np.inf, np.inf], 3, False)
    assert not positive and not box_is_positive(bounds)
    np.testing.assert_array_equal(bounds[1], [1.0, np.inf, np.inf])
    bounds, positive = resolve_box(None, 1.0, 3, True)
    assert positive and np.all(bounds[0] == 0) and np.all(bounds[1] == 1)
    assert not box_is_positive(None)
    assert box_is_positive((np.zeros(2), np.full(2, np.inf)))
    assert not box_is_positive((np.array([0.0, -1.0]), np.full(2, np.inf)))


def test_side_values():
    """The signed correlation on the sides that can move; -inf when neither can."""
    c = np.array([2.0, -3.0, 2.0, -3.0, 1.0, 5.0])
    lower = np.array([-np.inf, -np.inf, 0.0, 0.0, 0.0, -1.0])
    upper = np.array([np.inf, np.inf, np.inf, np.inf, 0.0, 0.0])
    np.testing.assert_array_equal(side_values(c, lower, upper),
                                  [2.0, 3.0, 2.0, -3.0, -np.inf, -5.0])
    # both sides free: |c|
    free = side_values(c, np.full(6, -1.0), np.full(6, 1.0))
    np.testing.assert_array_equal(free, np.abs(c))


def test_bounded_least_squares_is_lbfgsb():
    """argmin_{l <= z <= u} 1/2 z'Gz - b'z for a singular PSD G, against
    scipy's L-BFGS-B on the same quadratic (objective to 1e-10) and its KKT
    conditions (projected gradient 0)."""
    from scipy.optimize import minimize

    rng = np.random.default_rng(70)
    A = rng.standard_normal((20, 6))
    A[:, 5] = A[:, 0] + A[:, 1]                     # rank deficient
    G, b = A.T @ A, A.T @ rng.standard_normal(20)
    lower = np.array([-0.1, -np.inf, 0.0, -1.0, -np.inf, 0.0])
    upper = np.array([0.2, np.inf, np.inf, 0.0, 0.05, 0.3])
    z = bounded_least_squares(G, b, lower, upper)
    assert np.all(z >= lower) and np.all(z <= upper)
    f = lambda v: (0.5 * v @ G @ v - b @ v, G @ v - b)  # noqa: E731
    res = minimize(f, np.zeros(6), jac=True, method="L-BFGS-B",
                   bounds=[(None if np.isneginf(lo) else lo, None if np.isposinf(hi) else hi)
                           for lo, hi in zip(lower, upper)],
                   options=dict(ftol=1e-16, gtol=1e-12, maxiter=10000))
    assert f(z)[0] <= res.fun + 1e-10 * abs(res.fun)
    g = G @ z - b
    proj = np.where(z <= lower, np.minimum(g, 0.0), np.where(z >= upper, np.maximum(g, 0.0), g))
    assert np.max(np.abs(proj)) < 1e-8


@pytest.mark.parametrize("standardize", [False, True])
@pytest.mark.parametrize("l1_ratio", [1.0, 0.5])
def test_entry_correlations_give_the_box_alpha_max(l1_ratio, standardize):
    """Penalty.entry_correlations: per penalised feature, the correlation with
    the residual of the bounded least squares on the unpenalised features, on
    the sides its box lets it move, over its L1 factor (pf d with
    standardize), in NumPy; their maximum over n l1_ratio is alpha_max: there
    the zero penalised part is optimal for the box problem (the reference's
    KKT), slightly below it no longer."""
    from fastreg._enet_solver import make_penalty
    from fastreg._path import alpha_max
    from fastreg._preprocess import preprocess

    rng = np.random.default_rng(71)
    n, p = 60, 8
    X = rng.standard_normal((n, p)) * rng.uniform(0.3, 3.0, p)
    y = X @ np.array([1.5, -2.0, 1.0, -1.0, 0.5, 0.0, 0.0, 0.0]) + rng.standard_normal(n)
    pf = np.r_[0.0, 1.0, 0.5, 2.0, 1.0, 1.0, 1.0, 1.0]
    lower = np.array([-0.5, 0.0, -np.inf, -np.inf, 0.0, -1.0, -np.inf, 0.0])
    upper = np.array([np.inf, np.inf, 0.0, np.inf, 0.0, np.inf, np.inf, np.inf])
    design = preprocess(X, y, None, True, normalize_weights=True)
    penalty = make_penalty(design, pf, (lower, upper), standardize)
    entry = penalty.entry_correlations(design.rmatvec(design.y))
    # NumPy: centred data, bounded least squares of y on feature 0
    Xc, yc = X - X.mean(axis=0), y - y.mean()
    d = Xc.std(axis=0) if standardize else np.ones(p)
    from scipy.optimize import lsq_linear
    z0 = lsq_linear(Xc[:, :1], yc, bounds=(lower[:1], upper[:1])).x
    c = Xc.T @ (yc - Xc[:, :1] @ z0)
    pen = pf > 0
    expected = side_values(c, lower, upper)[pen] / (pf * d)[pen]
    np.testing.assert_allclose(entry, expected, rtol=1e-9, atol=1e-9 * np.abs(c).max())
    assert np.isneginf(entry[3])                   # feature 4 is fixed at 0
    amax = alpha_max(design, l1_ratio, penalty=penalty)
    assert amax == pytest.approx(max(entry.max(), 0.0) / (n * l1_ratio), rel=1e-12)
    scale = ref.standard_deviations(X) if standardize else None
    w = np.zeros(p)
    w[0] = z0[0]
    b = y.mean() - X.mean(axis=0) @ w
    assert ref.enet_box_kkt_violation(X, y, w, b, amax, l1_ratio, None, True, pf, lower,
                                      upper, scale) < 1e-10
    below, _, _ = ref.enet_box_coordinate_descent(X, y, 0.97 * amax, l1_ratio, None, True,
                                                  pf, lower, upper, standardize, tol=1e-14)
    assert np.any(below[pen] != 0)
