"""fastreg._base: the API every estimator inherits (LinearRegressorBase).

scikit-learn's estimator contract, checked by scikit-learn itself; tags and
cloning; the validation entry's feature names; predict leaves its input as it
was; pickling (every protocol, bitwise state, a fresh process); threads:
concurrent fits on shared inputs and concurrent predicts on one estimator are
bit-identical to sequential ones.
"""
import pickle
import warnings
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.base import clone, is_regressor
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils.estimator_checks import parametrize_with_checks

from fastreg import (ElasticNet, Lasso, MultiTaskElasticNet, MultiTaskElasticNetCV,
                     MultiTaskLasso, MultiTaskLassoCV, Ridge)
from fastreg import reference as ref

from conftest import (assert_unchanged, est_id, fit_anyway, fit_quiet,
                      fresh, make_problem, make_sample_weight, route_estimators,
                      run_python, small_problem, snapshot, to_layout)

ROUTES = route_estimators()
ROUTE_IDS = [est_id(e) for e in ROUTES]

RIDGE_N_ITER = (
    "Ridge's closed-form routes (the default 'cholesky', and 'svd') run no "
    "iterations, so n_iter_ is None; scikit-learn declares the same expected "
    "failure for its own Ridge."
)


def expected_failed_checks(estimator):
    if isinstance(estimator, Ridge):
        return {"check_non_transformer_estimators_n_iter": RIDGE_N_ITER}
    return {}


@parametrize_with_checks([Lasso(), ElasticNet(), Ridge(), MultiTaskElasticNet(),
                          MultiTaskLasso(), MultiTaskElasticNetCV(cv=3),
                          MultiTaskLassoCV(cv=3)],
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


# --------------------------------------------------------------------------
# predict
# --------------------------------------------------------------------------
@pytest.mark.parametrize("est", ROUTES, ids=ROUTE_IDS)
def test_predict_leaves_inputs_unchanged(est):
    X, y = small_problem(seed=6)
    fitted = fit_anyway(fresh(est), X, y)
    variants = [to_layout(X, "dense"), to_layout(X, "dense_f"),
                to_layout(X, "dense", np.float32), to_layout(X, "csc"),
                to_layout(X, "csr", index_dtype=np.int64), sp.coo_matrix(X),
                np.asarray(X)[:, ::1][::-1]]
    for V in variants:
        before = snapshot(V)
        writeable = None if sp.issparse(V) else V.flags.writeable
        fitted.predict(V)
        assert_unchanged(before, V)
        if writeable is not None:
            assert V.flags.writeable == writeable


# --------------------------------------------------------------------------
# pickling
# --------------------------------------------------------------------------
def _fitted_attributes(est):
    return {k: v for k, v in vars(est).items() if k.endswith("_") and not k.startswith("_")}


def _assert_same_state(a, b):
    va, vb = _fitted_attributes(a), _fitted_attributes(b)
    assert va.keys() == vb.keys()
    for k in va:
        x, y = va[k], vb[k]
        if isinstance(x, np.ndarray) or isinstance(y, np.ndarray):
            assert np.asarray(x).dtype == np.asarray(y).dtype, k
            assert np.array_equal(x, y), k
        else:
            assert type(x) is type(y) and (x == y or (x != x and y != y)), (k, x, y)
    assert a.get_params() == b.get_params()


@pytest.mark.parametrize("multi", [False, True])
@pytest.mark.parametrize("layout,dtype", [("dense", np.float64), ("dense_f", np.float32),
                                          ("csc", np.float64), ("csr", np.float32)])
@pytest.mark.parametrize("est", ROUTES, ids=ROUTE_IDS)
def test_pickle_round_trip(est, layout, dtype, multi):
    X, y = small_problem(seed=6)
    target = np.c_[y, -y + 3] if multi else y
    Xl = to_layout(X, layout, dtype)
    fitted = fit_anyway(fresh(est), Xl, target,
                        sample_weight=make_sample_weight(X.shape[0], "random"))
    probes = [Xl, to_layout(X, "dense"), to_layout(X, "csr", np.float32)]
    expected = [fitted.predict(V) for V in probes]
    for protocol in range(2, pickle.HIGHEST_PROTOCOL + 1):
        again = pickle.loads(pickle.dumps(fitted, protocol=protocol))
        _assert_same_state(fitted, again)
        for V, e in zip(probes, expected):
            got = again.predict(V)
            assert got.dtype == e.dtype and np.array_equal(got, e)
    # an unpickled estimator refits to the same answer (warm start included)
    again = pickle.loads(pickle.dumps(fitted))
    refit = fit_anyway(again, Xl, target)
    ref_fit = fit_anyway(fresh(est), Xl, target)
    assert np.array_equal(refit.coef_, ref_fit.coef_)


def test_unpickle_in_a_fresh_process(tmp_path):
    """Nothing but the pickle is needed: a new interpreter gets the same state
    (bitwise) and the same predictions (to round-off: BLAS results may depend
    on the alignment of the arrays, which differs between processes)."""
    X, y = small_problem(seed=6)
    fits = [fit_anyway(fresh(e), to_layout(X, lay), y)
            for e in ROUTES for lay in ("dense", "csc")]
    (tmp_path / "models.pkl").write_bytes(pickle.dumps(fits))
    np.save(tmp_path / "X.npy", X)
    np.save(tmp_path / "coef.npy", np.array([f.coef_ for f in fits]))
    np.save(tmp_path / "intercept.npy", np.array([f.intercept_ for f in fits]))
    np.save(tmp_path / "pred.npy", np.array([f.predict(X) for f in fits]))
    out = run_python(f"""
        import pickle, numpy as np, scipy.sparse as sp
        d = {str(tmp_path)!r}
        fits = pickle.loads(open(d + '/models.pkl', 'rb').read())
        X = np.load(d + '/X.npy')
        assert np.array_equal([f.coef_ for f in fits], np.load(d + '/coef.npy'))
        assert np.array_equal([f.intercept_ for f in fits], np.load(d + '/intercept.npy'))
        pred = np.array([f.predict(X) for f in fits])
        np.testing.assert_allclose(pred, np.load(d + '/pred.npy'), rtol=1e-13, atol=1e-13)
        pred_sp = np.array([f.predict(sp.csr_matrix(X)) for f in fits])
        np.testing.assert_allclose(pred_sp, pred, rtol=1e-13, atol=1e-13)
        print("same")
    """)
    assert out.returncode == 0 and out.stdout.strip() == "same", out.stderr[-2000:]


# --------------------------------------------------------------------------
# threads: concurrent fits on shared inputs == sequential fits, bitwise
# --------------------------------------------------------------------------
def _thread_jobs():
    X, y = small_problem(seed=11, n=150, p=60, density=0.4)
    shared = {
        "C": to_layout(X, "dense"), "F": to_layout(X, "dense_f"),
        "F32": to_layout(X, "dense_f", np.float32), "csc": to_layout(X, "csc"),
        "csr": to_layout(X, "csr", index_dtype=np.int64),
    }
    for a in [shared["C"], shared["F"], shared["F32"]]:
        a.setflags(write=False)
    sw = make_sample_weight(150, "random", seed=4)
    Y = np.c_[y, -y]
    amax = ref.alpha_max(X, y)
    jobs = []
    for k, (key, Xs) in enumerate(shared.items()):
        tol = 1e-5 if Xs.dtype == np.float32 else 1e-10
        jobs += [
            (Lasso(alpha=amax / (5 + k), tol=tol, max_iter=10000), Xs, y, None),
            (ElasticNet(alpha=amax / 30, l1_ratio=0.5, tol=tol, max_iter=10000,
                        selection="random", random_state=k), Xs, y, sw),
            (ElasticNet(alpha=amax / 10, positive=True, tol=tol, max_iter=10000,
                        fit_intercept=False), Xs, Y, None),
            (Ridge(alpha=0.3 * (k + 1)), Xs, y, sw),
            (Ridge(alpha=0.3, positive=True, tol=tol, max_iter=10000), Xs, Y, sw),
        ]
    return jobs, shared, y, sw


def _run(job):
    est, Xs, target, sw = job
    fitted = clone(est).fit(Xs, target, sample_weight=sw)
    return (fitted.coef_.copy(), np.copy(fitted.intercept_), np.copy(fitted.n_iter_),
            fitted.predict(Xs))


@pytest.mark.parametrize("n_threads", [4, 8])
def test_many_threads_shared_inputs_bit_identical(n_threads):
    jobs, shared, y, sw = _thread_jobs()
    before = {k: snapshot(v) for k, v in shared.items()}
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        sequential = [_run(job) for job in jobs]
        for _ in range(2):  # twice, in a different order: shake out races
            with ThreadPoolExecutor(max_workers=n_threads) as pool:
                threaded = list(pool.map(_run, jobs))
            for i, (a, b) in enumerate(zip(sequential, threaded)):
                for x, z in zip(a, b):
                    assert np.array_equal(x, z), (i, est_id(jobs[i][0]))
            jobs, sequential = jobs[::-1], sequential[::-1]
    for k, v in shared.items():
        assert_unchanged(before[k], v)


def test_concurrent_predict_on_one_estimator():
    X, y = small_problem(seed=12, n=200, p=30)
    est = Lasso(alpha=0.01).fit(X, y)
    probes = [to_layout(X[i::7], lay) for i in range(7) for lay in ("dense", "csr", "csc")]
    expected = [est.predict(V) for V in probes]
    with ThreadPoolExecutor(max_workers=6) as pool:
        got = list(pool.map(est.predict, probes * 4))
    for e, g in zip(expected * 4, got):
        assert np.array_equal(e, g)
