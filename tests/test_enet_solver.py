"""fastreg._enet_solver: the Elastic-Net driver shared by the estimators, the
paths, cross-validation and Ridge's ``cd`` route.

Strategy choice: when the Gram mode is taken (``precompute='auto'``'s cost
model, a user-supplied Gram matrix used or recomputed). Non-convergence: a
result is still returned, and the warning reports the gap achieved (per
failing target), a true bound of the distance to the optimum and never more
than the objective itself, for the Elastic-Net and for Ridge's ``cd`` route;
a single epoch (``max_iter=1``) warns and returns finite coefficients;
``tol=0`` runs ``max_iter`` epochs.
"""
import re
import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.base import clone
from sklearn.exceptions import ConvergenceWarning

from fastreg import ElasticNet, Lasso, Ridge, lasso_path
from fastreg import reference as ref

from conftest import (LAYOUTS, centred_weighted, make_problem, make_sample_weight,
                      small_problem, to_layout)


# --------------------------------------------------------------------------
# strategy choice: Gram mode
# --------------------------------------------------------------------------
def test_auto_gram_mode_weighs_sparse_epochs_by_nnz():
    """A sparse epoch costs nnz, not n * p: on a sparse design with cheap epochs
    precompute='auto' must not build a dense p x p Gram matrix (it would cost
    far more than the epochs it saves), while the dense design of the same
    shape, whose epochs cost n * p, does use it."""
    from fastreg._enet_solver import gram_for
    from fastreg._preprocess import preprocess

    X = sp.random(3000, 400, density=0.01, format="csc", random_state=0)
    y = np.random.default_rng(0).standard_normal(3000)
    assert gram_for(preprocess(X, y, None, False), "auto", 100) is None
    assert gram_for(preprocess(X.toarray(), y, None, False), "auto", 100) is not None
    # forcing it still works, and gives the same path
    a = lasso_path(X, y, n_alphas=5, tol=1e-10, precompute=True)[1]
    b = lasso_path(X, y, n_alphas=5, tol=1e-10, precompute=False)[1]
    np.testing.assert_allclose(a, b, rtol=1e-7, atol=1e-10)


def test_user_gram_of_centred_X_is_used(monkeypatch):
    """precompute=Xc.T @ Xc with an already-centred X and fit_intercept=True: the
    matrix is used (scikit-learn's rule), not recomputed with a warning."""
    import fastreg._enet_solver as solver
    X, y = make_problem(n=80, p=10, density=1.0)
    Xc = X - X.mean(axis=0)

    def no_rebuild(design):
        raise AssertionError("the user's Gram matrix was recomputed")
    monkeypatch.setattr(solver, "gram_matrix", no_rebuild)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        est = ElasticNet(alpha=0.05, precompute=Xc.T @ Xc, tol=1e-10).fit(Xc, y)
    gap = ref.enet_duality_gap(Xc, y, est.coef_, est.intercept_, 0.05, 0.5)
    assert gap <= 1e-10 * np.sum((y - y.mean()) ** 2) / len(y) * 1.01


def test_user_gram_checked_or_recomputed():
    X, y = make_problem(n=80, p=10, density=1.0)
    Xc = X - X.mean(axis=0)
    with pytest.raises(ValueError, match="does not match the data"):
        ElasticNet(precompute=2 * Xc.T @ Xc).fit(Xc, y)
    # X not centred, fit_intercept=True: recomputed with scikit-learn's warning
    with pytest.warns(UserWarning, match="centered to fit intercept: recomputing Gram"):
        ElasticNet(precompute=X.T @ X).fit(X, y)


# --------------------------------------------------------------------------
# non-convergence: a warning with the achieved gap
# --------------------------------------------------------------------------
FLOAT_RE = re.compile(r"[-+]?(?:\d+\.\d*|\.\d+|\d+)(?:[eE][-+]?\d+)?")


def _numbers(msg):
    return [float(m) for m in FLOAT_RE.findall(msg)]


def _mentions(msg, value, rtol=2e-3):
    """Some number printed in ``msg`` equals ``value`` to ~3 significant digits."""
    return any(abs(v - value) <= rtol * abs(value) for v in _numbers(msg))


def _lowest_objective(X, y, alpha, l1_ratio, sw, positive):
    """An upper bound of min P: the objective of a tightly converged fit."""
    tight = ElasticNet(alpha=alpha, l1_ratio=l1_ratio, positive=positive, tol=1e-13,
                       max_iter=200000).fit(X, y, sample_weight=sw)
    return ref.enet_objective(X, y, tight.coef_, tight.intercept_, alpha, l1_ratio, sw)


def _hard_problem():
    return small_problem(seed=9, n=60, p=40, rho=0.95, density=1.0)


ENET_CASES = [(Lasso, {}), (ElasticNet, {"l1_ratio": 0.3}),
              (ElasticNet, {"l1_ratio": 0.6, "positive": True})]
ENET_IDS = ["lasso", "enet", "enet-positive"]


@pytest.mark.parametrize("sw_kind", [None, "random"])
@pytest.mark.parametrize("layout", ["dense", "csc", "csr"])
@pytest.mark.parametrize("Est,kw", ENET_CASES, ids=ENET_IDS)
def test_non_convergence_reports_the_achieved_gap(Est, kw, layout, sw_kind):
    X, y = _hard_problem()
    sw = make_sample_weight(60, sw_kind, seed=1)
    tol, alpha, l1_ratio = 1e-12, 1e-3, kw.get("l1_ratio", 1.0)
    positive = kw.get("positive", False)
    est = Est(alpha=alpha, tol=tol, max_iter=3, **kw)
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        est.fit(to_layout(X, layout), y, sample_weight=sw)
    conv = [w for w in record if issubclass(w.category, ConvergenceWarning)]
    assert len(conv) == 1, [str(w.message) for w in record]
    msg = str(conv[0].message)
    # still a result, with its attributes
    assert est.n_iter_ == 3
    assert np.all(np.isfinite(est.coef_)) and np.isfinite(est.intercept_)
    assert np.isfinite(est.predict(X)).all()
    # the achieved gap is in the message, as is the tolerance it missed
    _, yc, _, _ = centred_weighted(X, y, sw)
    threshold = tol * (yc @ yc) / (60 if sw is None else sw.sum())
    assert _mentions(msg, est.dual_gap_), f"dual_gap_ {est.dual_gap_:.4e} not in {msg!r}"
    assert _mentions(msg, threshold), f"tolerance {threshold:.4e} not in {msg!r}"
    assert est.dual_gap_ > threshold
    # and it is a true certificate: at least the actual distance to the optimum
    obj = ref.enet_objective(X, y, est.coef_, est.intercept_, alpha, l1_ratio, sw)
    best = _lowest_objective(X, y, alpha, l1_ratio, sw, positive)
    assert est.dual_gap_ >= (obj - best) * (1 - 1e-9)


def test_non_convergence_multi_target_warns_per_failing_target():
    X, y = _hard_problem()
    Y = np.c_[y, np.full(60, 2.0), -y]  # the constant target converges at once
    est = Lasso(alpha=1e-3, tol=1e-12, max_iter=2)
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        est.fit(X, Y)
    conv = [str(w.message) for w in record if issubclass(w.category, ConvergenceWarning)]
    assert len(conv) == 2, conv
    assert list(est.n_iter_) == [2, 0, 2]
    for k, msg in zip((0, 2), conv):
        assert _mentions(msg, est.dual_gap_[k]), (est.dual_gap_[k], msg)
    assert np.all(np.isfinite(est.coef_))


@pytest.mark.parametrize("layout", ["dense", "csc"])
@pytest.mark.parametrize("kw", [{"solver": "cd"}, {"positive": True}], ids=["cd", "positive"])
def test_ridge_cd_non_convergence_warns_with_a_valid_gap(kw, layout):
    """Ridge through the coordinate-descent kernel: the message reports a gap
    (Elastic-Net units: the Ridge objective divided by 2n, alpha / n) that
    bounds the actual distance to the optimum, and a result is returned."""
    X, y = _hard_problem()
    alpha, n = 1e-3, 60
    est = Ridge(alpha=alpha, tol=1e-14, max_iter=2, **kw)
    with pytest.warns(ConvergenceWarning) as record:
        est.fit(to_layout(X, layout), y)
    msgs = [str(w.message) for w in record if issubclass(w.category, ConvergenceWarning)]
    assert len(msgs) == 1, msgs
    positive = bool(kw.get("positive"))
    obj = ref.enet_objective(X, y, est.coef_, est.intercept_, alpha / n, 0.0)
    best = _lowest_objective(X, y, alpha / n, 0.0, None, positive)
    assert any(v >= (obj - best) * (1 - 1e-9) and v > 0 for v in _numbers(msgs[0])), msgs
    assert np.all(np.isfinite(est.coef_)) and np.isfinite(est.predict(X)).all()


@pytest.mark.parametrize("case", ["lasso", "enet", "enet-positive", "ridge-cd"])
def test_reported_gap_is_no_worse_than_the_objective(case, max_iter=2):
    """P(w) - 0 is itself a duality gap (the dual point theta = 0, D = 0, and
    P* >= 0): a certificate should never report more than the objective value
    (early on, the rescaled-residual and L2-conjugate dual points can be far
    below 0: Ridge(solver='cd', alpha=1e-3) after 2 epochs reported 5e5 for an
    objective of 2)."""
    X, y = _hard_problem()
    n, alpha = 60, 1e-3
    if case == "ridge-cd":
        est, a, l1 = Ridge(alpha=alpha, solver="cd", tol=1e-14, max_iter=max_iter), alpha / n, 0.0
    else:
        Est, kw = dict(zip(ENET_IDS, ENET_CASES))[case]
        est = Est(alpha=alpha, tol=1e-12, max_iter=max_iter, **kw)
        a, l1 = alpha, kw.get("l1_ratio", 1.0)
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        est.fit(X, y)
    msg = [str(w.message) for w in record if issubclass(w.category, ConvergenceWarning)][0]
    obj = ref.enet_objective(X, y, est.coef_, est.intercept_, a, l1)
    gap = getattr(est, "dual_gap_", None)
    if gap is None:  # Ridge: the gap of the message ("Duality gap: G, tolerance: T")
        gap = _numbers(msg.split("Duality gap:", 1)[1])[0]
    assert gap <= obj * (1 + 1e-12), f"reported gap {gap:.4e} > objective {obj:.4e}: {msg}"


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("est", [
    Lasso(alpha=1e-3, max_iter=1, tol=1e-12),
    ElasticNet(alpha=1e-3, max_iter=1, tol=1e-12),
    ElasticNet(alpha=1e-3, max_iter=1, tol=1e-12, positive=True),
    ElasticNet(alpha=1e-3, max_iter=1, tol=1e-12, selection="random", random_state=0),
    Ridge(solver="cd", max_iter=1, tol=1e-12),
], ids=["lasso", "enet", "enet-positive", "enet-random", "ridge-cd"])
def test_max_iter_one_warns_and_is_finite(est, layout):
    est = clone(est)
    X, y = small_problem(seed=2)
    with pytest.warns(ConvergenceWarning):
        est.fit(to_layout(X, layout), y)
    assert np.all(np.isfinite(est.coef_)) and np.all(np.isfinite(est.intercept_))
    n_iter = np.max(est.n_iter_)
    assert n_iter == 1
    assert np.any(est.coef_ != 0)  # one pass did something


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("Est", [Lasso, ElasticNet])
def test_tol_zero_runs_max_iter(Est, layout):
    """tol=0 is scikit-learn's "run max_iter epochs": accepted, never converged
    early unless the gap is exactly 0, and the warning reports the gap."""
    X, y = make_problem(n=40, p=15)
    with pytest.warns(ConvergenceWarning, match="did not converge"):
        est = Est(alpha=0.01, tol=0, max_iter=5).fit(to_layout(X, layout), y)
    assert est.n_iter_ == 5
    gap = ref.enet_duality_gap(X, y, est.coef_, est.intercept_, 0.01,
                               1.0 if Est is Lasso else 0.5)
    assert est.dual_gap_ > 0 and np.isclose(est.dual_gap_, gap, rtol=1e-6)


@pytest.mark.parametrize("l1_ratio", [1.0, 0.5])
def test_standardized_factors_give_the_gap_of_the_standardised_problem(l1_ratio):
    # The problem in w with L1 factors d and L2 factors d^2 is the standardised
    # problem in b = d w, reparametrised: at corresponding points the kernels'
    # duality gaps agree (max_iter=0: the gap of the warm start itself).
    from fastreg._enet_solver import kernel_penalties, standardized_factors
    from fastreg._kernels._cd_dense import enet_cd_dense

    rng = np.random.default_rng(0)
    n, p = 50, 12
    X = np.asfortranarray(rng.standard_normal((n, p)) * rng.uniform(0.1, 10, p))
    y = X[:, :3] @ np.array([1.0, -2.0, 0.5]) + rng.standard_normal(n)
    norms = (X ** 2).sum(0)
    pf, qf = standardized_factors(None, norms, n)
    d = np.sqrt(norms / n)
    w = rng.standard_normal(p) * 0.1
    l1, l2 = kernel_penalties(0.1, l1_ratio, n)
    for lower, upper in ((None, None), (np.full(p, -0.05), np.full(p, 0.08))):
        w_in = w if lower is None else np.clip(w, lower, upper)
        gap_w = enet_cd_dense(X, y, w_in.copy(), l1, l2, 0, 1e-4, 0, False, False,
                              penalty_factor=pf, l2_factor=qf, lower=lower, upper=upper)[0]
        Xs = np.asfortranarray(X / d)
        gap_b = enet_cd_dense(Xs, y, d * w_in, l1, l2, 0, 1e-4, 0, False, False,
                              lower=None if lower is None else d * lower,
                              upper=None if upper is None else d * upper)[0]
        assert gap_w == pytest.approx(gap_b, rel=1e-9)
