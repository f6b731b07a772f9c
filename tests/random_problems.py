"""Random small problems for the property-based (hypothesis) tests, and the
certificates that judge the fits (test_coordinate_descent.py, test_ridge.py).

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
from hypothesis import HealthCheck, event, settings
from hypothesis import strategies as st
from sklearn.exceptions import ConvergenceWarning

from fastreg import reference as ref

FUZZ = max(1, int(os.environ.get("FASTREG_FUZZ", "1")))


def fuzz(max_examples):
    return settings(max_examples=max_examples * FUZZ, deadline=None, database=None,
                    suppress_health_check=[HealthCheck.too_slow])


# --------------------------------------------------------------------------
# random problems
# --------------------------------------------------------------------------
PROBLEM_LAYOUTS = ["dense", "dense_f", "csc", "csr"]
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
def problems(draw, layouts=PROBLEM_LAYOUTS, dtypes=(np.float64, np.float32), min_n=1):
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
def problem_tol(dtype):
    return 1e-10 if dtype == np.float64 else 1e-5


def slack(dtype):
    """Round-off allowance on a gap, relative to ||y_c||^2 / n (as in
    test_coordinate_descent)."""
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
    """Largest KKT violation of a point eps above the optimum (see test_coordinate_descent):
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


def fit_problem(est, pb, X=None, y=None, sw="same"):
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
    test_preprocess.py (test_sparse_constant_column_small_alpha).
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
