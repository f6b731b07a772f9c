"""fastreg._regularization_path: ``regularization_path`` and ``RegularizationPath``.

The path is checked against ``enet_path`` (the same solutions, bit for bit)
and certified column by column against ``fastreg.reference`` (its objective's
excess over an independently certified optimum is within the reported gap);
queries are checked against their closed forms: the stored column at a grid
alpha, linear interpolation in log(alpha) between two, the glmnet rule above
alpha_max; exact refits against ``ElasticNet`` fitted directly, both certified.
Also: predictions, vectorised queries, errors, pickling, the table, the plot
and Dask input.
"""
import pickle
import sys
import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.exceptions import ConvergenceWarning

import fastreg
from fastreg import RegularizationPath, reference as ref, regularization_path

from conftest import LAYOUTS, assert_unchanged, make_problem, make_sample_weight, snapshot
from random_problems import gap_scale, make, radius, roundoff, slack

N, P = 40, 12


def _problem(layout, dtype, fit_intercept, weights, seed=0):
    return make(N, P, seed, 0.6 if layout != "dense" else 1.0, layout, dtype,
                fit_intercept, weights, ["offset"])


def _optimum(pb, alpha, l1_ratio, penalty_factor=None, positive=False):
    """A lower bound of the optimum: a tight float64 fit's objective minus its
    independent duality gap (both from the reference)."""
    est = fastreg.ElasticNet(alpha=alpha, l1_ratio=l1_ratio, tol=1e-14, max_iter=100000,
                             fit_intercept=pb["fit_intercept"], positive=positive,
                             penalty_factor=penalty_factor)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        est.fit(pb["Xs"], pb["ys"], sample_weight=pb["sws"])
    kw = dict(sample_weight=pb["sws"], penalty_factor=penalty_factor)
    obj = ref.enet_objective(pb["Xs"], pb["ys"], est.coef_, est.intercept_, alpha,
                             l1_ratio, **kw)
    gap = ref.enet_duality_gap(pb["Xs"], pb["ys"], est.coef_, est.intercept_, alpha,
                               l1_ratio, fit_intercept=pb["fit_intercept"],
                               positive=positive, **kw)
    return obj - gap


def _allowance(pb, coef):
    scale, floor = gap_scale(pb)
    return slack(pb["dtype"]) * scale + roundoff(pb, coef) + floor


def _closed_intercept(pb, coef):
    """``ybar - xbar . w`` with the weighted means, in float64."""
    if not pb["fit_intercept"]:
        return 0.0
    s = np.ones(pb["n"]) if pb["sws"] is None else pb["sws"]
    return s @ (pb["ys"] - pb["Xs"] @ np.asarray(coef, float)) / s.sum()


# --------------------------------------------------------------------------
# the path: enet_path's, with intercepts, each column certified
# --------------------------------------------------------------------------
@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("weights", [None, "positive"])
def test_path_is_enet_path_and_certified(layout, dtype, fit_intercept, weights):
    pb = _problem(layout, dtype, fit_intercept, weights, seed=1)
    tol = 1e-8 if dtype == np.float64 else 1e-5
    kw = dict(l1_ratio=0.7, n_alphas=12, eps=1e-2, tol=tol, max_iter=100000)
    before = snapshot(pb["X"])
    path = regularization_path(pb["X"], pb["y"], fit_intercept=fit_intercept,
                               sample_weight=pb["sw"], **kw)
    assert_unchanged(before, pb["X"])
    alphas, coefs, gaps, n_iters = fastreg.enet_path(
        pb["X"], pb["y"], fit_intercept=fit_intercept, sample_weight=pb["sw"],
        return_n_iter=True, **kw)
    np.testing.assert_array_equal(path.alphas, alphas)
    np.testing.assert_array_equal(path.coefs, coefs)
    np.testing.assert_array_equal(path.dual_gaps, gaps)
    np.testing.assert_array_equal(path.n_iters, n_iters)
    assert path.coefs.dtype == dtype and path.intercepts.dtype == dtype
    assert len(path) == 12 and path.coefs.shape == (P, 12)
    np.testing.assert_array_equal(path.n_nonzero, (coefs != 0).sum(axis=0))
    assert np.all(np.diff(path.alphas) < 0)
    assert not np.any(path.coefs[:, 0])  # the automatic grid starts at alpha_max

    scale, _ = gap_scale(pb)
    for k, a in enumerate(path.alphas):
        w, b = path.coefs[:, k], path.intercepts[k]
        b_closed = _closed_intercept(pb, w)
        assert abs(b - b_closed) <= (1e-10 if dtype == np.float64 else 1e-4) * (
            1 + abs(b_closed))
        allow = _allowance(pb, w)
        excess = ref.enet_objective(pb["Xs"], pb["ys"], w, b, a, 0.7, pb["sws"]) \
            - _optimum(pb, a, 0.7)
        assert excess <= path.dual_gaps[k] + allow, (k, excess, path.dual_gaps[k])
        indep = ref.enet_duality_gap(pb["Xs"], pb["ys"], w, b, a, 0.7, pb["sws"],
                                     fit_intercept)
        assert indep <= tol * scale + allow, (k, indep)


@pytest.mark.parametrize("positive", [False, True])
def test_penalty_factor_and_positive(positive):
    X, y = make_problem(n=N, p=P, n_nonzero=4, seed=2, positive_truth=True)
    pf = np.ones(P)
    pf[:2] = 0.0  # two unpenalised features: the path starts at their fit, not at 0
    path = regularization_path(X, y, penalty_factor=pf, positive=positive, n_alphas=10,
                               tol=1e-10)
    _, coefs, _ = fastreg.enet_path(X, y, l1_ratio=1.0, penalty_factor=pf,
                                    positive=positive, n_alphas=10, tol=1e-10,
                                    fit_intercept=True)
    np.testing.assert_array_equal(path.coefs, coefs)
    np.testing.assert_array_equal(path.params["penalty_factor"], pf)
    assert not np.any(path.coefs[2:, 0]) and np.any(path.coefs[:2, 0])
    # constant above the first alpha (every penalised coefficient is 0 there)
    above = 3 * path.alphas[0]
    np.testing.assert_array_equal(path.coef(above), path.coefs[:, 0])
    assert path.intercept(above) == path.intercepts[0]
    est = fastreg.Lasso(alpha=above, tol=1e-12, penalty_factor=pf, positive=positive)
    est.fit(X, y)
    o_path = ref.enet_objective(X, y, path.coef(above), path.intercept(above), above,
                                penalty_factor=pf)
    o_est = ref.enet_objective(X, y, est.coef_, est.intercept_, above, penalty_factor=pf)
    gap = ref.enet_duality_gap(X, y, path.coef(above), path.intercept(above), above,
                               penalty_factor=pf, positive=positive)
    assert abs(o_path - o_est) <= gap + est.dual_gap_ + 1e-12 * o_est
    if positive:
        assert np.all(path.coefs >= 0)


# --------------------------------------------------------------------------
# queries: grid alphas, interpolation, vectorisation, predictions
# --------------------------------------------------------------------------
@pytest.fixture(scope="module", params=[np.float64, np.float32], ids=["f64", "f32"])
def fitted(request):
    X, y = make_problem(n=60, p=P, n_nonzero=6, rho=0.5, seed=3)
    X = X.astype(request.param)
    sw = make_sample_weight(60, "random", seed=4)
    tol = 1e-10 if request.param == np.float64 else 1e-6
    path = regularization_path(X, y, l1_ratio=0.8, n_alphas=15, tol=tol, sample_weight=sw)
    return X, y, sw, path


def test_grid_alphas_return_the_stored_columns_bit_for_bit(fitted):
    _, _, _, path = fitted
    for k, a in enumerate(path.alphas):
        assert path.coef(a).tobytes() == path.coefs[:, k].tobytes()
        assert path.intercept(a) == path.intercepts[k]
    both = path.coef(path.alphas)
    assert both.dtype == path.coefs.dtype
    assert both.tobytes() == np.ascontiguousarray(path.coefs).tobytes()
    np.testing.assert_array_equal(path.intercept(path.alphas), path.intercepts)


def test_interpolation_is_linear_in_log_alpha(fitted):
    _, _, _, path = fitted
    a, C, B = path.alphas, path.coefs.astype(float), path.intercepts.astype(float)
    rng = np.random.default_rng(5)
    eps = 4 * np.finfo(path.coefs.dtype).eps
    for k in range(len(a) - 1):
        t = rng.uniform(0.05, 0.95)
        alpha = np.exp((1 - t) * np.log(a[k]) + t * np.log(a[k + 1]))
        w = path.coef(alpha)
        expected = (1 - t) * C[:, k] + t * C[:, k + 1]
        size = np.maximum(np.abs(C[:, k]), np.abs(C[:, k + 1]))
        np.testing.assert_allclose(w, expected, rtol=0, atol=1e-9 * size.max()
                                   + eps * size.max())
        lo = np.minimum(C[:, k], C[:, k + 1]) - eps * size
        hi = np.maximum(C[:, k], C[:, k + 1]) + eps * size
        assert np.all((lo <= w) & (w <= hi))
        b_expected = (1 - t) * B[k] + t * B[k + 1]
        assert abs(path.intercept(alpha) - b_expected) <= 1e-9 * abs(b_expected) + eps * (
            abs(B[k]) + abs(B[k + 1]))


def test_vectorised_queries_equal_scalar_loops(fitted):
    X, _, _, path = fitted
    rng = np.random.default_rng(6)
    query = np.exp(rng.uniform(np.log(path.alphas[-1]), np.log(path.alphas[0]), 9))
    query = np.concatenate([query, path.alphas[[0, 4, -1]]])
    W = path.coef(query)
    B = path.intercept(query)
    Y = path.predict(X, query)
    assert W.shape == (P, 12) and B.shape == (12,) and Y.shape == (X.shape[0], 12)
    for m, alpha in enumerate(query):
        np.testing.assert_array_equal(W[:, m], path.coef(alpha))
        assert B[m] == path.intercept(alpha)
        # the same coefficients; the products round as BLAS's matrix and vector
        # kernels do, within a few ulps of the sizes of the terms
        size = np.abs(X).astype(float) @ np.abs(W[:, m]).astype(float) + abs(B[m])
        assert np.all(np.abs(Y[:, m] - path.predict(X, alpha))
                      <= 8 * np.finfo(X.dtype).eps * size)
    assert path.coef([query[0]]).shape == (P, 1)


@pytest.mark.parametrize("layout", ["dense", "csr", "csc"])
def test_predict_is_X_coef_plus_intercept(fitted, layout):
    X, _, _, path = fitted
    Xl = X if layout == "dense" else getattr(sp, f"{layout}_matrix")(X)
    alpha = np.sqrt(path.alphas[5] * path.alphas[6])
    y_pred = path.predict(Xl, alpha)
    assert y_pred.shape == (X.shape[0],)
    expected = X.astype(float) @ path.coef(alpha).astype(float) + path.intercept(alpha)
    np.testing.assert_allclose(y_pred, expected,
                               rtol=1e-12 if X.dtype == np.float64 else 1e-5)


def test_segment_to_zero_and_duplicate_alphas():
    """An explicit grid may end at alpha = 0 (interpolated linearly in alpha on
    that segment) and repeat an alpha (its first column is returned)."""
    coefs = np.array([[0.0, 1.0, 2.0, 4.0],
                      [0.0, 0.0, -1.0, -3.0]])
    alphas = [2.0, 1.0, 1.0, 0.0]
    path = RegularizationPath(alphas, coefs, [5.0, 4.0, 3.0, 1.0], np.zeros(4),
                              np.zeros(4, int), l1_ratio=1.0)
    np.testing.assert_array_equal(path.coef(1.0), coefs[:, 1])
    np.testing.assert_array_equal(path.coef(0.0), coefs[:, 3])
    np.testing.assert_allclose(path.coef(0.25), 0.75 * coefs[:, 3] + 0.25 * coefs[:, 2])
    assert path.intercept(0.25) == pytest.approx(0.75 * 1.0 + 0.25 * 3.0)
    t = np.log(2.0 / 1.5) / np.log(2.0)
    np.testing.assert_allclose(path.coef(1.5), (1 - t) * coefs[:, 0] + t * coefs[:, 1])
    np.testing.assert_array_equal(path.coef(10.0), coefs[:, 0])  # zeros above alpha_max


# --------------------------------------------------------------------------
# exact refits
# --------------------------------------------------------------------------
@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("weights", [None, "positive"])
def test_exact_refit_equals_elastic_net(layout, dtype, weights):
    pb = _problem(layout, dtype, True, weights, seed=7)
    tol = 1e-8 if dtype == np.float64 else 1e-5
    path = regularization_path(pb["X"], pb["y"], l1_ratio=0.5, n_alphas=8, eps=1e-2,
                               tol=tol, sample_weight=pb["sw"])
    alpha = np.exp(0.3 * np.log(path.alphas[3]) + 0.7 * np.log(path.alphas[4]))
    w, b = path.coef(alpha, exact=True), path.intercept(alpha, exact=True)
    assert w.dtype == dtype
    est = fastreg.ElasticNet(alpha=alpha, l1_ratio=0.5, tol=tol).fit(
        pb["X"], pb["y"], sample_weight=pb["sw"])
    kw = dict(sample_weight=pb["sws"])
    gap_path = ref.enet_duality_gap(pb["Xs"], pb["ys"], w, b, alpha, 0.5, **kw)
    gap_est = ref.enet_duality_gap(pb["Xs"], pb["ys"], est.coef_, est.intercept_, alpha,
                                   0.5, **kw)
    scale, _ = gap_scale(pb)
    assert gap_path <= tol * scale + _allowance(pb, w)
    assert gap_est <= tol * scale + _allowance(pb, est.coef_)
    o_path = ref.enet_objective(pb["Xs"], pb["ys"], w, b, alpha, 0.5, **kw)
    o_est = ref.enet_objective(pb["Xs"], pb["ys"], est.coef_, est.intercept_, alpha, 0.5,
                               **kw)
    assert abs(o_path - o_est) <= gap_path + gap_est + _allowance(pb, w)
    # an exact refit is a solution; the interpolation in general is not
    assert gap_path <= ref.enet_duality_gap(pb["Xs"], pb["ys"], path.coef(alpha),
                                            path.intercept(alpha), alpha, 0.5, **kw)


@pytest.mark.parametrize("layout", LAYOUTS)
def test_exact_refit_coefficients_at_tight_tol(layout):
    pb = _problem(layout, np.float64, True, "positive", seed=8)
    path = regularization_path(pb["X"], pb["y"], l1_ratio=0.5, n_alphas=8, eps=1e-2,
                               tol=1e-13, max_iter=100000, sample_weight=pb["sw"])
    query = np.exp([0.5 * np.log(path.alphas[1] * path.alphas[2]),
                    0.2 * np.log(path.alphas[5]) + 0.8 * np.log(path.alphas[6])])
    W, B = path.coef(query, exact=True), path.intercept(query, exact=True)
    for m, alpha in enumerate(query):
        est = fastreg.ElasticNet(alpha=alpha, l1_ratio=0.5, tol=1e-13, max_iter=100000)
        est.fit(pb["X"], pb["y"], sample_weight=pb["sw"])
        eps_a = ref.enet_duality_gap(pb["Xs"], pb["ys"], W[:, m], B[m], alpha, 0.5,
                                     pb["sws"]) + _allowance(pb, W[:, m])
        eps_b = ref.enet_duality_gap(pb["Xs"], pb["ys"], est.coef_, est.intercept_, alpha,
                                     0.5, pb["sws"]) + _allowance(pb, est.coef_)
        # l1_ratio < 1: strongly convex, the coefficients are within the radii
        bound = radius(pb, alpha, 0.5, eps_a) + radius(pb, alpha, 0.5, eps_b)
        assert np.linalg.norm(W[:, m] - est.coef_) <= bound + 1e-12
        assert np.linalg.norm(W[:, m] - est.coef_) <= 1e-5 * np.linalg.norm(est.coef_)
        assert abs(B[m] - est.intercept_) <= 1e-5 * (1 + abs(est.intercept_))


def test_exact_refit_with_data_passed_in():
    """A path built from arrays (as the CV estimators build theirs) keeps no data:
    exact=True needs X and y, and then equals the refit of the path that kept them."""
    X, y = make_problem(n=N, p=P, n_nonzero=4, seed=9)
    sw = make_sample_weight(N, "random", seed=10)
    kept = regularization_path(X, y, n_alphas=10, tol=1e-10, sample_weight=sw)
    built = RegularizationPath(kept.alphas, kept.coefs, kept.intercepts, kept.dual_gaps,
                               kept.n_iters, l1_ratio=1.0, params=dict(tol=1e-10))
    assert kept.has_data and not built.has_data
    alpha = np.sqrt(kept.alphas[4] * kept.alphas[5])
    with pytest.raises(ValueError, match="exact=True needs the training data"):
        built.coef(alpha, exact=True)
    w = built.coef(alpha, exact=True, X=X, y=y, sample_weight=sw)
    np.testing.assert_array_equal(w, kept.coef(alpha, exact=True))
    assert built.intercept(alpha, exact=True, X=X, y=y, sample_weight=sw) == \
        kept.intercept(alpha, exact=True)
    np.testing.assert_array_equal(
        built.predict(X, alpha, exact=True, X_train=X, y_train=y, sample_weight_train=sw),
        kept.predict(X, alpha, exact=True))
    with pytest.raises(ValueError, match="features"):
        built.coef(alpha, exact=True, X=X[:, :-1], y=y)
    with pytest.raises(ValueError, match="both X and y"):
        built.coef(alpha, exact=True, X=X)


def test_data_kept_by_reference_and_released():
    X, y = make_problem(n=N, p=P, seed=11)
    X = np.asfortranarray(X)
    path = regularization_path(X, y, n_alphas=5)
    assert np.shares_memory(path._refit.X, X)  # a reference, not a copy
    alpha = np.sqrt(path.alphas[1] * path.alphas[2])
    assert path.drop_data() is path and not path.has_data
    with pytest.raises(ValueError, match="keeps none"):
        path.coef(alpha, exact=True)
    assert not regularization_path(X, y, n_alphas=5, keep_data=False).has_data
    # copy_X=False may centre X in place: X is then no longer the data
    assert not regularization_path(X, y, n_alphas=5, copy_X=False).has_data


# --------------------------------------------------------------------------
# errors
# --------------------------------------------------------------------------
def test_errors(fitted):
    X, y, _, path = fitted
    low, high = path.alphas[-1], path.alphas[0]
    with pytest.raises(ValueError, match=r"alpha=.* outside the path's range"):
        path.coef(low / 2)
    with pytest.raises(ValueError, match="outside the path's range"):
        path.intercept([high, low / 10])
    with pytest.raises(ValueError, match="alpha must be >= 0"):
        path.coef(-1.0)
    with pytest.raises(ValueError, match=r"alpha\[1\] == -1"):
        path.coef([high, -1.0])
    with pytest.raises(ValueError, match="alpha must be finite"):
        path.coef(np.nan)
    with pytest.raises(TypeError, match="alpha"):
        path.coef("big")
    with pytest.raises(TypeError, match="exact"):
        path.coef(high, exact="yes")
    with pytest.raises(ValueError, match="X has 11 features, but the path has 12"):
        path.predict(X[:, :-1], high)
    with pytest.raises(ValueError, match="X must be 2-D"):
        path.predict(X[0], high)
    with pytest.raises(ValueError, match="kind must be one of"):
        path.plot(kind="bogus")
    # a grid that does not start at alpha_max: nothing is known above it
    below = regularization_path(X, y, alphas=[high / 10, high / 100])
    with pytest.raises(ValueError, match="not known to be constant"):
        below.coef(high / 5)
    # regularization_path validates as enet_path does
    with pytest.raises(ValueError, match="l1_ratio"):
        regularization_path(X, y, l1_ratio=0.0)
    with pytest.raises(ValueError, match="tol"):
        regularization_path(X, y, tol=-1.0)
    with pytest.raises(ValueError, match="selection"):
        regularization_path(X, y, selection="best")
    with pytest.raises(ValueError, match="y has"):
        regularization_path(X, y[:-1])
    with pytest.raises(TypeError, match="keep_data"):
        regularization_path(X, y, keep_data="no")


def test_constructor_checks():
    coefs = np.zeros((3, 2))
    args = (np.zeros(2), np.zeros(2), np.zeros(2, int))
    with pytest.raises(ValueError, match="non-increasing"):
        RegularizationPath([1.0, 2.0], coefs, *args, l1_ratio=1.0)
    with pytest.raises(ValueError, match="coefs must be"):
        RegularizationPath([2.0, 1.0], coefs.T, *args, l1_ratio=1.0)
    with pytest.raises(ValueError, match="intercepts must have shape"):
        RegularizationPath([2.0, 1.0], coefs, np.zeros(3), *args[1:], l1_ratio=1.0)
    with pytest.raises(ValueError, match="feature_names"):
        RegularizationPath([2.0, 1.0], coefs, *args, l1_ratio=1.0, feature_names=["a"])
    with pytest.raises(ValueError, match="unknown keys"):
        RegularizationPath([2.0, 1.0], coefs, *args, l1_ratio=1.0, params={"alpha": 1})
    with pytest.raises(ValueError, match="penalty_factor"):
        RegularizationPath([2.0, 1.0], coefs, *args, l1_ratio=1.0,
                           params={"penalty_factor": [1.0]})
    with pytest.raises(ValueError, match="l1_ratio"):
        RegularizationPath([2.0, 1.0], coefs, *args, l1_ratio=2.0)


# --------------------------------------------------------------------------
# pickling, the table, the plot, the repr
# --------------------------------------------------------------------------
def test_pickle_round_trip(fitted):
    X, _, _, path = fitted
    again = pickle.loads(pickle.dumps(path))
    for name in ("alphas", "coefs", "intercepts", "dual_gaps", "n_iters", "n_nonzero"):
        np.testing.assert_array_equal(getattr(again, name), getattr(path, name))
    assert again.l1_ratio == path.l1_ratio and again.params.keys() == path.params.keys()
    alpha = np.sqrt(path.alphas[2] * path.alphas[3])
    np.testing.assert_array_equal(again.coef(alpha), path.coef(alpha))
    np.testing.assert_array_equal(again.coef(alpha, exact=True), path.coef(alpha, exact=True))
    light = pickle.loads(pickle.dumps(path.__class__(
        path.alphas, path.coefs, path.intercepts, path.dual_gaps, path.n_iters,
        l1_ratio=path.l1_ratio)))
    assert not light.has_data and len(pickle.dumps(light)) < len(pickle.dumps(path))


def test_to_frame_and_feature_names():
    pd = pytest.importorskip("pandas")
    X, y = make_problem(n=N, p=4, n_nonzero=2, seed=12)
    names = ["a", "b", "c", "d"]
    path = regularization_path(pd.DataFrame(X, columns=names), pd.Series(y), n_alphas=6)
    np.testing.assert_array_equal(path.feature_names, names)
    frame = path.to_frame()
    assert list(frame.columns) == ["alpha", "intercept", "n_nonzero", "dual_gap"] + names
    assert frame.shape == (6, 8)
    np.testing.assert_array_equal(frame["alpha"], path.alphas)
    np.testing.assert_array_equal(frame[names].to_numpy().T, path.coefs)
    np.testing.assert_array_equal(frame["n_nonzero"], path.n_nonzero)
    np.testing.assert_array_equal(frame["intercept"], path.intercepts)
    np.testing.assert_array_equal(frame["dual_gap"], path.dual_gaps)
    unnamed = regularization_path(X, y, n_alphas=6)
    assert unnamed.feature_names is None
    assert list(unnamed.to_frame().columns)[4:] == ["x0", "x1", "x2", "x3"]
    # predictions from a frame: names checked, then the values
    df = pd.DataFrame(X, columns=names)
    np.testing.assert_array_equal(path.predict(df, path.alphas[3]),
                                  path.predict(X, path.alphas[3]))
    with pytest.raises(ValueError, match="feature names differ"):
        path.predict(df[["b", "a", "c", "d"]], path.alphas[3])
    with pytest.raises(TypeError, match="string names"):
        regularization_path(pd.DataFrame(X, columns=["a", "b", 3, 4]), y)


def test_plot_returns_labelled_axes(fitted):
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    _, _, _, path = fitted
    fig, (left, right) = plt.subplots(1, 2)
    try:
        ax = path.plot(ax=left)
        assert ax is left
        assert ax.get_xlabel() == "alpha (log scale)" and ax.get_ylabel() == "coefficients"
        assert ax.get_xscale() == "log" and len(ax.get_lines()) == P
        lo, hi = ax.get_xlim()
        assert lo > hi  # alpha decreases from left to right
        np.testing.assert_array_equal(ax.get_lines()[3].get_ydata(), path.coefs[3])
        top = [c for c in ax.child_axes if c.get_xlabel() == "non-zero coefficients"]
        assert len(top) == 1
        labels = [t.get_text() for t in top[0].get_xticklabels()]
        assert labels[0] == str(path.n_nonzero[0]) and labels[-1] == str(path.n_nonzero[-1])
        gap = path.plot(ax=right, kind="gap")
        assert gap.get_ylabel() == "duality gap" and gap.get_yscale() == "log"
        np.testing.assert_array_equal(gap.get_lines()[0].get_ydata(), path.dual_gaps)
        fresh = path.plot()
        assert fresh.figure is not fig
        plt.close(fresh.figure)
    finally:
        plt.close(fig)


def test_plot_and_frame_without_their_packages(fitted, monkeypatch):
    _, _, _, path = fitted
    monkeypatch.setitem(sys.modules, "matplotlib.pyplot", None)
    with pytest.raises(ImportError, match=r"pip install fastreg\[plot\]"):
        path.plot()
    monkeypatch.setitem(sys.modules, "pandas", None)
    with pytest.raises(ImportError, match="pip install pandas"):
        path.to_frame()


def test_repr_and_len(fitted):
    _, _, _, path = fitted
    text = repr(path)
    assert text.startswith("RegularizationPath(n_alphas=15,") and "data=kept" in text
    assert f"n_features={P}" in text and len(path) == 15


# --------------------------------------------------------------------------
# Dask input
# --------------------------------------------------------------------------
@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("weights", [None, "random"])
def test_dask_input_equals_in_memory(fit_intercept, weights):
    da = pytest.importorskip("dask.array")
    dask = pytest.importorskip("dask")
    X, y = make_problem(n=203, p=P, n_nonzero=5, seed=13)
    X = X + 3.0
    sw = make_sample_weight(203, weights, seed=14)
    kw = dict(l1_ratio=0.9, n_alphas=10, tol=1e-12, max_iter=100000,
              fit_intercept=fit_intercept, sample_weight=sw)
    mem = regularization_path(X, y, **kw)
    with dask.config.set(scheduler="sync"):
        dpath = regularization_path(da.from_array(X, chunks=(50, P)), da.from_array(y, 50),
                                    **kw)
    np.testing.assert_allclose(dpath.alphas, mem.alphas, rtol=1e-12)
    scale = np.abs(mem.coefs).max()
    np.testing.assert_allclose(dpath.coefs, mem.coefs, rtol=0, atol=1e-6 * scale)
    np.testing.assert_allclose(dpath.intercepts, mem.intercepts, rtol=1e-6,
                               atol=1e-6 * scale)
    for k, a in enumerate(dpath.alphas):  # certified by the reference, on the data
        gap = ref.enet_duality_gap(X, y, dpath.coefs[:, k], dpath.intercepts[k], a, 0.9,
                                   sw, fit_intercept)
        assert gap <= 1e-12 * np.var(y) * 10 + 1e-13
    # exact refits from the kept statistics: no pass over the data
    assert dpath.has_data
    alpha = np.sqrt(mem.alphas[4] * mem.alphas[5])
    np.testing.assert_allclose(dpath.coef(alpha, exact=True), mem.coef(alpha, exact=True),
                               rtol=0, atol=1e-6 * scale)
    assert dpath.intercept(alpha, exact=True) == pytest.approx(
        mem.intercept(alpha, exact=True), rel=1e-6, abs=1e-6 * scale)
    with dask.config.set(scheduler="sync"):  # and given the Dask data again
        again = dpath.drop_data().coef(alpha, exact=True, X=da.from_array(X, chunks=(50, P)),
                                       y=y, sample_weight=sw)
    np.testing.assert_allclose(again, mem.coef(alpha, exact=True), rtol=0,
                               atol=1e-6 * scale)


# --------------------------------------------------------------------------
# box constraints and standardisation
# --------------------------------------------------------------------------
def _box_problem(seed=21, n=70, p=10):
    """Columns on different scales, a signal some bounds cut, an offset."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p)) * rng.uniform(0.3, 3.0, p) + rng.uniform(-1, 2, p)
    y = X[:, :5] @ np.array([2.0, -1.5, 1.0, 0.8, -0.6]) + rng.standard_normal(n)
    lower = np.where(np.arange(p) % 3 == 0, -0.4, -np.inf)
    lower[4] = 0.0                       # a correlation pushing against 0
    upper = np.where(np.arange(p) < 2, 0.5, np.inf)
    return X, y, lower, upper


def _box_kkt(X, y, sw, w, b, alpha, l1_ratio, lower, upper, standardize, pf=None):
    d = ref.standard_deviations(X, sw) if standardize else None
    return ref.enet_box_kkt_violation(X, y, w, b, alpha, l1_ratio, sw, True, pf, lower,
                                      upper, d)


def _box_optimum(X, y, sw, alpha, l1_ratio, lower, upper, standardize, pf=None):
    """The reference's box solver: its objective (the optimum to its 1e-14
    tolerance, checked by its KKT conditions)."""
    w, b, _ = ref.enet_box_coordinate_descent(X, y, alpha, l1_ratio, sw, True, pf, lower,
                                             upper, standardize, tol=1e-14)
    assert _box_kkt(X, y, sw, w, b, alpha, l1_ratio, lower, upper, standardize, pf) < 1e-9
    d = ref.standard_deviations(X, sw) if standardize else None
    return ref.enet_box_objective(X, y, w, b, alpha, l1_ratio, sw, pf, lower, upper, d)


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("standardize", [False, True])
@pytest.mark.parametrize("weights", [None, "random"])
def test_box_path_is_enet_path_and_exact_refits_are_the_box_problem(layout, dtype,
                                                                   standardize, weights):
    from conftest import to_layout

    X, y, lower, upper = _box_problem()
    n, p = X.shape
    sw = make_sample_weight(n, weights, seed=22)
    Xl, yl = to_layout(X, layout, dtype), y.astype(dtype)
    tol = 1e-10 if dtype == np.float64 else 1e-5
    kw = dict(l1_ratio=0.6, n_alphas=8, eps=1e-2, tol=tol, max_iter=100000,
              lower_bounds=lower, upper_bounds=upper, standardize=standardize)
    path = regularization_path(Xl, yl, sample_weight=sw, **kw)
    # enet_path's solutions, bit for bit, with the box and the standardisation
    alphas, coefs, gaps = fastreg.enet_path(Xl, yl, fit_intercept=True, sample_weight=sw,
                                            **kw)
    np.testing.assert_array_equal(path.alphas, alphas)
    np.testing.assert_array_equal(path.coefs, coefs)
    np.testing.assert_array_equal(path.dual_gaps, gaps)
    assert np.all(path.coefs >= lower[:, None]) and np.all(path.coefs <= upper[:, None])
    np.testing.assert_array_equal(path.params["lower_bounds"], lower)
    np.testing.assert_array_equal(path.params["upper_bounds"], upper)
    assert path.params["standardize"] is standardize
    # the grid starts at the box problem's alpha_max
    assert not np.any(path.coefs[:, 0])

    # exact refits between grid alphas: the box problem, as ElasticNet fits it
    query = np.exp([0.5 * np.log(path.alphas[2] * path.alphas[3]),
                    0.3 * np.log(path.alphas[5]) + 0.7 * np.log(path.alphas[6])])
    W, B = path.coef(query, exact=True), path.intercept(query, exact=True)
    assert W.dtype == dtype
    scale = np.var(y)
    fuzz = 1e-9 if dtype == np.float64 else 1e-4
    for m, alpha in enumerate(query):
        est = fastreg.ElasticNet(alpha=alpha, l1_ratio=0.6, tol=tol, max_iter=100000,
                                 lower_bounds=lower, upper_bounds=upper,
                                 standardize=standardize).fit(Xl, yl, sample_weight=sw)
        w, b = W[:, m].astype(np.float64), float(B[m])
        assert np.all(w >= lower) and np.all(w <= upper)
        opt = _box_optimum(X, y, sw, alpha, 0.6, lower, upper, standardize)
        d = ref.standard_deviations(X, sw) if standardize else None
        for coef, icpt, gap in ((w, b, None), (est.coef_, est.intercept_, est.dual_gap_)):
            obj = ref.enet_box_objective(X, y, coef, icpt, alpha, 0.6, sw, None, lower,
                                         upper, d)
            # each solution's excess over the optimum is within the tolerance
            # (and ElasticNet's within its own certificate)
            assert obj - opt <= tol * scale + fuzz * scale
            if gap is not None:
                assert obj - opt <= gap + fuzz * scale
            assert _box_kkt(X, y, sw, coef, icpt, alpha, 0.6, lower, upper,
                            standardize) < (1e-4 if dtype == np.float64 else 1e-2)
        # strongly convex (l1_ratio < 1): the two solutions agree
        np.testing.assert_allclose(w, est.coef_, rtol=0,
                                   atol=1e-4 if dtype == np.float64 else 1e-2)


def test_box_constant_above_the_first_alpha():
    """With the box problem's alpha_max first, the zero solution holds above it
    (the box's normal cone does not depend on alpha): coef(alpha > max) is 0,
    and the reference's KKT conditions of the box problem hold there."""
    X, y, lower, upper = _box_problem(seed=25)
    pf = np.ones(X.shape[1])
    pf[3] = 0.0                   # an unpenalised feature, held at its bound -0.4
    path = regularization_path(X, y, l1_ratio=1.0, n_alphas=6, tol=1e-12,
                               max_iter=100000, lower_bounds=lower, upper_bounds=upper,
                               penalty_factor=pf, standardize=True)
    assert not np.any(path.coefs[pf > 0, 0]) and path.coefs[3, 0] == lower[3]
    for alpha in (path.alphas[0] * 1.5, path.alphas[0] * 40):
        w, b = path.coef(alpha), path.intercept(alpha)
        np.testing.assert_array_equal(w, path.coefs[:, 0])
        assert _box_kkt(X, y, None, w, b, alpha, 1.0, lower, upper, True, pf) < 1e-9
        np.testing.assert_allclose(path.coef(alpha, exact=True), w, rtol=0, atol=1e-9)


def test_box_lower_zero_is_positive():
    X, y, _, _ = _box_problem(seed=24)
    a = regularization_path(X, y, n_alphas=6, lower_bounds=0.0, tol=1e-10)
    b = regularization_path(X, y, n_alphas=6, positive=True, tol=1e-10)
    np.testing.assert_array_equal(a.coefs, b.coefs)
    assert a.params["positive"] and a.params["lower_bounds"] is None
    alpha = np.sqrt(a.alphas[2] * a.alphas[3])
    np.testing.assert_array_equal(a.coef(alpha, exact=True), b.coef(alpha, exact=True))
    # bounds never active: the unbounded path, bit for bit
    c = regularization_path(X, y, n_alphas=6, lower_bounds=-1e6, upper_bounds=1e6,
                            tol=1e-10)
    d = regularization_path(X, y, n_alphas=6, tol=1e-10)
    np.testing.assert_array_equal(c.coefs, d.coefs)


def test_box_errors():
    X, y, _, _ = _box_problem(seed=25)
    with pytest.raises(ValueError, match="lower_bounds must be <= 0"):
        regularization_path(X, y, lower_bounds=0.5)
    with pytest.raises(ValueError, match=r"upper_bounds must be a scalar or have shape"):
        regularization_path(X, y, upper_bounds=np.ones(3))
    with pytest.raises(ValueError, match="positive=True means lower_bounds=0"):
        regularization_path(X, y, lower_bounds=-1.0, positive=True)
    with pytest.raises(TypeError, match="standardize"):
        regularization_path(X, y, standardize="yes")
    path = regularization_path(X, y, n_alphas=4)
    with pytest.raises(ValueError, match="upper_bounds must be >= 0"):
        RegularizationPath(path.alphas, path.coefs, path.intercepts, path.dual_gaps,
                           path.n_iters, l1_ratio=1.0, params=dict(upper_bounds=-1.0))
    with pytest.raises(TypeError, match="standardize"):
        RegularizationPath(path.alphas, path.coefs, path.intercepts, path.dual_gaps,
                           path.n_iters, l1_ratio=1.0, params=dict(standardize=1))


def test_box_exact_refit_with_data_passed_in():
    """A path built from arrays with the box in its params (as the CV
    estimators build theirs) refits the box problem given the data."""
    X, y, lower, upper = _box_problem(seed=26)
    kw = dict(lower_bounds=lower, upper_bounds=upper, standardize=True)
    kept = regularization_path(X, y, l1_ratio=0.5, n_alphas=8, tol=1e-10, **kw)
    built = RegularizationPath(kept.alphas, kept.coefs, kept.intercepts, kept.dual_gaps,
                               kept.n_iters, l1_ratio=0.5, params=dict(tol=1e-10, **kw))
    alpha = np.sqrt(kept.alphas[4] * kept.alphas[5])
    np.testing.assert_array_equal(built.coef(alpha, exact=True, X=X, y=y),
                                  kept.coef(alpha, exact=True))


@pytest.mark.parametrize("weights", [None, "random"])
def test_box_dask_input_equals_in_memory(weights):
    da = pytest.importorskip("dask.array")
    dask = pytest.importorskip("dask")
    X, y, lower, upper = _box_problem(seed=27, n=203)
    sw = make_sample_weight(203, weights, seed=28)
    kw = dict(l1_ratio=0.8, n_alphas=8, tol=1e-12, max_iter=100000, sample_weight=sw,
              lower_bounds=lower, upper_bounds=upper, standardize=True)
    mem = regularization_path(X, y, **kw)
    with dask.config.set(scheduler="sync"):
        dpath = regularization_path(da.from_array(X, chunks=(50, 10)),
                                    da.from_array(y, 50), **kw)
    np.testing.assert_allclose(dpath.alphas, mem.alphas, rtol=1e-10)
    scale = np.abs(mem.coefs).max()
    np.testing.assert_allclose(dpath.coefs, mem.coefs, rtol=0, atol=1e-6 * scale)
    alpha = np.sqrt(mem.alphas[4] * mem.alphas[5])
    w, b = dpath.coef(alpha, exact=True), dpath.intercept(alpha, exact=True)
    np.testing.assert_allclose(w, mem.coef(alpha, exact=True), rtol=0, atol=1e-6 * scale)
    assert _box_kkt(X, y, sw, w, b, alpha, 0.8, lower, upper, True) < 1e-6
    with dask.config.set(scheduler="sync"):  # given the Dask data again
        again = dpath.drop_data().coef(alpha, exact=True,
                                       X=da.from_array(X, chunks=(50, 10)), y=y,
                                       sample_weight=sw)
    np.testing.assert_allclose(again, w, rtol=0, atol=1e-9 * scale)
