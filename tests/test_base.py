"""fastreg._base: the API every estimator inherits (LinearRegressorBase).

scikit-learn's estimator contract, checked by scikit-learn itself; tags and
cloning; the validation entry's feature names.
"""
import pickle

import numpy as np
import pytest
from sklearn.base import clone, is_regressor
from sklearn.utils.estimator_checks import parametrize_with_checks

from fastreg import ElasticNet, Lasso, Ridge

from conftest import fit_quiet, make_problem

RIDGE_N_ITER = (
    "Ridge's closed-form routes (the default 'cholesky', and 'svd') run no "
    "iterations, so n_iter_ is None; scikit-learn declares the same expected "
    "failure for its own Ridge."
)


def expected_failed_checks(estimator):
    if isinstance(estimator, Ridge):
        return {"check_non_transformer_estimators_n_iter": RIDGE_N_ITER}
    return {}


@parametrize_with_checks([Lasso(), ElasticNet(), Ridge()],
                         expected_failed_checks=expected_failed_checks)
def test_sklearn_compatible_estimator(estimator, check):
    check(estimator)


@pytest.mark.parametrize("est", [Lasso(alpha=0.1), ElasticNet(alpha=0.1), Ridge()])
def test_clone_and_tags(est):
    X, y = make_problem(n=30, p=8, seed=1)
    assert is_regressor(est)
    tags = est.__sklearn_tags__()
    assert tags.input_tags.sparse
    assert tags.target_tags.multi_output
    fitted = clone(est).fit(X, y)
    unfitted = clone(fitted)
    assert not hasattr(unfitted, "coef_")
    assert unfitted.get_params() == est.get_params()
    # a pickled round trip predicts the same
    again = pickle.loads(pickle.dumps(fitted))
    np.testing.assert_array_equal(again.predict(X), fitted.predict(X))


def test_ridge_iterative_solvers_report_iterations():
    """Where iterations exist, n_iter_ is reported (the Ridge exemption above is
    only for the closed forms)."""
    X, y = make_problem(n=40, p=10, seed=2)
    for solver in ("lsqr", "sparse_cg", "cd"):
        est = Ridge(solver=solver).fit(X, y)
        assert np.all(np.asarray(est.n_iter_) >= 1), solver
    assert Ridge(solver="cholesky").fit(X, y).n_iter_ is None


def test_feature_names_in():
    """Column names of a DataFrame are recorded at fit, checked at predict, and
    forgotten by a refit on a plain array."""
    pd = pytest.importorskip("pandas")
    X, y = make_problem(n=60, p=30, n_nonzero=6, rho=0.6, density=0.5, seed=3)
    df = pd.DataFrame(X, columns=[f"f{j}" for j in range(X.shape[1])])
    est = fit_quiet(Lasso(alpha=0.1), df, y)
    np.testing.assert_array_equal(est.feature_names_in_, df.columns.to_numpy())
    with pytest.warns(UserWarning, match="feature names"):
        pred_array = est.predict(X)
    np.testing.assert_allclose(est.predict(df), pred_array)
    # refitting with a plain array forgets the names
    fit_quiet(est, X, y)
    assert not hasattr(est, "feature_names_in_")
