"""Ctrl-C during long fits: the kernels' interrupt check
(``fastreg._kernels._interrupt``) and the driver helper that carries it
across threads (``fastreg._interruptible``).

The signal tests run a long fit in a subprocess, send it SIGINT once the fit
has started, and require KeyboardInterrupt within a second, a clean exit and
an estimator left unfitted. The stop-request tests run each kernel in a worker
thread, where no signal arrives, in-process.
"""
import signal
import subprocess
import sys
import textwrap
import threading
import time

import numpy as np
import pytest
import scipy.sparse as sp

from fastreg._interruptible import run_thread_jobs
from fastreg._kernels._cd_dense import enet_cd_dense
from fastreg._kernels._cd_gram import enet_cd_gram
from fastreg._kernels._cd_multi_task import mt_cd_dense, mt_cd_gram, mt_cd_sparse
from fastreg._kernels._cd_sparse import enet_cd_sparse
from fastreg._kernels._interrupt import release_stop, request_stop, stop_requested
from fastreg._kernels._sparse_normal import normal_matvec

posix_signals = pytest.mark.skipif(sys.platform == "win32",
                                   reason="SIGINT to a subprocess is POSIX-only")

# A correlated design on which a tight Lasso runs far longer than the test.
_SETUP = """
import numpy as np, scipy.sparse as sp
import fastreg
rng = np.random.default_rng(0)
n, p = {n}, {p}
Z = rng.standard_normal((n, p))
X = Z + 0.9 * np.roll(Z, 1, axis=1)
y = X[:, :50] @ rng.standard_normal(50) + rng.standard_normal(n)
alpha_max = np.abs(X.T @ (y - y.mean())).max() / n
"""

_FITS = {
    "dense Lasso": ("1000, 3000", "est = fastreg.Lasso(alpha=alpha_max * 1e-4, tol=1e-16, "
                    "max_iter=10**7)\nrun = lambda: est.fit(X, y)"),
    "sparse Lasso": ("1000, 3000", "X = sp.csc_matrix(np.where(np.abs(X) > 1.0, X, 0.0))\n"
                     "est = fastreg.Lasso(alpha=alpha_max * 1e-5, tol=1e-16, max_iter=10**7)\n"
                     "run = lambda: est.fit(X, y)"),
    "lasso_path": ("1000, 3000", "est = None\nrun = lambda: fastreg.lasso_path(X, y, eps=1e-5, "
                   "n_alphas=20, tol=1e-16, max_iter=10**6)"),
    "LassoCV threads": ("1000, 3000", "est = fastreg.LassoCV(alphas=5, eps=1e-5, tol=1e-16, "
                        "max_iter=10**6, cv=3, n_jobs=2)\nrun = lambda: est.fit(X, y)"),
}


def _script(sizes, body):
    n, p = sizes.split(", ")
    return textwrap.dedent(_SETUP.format(n=n, p=p)) + body + textwrap.dedent("""
        import time
        print("started", flush=True)
        try:
            run()
        except KeyboardInterrupt:
            caught = time.monotonic()
            cpu = time.process_time()
            time.sleep(0.5)  # nothing left computing: no CPU time spent meanwhile
            print("interrupted", caught, est is not None and hasattr(est, "coef_"),
                  time.process_time() - cpu, flush=True)
            raise
        print("finished", flush=True)
        """)


@posix_signals
@pytest.mark.parametrize("case", list(_FITS))
def test_sigint_stops_a_long_fit(case):
    proc = subprocess.Popen([sys.executable, "-c", _script(*_FITS[case])],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert proc.stdout.readline().strip() == "started"
        time.sleep(1.0)  # well inside the fit, which runs for much longer
        sent = time.monotonic()
        proc.send_signal(signal.SIGINT)
        words = proc.stdout.readline().split()
        out, err = proc.communicate(timeout=10)
    finally:
        proc.kill()
        proc.wait()
    assert words and words[0] == "interrupted", (out, err)
    # CLOCK_MONOTONIC is system-wide: the two processes' readings compare.
    assert float(words[1]) - sent < 1.0
    assert words[2] == "False"  # the estimator is left unfitted
    assert float(words[3]) < 0.2  # no fold thread still at work
    # Python's exit status after an uncaught KeyboardInterrupt: killed by SIGINT.
    assert proc.returncode == -signal.SIGINT
    assert err.rstrip().endswith("KeyboardInterrupt")


def _problems(rng):
    """One long call of each kernel (tol < 0: no gap ever meets it)."""
    n, p = 400, 300
    X = np.asfortranarray(rng.standard_normal((n, p)))
    y = rng.standard_normal(n)
    l1 = 0.01 * np.abs(X.T @ y).max()
    Xs = sp.csc_matrix(np.where(np.abs(X) > 1, X, 0.0))
    Xr = sp.csr_matrix(rng.standard_normal((2000, 2000)))  # one product spends 2^22
    G = np.asfortranarray(X.T @ X)
    v = rng.standard_normal(2000)
    args = (l1, 0.0, 10**6, -1.0, 0, False, False)
    Y = np.ascontiguousarray(rng.standard_normal((n, 3)))
    args_mt = (l1, 0.0, 10**6, -1.0, 0, False)
    return {
        "dense": lambda: enet_cd_dense(X, y, np.zeros(p), *args),
        "sparse": lambda: enet_cd_sparse(Xs.data, Xs.indices, Xs.indptr, np.zeros(p),
                                         np.ones(n), y, np.zeros(p), *args),
        "gram": lambda: enet_cd_gram(G, X.T @ y, float(y @ y), np.zeros(p), *args),
        "multi_task_dense": lambda: mt_cd_dense(X, Y, np.zeros((p, 3)), *args_mt),
        "multi_task_sparse": lambda: mt_cd_sparse(
            Xs.data, Xs.indices, Xs.indptr, np.zeros(p), np.ones(n),
            np.asarray(Xs.multiply(Xs).sum(axis=0)).ravel(),
            np.asarray(Xs.sum(axis=0)).ravel(), Y, np.zeros((p, 3)), *args_mt),
        "multi_task_gram": lambda: mt_cd_gram(G, np.ascontiguousarray(X.T @ Y),
                                              float(np.sum(Y * Y)), np.zeros((p, 3)),
                                              *args_mt),
        "normal_matvec": lambda: normal_matvec(Xr.data, Xr.indices, Xr.indptr,
                                               np.zeros(2000), np.ones(2000), False, 1.0,
                                               v, np.empty(2000)),
    }


def _in_thread(function):
    """Run ``function`` in a new thread; its exception (or None) and seconds."""
    box = {}

    def work():
        start = time.perf_counter()
        try:
            function()
            box["error"] = None
        except BaseException as exc:
            box["error"] = exc
        box["seconds"] = time.perf_counter() - start

    thread = threading.Thread(target=work)
    thread.start()
    thread.join(30)
    assert not thread.is_alive()
    return box["error"], box["seconds"]


@pytest.mark.parametrize("kernel", ["dense", "sparse", "gram", "multi_task_dense",
                                    "multi_task_sparse", "multi_task_gram",
                                    "normal_matvec"])
def test_stop_request_stops_kernels_in_worker_threads(kernel):
    call = _problems(np.random.default_rng(0))[kernel]
    request_stop()
    try:
        assert stop_requested()
        error, seconds = _in_thread(call)
    finally:
        release_stop()
    assert isinstance(error, KeyboardInterrupt)
    assert seconds < 1.0
    assert not stop_requested()


def test_stop_request_spares_the_main_thread_and_released_kernels():
    rng = np.random.default_rng(1)
    X = np.asfortranarray(rng.standard_normal((50, 20)))
    y = rng.standard_normal(50)
    l1 = 0.1 * np.abs(X.T @ y).max()
    expected = np.zeros(20)
    gap, tol_scaled, _, converged = enet_cd_dense(X, y, expected, l1, 0.0, 1000, 1e-10, 0,
                                                  False, False)
    assert converged and gap <= tol_scaled
    request_stop()
    try:  # the main thread sees signals, not the stop request
        w = np.zeros(20)
        assert enet_cd_dense(X, y, w, l1, 0.0, 1000, 1e-10, 0, False, False)[3]
        np.testing.assert_array_equal(w, expected)
    finally:
        release_stop()
    w = np.zeros(20)  # released: a worker thread runs to the same answer
    error, _ = _in_thread(lambda: enet_cd_dense(X, y, w, l1, 0.0, 1000, 1e-10, 0,
                                                False, False))
    assert error is None
    np.testing.assert_array_equal(w, expected)


def test_run_thread_jobs_returns_results_in_order():
    from joblib import delayed
    assert run_thread_jobs((delayed(pow)(k, 2) for k in range(7)), n_jobs=2) == [
        k ** 2 for k in range(7)]


def test_run_thread_jobs_runs_on_threads_under_a_process_backend():
    """A caller's joblib backend context (loky: processes) does not move the
    jobs off threads: they need the caller's memory and the stop request."""
    import joblib
    from joblib import delayed

    from fastreg._interruptible import run_thread_jobs

    main = threading.get_ident()
    with joblib.parallel_backend("loky"):
        out = run_thread_jobs((delayed(threading.get_ident)() for _ in range(4)), 2)
    assert len(out) == 4 and all(isinstance(t, int) for t in out)
    assert any(t != main for t in out)  # on worker threads of this process
