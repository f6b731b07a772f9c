"""Per-feature penalty factors (glmnet's ``penalty.factor``, not rescaled).

The objective is ``1/(2 S) sum_i s_i (y_i - x_i.w - b)^2 + alpha * sum_j pf_j *
(l1_ratio |w_j| + (1 - l1_ratio) / 2 w_j^2)``; ``pf_j = 0`` leaves feature j
unpenalised.

Part 1 proves ``fastreg.reference`` (the oracle) right, independently of
fastreg's solvers:

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

Part 2 checks fastreg's public API (estimators, paths, CV) against that
oracle: objective, independent gap certificate, KKT.
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
                      fit_quiet, fit_tol, make_problem, make_rng, make_sample_weight,
                      make_text_like, obj_rtol, sparse_truth, to_layout)

try:
    import sklearn.linear_model as sklm
except ImportError:  # pragma: no cover - sklearn is a runtime dependency
    sklm = None
needs_sklearn = pytest.mark.skipif(sklm is None, reason="scikit-learn not installed")

N, P = 40, 12
PF = {
    "ones": np.ones(P),
    # exactly representable in float32, so both dtypes solve the same problem
    "mixed": np.array([0.5, 1.0, 2.0, 1.5, 0.25, 3.0, 1.0, 0.5, 2.0, 1.0, 4.0, 0.75]),
    "zeros": np.array([0.5, 0.0, 2.0, 1.5, 0.25, 3.0, 0.0, 0.5, 2.0, 1.0, 0.0, 0.75]),
}
PF_KINDS = ["mixed", "zeros"]


@functools.lru_cache(maxsize=None)
def _data():
    return make_problem(n=N, p=P, n_nonzero=5, rho=0.5, density=0.6, seed=4)


def problem():
    X, y = _data()
    return X.copy(), y.copy()


def weights(kind):
    return make_sample_weight(N, kind, seed=5)


def pf_of(kind):
    return PF[kind].copy()


def _S(sw, n=N):
    return float(n if sw is None else np.sum(sw))


def _scale(X, y, sw, fit_intercept):
    """||y_c||^2 / S: the unit of the solvers' tol, in public units."""
    _, yc, _, _ = centred_weighted(X, y, sw, fit_intercept)
    return (yc @ yc) / _S(sw, X.shape[0])


def _basis(A):
    """Orthonormal basis of span(A) (SVD, numerical rank)."""
    if A.shape[1] == 0:
        return np.zeros((A.shape[0], 0))
    U, sv, _ = np.linalg.svd(A, full_matrices=False)
    return U[:, sv > sv[0] * max(A.shape) * np.finfo(float).eps]


# ==========================================================================
# independent oracles (scikit-learn, scipy's NNLS): never fastreg.reference
# ==========================================================================
def _oracle(X, y, alpha, l1_ratio, sw, fit_intercept, pf, positive):
    """Optimum ``(coef, intercept)`` of the penalty-factor Elastic-Net.

    Non-negative coefficients: exact NNLS on the Cholesky factor of the
    (strictly convex: n > p) quadratic.  Otherwise: Frisch-Waugh-Lovell plus
    the augmented, rescaled Lasso, solved by scikit-learn.
    """
    X = dense(X)
    Xc, yc, xm, ym = centred_weighted(X, y, sw, fit_intercept)
    S = _S(sw, X.shape[0])
    pen = pf > 0
    if positive:
        H = Xc.T @ Xc / S + alpha * (1 - l1_ratio) * np.diag(pf)
        c = Xc.T @ yc / S - alpha * l1_ratio * pf
        L = np.linalg.cholesky(H)
        w = nnls(L.T, np.linalg.solve(L, c), maxiter=100 * P)[0]
    else:
        Q = _basis(Xc[:, ~pen])
        Z = Xc[:, pen] - Q @ (Q.T @ Xc[:, pen])
        t = yc - Q @ (Q.T @ yc)
        Z = Z / pf[pen]
        l1, l2 = alpha * l1_ratio * S, alpha * (1 - l1_ratio) * S
        if l2 > 0:
            Z = np.vstack([Z, np.diag(np.sqrt(l2 / pf[pen]))])
            t = np.concatenate([t, np.zeros(pen.sum())])
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            est = sklm.Lasso(alpha=l1 / Z.shape[0], fit_intercept=False, tol=1e-14,
                             max_iter=10**6).fit(Z, t)
        w = np.zeros(X.shape[1])
        w[pen] = est.coef_ / pf[pen]
        if (~pen).any():
            w[~pen] = np.linalg.lstsq(Xc[:, ~pen], yc - Xc[:, pen] @ w[pen], rcond=None)[0]
    return w, float(ym - xm @ w) if fit_intercept else 0.0


def _alpha(l1_ratio, sw_kind, fit_intercept, pf_kind, positive, divisor=10):
    X, y = problem()
    return ref.alpha_max(X, y, l1_ratio, weights(sw_kind), fit_intercept,
                         penalty_factor=pf_of(pf_kind), positive=positive) / divisor


@functools.lru_cache(maxsize=None)
def _oracle_solution(l1_ratio, sw_kind, fit_intercept, pf_kind, positive):
    X, y = problem()
    alpha = _alpha(l1_ratio, sw_kind, fit_intercept, pf_kind, positive)
    w, b = _oracle(X, y, alpha, l1_ratio, weights(sw_kind), fit_intercept,
                   pf_of(pf_kind), positive)
    return alpha, w, b


@functools.lru_cache(maxsize=None)
def _reference_solution(l1_ratio, sw_kind, fit_intercept, pf_kind, positive):
    X, y = problem()
    alpha = _alpha(l1_ratio, sw_kind, fit_intercept, pf_kind, positive)
    w, b, gap, _ = ref.enet_coordinate_descent(
        X, y, alpha, l1_ratio, weights(sw_kind), fit_intercept, positive, tol=1e-15,
        max_iter=20000, penalty_factor=pf_of(pf_kind))
    return alpha, w, b, gap


# ==========================================================================
# Part 1: the reference, proven independently
# ==========================================================================
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


@needs_sklearn
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
    S = _S(sw)
    sk_units = (np.ones(N) if sw is None else sw) @ r ** 2 / (2 * S) \
        + alpha * np.abs(sk.coef_).sum()
    assert_rel_close(obj_sk, sk_units, 1e-13)
    assert_rel_close(obj, obj_sk, 1e-10, "reference CD vs sklearn:")
    assert_coef_close(w, w_sk, 1e-6)
    assert abs(b - b_sk) <= 1e-6 * (1 + abs(b_sk))
    assert np.count_nonzero(w) >= 2 and np.count_nonzero(w == 0) >= 1  # not trivial
    assert gap <= 1e-15 * _scale(X, y, sw, fit_intercept)


@needs_sklearn
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
    S = _S(sw)
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
    assert gap <= 1e-15 * _scale(X, y, sw, fit_intercept)
    # unpenalised gradient is zero, the reference KKT agrees
    assert ref.enet_kkt_violation(X, y, w_sk, b_sk, alpha, 1.0, sw, fit_intercept,
                                  penalty_factor=pf) <= 1e-7 * alpha


@needs_sklearn
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
    alpha, w_o, b_o = _oracle_solution(l1_ratio, sw_kind, fit_intercept, pf_kind, positive)
    alpha_r, w_r, b_r, gap_r = _reference_solution(l1_ratio, sw_kind, fit_intercept,
                                                   pf_kind, positive)
    assert alpha == alpha_r
    args = (alpha, l1_ratio, sw)
    f_o = ref.enet_objective(X, y, w_o, b_o, *args, penalty_factor=pf)
    f_r = ref.enet_objective(X, y, w_r, b_r, *args, penalty_factor=pf)
    assert_rel_close(f_r, f_o, 1e-10)
    assert_coef_close(w_r, w_o, 1e-5)
    scale = _scale(X, y, sw, fit_intercept)
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


@needs_sklearn
@pytest.mark.parametrize("positive", [False, True])
@pytest.mark.parametrize("sw_kind", SAMPLE_WEIGHTS)
@pytest.mark.parametrize("pf_kind", ["mixed", "zeros"])
@pytest.mark.parametrize("l1_ratio", [1.0, 0.5])
def test_reference_gap_bounds_suboptimality(l1_ratio, pf_kind, sw_kind, positive):
    """Weak duality at arbitrary points: 0 <= P(w, b) - P* <= gap(w, b), and the
    gap shrinks to 0 as w approaches the optimum (of the oracle)."""
    X, y = problem()
    sw, pf, fit_intercept = weights(sw_kind), pf_of(pf_kind), True
    alpha, w_o, b_o = _oracle_solution(l1_ratio, sw_kind, fit_intercept, pf_kind, positive)
    args = (alpha, l1_ratio, sw)
    f_star = ref.enet_objective(X, y, w_o, b_o, *args, penalty_factor=pf)
    scale = _scale(X, y, sw, fit_intercept)
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
            1e-15 * _scale(X, y, sw, True)
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


@needs_sklearn
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
    w, _ = _oracle(X, y, a_max, l1_ratio, sw, True, pf, positive)
    assert np.all(np.abs(w[pen]) <= 1e-12 * (1 + np.abs(w).max()))
    w_below, _ = _oracle(X, y, a_max * 0.98, l1_ratio, sw, True, pf, positive)
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
    assert gap <= 1e-13 * _scale(X, y, sw, True)


# ==========================================================================
# Part 2: fastreg's public API
# ==========================================================================
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
    test_enet._kkt_bound, with the l2 curvature alpha (1 - l1_ratio) pf_j)."""
    Xc, _, _, _ = centred_weighted(X, y, sw, fit_intercept)
    S = _S(sw, X.shape[0])
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
    alpha = _alpha(l1_ratio, sw_kind, fit_intercept, "ones", positive)
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
    alpha, w_ref, b_ref, _ = _reference_solution(l1_ratio, sw_kind, fit_intercept,
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
    scale = _scale(Xs, ys, sws, fit_intercept)
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
    alpha, w_ref, b_ref, _ = _reference_solution(0.5, "random", True, pf_kind, False)
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
                                penalty_factor=pf) <= 1.01e-10 * _scale(X, y, sw, True)


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
    scale = _scale(X, y, sw, True)
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
                                True, True, penalty_factor=pf) <= 1.01e-8 * _scale(
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
                                    0.7, penalty_factor=pf) <= 1.01e-10 * _scale(
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
                                penalty_factor=pf) <= 1.01e-12 * _scale(X, y, None, True)


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
                                penalty_factor=pf) <= 1.01e-10 * _scale(X, y, None, True)


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
    scale = _scale(X, y, None, True)
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
                                penalty_factor=pf) <= 1.01e-10 * _scale(X, y, None, True)
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
    scale = _scale(X, y, sw, True)
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
        w_o, _ = _oracle(X, y, a, 0.7, None, False, pf, False)
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
                                    penalty_factor=pf) <= 1.01e-10 * _scale(X, y, sw, True)
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
                                penalty_factor=pf) <= 1.01e-10 * _scale(X, y, sw, True)


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
                                penalty_factor=pf) <= 1.01e-10 * _scale(dense(X), y, None,
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
    scale = _scale(X, y, sw, True)
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
            1.01e-10 * _scale(X, y, None, True)


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
