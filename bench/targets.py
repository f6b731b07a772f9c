"""The target table of issue 4: fastreg against its peers on large synthetic problems.

Run as a module from the repository root::

    python -m bench.targets                          # every row but the heavy ones
    python -m bench.targets --rows corr,tall --scale 0.1          # a quick look
    python -m bench.targets --rows text_path@1.0     # a row at another scale
    python -m bench.targets --rows ridgecv_text --json out.json --append
    python -m bench.targets --report out.json        # print the tables of saved rows

The rows, solvers, accuracy rule and timing are those of
:mod:`fastreg.benchmarks.targets` (see its docstring, and bench/README.md,
"The target table"); this script parses the options and prints the table.
"""
from fastreg.benchmarks import timing

timing.pin_threads_env()  # before the peers are imported: numba reads it at import

import argparse  # noqa: E402
import sys  # noqa: E402

from fastreg.benchmarks import accuracy, targets  # noqa: E402
from fastreg.benchmarks.report import targets_markdown  # noqa: E402


def _log(text):
    print(text, flush=True)


def _table(text):
    """``"a=1,b:c=2"`` -> ``{"a": 1.0, "b:c": 2.0}``."""
    return {k.strip(): float(v) for k, _, v in
            (item.partition("=") for item in text.split(",") if item)}


def parser():
    s = targets.Settings()
    ap = argparse.ArgumentParser(prog="python -m bench.targets",
                                 description=__doc__.split("\n\n")[0],
                                 epilog=targets.__doc__.split("\n\n", 1)[1],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rows", default=targets.default_rows(),
                    help="comma-separated row names, each optionally name@SCALE "
                         "(replaces the row's default scale); 'all' adds the heavy rows. "
                         f"Rows: {', '.join(targets.ROWS)}")
    ap.add_argument("--scale", type=float, default=1.0,
                    help="multiplies every row's scale (shrinks n, and p where the "
                         "family scales it)")
    ap.add_argument("--eps", type=float, default=s.eps, help="relative gap target")
    ap.add_argument("--budget", type=float, default=s.budget,
                    help="CPU seconds of timed runs per solver beyond the first 3")
    ap.add_argument("--long-cap", type=float, default=s.long_cap,
                    help="CPU seconds the 3 fresh timed runs may take together; longer "
                         "calls are repeated fewer times")
    ap.add_argument("--calib-cap", type=float, default=s.calib_cap,
                    help="CPU seconds after which calibration stops tightening tol")
    ap.add_argument("--run-cap", type=float, default=s.run_cap,
                    help="wall seconds after which a single run is abandoned and the "
                         "solver reported as capped on that row (0: no cap)")
    ap.add_argument("--start-tol", default="",
                    help="comma-separated solver=TOL or row:solver=TOL: where the "
                         f"calibration starts (default {accuracy.START_TOL:g})")
    ap.add_argument("--skip", default="",
                    help="comma-separated solver names or row:solver pairs to skip")
    ap.add_argument("--big-floor", action="store_true",
                    help="let the NumPy Ridge floor form dense Gram matrices above 1 GiB")
    ap.add_argument("--sklearn-sparse-ridgecv", action="store_true",
                    help="run scikit-learn's RidgeCV on the sparse RidgeCV rows (minutes "
                         "to infeasible)")
    ap.add_argument("--json", help="write the results to this JSON file")
    ap.add_argument("--append", action="store_true",
                    help="merge into an existing --json file (same rows are replaced)")
    ap.add_argument("--report", nargs="+", metavar="JSON",
                    help="print the tables of saved JSON files and exit")
    return ap


def main(argv=None):
    args = parser().parse_args(argv)
    if args.report:
        print(targets_markdown(*targets.load_rows(args.report)))
        return 0
    try:
        selected = targets.parse_rows(args.rows)
    except ValueError as exc:
        raise SystemExit(str(exc)) from None
    settings = targets.Settings(
        eps=args.eps, budget=args.budget, long_cap=args.long_cap, calib_cap=args.calib_cap,
        run_cap=args.run_cap, start_tol=_table(args.start_tol),
        skip=frozenset(s.strip() for s in args.skip.split(",") if s.strip()),
        big_floor=args.big_floor, sklearn_sparse_ridgecv=args.sklearn_sparse_ridgecv)

    def save(rows, machine):
        if args.json:
            targets.save_rows(args.json, rows, machine, append=args.append)

    rows, machine = targets.run_rows(selected, settings, scale=args.scale, on_row=save,
                                     log=_log)
    print()
    print(targets_markdown(rows, machine))
    return 0


if __name__ == "__main__":
    sys.exit(main())
