"""Throughput of concurrent fits: the kernels release the GIL.

Four independent Lasso fits (long enough that thread start-up does not
count), timed run one after another and on a 2-thread ``ThreadPoolExecutor``; BLAS is pinned to one
thread (threadpoolctl), so that any speed-up comes from fastreg's own threads.
``extra_info`` of the ``threads`` test holds ``throughput_ratio`` =
median(sequential) / median(threads): 2.0 is perfect scaling on two free
cores, 1.0 would mean that the fits serialise on the GIL. ``machine_ceiling_ratio``
is the same ratio for a reference workload that releases the GIL (hashlib):
on a shared machine, where the second core is busy, it caps fastreg's ratio.

    python -m pytest bench/test_bench_threads.py --benchmark-only
    python -m pytest bench/test_bench_threads.py --benchmark-disable   # smoke run

Not part of the default test run (``testpaths = ["tests"]``).
"""
import functools
import os
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest
import scipy.sparse as sp
from threadpoolctl import threadpool_limits

from fastreg import Lasso
from fastreg.benchmarks.timing import measure
from fastreg.reference import alpha_max

pytestmark = pytest.mark.bench

N_FITS = 4
N_THREADS = 2
TOL = 1e-8
ROUNDS = 5
#: alpha = alpha_max / DIVISOR: small enough that each fit takes a few tenths of a
#: second (bench/README.md), so that the ratio measures the fits, not the pool.
DIVISOR = {"dense": 200, "sparse": 150}


@functools.lru_cache(maxsize=None)
def jobs(kind):
    """N_FITS independent problems (one seed each) with their alpha."""
    out = []
    for k in range(N_FITS):
        rng = np.random.default_rng(100 + k)
        if kind == "dense":  # 3000 x 1500, neighbouring columns correlated
            X = rng.standard_normal((3000, 1500))
            X[:, 1:] += 0.7 * X[:, :-1]
            X = np.asfortranarray(X)
            y = X[:, :20] @ rng.standard_normal(20) + rng.standard_normal(3000)
        else:  # 20000 x 20000 CSC, density 0.003 (1.2M non-zeros)
            X = sp.random(20000, 20000, density=0.003, format="csc", random_state=k,
                          data_rvs=rng.standard_normal)
            y = np.asarray(X[:, :50] @ rng.standard_normal(50)).ravel()
            y += 0.5 * rng.standard_normal(20000)
        out.append((X, y, alpha_max(X, y) / DIVISOR[kind]))
    return tuple(out)


def fit(job):
    X, y, alpha = job
    return Lasso(alpha=alpha, tol=TOL, max_iter=5000).fit(X, y).coef_


def sequential(batch):
    return [fit(job) for job in batch]


def threaded(batch):
    with ThreadPoolExecutor(max_workers=N_THREADS) as pool:
        return list(pool.map(fit, batch))


def balanced(batch):
    """The jobs longest first (their untimed warm-up fits tell), and their answers.

    The fits differ in cost; in their original order two workers could end far
    apart, and the ratio would measure that imbalance rather than the threads.
    Longest-first keeps both workers busy to the end.
    """
    timed = []
    for job in batch:
        m = measure(lambda: fit(job), collect=False)
        timed.append((m.wall, job, m.result))
    timed.sort(key=lambda t: -t[0])
    return tuple(t[1] for t in timed), [t[2] for t in timed]


RUNNERS = {"sequential": sequential, "threads": threaded}
_MEDIANS = {}


@functools.lru_cache(maxsize=None)
def machine_ceiling():
    """The same sequential/threads ratio for a reference workload that releases
    the GIL (hashlib over large buffers): what the machine allows right now.
    On a shared machine a busy second core caps every ratio, fastreg's too."""
    import hashlib

    def work(_):
        h = hashlib.sha256()
        for _ in range(1500):
            h.update(b"x" * 100_000)
        return h.hexdigest()

    def timed(run):
        return measure(run, collect=False).wall

    seq = min(timed(lambda: [work(k) for k in range(N_FITS)]) for _ in range(3))
    with ThreadPoolExecutor(max_workers=N_THREADS) as pool:
        thr = min(timed(lambda: list(pool.map(work, range(N_FITS)))) for _ in range(3))
    return seq / thr


def _median_seconds(benchmark, run, batch):
    """The benchmark's median, or (benchmark disabled) a direct measurement."""
    stats = getattr(benchmark, "stats", None)
    if stats is not None:
        return stats.stats.median
    return float(np.median([measure(lambda: run(batch), collect=False).wall
                            for _ in range(ROUNDS)]))


@pytest.mark.parametrize("kind,mode", [("dense", "sequential"), ("dense", "threads"),
                                       ("sparse", "sequential"), ("sparse", "threads")])
def test_fits_throughput(benchmark, kind, mode):
    run = RUNNERS[mode]
    benchmark.group = f"{N_FITS} Lasso fits, {kind}"
    with threadpool_limits(limits=1):
        batch, expected = balanced(jobs(kind))  # untimed: warm-up, reference answers
        result = benchmark.pedantic(run, args=(batch,), rounds=ROUNDS, iterations=1)
        # threads change the speed, never the answer
        for a, b in zip(expected, result):
            assert np.array_equal(a, b)
        median = _median_seconds(benchmark, run, batch)
        _MEDIANS[(kind, mode)] = median
        info = dict(kind=kind, mode=mode, n_fits=N_FITS, n_threads=N_THREADS,
                    cpu_count=os.cpu_count(), blas_threads=1, tol=TOL,
                    shape=list(batch[0][0].shape), median_s=median)
        if mode == "threads":
            seq = _MEDIANS.get((kind, "sequential"))
            if seq is None:  # run alone (-k): measure the baseline here
                seq = _median_seconds(None, sequential, batch)
            ceiling = machine_ceiling()
            info.update(sequential_median_s=seq, throughput_ratio=seq / median,
                        ideal_ratio=min(N_THREADS, os.cpu_count() or 1),
                        machine_ceiling_ratio=ceiling)
            print(f"\n{kind}: sequential {seq:.3f} s, {N_THREADS} threads {median:.3f} s, "
                  f"throughput x{seq / median:.2f} (a GIL-free reference workload: "
                  f"x{ceiling:.2f} on this machine now)")
    benchmark.extra_info.update(info)
