"""Summarise a pytest-benchmark JSON file of this suite as Markdown.

    python -m pytest bench --benchmark-only --benchmark-json=bench.json
    python -m bench.report bench.json            # or: python bench/report.py bench.json

Prints the tables of ``python -m fastreg bench``'s report (the same renderer,
:mod:`fastreg.benchmarks.report`): the speed-up of fastreg over each
implementation, ``median(impl) / median(fastreg)`` measured in the same run
(> 1: fastreg is faster), then one row per (task, problem, implementation)
with the independent duality gap relative to ``||y_c||^2 / n`` and the
tolerance the calibration chose. Also reads the files that
``--benchmark-autosave`` writes under ``.benchmarks/``.
"""
import json
import sys

from fastreg.benchmarks.report import from_pytest_benchmark, summary_table, timings_table


def markdown(data):
    """The two tables for a loaded pytest-benchmark JSON document."""
    results = from_pytest_benchmark(data)
    return summary_table(results) + "\n\n" + timings_table(results)


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) != 1:
        print(__doc__)
        return 2
    with open(argv[0]) as fh:
        data = json.load(fh)
    mi = data.get("machine_info", {})
    fb = mi.get("fastreg_bench", {})
    timer = data["benchmarks"][0]["options"].get("timer") if data.get("benchmarks") else None
    print(f"size={fb.get('size')} gap_eps={fb.get('gap_eps')} timer={timer} "
          f"versions={fb.get('versions')} cpu={mi.get('cpu', {}).get('brand_raw')}\n")
    print(markdown(data))
    return 0


if __name__ == "__main__":
    sys.exit(main())
