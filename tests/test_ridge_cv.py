"""fastreg._ridge_cv (and fastreg._ridge_loo, its leave-one-out engine):
RidgeCV, exact leave-one-out against brute force, and scikit-learn parity.

The oracle of the leave-one-out path is the definition itself: refit
``fastreg.Ridge`` n times, each time without one sample, and predict the sample
left out. Every decomposition route (SVD, eigendecomposition of X^T X, of
X X^T), layout, dtype, intercept and weighting must reproduce it.
"""
import functools
import warnings

import numpy as np
import pytest
import scipy.sparse as sp
import sklearn
import sklearn.linear_model as sklm
from sklearn.model_selection import GroupKFold, KFold
from sklearn.utils.estimator_checks import parametrize_with_checks

from fastreg import Ridge
from fastreg import reference as fastreg_reference
from fastreg._ridge_cv import RidgeCV

from conftest import assert_coef_close, make_problem, make_sample_weight, to_layout

ALPHAS = (0.05, 0.7, 9.0)
SHAPES = {"tall": (14, 5), "wide": (9, 13)}
MODES = ["auto", "svd", "eigen"]


# ---------------------------------------------------------------------------
# data and the brute-force oracle
# ---------------------------------------------------------------------------

@functools.lru_cache(maxsize=None)
def _data(shape, n_targets, sw_kind, dtype=np.float64):
    n, p = SHAPES[shape]
    X, y = make_problem(n=n, p=p, n_nonzero=3, density=0.6, n_targets=n_targets,
                        seed=3 if shape == "tall" else 4)
    X = X.astype(dtype).astype(np.float64)  # the data the dtype can hold
    y = y.astype(dtype).astype(np.float64)
    return X, y, make_sample_weight(n, sw_kind, seed=7)


def data(shape, n_targets=None, sw_kind=None, dtype=np.float64):
    X, y, sw = _data(shape, n_targets, sw_kind, dtype)
    return X.copy(), y.copy(), None if sw is None else sw.copy()


@functools.lru_cache(maxsize=None)
def _brute_force(shape, n_targets, sw_kind, fit_intercept, dtype=np.float64):
    """Leave-one-out predictions (n, [T,] A) by n refits of fastreg.Ridge."""
    X, y, sw = data(shape, n_targets, sw_kind, dtype)
    n = X.shape[0]
    out = np.empty(y.shape + (len(ALPHAS),))
    for i in range(n):
        keep = np.arange(n) != i
        for k, a in enumerate(ALPHAS):
            m = Ridge(alpha=a, fit_intercept=fit_intercept).fit(
                X[keep], y[keep], sample_weight=None if sw is None else sw[keep])
            out[i, ..., k] = m.predict(X[i:i + 1])[0]
    return out


def brute_force(*args):
    return _brute_force(*args).copy()


def squared_errors(y, pred, sw):
    """s_i (y_i - yhat_{-i})^2: scikit-learn's cv_results_ when scoring=None."""
    w = np.ones(y.shape[0]) if sw is None else sw
    err = (y[..., None] - pred) ** 2
    return w.reshape((-1,) + (1,) * (err.ndim - 1)) * err


def rel_err(a, b):
    a, b = np.asarray(a, float), np.asarray(b, float)
    return np.max(np.abs(a - b)) / max(np.max(np.abs(b)), 1e-300)


def tol(dtype):
    return 1e-8 if np.dtype(dtype) == np.float64 else 2e-5


# ---------------------------------------------------------------------------
# leave-one-out == brute force
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("shape", list(SHAPES))
@pytest.mark.parametrize("n_targets", [None, 2])
@pytest.mark.parametrize("sw_kind", [None, "random"])
@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_loo_equals_brute_force(shape, n_targets, sw_kind, fit_intercept, dtype):
    X, y, sw = data(shape, n_targets, sw_kind, dtype)
    pred = brute_force(shape, n_targets, sw_kind, fit_intercept, dtype)
    expected = squared_errors(y, pred, sw)
    for mode in MODES:
        for layout in ("dense", "csc", "csr"):
            Xl = to_layout(X, layout, dtype=dtype)
            m = RidgeCV(ALPHAS, fit_intercept=fit_intercept, gcv_mode=mode,
                        store_cv_results=True).fit(Xl, y.astype(dtype), sample_weight=sw)
            what = f"{mode}/{layout}/{m.gcv_mode_}"
            assert m.cv_results_.dtype == dtype, what
            assert m.cv_results_.shape == expected.shape, what
            assert rel_err(m.cv_results_, expected) <= tol(dtype), what
            scores = -expected.reshape(-1, len(ALPHAS)).mean(axis=0)
            best = int(np.argmax(scores))
            assert m.alpha_ == ALPHAS[best], what
            np.testing.assert_allclose(m.best_score_, scores[best], rtol=tol(dtype))
            # the model is the full-data fit at alpha_
            ref = Ridge(alpha=ALPHAS[best], fit_intercept=fit_intercept).fit(
                X, y, sample_weight=sw)
            assert m.coef_.dtype == dtype
            assert_coef_close(m.coef_, ref.coef_, 10 * tol(dtype), what)
            np.testing.assert_allclose(m.intercept_, ref.intercept_,
                                       rtol=10 * tol(dtype), atol=10 * tol(dtype))


@pytest.mark.parametrize("shape", list(SHAPES))
@pytest.mark.parametrize("sw_kind", [None, "random"])
@pytest.mark.parametrize("layout", ["dense", "csr"])
def test_loo_predictions_with_scorer_equal_brute_force(shape, sw_kind, layout):
    """With a scorer, cv_results_ holds the leave-one-out predictions, and the
    scorer sees them with the sample weights."""
    X, y, sw = data(shape, 2, sw_kind)
    pred = brute_force(shape, 2, sw_kind, True)
    m = RidgeCV(ALPHAS, scoring="neg_mean_squared_error", store_cv_results=True).fit(
        to_layout(X, layout), y, sample_weight=sw)
    assert m.cv_results_.shape == pred.shape
    assert rel_err(m.cv_results_, pred) <= 1e-9
    w = np.ones(y.shape[0]) if sw is None else sw
    scores = [-np.average(((y - pred[..., k]) ** 2).mean(axis=1), weights=w)
              for k in range(len(ALPHAS))]
    assert m.alpha_ == ALPHAS[int(np.argmax(scores))]
    np.testing.assert_allclose(m.best_score_, max(scores), rtol=1e-9)


@pytest.mark.parametrize("shape", list(SHAPES))
@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("layout", ["dense", "csr"])
@pytest.mark.parametrize("scoring", [None, "neg_mean_absolute_error"])
def test_alpha_per_target_equals_brute_force(shape, mode, layout, scoring):
    X, y, sw = data(shape, 3, "random")
    y[:, 2] *= 30.0  # a noisier target wants another alpha
    pred = np.stack([_brute_force_column(shape, t) for t in range(3)], axis=1)
    m = RidgeCV(ALPHAS, gcv_mode=mode, alpha_per_target=True, scoring=scoring,
                store_cv_results=True).fit(to_layout(X, layout), y, sample_weight=sw)
    assert m.alpha_.shape == (3,) and m.best_score_.shape == (3,)
    assert m.coef_.shape == (3, X.shape[1]) and m.intercept_.shape == (3,)
    for t in range(3):
        if scoring is None:
            scores = -(sw[:, None] * (y[:, t, None] - pred[:, t]) ** 2).mean(axis=0)
        else:
            scores = -np.average(np.abs(y[:, t, None] - pred[:, t]), axis=0, weights=sw)
        k = int(np.argmax(scores))
        assert m.alpha_[t] == ALPHAS[k]
        np.testing.assert_allclose(m.best_score_[t], scores[k], rtol=1e-9)
        ref = Ridge(alpha=ALPHAS[k]).fit(X, y[:, t], sample_weight=sw)
        assert_coef_close(m.coef_[t], ref.coef_, 1e-8)
        np.testing.assert_allclose(m.intercept_[t], ref.intercept_, rtol=1e-8)


@functools.lru_cache(maxsize=None)
def _brute_force_column(shape, t):
    X, y, sw = data(shape, 3, "random")
    y[:, 2] *= 30.0
    n = X.shape[0]
    out = np.empty((n, len(ALPHAS)))
    for i in range(n):
        keep = np.arange(n) != i
        for k, a in enumerate(ALPHAS):
            out[i, k] = Ridge(alpha=a).fit(X[keep], y[keep, t], sample_weight=sw[keep]
                                           ).predict(X[i:i + 1])[0]
    return out


def test_zero_weights():
    """A zero-weight sample does not move the fit: its weighted error is 0 and
    its leave-one-out prediction is the full-data prediction; the others are
    exactly those of the data set without it."""
    X, y, _ = data("tall")
    sw = make_sample_weight(X.shape[0], "with_zeros", seed=1)
    zero = sw == 0
    for mode in MODES:
        for Xl in (X, sp.csc_matrix(X)):
            m = RidgeCV(ALPHAS, gcv_mode=mode, store_cv_results=True).fit(
                Xl, y, sample_weight=sw)
            sub = RidgeCV(ALPHAS, gcv_mode=mode, store_cv_results=True).fit(
                X[~zero], y[~zero], sample_weight=sw[~zero])
            np.testing.assert_allclose(m.cv_results_[~zero], sub.cv_results_, rtol=1e-9)
            assert np.all(m.cv_results_[zero] <= 1e-25 * m.cv_results_.max())  # round-off
            p = RidgeCV(ALPHAS, gcv_mode=mode, scoring="r2", store_cv_results=True).fit(
                Xl, y, sample_weight=sw)
            for k, a in enumerate(ALPHAS):
                full = Ridge(alpha=a).fit(X, y, sample_weight=sw).predict(X[zero])
                np.testing.assert_allclose(p.cv_results_[zero, k], full, rtol=1e-9)


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("shape", list(SHAPES))
def test_sparse_never_densified(monkeypatch, mode, shape):
    """No n x p dense copy of a sparse X is ever made (only Gram/kernel blocks)."""
    X, y, sw = data(shape, None, "random")
    n, p = X.shape
    for cls in (sp.csr_matrix, sp.csc_matrix, sp.coo_matrix):
        for meth in ("toarray", "todense"):
            orig = getattr(cls, meth)

            def guarded(self, *a, _orig=orig, **k):
                assert self.shape != (n, p), "sparse X densified"
                return _orig(self, *a, **k)
            monkeypatch.setattr(cls, meth, guarded)
    for layout in ("csc", "csr"):
        m = RidgeCV(ALPHAS, gcv_mode=mode, store_cv_results=True).fit(
            to_layout(X, layout), y, sample_weight=sw)
        assert np.all(np.isfinite(m.cv_results_))


def test_routes():
    Xt, yt, _ = data("tall")
    Xw, yw, _ = data("wide")
    assert RidgeCV().fit(Xt, yt).gcv_mode_ == "gram"
    assert RidgeCV().fit(Xw, yw).gcv_mode_ == "eigen"
    assert RidgeCV(gcv_mode="svd").fit(Xt, yt).gcv_mode_ == "svd"
    assert RidgeCV(gcv_mode="svd").fit(sp.csr_matrix(Xt), yt).gcv_mode_ == "gram"
    assert RidgeCV(gcv_mode="eigen").fit(Xt, yt).gcv_mode_ == "eigen"
    assert RidgeCV(cv=3).fit(Xt, yt).gcv_mode_ is None


def test_sparse_implicit_centering_large_offsets():
    """Columns with large means: the rank-one centering corrections of the sparse
    Gram and kernel matrices stay accurate."""
    rng = np.random.default_rng(0)
    X = rng.standard_normal((40, 8)) * (rng.random((40, 8)) < 0.5) + 50.0
    y = X @ rng.standard_normal(8) + rng.standard_normal(40)
    for mode in MODES:
        d = RidgeCV(ALPHAS, gcv_mode=mode, store_cv_results=True).fit(X, y)
        s = RidgeCV(ALPHAS, gcv_mode=mode, store_cv_results=True).fit(sp.csc_matrix(X), y)
        assert rel_err(s.cv_results_, d.cv_results_) <= 1e-7, mode


# ---------------------------------------------------------------------------
# scikit-learn parity
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("shape", list(SHAPES))
@pytest.mark.parametrize("layout", ["dense", "csr"])
@pytest.mark.parametrize("n_targets", [None, 2])
@pytest.mark.parametrize("sw_kind", [None, "random"])
@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("scoring", [None, "r2"])
def test_loo_matches_sklearn(shape, layout, n_targets, sw_kind, fit_intercept, scoring):
    X, y, sw = data(shape, n_targets, sw_kind)
    alphas = np.logspace(-2, 2, 9)
    Xl = to_layout(X, layout)
    kw = dict(alphas=alphas, fit_intercept=fit_intercept, scoring=scoring,
              store_cv_results=True)
    ours = RidgeCV(**kw).fit(Xl, y, sample_weight=sw)
    theirs = sklm.RidgeCV(**kw).fit(Xl, y, sample_weight=sw)
    assert ours.alpha_ == theirs.alpha_
    np.testing.assert_allclose(ours.best_score_, theirs.best_score_, rtol=1e-8)
    assert ours.coef_.shape == theirs.coef_.shape
    assert_coef_close(ours.coef_, theirs.coef_, 1e-8)
    assert np.shape(ours.intercept_) == np.shape(theirs.intercept_)
    np.testing.assert_allclose(ours.intercept_, theirs.intercept_, rtol=1e-8, atol=1e-10)
    assert ours.cv_results_.shape == theirs.cv_results_.shape
    assert rel_err(ours.cv_results_, theirs.cv_results_) <= 1e-8


@pytest.mark.parametrize("scoring", [None, "neg_mean_squared_error"])
def test_alpha_per_target_matches_sklearn(scoring):
    X, y, sw = data("tall", 3, "random")
    y[:, 1] *= 20.0
    kw = dict(alphas=np.logspace(-2, 3, 11), alpha_per_target=True, scoring=scoring,
              store_cv_results=True)
    ours = RidgeCV(**kw).fit(X, y, sample_weight=sw)
    theirs = sklm.RidgeCV(**kw).fit(X, y, sample_weight=sw)
    np.testing.assert_array_equal(ours.alpha_, theirs.alpha_)
    np.testing.assert_allclose(ours.best_score_, theirs.best_score_, rtol=1e-8)
    assert_coef_close(ours.coef_, theirs.coef_, 1e-8)
    np.testing.assert_allclose(ours.cv_results_, theirs.cv_results_, rtol=1e-8)


def test_float32_matches_sklearn():
    X, y, sw = data("tall", None, "random", np.float32)
    X, y = X.astype(np.float32), y.astype(np.float32)
    ours = RidgeCV(np.logspace(-2, 2, 9), store_cv_results=True).fit(X, y, sw)
    theirs = sklm.RidgeCV(np.logspace(-2, 2, 9), store_cv_results=True).fit(X, y, sw)
    assert ours.coef_.dtype == theirs.coef_.dtype == np.float32
    assert ours.cv_results_.dtype == np.float32
    assert ours.alpha_ == theirs.alpha_
    assert_coef_close(ours.coef_, theirs.coef_, 1e-5)


@pytest.mark.parametrize("cv", [3, "kfold_shuffle", "iterable"])
@pytest.mark.parametrize("n_targets", [None, 2])
@pytest.mark.parametrize("sw_kind", [None, "random"])
@pytest.mark.parametrize("scoring", [None, "neg_mean_squared_error"])
def test_kfold_matches_sklearn(cv, n_targets, sw_kind, scoring):
    X, y = make_problem(n=40, p=12, n_nonzero=4, n_targets=n_targets, noise=2.0, seed=9)
    sw = make_sample_weight(40, sw_kind, seed=2)
    if cv == "kfold_shuffle":
        cv = KFold(4, shuffle=True, random_state=0)
    elif cv == "iterable":
        cv = list(KFold(5).split(X))
    alphas = np.array([0.0, 0.01, 0.3, 3.0, 30.0, 300.0])
    ours = RidgeCV(alphas, cv=cv, scoring=scoring).fit(X, y, sample_weight=sw)
    theirs = sklm.RidgeCV(alphas, cv=cv, scoring=scoring).fit(X, y, sample_weight=sw)
    assert ours.alpha_ == theirs.alpha_
    np.testing.assert_allclose(ours.best_score_, theirs.best_score_, rtol=1e-8)
    assert_coef_close(ours.coef_, theirs.coef_, 1e-8)
    np.testing.assert_allclose(ours.intercept_, theirs.intercept_, rtol=1e-8)
    assert not hasattr(ours, "cv_results_")


@pytest.mark.parametrize("fit_intercept", [True, False])
def test_kfold_sparse_and_wide_match_sklearn(fit_intercept):
    """Sparse folds (scikit-learn uses sparse_cg there: compare loosely) and a
    wide problem (n_train < p: the kernel route per fold)."""
    X, y = make_problem(n=30, p=45, n_nonzero=5, density=0.3, noise=1.0, seed=5)
    alphas = np.logspace(-2, 2, 7)
    for Xl, rtol in ((X, 1e-8), (sp.csr_matrix(X), 1e-3)):
        ours = RidgeCV(alphas, cv=3, fit_intercept=fit_intercept).fit(Xl, y)
        theirs = sklm.RidgeCV(alphas, cv=3, fit_intercept=fit_intercept).fit(Xl, y)
        assert ours.alpha_ == theirs.alpha_
        np.testing.assert_allclose(ours.best_score_, theirs.best_score_, rtol=rtol)
        assert_coef_close(ours.coef_, theirs.coef_, rtol)


def test_kfold_fold_scores_are_ridge_scores():
    """best_score_ is the mean over folds of fastreg.Ridge's R^2 on the held-out
    fold (GridSearchCV semantics), the sample weights weighting both the fits and
    the held-out R^2."""
    X, y = make_problem(n=36, p=10, noise=1.5, seed=11)
    sw = make_sample_weight(36, "random", seed=3)
    alphas = [0.1, 1.0, 10.0]
    m = RidgeCV(alphas, cv=4).fit(X, y, sample_weight=sw)
    means = []
    for a in alphas:
        s = [Ridge(alpha=a).fit(X[tr], y[tr], sample_weight=sw[tr]).score(
            X[te], y[te], sample_weight=sw[te]) for tr, te in KFold(4).split(X)]
        means.append(np.mean(s))
    assert m.alpha_ == alphas[int(np.argmax(means))]
    np.testing.assert_allclose(m.best_score_, max(means), rtol=1e-10)


def test_kfold_groups_routed():
    X, y = make_problem(n=30, p=6, seed=2)
    groups = np.repeat(np.arange(6), 5)
    with pytest.raises(ValueError, match="enable_metadata_routing"):
        RidgeCV(cv=GroupKFold(3)).fit(X, y, groups=groups)
    with sklearn.config_context(enable_metadata_routing=True):
        ours = RidgeCV(np.logspace(-2, 2, 9), cv=GroupKFold(3)).fit(X, y, groups=groups)
        theirs = sklm.RidgeCV(np.logspace(-2, 2, 9), cv=GroupKFold(3)).fit(
            X, y, groups=groups)
    assert ours.alpha_ == theirs.alpha_
    np.testing.assert_allclose(ours.best_score_, theirs.best_score_, rtol=1e-8)


# ---------------------------------------------------------------------------
# attributes, parameters, errors
# ---------------------------------------------------------------------------

def test_cv_results_shapes_and_types():
    X, y, _ = data("tall", 2)
    n = X.shape[0]
    m = RidgeCV([1.0, 2.0], store_cv_results=True).fit(X, y)
    assert m.cv_results_.shape == (n, 2, 2)
    m = RidgeCV([1.0, 2.0], store_cv_results=True).fit(X, y[:, :1])
    assert m.cv_results_.shape == (n, 1, 2) and m.coef_.shape == (X.shape[1],)
    m = RidgeCV(3.0, store_cv_results=True).fit(X, y[:, 0])
    assert m.cv_results_.shape == (n, 1) and m.alpha_ == 3.0
    assert isinstance(m.alpha_, float) and np.ndim(m.best_score_) == 0
    m = RidgeCV().fit(X, y[:, 0])
    assert not hasattr(m, "cv_results_")
    # best_score_ is minus the mean of cv_results_ at alpha_
    m = RidgeCV([0.1, 1.0, 10.0], store_cv_results=True).fit(X, y)
    k = [0.1, 1.0, 10.0].index(m.alpha_)
    np.testing.assert_allclose(m.best_score_, -m.cv_results_[..., k].mean(), rtol=1e-12)


@pytest.mark.parametrize("alphas", [[-1.0, 1.0], [], (), [1.0, np.nan], np.inf,
                                    [[1.0, 2.0]], [0.0, 1.0], 0.0, -2])
def test_bad_alphas(alphas):
    X, y, _ = data("tall")
    with pytest.raises(ValueError, match="alphas"):
        RidgeCV(alphas=alphas).fit(X, y)


@pytest.mark.parametrize("alphas", ["1.0", [1.0, "2"], [None]])
def test_alphas_not_numbers(alphas):
    X, y, _ = data("tall")
    with pytest.raises(TypeError, match="alphas"):
        RidgeCV(alphas=alphas).fit(X, y)


@pytest.mark.parametrize("alphas, err, msg", [
    ((1, -1, -100), ValueError, r"alphas\[1\] == -1, must be > 0.0"),
    ((-0.1, -1.0, -10.0), ValueError, r"alphas\[0\] == -0.1, must be > 0.0"),
    ((1, 1.0, "1"), TypeError, r"alphas\[2\] must be an instance of float, not str"),
])
def test_alphas_validation_messages(alphas, err, msg):
    """Bad alphas are named by position, in scikit-learn's words."""
    X, y, _ = _data("tall", None, None)
    with pytest.raises(err, match=msg):
        RidgeCV(alphas=alphas).fit(X, y)


def test_alpha_zero_allowed_with_kfold():
    X, y = make_problem(n=30, p=8, seed=4)
    m = RidgeCV([0.0, 1.0], cv=3).fit(X, y)
    assert np.all(np.isfinite(m.coef_))
    with pytest.raises(ValueError, match="alphas"):
        RidgeCV([-1.0, 1.0], cv=3).fit(X, y)


def test_incompatible_options():
    X, y, _ = data("tall", 2)
    with pytest.raises(ValueError, match="store_cv_results"):
        RidgeCV(cv=3, store_cv_results=True).fit(X, y)
    with pytest.raises(ValueError, match="alpha_per_target"):
        RidgeCV(cv=3, alpha_per_target=True).fit(X, y)
    with pytest.raises(ValueError, match="gcv_mode"):
        RidgeCV(gcv_mode="cholesky").fit(X, y)
    with pytest.raises(ValueError, match="only supported if enable_metadata_routing"):
        RidgeCV().fit(X, y, groups=np.zeros(X.shape[0]))


def test_ties_pick_first_alpha():
    X, y, _ = data("tall")
    m = RidgeCV([2.0, 1.0, 2.0, 1.0], store_cv_results=True).fit(X, y)
    assert m.alpha_ in (2.0, 1.0)
    scores = -m.cv_results_.mean(axis=0)
    assert scores[0] == scores[2] and scores[1] == scores[3]


def test_one_sample_gives_nan_score():
    """Leave-one-out is undefined with one sample: a NaN score, as scikit-learn."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        m = RidgeCV().fit(np.ones((1, 3)), np.ones(1))
    assert np.isnan(m.best_score_) and m.alpha_ == 0.1


def test_pandas_feature_names():
    pd = pytest.importorskip("pandas")
    X, y, _ = data("tall")
    df = pd.DataFrame(X, columns=[f"f{j}" for j in range(X.shape[1])])
    m = RidgeCV().fit(df, y)
    assert list(m.feature_names_in_) == list(df.columns)
    np.testing.assert_allclose(m.predict(df), X @ m.coef_ + m.intercept_)


# ---------------------------------------------------------------------------
# scikit-learn's estimator contract
# ---------------------------------------------------------------------------

@parametrize_with_checks([RidgeCV(), RidgeCV(cv=3)])
def test_sklearn_compatible_estimator(estimator, check):
    check(estimator)


# ---------------------------------------------------------------------------
# tiny alphas: no amplified round-off, no cancellation
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("layout", ["dense", "csr"])
@pytest.mark.parametrize("gcv_mode", ["svd", "eigen"])
@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("shape", [(100, 50), (50, 50), (50, 100)])
@pytest.mark.parametrize("alpha", [1e-16, 1e-8])
def test_tiny_alpha_coefficients_are_exact(layout, gcv_mode, fit_intercept, shape, alpha):
    """RidgeCV(alphas=[1e-16], gcv_mode='eigen', fit_intercept=False) was off by 2.8e3
    on make_regression(100, 50), and 'svd' by 1.4e2 (dense) / 2e4 (sparse) with an
    intercept on n <= p: numerical-null eigenpairs were amplified by 1 / alpha."""
    from sklearn.datasets import make_regression
    X, y = make_regression(*shape, noise=0, bias=10, random_state=42)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        expected = Ridge(alpha=alpha, solver="svd", fit_intercept=fit_intercept).fit(X, y)
    est = RidgeCV(alphas=[alpha], gcv_mode=gcv_mode,
                  fit_intercept=fit_intercept).fit(to_layout(X, layout), y)
    # (the square case is conditioned ~1e4 worse: 1e-10 is scikit-learn's own bound)
    assert np.abs(est.coef_ - expected.coef_).max() <= 1e-10
    assert abs(est.intercept_ - expected.intercept_) <= 1e-10


@pytest.mark.parametrize("layout", ["dense", "csr"])
@pytest.mark.parametrize("gcv_mode", ["svd", "eigen"])
@pytest.mark.parametrize("alpha", [1e-10, 1e-6])
def test_tiny_alpha_loo_matches_brute_force(layout, gcv_mode, alpha):
    """Wide design with an intercept: the fits interpolate as alpha -> 0, so
    1 - h_ii is tiny; it must come from sums of positive terms, not 1 - (~1)."""
    rng = np.random.default_rng(0)
    n, p = 30, 60
    X = rng.standard_normal((n, p))
    y = X @ rng.standard_normal(p) + rng.standard_normal(n)
    brute = np.empty(n)
    for i in range(n):
        keep = np.arange(n) != i
        fit = Ridge(alpha=alpha, solver="svd").fit(X[keep], y[keep])
        brute[i] = (y[i] - fit.predict(X[i:i + 1])[0]) ** 2
    est = RidgeCV(alphas=[alpha], gcv_mode=gcv_mode,
                  store_cv_results=True).fit(to_layout(X, layout), y)
    assert np.abs(est.cv_results_[:, 0] - brute).max() <= 1e-11 * brute.max()


# ---------------------------------------------------------------------------
# standardize=True
# ---------------------------------------------------------------------------

def _scaled_columns(shape, sw_kind, fit_intercept):
    """Columns of very different scales (one constant), their inverse
    standard deviations (fastreg.reference's, 0 for the constant column)."""
    X, y, sw = data(shape, None, sw_kind)
    rng = np.random.default_rng(11)
    X = X * rng.uniform(0.05, 20.0, X.shape[1]) + rng.uniform(-2, 2, X.shape[1])
    X[:, 1] = 3.0
    d = fastreg_reference.standard_deviations(X, sw, fit_intercept)
    scale = np.where(d > 1e-8 * d.max(), 1.0 / np.where(d > 0, d, 1.0), 0.0)
    return X, y, sw, scale


@pytest.mark.parametrize("shape", list(SHAPES))
@pytest.mark.parametrize("sw_kind", [None, "random"])
@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("layout", ["dense", "csc", "csr"])
def test_loo_standardize_equals_standardised_design(shape, sw_kind, fit_intercept, layout):
    """Leave-one-out with standardize is the leave-one-out of the design
    standardised by all the data's deviations (the plain RidgeCV on X / d,
    itself checked against brute force above), coefficients mapped back."""
    X, y, sw, scale = _scaled_columns(shape, sw_kind, fit_intercept)
    if not fit_intercept:
        scale[1] = 1.0 / 3.0  # uncentred: the constant column has rms 3
    plain = RidgeCV(ALPHAS, fit_intercept=fit_intercept, store_cv_results=True).fit(
        X * scale, y, sample_weight=sw)
    m = RidgeCV(ALPHAS, fit_intercept=fit_intercept, store_cv_results=True,
                standardize=True).fit(to_layout(X, layout), y, sample_weight=sw)
    assert m.alpha_ == plain.alpha_
    assert rel_err(m.cv_results_, plain.cv_results_) <= 1e-8
    np.testing.assert_allclose(m.best_score_, plain.best_score_, rtol=1e-9)
    assert_coef_close(m.coef_, plain.coef_ * scale, 1e-8)
    np.testing.assert_allclose(m.intercept_, plain.intercept_, rtol=1e-8, atol=1e-10)
    if fit_intercept:
        assert m.coef_[1] == 0.0  # the constant column stays zero
    # the final model is Ridge(standardize=True) at alpha_
    r = Ridge(alpha=m.alpha_, fit_intercept=fit_intercept, standardize=True).fit(
        X, y, sample_weight=sw)
    assert_coef_close(m.coef_, r.coef_, 1e-8)


def test_loo_standardize_zero_weight_prediction():
    """A zero-weight sample's leave-one-out prediction (a scorer given) is the
    full-data prediction on the original scale."""
    X, y, sw, scale = _scaled_columns("tall", "random", True)
    sw = sw.copy()
    sw[:3] = 0.0
    m = RidgeCV(ALPHAS, scoring="neg_mean_absolute_error", store_cv_results=True,
                standardize=True).fit(X, y, sample_weight=sw)
    for k, a in enumerate(ALPHAS):
        full = Ridge(alpha=a, standardize=True).fit(X, y, sample_weight=sw)
        np.testing.assert_allclose(m.cv_results_[:3, k], full.predict(X[:3]), rtol=1e-8)


@pytest.mark.parametrize("sw_kind", [None, "random"])
@pytest.mark.parametrize("layout", ["dense", "csr"])
def test_kfold_standardize_equals_brute_force(sw_kind, layout):
    """K-fold: each training fold standardised by its own deviations, scored
    by R^2 on the held-out fold (GridSearchCV(Ridge(standardize=True)))."""
    X, y, sw, _ = _scaled_columns("tall", sw_kind, True)
    Xl = to_layout(X, layout)
    cv = KFold(4)
    m = RidgeCV(ALPHAS, cv=cv, standardize=True).fit(Xl, y, sample_weight=sw)
    scores = np.zeros(len(ALPHAS))
    for train, test in cv.split(X):
        for k, a in enumerate(ALPHAS):
            r = Ridge(alpha=a, standardize=True).fit(
                X[train], y[train], sample_weight=None if sw is None else sw[train])
            scores[k] += r.score(X[test], y[test], sample_weight=None if sw is None
                                 else sw[test]) / 4
    best = int(np.argmax(scores))
    assert m.alpha_ == ALPHAS[best]
    np.testing.assert_allclose(m.best_score_, scores[best], rtol=1e-9)
    final = Ridge(alpha=ALPHAS[best], standardize=True).fit(X, y, sample_weight=sw)
    assert_coef_close(m.coef_, final.coef_, 1e-9)
