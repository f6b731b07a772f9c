"""Run the benchmark suite without pytest: what ``python -m fastreg bench`` drives.

The problems, tasks, implementations and the accuracy rule are those of the
pytest-benchmark suite in ``bench/`` (both import them from this package), so
the two measure the same thing:

1. every (task, problem, implementation) case first calibrates the
   implementation's ``tol`` (:func:`fastreg.benchmarks.accuracy.calibrate_tol`),
2. then makes one untimed warm-up call, which also sizes the run,
3. then times one full ``fit`` per round, as many rounds as fit in
   ``max_time`` (between ``min_rounds`` and ``max_rounds``), BLAS and OpenMP
   pinned to one thread,
4. and certifies the last result again with the independent duality gap.

Regularisation paths (``enet_path`` / ``lasso_path`` on a grid of ``n_alphas``
values from ``alpha_max`` down to ``path_eps * alpha_max``) are timed the same
way, certified by their worst gap along the grid.

:func:`run` returns a plain, JSON-ready dict (the ``results.json`` of the
command); :mod:`fastreg.benchmarks.report` renders it.
"""
import datetime
import time
from dataclasses import asdict, dataclass

import numpy as np

from . import accuracy
from .implementations import IMPLS, PATH_IMPLS, applicable, import_error, iterative
from .problems import SIZES, TASKS, get_problem, params_for, path_grid
from .real_data import REAL_DATASETS, available_datasets, load_real
from .timing import load_timed_libraries, machine_info, measure, rounds_for

__all__ = ["Config", "preset", "run", "SCHEMA", "machine_info"]

#: Version of the layout of the results dict (bump on incompatible changes).
SCHEMA = 1
#: Implementations in report order; fastreg is the baseline of every ratio.
ORDER = ("fastreg", "reference", "sklearn", "celer", "skglm", "numpy")
#: The peers a user may pick (fastreg and the reference always run).
PEERS = ("sklearn", "celer", "skglm", "numpy")
#: The path implementations of the report (celer's and skglm's are timed by the
#: target table, :mod:`fastreg.benchmarks.targets`).
PATH_ORDER = ("fastreg", "reference", "sklearn")


@dataclass(frozen=True)
class Config:
    """Everything that defines a benchmark run (stored in ``results.json``).

    Parameters
    ----------
    size : {'tiny', 'quick', 'full'}
        Size table of :data:`fastreg.benchmarks.problems.SIZES`.
    peers : tuple of str
        Peers to compare with, among :data:`PEERS`; the ones not installed are
        skipped with a note.
    gap_eps : float
        Common accuracy: independent gap ``<= gap_eps * ||y_c||^2 / n``.
    max_time, min_rounds, max_rounds : float, int, int
        Timed rounds of one case: as many as fit in ``max_time`` seconds,
        clipped to ``[min_rounds, max_rounds]`` (the least is 3 instead of
        ``min_rounds`` for calls slower than
        :data:`fastreg.benchmarks.timing.SLOW_CALL`; see
        :func:`fastreg.benchmarks.timing.rounds_for`).
    timer : {'wall', 'cpu'}
        ``time.perf_counter`` or ``time.process_time`` (less disturbed by
        other processes on a busy machine; the solvers run on one thread).
    data_dir : str or None
        Folder of real datasets (see :mod:`fastreg.benchmarks.real_data`).
    datasets : tuple of str or None
        Real datasets to run (None: every known one present in ``data_dir``).
    quick_datasets : bool
        Only the datasets marked ``quick`` (when ``datasets`` is None).
    path_problems, path_n_alphas, path_eps : tuple, tuple, float
        Lasso paths timed against the number of alphas.
    path_reference : bool
        Also time the pure-Python reference path (slow: seconds per path).
    calibration_budget : float
        Seconds after which the calibration of one case gives up (the case is
        then reported as failed); it also gives up when the gap stalls.
    """

    size: str = "quick"
    peers: tuple = PEERS
    gap_eps: float = accuracy.GAP_EPS
    max_time: float = 1.0
    min_rounds: int = 5
    max_rounds: int = 200
    timer: str = "wall"
    data_dir: str = None
    datasets: tuple = None
    quick_datasets: bool = False
    path_problems: tuple = ("corr_small",)
    path_n_alphas: tuple = (10, 20, 50, 100, 200)
    path_eps: float = 1e-3
    path_reference: bool = True
    calibration_budget: float = 60.0


def preset(quick=False, size="quick", **overrides):
    """The configuration of ``bench`` (``quick=False``) or ``bench --quick``.

    ``--quick``: short timing budgets, three path lengths, no reference path,
    the quick real datasets only.
    """
    if quick:
        base = dict(max_time=0.1, min_rounds=3, path_n_alphas=(10, 30, 100),
                    path_reference=False, quick_datasets=True, calibration_budget=10.0)
    else:
        base = {}
    if size == "tiny":
        base.update(path_n_alphas=(5, 10), max_rounds=5)
    base.update(size=size)
    base.update({k: v for k, v in overrides.items() if v is not None})
    return Config(**base)


def _peer_status(config):
    """``(implementations to run, notes on the peers skipped)``."""
    run, skipped = ["fastreg", "reference"], []
    for name in config.peers:
        why = import_error(name)
        if why == "not installed":
            why = f"not installed (pip install {name}, or the extra fastreg[peers])"
        if why is not None:
            skipped.append(dict(impl=name, reason=why))
            continue
        run.append(name)
    return [name for name in ORDER if name in run], skipped


# ---------------------------------------------------------------------------
# one case
# ---------------------------------------------------------------------------

def _timed(fn, config):
    """Warm-up call, then the timed rounds. Returns ``(seconds per round, last output)``."""
    def seconds(m):
        return m.cpu if config.timer == "cpu" else m.wall

    # no garbage collection between rounds: hundreds of sub-millisecond rounds
    # would spend more time collecting than solving
    rounds = rounds_for(seconds(measure(fn, collect=False)), config.max_time,
                        config.min_rounds, config.max_rounds, slow_min_rounds=3)
    times, out = [], None
    for _ in range(rounds):
        m = measure(fn, collect=False)
        times.append(seconds(m))
        out = m.result
    return times, out


def _stats(times):
    return dict(times=times, rounds=len(times), median=float(np.median(times)),
                min=float(np.min(times)))


def _problem_fields(problem, source):
    d = problem.description
    return dict(problem=problem.name, source=source, n=int(d["n"]), p=int(d["p"]),
                density=float(d["density"]), nnz=int(d["nnz"]), dtype=d["dtype"],
                format=d["format"])


def _fit_case(problem, source, task, impl, config):
    model = TASKS[task].model
    params = params_for(task, problem)
    fit_impl = IMPLS[impl][0]
    X, y = problem.X, problem.y
    row = dict(kind="fit", task=task, impl=impl, **_problem_fields(problem, source),
               alpha=params["alpha"], l1_ratio=params["l1_ratio"])

    def fit(tol):
        return fit_impl(X, y, model, params["alpha"], params["l1_ratio"], tol)

    try:
        tol, _, _, _ = accuracy.calibrate_tol(fit, problem, task, params, config.gap_eps,
                                              iterative=iterative(impl, model),
                                              budget=config.calibration_budget)
        times, (coef, intercept, info) = _timed(lambda: fit(tol), config)
    except Exception as exc:  # noqa: BLE001 - one failing solver must not stop the run
        return dict(row, status="failed", error=f"{type(exc).__name__}: {exc}")
    gap = accuracy.independent_gap(problem, task, params, coef, intercept)
    scale = accuracy.gap_scale(problem)
    target = config.gap_eps * scale
    row.update(_stats(times), tol=tol, gap=gap, gap_rel=gap / scale, gap_target=target,
               n_iter=info.get("n_iter"), solver=info.get("solver"),
               coef_nnz=int(np.count_nonzero(coef)))
    if gap > target:
        return dict(row, status="failed",
                    error=f"timed result missed the common gap: {gap:.3e} > {target:.3e}")
    return dict(row, status="ok")


def _path_case(problem, source, impl, n_alphas, config):
    X, y = problem.X, problem.y
    alphas = path_grid(X, y, n_alphas, config.path_eps)
    path = PATH_IMPLS[impl][0]
    row = dict(kind="path", task="lasso_path", impl=impl, **_problem_fields(problem, source),
               n_alphas=int(n_alphas), eps=config.path_eps, l1_ratio=1.0)

    def run_path(tol):
        return path(X, y, alphas, 1.0, tol)

    try:
        tol, _, _, _ = accuracy.calibrate_path_tol(
            run_path, X, y, alphas, config.gap_eps,
            what=f"{problem.name}/lasso_path({n_alphas})", budget=config.calibration_budget)
        times, (coefs, _) = _timed(lambda: run_path(tol), config)
    except Exception as exc:  # noqa: BLE001
        return dict(row, status="failed", error=f"{type(exc).__name__}: {exc}")
    gap = accuracy.path_worst_gap(X, y, alphas, coefs)
    scale = accuracy.path_gap_scale(y)
    row.update(_stats(times), tol=tol, gap=gap, gap_rel=gap / scale,
               gap_target=config.gap_eps * scale)
    ok = gap <= config.gap_eps * scale
    return dict(row, status="ok" if ok else "failed",
                **({} if ok else {"error": "timed path missed the common gap"}))


# ---------------------------------------------------------------------------
# the run
# ---------------------------------------------------------------------------

def _problems(config):
    """``[(problem, source, tasks)]``: the size table, then the real datasets."""
    out = [(get_problem(name, config.size), "synthetic", tuple(TASKS))
           for name in SIZES[config.size]]
    names = config.datasets
    if config.data_dir is not None:
        if names is None:
            names = available_datasets(config.data_dir, quick=config.quick_datasets)
        for name in names:
            tasks = REAL_DATASETS[name].tasks if name in REAL_DATASETS else tuple(TASKS)
            out.append((load_real(config.data_dir, name), "real", tasks))
    return out


def plan(config):
    """The cases of a run, in order: ``[(kind, problem, source, task or n_alphas, impl)]``,
    and the notes on the skipped peers."""
    impls, skipped = _peer_status(config)
    problems = _problems(config)
    cases = []
    for problem, source, tasks in problems:
        for task in tasks:
            for impl in impls:
                if applicable(impl, problem, TASKS[task].model):
                    cases.append(("fit", problem, source, task, impl))
    by_name = {p.name: p for p, source, _ in problems if source == "synthetic"}
    for name in config.path_problems:
        if name not in by_name:
            continue
        for n_alphas in config.path_n_alphas:
            for impl in PATH_ORDER:
                if impl == "reference" and not (config.path_reference
                                                and by_name[name].reference_cd):
                    continue
                if impl != "reference" and impl not in impls:
                    continue
                cases.append(("path", by_name[name], "synthetic", n_alphas, impl))
    return cases, skipped


def run(config, progress=None, command=None):
    """Run every case of ``config``; return the results dict.

    Parameters
    ----------
    config : Config
    progress : callable, default=None
        ``progress(done, total, label)``, called before each case and once at the end.
    command : str, default=None
        The command line, recorded in the results.

    Returns
    -------
    results : dict
        ``schema``, ``created``, ``command``, ``config``, ``machine``,
        ``skipped`` (peers not run, with the reason), ``cases`` (one dict per
        case: ``kind`` 'fit' or 'path', problem description, ``impl``,
        ``times`` and their ``median``/``min``, ``tol``, ``gap``, ``gap_rel``,
        ``status`` 'ok' or 'failed' with an ``error``) and ``seconds`` (the whole run).
    """
    from threadpoolctl import threadpool_limits

    start = time.perf_counter()
    created = datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")
    load_timed_libraries()  # a limit reaches only the thread pools already loaded
    with threadpool_limits(limits=1):
        cases, skipped = plan(config)
        machine = machine_info()
        rows = []
        for i, (kind, problem, source, what, impl) in enumerate(cases):
            if progress is not None:
                what_text = what if kind == "fit" else f"lasso_path({what} alphas)"
                progress(i, len(cases), f"{what_text} {problem.name} {impl}")
            if kind == "fit":
                rows.append(_fit_case(problem, source, what, impl, config))
            else:
                rows.append(_path_case(problem, source, impl, what, config))
        if progress is not None:
            progress(len(cases), len(cases), "done")
    return dict(schema=SCHEMA, created=created, command=command,
                config={k: (list(v) if isinstance(v, tuple) else v)
                        for k, v in asdict(config).items()},
                machine=machine, skipped=skipped, cases=rows,
                seconds=time.perf_counter() - start)
