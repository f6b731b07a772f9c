"""fastreg._multi_task_cv: MultiTaskElasticNetCV and MultiTaskLassoCV against
scikit-learn's (same grid, same chosen alpha and l1_ratio, held-out errors,
shapes), over layouts and weights; the refit is certified; a 1-D y is refused."""
import numpy as np
import pytest
import sklearn.linear_model as sklm

from fastreg import MultiTaskElasticNetCV, MultiTaskLassoCV
from fastreg import reference as ref

from conftest import LAYOUTS, make_problem, make_sample_weight, to_layout


def _problem():
    X, Y = make_problem(n=80, p=20, n_nonzero=4, n_targets=3, density=0.5, seed=3)
    return X, Y


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("sw_kind", [None, "random"])
def test_cv_matches_sklearn(layout, sw_kind):
    X0, Y = _problem()
    X = to_layout(X0, layout)
    sw = make_sample_weight(X0.shape[0], sw_kind)
    kw = dict(l1_ratio=[0.5, 0.9], cv=3, tol=1e-10, max_iter=100000, alphas=20)
    ours = MultiTaskElasticNetCV(**kw).fit(X, Y, sample_weight=sw)
    theirs = sklm.MultiTaskElasticNetCV(**kw).fit(X, Y, sample_weight=sw)
    np.testing.assert_allclose(ours.alphas_, theirs.alphas_, rtol=1e-10)
    assert ours.mse_path_.shape == theirs.mse_path_.shape == (2, 20, 3)
    # held-out errors move with the coefficients (about the square root of
    # the gap), not with the objective
    np.testing.assert_allclose(ours.mse_path_, theirs.mse_path_, rtol=1e-4)
    assert ours.alpha_ == pytest.approx(theirs.alpha_, rel=1e-10)
    assert ours.l1_ratio_ == theirs.l1_ratio_
    gap = ref.multitask_duality_gap(X0, Y, ours.coef_, ours.intercept_, ours.alpha_,
                                    ours.l1_ratio_, sw)
    obj = ref.multitask_objective(X0, Y, ours.coef_, ours.intercept_, ours.alpha_,
                                  ours.l1_ratio_, sw)
    assert gap <= 1e-9 * obj and ours.dual_gap_ <= 1e-9 * obj


def test_lasso_cv_matches_sklearn_with_explicit_alphas():
    X, Y = _problem()
    alphas = [0.5, 0.05, 0.2, 0.01]
    ours = MultiTaskLassoCV(alphas=alphas, cv=4, tol=1e-10, max_iter=100000).fit(X, Y)
    theirs = sklm.MultiTaskLassoCV(alphas=alphas, cv=4, tol=1e-10,
                                   max_iter=100000).fit(X, Y)
    np.testing.assert_array_equal(ours.alphas_, theirs.alphas_)
    np.testing.assert_allclose(ours.mse_path_, theirs.mse_path_, rtol=1e-6)
    assert ours.alpha_ == theirs.alpha_ and ours.l1_ratio_ == 1.0
    assert ours.coef_.shape == (Y.shape[1], X.shape[1])


def test_cv_bad_input():
    X, Y = _problem()
    with pytest.raises(ValueError, match="mono-task.*LassoCV"):
        MultiTaskLassoCV(cv=3).fit(X, Y[:, 0])
    with pytest.raises(ValueError, match="l1_ratio"):
        MultiTaskElasticNetCV(l1_ratio=[0.5, 2.0], cv=3).fit(X, Y)
    with pytest.raises(ValueError, match="eps"):
        MultiTaskElasticNetCV(eps=0.0, cv=3).fit(X, Y)


@pytest.mark.parametrize("Est", [MultiTaskLassoCV, MultiTaskElasticNetCV])
def test_cv_routes_groups_to_the_splitter(Est):
    """groups reach the splitter with metadata routing, and are refused without it
    (scikit-learn's LinearModelCV rule)."""
    import sklearn
    from sklearn.model_selection import GroupKFold

    X, _ = make_problem(n=60, p=8, seed=3)
    rng = np.random.default_rng(4)
    Y = X[:, :2] @ rng.standard_normal((2, 3)) + 0.1 * rng.standard_normal((60, 3))
    groups = np.arange(60) % 4
    with pytest.raises(ValueError, match="is only supported if enable_metadata_routing"):
        Est(cv=GroupKFold(4)).fit(X, Y, groups=groups)
    with sklearn.config_context(enable_metadata_routing=True):
        routed = Est(cv=GroupKFold(4)).fit(X, Y, groups=groups)
        folds = list(GroupKFold(4).split(X, Y, groups))
    explicit = Est(cv=folds).fit(X, Y)
    assert routed.alpha_ == explicit.alpha_
    assert np.array_equal(routed.mse_path_, explicit.mse_path_)
