"""Consensus ADMM on Dask arrays (fastreg._dask.admm): p too large for a Gram
matrix, forced here on a small p.

Helpers: tests/dask_common.py; the fixtures dask_client and dask_scheduler:
tests/conftest.py.
"""
import numpy as np
import pytest
from sklearn.exceptions import ConvergenceWarning

import dask

import fastreg
from fastreg import reference as ref

from conftest import make_sample_weight
from dask_common import P, problem, to_dask


# --------------------------------------------------------------------------
# consensus ADMM (p too large for a Gram matrix; forced here on a small p)
# --------------------------------------------------------------------------
@pytest.fixture
def force_admm(monkeypatch):
    import fastreg._dask.stats as dask_stats

    monkeypatch.setattr(dask_stats, "GRAM_MAX_ENTRIES", 0)


@pytest.mark.parametrize("layout, l1_ratio, sched", [("dense", 1.0, "threads"),
                                                     ("sparse", 0.5, "threads"),
                                                     ("dense", 1.0, "distributed")])
def test_admm_matches_in_memory_objective(force_admm, request, layout, l1_ratio, sched):
    X, y = problem(seed=19, n=400, p=30)
    sw = make_sample_weight(400, "random")
    kw = dict(alpha=0.05, l1_ratio=l1_ratio)
    mem = fastreg.ElasticNet(tol=1e-12, **kw).fit(X, y, sample_weight=sw)
    # uneven chunks on threads; two chunks on the cluster (each ADMM iteration
    # is a round trip to the scheduler: keep the test short)
    Xd = to_dask(X, layout, chunks=(120, 80, 200) if sched == "threads" else (200, 200))
    if sched == "threads":
        with dask.config.set(scheduler="threads"):
            est = fastreg.ElasticNet(tol=1e-8, max_iter=3000, **kw).fit(Xd, y, sample_weight=sw)
    else:
        c = request.getfixturevalue("dask_client")
        with c.as_current(), dask.config.set(scheduler="dask.distributed"):
            est = fastreg.ElasticNet(tol=1e-8, max_iter=3000, **kw).fit(Xd, y, sample_weight=sw)
    assert est.solver_ == "admm"
    o = ref.enet_objective(X, y, est.coef_, est.intercept_, sample_weight=sw, **kw)
    om = ref.enet_objective(X, y, mem.coef_, mem.intercept_, sample_weight=sw, **kw)
    assert abs(o - om) <= 1e-7 * om
    gap = ref.enet_duality_gap(X, y, est.coef_, est.intercept_, sample_weight=sw, **kw)
    assert gap <= 1e-6 * om
    assert est.dual_gap_ <= 1e-6 * om  # its own certificate, from the final pass
    np.testing.assert_array_equal(est.coef_ == 0, mem.coef_ == 0)


def test_wide_input_without_a_wide_route_is_refused(force_admm):
    X, y = problem(seed=22)
    with dask.config.set(scheduler="sync"):
        for est in (fastreg.Ridge(), fastreg.RidgeCV(), fastreg.LassoCV()):
            with pytest.raises(ValueError, match="n_features=9 is beyond the limit"):
                est.fit(to_dask(X), y)
    with pytest.raises(ValueError, match="penalty_factor is not supported by the wide"):
        fastreg.Lasso(penalty_factor=np.ones(P)).fit(to_dask(X), y)


def test_admm_warns_at_max_iter(force_admm):
    X, y = problem(seed=20, n=200, p=20)
    with dask.config.set(scheduler="sync"):
        with pytest.warns(ConvergenceWarning, match="ADMM did not converge after 3"):
            est = fastreg.Lasso(alpha=0.01, max_iter=3, tol=1e-10).fit(
                to_dask(X, chunks=(70, 130)), y)
    assert est.n_iter_ == 3 and est.dual_gap_ > 0
