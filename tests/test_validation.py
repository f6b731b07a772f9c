"""Bad input is rejected before any kernel runs, with a message naming the argument."""
import re

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.exceptions import NotFittedError

from fastreg import ElasticNet, Lasso, Ridge

from conftest import assert_coef_close, make_problem

N, P = 20, 4
ESTIMATORS = [Lasso, ElasticNet, Ridge]
FORMATS = ["dense", "csr", "csc"]


@pytest.fixture
def data():
    X, y = make_problem(n=N, p=P, density=0.7, seed=4)
    return X, y


def as_format(X, fmt):
    if fmt == "dense":
        return X
    return sp.csr_matrix(X) if fmt == "csr" else sp.csc_matrix(X)


def assert_names(excinfo, name):
    """The error message mentions ``name`` as a word."""
    msg = str(excinfo.value)
    assert re.search(rf"(?<![A-Za-z0-9_]){re.escape(name)}(?![A-Za-z0-9_])", msg), (
        f"message does not name {name!r}: {msg!r}")


def check_rejects(fit, name, exc=(ValueError, TypeError)):
    with pytest.raises(exc) as excinfo:
        fit()
    assert_names(excinfo, name)
    return excinfo


# --------------------------------------------------------------------------
# X, y contents
# --------------------------------------------------------------------------
@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
@pytest.mark.parametrize("Est", ESTIMATORS)
def test_non_finite_X(Est, bad, fmt, data):
    X, y = data
    X = X.copy()
    X[3, 1] = bad  # a stored entry in every format
    check_rejects(lambda: Est().fit(as_format(X, fmt), y), "X", ValueError)


@pytest.mark.parametrize("bad", [np.nan, np.inf])
@pytest.mark.parametrize("Est", ESTIMATORS)
def test_non_finite_y(Est, bad, data):
    X, y = data
    y = y.copy()
    y[0] = bad
    check_rejects(lambda: Est().fit(X, y), "y", ValueError)
    check_rejects(lambda: Est().fit(X, np.c_[y, y]), "y", ValueError)
    check_rejects(lambda: Est().fit(sp.csc_matrix(X), y), "y", ValueError)


@pytest.mark.parametrize("bad", [np.nan, np.inf])
@pytest.mark.parametrize("Est", ESTIMATORS)
def test_non_finite_sample_weight(Est, bad, data):
    X, y = data
    sw = np.ones(N)
    sw[2] = bad
    check_rejects(lambda: Est().fit(X, y, sample_weight=sw), "sample_weight", ValueError)
    check_rejects(lambda: Est().fit(X, y, sample_weight=bad), "sample_weight", ValueError)


@pytest.mark.parametrize("Est", ESTIMATORS)
def test_X_wrong_ndim(Est, data):
    X, y = data
    check_rejects(lambda: Est().fit(X[:, 0], y), "X", ValueError)
    check_rejects(lambda: Est().fit(X[:, :, None], y), "X", ValueError)
    check_rejects(lambda: Est().fit(X[:, 0].tolist(), y), "X", ValueError)


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("Est", ESTIMATORS)
def test_y_wrong_length(Est, fmt, data):
    X, y = data
    check_rejects(lambda: Est().fit(as_format(X, fmt), y[:-1]), "y", ValueError)
    check_rejects(lambda: Est().fit(as_format(X, fmt), np.c_[y, y][:-2]), "y", ValueError)


@pytest.mark.parametrize("Est", ESTIMATORS)
def test_y_wrong_ndim(Est, data):
    X, y = data
    check_rejects(lambda: Est().fit(X, y[:, None, None]), "y", ValueError)


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("Est", ESTIMATORS)
def test_empty_X(Est, fmt, data):
    X, y = data
    check_rejects(lambda: Est().fit(as_format(X[:0], fmt), y[:0]), "X", ValueError)
    check_rejects(lambda: Est().fit(as_format(X[:, :0], fmt), y), "X", ValueError)


@pytest.mark.parametrize("Est", ESTIMATORS)
def test_complex_X(Est, data):
    X, y = data
    check_rejects(lambda: Est().fit(X + 1j, y), "X")
    check_rejects(lambda: Est().fit(sp.csr_matrix(X + 1j), y), "X")


@pytest.mark.parametrize("Est", ESTIMATORS)
def test_string_X(Est, data):
    X, y = data
    words = np.array([["a", "b", "c", "d"]] * N)
    check_rejects(lambda: Est().fit(words, y), "X")
    check_rejects(lambda: Est().fit(words.astype(object), y), "X")


@pytest.mark.parametrize("Est", ESTIMATORS)
def test_numeric_string_X_rejected(Est, data):
    """Strings are not numbers, even when they spell one (as sklearn's
    check_array(dtype='numeric') decides)."""
    X, y = data
    check_rejects(lambda: Est().fit(X.astype(str), y), "X")


@pytest.mark.parametrize("Est", ESTIMATORS)
def test_string_y(Est, data):
    X, _ = data
    check_rejects(lambda: Est().fit(X, np.array(["u"] * N)), "y")


@pytest.mark.parametrize("Est", ESTIMATORS)
def test_bool_and_int_X_accepted(Est, data):
    X, y = data
    Xb = X > 1.0
    Xi = np.round(3 * X).astype(np.int64)
    for Xa in (Xb, Xi, Xi.astype(np.int32), sp.csr_matrix(Xi)):
        a = Est(alpha=0.01).fit(Xa, y)
        dense_a = Xa.toarray() if sp.issparse(Xa) else Xa
        b = Est(alpha=0.01).fit(dense_a.astype(np.float64), y)
        assert a.coef_.dtype == np.float64
        assert_coef_close(a.coef_, b.coef_, 1e-12)
        np.testing.assert_allclose(a.predict(Xa), b.predict(dense_a.astype(float)))
    # int / bool y too
    c = Est(alpha=0.01).fit(X, (y > 0))
    assert np.all(np.isfinite(c.coef_))
    d = Est(alpha=0.01).fit(X, np.round(y).astype(int))
    e = Est(alpha=0.01).fit(X, np.round(y))
    assert_coef_close(d.coef_, e.coef_, 1e-12)


def test_list_input_accepted(data):
    X, y = data
    a = Lasso(alpha=0.01).fit(X.tolist(), y.tolist())
    b = Lasso(alpha=0.01).fit(X, y)
    np.testing.assert_array_equal(a.coef_, b.coef_)


# --------------------------------------------------------------------------
# hyper-parameters
# --------------------------------------------------------------------------
@pytest.mark.parametrize("alpha", [-1.0, -1e-300, np.nan, np.inf, -np.inf])
@pytest.mark.parametrize("Est", ESTIMATORS)
def test_bad_alpha(Est, alpha, data):
    X, y = data
    check_rejects(lambda: Est(alpha=alpha).fit(X, y), "alpha")


@pytest.mark.parametrize("alpha", ["1.0", None, [1.0], True])
@pytest.mark.parametrize("Est", [Lasso, ElasticNet])
def test_alpha_wrong_type(Est, alpha, data):
    X, y = data
    check_rejects(lambda: Est(alpha=alpha).fit(X, y), "alpha")


def test_ridge_alpha_array_checks(data):
    X, y = data
    Y = np.c_[y, y, y]
    check_rejects(lambda: Ridge(alpha=[1.0, 2.0]).fit(X, Y), "alpha", ValueError)
    check_rejects(lambda: Ridge(alpha=[1.0, -2.0, 1.0]).fit(X, Y), "alpha", ValueError)
    check_rejects(lambda: Ridge(alpha=[1.0, np.nan, 1.0]).fit(X, Y), "alpha", ValueError)
    check_rejects(lambda: Ridge(alpha=[[1.0, 1.0, 1.0]]).fit(X, Y), "alpha", ValueError)
    check_rejects(lambda: Ridge(alpha=["a", "b", "c"]).fit(X, Y), "alpha")
    check_rejects(lambda: Ridge(alpha=[1.0, 2.0]).fit(X, y), "alpha", ValueError)


@pytest.mark.parametrize("l1_ratio", [-0.1, 1.1, np.nan, np.inf])
def test_bad_l1_ratio(l1_ratio, data):
    X, y = data
    check_rejects(lambda: ElasticNet(l1_ratio=l1_ratio).fit(X, y), "l1_ratio")


@pytest.mark.parametrize("l1_ratio", [0.0, 1.0])
def test_l1_ratio_bounds_accepted(l1_ratio, data):
    X, y = data
    est = ElasticNet(alpha=0.1, l1_ratio=l1_ratio).fit(X, y)
    assert np.all(np.isfinite(est.coef_))


@pytest.mark.parametrize("tol", [-1.0, -1e-4, np.nan])  # 0 is allowed: run max_iter
@pytest.mark.parametrize("Est", ESTIMATORS)
def test_bad_tol(Est, tol, data):
    X, y = data
    check_rejects(lambda: Est(tol=tol).fit(X, y), "tol")


@pytest.mark.parametrize("max_iter", [0, -5, 2.5, "10"])
@pytest.mark.parametrize("Est", ESTIMATORS)
def test_bad_max_iter(Est, max_iter, data):
    X, y = data
    check_rejects(lambda: Est(max_iter=max_iter).fit(X, y), "max_iter")


@pytest.mark.parametrize("Est", ESTIMATORS)
def test_bad_flags(Est, data):
    X, y = data
    check_rejects(lambda: Est(fit_intercept="yes").fit(X, y), "fit_intercept")
    check_rejects(lambda: Est(positive=1).fit(X, y), "positive")
    check_rejects(lambda: Est(copy_X=None).fit(X, y), "copy_X")


def test_bad_selection_and_solver(data):
    X, y = data
    check_rejects(lambda: Lasso(selection="greedy").fit(X, y), "selection")
    check_rejects(lambda: ElasticNet(warm_start="no").fit(X, y), "warm_start")
    check_rejects(lambda: Ridge(solver="qr").fit(X, y), "solver")
    check_rejects(lambda: Ridge(positive=True, solver="svd").fit(X, y), "solver")


# --------------------------------------------------------------------------
# sample_weight
# --------------------------------------------------------------------------
@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("Est", ESTIMATORS)
def test_bad_sample_weight(Est, fmt, data):
    X, y = data
    Xf = as_format(X, fmt)
    neg = np.ones(N)
    neg[4] = -0.5
    for sw in (neg, np.zeros(N), np.ones(N - 1), np.ones(N + 1), np.ones((N, 1)),
               np.ones((N, 2)), -1.0, 0.0):
        check_rejects(lambda: Est().fit(Xf, y, sample_weight=sw), "sample_weight",
                      ValueError)
    check_rejects(lambda: Est().fit(Xf, y, sample_weight=np.array(["a"] * N)),
                  "sample_weight")
    check_rejects(lambda: Est().fit(Xf, y, sample_weight=np.ones(N) + 1j), "sample_weight")


@pytest.mark.parametrize("Est", ESTIMATORS)
def test_sample_weight_some_zeros_accepted(Est, data):
    X, y = data
    sw = np.ones(N)
    sw[:5] = 0
    a = Est(alpha=0.01).fit(X, y, sample_weight=sw)
    b = Est(alpha=0.01).fit(X[5:], y[5:])
    assert_coef_close(a.coef_, b.coef_, 1e-6)


# --------------------------------------------------------------------------
# corrupt sparse structure
# --------------------------------------------------------------------------
def _raw(cls, X):
    """A sparse matrix built from raw arrays that the test can then corrupt."""
    M = cls(X)
    return cls((M.data.copy(), M.indices.copy(), M.indptr.copy()), shape=M.shape)


@pytest.mark.parametrize("cls", [sp.csr_matrix, sp.csc_matrix])
@pytest.mark.parametrize("Est", ESTIMATORS)
def test_corrupt_sparse_structure(Est, cls, data):
    X, y = data
    n_minor = X.shape[1] if cls is sp.csr_matrix else X.shape[0]

    M = _raw(cls, X)
    M.indices[1] = n_minor  # one past the end
    check_rejects(lambda: Est().fit(M, y), "X", ValueError)
    M = _raw(cls, X)
    M.indices[0] = -1
    check_rejects(lambda: Est().fit(M, y), "X", ValueError)
    M = _raw(cls, X)
    M.indptr[2] = M.indptr[3] + 1  # decreasing
    check_rejects(lambda: Est().fit(M, y), "X", ValueError)
    M = _raw(cls, X)
    M.indptr[-1] = M.indptr[-1] + 5  # beyond the data
    check_rejects(lambda: Est().fit(M, y), "X", ValueError)
    # fitted estimator, corrupt matrix at predict time
    est = Est().fit(X, y)
    M = _raw(cls, X)
    M.indices[-1] = n_minor + 10
    check_rejects(lambda: est.predict(M), "X", ValueError)


# --------------------------------------------------------------------------
# predict
# --------------------------------------------------------------------------
@pytest.mark.parametrize("Est", ESTIMATORS)
def test_predict_before_fit(Est, data):
    X, _ = data
    with pytest.raises(NotFittedError):
        Est().predict(X)
    with pytest.raises(NotFittedError):
        Est().predict(sp.csr_matrix(X))


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("Est", ESTIMATORS)
def test_predict_wrong_n_features(Est, fmt, data):
    X, y = data
    est = Est().fit(X, y)
    check_rejects(lambda: est.predict(as_format(X[:, :-1], fmt)), "X", ValueError)
    check_rejects(lambda: est.predict(as_format(np.c_[X, X], fmt)), "X", ValueError)
    Xn = X.copy()
    Xn[0, 0] = np.nan
    check_rejects(lambda: est.predict(Xn), "X", ValueError)
    # and the right shape works for every format, with the same answer
    np.testing.assert_allclose(est.predict(as_format(X, fmt)), est.predict(X), rtol=1e-12)
