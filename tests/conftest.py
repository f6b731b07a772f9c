"""Shared data generators and helpers for fastreg's test suite.

Every generator is deterministic (a seeded ``numpy.random.Generator``) and
returns fresh arrays, so a test may modify what it receives.  Problems are
float64 and dense; ``to_layout`` turns a design into the layout and dtype a
test wants (dense C/F, CSC, CSR, with int32 or int64 sparse indices).

Also: tolerances and comparisons; ``route_estimators`` (one estimator per
route through the library) and ``est_id``; ``snapshot``/``assert_unchanged``
for promises about the user's arrays; ``run_python`` for a fresh interpreter.
Helpers of narrower use live beside the tests that share them:
``random_problems.py`` (hypothesis problems and certificates) and
``penalty_problems.py`` (the penalty-factor problem and its oracle).
"""
import os
import subprocess
import sys
import textwrap
import warnings

# scikit-learn's check_array_api_input (numpy namespace) only runs when scipy
# was imported with array-API support on; set it before anything imports scipy
# so that the estimator checks run instead of being skipped.
os.environ.setdefault("SCIPY_ARRAY_API", "1")

import numpy as np  # noqa: E402
import pytest  # noqa: E402
import scipy.sparse as sp  # noqa: E402
from sklearn.base import clone  # noqa: E402
from sklearn.exceptions import ConvergenceWarning  # noqa: E402

LAYOUTS = ["dense", "csc", "csr"]
DTYPES = [np.float64, np.float32]
SAMPLE_WEIGHTS = [None, "random"]


# --------------------------------------------------------------------------
# random numbers and problems
# --------------------------------------------------------------------------
def make_rng(seed=0):
    """A seeded numpy Generator (PCG64)."""
    return np.random.default_rng(seed)


@pytest.fixture
def rng():
    return make_rng(12345)


def correlated_design(n, p, rho=0.5, density=1.0, shift=1.0, seed=0):
    """Gaussian design with Toeplitz correlation ``rho**|i-j|`` between columns.

    ``density < 1`` zeroes entries at random (so that CSC/CSR layouts are
    genuinely sparse); ``shift`` adds per-column offsets to the non-zeros so
    the columns are not centred and fitting the intercept matters.
    """
    rng = make_rng(seed)
    idx = np.arange(p)
    cov = rho ** np.abs(idx[:, None] - idx[None, :])
    L = np.linalg.cholesky(cov + 1e-12 * np.eye(p))
    X = rng.standard_normal((n, p)) @ L.T
    X += shift * rng.uniform(-1.0, 2.0, size=p)
    if density < 1.0:
        X *= rng.random((n, p)) < density
    return X


def sparse_truth(p, n_nonzero, seed=0, positive=False):
    """A coefficient vector with ``n_nonzero`` entries of magnitude in [1, 3]."""
    rng = make_rng(seed + 1000)
    w = np.zeros(p)
    support = rng.choice(p, size=min(n_nonzero, p), replace=False)
    w[support] = rng.uniform(1.0, 3.0, size=support.size)
    if not positive:
        w[support] *= rng.choice([-1.0, 1.0], size=support.size)
    return w


def make_problem(n=60, p=30, n_nonzero=5, rho=0.5, density=0.5, noise=0.5,
                 n_targets=None, positive_truth=False, seed=0):
    """Correlated design, sparse ground truth, noisy target with an offset.

    Returns ``X`` (float64, dense) and ``y`` (shape (n,) or (n, n_targets)).
    """
    X = correlated_design(n, p, rho=rho, density=density, seed=seed)
    rng = make_rng(seed + 1)
    k = 1 if n_targets is None else n_targets
    W = np.stack([sparse_truth(p, n_nonzero, seed=seed + 7 * t, positive=positive_truth)
                  for t in range(k)], axis=1)
    Y = X @ W + 3.0 + noise * rng.standard_normal((n, k))
    return X, (Y[:, 0] if n_targets is None else Y)


def small_problem(seed, n=40, p=12, **kw):
    """``make_problem`` at the size of the API-level tests (40 x 12), with half
    the entries zero unless told otherwise (sparse layouts are then sparse)."""
    kw.setdefault("density", 0.5)
    return make_problem(n=n, p=p, seed=seed, **kw)


def make_text_like(n=120, p=80, seed=0, min_nnz=2):
    """A sparse, text-like (bag-of-words) CSC design and a target.

    Column frequencies follow a Zipf law and values are log-normal counts, so
    column norms are heavy-tailed (a few very dense, large columns and many
    rare ones).  Every column keeps at least ``min_nnz`` non-zeros.
    """
    rng = make_rng(seed)
    freq = 0.6 / np.arange(1, p + 1) ** 1.1
    freq = np.maximum(freq, min_nnz / n)
    mask = rng.random((n, p)) < freq
    for j in range(p):  # guarantee the minimum support
        if mask[:, j].sum() < min_nnz:
            mask[rng.choice(n, size=min_nnz, replace=False), j] = True
    vals = np.round(np.exp(rng.normal(0.0, 1.0, size=(n, p))) * 2) + 1
    X = sp.csc_matrix(np.where(mask, vals, 0.0))
    w = sparse_truth(p, 8, seed=seed)
    y = X @ w + 1.0 + 0.5 * rng.standard_normal(n)
    return X, np.asarray(y).ravel()


def make_sample_weight(n, kind, seed=0):
    """None, or positive random weights spanning a decade (``kind='random'``)."""
    if kind is None:
        return None
    rng = make_rng(seed + 99)
    if kind == "random":
        return rng.uniform(0.2, 3.0, size=n)
    if kind == "with_zeros":
        sw = rng.uniform(0.2, 3.0, size=n)
        sw[rng.choice(n, size=max(1, n // 5), replace=False)] = 0.0
        return sw
    raise ValueError(kind)


# --------------------------------------------------------------------------
# layouts, dtypes
# --------------------------------------------------------------------------
def to_layout(X, layout, dtype=np.float64, index_dtype=np.int32, order="C"):
    """Convert a design to ``layout`` in {'dense', 'dense_f', 'csc', 'csr'}.

    Sparse outputs are canonical with ``index_dtype`` indices and indptr.
    """
    if layout in ("dense", "dense_f"):
        Xd = X.toarray() if sp.issparse(X) else np.asarray(X)
        order = "F" if layout == "dense_f" else order
        return np.array(Xd, dtype=dtype, order=order, copy=True)
    if layout not in ("csc", "csr"):
        raise ValueError(layout)
    M = sp.csc_matrix(X, dtype=dtype) if layout == "csc" else sp.csr_matrix(X, dtype=dtype)
    M = M.copy()
    M.sum_duplicates()
    M.sort_indices()
    # scipy's constructors downcast int64 indices when they fit in int32:
    # assign the index arrays directly to keep the requested width.
    M.indices = M.indices.astype(index_dtype)
    M.indptr = M.indptr.astype(index_dtype)
    assert M.indices.dtype == M.indptr.dtype == np.dtype(index_dtype)
    return M


def dense(X):
    """Dense float64 view of any design."""
    return np.asarray(X.toarray() if sp.issparse(X) else X, dtype=np.float64)


# --------------------------------------------------------------------------
# tolerances
# --------------------------------------------------------------------------
def fit_tol(dtype):
    """Solver tolerance that the dtype can certify (float32 round-off ~ 1e-7)."""
    return 1e-10 if np.dtype(dtype) == np.float64 else 1e-6


def obj_rtol(dtype):
    """Relative tolerance on objective values."""
    return 1e-7 if np.dtype(dtype) == np.float64 else 1e-5


def coef_rtol(dtype):
    """Tolerance on coefficients, relative to the largest coefficient."""
    return 1e-5 if np.dtype(dtype) == np.float64 else 2e-3


def assert_coef_close(a, b, rtol, msg=""):
    """max |a - b| <= rtol * max(max|a|, max|b|, 1e-12)."""
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    assert a.shape == b.shape, (a.shape, b.shape)
    scale = max(np.max(np.abs(a), initial=0.0), np.max(np.abs(b), initial=0.0), 1e-12)
    err = np.max(np.abs(a - b), initial=0.0)
    assert err <= rtol * scale, f"{msg} max|diff|={err:.3e} > {rtol:.1e} * {scale:.3e}"


def assert_rel_close(a, b, rtol, msg=""):
    """|a - b| <= rtol * max(|a|, |b|)."""
    a, b = float(a), float(b)
    assert abs(a - b) <= rtol * max(abs(a), abs(b), 1e-300), (
        f"{msg} {a!r} vs {b!r}: rel diff {abs(a - b) / max(abs(a), abs(b), 1e-300):.3e}"
        f" > {rtol:.1e}")


def fit_quiet(est, X, y, **kw):
    """Fit, failing the test on a ConvergenceWarning (the fit must converge)."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        return est.fit(X, y, **kw)


def centred_weighted(X, y, sample_weight=None, fit_intercept=True):
    """Explicit float64 (Xt, yt, x_mean, y_mean) of the weighted, centred problem.

    ``sample_weight`` is used as given (callers normalise it if they need to).
    """
    X = dense(X)
    y = np.asarray(y, dtype=np.float64)
    s = np.ones(X.shape[0]) if sample_weight is None else np.asarray(sample_weight, float)
    if fit_intercept:
        xm = s @ X / s.sum()
        ym = s @ y / s.sum()
    else:
        xm, ym = np.zeros(X.shape[1]), 0.0
    r = np.sqrt(s)
    return r[:, None] * (X - xm), r * (y - ym), xm, ym


# --------------------------------------------------------------------------
# Dask (tests/test_dask_*.py; Dask is imported by the fixtures only)
# --------------------------------------------------------------------------
@pytest.fixture(scope="module")
def dask_client(request):
    """A LocalCluster per test module: 2 worker processes, 1 thread each."""
    import cloudpickle
    import distributed

    # functions of the test module (a worker-kill helper) reach the worker
    # processes by value: the tests directory is not importable there
    cloudpickle.register_pickle_by_value(request.module)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1,
                                           processes=True, dashboard_address=None)
        client = distributed.Client(cluster, set_as_default=False)
    yield client
    client.close()
    cluster.close()
    cloudpickle.unregister_pickle_by_value(request.module)


@pytest.fixture(params=["threads", "distributed"])
def dask_scheduler(request):
    """Run the test body on Dask's threaded scheduler or on the LocalCluster."""
    import dask

    if request.param == "threads":
        with dask.config.set(scheduler="threads"):
            yield "threads"
    else:
        client = request.getfixturevalue("dask_client")
        with client.as_current(), dask.config.set(scheduler="dask.distributed"):
            yield "distributed"

# estimators: one per route through the library
# --------------------------------------------------------------------------
def route_estimators(random_selection=True, ridge_cd=True):
    """Fresh estimators, one per route through the library: the Elastic-Net
    kernels (cyclic, positive, random selection) and every Ridge solver.

    ``random_selection=False`` leaves out the random-selection ElasticNet and
    ``ridge_cd=False`` the unconstrained Ridge(solver='cd').
    """
    from fastreg import ElasticNet, Lasso, Ridge

    ests = [
        Lasso(alpha=0.05, tol=1e-10),
        ElasticNet(alpha=0.05, l1_ratio=0.5, tol=1e-10),
        ElasticNet(alpha=0.05, l1_ratio=0.5, positive=True, tol=1e-10),
        ElasticNet(alpha=0.05, l1_ratio=0.7, tol=1e-10, selection="random",
                   random_state=3),
        Ridge(alpha=0.5),
        Ridge(alpha=0.5, solver="svd"),
        Ridge(alpha=0.5, solver="lsqr", tol=1e-12),
        Ridge(alpha=0.5, solver="sparse_cg", tol=1e-12),
        Ridge(alpha=0.5, solver="cd", tol=1e-12, max_iter=10000),
        Ridge(alpha=0.5, positive=True, tol=1e-12, max_iter=10000),
    ]
    params = [e.get_params() for e in ests]
    return [e for e, kw in zip(ests, params)
            if (random_selection or kw.get("selection") != "random")
            and (ridge_cd or kw.get("solver") != "cd")]


def est_id(est):
    """A test id naming the estimator and its non-default route parameters."""
    params = est.get_params()
    extra = [f"{k}={params[k]}" for k in ("solver", "positive", "selection")
             if k in params and params[k] not in ("auto", False, "cyclic")]
    return "-".join([type(est).__name__] + extra)


def fresh(est, **params):
    """An unfitted copy of ``est`` with ``params`` changed."""
    return clone(est).set_params(**params)


def fit_anyway(est, X, y, **kw):
    """Fit, converged or not: ConvergenceWarning ignored (float32 with tight
    tolerances; compare ``fit_quiet``, which fails on it)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return est.fit(X, y, **kw)


# --------------------------------------------------------------------------
# the user's arrays
# --------------------------------------------------------------------------
def _arrays(a):
    if sp.issparse(a):
        if a.format == "coo":
            return [a.data, a.row, a.col]
        return [a.data, a.indices, a.indptr]
    return [np.asarray(a)]


def snapshot(a):
    """Bitwise copies of the arrays behind a dense or sparse input."""
    return [np.array(x, copy=True) for x in _arrays(a)]


def assert_unchanged(before, a):
    """The arrays behind ``a`` are bit-identical to their ``snapshot``."""
    for old, new in zip(before, _arrays(a)):
        assert old.dtype == new.dtype and old.shape == new.shape
        assert old.tobytes() == np.ascontiguousarray(new).tobytes()


# --------------------------------------------------------------------------
# a fresh interpreter
# --------------------------------------------------------------------------
def run_python(code, timeout=120):
    """Run ``code`` in a fresh interpreter that imports this same fastreg."""
    import fastreg

    root = os.path.dirname(os.path.dirname(os.path.abspath(fastreg.__file__)))
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([root, env.get("PYTHONPATH", "")])
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code)], env=env,
                          capture_output=True, text=True, timeout=timeout, cwd=root)
