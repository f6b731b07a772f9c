"""Summarise a pytest-benchmark JSON file of this suite as a Markdown table.

    python -m pytest bench --benchmark-only --benchmark-json=bench.json
    python -m bench.report bench.json            # or: python bench/report.py bench.json

One row per (task, problem, implementation): median time, the ratio
``median(impl) / median(fastreg)`` measured in the same run (> 1: fastreg is faster),
the independent duality gap relative to ``||y_c||^2 / n`` and the tolerance the
calibration chose. Also reads the files that ``--benchmark-autosave`` writes
under ``.benchmarks/``.
"""
import json
import sys
from collections import defaultdict

TASK_ORDER = ("lasso", "enet", "ridge")
PROBLEM_ORDER = ("corr_small", "corr", "sparse_text", "tall")
IMPL_ORDER = ("fastreg", "reference", "sklearn", "celer", "skglm", "numpy")


def _order(seq, value):
    return seq.index(value) if value in seq else len(seq)


def _fmt_time(seconds):
    if seconds < 1e-3:
        return f"{seconds * 1e6:.0f} us"
    if seconds < 1:
        return f"{seconds * 1e3:.2f} ms"
    return f"{seconds:.2f} s"


def rows(data):
    """(task, problem) -> {impl: (median seconds, extra_info)}."""
    table = defaultdict(dict)
    for b in data["benchmarks"]:
        info = b.get("extra_info", {})
        if "impl" not in info:
            continue
        info = dict(info, _min=b["stats"]["min"])
        table[(info["task"], info["problem"])][info["impl"]] = (b["stats"]["median"], info)
    return table


def markdown(data):
    table = rows(data)
    out = ["| task | problem | n | p | density | impl | median | min | vs fastreg (median) "
           "| gap / (‖y_c‖²/n) | tol | n_iter / solver |",
           "|---|---|---|---|---|---|---|---|---|---|---|---|"]
    keys = sorted(table, key=lambda k: (_order(TASK_ORDER, k[0]), _order(PROBLEM_ORDER, k[1])))
    for task, prob in keys:
        impls = table[(task, prob)]
        base = impls.get("fastreg", (None,))[0]
        for impl in sorted(impls, key=lambda i: _order(IMPL_ORDER, i)):
            med, info = impls[impl]
            ratio = "1" if impl == "fastreg" else (f"{med / base:.2f}x" if base else "-")
            tol = "-" if info.get("tol") is None else f"{info['tol']:.1e}"
            how = info.get("solver") or (f"{info['n_iter']}" if info.get("n_iter") is not None else "-")
            out.append(f"| {task} | {prob} | {info['n']} | {info['p']} | {info['density']:.3g} "
                       f"| {impl} | {_fmt_time(med)} | {_fmt_time(info['_min'])} | {ratio} | {info['gap_rel']:.1e} | {tol} "
                       f"| {how} |")
    return "\n".join(out)


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
