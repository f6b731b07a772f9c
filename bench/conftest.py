"""Shared machinery of the fastreg benchmark suite (pytest-benchmark).

- Pins BLAS / OpenMP to one thread, by the rule of
  :mod:`fastreg.benchmarks.timing`: the thread variables set at conftest
  import, every library the suite may time imported, then
  ``threadpoolctl.threadpool_limits(1)`` for the whole session (the session
  fails if a pool still reports more than one thread).
- Options: ``--bench-size {tiny,quick,full}`` (default ``$FASTREG_BENCH_SIZE``
  or ``quick``) and ``--bench-gap EPS``, the common accuracy target.
- Accuracy: every timed result is certified by :mod:`fastreg.benchmarks.accuracy`
  (the solver-independent :func:`fastreg.reference.enet_duality_gap`,
  ``gap <= EPS * ||y - mean(y)||^2 / n``), each solver's ``tol`` calibrated on
  its ladder first (see ``bench/harness.py``).
"""
import os

from fastreg.benchmarks import timing

timing.pin_threads_env()  # before the peers are imported: numba reads it at import

import warnings  # noqa: E402

import pytest  # noqa: E402

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


def _load_libraries():
    """Load every library the suite may time, so that their thread pools exist."""
    for name, why in timing.load_timed_libraries().items():
        warnings.warn(f"optional peer {name} {why}", stacklevel=1)


@pytest.fixture(scope="session", autouse=True)
def single_thread():
    """BLAS/OpenMP limited to one thread for the whole session (and checked)."""
    from threadpoolctl import threadpool_limits

    _load_libraries()
    with threadpool_limits(limits=1):
        pools = timing.threadpools()
        bad = [p for p in pools if p["num_threads"] != 1]
        assert not bad, f"thread pools not pinned to 1 thread: {bad}"
        yield pools


def pytest_benchmark_update_machine_info(config, machine_info):
    """Record what makes two saved runs comparable (or not)."""
    try:
        _load_libraries()
        machine_info["threadpools"] = timing.threadpools()
        ours = timing.machine_info()
    except Exception as exc:  # noqa: BLE001 - informational only
        machine_info["threadpools"] = repr(exc)
        ours = {}
    machine_info["thread_env"] = {v: os.environ.get(v) for v in timing.THREAD_VARS}
    machine_info["fastreg_bench"] = dict(
        ours, size=config.getoption("bench_size"), gap_eps=config.getoption("bench_gap"))


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
