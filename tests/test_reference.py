"""fastreg.reference, the NumPy oracle of the test suite, proven right
independently of fastreg's solvers.

Penalty factors (``penalty_problems.oracle``: scikit-learn and scipy only):

* all ``pf_j > 0``: the problem is scikit-learn's Lasso on the rescaled design
  ``X[:, j] / pf_j`` (``w_j = w'_j / pf_j``);
* some ``pf_j = 0``: Frisch-Waugh-Lovell, the penalised part is the Lasso on
  design and target residualised on the unpenalised columns, the unpenalised
  part least squares on what the penalised part leaves;
* Elastic-Net: also a Lasso, on the residualised design augmented with
  ``sqrt(l2 / pf_j)`` rows; ``positive``: a non-negative least-squares problem
  (``1/2 w'Hw - c'w = 1/2 ||L'w - L^-1 c||^2 + const``, ``H = LL'``) solved
  by scipy's NNLS;
* the reference duality gap is ``>= P(w) - P*`` (weak duality) at arbitrary
  points, ~0 at the optimum, and equals the existing gap for ``pf = ones``.

Degenerate input: the certificate on a single weighted sample.
"""
import numpy as np
import pytest
import scipy.sparse as sp
import sklearn.linear_model as sklm
from scipy.optimize import nnls

from fastreg import Lasso
from fastreg import reference as ref

from conftest import (SAMPLE_WEIGHTS, assert_coef_close, assert_rel_close,
                      centred_weighted, make_problem, make_rng, make_sample_weight,
                      to_layout)
from penalty_problems import (N, P, PF_KINDS, oracle, oracle_solution, pf_of, problem,
                              reference_solution, tol_unit, total_weight, weights)


# --------------------------------------------------------------------------
# penalty factors
# --------------------------------------------------------------------------
def test_reference_validates_penalty_factor():
    X, y = problem()
    w = np.zeros(P)
    fns = [lambda pf: ref.enet_objective(X, y, w, 0.0, 0.1, penalty_factor=pf),
           lambda pf: ref.enet_duality_gap(X, y, w, 0.0, 0.1, penalty_factor=pf),
           lambda pf: ref.enet_kkt_violation(X, y, w, 0.0, 0.1, penalty_factor=pf),
           lambda pf: ref.alpha_max(X, y, penalty_factor=pf),
           lambda pf: ref.enet_coordinate_descent(X, y, 0.1, penalty_factor=pf)]
    bad = [np.ones(P - 1), np.ones((2, P)), np.r_[-1.0, np.ones(P - 1)],
           np.r_[np.nan, np.ones(P - 1)], np.r_[np.inf, np.ones(P - 1)], np.zeros(P)]
    for fn in fns:
        for pf in bad:
            with pytest.raises(ValueError, match="penalty_factor"):
                fn(pf)
        with pytest.raises((TypeError, ValueError)):
            fn(["a"] * P)


@pytest.mark.parametrize("positive", [False, True])
@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("sw_kind", SAMPLE_WEIGHTS)
def test_reference_lasso_is_sklearn_on_rescaled_design(sw_kind, fit_intercept, positive):
    """All pf_j > 0: Lasso(X, pf) is scikit-learn's Lasso on X[:, j] / pf_j."""
    X, y = problem()
    sw, pf = weights(sw_kind), pf_of("mixed")
    alpha = ref.alpha_max(X, y, 1.0, sw, fit_intercept, penalty_factor=pf,
                          positive=positive) / 8
    sk = sklm.Lasso(alpha=alpha, fit_intercept=fit_intercept, positive=positive,
                    tol=1e-14, max_iter=10**6).fit(X / pf, y, sample_weight=sw)
    w_sk, b_sk = sk.coef_ / pf, float(sk.intercept_)
    w, b, gap, _ = ref.enet_coordinate_descent(X, y, alpha, 1.0, sw, fit_intercept,
                                               positive, tol=1e-15, max_iter=20000,
                                               penalty_factor=pf)
    obj = ref.enet_objective(X, y, w, b, alpha, 1.0, sw, penalty_factor=pf)
    obj_sk = ref.enet_objective(X, y, w_sk, b_sk, alpha, 1.0, sw, penalty_factor=pf)
    # the penalty-factor objective at w is sklearn's objective at w' = pf * w
    r = y - X @ w_sk - b_sk
    S = total_weight(sw)
    sk_units = (np.ones(N) if sw is None else sw) @ r ** 2 / (2 * S) \
        + alpha * np.abs(sk.coef_).sum()
    assert_rel_close(obj_sk, sk_units, 1e-13)
    assert_rel_close(obj, obj_sk, 1e-10, "reference CD vs sklearn:")
    assert_coef_close(w, w_sk, 1e-6)
    assert abs(b - b_sk) <= 1e-6 * (1 + abs(b_sk))
    assert np.count_nonzero(w) >= 2 and np.count_nonzero(w == 0) >= 1  # not trivial
    assert gap <= 1e-15 * tol_unit(X, y, sw, fit_intercept)


@pytest.mark.parametrize("pf_kind", ["ones_with_zeros", "zeros"])
@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("sw_kind", SAMPLE_WEIGHTS)
def test_reference_lasso_frisch_waugh_lovell(sw_kind, fit_intercept, pf_kind):
    """Some pf_j = 0 (dense): the penalised coefficients are scikit-learn's Lasso
    on the design and target residualised on the (centred, weighted)
    unpenalised columns; the unpenalised ones least squares on y - X_P w_P."""
    X, y = problem()
    sw = weights(sw_kind)
    pf = pf_of("zeros") if pf_kind == "zeros" else (pf_of("zeros") > 0).astype(float)
    U, Pn = pf == 0, pf > 0
    S = total_weight(sw)
    alpha = ref.alpha_max(X, y, 1.0, sw, fit_intercept, penalty_factor=pf) / 8
    # -- explicit FWL, written out here (not via _oracle)
    Xc, yc, xm, ym = centred_weighted(X, y, sw, fit_intercept)
    Q, _ = np.linalg.qr(Xc[:, U])
    Xr = Xc[:, Pn] - Q @ (Q.T @ Xc[:, Pn])
    yr = yc - Q @ (Q.T @ yc)
    # sklearn: 1/(2N) ||yr - Xr/pf w'||^2 + a ||w'||_1, i.e. ours times S / N
    sk = sklm.Lasso(alpha=alpha * S / N, fit_intercept=False, tol=1e-14,
                    max_iter=10**6).fit(Xr / pf[Pn], yr)
    w_sk = np.zeros(P)
    w_sk[Pn] = sk.coef_ / pf[Pn]
    w_sk[U] = np.linalg.lstsq(Xc[:, U], yc - Xc[:, Pn] @ w_sk[Pn], rcond=None)[0]
    b_sk = ym - xm @ w_sk if fit_intercept else 0.0

    w, b, gap, _ = ref.enet_coordinate_descent(X, y, alpha, 1.0, sw, fit_intercept,
                                               tol=1e-15, max_iter=20000,
                                               penalty_factor=pf)
    assert np.all(w[U] != 0) and np.any(w[Pn] == 0) and np.any(w[Pn] != 0)
    obj = ref.enet_objective(X, y, w, b, alpha, 1.0, sw, penalty_factor=pf)
    obj_sk = ref.enet_objective(X, y, w_sk, b_sk, alpha, 1.0, sw, penalty_factor=pf)
    assert_rel_close(obj, obj_sk, 1e-10, "reference CD vs FWL + sklearn:")
    assert_coef_close(w, w_sk, 1e-6)
    assert gap <= 1e-15 * tol_unit(X, y, sw, fit_intercept)
    # unpenalised gradient is zero, the reference KKT agrees
    assert ref.enet_kkt_violation(X, y, w_sk, b_sk, alpha, 1.0, sw, fit_intercept,
                                  penalty_factor=pf) <= 1e-7 * alpha


@pytest.mark.parametrize("positive", [False, True])
@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("sw_kind", SAMPLE_WEIGHTS)
@pytest.mark.parametrize("pf_kind", PF_KINDS)
@pytest.mark.parametrize("l1_ratio", [1.0, 0.5])
def test_reference_solver_and_certificate_vs_oracle(l1_ratio, pf_kind, sw_kind,
                                                    fit_intercept, positive):
    """Reference CD reaches the oracle's objective; the reference gap is ~0 at the
    oracle's point (a certificate of *its* optimality too) and KKT holds."""
    X, y = problem()
    sw, pf = weights(sw_kind), pf_of(pf_kind)
    alpha, w_o, b_o = oracle_solution(l1_ratio, sw_kind, fit_intercept, pf_kind, positive)
    alpha_r, w_r, b_r, gap_r = reference_solution(l1_ratio, sw_kind, fit_intercept,
                                                   pf_kind, positive)
    assert alpha == alpha_r
    args = (alpha, l1_ratio, sw)
    f_o = ref.enet_objective(X, y, w_o, b_o, *args, penalty_factor=pf)
    f_r = ref.enet_objective(X, y, w_r, b_r, *args, penalty_factor=pf)
    assert_rel_close(f_r, f_o, 1e-10)
    assert_coef_close(w_r, w_o, 1e-5)
    scale = tol_unit(X, y, sw, fit_intercept)
    assert gap_r <= 1e-15 * scale
    gap_o = ref.enet_duality_gap(X, y, w_o, b_o, *args, fit_intercept, positive,
                                 penalty_factor=pf)
    assert 0 <= gap_o <= 1e-11 * scale, gap_o
    for w, b in ((w_o, b_o), (w_r, b_r)):
        kkt = ref.enet_kkt_violation(X, y, w, b, *args, fit_intercept, positive,
                                     penalty_factor=pf)
        assert kkt <= 1e-6 * alpha, kkt
    if positive:
        assert np.all(w_r >= 0)
    if pf_kind == "zeros" and not positive:
        assert np.all(w_r[pf == 0] != 0)


@pytest.mark.parametrize("positive", [False, True])
@pytest.mark.parametrize("sw_kind", SAMPLE_WEIGHTS)
@pytest.mark.parametrize("pf_kind", ["mixed", "zeros"])
@pytest.mark.parametrize("l1_ratio", [1.0, 0.5])
def test_reference_gap_bounds_suboptimality(l1_ratio, pf_kind, sw_kind, positive):
    """Weak duality at arbitrary points: 0 <= P(w, b) - P* <= gap(w, b), and the
    gap shrinks to 0 as w approaches the optimum (of the oracle)."""
    X, y = problem()
    sw, pf, fit_intercept = weights(sw_kind), pf_of(pf_kind), True
    alpha, w_o, b_o = oracle_solution(l1_ratio, sw_kind, fit_intercept, pf_kind, positive)
    args = (alpha, l1_ratio, sw)
    f_star = ref.enet_objective(X, y, w_o, b_o, *args, penalty_factor=pf)
    scale = tol_unit(X, y, sw, fit_intercept)
    rng = make_rng(21)
    Xc, yc, xm, ym = centred_weighted(X, y, sw, fit_intercept)
    for step in (3.0, 1.0, 1e-1, 1e-2, 1e-4, 1e-6):
        for _ in range(4):
            w = w_o + step * rng.standard_normal(P) * (1 + np.abs(w_o))
            w = np.maximum(w, 0) if positive else w
            for b in (ym - xm @ w, ym - xm @ w + step):  # optimal and off intercept
                f = ref.enet_objective(X, y, w, b, *args, penalty_factor=pf)
                gap = ref.enet_duality_gap(X, y, w, b, *args, fit_intercept, positive,
                                           penalty_factor=pf)
                assert f - f_star >= -1e-12 * scale
                assert gap >= f - f_star - 1e-12 * scale, (step, gap, f - f_star)
                assert np.isfinite(gap)
        if step <= 1e-6:  # a useful certificate, not just a valid one
            assert gap <= 1e-3 * scale
    # single-coordinate moves: zeroing, doubling, pushing each coefficient (with
    # positive, zeroing an unpenalised one leaves x_j . r > 0: the dual point
    # must then be orthogonal to x_j as well)
    for j in range(P):
        for new in (0.0, 2 * w_o[j], w_o[j] + 0.5, w_o[j] - 0.5):
            w = w_o.copy()
            w[j] = max(new, 0.0) if positive else new
            b = ym - xm @ w
            f = ref.enet_objective(X, y, w, b, *args, penalty_factor=pf)
            gap = ref.enet_duality_gap(X, y, w, b, *args, fit_intercept, positive,
                                       penalty_factor=pf)
            assert gap >= f - f_star - 1e-12 * scale, (j, new, gap, f - f_star)
    w, b = w_o.copy(), b_o
    if positive:
        w[np.argmax(w)] *= -1
        assert ref.enet_duality_gap(X, y, w, b, *args, fit_intercept, positive,
                                    penalty_factor=pf) == np.inf


def test_reference_gap_with_unit_factors_is_the_existing_gap():
    X, y = problem()
    rng = make_rng(3)
    for sw_kind in SAMPLE_WEIGHTS:
        sw = weights(sw_kind)
        for fit_intercept in (True, False):
            for positive in (False, True):
                for l1_ratio in (1.0, 0.5, 0.0):
                    for _ in range(3):
                        w = rng.standard_normal(P) * (rng.random(P) < 0.5)
                        w = np.abs(w) if positive else w
                        a = (0.07, l1_ratio, sw, fit_intercept, positive)
                        g0 = ref.enet_duality_gap(X, y, w, 0.4, *a)
                        g1 = ref.enet_duality_gap(X, y, w, 0.4, *a, penalty_factor=np.ones(P))
                        assert g1 == pytest.approx(g0, rel=1e-12, abs=1e-300)
                        k0 = ref.enet_kkt_violation(X, y, w, 0.4, *a)
                        k1 = ref.enet_kkt_violation(X, y, w, 0.4, *a,
                                                    penalty_factor=[1.0] * P)
                        assert k1 == k0
                        f0 = ref.enet_objective(X, y, w, 0.4, 0.07, l1_ratio, sw)
                        f1 = ref.enet_objective(X, y, w, 0.4, 0.07, l1_ratio, sw,
                                                penalty_factor=np.ones(P))
                        assert f1 == pytest.approx(f0, rel=1e-14)
        for l1_ratio in (1.0, 0.5):
            assert ref.alpha_max(X, y, l1_ratio, sw, penalty_factor=np.ones(P)) == \
                pytest.approx(ref.alpha_max(X, y, l1_ratio, sw), rel=1e-14)


def test_reference_scaling_of_factors_is_scaling_of_alpha():
    """pf -> c pf with alpha -> alpha / c is the same problem."""
    X, y = problem()
    pf, sw = pf_of("zeros"), weights("random")
    w, b, _, _ = ref.enet_coordinate_descent(X, y, 0.05, 0.5, sw, tol=1e-15,
                                             max_iter=20000, penalty_factor=pf)
    for c in (0.1, 7.0):
        args = (0.05 / c, 0.5, sw)
        assert ref.enet_objective(X, y, w, b, *args, penalty_factor=c * pf) == \
            pytest.approx(ref.enet_objective(X, y, w, b, 0.05, 0.5, sw, penalty_factor=pf),
                          rel=1e-14)
        assert ref.enet_duality_gap(X, y, w, b, *args, penalty_factor=c * pf) <= \
            1e-15 * tol_unit(X, y, sw, True)
        assert ref.alpha_max(X, y, 0.5, sw, penalty_factor=c * pf) == pytest.approx(
            ref.alpha_max(X, y, 0.5, sw, penalty_factor=pf) / c, rel=1e-13)


@pytest.mark.parametrize("layout", ["csc", "csr"])
def test_reference_sparse_equals_dense(layout):
    X, y = problem()
    pf, sw = pf_of("zeros"), weights("random")
    Xs = to_layout(X, layout)
    alpha = ref.alpha_max(X, y, 0.5, sw, penalty_factor=pf)
    assert ref.alpha_max(Xs, y, 0.5, sw, penalty_factor=pf) == pytest.approx(alpha,
                                                                             rel=1e-12)
    wd, bd, _, _ = ref.enet_coordinate_descent(X, y, alpha / 10, 0.5, sw, tol=1e-14,
                                               max_iter=20000, penalty_factor=pf)
    ws, bs, gs, _ = ref.enet_coordinate_descent(Xs, y, alpha / 10, 0.5, sw, tol=1e-14,
                                                max_iter=20000, penalty_factor=pf)
    assert_coef_close(ws, wd, 1e-6)
    w = wd + 0.01
    a = (alpha / 10, 0.5, sw, True, False)
    assert ref.enet_duality_gap(Xs, y, w, bd, *a, penalty_factor=pf) == pytest.approx(
        ref.enet_duality_gap(X, y, w, bd, *a, penalty_factor=pf), rel=1e-10)


@pytest.mark.parametrize("positive", [False, True])
@pytest.mark.parametrize("pf_kind", ["mixed", "zeros"])
@pytest.mark.parametrize("l1_ratio", [1.0, 0.5])
def test_reference_alpha_max(l1_ratio, pf_kind, positive):
    """At alpha_max the oracle's penalised coefficients are all zero and the
    unpenalised ones are the (non-negative) least-squares fit; just below it
    some penalised coefficient is not zero."""
    X, y = problem()
    sw, pf = weights("random"), pf_of(pf_kind)
    a_max = ref.alpha_max(X, y, l1_ratio, sw, True, penalty_factor=pf, positive=positive)
    pen = pf > 0
    w, _ = oracle(X, y, a_max, l1_ratio, sw, True, pf, positive)
    assert np.all(np.abs(w[pen]) <= 1e-12 * (1 + np.abs(w).max()))
    w_below, _ = oracle(X, y, a_max * 0.98, l1_ratio, sw, True, pf, positive)
    assert np.any(np.abs(w_below[pen]) > 1e-8)
    if (~pen).any():
        Xc, yc, _, _ = centred_weighted(X, y, sw, True)
        if positive:
            ls = nnls(Xc[:, ~pen], yc)[0]
        else:
            ls = np.linalg.lstsq(Xc[:, ~pen], yc, rcond=None)[0]
        assert_coef_close(w[~pen], ls, 1e-8)
    # ... and the reference certifies that point at alpha_max
    w0 = np.zeros(P)
    if (~pen).any():
        w0[~pen] = ls
    Xc, yc, xm, ym = centred_weighted(X, y, sw, True)
    gap = ref.enet_duality_gap(X, y, w0, ym - xm @ w0, a_max, l1_ratio, sw, True, positive,
                               penalty_factor=pf)
    assert gap <= 1e-13 * tol_unit(X, y, sw, True)


# --------------------------------------------------------------------------
# degenerate input
# --------------------------------------------------------------------------
def test_reference_certificate_single_sample():
    """fastreg.reference.enet_duality_gap is the independent certificate of the
    test-suite: on one weighted sample (y_c is pure round-off, and the gap a
    round-off -2e-32) it must return ~0, not trip its weak-duality sanity check
    (whose tolerance was relative to values of 1e-32)."""
    X = np.array([[-0.5855288241233366]])
    y = np.array([-1.341219714076669])
    sw = np.array([0.7738814669539811])
    est = Lasso(alpha=0.1).fit(X, y, sample_weight=sw)
    assert est.coef_[0] == 0.0 and est.intercept_ == y[0]
    gap = ref.enet_duality_gap(X, y, est.coef_, est.intercept_, 0.1, 1.0, sw)
    assert gap == pytest.approx(0.0, abs=1e-30)


@pytest.mark.parametrize("sparse_X", [False, True])
@pytest.mark.parametrize("sw_kind", [None, "random"])
@pytest.mark.parametrize("l1_ratio", [1.0, 0.6])
def test_reference_multitask_is_sklearn_and_gap_bounds_suboptimality(sparse_X, sw_kind,
                                                                      l1_ratio):
    """The multi-task oracle reaches scikit-learn's optimum; its gap is >= the
    suboptimality of any point (here: a perturbed optimum) and 0 at alpha_max."""
    import sklearn.linear_model as sklm
    X0, Y = make_problem(n=40, p=12, n_targets=3, seed=8)
    X = sp.csc_matrix(X0) if sparse_X else X0
    sw = make_sample_weight(40, sw_kind)
    W, b, gap, _ = ref.multitask_coordinate_descent(X, Y, 0.2, l1_ratio, sw, tol=1e-13,
                                                    max_iter=20000)
    sk = sklm.MultiTaskElasticNet(alpha=0.2, l1_ratio=l1_ratio, tol=1e-12,
                                  max_iter=50000).fit(X0, Y, sample_weight=sw)
    obj = ref.multitask_objective(X, Y, W, b, 0.2, l1_ratio, sw)
    assert obj == pytest.approx(ref.multitask_objective(X0, Y, sk.coef_, sk.intercept_,
                                                        0.2, l1_ratio, sw), rel=1e-9)
    assert 0 <= gap <= 1e-11 * obj
    rng = np.random.default_rng(0)
    W2 = W + 0.05 * rng.standard_normal(W.shape)
    b2 = b + 0.1
    gap2 = ref.multitask_duality_gap(X, Y, W2, b2, 0.2, l1_ratio, sw)
    assert gap2 >= ref.multitask_objective(X, Y, W2, b2, 0.2, l1_ratio, sw) - obj > 0
    a_max = ref.multitask_alpha_max(X, Y, l1_ratio, sw)
    assert ref.multitask_duality_gap(X, Y, np.zeros_like(W), np.average(Y, axis=0,
                                     weights=sw), a_max, l1_ratio, sw) <= 1e-12


# --------------------------------------------------------------------------
# box constraints and standardisation
# --------------------------------------------------------------------------
from scipy.optimize import minimize  # noqa: E402


def _box_data(seed=60, n=50, p=8):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p)) * rng.uniform(0.3, 3.0, p) + rng.uniform(-1, 2, p)
    X[:, 5] = 1.5                                    # a constant column
    y = X[:, :4] @ np.array([2.0, -1.5, 1.0, 0.8]) + rng.standard_normal(n)
    lower = np.where(np.arange(p) % 3 == 0, -0.3, -np.inf)
    lower[2] = 0.0
    upper = np.where(np.arange(p) < 2, 0.5, np.inf)
    pf = np.r_[1.0, 0.5, 2.0, 0.0, np.ones(p - 4)]   # feature 3 unpenalised
    return X, y, lower, upper, pf


@pytest.mark.parametrize("layout", ["dense", "csc"])
@pytest.mark.parametrize("sw_kind", SAMPLE_WEIGHTS)
@pytest.mark.parametrize("fit_intercept", [True, False])
def test_standard_deviations(layout, sw_kind, fit_intercept):
    """``sqrt(sum_i s_i (x_ij - xbar_j)^2 / sum(s))`` (glmnet's 1/sum(w)
    scaling): NumPy's weighted variance; about 0 without intercept; 0 for a
    constant column with one."""
    X, _, _, _, _ = _box_data()
    s = make_sample_weight(X.shape[0], sw_kind, seed=61)
    w = np.ones(X.shape[0]) if s is None else s
    d = ref.standard_deviations(to_layout(X, layout), s, fit_intercept)
    xbar = np.average(X, axis=0, weights=w) if fit_intercept else 0.0
    np.testing.assert_allclose(d, np.sqrt(np.average((X - xbar) ** 2, axis=0, weights=w)),
                               rtol=1e-12, atol=1e-12)
    if fit_intercept:
        assert d[5] <= 1e-12              # round-off of the mean only, dense or sparse
        np.testing.assert_allclose(d, np.sqrt(np.cov(X.T, aweights=w, bias=True).diagonal()),
                                   rtol=1e-10, atol=1e-7)
    # scale invariance: d of a * X is |a| d
    np.testing.assert_allclose(ref.standard_deviations(-3.0 * X, s, fit_intercept), 3 * d,
                               rtol=1e-12, atol=1e-12)


def test_enet_box_objective_and_kkt_basics():
    X, y, lower, upper, pf = _box_data(seed=62)
    rng = np.random.default_rng(63)
    w = np.clip(rng.standard_normal(X.shape[1]) * 0.2, lower, upper)
    # no box, no scale: enet_objective
    assert ref.enet_box_objective(X, y, w, 0.3, 0.1, 0.7, None, pf) == pytest.approx(
        ref.enet_objective(X, y, w, 0.3, 0.1, 0.7, None, pf), rel=1e-14)
    # the scale d: L1 factors pf d, L2 factors pf d^2 (enet_objective on X / d
    # at b = d w, with the factors pf)
    d = rng.uniform(0.5, 2.0, X.shape[1])
    assert ref.enet_box_objective(X, y, w, 0.3, 0.1, 0.7, None, pf, scale=d) == \
        pytest.approx(ref.enet_objective(X / d, y, d * w, 0.3, 0.1, 0.7, None, pf),
                      rel=1e-12)
    # outside the box: inf, for the objective and the violation
    outside = w.copy()
    outside[0] = 0.6
    assert ref.enet_box_objective(X, y, outside, 0.0, 0.1, 0.7, None, pf, lower,
                                  upper) == np.inf
    assert ref.enet_box_kkt_violation(X, y, outside, 0.0, 0.1, 0.7, None, True, pf, lower,
                                      upper) == np.inf
    with pytest.raises(ValueError, match="lower <= 0 <= upper"):
        ref.enet_box_objective(X, y, w, 0.0, 0.1, 0.7, lower_bounds=0.1)
    # no box: the violation is the plain KKT violation's
    wo, bo, _ = ref.enet_box_coordinate_descent(X, y, 0.1, 0.7, penalty_factor=pf,
                                                tol=1e-14)
    assert ref.enet_box_kkt_violation(X, y, wo, bo, 0.1, 0.7, None, True, pf) < 1e-10
    assert ref.enet_kkt_violation(X, y, wo, bo, 0.1, 0.7, penalty_factor=pf) < 1e-10
    # a feasible non-optimal point violates
    assert ref.enet_box_kkt_violation(X, y, w, 0.0, 0.1, 0.7, None, True, pf, lower,
                                      upper) > 1e-2


def _lbfgsb(X, y, s, alpha, l1_ratio, pf, lower, upper, d, fit_intercept, split):
    """The box problem by L-BFGS-B (scipy), the intercept a free variable.

    ``split=False`` (l1_ratio = 0): smooth, the box native to L-BFGS-B.
    ``split=True``: ``w = u - v`` with ``0 <= u <= max(upper, 0)``, ``0 <= v <=
    max(-lower, 0)``; the L1 term ``sum a_j (u_j + v_j)`` is linear, so the
    problem is smooth and bound-constrained, with the same optimum (at the
    optimum ``min(u_j, v_j) = 0`` when ``a_j > 0``)."""
    n, p = X.shape
    S = s.sum()
    a = alpha * l1_ratio * pf * d
    q = alpha * (1 - l1_ratio) * pf * d * d

    def parts(z):
        if split:
            u, v, b = z[:p], z[p:2 * p], z[2 * p] if fit_intercept else 0.0
            w = u - v
        else:
            w, b = z[:p], z[p] if fit_intercept else 0.0
        r = y - X @ w - b
        f = s @ (r * r) / (2 * S) + 0.5 * q @ (w * w)
        gw = -(X.T @ (s * r)) / S + q * w
        gb = -(s @ r) / S
        if split:
            f += a @ (u + v)
            g = np.r_[gw + a, -gw + a]
        else:
            f += a @ np.abs(w)
            g = gw
        return f, (np.r_[g, gb] if fit_intercept else g)

    if split:
        bounds = ([(0.0, max(h, 0.0)) for h in upper]
                  + [(0.0, max(-lo, 0.0)) for lo in lower])
        z0 = np.zeros(2 * p)
    else:
        bounds = list(zip(lower, upper))
        z0 = np.zeros(p)
    bounds = [(lo, None if np.isposinf(hi) else hi) for lo, hi in bounds]
    bounds = [(None if lo is not None and np.isneginf(lo) else lo, hi) for lo, hi in bounds]
    if fit_intercept:
        bounds.append((None, None))
        z0 = np.r_[z0, 0.0]
    res = minimize(parts, z0, jac=True, method="L-BFGS-B", bounds=bounds,
                   options=dict(maxiter=100000, maxfun=200000, ftol=1e-16, gtol=1e-13,
                                maxcor=30))
    return res.fun


@pytest.mark.parametrize("standardize", [False, True])
@pytest.mark.parametrize("sw_kind", SAMPLE_WEIGHTS)
@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("l1_ratio", [0.0, 1.0, 0.5])
def test_enet_box_coordinate_descent_is_lbfgsb(l1_ratio, fit_intercept, sw_kind,
                                               standardize):
    """The reference's box solver against scipy's L-BFGS-B: the Ridge part
    (l1_ratio = 0) directly (smooth, the box native to L-BFGS-B), the L1 part
    by the split-variable formulation; objectives equal to 1e-7 relative,
    the solution inside the box and at the KKT conditions."""
    X, y, lower, upper, pf = _box_data(seed=64)
    if not fit_intercept:
        X = X[:, [j for j in range(X.shape[1]) if j != 5]]   # no constant column
        lower, upper, pf = (np.delete(a, 5) for a in (lower, upper, pf))
    s = make_sample_weight(X.shape[0], sw_kind, seed=65)
    sw = np.ones(X.shape[0]) if s is None else s
    alpha = 0.2
    w, b, _ = ref.enet_box_coordinate_descent(X, y, alpha, l1_ratio, s, fit_intercept, pf,
                                              lower, upper, standardize, tol=1e-15)
    assert np.all(w >= lower) and np.all(w <= upper)
    d = ref.standard_deviations(X, s, fit_intercept) if standardize else np.ones(len(pf))
    if standardize and fit_intercept:
        assert w[5] == 0.0                           # the constant column stays 0
    obj = ref.enet_box_objective(X, y, w, b, alpha, l1_ratio, s, pf, lower, upper, d)
    assert ref.enet_box_kkt_violation(X, y, w, b, alpha, l1_ratio, s, fit_intercept, pf,
                                      lower, upper, d) < 1e-8
    other = _lbfgsb(X, y, sw, alpha, l1_ratio, pf, lower, upper, d, fit_intercept,
                    split=l1_ratio > 0)
    assert obj == pytest.approx(other, rel=1e-7)
    assert obj <= other * (1 + 1e-12)               # coordinate descent is at least as low
    # the box binds here: the unconstrained problem's optimum is lower
    free, fb, _ = ref.enet_box_coordinate_descent(X, y, alpha, l1_ratio, s, fit_intercept,
                                                  pf, standardize=standardize, tol=1e-15)
    assert ref.enet_box_objective(X, y, free, fb, alpha, l1_ratio, s, pf,
                                  scale=d) < obj - 1e-6
