"""fastreg._relaxed: the least-squares refits of a path on its active sets.

Oracles: an explicit weighted least squares with an intercept column
(``numpy.linalg.lstsq`` on ``sqrt(s) [X_A, 1]``) for full-rank active sets,
the minimum-norm least squares (pseudo-inverse) of the centred weighted
columns for rank-deficient ones, and the KKT conditions of non-negative
least squares for ``positive``. Also: every layout and dtype gives the same
refits, the union's Gram matrix and the per-set fallback agree, consecutive
alphas with one active set share one solve, and the statistics entry point
(the Dask route's) equals the design one.
"""
import numpy as np
import pytest

import fastreg._relaxed as relaxed
from fastreg._path import path_on_design
from fastreg._preprocess import preprocess
from fastreg._relaxed import active_union, blend, least_squares_refits, refits_on_gram

from conftest import (DTYPES, LAYOUTS, SAMPLE_WEIGHTS, centred_weighted, make_problem,
                      make_sample_weight, to_layout)

N, P = 50, 20


def _design(X, y, sw, fit_intercept, layout="dense", dtype=np.float64):
    return preprocess(to_layout(X, layout, dtype), y.astype(dtype), sw, fit_intercept,
                      normalize_weights=True, lazy=True)


def _supports():
    """Coefficients (P, 7) whose supports are: empty, {0..4} twice in a row,
    {3, 7, 11}, every feature, {2}, empty again (only the support matters)."""
    coefs = np.zeros((P, 7))
    coefs[:5, 1] = 1.0
    coefs[:5, 2] = -2.0
    coefs[[3, 7, 11], 3] = 0.5
    coefs[:, 4] = 1.0
    coefs[2, 5] = 3.0
    return coefs


def weighted_lstsq(X, y, sw, fit_intercept, A):
    """argmin sum_i s_i (y_i - X_iA z - b)^2 by numpy's lstsq: (z on A, b)."""
    s = np.sqrt(np.ones(X.shape[0]) if sw is None else sw)
    M = X[:, A]
    if fit_intercept:
        M = np.column_stack([M, np.ones(X.shape[0])])
    sol = np.linalg.lstsq(M * s[:, None], y * s, rcond=None)[0]
    return sol[:A.size], (sol[-1] if fit_intercept else 0.0)


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("sw_kind", SAMPLE_WEIGHTS)
def test_refits_are_weighted_lstsq_on_each_support(layout, fit_intercept, sw_kind):
    X, y = make_problem(n=N, p=P, seed=3)
    sw = make_sample_weight(N, sw_kind, seed=4)
    coefs = _supports()
    refits, intercepts = least_squares_refits(_design(X, y, sw, fit_intercept, layout), coefs)
    assert refits.shape == coefs.shape and intercepts.shape == (coefs.shape[1],)
    for k in range(coefs.shape[1]):
        A = np.flatnonzero(coefs[:, k])
        z, b = weighted_lstsq(X, y, sw, fit_intercept, A)
        expected = np.zeros(P)
        expected[A] = z
        np.testing.assert_allclose(refits[:, k], expected, rtol=0, atol=1e-8)
        assert abs(intercepts[k] - b) <= 1e-8 * max(1.0, abs(b))
    # empty active sets: no coefficient, the intercept is the weighted mean
    y_mean = np.average(y, weights=sw) if fit_intercept else 0.0
    for k in (0, 6):
        assert not refits[:, k].any()
        assert intercepts[k] == pytest.approx(y_mean, rel=1e-12, abs=1e-14)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("sw_kind", SAMPLE_WEIGHTS)
def test_layouts_and_dtypes_agree(dtype, sw_kind):
    X, y = make_problem(n=N, p=P, seed=5)
    sw = make_sample_weight(N, sw_kind, seed=6)
    coefs = _supports()
    base = least_squares_refits(_design(X, y, sw, True), coefs)
    tol = 1e-10 if dtype == np.float64 else 2e-4
    for layout in LAYOUTS:
        refits, intercepts = least_squares_refits(_design(X, y, sw, True, layout, dtype),
                                                  coefs.astype(dtype))
        assert refits.dtype == dtype
        scale = np.abs(base[0]).max()
        np.testing.assert_allclose(refits, base[0], rtol=0, atol=tol * scale)
        np.testing.assert_allclose(intercepts, base[1], rtol=0,
                                   atol=tol * max(1.0, np.abs(base[1]).max()))


@pytest.mark.parametrize("layout", LAYOUTS)
def test_refits_of_a_real_path_against_lstsq(layout):
    """On a Lasso path's own supports (penalty factors: the unpenalised feature
    is in every active set), to 1e-8."""
    X, y = make_problem(n=80, p=30, seed=7)
    sw = make_sample_weight(80, "random", seed=8)
    pf = np.ones(30)
    pf[4] = 0.0
    design = _design(X, y, sw, True, layout)
    coefs, _, _ = path_on_design(design, np.geomspace(1.0, 1e-3, 30), 1.0, tol=1e-12,
                                 penalty_factor=pf)
    assert np.all(coefs[4] != 0)
    refits, intercepts = least_squares_refits(design, coefs)
    for k in range(coefs.shape[1]):
        A = np.flatnonzero(coefs[:, k])
        z, b = weighted_lstsq(X, y, sw, True, A)
        np.testing.assert_allclose(refits[A, k], z, rtol=0, atol=1e-8)
        assert abs(intercepts[k] - b) <= 1e-8 * max(1.0, abs(b))


@pytest.mark.parametrize("layout", LAYOUTS)
def test_rank_deficient_support_is_minimum_norm(layout):
    """|A| >= n, and a duplicated column: the minimum-norm least squares of the
    centred, weighted columns (the pseudo-inverse), fitted values exact."""
    rng = np.random.default_rng(9)
    n, p = 15, 25
    X = rng.standard_normal((n, p)) + 2.0
    X[:, 1] = X[:, 0]  # collinear pair
    y = rng.standard_normal(n)
    sw = make_sample_weight(n, "random", seed=10)
    coefs = np.zeros((p, 2))
    coefs[:, 0] = 1.0           # all 25 features, n = 15
    coefs[[0, 1, 5], 1] = 1.0   # a collinear pair, |A| < n
    refits, _ = least_squares_refits(_design(X, y, sw, True, layout), coefs)
    Xt, yt = centred_weighted(X, y, sw / sw.mean(), True)[:2]
    for k in range(2):
        A = np.flatnonzero(coefs[:, k])
        z = np.linalg.pinv(Xt[:, A]) @ yt
        np.testing.assert_allclose(refits[A, k], z, rtol=0, atol=1e-8 * np.abs(z).max())
        np.testing.assert_allclose(Xt[:, A] @ refits[A, k], Xt[:, A] @ z, atol=1e-8)
    assert refits[0, 1] == pytest.approx(refits[1, 1], rel=1e-8)  # min norm splits evenly


@pytest.mark.parametrize("layout", LAYOUTS)
def test_positive_refit_is_nnls(layout):
    """KKT of min ||yt - Xt_A z|| s.t. z >= 0: z >= 0, gradient >= 0 on A and
    0 where z > 0; zero off A."""
    X, y = make_problem(n=N, p=P, seed=11)
    y = y - 3.0 * X[:, 2]  # a feature that least squares wants negative
    sw = make_sample_weight(N, "random", seed=12)
    coefs = _supports()
    refits, intercepts = least_squares_refits(_design(X, y, sw, True, layout), coefs,
                                              positive=True)
    Xt, yt = centred_weighted(X, y, sw / sw.mean(), True)[:2]
    assert np.all(refits >= 0)
    n_clipped = 0
    for k in range(coefs.shape[1]):
        A = np.flatnonzero(coefs[:, k])
        assert not refits[np.setdiff1d(np.arange(P), A), k].any()
        z = refits[A, k]
        grad = Xt[:, A].T @ (Xt[:, A] @ z - yt)
        scale = np.abs(Xt[:, A].T @ yt).max(initial=1.0)
        assert np.all(grad >= -1e-9 * scale)
        np.testing.assert_allclose(grad[z > 0], 0.0, atol=1e-9 * scale)
        n_clipped += int(np.sum(z == 0))
        # the intercept is the weighted means' rule
        xm, ym = np.average(X, axis=0, weights=sw), np.average(y, weights=sw)
        assert intercepts[k] == pytest.approx(ym - xm @ refits[:, k], rel=1e-10, abs=1e-12)
    assert n_clipped > 0  # the constraint was active somewhere


def test_union_gram_and_per_set_fallback_agree(monkeypatch):
    X, y = make_problem(n=N, p=P, seed=13)
    coefs = _supports()[:, :4]  # the largest support has 5 features
    design = _design(X, y, None, True, "csc")
    shared = least_squares_refits(design, coefs)
    # a limit below the union's 7^2 entries, above each set's 5^2
    monkeypatch.setattr(relaxed, "MAX_GRAM_ENTRIES", 30)
    fallback = least_squares_refits(design, coefs)
    np.testing.assert_allclose(fallback[0], shared[0], rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(fallback[1], shared[1], rtol=1e-12)
    monkeypatch.setattr(relaxed, "MAX_GRAM_ENTRIES", 20)
    with pytest.raises(ValueError, match="relax=True: an active set of 5 features"):
        least_squares_refits(design, coefs)


def test_consecutive_alphas_with_one_active_set_share_a_run():
    """The runs: one per distinct non-empty active set of consecutive alphas,
    each alpha mapped to its run (-1 for an empty set), and the alphas of a
    run get one refit."""
    X, y = make_problem(n=N, p=P, seed=14)
    coefs = _supports()
    supports, run_of = relaxed._runs(coefs)
    # supports: empty, {0..4}, {0..4}, {3,7,11}, all, {2}, empty -> 4 runs
    assert supports.shape == (P, 4)
    np.testing.assert_array_equal(run_of, [-1, 0, 0, 1, 2, 3, -1])
    for r, k in enumerate([1, 3, 4, 5]):
        np.testing.assert_array_equal(supports[:, r], coefs[:, k] != 0)
    refits, _ = least_squares_refits(_design(X, y, None, True), coefs)
    np.testing.assert_array_equal(refits[:, 1], refits[:, 2])


def test_statistics_entry_point_equals_design_one():
    """refits_on_gram on the whole p x p statistics (the Dask route's) equals
    the design route, which forms the union's Gram matrix only."""
    X, y = make_problem(n=N, p=P, seed=15)
    sw = make_sample_weight(N, "random", seed=16)
    coefs = _supports()
    refits, _ = least_squares_refits(_design(X, y, sw, True), coefs)
    Xt, yt = centred_weighted(X, y, sw / sw.mean(), True)[:2]
    from_stats = refits_on_gram(Xt.T @ Xt, Xt.T @ yt, coefs)
    np.testing.assert_allclose(from_stats, refits, rtol=0, atol=1e-10)
    assert np.array_equal(active_union(coefs), np.arange(P))


def test_blend_ends():
    pen, ols = np.array([1.0, -2.0, 0.0]), np.array([1.5, -3.0, 0.0])
    assert np.array_equal(blend(1.0, pen, ols), pen)
    assert np.array_equal(blend(0.0, pen, ols), ols)
    np.testing.assert_allclose(blend(0.25, pen, ols), 0.25 * pen + 0.75 * ols)


@pytest.mark.parametrize("n", [40, 15])
@pytest.mark.parametrize("seed", range(12))
def test_factor_along_random_support_sequences(seed, n):
    """Supports that grow, shrink (splits of the stack), and hold duplicated
    columns (dependent ones), also beyond the rank (n = 15 < |A|, the
    interpolating regime): every refit is the minimum-norm least squares
    (pseudo-inverse) of its support."""
    rng = np.random.default_rng(seed)
    p = 30
    X = rng.standard_normal((n, p)) + 1.0
    X[:, 7] = X[:, 3]
    X[:, 12] = X[:, 3] + X[:, 5]
    y = rng.standard_normal(n)
    n_alphas = 40
    coefs = np.zeros((p, n_alphas))
    active = np.zeros(p, dtype=bool)
    for k in range(n_alphas):
        flip = rng.choice(p, size=rng.integers(1, 6), replace=False)
        active[flip] = rng.random(flip.size) < 0.7
        coefs[active, k] = 1.0
    refits, _ = least_squares_refits(_design(X, y, None, True), coefs)
    Xt, yt = centred_weighted(X, y, None, True)[:2]
    for k in range(n_alphas):
        A = np.flatnonzero(coefs[:, k])
        z = np.linalg.pinv(Xt[:, A]) @ yt if A.size else np.zeros(0)
        np.testing.assert_allclose(refits[A, k], z, rtol=0,
                                   atol=1e-8 * max(1.0, np.abs(z).max(initial=0)))


# --------------------------------------------------------------------------
# bounded refits (box constraints, as glmnet keeps them in the relaxed fit)
# --------------------------------------------------------------------------
def _box(seed=17):
    """Bounds on P features: some tight (active for least squares), some wide,
    some one-sided or infinite."""
    rng = np.random.default_rng(seed)
    lower = -rng.uniform(0.05, 0.5, P)
    upper = rng.uniform(0.05, 0.5, P)
    lower[::5] = -np.inf
    upper[1::7] = np.inf
    return lower, upper


def _bounded_problem(seed):
    X, y = make_problem(n=N, p=P, seed=seed)
    y = y + 2.0 * X[:, 0] - 3.0 * X[:, 2] + 1.5 * X[:, 3]  # large least-squares coefficients
    return X, y


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("sw_kind", SAMPLE_WEIGHTS)
def test_bounded_refit_kkt(layout, sw_kind):
    """KKT of min ||yt - Xt_A z||^2 s.t. lower_A <= z <= upper_A: z in the box,
    the gradient zero where z is inside, >= 0 at a lower bound, <= 0 at an
    upper one; zero off A."""
    X, y = _bounded_problem(18)
    sw = make_sample_weight(N, sw_kind, seed=19)
    lower, upper = _box()
    coefs = _supports()
    refits, intercepts = least_squares_refits(_design(X, y, sw, True, layout), coefs,
                                              bounds=(lower, upper))
    Xt, yt = centred_weighted(X, y, None if sw is None else sw / sw.mean(), True)[:2]
    n_at_bound = 0
    for k in range(coefs.shape[1]):
        A = np.flatnonzero(coefs[:, k])
        assert not refits[np.setdiff1d(np.arange(P), A), k].any()
        z = refits[A, k]
        assert np.all(z >= lower[A]) and np.all(z <= upper[A])
        grad = Xt[:, A].T @ (Xt[:, A] @ z - yt)
        scale = np.abs(Xt[:, A].T @ yt).max(initial=1.0)
        at_lower, at_upper = z == lower[A], z == upper[A]
        inside = ~(at_lower | at_upper)
        np.testing.assert_allclose(grad[inside], 0.0, atol=1e-9 * scale)
        assert np.all(grad[at_lower] >= -1e-9 * scale)
        assert np.all(grad[at_upper] <= 1e-9 * scale)
        n_at_bound += int(np.sum(~inside))
    assert n_at_bound > 0  # the box was active somewhere


@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("sw_kind", SAMPLE_WEIGHTS)
def test_bounded_refit_is_lsq_linear_on_the_support(fit_intercept, sw_kind):
    """The oracle: scipy's bounded least squares on sqrt(s) [X_A, 1] with the
    intercept unbounded, and the refit's intercept from the means."""
    from scipy.optimize import lsq_linear

    X, y = _bounded_problem(20)
    sw = make_sample_weight(N, sw_kind, seed=21)
    lower, upper = _box(22)
    coefs = _supports()
    refits, intercepts = least_squares_refits(_design(X, y, sw, fit_intercept), coefs,
                                              bounds=(lower, upper))
    s = np.sqrt(np.ones(N) if sw is None else sw)
    for k in range(coefs.shape[1]):
        A = np.flatnonzero(coefs[:, k])
        if not A.size:
            continue
        M, lo, hi = X[:, A], lower[A], upper[A]
        if fit_intercept:
            M = np.column_stack([M, np.ones(N)])
            lo, hi = np.append(lo, -np.inf), np.append(hi, np.inf)
        sol = lsq_linear(M * s[:, None], y * s, bounds=(lo, hi), method="bvls",
                         tol=1e-14).x
        np.testing.assert_allclose(refits[A, k], sol[:A.size], rtol=0, atol=1e-8)
        b = sol[-1] if fit_intercept else 0.0
        assert abs(intercepts[k] - b) <= 1e-8 * max(1.0, abs(b))


@pytest.mark.parametrize("layout", LAYOUTS)
def test_never_active_bounds_give_the_unbounded_refits(layout):
    """A box the least-squares refits never reach changes nothing, bit for bit
    (a refit inside the box is the bounded one)."""
    X, y = _bounded_problem(23)
    design = _design(X, y, None, True, layout)
    coefs = _supports()
    free, _ = least_squares_refits(design, coefs)
    wide = np.full(P, 1e6)
    boxed, _ = least_squares_refits(design, coefs, bounds=(-wide, wide))
    np.testing.assert_array_equal(boxed, free)
    one_sided, _ = least_squares_refits(design, coefs, bounds=(np.full(P, -np.inf), wide))
    np.testing.assert_array_equal(one_sided, free)


def test_refits_are_scale_invariant():
    """Least squares does not see the columns' scales: the refits of X D are
    D^-1 times those of X (standardisation cannot change the relaxed refit)."""
    X, y = make_problem(n=N, p=P, seed=24)
    sw = make_sample_weight(N, "random", seed=25)
    d = np.random.default_rng(26).uniform(0.01, 100.0, P)
    coefs = _supports()
    refits, intercepts = least_squares_refits(_design(X, y, sw, True), coefs)
    scaled, scaled_intercepts = least_squares_refits(_design(X * d, y, sw, True), coefs)
    np.testing.assert_allclose(scaled * d[:, None], refits, rtol=1e-9, atol=1e-10)
    np.testing.assert_allclose(scaled_intercepts, intercepts, rtol=1e-9, atol=1e-10)
    # and the bounds scale with them
    lower, upper = _box(27)
    boxed, _ = least_squares_refits(_design(X, y, sw, True), coefs, bounds=(lower, upper))
    boxed_scaled, _ = least_squares_refits(_design(X * d, y, sw, True), coefs,
                                           bounds=(lower / d, upper / d))
    np.testing.assert_allclose(boxed_scaled * d[:, None], boxed, rtol=1e-8, atol=1e-9)


def test_bounded_statistics_entry_point_equals_design_one():
    X, y = _bounded_problem(28)
    lower, upper = _box(29)
    coefs = _supports()
    refits, _ = least_squares_refits(_design(X, y, None, True), coefs, bounds=(lower, upper))
    Xt, yt = centred_weighted(X, y, None, True)[:2]
    from_stats = refits_on_gram(Xt.T @ Xt, Xt.T @ yt, coefs, False, (lower, upper))
    np.testing.assert_allclose(from_stats, refits, rtol=0, atol=1e-10)
