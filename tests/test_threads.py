"""The kernels release the GIL: concurrent fits must not interfere.

Fits run from two threads at once must be bit-identical to the same fits run
one after another (any shared state in the kernels, or a race on the
estimator's inputs, would show up as a difference).
"""
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest
import scipy.sparse as sp

from fastreg import ElasticNet, Lasso, LassoCV


def _problems(seed=0, n=120, p=300):
    rng = np.random.default_rng(seed)
    out = []
    for k in range(4):
        X = rng.standard_normal((n, p))
        X[rng.random((n, p)) < 0.6] = 0.0
        y = X[:, :10] @ rng.standard_normal(10) + 0.1 * rng.standard_normal(n)
        out.append((sp.csc_matrix(X) if k % 2 else np.asfortranarray(X), y))
    return out


def _fit(args):
    (X, y), est = args
    return est.fit(X, y).coef_.copy()


@pytest.mark.parametrize("Est", [Lasso, ElasticNet])
def test_threaded_fits_equal_sequential(Est):
    jobs = [(prob, Est(alpha=0.01, tol=1e-10, max_iter=5000, selection="random",
                       random_state=k)) for k, prob in enumerate(_problems())]
    sequential = [_fit(job) for job in jobs]
    with ThreadPoolExecutor(max_workers=2) as pool:
        threaded = list(pool.map(_fit, jobs))
    for a, b in zip(sequential, threaded):
        assert np.array_equal(a, b)
        assert np.count_nonzero(a) > 0


def _blas_threads():
    threadpoolctl = pytest.importorskip("threadpoolctl")
    return [lib["num_threads"] for lib in threadpoolctl.threadpool_info()
            if lib["user_api"] == "blas"]


def _spy_blas_threads(monkeypatch, module, name):
    """Replace ``module.name`` by a wrapper recording the BLAS thread counts
    at each call; returns the list of records."""
    seen = []
    original = getattr(module, name)

    def spying(*args, **kw):
        seen.append(_blas_threads())
        return original(*args, **kw)

    monkeypatch.setattr(module, name, spying)
    return seen


def test_blas_single_threaded_inside_kernels_and_restored_after(monkeypatch):
    """Level-1 BLAS inside the kernels must not be split across threads (the
    thread hand-offs cost more than the work); the user's setting comes back."""
    import fastreg._enet_solver as cd

    seen = _spy_blas_threads(monkeypatch, cd, "enet_cd_dense")
    X, y = _problems()[0]
    before = _blas_threads()
    Lasso(alpha=0.01).fit(X, y)
    LassoCV(cv=4, n_jobs=2, alphas=5).fit(X, y)  # folds on threads
    assert len(seen) >= 1 + 4 * 5 + 1
    assert all(n == 1 for counts in seen for n in counts), seen
    assert _blas_threads() == before


def test_blas_single_threaded_in_the_working_set_loop(monkeypatch):
    """The working-set loop's own products (X^T R, the subproblems' small Gram
    matrices) run single-threaded too: on 2 busy cores, threads woken for each
    of them made a 500 x 1000 Elastic-Net 5x slower."""
    import fastreg._enet_solver as cd
    from fastreg._preprocess import Design

    seen = _spy_blas_threads(monkeypatch, Design, "restrict")
    monkeypatch.setattr(cd, "WS_MIN_ENTRIES", 0)
    rng = np.random.default_rng(0)
    X = rng.standard_normal((100, 800))
    y = X[:, :5] @ np.ones(5) + 0.1 * rng.standard_normal(100)
    before = _blas_threads()
    Lasso(alpha=0.01).fit(X, y)
    assert seen, "the working-set route was not taken"
    assert all(n == 1 for counts in seen for n in counts), seen
    assert _blas_threads() == before
