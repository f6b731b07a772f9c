"""Properties of the estimators on random small problems (hypothesis).

Each example is a random problem with n, p <= 30: dense (C or F order), CSC or
CSR; float64 or float32; with or without an intercept; no weights, positive
weights, weights with zeros or integer weights; and quirky columns (all zero,
constant, duplicated, widely different scales).  What is checked never trusts
the solver: optimality is certified by ``fastreg.reference`` (an independent
duality gap, ``gap <= tol * ||y_c||^2 / n``, and the KKT conditions), and
comparisons between two fits allow only what their certificates allow.

Set FASTREG_FUZZ=k to run k times more examples.
"""
import os
import warnings

import numpy as np
import scipy.sparse as sp
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from scipy.linalg import LinAlgWarning
from sklearn.exceptions import ConvergenceWarning

from fastreg import ElasticNet, Lasso, Ridge
from fastreg import reference as ref

FUZZ = max(1, int(os.environ.get("FASTREG_FUZZ", "1")))


def fuzz(max_examples):
    return settings(max_examples=max_examples * FUZZ, deadline=None, database=None,
                    suppress_health_check=[HealthCheck.too_slow])


# --------------------------------------------------------------------------
# random problems
# --------------------------------------------------------------------------
LAYOUTS = ["dense", "dense_f", "csc", "csr"]
WEIGHTS = [None, "positive", "with_zeros", "integers"]
QUIRKS = ["zero_column", "constant_column", "duplicate_column", "scales", "offset"]


class Problem(dict):
    """A problem's arrays, shown by the parameters that regenerate it (so that
    hypothesis prints a falsifying example in one line)."""

    def __repr__(self):
        return f"Problem({self['spec']})"


def make(n, p, seed, density, layout, dtype, fit_intercept, weights, quirks):
    """Regenerate a problem from its parameters (what Problem's repr shows)."""
    spec = dict(n=n, p=p, seed=seed, density=density, layout=layout,
                dtype=np.dtype(dtype).name, fit_intercept=fit_intercept, weights=weights,
                quirks=sorted(quirks))
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p)) * (rng.random((n, p)) < density)
    if "offset" in quirks:
        X += rng.uniform(-2, 3, size=p) * (X != 0)
    if "scales" in quirks:
        X *= 10.0 ** rng.uniform(-2, 2, size=p)
    if "zero_column" in quirks:
        X[:, rng.integers(p)] = 0.0
    if "constant_column" in quirks:
        X[:, rng.integers(p)] = rng.uniform(-2, 2)
    if "duplicate_column" in quirks and p >= 2:
        i, j = rng.choice(p, 2, replace=False)
        X[:, j] = X[:, i]
    w = rng.standard_normal(p) * (rng.random(p) < 0.4)
    y = X @ w + rng.standard_normal(n) * rng.choice([0.1, 1.0]) + rng.uniform(-3, 3)

    if weights is None:
        sw = None
    elif weights == "positive":
        sw = rng.uniform(0.1, 3.0, size=n)
    elif weights == "with_zeros":
        sw = rng.uniform(0.1, 3.0, size=n) * (rng.random(n) < 0.7)
    else:
        sw = rng.integers(0, 4, size=n).astype(np.float64)
    if sw is not None:  # a positive total weight
        sw[rng.integers(n)] += 1.0

    Xl = layout_of(X, layout, dtype)
    ys = np.asarray(y, dtype=dtype).astype(np.float64)
    sws = None if sw is None else np.asarray(sw, dtype=dtype).astype(np.float64)
    Xs = np.asarray(X, dtype=dtype).astype(np.float64)
    return Problem(X=Xl, y=y, sw=sw, Xs=Xs, ys=ys, sws=sws, X64=X, n=n, p=p,
                   layout=layout, dtype=np.dtype(dtype), fit_intercept=fit_intercept,
                   spec=spec)


@st.composite
def problems(draw, layouts=LAYOUTS, dtypes=(np.float64, np.float32), min_n=1):
    """A random problem: dict with X (in its layout and dtype), y, sw, and the
    float64 values the estimator actually sees (Xs, ys, sws) for certificates."""
    n = draw(st.integers(min_n, 30))
    p = draw(st.integers(1, 30))
    seed = draw(st.integers(0, 2 ** 32 - 1))
    density = draw(st.sampled_from([1.0, 0.6, 0.25]))
    layout = draw(st.sampled_from(layouts))
    dtype = draw(st.sampled_from(dtypes))
    fit_intercept = draw(st.booleans())
    weights = draw(st.sampled_from(WEIGHTS))
    quirks = draw(st.sets(st.sampled_from(QUIRKS), max_size=3))
    return make(n, p, seed, density, layout, dtype, fit_intercept, weights, quirks)


def layout_of(X, layout, dtype=np.float64):
    if layout == "dense":
        return np.ascontiguousarray(X, dtype=dtype)
    if layout == "dense_f":
        return np.asfortranarray(X, dtype=dtype)
    M = (sp.csc_matrix if layout == "csc" else sp.csr_matrix)(X.astype(dtype))
    M.eliminate_zeros()
    return M


# --------------------------------------------------------------------------
# certificates
# --------------------------------------------------------------------------
def fit_tol(dtype):
    return 1e-10 if dtype == np.float64 else 1e-5


def slack(dtype):
    """Round-off allowance on a gap, relative to ||y_c||^2 / n (as in test_enet)."""
    return 1e-12 if dtype == np.float64 else 1e-6


def roundoff(pb, coef):
    """Round-off allowance on a gap from the size of the numbers involved.

    A solver working in the data's precision cannot evaluate its gap better
    than a few ulps of sum_i s_i (|y_i| + |x_i| . |w|)^2 / S, which on
    near-interpolating problems (tiny alpha, large coefficients) is ~100 times
    ||y_c||^2 / n: in float32 the reported gap can then be 1e-4 relative off
    (scikit-learn's float32 solver alike).
    """
    s = np.ones(pb["n"]) if pb["sws"] is None else pb["sws"]
    size = np.abs(pb["ys"]) + np.abs(pb["Xs"]) @ np.abs(np.asarray(coef, dtype=np.float64))
    return 64 * np.finfo(pb["dtype"]).eps * (s @ size ** 2) / s.sum()


def total_weight(pb):
    return pb["n"] if pb["sws"] is None else pb["sws"].sum()


def centred(pb):
    """Weighted, centred float64 (Xc, yc) of the problem the estimator sees."""
    Xs, ys = pb["Xs"], pb["ys"]
    s = np.ones(pb["n"]) if pb["sws"] is None else pb["sws"]
    if pb["fit_intercept"]:
        xm, ym = s @ Xs / s.sum(), s @ ys / s.sum()
    else:
        xm, ym = np.zeros(pb["p"]), 0.0
    r = np.sqrt(s)
    return r[:, None] * (Xs - xm), r * (ys - ym)


def gap_scale(pb):
    """||y_c||^2 / sum(s): the unit of ``tol``; with an absolute floor for a
    constant y (the means themselves are rounded)."""
    _, yc = centred(pb)
    floor = (1e-24 if pb["dtype"] == np.float64 else 1e-12) * np.mean(pb["ys"] ** 2)
    return (yc @ yc) / total_weight(pb), floor


def allowed_gap(pb, tol, coef):
    scale, floor = gap_scale(pb)
    return (tol + slack(pb["dtype"])) * scale + roundoff(pb, coef) + floor


def strong_convexity(pb, alpha, l1_ratio):
    """mu with P(w) - P* >= mu/2 ||w - w*||^2 (intercept eliminated)."""
    Xc, _ = centred(pb)
    lam = np.linalg.eigvalsh(Xc.T @ Xc)[0] / total_weight(pb) if pb["n"] > 1 else 0.0
    return max(lam, 0.0) + alpha * (1 - l1_ratio)


def radius(pb, alpha, l1_ratio, eps):
    """Distance to the unique optimum allowed by a gap eps (inf: not unique)."""
    mu = strong_convexity(pb, alpha, l1_ratio)
    return np.sqrt(2 * eps / mu) if mu > 1e-8 else np.inf


def kkt_bound(pb, alpha, l1_ratio, eps):
    """Largest KKT violation of a point eps above the optimum (see test_enet):
    |g_j(w) - g_j(w*)| <= ||x_c,j|| sqrt(2 eps / S) + sqrt(2 eps alpha (1 - l1_ratio)),
    doubled for coordinates whose sign changed after their last update."""
    Xc, _ = centred(pb)
    col = np.sqrt(np.max(np.sum(Xc * Xc, axis=0), initial=0.0))
    S = total_weight(pb)
    return 2 * (col * np.sqrt(2 * eps / S) + np.sqrt(2 * eps * alpha * (1 - l1_ratio)))


def kkt_roundoff(pb, coef):
    """Round-off of a gradient entry: residuals rounded in the data's precision
    (the intercept included), times the size of the columns (+1: intercept)."""
    size = np.abs(pb["ys"]) + np.abs(pb["Xs"]) @ np.abs(np.asarray(coef, dtype=np.float64))
    return 64 * np.finfo(pb["dtype"]).eps * size.max() * (1 + np.abs(pb["Xs"]).max())


def certify(pb, est, alpha, l1_ratio, positive=False):
    """Independent gap and KKT violation of a fitted Elastic-Net; returns the gap."""
    coef = np.asarray(est.coef_, dtype=np.float64)
    b = float(est.intercept_)
    kw = dict(sample_weight=pb["sws"], fit_intercept=pb["fit_intercept"],
              positive=positive)
    gap = ref.enet_duality_gap(pb["Xs"], pb["ys"], coef, b, alpha, l1_ratio, **kw)
    kkt = ref.enet_kkt_violation(pb["Xs"], pb["ys"], coef, b, alpha, l1_ratio, **kw)
    return gap, kkt


def fit(est, pb, X=None, y=None, sw="same"):
    """Fit; returns the estimator and whether it converged (no ConvergenceWarning).

    Coordinate descent can genuinely crawl on degenerate random problems (for
    instance n = 2 with an intercept: a rank-one design, on which scikit-learn
    and the reference solver stall exactly alike), so non-convergence is
    allowed; what is never allowed is a certificate that lies.
    """
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always", ConvergenceWarning)
        est.fit(pb["X"] if X is None else X, pb["y"] if y is None else y,
                sample_weight=pb["sw"] if isinstance(sw, str) else sw)
    converged = not any(issubclass(w.category, ConvergenceWarning) for w in record)
    if not converged:
        event("not converged")
    return est, converged


def certified_eps(pb, est, alpha, l1_ratio, positive=False):
    """The independent gap of a fit plus round-off: the suboptimality that the
    comparisons between fits may assume."""
    gap, _ = certify(pb, est, alpha, l1_ratio, positive)
    scale, floor = gap_scale(pb)
    return gap + slack(pb["dtype"]) * scale + roundoff(pb, est.coef_) + floor


def alpha_floor(pb):
    """A small but not round-off-level alpha for the problem's scale.

    When every column is constant or zero, alpha_max is pure round-off, and
    so would be a fraction of it; such alphas have their own test in
    test_hardening.py (test_sparse_constant_column_small_alpha).
    """
    size = np.sqrt(np.mean(pb["Xs"] ** 2) * np.mean(pb["ys"] ** 2))
    return 1e-6 * (size if size > 0 else 1.0)


def pick_alpha(pb, l1_ratio, frac):
    amax = ref.alpha_max(pb["Xs"], pb["ys"], max(l1_ratio, 1e-3), pb["sws"],
                         pb["fit_intercept"])
    return max(amax * frac, alpha_floor(pb))


def objective(pb, coef, b, alpha, l1_ratio):
    return ref.enet_objective(pb["Xs"], pb["ys"], np.asarray(coef, float), float(b), alpha,
                              l1_ratio, pb["sws"])


# --------------------------------------------------------------------------
# 1. optimality certified by the independent gap and the KKT conditions
# --------------------------------------------------------------------------
@fuzz(60)
@given(pb=problems(), l1_ratio=st.sampled_from([1.0, 0.9, 0.5, 0.1, 0.0]),
       frac=st.floats(1e-3, 1.2), positive=st.booleans(),
       selection=st.sampled_from(["cyclic", "random"]))
def test_certified_optimal(pb, l1_ratio, frac, positive, selection):
    alpha = pick_alpha(pb, l1_ratio, frac)
    tol = fit_tol(pb["dtype"])
    est = ElasticNet(alpha=alpha, l1_ratio=l1_ratio, fit_intercept=pb["fit_intercept"],
                     positive=positive, selection=selection, random_state=0, tol=tol,
                     max_iter=20000)
    est, converged = fit(est, pb)
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
# 2. dense == sparse; 3. permutations
# --------------------------------------------------------------------------
def assert_same_optimum(pb, a, b, alpha, l1_ratio, what, positive=False):
    """Two fits of one problem, each certified by its independent gap:
    objectives within the sum of the gaps, and coefficients within the
    strong-convexity radii (when the optimum is unique)."""
    ea = certified_eps(pb, a, alpha, l1_ratio, positive)
    eb = certified_eps(pb, b, alpha, l1_ratio, positive)
    oa = objective(pb, a.coef_, a.intercept_, alpha, l1_ratio)
    ob = objective(pb, b.coef_, b.intercept_, alpha, l1_ratio)
    assert abs(oa - ob) <= ea + eb + 1e-14 * abs(oa), (what, oa, ob, ea, eb)
    ra, rb = radius(pb, alpha, l1_ratio, ea), radius(pb, alpha, l1_ratio, eb)
    diff = np.linalg.norm(np.asarray(a.coef_, float) - np.asarray(b.coef_, float))
    if np.isfinite(ra + rb):
        assert diff <= ra + rb + 1e-12, (what, diff, ra, rb)


@fuzz(30)
@given(pb=problems(layouts=["dense"]), l1_ratio=st.sampled_from([1.0, 0.5, 0.05]),
       frac=st.floats(1e-2, 1.0), positive=st.booleans())
def test_dense_equals_sparse(pb, l1_ratio, frac, positive):
    alpha = pick_alpha(pb, l1_ratio, frac)
    tol = fit_tol(pb["dtype"])
    fits = {}
    for layout in LAYOUTS:
        est = ElasticNet(alpha=alpha, l1_ratio=l1_ratio, fit_intercept=pb["fit_intercept"],
                         positive=positive, tol=tol, max_iter=100000)
        fits[layout] = fit(est, pb, X=layout_of(pb["X64"], layout, pb["dtype"]))[0]
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
    tol = fit_tol(pb["dtype"])
    kw = dict(alpha=alpha, l1_ratio=l1_ratio, fit_intercept=pb["fit_intercept"], tol=tol,
              max_iter=100000)
    a = fit(ElasticNet(**kw), pb)[0]
    Xp = layout_of(pb["X64"][:, perm], pb["layout"], pb["dtype"])
    b = fit(ElasticNet(**kw), pb, X=Xp)[0]
    b.coef_ = b.coef_[np.argsort(perm)]  # back to the original order
    assert_same_optimum(pb, a, b, alpha, l1_ratio, "features permuted")
    # permuting the samples (with their weights) changes nothing either
    rows = np.array(data.draw(st.permutations(range(pb["n"]))), dtype=int)
    Xr = layout_of(pb["X64"][rows], pb["layout"], pb["dtype"])
    c = fit(ElasticNet(**kw), pb, X=Xr, y=pb["y"][rows],
            sw=None if pb["sw"] is None else pb["sw"][rows])[0]
    assert_same_optimum(pb, a, c, alpha, l1_ratio, "samples permuted")


# --------------------------------------------------------------------------
# 4. scaling y
# --------------------------------------------------------------------------
@fuzz(30)
@given(pb=problems(dtypes=(np.float64,)), frac=st.floats(1e-2, 1.0),
       c=st.sampled_from([-1.0, -3.7, 0.001, 0.37, 5.0, 1e3]))
def test_lasso_scaling_y_and_alpha_scales_coef(pb, frac, c):
    """Lasso(c alpha) on c y has the optimum c w*, for any c != 0."""
    alpha = pick_alpha(pb, 1.0, frac)
    tol = fit_tol(pb["dtype"])
    a = fit(Lasso(alpha=alpha, fit_intercept=pb["fit_intercept"], tol=tol,
                  max_iter=20000), pb)[0]
    b = fit(Lasso(alpha=alpha * abs(c), fit_intercept=pb["fit_intercept"], tol=tol,
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
    kw = dict(fit_intercept=pb["fit_intercept"], tol=fit_tol(pb["dtype"]), max_iter=100000)
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


@fuzz(30)
@given(pb=problems(dtypes=(np.float64,)), alpha=st.floats(1e-3, 1e2),
       c=st.sampled_from([-1.0, -3.7, 0.001, 0.37, 5.0, 1e3]),
       solver=st.sampled_from(["auto", "svd", "sparse_cg", "cd"]))
def test_ridge_scaling_y_scales_coef(pb, alpha, c, solver):
    """Ridge(alpha) on c y has the optimum c w* (same alpha); both fits are
    certified as the Elastic-Net (alpha / S, l1_ratio=0) that Ridge is."""
    kw = dict(alpha=alpha, fit_intercept=pb["fit_intercept"], solver=solver, tol=1e-12,
              max_iter=100000)
    a = fit(Ridge(**kw), pb)[0]  # 'cd' may crawl: certified gaps decide
    b = fit(Ridge(**kw), pb, y=c * pb["y"])[0]
    b.coef_ = b.coef_ / c
    b.intercept_ = b.intercept_ / c
    assert_same_optimum(pb, a, b, alpha / total_weight(pb), 0.0, f"c={c}")


# --------------------------------------------------------------------------
# 5. alpha >= alpha_max
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
                     fit_intercept=pb["fit_intercept"], tol=fit_tol(pb["dtype"]))
    est, converged = fit(est, pb)
    assert converged  # zero is optimal, and certified before the first epoch
    np.testing.assert_array_equal(est.coef_, np.zeros(pb["p"]))
    expected = np.average(pb["ys"], weights=pb["sws"]) if pb["fit_intercept"] else 0.0
    rtol = 1e-12 if pb["dtype"] == np.float64 else 1e-6
    assert abs(est.intercept_ - expected) <= rtol * max(abs(expected), np.abs(pb["ys"]).max())


# --------------------------------------------------------------------------
# 6. ElasticNet(l1_ratio=0) is Ridge
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
    tol = fit_tol(pb["dtype"])
    enet, converged = fit(ElasticNet(alpha=a, l1_ratio=0.0, fit_intercept=pb["fit_intercept"],
                                     tol=tol, max_iter=20000), pb)
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
    assert {lay for lay, _, _ in seen} == set(LAYOUTS)
    assert {dt for _, dt, _ in seen} == {"float64", "float32"}
    assert {w for _, _, w in seen} == {True, False}
