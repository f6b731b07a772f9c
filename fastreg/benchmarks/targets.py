"""The target table of issue 4: fastreg against its peers on large seeded problems.

``python -m bench.targets`` (the repository's ``bench/targets.py``) is the
command line over this module; ``bench/README.md`` ("The target table") and
``bench/results/targets.md`` show what it prints.

Rows
----
:data:`ROWS` names a problem family of :data:`FAMILIES` (seeded generators of
:mod:`fastreg.benchmarks.problems`, each with the dimensions ``scale``
shrinks) and a task of :data:`TASK_LABELS`: Lasso at ``alpha_max / 20``, a
100-alpha Lasso path down to ``1e-3 alpha_max`` (with the intercept), Ridge at
``1e-2 ||Xc||_F^2 / p``, RidgeCV over 50 alphas ``logspace(-3, 3) ||Xc||_F^2 / p``.
Each task has its solvers, :data:`SOLVERS`, built on the implementations of
:mod:`fastreg.benchmarks.implementations`: fastreg, scikit-learn (and
``Lasso(precompute=True)`` on the tall row), celer, skglm and, for Ridge, the
NumPy/LAPACK floor. A peer that cannot be imported is reported, not run.

Same accuracy for everyone
--------------------------
Every result is certified by :mod:`fastreg.benchmarks.accuracy`: the gap of
:func:`fastreg.reference.enet_duality_gap` in scikit-learn's units, intercept
fitted, must be ``<= eps * ||y - mean(y)||^2 / n``; a path at every alpha (its
worst gap counts; :func:`~fastreg.benchmarks.accuracy.path_gaps`, checked
against the reference function at three alphas); Ridge as the Elastic-Net with
``l1_ratio=0`` and ``alpha / n``; RidgeCV by the Ridge gap of its refitted model
at ``alpha_``. Each iterative solver's ``tol`` is calibrated first, untimed:
the loosest value of the half-decade ladder 1e-1 ... 1e-14 that meets the
target, walking from 1e-4 down while it is missed and up while it is met
(:func:`~fastreg.benchmarks.accuracy.walk_ladder` with ``loosen=True``).
Direct solvers run once with their defaults. On sparse X both Ridges are
conjugate gradient, and calibrated.

Timing
------
CPU time, BLAS pinned to one thread, one full call from the raw ``(X, y)``:
the best of at least 3 fresh calls after calibration, more within
``budget`` seconds (:func:`fastreg.benchmarks.timing.best_of`); calls longer
than ``long_cap / 3`` are repeated fewer times, and the certification run is
the timing of a call longer than ``long_cap``. A run longer than ``run_cap``
wall seconds is abandoned and the solver reported as capped on that row.
"""
import gc
import json
import math
import os
import time
import traceback
import warnings
from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp

from . import accuracy, implementations, report, timing
from .problems import (ALPHA_RATIO, RIDGE_ALPHA_SCALE, dense_tall, mean_sq_col_norm,
                       path_grid, sparse_at_density, sparse_text, toeplitz_correlated)

__all__ = ["FAMILIES", "ROWS", "SOLVERS", "TASK_LABELS", "Settings", "Row", "task_config",
           "certify", "run_solver", "run_row", "run_rows", "parse_rows", "save_rows",
           "load_rows", "progress_line"]

PATH_N_ALPHAS = 100
PATH_EPS = 1e-3
RIDGECV_ALPHAS = np.logspace(-3, 3, 50)
#: Largest dense Gram matrix (entries) the NumPy floor forms without ``big_floor``.
FLOOR_MAX_GRAM = 2 ** 27


# ---------------------------------------------------------------------------
# problems
# ---------------------------------------------------------------------------

def _sz(v, s, lo):
    return max(lo, int(round(v * s)))


@dataclass(frozen=True)
class Family:
    label: str
    make: object     # scale -> (X, y, description)
    scaled: str      # which dimensions the scale shrinks


FAMILIES = {
    "corr": Family(
        "dense Toeplitz rho=0.6, k=20",
        lambda s: toeplitz_correlated(n=200, p=_sz(10_000, s, 50), rho=0.6, k=20, seed=0),
        "p"),
    "tall": Family(
        "dense tall Toeplitz rho=0.3, k=20",
        lambda s: dense_tall(n=_sz(100_000, s, 400), p=200, rho=0.3, k=20, seed=1),
        "n"),
    "square": Family(
        "dense square Toeplitz rho=0.3, k=50",
        lambda s: toeplitz_correlated(n=_sz(5000, s, 100), p=_sz(5000, s, 100), rho=0.3,
                                      k=50, seed=3),
        "n, p"),
    "text": Family(
        "sparse text-like (Zipf 1.1 term frequencies, tf-idf), k=50",
        lambda s: sparse_at_density(_sz(20_000, s, 200), _sz(100_000, s, 1000), 1e-3,
                                    seed=2),
        "n, p"),
    "sparse_tall": Family(
        "sparse tall text-like (Zipf 1.1, tf-idf), k=50",
        lambda s: sparse_at_density(_sz(200_000, s, 2000), 2000, 5e-3, seed=4),
        "n"),
}


@dataclass(frozen=True)
class Row:
    name: str
    family: str
    task: str
    solvers: tuple
    scale: float = 1.0
    heavy: bool = False          # only with --rows all or by name
    sklearn_flag: bool = False   # scikit-learn only with sklearn_sparse_ridgecv
    run_cap: float = None        # overrides Settings.run_cap (0: none) for known-long rows


L1 = ("fastreg", "sklearn", "celer", "skglm")
RIDGE = ("fastreg", "floor", "sklearn")
ROWS = {r.name: r for r in [
    Row("corr", "corr", "lasso", L1),
    Row("tall", "tall", "lasso", ("fastreg", "sklearn", "sklearn_gram", "celer", "skglm")),
    Row("tall_path", "tall", "path", L1),
    Row("square", "square", "lasso", L1),
    Row("text", "text", "lasso", L1),
    Row("text_path", "text", "path", L1, scale=0.3),
    Row("sparse_tall", "sparse_tall", "lasso", L1),
    Row("ridge_corr", "corr", "ridge", RIDGE),
    Row("ridge_tall", "tall", "ridge", RIDGE),
    Row("ridge_square", "square", "ridge", RIDGE),
    Row("ridge_text", "text", "ridge", RIDGE),
    Row("ridge_sparse_tall", "sparse_tall", "ridge", RIDGE),
    Row("ridgecv_tall", "tall", "ridgecv", ("fastreg", "sklearn")),
    Row("ridgecv_sparse_tall", "sparse_tall", "ridgecv", ("fastreg", "sklearn"),
        sklearn_flag=True),
    # an n x n eigendecomposition at n = 20,000: never capped, so that it finishes
    Row("ridgecv_text", "text", "ridgecv", ("fastreg", "sklearn"), heavy=True,
        sklearn_flag=True, run_cap=0.0),
]}
TASK_LABELS = {
    "lasso": f"Lasso alpha_max/{ALPHA_RATIO:g}",
    "path": f"Lasso path {PATH_N_ALPHAS} alphas, eps={PATH_EPS:g}",
    "ridge": f"Ridge alpha={RIDGE_ALPHA_SCALE:g}*|Xc|_F^2/p",
    "ridgecv": f"RidgeCV {RIDGECV_ALPHAS.size} alphas logspace(-3,3)*|Xc|_F^2/p",
}


def task_config(task, X, y):
    """The penalty of ``task`` on ``(X, y)``: ``alpha`` or ``alphas``."""
    from fastreg.reference import alpha_max

    if task == "lasso":
        return dict(alpha=alpha_max(X, y) / ALPHA_RATIO)
    if task == "path":
        return dict(alphas=path_grid(X, y, PATH_N_ALPHAS, PATH_EPS, fit_intercept=True))
    if task == "ridge":
        return dict(alpha=RIDGE_ALPHA_SCALE * mean_sq_col_norm(X))
    return dict(alphas=RIDGECV_ALPHAS * mean_sq_col_norm(X))


@dataclass
class Settings:
    """The options of a run (``python -m bench.targets --help`` has them all)."""

    eps: float = accuracy.GAP_EPS
    budget: float = 5.0          # CPU seconds of timed runs beyond the first 3
    long_cap: float = 120.0      # CPU seconds the first 3 timed runs may take together
    calib_cap: float = 900.0     # CPU seconds after which calibration stops tightening
    run_cap: float = 300.0       # wall seconds after which a run is abandoned (0: none)
    start_tol: dict = field(default_factory=dict)   # solver or row:solver -> first tol
    skip: frozenset = frozenset()                   # solver or row:solver names
    big_floor: bool = False      # let the NumPy floor exceed FLOOR_MAX_GRAM
    sklearn_sparse_ridgecv: bool = False


# ---------------------------------------------------------------------------
# solvers: fit(X, y, cfg, tol, settings) -> result dict
# ---------------------------------------------------------------------------

@dataclass(frozen=True)
class Solver:
    name: str
    module: str
    fit: object
    iterative: object = True   # bool, or X -> bool


def _record_info(info):
    """The implementation's ``info`` as the table records it (``solver`` is the route)."""
    out = {k: v for k, v in info.items() if k != "solver" and v is not None}
    if info.get("solver"):
        out["route"] = info["solver"]
    return out


def _fit(impl, model):
    fit = {**implementations.IMPLS, **implementations.VARIANTS}[impl][0]
    l1_ratio = 1.0 if model == "enet" else 0.0

    def run(X, y, cfg, tol, settings):
        coef, intercept, info = fit(X, y, model, cfg["alpha"], l1_ratio, tol)
        return dict(coef=coef, intercept=intercept, info=_record_info(info))
    return run


def _floor(X, y, cfg, tol, settings):
    max_gram = None if settings.big_floor else FLOOR_MAX_GRAM
    coef, intercept, info = implementations.fit_numpy(X, y, "ridge", cfg["alpha"], 0.0, tol,
                                                      max_gram=max_gram)
    return dict(coef=coef, intercept=intercept, info=_record_info(info))


def _path(impl):
    path = implementations.PATH_IMPLS[impl][0]

    def run(X, y, cfg, tol, settings):
        coefs, info = path(X, y, cfg["alphas"], 1.0, tol, fit_intercept=True)
        return dict(coefs=coefs, intercepts=info["intercepts"], info={})
    return run


def _ridgecv(impl):
    ridgecv = implementations.RIDGECV_IMPLS[impl][0]

    def run(X, y, cfg, tol, settings):
        est = ridgecv(X, y, cfg["alphas"])
        route = getattr(est, "gcv_mode_", None)
        return dict(coef=np.asarray(est.coef_, dtype=np.float64).ravel(),
                    intercept=float(np.ravel(est.intercept_)[0]), alpha=float(est.alpha_),
                    best_score=float(est.best_score_), info=dict(route=route) if route else {})
    return run


SOLVERS = {
    "lasso": {name: Solver(name, module, _fit(name, "enet")) for name, module in [
        ("fastreg", "fastreg"), ("sklearn", "sklearn"), ("sklearn_gram", "sklearn"),
        ("celer", "celer"), ("skglm", "skglm")]},
    "path": {name: Solver(name, name, _path(name))
             for name in ("fastreg", "sklearn", "celer", "skglm")},
    "ridge": {
        "fastreg": Solver("fastreg", "fastreg", _fit("fastreg", "ridge"), sp.issparse),
        "floor": Solver("floor", "scipy", _floor, False),
        "sklearn": Solver("sklearn", "sklearn", _fit("sklearn", "ridge"), sp.issparse),
    },
    "ridgecv": {name: Solver(name, name, _ridgecv(name), False)
                for name in ("fastreg", "sklearn")},
}


def certify(task, X, y, cfg, res):
    """Worst independent gap of a result (public units), plus details."""
    if task == "lasso":
        return accuracy.enet_gap(X, y, res["coef"], res["intercept"], cfg["alpha"]), {}
    if task in ("ridge", "ridgecv"):
        alpha = cfg["alpha"] if task == "ridge" else res["alpha"]
        return accuracy.enet_gap(X, y, res["coef"], res["intercept"], alpha,
                                 model="ridge"), {}
    gaps = accuracy.path_gaps(X, y, cfg["alphas"], res["coefs"], res["intercepts"])
    k = int(np.argmax(gaps))
    return float(gaps[k]), dict(worst_alpha_index=k, gaps=gaps)


# ---------------------------------------------------------------------------
# one solver, one row
# ---------------------------------------------------------------------------

def _skglm_warmup(sparse):
    """Compile skglm's numba kernels for this input format, untimed, on a tiny problem."""
    X, y, _ = (sparse_text(n=200, p=300, density=0.02, seed=7) if sparse
               else toeplitz_correlated(n=50, p=30, seed=7))
    alphas = task_config("path", X, y)["alphas"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        implementations.fit_skglm(X, y, "enet", alphas[5], 1.0, 1e-6)
        implementations.path_skglm(X, y, alphas[:5], 1.0, 1e-6, fit_intercept=True)


def _lookup(table, row, solver, default):
    """Value of ``row:solver`` or ``solver`` in a start_tol style table."""
    return table.get(f"{row.name}:{solver}", table.get(solver, default))


def _row_cap(row, settings):
    return settings.run_cap if row.run_cap is None else row.run_cap


def _calibration(tried, target):
    return [dict(tol=t, gap_rel_target=g / target, cpu=c) for t, g, c in tried]


def run_solver(row, solver, X, y, cfg, target, settings, log=print):
    """Calibrate, time and certify one solver on one row; returns its record."""
    fmt_tol = report.fmt_tol
    rec = dict(solver=solver.name, status="ok")
    why = implementations.import_error(solver.module)
    if why == "not installed":
        rec["status"] = "unavailable"
        return rec
    if why is not None:
        rec.update(status="error", error=f"{solver.module} {why}"[:300])
        return rec
    if solver.name == "skglm":
        _skglm_warmup(sp.issparse(X))
    iterative = solver.iterative(X) if callable(solver.iterative) else solver.iterative
    cap = _row_cap(row, settings)
    tried = []  # (tol, gap, cpu) of every calibration run; a capped one: (tol, inf, None)

    def fit(tol):
        return solver.fit(X, y, cfg, tol, settings)

    def run(tol):
        try:
            return timing.measure(lambda: fit(tol), cap=cap)
        except timing.RunCapped:
            tried.append((tol, math.inf, None))
            log(f"    [{solver.name}] tol {fmt_tol(tol)}: stopped after --run-cap {cap:g} s")
            raise

    def logged(tol, gap, seconds, m):
        tried.append((tol, gap, m.cpu))
        log(f"    [{solver.name}] tol {fmt_tol(tol)}: gap {gap / target:.3g} x target, "
            f"{m.cpu:.3g} s cpu ({m.wall:.3g} s wall)")

    t0 = time.perf_counter()
    chosen = None
    try:
        chosen = accuracy.walk_ladder(
            run, lambda m: certify(row.task, X, y, cfg, m.result)[0], target,
            iterative=iterative, loosen=True, budget=settings.calib_cap, stall_steps=None,
            start=_lookup(settings.start_tol, row, solver.name, accuracy.START_TOL),
            clock=time.process_time, log=logged, what=f"{row.name}/{solver.name}")
    except timing.RunCapped:
        done = [t for t in tried if t[2] is not None]
        rec.update(status="capped", cpu=None, run_cap=cap,
                   calibration=_calibration(tried, target),
                   note=f"a run at tol {fmt_tol(tried[-1][0])} took more than --run-cap "
                        f"{cap:g} s (wall)" + (
                            f"; looser runs: best gap {min(t[1] for t in done) / target:.3g}"
                            " x target" if done else ""))
        return rec
    except implementations.GramTooLarge as exc:
        rec.update(status="skipped (flag)", note=f"{exc}: needs --big-floor")
        return rec
    except accuracy.CalibrationError:
        pass
    except Exception as exc:  # noqa: BLE001 - reported, the table goes on
        rec.update(status="error", error=f"{type(exc).__name__}: {exc}"[:300])
        if not isinstance(exc, MemoryError):
            rec["traceback"] = traceback.format_exc(limit=3)
        return rec
    rec["calibration"] = _calibration(tried, target)
    log(f"    [{solver.name}] calibrated in {time.perf_counter() - t0:.1f} s wall")
    rec["tol"] = chosen.tol if chosen is not None else None
    rec["iterative"] = bool(iterative)
    if chosen is None:
        best = min(tried, key=lambda r: r[1])
        rec.update(status="missed target", gap=best[1], gap_rel_target=best[1] / target,
                   cpu=None,
                   note=f"best gap {best[1] / target:.3g} x target at tol {fmt_tol(best[0])}")
        return rec
    tol, first = chosen.tol, chosen.result
    rec["calibration_wall"] = time.perf_counter() - t0
    runs = timing.best_of(lambda: fit(tol), first.cpu, settings.budget,
                          settings.long_cap, cap=cap)
    if runs:
        cpus, walls = [m.cpu for m in runs], [m.wall for m in runs]
        res = runs[-1].result
        rec.update(cpu=min(cpus), wall=walls[int(np.argmin(cpus))], cpus=cpus, walls=walls,
                   runs=len(cpus), timing="fresh runs")
        seen = sorted({w for m in runs for w in m.warnings})
    else:
        res = first.result
        rec.update(cpu=first.cpu, wall=first.wall, cpus=[first.cpu], walls=[first.wall],
                   runs=1, timing="certification run (too long to repeat)")
        seen = first.warnings
    del chosen, first, runs  # only the result certified below is kept
    rec["warnings"] = list(seen)
    gap, extra = certify(row.task, X, y, cfg, res)
    rec.update(gap=gap, gap_rel_target=gap / target, target_met=bool(gap <= target))
    if not rec["target_met"]:
        rec["status"] = "missed target (timed run)"
    if row.task == "path":
        rec["worst_alpha_index"] = extra["worst_alpha_index"]
        rec["path_gap_crosscheck_rel_target"] = accuracy.path_gap_crosscheck(
            X, y, cfg["alphas"], res["coefs"], res["intercepts"], extra["gaps"]) / target
    if row.task == "ridgecv":
        k = int(np.argmin(np.abs(cfg["alphas"] - res["alpha"])))
        rec.update(alpha_=res["alpha"], alpha_index=k, best_score=res["best_score"])
    if res.get("info"):
        rec["info"] = {k: (v if isinstance(v, (int, float, str, type(None))) else str(v))
                       for k, v in res["info"].items()}
    return rec


def progress_line(rec):
    """One line per solver, printed as the row runs."""
    name = rec["solver"]
    if rec.get("cpu") is None:
        return f"{name:13s} {rec['status']}: {rec.get('error') or rec.get('note', '')}"
    return (f"{name:13s} {rec['cpu']:9.3f} s cpu (wall {rec['wall']:.3f}, {rec['runs']} runs)"
            f"  tol {report.fmt_tol(rec['tol'])}  gap {rec['gap_rel_target']:.3g} x target"
            + (f"  warnings: {rec['warnings']}" if rec.get("warnings") else ""))


def run_row(row, scale, settings, log=print):
    """Generate the row's problem at ``scale`` and run its solvers; returns the row."""
    family = FAMILIES[row.family]
    t0 = time.perf_counter()
    X, y, desc = family.make(scale)
    gen_s = time.perf_counter() - t0
    n, p = X.shape
    cfg = task_config(row.task, X, y)
    target = settings.eps * accuracy.gap_unit(y)
    label = TASK_LABELS[row.task]
    out = dict(row=row.name, family=row.family, problem=family.label, task=row.task,
               task_label=label, scale=scale, scaled_dims=family.scaled,
               n=n, p=p, density=float(desc["density"]), nnz=int(desc["nnz"]),
               format=desc["format"], description={k: v for k, v in desc.items()
                                                   if isinstance(v, (int, float, str))},
               eps=settings.eps, target=target, generate_seconds=gen_s, solvers={})
    if "alpha" in cfg:
        out["alpha"] = float(cfg["alpha"])
    if "alphas" in cfg:
        out["alphas_range"] = [float(cfg["alphas"][0]), float(cfg["alphas"][-1])]
        out["n_alphas"] = len(cfg["alphas"])
    log(f"\n## {row.name}: {family.label}, n={n}, p={p}, density={out['density']:.3g}, "
        f"{label} (scale {scale:g}; generated in {gen_s:.1f} s)")
    for name in row.solvers:
        if name in settings.skip or f"{row.name}:{name}" in settings.skip:
            out["solvers"][name] = dict(solver=name, status="skipped (--skip)")
            log(f"  {name:13s} skipped (--skip)")
            continue
        if name == "sklearn" and row.sklearn_flag and not settings.sklearn_sparse_ridgecv:
            out["solvers"][name] = dict(solver=name,
                                        status="skipped (--sklearn-sparse-ridgecv)")
            log(f"  {name:13s} skipped (needs --sklearn-sparse-ridgecv)")
            continue
        t1 = time.perf_counter()
        rec = run_solver(row, SOLVERS[row.task][name], X, y, cfg, target, settings, log)
        rec["total_wall"] = time.perf_counter() - t1
        out["solvers"][name] = rec
        log("  " + progress_line(rec))
    out["ridgecv_agreement"] = report.ridgecv_agreement(out)
    out["ratio"] = report.target_ratio(out)
    out["row_wall"] = time.perf_counter() - t0
    return out


def parse_rows(spec):
    """``"corr,tall@0.5,all"`` -> ``[(row name, scale or None)]`` (``all``: every row)."""
    selected = []
    for item in filter(None, (s.strip() for s in spec.split(","))):
        name, _, scale = item.partition("@")
        if name == "all":
            selected += [(r, None) for r in ROWS]
            continue
        if name not in ROWS:
            raise ValueError(f"unknown row {name!r}; rows: {', '.join(ROWS)}")
        selected.append((name, float(scale) if scale else None))
    return selected


def default_rows():
    """The rows run when none are named: all but the heavy ones."""
    return ",".join(r.name for r in ROWS.values() if not r.heavy)


def run_rows(selected, settings, scale=1.0, on_row=None, log=print):
    """Run ``selected`` (:func:`parse_rows`) with every row's scale times ``scale``,
    on one BLAS thread; ``on_row(rows, machine)`` after each row. Returns
    ``(rows, machine)``."""
    from threadpoolctl import threadpool_limits

    timing.pin_threads_env()
    timing.load_timed_libraries()
    # Every call is preceded by a collection (timing.measure); with the loaded
    # libraries frozen out of the collector it scans only what the run allocates.
    gc.collect()
    gc.freeze()
    rows = []
    with threadpool_limits(1):
        machine = timing.machine_info()
        log(f"Machine: {machine.get('cpu')}, {machine.get('cpu_count')} CPUs, threads "
            f"pinned to 1; versions {machine['versions']}; git {machine.get('git')}")
        for name, row_scale in selected:
            row = ROWS[name]
            out = run_row(row, (row.scale if row_scale is None else row_scale) * scale,
                          settings, log)
            out["machine"] = dict(cpu=machine.get("cpu"), git=machine.get("git"),
                                  loadavg_start=machine.get("load_average"))
            rows.append(out)
            if on_row is not None:
                on_row(rows, machine)
    return rows, machine


# ---------------------------------------------------------------------------
# JSON
# ---------------------------------------------------------------------------

def _json_default(o):
    if isinstance(o, np.generic):
        return o.item()
    if isinstance(o, np.ndarray):
        return o.tolist()
    raise TypeError(type(o))


def save_rows(path, rows, machine, append=False):
    """Write ``{"machine", "rows"}`` to ``path``.

    ``append``: merge into the rows already in the file. A saved row of another
    problem (size, eps) is replaced; of the same problem, the solvers run now
    replace theirs and the others (skipped now with ``--skip``) are kept, so
    that a row can be completed one solver at a time.
    """
    saved = []
    if append and os.path.exists(path):
        with open(path) as f:
            old = json.load(f)
        mine = {r["row"]: r for r in rows}
        for r in old.get("rows", []):
            new = mine.get(r["row"])
            if new is None:
                saved.append(r)
            elif all(r.get(k) == new.get(k) for k in ("n", "p", "scale", "eps", "nnz")):
                merged = dict(r["solvers"])
                merged.update({k: v for k, v in new["solvers"].items()
                               if not v["status"].startswith("skipped (--skip)")})
                new["solvers"] = ({k: merged[k] for k in ROWS[r["row"]].solvers if k in merged}
                                  if r["row"] in ROWS else merged)
                new["ratio"] = report.target_ratio(new)
                new["ridgecv_agreement"] = report.ridgecv_agreement(new)
    with open(path, "w") as f:
        json.dump(dict(machine=machine, rows=saved + rows), f, indent=1,
                  default=_json_default)


def load_rows(paths):
    """Rows (in :data:`ROWS` order) and the first machine of saved JSON files."""
    rows, machine = [], None
    for path in paths:
        with open(path) as f:
            data = json.load(f)
        machine = machine or data.get("machine")
        rows += data["rows"]
    order = {name: i for i, name in enumerate(ROWS)}
    rows.sort(key=lambda r: order.get(r["row"], len(order)))
    return rows, machine
