"""fastreg._enet_solver: the Elastic-Net driver shared by the estimators, the
paths, cross-validation and Ridge's ``cd`` route.

Strategy choice: when the Gram mode is taken (``precompute='auto'``'s cost
model, a user-supplied Gram matrix used or recomputed). Non-convergence: the
warning reports the gap achieved, ``tol=0`` runs ``max_iter`` epochs.
"""
import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.exceptions import ConvergenceWarning

from fastreg import ElasticNet, Lasso, lasso_path
from fastreg import reference as ref

from conftest import LAYOUTS, make_problem, to_layout


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
