"""Render benchmark results as Markdown.

Every number of a report is computed from the saved results, so a report can
always be regenerated from its JSON:

- :func:`markdown` renders the dict of :func:`fastreg.benchmarks.runner.run`
  (``python -m fastreg bench``); :func:`speedups` is the one place where its
  ratios are formed, ``median(other solver) / median(fastreg)`` on the same
  task and problem (> 1: fastreg is faster). :func:`from_pytest_benchmark`
  converts a pytest-benchmark JSON file of the ``bench/`` suite into the same
  layout.
- :func:`targets_markdown` renders the rows of the target table
  (:mod:`fastreg.benchmarks.targets`); :func:`target_ratio` is its ratio,
  ``cpu(fastreg) / cpu(fastest other solver that met the target)`` (< 1:
  fastreg is faster).
"""
import math
from collections import defaultdict

__all__ = ["IMPL_ORDER", "TASK_ORDER", "fmt_time", "fmt_ratio", "fmt_tol", "ok_cases",
           "speedups", "path_speedups", "markdown", "summary_table", "from_pytest_benchmark",
           "TARGET_COLUMNS", "target_ratio", "ridgecv_agreement", "targets_markdown"]

IMPL_ORDER = ("fastreg", "reference", "sklearn", "celer", "skglm", "numpy")
#: Packages listed as "solvers" in the machine table.
SOLVER_PACKAGES = ("fastreg", "sklearn", "celer", "skglm")
TASK_ORDER = ("lasso", "enet", "ridge")
TASK_TITLES = {"lasso": "Lasso", "enet": "Elastic-Net", "ridge": "Ridge"}


def _order(seq, value):
    return seq.index(value) if value in seq else len(seq)


def fmt_time(seconds):
    """``532 us``, ``12.3 ms``, ``1.25 s``."""
    if seconds < 1e-3:
        return f"{seconds * 1e6:.0f} us"
    if seconds < 1:
        return f"{seconds * 1e3:.3g} ms"
    return f"{seconds:.3g} s"


def fmt_ratio(ratio):
    """A speed-up as printed in the report: 3 significant digits, then ``x``."""
    if ratio >= 100:
        return f"{ratio:.0f}x"
    return f"{ratio:.3g}x"


def ok_cases(results, kind="fit"):
    """The certified cases of one kind."""
    return [c for c in results["cases"] if c["kind"] == kind and c["status"] == "ok"]


def _problem_key(results):
    """Sort key of problems: the run's order (size table first, then real data)."""
    seen = {}
    for c in results["cases"]:
        seen.setdefault(c["problem"], len(seen))
    return lambda name: seen.get(name, len(seen))


def speedups(results):
    """``{(task, problem): {impl: median(impl) / median(fastreg)}}`` over the fit cases
    where fastreg and the other implementation were both certified."""
    medians = defaultdict(dict)
    for c in ok_cases(results, "fit"):
        medians[(c["task"], c["problem"])][c["impl"]] = c["median"]
    out = {}
    for key, by_impl in medians.items():
        base = by_impl.get("fastreg")
        if base:
            out[key] = {impl: t / base for impl, t in by_impl.items() if impl != "fastreg"}
    return out


def path_speedups(results):
    """``{(problem, n_alphas): {impl: median(impl) / median(fastreg)}}`` for the paths."""
    medians = defaultdict(dict)
    for c in ok_cases(results, "path"):
        medians[(c["problem"], c["n_alphas"])][c["impl"]] = c["median"]
    return {key: {impl: t / by_impl["fastreg"] for impl, t in by_impl.items()
                  if impl != "fastreg"}
            for key, by_impl in medians.items() if by_impl.get("fastreg")}


def _impls(results, kind="fit"):
    present = {c["impl"] for c in ok_cases(results, kind)}
    return [i for i in sorted(present, key=lambda i: _order(IMPL_ORDER, i))]


def _geomean(values):
    values = [v for v in values if v > 0]
    return math.exp(sum(map(math.log, values)) / len(values)) if values else None


def _size(c):
    return f"{c['n']} x {c['p']}"


def summary_table(results):
    """The speed-up table: one row per (task, problem), one column per implementation.

    The fastreg column holds fastreg's median time, the others the speed-up of
    fastreg over them; the last row is the geometric mean of each column.
    """
    ratios = speedups(results)
    cases = {(c["task"], c["problem"], c["impl"]): c for c in ok_cases(results, "fit")}
    others = [i for i in _impls(results) if i != "fastreg"]
    pkey = _problem_key(results)
    keys = sorted(ratios, key=lambda k: (_order(TASK_ORDER, k[0]), pkey(k[1])))
    head = ["task", "problem", "n x p", "density", "fastreg"] + others
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for task, prob in keys:
        base = cases[(task, prob, "fastreg")]
        cells = [fmt_ratio(ratios[(task, prob)][i]) if i in ratios[(task, prob)] else "-"
                 for i in others]
        lines.append(f"| {task} | {prob} | {_size(base)} | {base['density']:.3g} | "
                     f"{fmt_time(base['median'])} | " + " | ".join(cells) + " |")
    means = [_geomean([r[i] for r in ratios.values() if i in r]) for i in others]
    lines.append("| geometric mean | | | | | " + " | ".join(
        fmt_ratio(m) if m else "-" for m in means) + " |")
    return "\n".join(lines)


def timings_table(results):
    """One row per certified fit case, with its accuracy and the tolerance chosen."""
    ratios = speedups(results)
    pkey = _problem_key(results)
    rows = sorted(ok_cases(results, "fit"),
                  key=lambda c: (_order(TASK_ORDER, c["task"]), pkey(c["problem"]),
                                 _order(IMPL_ORDER, c["impl"])))
    lines = ["| task | problem | impl | median | min | rounds | vs fastreg | "
             "gap / (‖y_c‖²/n) | tol | epochs / solver |",
             "|---|---|---|---|---|---|---|---|---|---|"]
    for c in rows:
        r = ratios.get((c["task"], c["problem"]), {}).get(c["impl"])
        ratio = "1" if c["impl"] == "fastreg" else (fmt_ratio(r) if r else "-")
        tol = "-" if c.get("tol") is None else f"{c['tol']:.1e}"
        how = c.get("solver") or ("-" if c.get("n_iter") is None else str(c["n_iter"]))
        lines.append(f"| {c['task']} | {c['problem']} | {c['impl']} | {fmt_time(c['median'])} "
                     f"| {fmt_time(c['min'])} | {c['rounds']} | {ratio} | {c['gap_rel']:.1e} "
                     f"| {tol} | {how} |")
    return "\n".join(lines)


def path_table(results):
    """One row per certified path case."""
    ratios = path_speedups(results)
    pkey = _problem_key(results)
    rows = sorted(ok_cases(results, "path"),
                  key=lambda c: (pkey(c["problem"]), c["n_alphas"],
                                 _order(IMPL_ORDER, c["impl"])))
    lines = ["| problem | n x p | alphas | impl | median | vs fastreg | worst gap / (‖y‖²/n) "
             "| tol |", "|---|---|---|---|---|---|---|---|"]
    for c in rows:
        r = ratios.get((c["problem"], c["n_alphas"]), {}).get(c["impl"])
        ratio = "1" if c["impl"] == "fastreg" else (fmt_ratio(r) if r else "-")
        lines.append(f"| {c['problem']} | {_size(c)} | {c['n_alphas']} | {c['impl']} | "
                     f"{fmt_time(c['median'])} | {ratio} | {c['gap_rel']:.1e} | "
                     f"{c['tol']:.1e} |")
    return "\n".join(lines)


def problems_table(results):
    """Sizes and sources of the problems."""
    seen = {}
    for c in results["cases"]:
        seen.setdefault(c["problem"], c)
    lines = ["| problem | source | n | p | density | non-zeros | format |",
             "|---|---|---|---|---|---|---|"]
    for name, c in seen.items():
        lines.append(f"| {name} | {c['source']} | {c['n']} | {c['p']} | {c['density']:.3g} "
                     f"| {c['nnz']} | {c['format']} |")
    return "\n".join(lines)


def _short(error):
    """An error without the list of tolerances tried (that stays in results.json)."""
    return error.split(": tried ")[0]


def machine_table(results):
    m = results.get("machine", {})
    versions = ", ".join(f"{k} {v}" for k, v in m.get("versions", {}).items()
                         if v and k in SOLVER_PACKAGES)
    pools = ", ".join(f"{p.get('api')} {p.get('version') or ''} ({p.get('num_threads')} thread"
                      f"{'s' if p.get('num_threads') != 1 else ''})".replace("  ", " ")
                      for p in m.get("threadpools", []))
    rows = [("CPU", f"{m.get('cpu')} ({m.get('cpu_count')} logical cores)"),
            ("system", m.get("platform")),
            ("Python, NumPy, SciPy", f"{m.get('python')}, {m.get('numpy')}, {m.get('scipy')}"),
            ("solvers", versions),
            ("BLAS / OpenMP", pools or "-"),
            ("load average at start", ", ".join(map(str, m.get("load_average", []))) or "-")]
    return "\n".join(["| | |", "|---|---|"] + [f"| {k} | {v} |" for k, v in rows])


def _least_rounds(cfg):
    least = cfg.get("min_rounds")
    if least is None:
        return "at least a few"
    return f"at least {least}" + ("; 3 for calls over a second" if least > 3 else "")


def _settings_text(results):
    cfg = results.get("config", {})
    eps = cfg.get("gap_eps", 1e-6)
    timer = "CPU time (time.process_time)" if cfg.get("timer") == "cpu" else "wall-clock time"
    return (
        f"**Same accuracy for every solver.** Every result is certified by one "
        f"solver-independent duality gap (`fastreg.reference.enet_duality_gap`, in "
        f"scikit-learn's Elastic-Net units; Ridge as the Elastic-Net with `l1_ratio=0` "
        f"and `alpha / n`): `gap <= {eps:g} * ||y - mean(y)||^2 / n`. Each solver's own "
        f"`tol` is the loosest of `1e-4, 10^-4.5, ..., 1e-14` that reaches this target "
        f"(direct solvers run once), and the timed result is certified again.\n\n"
        f"**Timing.** One full `fit` from the raw `(X, y)` per round (validation, "
        f"centering, solve), after one untimed warm-up call; as many rounds as fit in "
        f"{cfg.get('max_time', '?')} s ({_least_rounds(cfg)}); the "
        f"median {timer} is reported. BLAS and OpenMP are pinned to one thread.\n\n"
        f"**Tasks.** Lasso at `alpha_max / 20`; Elastic-Net with `l1_ratio = 0.5` at its "
        f"own `alpha_max / 20`; Ridge at `alpha = 1e-2 * ||X_c||_F^2 / p` "
        f"(scikit-learn's Ridge units).")


def markdown(results, plots=None):
    """The whole report.

    Parameters
    ----------
    results : dict
        As returned by :func:`fastreg.benchmarks.runner.run`.
    plots : dict, default=None
        ``{"times": file, "speedup": file, "path": file}`` of the plots written
        next to the report (missing keys: no plot); a string instead of a
        file name is printed as a note in place of that plot.
    """
    plots = plots or {}

    def plot(key, alt):
        value = plots.get(key)
        if value is None:
            return []
        if value.endswith(".png"):
            return [f"![{alt}]({value})", ""]
        return [f"*{value}*", ""]

    cmd = results.get("command") or "python -m fastreg bench"
    seconds = results.get("seconds")
    out = ["# fastreg benchmark report", "",
           f"Generated by `{cmd}` on {results.get('created', '?')}"
           + (f" in {seconds:.0f} s" if seconds is not None else "")
           + ". [`results.json`](results.json) holds every number below and every timed "
           "round.", "", _settings_text(results), ""]
    if ok_cases(results, "fit"):
        out += ["## Speed-up of fastreg", "",
                "Median time of each solver divided by fastreg's median time on the same "
                "task and problem (> 1: fastreg is faster; `-`: not run on that problem). "
                "The fastreg column is fastreg's own median time.", "",
                summary_table(results), ""]
        out += plot("speedup", "speed-up of fastreg over each solver")
        out += plot("times", "median time per fit of each solver")
        out += ["## All timings", "", timings_table(results), ""]
    if ok_cases(results, "path"):
        cfg = results.get("config", {})
        out += ["## Lasso path: time against the number of alphas", "",
                f"`lasso_path` without intercept on a geometric grid from `alpha_max` down "
                f"to `{cfg.get('path_eps', 1e-3):g} * alpha_max`, each alpha warm-started "
                f"from the previous one; certified by the worst independent gap along the "
                f"grid, `<= {cfg.get('gap_eps', 1e-6):g} * ||y||^2 / n`.", "",
                path_table(results), ""]
        out += plot("path", "lasso path time against the number of alphas")
    out += ["## Problems", "", problems_table(results), ""]
    notes = [f"- {s['impl']}: {s['reason']}" for s in results.get("skipped", [])]
    notes += [f"- {c['impl']} on {c['task']} / {c['problem']}"
              + (f" ({c['n_alphas']} alphas)" if c["kind"] == "path" else "")
              + f": {_short(c.get('error', 'failed'))}"
              for c in results["cases"] if c["status"] != "ok"]
    if notes:
        out += ["## Not run, or failed", ""] + notes + [""]
    out += ["## Machine", "", machine_table(results), ""]
    return "\n".join(out)


def from_pytest_benchmark(data):
    """Convert a pytest-benchmark JSON of ``bench/test_bench_kernels.py`` into the
    results layout (fit cases only; other benchmarks are left out)."""
    cases = []
    for b in data.get("benchmarks", []):
        info = b.get("extra_info", {})
        if "impl" not in info or "task" not in info:
            continue
        st = b["stats"]
        cases.append(dict(
            kind="fit", source="synthetic", status="ok", times=st.get("data", []),
            rounds=st.get("rounds"), median=st["median"], min=st["min"],
            **{k: info.get(k) for k in ("task", "problem", "impl", "n", "p", "density", "nnz",
                                        "dtype", "format", "alpha", "l1_ratio", "tol", "gap",
                                        "gap_rel", "gap_target", "n_iter", "solver",
                                        "coef_nnz")}))
    mi = data.get("machine_info", {})
    fb = mi.get("fastreg_bench", {})
    opts = data["benchmarks"][0].get("options", {}) if data.get("benchmarks") else {}
    return dict(
        schema=1, created=data.get("datetime"), command="python -m pytest bench",
        config=dict(size=fb.get("size"), gap_eps=fb.get("gap_eps", 1e-6),
                    max_time=opts.get("max_time"), min_rounds=opts.get("min_rounds"),
                    timer="cpu" if "process_time" in str(opts.get("timer")) else "wall"),
        machine=dict(cpu=mi.get("cpu", {}).get("brand_raw"),
                     cpu_count=mi.get("cpu", {}).get("count"),
                     platform=f"{mi.get('system')} {mi.get('release')}",
                     python=mi.get("python_version"), numpy=fb.get("numpy"),
                     versions=fb.get("versions", {}),
                     threadpools=[dict(api=p.get("api"), version=p.get("version"),
                                       num_threads=p.get("num_threads"))
                                  for p in mi.get("threadpools", [])
                                  if isinstance(p, dict)]),
        skipped=[], cases=cases)


# ---------------------------------------------------------------------------
# the target table (fastreg.benchmarks.targets)
# ---------------------------------------------------------------------------

#: Solver columns of the target table, in order, with their titles.
TARGET_COLUMNS = {"fastreg": "fastreg", "sklearn": "sklearn", "sklearn_gram": "sklearn Gram",
                  "celer": "celer", "skglm": "skglm", "floor": "NumPy floor"}


def fmt_tol(tol):
    """A calibrated tolerance: ``1e-5.5`` on the half-decade ladder; ``default``
    for None (a direct solver run with its defaults)."""
    if tol is None:
        return "default"
    e = math.log10(tol)
    return f"1e{e:g}" if abs(e * 2 - round(e * 2)) < 1e-9 else f"{tol:.3g}"


def _met(rec):
    return rec.get("cpu") is not None and rec.get("target_met", False)


def target_ratio(row):
    """``cpu(fastreg) / cpu(fastest other solver)`` among the solvers of a target row
    that met the target (None when fastreg or every other one missed it)."""
    s = row["solvers"]
    if "fastreg" not in s or not _met(s["fastreg"]):
        return None
    others = [r["cpu"] for k, r in s.items() if k != "fastreg" and _met(r)]
    return s["fastreg"]["cpu"] / min(others) if others else None


def ridgecv_agreement(row):
    """RidgeCV rows: do fastreg and scikit-learn choose the same ``alpha_`` and score?"""
    a, b = row["solvers"].get("fastreg", {}), row["solvers"].get("sklearn", {})
    if "alpha_" not in a or "alpha_" not in b:
        return None
    return dict(same_alpha=bool(a["alpha_"] == b["alpha_"]),
                best_score_rel_diff=abs(a["best_score"] - b["best_score"])
                / max(abs(b["best_score"]), 1e-300))


def _target_cell(rec):
    if rec is None:
        return "—"
    st = rec["status"]
    if st == "unavailable":
        return "n/a"
    if st.startswith("skipped"):
        return "skip"
    if st == "error":
        return "error"
    if st == "capped":
        return f"> {rec.get('run_cap', 0):g} (capped)"
    if rec.get("cpu") is None:
        return "miss"
    t = f"{rec['cpu']:.3g}"
    return t if rec.get("target_met") else f"{t} (miss)"


def _machine_lines(machine):
    pools = ", ".join(f"{d['api']} {d['version']} ({d['num_threads']} thr)"
                      for d in machine.get("threadpools", []))
    env = ", ".join(f"{k}={x}" for k, x in machine.get("thread_env", {}).items())
    versions = ", ".join(f"{k} {x}" for k, x in machine.get("versions", {}).items() if x)
    return [f"Machine: {machine.get('cpu')}, {machine.get('cpu_count')} logical CPUs, "
            f"{machine.get('mem_total_gb')} GB; threads pinned to 1 ({env}); "
            f"pools: {pools or 'n/a'}.",
            f"Versions: {versions}; fastreg git {machine.get('git', '?')}.", ""]


def _target_notes(row, rec):
    notes = []
    if rec["status"] != "ok":
        notes.append(rec["status"] + (f": {rec['error']}" if rec.get("error") else "")
                     + (f" ({rec['note']})" if rec.get("note") else ""))
    if rec.get("info", {}).get("route"):
        notes.append(f"route {rec['info']['route']}")
    if "alpha_index" in rec:
        notes.append(f"alpha_ index {rec['alpha_index']}/{row['n_alphas'] - 1}")
    if "worst_alpha_index" in rec:
        notes.append(f"worst gap at alpha #{rec['worst_alpha_index']}")
    if rec.get("timing", "").startswith("certification"):
        notes.append("single run")
    if rec.get("warnings"):
        notes.append("warnings: " + "; ".join(rec["warnings"]))
    return notes


def targets_markdown(rows, machine):
    """The target table: the machine, CPU seconds per solver and row with the ratio
    :func:`target_ratio`, then each solver's runs, calibrated tol and final gap."""
    lines = _machine_lines(machine) if machine else []
    lines += [
        "CPU seconds (best of the timed runs) of one full call at the common accuracy "
        "(independent duality gap <= EPS * ||y - mean(y)||^2 / n); ratio = fastreg / "
        "fastest other solver that met the target (< 1: fastreg faster).", "",
        "| row | problem | n x p | density | task | "
        + " | ".join(TARGET_COLUMNS.values()) + " | fastreg / fastest other |",
        "|---|---|---|---|---|" + "---:|" * (len(TARGET_COLUMNS) + 1)]
    for row in rows:
        s = row["solvers"]
        ratio = f"{row['ratio']:.2f}" if row.get("ratio") else "—"
        scale = f" (scale {row['scale']:g})" if row["scale"] != 1 else ""
        lines.append(
            f"| {row['row']} | {row['problem']}{scale} | {row['n']:,} x {row['p']:,} | "
            f"{row['density']:.3g} | {row['task_label']} | "
            + " | ".join(_target_cell(s.get(c)) for c in TARGET_COLUMNS) + f" | {ratio} |")
    lines += ["", "Accuracy and runs (gap relative to the target; tol = calibrated value, "
              "'default' for direct solvers):", "",
              "| row | solver | CPU s | wall s | runs | tol | gap / target | notes |",
              "|---|---|---:|---:|---:|---|---:|---|"]
    for row in rows:
        for name, rec in row["solvers"].items():
            cpu = f"{rec['cpu']:.3g}" if rec.get("cpu") is not None else "—"
            wall = f"{rec['wall']:.3g}" if rec.get("wall") is not None else "—"
            gap = (f"{rec['gap_rel_target']:.2g}" if rec.get("gap_rel_target") is not None
                   else "—")
            tol = fmt_tol(rec["tol"]) if "tol" in rec else "—"
            lines.append(f"| {row['row']} | {name} | {cpu} | {wall} | {rec.get('runs', '—')} "
                         f"| {tol} | {gap} | {'; '.join(_target_notes(row, rec))} |")
        agr = ridgecv_agreement(row)
        if agr:
            lines.append(f"| {row['row']} | agreement | | | | | | same alpha_: "
                         f"{agr['same_alpha']}; best_score_ rel. diff "
                         f"{agr['best_score_rel_diff']:.1e} |")
    return "\n".join(lines)
