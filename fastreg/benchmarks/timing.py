"""How the benchmarks time a call, and what they record about the machine.

Every benchmark of fastreg (the pytest-benchmark suite of ``bench/``,
``python -m fastreg bench``, the target table of
:mod:`fastreg.benchmarks.targets` and the scripts of ``bench/``) times one full
call from the raw ``(X, y)``, with BLAS and OpenMP on **one thread**:

1. :func:`pin_threads_env` sets the thread variables of :data:`THREAD_VARS` to
   1, before the optional peers are imported (numba reads
   ``NUMBA_NUM_THREADS`` when it is imported) and for any subprocess;
2. :func:`load_timed_libraries` imports every library that may be timed, so
   that their thread pools are loaded;
3. ``threadpoolctl.threadpool_limits(1)`` then limits those pools (a limit
   reaches only the pools already loaded), and :func:`threadpools` reports
   them (the suite fails when one still has more than one thread).

:func:`measure` runs a call once and returns its CPU time
(``time.process_time``: with one thread, the work done, little disturbed by
other processes) and its wall time. :func:`best_of` is the rule of the target
table (best CPU time of at least 3 fresh calls); :func:`rounds_for` sizes the
rounds of the suite and of ``fastreg bench``, which report medians.
:func:`machine_info` is what makes two runs comparable.
"""
import gc
import importlib
import os
import platform
import signal
import subprocess
import time
import warnings
from dataclasses import dataclass
from pathlib import Path

__all__ = ["THREAD_VARS", "pin_threads_env", "load_timed_libraries", "threadpools",
           "RunCapped", "Measurement", "measure", "best_of", "rounds_for", "SLOW_CALL",
           "machine_info", "VERSION_PACKAGES"]

#: Environment variables that set the number of BLAS / OpenMP / numba threads.
THREAD_VARS = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS",
               "BLIS_NUM_THREADS", "VECLIB_MAXIMUM_THREADS", "NUMEXPR_NUM_THREADS",
               "NUMBA_NUM_THREADS")
#: The optional peers, imported (when installed) so that their pools are loaded.
OPTIONAL_PEERS = ("celer", "skglm")
#: Packages whose versions are recorded, in the order they are printed.
VERSION_PACKAGES = ("fastreg", "numpy", "scipy", "sklearn", "celer", "skglm", "numba")
#: Calls slower than this (seconds) are repeated fewer times (see :func:`rounds_for`).
SLOW_CALL = 1.0


def pin_threads_env():
    """Set every variable of :data:`THREAD_VARS` to 1 (for libraries loaded from now on)."""
    for var in THREAD_VARS:
        os.environ[var] = "1"


def load_timed_libraries():
    """Import every library the benchmarks may time; return ``{peer: reason}`` for the
    optional peers that are installed but fail to import (a broken peer is skipped)."""
    import scipy.linalg  # noqa: F401
    import scipy.sparse.linalg  # noqa: F401
    import sklearn.linear_model  # noqa: F401

    import fastreg  # noqa: F401
    import fastreg.reference  # noqa: F401
    from .implementations import import_error

    broken = {}
    for name in OPTIONAL_PEERS:
        why = import_error(name)
        if why is not None and not why.startswith("not installed"):
            broken[name] = why
    return broken


def threadpools():
    """The loaded BLAS / OpenMP thread pools: ``api``, ``prefix``, ``version``,
    ``num_threads``."""
    from threadpoolctl import threadpool_info

    return [dict(api=d.get("internal_api"), prefix=d.get("prefix"),
                 version=d.get("version"), num_threads=d.get("num_threads"))
            for d in threadpool_info()]


class RunCapped(Exception):
    """A call ran longer than its wall-clock cap (see :func:`measure`)."""


def _on_alarm(signum, frame):
    raise RunCapped()


@dataclass
class Measurement:
    """One call: what it returned, its CPU and wall seconds, the warnings it raised."""

    result: object
    cpu: float
    wall: float
    warnings: list


def measure(fn, cap=0.0, collect=True):
    """Run ``fn()`` once and time it.

    ``collect``: a garbage collection first, so that no collection of earlier
    garbage lands inside the timed call. ``cap`` > 0: wall seconds after which
    the call is abandoned with :class:`RunCapped` (a ``SIGALRM``, delivered when
    control returns to Python: between the alphas of a path, or after a
    compiled solve; main thread only). Warnings are recorded, not shown, as
    ``"Category: first line"``.
    """
    if collect:
        gc.collect()
    if cap > 0:
        signal.signal(signal.SIGALRM, _on_alarm)
        signal.setitimer(signal.ITIMER_REAL, cap)
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            c0, t0 = time.process_time(), time.perf_counter()
            out = fn()
            cpu, wall = time.process_time() - c0, time.perf_counter() - t0
    finally:
        if cap > 0:
            signal.setitimer(signal.ITIMER_REAL, 0)
    seen = sorted({f"{w.category.__name__}: {str(w.message).splitlines()[0][:120]}"
                   for w in caught})
    return Measurement(out, cpu, wall, seen)


def best_of(fn, first_cpu, budget, long_cap, cap=0.0, min_runs=3, max_runs=20):
    """Fresh timed calls of ``fn`` for a best-of CPU time; returns the measurements.

    ``first_cpu`` (the CPU seconds of an earlier call, e.g. its certification run)
    sizes the loop: at least ``min_runs`` calls while they fit in ``long_cap``
    seconds together, then more while they fit in ``budget``, at most
    ``max_runs``. A call too long for even one run returns an empty list (the
    earlier call then stands in), and so does a call stopped by ``cap``. Only the
    last call keeps its ``result`` (results can be large).
    """
    runs = []
    while len(runs) < max_runs:
        spent = sum(m.cpu for m in runs)
        nxt = min(m.cpu for m in runs) if runs else first_cpu
        if spent + nxt > (long_cap if len(runs) < min_runs else budget):
            break
        try:
            m = measure(fn, cap=cap)
        except RunCapped:
            break
        if runs:
            runs[-1].result = None
        runs.append(m)
    return runs


def rounds_for(seconds, max_time, min_rounds, max_rounds, slow_min_rounds=None):
    """Rounds of a median timing: as many as fit in ``max_time`` for a call of
    ``seconds``, clipped to ``[min_rounds, max_rounds]``; calls slower than
    :data:`SLOW_CALL` get at least ``slow_min_rounds`` instead (when given), so
    that a slow case does not take minutes."""
    least = min_rounds
    if slow_min_rounds is not None and seconds >= SLOW_CALL:
        least = min(min_rounds, slow_min_rounds)
    return int(min(max_rounds, max(least, max_time // max(seconds, 1e-6))))


# ---------------------------------------------------------------------------
# machine
# ---------------------------------------------------------------------------

def _cpu_model():
    try:
        with open("/proc/cpuinfo") as fh:
            for line in fh:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _version(name):
    try:
        return str(importlib.import_module(name).__version__)
    except Exception:  # noqa: BLE001 - informational only: absent or broken
        return None


def _git():
    """Commit of the fastreg checkout being timed (None when not a checkout)."""
    root = Path(__file__).resolve().parents[2]
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=root,
                              capture_output=True, text=True, timeout=10)
        if head.returncode != 0:
            return None
        dirty = subprocess.run(["git", "status", "--porcelain", "--", "fastreg"], cwd=root,
                               capture_output=True, text=True, timeout=10).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return None
    return head.stdout.strip() + (" (fastreg/ has uncommitted changes)" if dirty else "")


def machine_info():
    """What makes two runs comparable: CPU, memory, OS, versions, thread pools, commit.

    ``versions`` maps each package of :data:`VERSION_PACKAGES` to its version
    (None when it is not installed); ``threadpools`` is :func:`threadpools`.
    """
    import numpy as np
    import scipy

    info = dict(cpu=_cpu_model(), cpu_count=os.cpu_count(), platform=platform.platform(),
                python=platform.python_version(), numpy=np.__version__,
                scipy=scipy.__version__,
                versions={name: _version(name) for name in VERSION_PACKAGES},
                thread_env={v: os.environ.get(v) for v in THREAD_VARS},
                threadpools=threadpools(), git=_git())
    try:
        info["affinity"] = len(os.sched_getaffinity(0))
    except (OSError, AttributeError):  # pragma: no cover - not on every platform
        pass
    try:
        info["load_average"] = [round(v, 2) for v in os.getloadavg()]
    except OSError:  # pragma: no cover
        pass
    try:
        with open("/proc/meminfo") as fh:
            info["mem_total_gb"] = round(int(fh.readline().split()[1]) / 2 ** 20, 1)
    except (OSError, ValueError, IndexError):
        pass
    return info
