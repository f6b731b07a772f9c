"""``python -m fastreg bench``: the benchmark suite, and a self-contained report.

Runs :func:`fastreg.benchmarks.runner.run` (the problems, tasks, implementations
and accuracy rule of the pytest-benchmark suite in ``bench/``), with a progress
bar on stderr, and writes into ``--out``:

- ``results.json``: the configuration, the machine, every case and every timed round;
- ``report.md``: tables of sizes, times, speed-ups, final gaps and the machine,
  rendered from ``results.json`` by :mod:`fastreg.benchmarks.report`;
- ``times.png``, ``speedup.png``, ``path_time.png`` (with matplotlib).
"""
import json
import shlex
from pathlib import Path

from ..benchmarks import report, runner
from ..benchmarks.real_data import REAL_DATASETS, available_datasets
from . import _plots
from ._errors import CommandError
from ._progress import ProgressBar

__all__ = ["run_bench", "PLOT_FILES"]

#: plot key of :func:`fastreg.benchmarks.report.markdown` -> (file, plotting function)
PLOT_FILES = {"speedup": ("speedup.png", _plots.bench_speedup),
              "times": ("times.png", _plots.bench_times),
              "path": ("path_time.png", _plots.bench_paths)}


def _names(text, known, what):
    names = [s.strip() for s in text.split(",") if s.strip()]
    unknown = [s for s in names if s not in known]
    if unknown:
        raise CommandError(f"unknown {what} {', '.join(map(repr, unknown))} (known: "
                           f"{', '.join(known)})")
    return tuple(names)


def _config(args):
    peers = _names(args.peers, runner.PEERS, "peer")
    data_dir, datasets = None, None
    if args.data is not None:
        if not Path(args.data).is_dir():
            raise CommandError(f"--data {args.data}: no such folder")
        data_dir = str(args.data)
    if args.datasets is not None:
        if data_dir is None:
            raise CommandError("--datasets needs --data DIR")
        datasets = _names(args.datasets, tuple(REAL_DATASETS), "dataset")
        absent = [d for d in datasets if d not in available_datasets(data_dir, datasets)]
        if absent:
            raise CommandError(f"--data {data_dir}: no file for dataset "
                               f"{', '.join(map(repr, absent))} (NAME.npz, or NAME_X.npz "
                               "with NAME_y.npy)")
    return runner.preset(quick=args.quick, size=args.size, peers=peers,
                         gap_eps=args.gap, timer=args.timer, data_dir=data_dir,
                         datasets=datasets)


def write_plots(results, out):
    """Write the plots that have data; return the ``plots`` argument of
    :func:`fastreg.benchmarks.report.markdown` (file names, or a note)."""
    why = _plots.missing()
    if why is not None:
        return {"speedup": f"Plots not written: {why}."}
    has = {"speedup": report.speedups(results), "times": report.ok_cases(results, "fit"),
           "path": report.ok_cases(results, "path")}
    plots = {}
    for key, (name, plot) in PLOT_FILES.items():
        if has[key]:
            plot(results, out / name)
            plots[key] = name
    return plots


def run_bench(args):
    """Run the command on parsed arguments; return the exit code."""
    out = Path(args.out)
    if out.exists() and not out.is_dir():
        raise CommandError(f"--out {out}: exists and is not a folder")
    config = _config(args)
    out.mkdir(parents=True, exist_ok=True)
    command = "python -m fastreg " + " ".join(map(shlex.quote, args.argv))
    print(f"fastreg bench: size {config.size}{', quick' if args.quick else ''}, peers "
          f"{', '.join(config.peers) or 'none'}"
          + (f", real data from {config.data_dir}" if config.data_dir else "")
          + f"; writing {out}/", flush=True)
    if config.data_dir is not None and config.datasets is None and not available_datasets(
            config.data_dir, quick=config.quick_datasets):
        print(f"note: no known dataset in {config.data_dir} (known: "
              f"{', '.join(REAL_DATASETS)})")
    results = runner.run(config, progress=ProgressBar(), command=command)

    with open(out / "results.json", "w") as fh:
        json.dump(results, fh, indent=1)
        fh.write("\n")
    plots = {} if args.no_plots else write_plots(results, out)
    (out / "report.md").write_text(report.markdown(results, plots))

    for note in results["skipped"]:
        print(f"skipped {note['impl']}: {note['reason']}")
    failed = [c for c in results["cases"] if c["status"] != "ok"]
    for c in failed:
        print(f"failed: {c['impl']} on {c['task']} / {c['problem']}: "
              f"{str(c.get('error')).split(': tried ')[0]}")
    if report.speedups(results):
        print("\n" + report.summary_table(results) + "\n")
    if not args.no_plots and _plots.missing():
        print(f"plots: not written, {_plots.missing()}")
    print(f"report: {out / 'report.md'} ({results['seconds']:.0f} s)")
    return 1 if any(c["impl"] == "fastreg" for c in failed) else 0
