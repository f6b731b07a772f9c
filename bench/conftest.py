"""Shared machinery of the fastreg benchmark suite (pytest-benchmark).

- Pins BLAS / OpenMP to one thread: environment variables set here, before any
  numerical library is loaded (best effort: export them in the shell too), and
  ``threadpoolctl.threadpool_limits(1)`` for the whole session, applied after
  every library the suite may call has been imported (a limit only reaches the
  thread pools already loaded).
- Options: ``--bench-size {quick,full}`` (default ``$FASTREG_BENCH_SIZE`` or
  ``quick``) and ``--bench-gap EPS``, the common accuracy target.
- Accuracy: every timed result is certified with the solver-independent
  :func:`fastreg.reference.enet_duality_gap` (Ridge as an Elastic-Net with
  ``l1_ratio=0`` and ``alpha / n``, the same objective divided by ``2 n``), and
  must reach ``gap <= EPS * ||y - mean(y)||^2 / n`` (public units; EPS=1e-6 by
  default). Each solver's own ``tol`` is chosen by :func:`calibrate_tol`: the
  loosest value on a common ladder (1e-4, 10^-4.5, ..., 1e-14) whose result
  reaches the target, so that all solvers are timed at the same accuracy.
"""
import os

_THREAD_VARS = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS",
                "BLIS_NUM_THREADS", "VECLIB_MAXIMUM_THREADS", "NUMEXPR_NUM_THREADS",
                "NUMBA_NUM_THREADS")
for _var in _THREAD_VARS:
    os.environ[_var] = "1"

import importlib  # noqa: E402
import warnings  # noqa: E402

import numpy as np  # noqa: E402
import pytest  # noqa: E402

from bench.implementations import IMPLS, OPTIONAL, available, version  # noqa: E402
from bench.harness import GAP_EPS, assert_gap  # noqa: E402
from bench.problems import SIZES, get_problem  # noqa: E402


def pytest_addoption(parser):
    group = parser.getgroup("fastreg-bench")
    group.addoption("--bench-size", choices=sorted(SIZES),
                    default=os.environ.get("FASTREG_BENCH_SIZE", "quick"),
                    help="Problem size table of bench/problems.py (default: "
                         "$FASTREG_BENCH_SIZE or 'quick').")
    group.addoption("--bench-gap", type=float, default=GAP_EPS,
                    help="Common accuracy target EPS: every result must have an "
                         "independent duality gap <= EPS * ||y_c||^2 / n "
                         f"(default {GAP_EPS:g}).")


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "bench: fastreg benchmark (run with `pytest bench --benchmark-only`)")


def _import_all():
    """Load every library the suite may time, so that their thread pools exist."""
    import scipy.linalg  # noqa: F401
    import scipy.sparse.linalg  # noqa: F401
    import sklearn.linear_model  # noqa: F401

    import fastreg  # noqa: F401
    import fastreg.reference  # noqa: F401
    for name in OPTIONAL:
        if available(name):
            try:
                importlib.import_module(name)
            except Exception as exc:  # noqa: BLE001 - a broken peer is skipped later
                warnings.warn(f"optional peer {name} failed to import: {exc!r}",
                              stacklevel=1)


def _threadpools():
    from threadpoolctl import threadpool_info

    return [dict(api=d.get("internal_api"), prefix=d.get("prefix"),
                 num_threads=d.get("num_threads"), version=d.get("version"))
            for d in threadpool_info()]


@pytest.fixture(scope="session", autouse=True)
def single_thread():
    """BLAS/OpenMP limited to one thread for the whole session (and checked)."""
    from threadpoolctl import threadpool_limits

    _import_all()
    with threadpool_limits(limits=1):
        pools = _threadpools()
        bad = [p for p in pools if p["num_threads"] != 1]
        assert not bad, f"thread pools not pinned to 1 thread: {bad}"
        yield pools


def pytest_benchmark_update_machine_info(config, machine_info):
    """Record what makes two saved runs comparable (or not)."""
    try:
        _import_all()
        machine_info["threadpools"] = _threadpools()
    except Exception as exc:  # noqa: BLE001 - informational only
        machine_info["threadpools"] = repr(exc)
    machine_info["thread_env"] = {v: os.environ.get(v) for v in _THREAD_VARS}
    machine_info["fastreg_bench"] = {
        "size": config.getoption("bench_size"),
        "gap_eps": config.getoption("bench_gap"),
        "versions": {name: version(name) for name in IMPLS
                     if name != "numpy" and available(name)},
        "numpy": np.__version__,
    }


@pytest.fixture(scope="session")
def bench_size(request):
    return request.config.getoption("bench_size")


@pytest.fixture(scope="session")
def gap_eps(request):
    return request.config.getoption("bench_gap")


@pytest.fixture
def problem(request, bench_size):
    """The named problem (``indirect`` parametrization by name) of the chosen size."""
    return get_problem(request.param, bench_size)


@pytest.fixture
def certify(gap_eps):
    """``certify(problem, task, params, result, who)`` -> (gap, target); asserts."""
    def _certify(problem, task, params, result, who=""):
        return assert_gap(problem, task, params, result, gap_eps, who)
    return _certify
