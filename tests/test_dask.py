"""Fitting on Dask arrays: equal to the in-memory fit and to the reference oracle.

One module-scoped LocalCluster (2 worker processes, 1 thread each) serves the
'distributed' cases; 'threads' runs the same code on Dask's threaded
scheduler. Problems are small: the point is the arithmetic of the reduction
(uneven chunks, weights, intercept, sparse chunks), not the size.
"""
import os
import subprocess
import sys
import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.exceptions import ConvergenceWarning

# dask and distributed are in the 'test' extra: imported plainly, so that a
# missing install fails loudly instead of skipping the module
import dask
import dask.array as da
import distributed

import fastreg
from fastreg import reference as ref
from fastreg._dask import is_dask_collection

from conftest import make_problem, make_sample_weight

SCHEDULERS = ["threads", "distributed"]
N, P = 503, 9
CHUNKS = (100, 3, 250, 150)  # uneven, does not divide n evenly, tiny chunk included


@pytest.fixture(scope="module")
def client():
    import cloudpickle

    # the worker-kill helper below must reach the worker processes by value
    cloudpickle.register_pickle_by_value(sys.modules[__name__])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1,
                                           processes=True, dashboard_address=None)
        c = distributed.Client(cluster, set_as_default=False)
    yield c
    c.close()
    cluster.close()
    cloudpickle.unregister_pickle_by_value(sys.modules[__name__])


@pytest.fixture(params=SCHEDULERS)
def scheduler(request):
    """Run the test body on the threaded scheduler or on the LocalCluster."""
    if request.param == "threads":
        with dask.config.set(scheduler="threads"):
            yield "threads"
    else:
        c = request.getfixturevalue("client")
        with c.as_current(), dask.config.set(scheduler="dask.distributed"):
            yield "distributed"


def problem(seed=0, shift=0.0, n_targets=None, n=N, p=P):
    X, y = make_problem(n=n, p=p, n_nonzero=4, density=1.0, noise=0.5,
                        n_targets=n_targets, seed=seed)
    return X + shift, y


def to_dask(X, layout="dense", chunks=CHUNKS):
    Xd = da.from_array(X, chunks=(chunks, X.shape[1]))
    if layout == "sparse":
        Xd = Xd.map_blocks(sp.csr_matrix, dtype=X.dtype, meta=sp.csr_matrix((0, 0)))
    return Xd


def rel(a, b):
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    return np.max(np.abs(a - b)) / max(np.max(np.abs(b)), 1e-300)


# --------------------------------------------------------------------------
# plumbing
# --------------------------------------------------------------------------
def test_detection_is_by_type_module():
    X, y = problem()
    assert not is_dask_collection(X)
    assert not is_dask_collection(sp.csr_matrix(X))
    assert is_dask_collection(to_dask(X))


def test_import_and_numpy_fit_without_dask():
    code = ("import sys; sys.modules['dask'] = None; sys.modules['distributed'] = None\n"
            "import numpy as np, fastreg\n"
            "X = np.random.default_rng(0).standard_normal((30, 3)); y = X.sum(axis=1)\n"
            "fastreg.Ridge().fit(X, y); fastreg.Lasso(alpha=0.1).fit(X, y)\n"
            "assert 'dask.array' not in sys.modules or sys.modules['dask'] is None\n"
            "print('ok')")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         cwd=os.path.dirname(os.path.dirname(fastreg.__file__)))
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "ok"


def test_chunk_statistics_merge_equals_direct_computation():
    """Chan et al.'s merge over chunks (an empty one, an all-zero-weight one,
    sparse and dense) equals the statistics computed on all rows at once."""
    from fastreg._dask.stats import merge_all, rows_stats

    X, Y = problem(seed=21, n_targets=2, shift=100.0)
    sw = make_sample_weight(N, "random")
    sw[200:260] = 0.0
    cuts = [0, 0, 77, 200, 260, 261, 400, N]
    parts = [rows_stats(sp.csr_matrix(X[a:b]) if k % 2 else X[a:b], Y[a:b], sw[a:b])
             for k, (a, b) in enumerate(zip(cuts[:-1], cuts[1:]))]
    st = merge_all(parts)
    dense = merge_all([rows_stats(X[a:b], Y[a:b], sw[a:b])
                       for a, b in zip(cuts[:-1], cuts[1:])])
    W = sw.sum()
    mx, my = sw @ X / W, sw @ Y / W
    Xc, Yc = (X - mx) * np.sqrt(sw)[:, None], (Y - my) * np.sqrt(sw)[:, None]
    assert st.n == N and st.W == pytest.approx(W, rel=1e-14)
    assert rel(st.mx, mx) < 1e-13 and rel(st.my, my) < 1e-13
    # dense chunks are centred by their own means: no cancellation
    assert rel(dense.Cxx, Xc.T @ Xc) < 1e-13
    # sparse chunks subtract their rank-one mean term (as fastreg's in-memory
    # sparse Gram matrix does): ~eps * mean^2 / variance = 1e-12 here
    assert rel(st.Cxx, Xc.T @ Xc) < 1e-10
    assert rel(st.Cxy, Xc.T @ Yc) < 1e-12
    assert rel(st.cyy, (Yc * Yc).sum(axis=0)) < 1e-12
    G, Xy, yy = st.moments(fit_intercept=False)  # uncentred: X^T S X etc.
    assert rel(G, X.T @ (sw[:, None] * X)) < 1e-12
    assert rel(Xy, X.T @ (sw[:, None] * Y)) < 1e-12
    assert rel(yy, sw @ (Y * Y)) < 1e-12


# --------------------------------------------------------------------------
# Ridge
# --------------------------------------------------------------------------
@pytest.mark.parametrize("layout", ["dense", "sparse"])
@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("weights", [None, "random"])
def test_ridge_matches_in_memory_and_oracle(scheduler, layout, fit_intercept, weights):
    X, y = problem(seed=1, shift=0.0 if not fit_intercept else 5.0)
    sw = make_sample_weight(N, weights)
    mem = fastreg.Ridge(alpha=2.0, fit_intercept=fit_intercept).fit(X, y, sample_weight=sw)
    est = fastreg.Ridge(alpha=2.0, fit_intercept=fit_intercept).fit(
        to_dask(X, layout), y, sample_weight=None if sw is None else da.from_array(sw, 77))
    assert rel(est.coef_, mem.coef_) < 1e-10
    assert abs(est.intercept_ - mem.intercept_) <= 1e-10 * max(1.0, abs(mem.intercept_))
    w_ref, b_ref = ref.ridge_closed_form(X, y, 2.0, sample_weight=sw,
                                         fit_intercept=fit_intercept)
    assert rel(est.coef_, w_ref) < 1e-9
    assert abs(est.intercept_ - b_ref) <= 1e-9 * max(1.0, abs(b_ref))
    assert est.solver_ == "cholesky" and est.n_features_in_ == P


def test_ridge_multi_target_and_per_target_alpha(scheduler):
    X, Y = problem(seed=2, n_targets=3)
    alphas = np.array([0.1, 1.0, 10.0])
    mem = fastreg.Ridge(alpha=alphas).fit(X, Y)
    est = fastreg.Ridge(alpha=alphas).fit(to_dask(X), da.from_array(Y, chunks=(200, 2)))
    assert est.coef_.shape == (3, P) and est.intercept_.shape == (3,)
    assert rel(est.coef_, mem.coef_) < 1e-10
    assert rel(est.intercept_, mem.intercept_) < 1e-10


def test_ridge_large_column_means_do_not_cancel():
    """Columns with mean 1e6 and unit spread: the centred statistics are merged
    (Chan et al.), never formed as X^T X - n m m^T, so the fit equals the fit
    of the unshifted data (same coef, shifted intercept) to high accuracy."""
    X, y = problem(seed=3)
    shift = 1e6 * (1.0 + np.arange(P))
    with dask.config.set(scheduler="sync"):
        est = fastreg.Ridge(alpha=1.0).fit(to_dask(X + shift), y)
    w_ref, b_ref = ref.ridge_closed_form(X, y, 1.0)
    # the data themselves carry eps * 1e6 = 2e-10 of absolute round-off
    assert rel(est.coef_, w_ref) < 1e-7
    naive_G = (X + shift).T @ (X + shift) - N * np.outer((X + shift).mean(0),
                                                         (X + shift).mean(0))
    exact_G = (X - X.mean(0)).T @ (X - X.mean(0))
    # ... while the textbook formula loses everything at this shift
    assert rel(naive_G, exact_G) > 1e-4


def test_ridge_positive(scheduler):
    X, y = problem(seed=4)
    mem = fastreg.Ridge(alpha=1.0, positive=True, tol=1e-12, max_iter=10000).fit(X, y)
    est = fastreg.Ridge(alpha=1.0, positive=True, tol=1e-12, max_iter=10000).fit(
        to_dask(X), y)
    assert np.all(est.coef_ >= 0)
    assert rel(est.coef_, mem.coef_) < 1e-6


def test_float32_input_gives_float32_attributes():
    X, y = problem(seed=5)
    with dask.config.set(scheduler="sync"):
        est = fastreg.Ridge(alpha=1.0).fit(to_dask(X.astype(np.float32)),
                                           y.astype(np.float32))
    assert est.coef_.dtype == np.float32
    w_ref, _ = ref.ridge_closed_form(X.astype(np.float32).astype(np.float64),
                                     y.astype(np.float32).astype(np.float64), 1.0)
    assert rel(est.coef_, w_ref) < 1e-6


# --------------------------------------------------------------------------
# Elastic-Net / Lasso
# --------------------------------------------------------------------------
@pytest.mark.parametrize("layout", ["dense", "sparse"])
@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("weights", [None, "random"])
@pytest.mark.parametrize("l1_ratio", [1.0, 0.5])
def test_enet_matches_in_memory_objective_and_gap(scheduler, layout, fit_intercept,
                                                  weights, l1_ratio):
    X, y = problem(seed=6)
    sw = make_sample_weight(N, weights)
    alpha = 0.05
    kw = dict(alpha=alpha, l1_ratio=l1_ratio, fit_intercept=fit_intercept, tol=1e-12,
              max_iter=5000)
    mem = fastreg.ElasticNet(**kw).fit(X, y, sample_weight=sw)
    est = fastreg.ElasticNet(**kw).fit(to_dask(X, layout), da.from_array(y, chunks=120),
                                       sample_weight=sw)
    obj = ref.enet_objective(X, y, est.coef_, est.intercept_, alpha, l1_ratio, sw)
    obj_mem = ref.enet_objective(X, y, mem.coef_, mem.intercept_, alpha, l1_ratio, sw)
    assert abs(obj - obj_mem) <= 1e-7 * obj_mem
    gap = ref.enet_duality_gap(X, y, est.coef_, est.intercept_, alpha, l1_ratio, sw,
                               fit_intercept=fit_intercept)
    assert gap <= 1e-9 * obj_mem
    np.testing.assert_array_equal(est.coef_ == 0, mem.coef_ == 0)  # same support
    assert est.dual_gap_ <= 1e-9 * obj_mem


def test_lasso_multi_target_and_warm_start(scheduler):
    X, Y = problem(seed=7, n_targets=2)
    mem = fastreg.Lasso(alpha=0.02, tol=1e-12).fit(X, Y)
    est = fastreg.Lasso(alpha=0.02, tol=1e-12, warm_start=True).fit(to_dask(X), Y)
    assert est.coef_.shape == (2, P) and len(est.n_iter_) == 2
    for t in range(2):
        o = ref.enet_objective(X, Y[:, t], est.coef_[t], est.intercept_[t], 0.02)
        om = ref.enet_objective(X, Y[:, t], mem.coef_[t], mem.intercept_[t], 0.02)
        assert abs(o - om) <= 1e-7 * om
    est.fit(to_dask(X), Y)  # warm start from the solution: converges at once
    assert max(est.n_iter_) <= 1


def test_lasso_constant_column_and_column_chunked_input():
    X, y = problem(seed=8)
    X[:, 3] = 7.25  # constant: zeroed by the centring, as in memory
    Xd = da.from_array(X, chunks=(CHUNKS, (4, 5)))  # two column blocks: rechunked
    with dask.config.set(scheduler="sync"):
        est = fastreg.Lasso(alpha=0.01, tol=1e-12).fit(Xd, y)
    mem = fastreg.Lasso(alpha=0.01, tol=1e-12).fit(X, y)
    assert est.coef_[3] == 0.0
    o = ref.enet_objective(X, y, est.coef_, est.intercept_, 0.01)
    om = ref.enet_objective(X, y, mem.coef_, mem.intercept_, 0.01)
    assert abs(o - om) <= 1e-7 * om


# --------------------------------------------------------------------------
# RidgeCV
# --------------------------------------------------------------------------
@pytest.mark.parametrize("layout", ["dense", "sparse"])
@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("weights", [None, "with_zeros"])
def test_ridge_cv_loo_equals_in_memory(scheduler, layout, fit_intercept, weights):
    X, y = problem(seed=9)
    sw = make_sample_weight(N, weights)
    alphas = np.logspace(-3, 3, 13)
    mem = fastreg.RidgeCV(alphas=alphas, fit_intercept=fit_intercept).fit(
        X, y, sample_weight=sw)
    est = fastreg.RidgeCV(alphas=alphas, fit_intercept=fit_intercept).fit(
        to_dask(X, layout), y, sample_weight=sw)
    assert est.alpha_ == mem.alpha_
    assert abs(est.best_score_ - mem.best_score_) <= 1e-10 * abs(mem.best_score_)
    assert rel(est.coef_, mem.coef_) < 1e-10
    assert est.gcv_mode_ == "gram"
    # the chosen alpha's coefficients are the Ridge solution (oracle)
    w_ref, _ = ref.ridge_closed_form(X, y, est.alpha_, sample_weight=sw,
                                     fit_intercept=fit_intercept)
    assert rel(est.coef_, w_ref) < 1e-9


def test_ridge_cv_loo_score_is_true_leave_one_out():
    """best_score_ against brute force: refit without each sample (oracle)."""
    X, y = problem(seed=10, n=40, p=4)
    alphas = np.array([0.5, 5.0])
    with dask.config.set(scheduler="sync"):
        est = fastreg.RidgeCV(alphas=alphas).fit(to_dask(X, chunks=(13, 27)), y)
    errs = np.zeros(2)
    for i in range(40):
        keep = np.arange(40) != i
        for a, alpha in enumerate(alphas):
            w, b = ref.ridge_closed_form(X[keep], y[keep], alpha)
            errs[a] += (y[i] - X[i] @ w - b) ** 2
    scores = -errs / 40
    assert est.alpha_ == alphas[np.argmax(scores)]
    assert abs(est.best_score_ - scores.max()) <= 1e-10 * abs(scores.max())


def test_ridge_cv_alpha_per_target(scheduler):
    X, Y = problem(seed=11, n_targets=2)
    alphas = np.logspace(-2, 4, 7)
    mem = fastreg.RidgeCV(alphas=alphas, alpha_per_target=True).fit(X, Y)
    est = fastreg.RidgeCV(alphas=alphas, alpha_per_target=True).fit(to_dask(X), Y)
    np.testing.assert_array_equal(est.alpha_, mem.alpha_)
    np.testing.assert_allclose(est.best_score_, mem.best_score_, rtol=1e-10)
    assert rel(est.coef_, mem.coef_) < 1e-10


@pytest.mark.parametrize("weights", [None, "random"])
def test_ridge_cv_kfold_equals_in_memory(scheduler, weights):
    X, y = problem(seed=12)
    sw = make_sample_weight(N, weights)
    alphas = np.logspace(-2, 3, 6)
    mem = fastreg.RidgeCV(alphas=alphas, cv=4).fit(X, y, sample_weight=sw)
    est = fastreg.RidgeCV(alphas=alphas, cv=4).fit(to_dask(X), y, sample_weight=sw)
    assert est.alpha_ == mem.alpha_
    assert abs(est.best_score_ - mem.best_score_) <= 1e-9
    assert rel(est.coef_, mem.coef_) < 1e-10


# --------------------------------------------------------------------------
# paths and LassoCV / ElasticNetCV
# --------------------------------------------------------------------------
def test_lasso_path_equals_in_memory(scheduler):
    X, y = problem(seed=13)
    a_mem, c_mem, _ = fastreg.lasso_path(X, y, n_alphas=20, tol=1e-12, fit_intercept=True)
    a_d, c_d, gaps = fastreg.lasso_path(to_dask(X), y, n_alphas=20, tol=1e-12,
                                        fit_intercept=True)
    np.testing.assert_allclose(a_d, a_mem, rtol=1e-12)
    assert a_d[0] == pytest.approx(ref.alpha_max(X, y), rel=1e-12)
    for k in range(20):
        w = c_d[:, k]
        b = y.mean() - X.mean(0) @ w
        o = ref.enet_objective(X, y, w, b, a_d[k])
        bm = y.mean() - X.mean(0) @ c_mem[:, k]
        om = ref.enet_objective(X, y, c_mem[:, k], bm, a_mem[k])
        assert abs(o - om) <= 1e-7 * om


@pytest.mark.parametrize("weights", [None, "random"])
def test_enet_cv_equals_in_memory(scheduler, weights):
    X, y = problem(seed=14)
    sw = make_sample_weight(N, weights)
    kw = dict(l1_ratio=[0.5, 1.0], cv=3, alphas=15, tol=1e-12, max_iter=10000)
    mem = fastreg.ElasticNetCV(**kw).fit(X, y, sample_weight=sw)
    est = fastreg.ElasticNetCV(**kw).fit(to_dask(X), y, sample_weight=sw)
    np.testing.assert_allclose(est.alphas_, mem.alphas_, rtol=1e-12)
    np.testing.assert_allclose(est.mse_path_, mem.mse_path_, rtol=1e-7)
    assert est.alpha_ == pytest.approx(mem.alpha_, rel=1e-12)
    assert est.l1_ratio_ == mem.l1_ratio_
    o = ref.enet_objective(X, y, est.coef_, est.intercept_, est.alpha_, est.l1_ratio_, sw)
    om = ref.enet_objective(X, y, mem.coef_, mem.intercept_, mem.alpha_, mem.l1_ratio_,
                            sw)
    assert abs(o - om) <= 1e-7 * om


def test_cv_with_shuffled_splitter_and_fold_boundaries():
    """KFold(shuffle=True) goes through explicit labels, plain KFold through
    boundaries computed on the workers: both equal the in-memory CV."""
    from sklearn.model_selection import KFold

    from fastreg._dask.stats import fold_labels

    X, y = problem(seed=18)
    for cv in (KFold(4, shuffle=True, random_state=0), KFold(4)):
        with dask.config.set(scheduler="sync"):
            est = fastreg.LassoCV(cv=cv, alphas=8, tol=1e-12).fit(to_dask(X), y)
        mem = fastreg.LassoCV(cv=cv, alphas=8, tol=1e-12).fit(X, y)
        np.testing.assert_allclose(est.mse_path_, mem.mse_path_, rtol=1e-7)
    bounds, K = fold_labels(KFold(4), N)
    tests = [t for _, t in KFold(4).split(np.zeros((N, 1)))]
    assert K == 4
    for k in range(4):
        np.testing.assert_array_equal(np.arange(bounds.bounds[k], bounds.bounds[k + 1]),
                                      tests[k])


def test_lasso_cv_sparse_chunks():
    X, y = problem(seed=15)
    with dask.config.set(scheduler="threads"):
        est = fastreg.LassoCV(cv=3, alphas=10, tol=1e-12).fit(to_dask(X, "sparse"), y)
    mem = fastreg.LassoCV(cv=3, alphas=10, tol=1e-12).fit(X, y)
    np.testing.assert_allclose(est.mse_path_, mem.mse_path_, rtol=1e-7)
    assert est.alpha_ == pytest.approx(mem.alpha_, rel=1e-12)


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
        c = request.getfixturevalue("client")
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


# --------------------------------------------------------------------------
# validation
# --------------------------------------------------------------------------
def test_bad_input_raises_clear_errors():
    X, y = problem(seed=16)
    Xd = to_dask(X)
    with dask.config.set(scheduler="sync"):
        with pytest.raises(ValueError, match="y has 500 rows but X has 503"):
            fastreg.Ridge().fit(Xd, da.from_array(y[:500]))
        with pytest.raises(ValueError, match="y must have 503 rows"):
            fastreg.Lasso().fit(Xd, y[:-1])
        with pytest.raises(ValueError, match="sample_weight has 10 rows"):
            fastreg.Ridge().fit(Xd, y, sample_weight=da.ones(10))
        Xn = X.copy()
        Xn[321, 2] = np.nan
        with pytest.raises(ValueError, match="X contains NaN"):
            fastreg.Lasso(alpha=0.1).fit(to_dask(Xn), y)
        sw0 = np.ones(N)
        sw0[:100] = 0.0  # the NaN sits in an all-zero-weight chunk: still an error
        Xn0 = X.copy()
        Xn0[50, 1] = np.nan
        with pytest.raises(ValueError, match="X contains NaN"):
            fastreg.Ridge().fit(to_dask(Xn0), y, sample_weight=sw0)
        with pytest.raises(ValueError, match="X must be 2-D"):
            fastreg.Ridge().fit(da.from_array(y), y)
        yn = y.copy()
        yn[5] = np.inf
        with pytest.raises(ValueError, match="y contains NaN"):
            fastreg.Ridge().fit(Xd, yn)
        sw = np.ones(N)
        sw[400] = -1
        with pytest.raises(ValueError, match="sample_weight must be finite and non-neg"):
            fastreg.Ridge().fit(Xd, y, sample_weight=da.from_array(sw, chunks=50))
        with pytest.raises(ValueError, match="positive sum"):
            fastreg.Ridge().fit(Xd, y, sample_weight=da.zeros(N, chunks=100))
        unknown = Xd[Xd[:, 0] > -1e9]
        with pytest.raises(ValueError, match="unknown chunk sizes"):
            fastreg.Ridge().fit(unknown, y)
        Xs = da.from_array(X, chunks=(100, 4)).map_blocks(sp.csr_matrix, dtype=X.dtype)
        with pytest.raises(ValueError, match="single column block"):
            fastreg.Ridge().fit(Xs, y)
        with pytest.raises(ValueError, match="scoring=None"):
            fastreg.RidgeCV(scoring="r2").fit(Xd, y)
        with pytest.raises(ValueError, match="penalty_factor must have shape"):
            fastreg.Lasso(penalty_factor=np.ones(P + 1)).fit(Xd, y)


# --------------------------------------------------------------------------
# fault tolerance (last: it costs the cluster a worker restart)
# --------------------------------------------------------------------------
def _kill_once(x, marker, k, block_info=None):
    """Kill this worker process the first time chunk ``k`` is produced."""
    if block_info[0]["chunk-location"][0] == k and not os.path.exists(marker):
        with open(marker, "w"):
            pass
        os._exit(1)
    return x


def test_worker_killed_mid_computation_still_exact(client, tmp_path):
    X, y = problem(seed=17)
    sw = make_sample_weight(N, "random")
    marker = str(tmp_path / "killed")
    Xk = to_dask(X).map_blocks(_kill_once, marker, 2, dtype=X.dtype)
    with client.as_current(), dask.config.set(scheduler="dask.distributed"):
        est = fastreg.Ridge(alpha=3.0).fit(Xk, y, sample_weight=sw)
    assert os.path.exists(marker)  # the worker did die
    w_ref, b_ref = ref.ridge_closed_form(X, y, 3.0, sample_weight=sw)
    assert rel(est.coef_, w_ref) < 1e-9
    assert abs(est.intercept_ - b_ref) <= 1e-9 * abs(b_ref)


# --------------------------------------------------------------------------
# penalty factors and predict
# --------------------------------------------------------------------------
PF = np.array([0.0, 1.0, 2.0, 0.5, 1.0, 0.0, 1.0, 3.0, 1.0])


@pytest.mark.parametrize("layout", ["dense", "sparse"])
@pytest.mark.parametrize("positive", [False, True])
def test_penalty_factor_matches_in_memory(scheduler, layout, positive):
    """Zero and non-unit factors (with positive=True, the sign-constrained
    unpenalised projection) on Dask input: same objective as in memory, a
    certificate from the reference, the same alpha grid."""
    X, y = problem(seed=5)
    sw = make_sample_weight(N, "random", seed=2)
    kw = dict(positive=positive, penalty_factor=PF, tol=1e-10, max_iter=100000)
    a_max = ref.alpha_max(X, y, 1.0, sw, True, penalty_factor=PF, positive=positive)
    ours = fastreg.Lasso(alpha=a_max / 10, **kw).fit(to_dask(X, layout), y,
                                                     sample_weight=sw)
    mem = fastreg.Lasso(alpha=a_max / 10, **kw).fit(X, y, sample_weight=sw)
    obj = ref.enet_objective(X, y, ours.coef_, ours.intercept_, a_max / 10, 1.0, sw,
                             penalty_factor=PF)
    obj_mem = ref.enet_objective(X, y, mem.coef_, mem.intercept_, a_max / 10, 1.0, sw,
                                 penalty_factor=PF)
    assert abs(obj - obj_mem) <= 1e-7 * abs(obj_mem)
    gap = ref.enet_duality_gap(X, y, ours.coef_, ours.intercept_, a_max / 10, 1.0, sw,
                               True, positive, penalty_factor=PF)
    assert gap <= 1e-9 * obj_mem
    assert np.all(ours.coef_[PF == 0] != 0) or positive
    if positive:
        assert np.all(ours.coef_ >= 0)
    alphas, coefs, _ = fastreg.lasso_path(to_dask(X, layout), y, n_alphas=8, eps=1e-2,
                                          fit_intercept=True, sample_weight=sw, **kw)
    alphas_mem, coefs_mem, _ = fastreg.lasso_path(X, y, n_alphas=8, eps=1e-2,
                                                  fit_intercept=True, sample_weight=sw,
                                                  **kw)
    np.testing.assert_allclose(alphas, alphas_mem, rtol=1e-10)
    assert rel(coefs, coefs_mem) <= 1e-5


def test_penalty_factor_cv_matches_in_memory(scheduler):
    X, y = problem(seed=6)
    kw = dict(cv=3, alphas=10, penalty_factor=PF, tol=1e-10, max_iter=100000)
    ours = fastreg.LassoCV(**kw).fit(to_dask(X), y)
    mem = fastreg.LassoCV(**kw).fit(X, y)
    np.testing.assert_allclose(ours.alphas_, mem.alphas_, rtol=1e-10)
    assert ours.alpha_ == pytest.approx(mem.alpha_, rel=1e-10)
    np.testing.assert_allclose(ours.mse_path_, mem.mse_path_, rtol=1e-6)
    assert rel(ours.coef_, mem.coef_) <= 1e-5


@pytest.mark.parametrize("layout", ["dense", "sparse"])
@pytest.mark.parametrize("n_targets", [None, 2])
def test_predict_is_lazy_and_equals_in_memory(scheduler, layout, n_targets):
    X, y = problem(seed=7, n_targets=n_targets)
    est = fastreg.Ridge(alpha=0.5).fit(X, y)
    Xd = to_dask(X, layout)
    pred = est.predict(Xd)
    assert is_dask_collection(pred)
    assert pred.shape == ((N,) if n_targets is None else (N, n_targets))
    np.testing.assert_allclose(pred.compute(), est.predict(X), rtol=1e-12, atol=1e-12)
    with pytest.raises(ValueError, match="features"):
        est.predict(to_dask(X[:, :4]))
