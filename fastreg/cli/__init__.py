"""Command-line entry point: ``python -m fastreg COMMAND``.

Commands (one module each):

- ``demo`` (:mod:`fastreg.cli.demo`): the main job on the shipped diabetes data;
- ``fit`` (:mod:`fastreg.cli.fit`): fit a model to a CSV/TSV, svmlight or .npz file;
- ``bench`` (:mod:`fastreg.cli.bench`): the benchmark suite and its report.

User errors (bad files, bad arguments) are printed as one line on stderr and
exit with status 2; plots need the optional matplotlib (``fastreg[plot]``).
"""
import argparse
import math
import sys

from ._errors import CommandError

__all__ = ["main", "CommandError"]


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage error is a single line: ``prog: error: message``."""

    def error(self, message):
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def _non_negative(text):
    """argparse type: a finite float >= 0."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not math.isfinite(value) or value < 0:
        raise argparse.ArgumentTypeError(f"must be a finite number >= 0, got {text}")
    return value


def _positive(text):
    value = _non_negative(text)
    if value == 0:
        raise argparse.ArgumentTypeError(f"must be > 0, got {text}")
    return value


def _folds(text):
    """argparse type: an integer number of folds >= 2."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an integer: {text!r}") from None
    if value < 2:
        raise argparse.ArgumentTypeError(f"needs at least 2 folds, got {value}")
    return value


def _ratios(text):
    """argparse type: one l1_ratio in [0, 1], or a comma-separated list of them."""
    values = []
    for part in text.split(","):
        try:
            value = float(part)
        except ValueError:
            raise argparse.ArgumentTypeError(f"not a number: {part!r}") from None
        if not 0 <= value <= 1:
            raise argparse.ArgumentTypeError(f"must be in [0, 1], got {part}")
        values.append(value)
    return values


def _add_demo(commands):
    demo = commands.add_parser(
        "demo", help="the main job: Lasso, Elastic-Net and Ridge with cross-validation on "
                     "the diabetes data shipped with fastreg",
        description="Fit the Lasso and Elastic-Net paths with cross-validation, and "
                    "RidgeCV, on the diabetes data shipped with fastreg; print the chosen "
                    "alphas, the coefficients, the objective split into its data-fit and "
                    "penalty terms, and the time against the pure-Python reference; write "
                    "the plots path.png and cv.png (needs matplotlib).")
    demo.add_argument("--out", default="fastreg-demo", metavar="DIR",
                      help="folder of the plots and summary.json (default: fastreg-demo)")
    demo.add_argument("--no-plots", action="store_true", help="do not write the plots")
    demo.add_argument("--repeat", type=int, default=5, metavar="N",
                      help="timing repetitions of the fast calls (best of N; default 5)")


def _add_fit(commands):
    fit = commands.add_parser(
        "fit", help="fit Lasso, Elastic-Net or Ridge to a data file",
        description="Fit a model to DATA and write its coefficients. DATA is a CSV or TSV "
                    "file with a header row (the target is the last column, or --target), "
                    "an svmlight/libsvm file (.svm, .svmlight, .libsvm; sparse), or a .npz "
                    "file: arrays X and y, or a scipy.sparse.save_npz matrix with an extra "
                    "array y, or NAME_X.npz from save_npz next to NAME_y.npy. Without "
                    "--alpha the penalty is chosen by cross-validation (Lasso, Elastic-Net: "
                    "5 folds; Ridge: exact leave-one-out), or by an information criterion "
                    "with --criterion (Lasso, Elastic-Net: one path, no refits).")
    fit.add_argument("data", metavar="DATA", help="the data file")
    fit.add_argument("--model", choices=("lasso", "enet", "ridge"), default="lasso",
                     help="the model (default: lasso)")
    how = fit.add_mutually_exclusive_group()
    how.add_argument("--alpha", type=_non_negative, metavar="A",
                     help="penalty strength, in scikit-learn's units of the model")
    how.add_argument("--cv", type=_folds, metavar="K",
                     help="choose alpha by K-fold cross-validation")
    how.add_argument("--criterion", choices=("aic", "bic", "ebic"),
                     help="choose alpha by an information criterion on the path "
                          "(LassoIC / ElasticNetIC; lasso and enet only)")
    fit.add_argument("--relax", action="store_true",
                     help="relaxed fit (lasso and enet, with cross-validation): "
                          "coefficients gamma * penalised + (1 - gamma) * least squares on "
                          "the support, alpha and gamma chosen by cross-validation")
    fit.add_argument("--l1-ratio", type=_ratios, metavar="R",
                     help="Elastic-Net mixing parameter (default 0.5); with cross-"
                          "validation a comma-separated list is searched")
    fit.add_argument("--target", metavar="NAME",
                     help="CSV/TSV: the target column (default: the last); .npz: the "
                          "target array (default: y)")
    fit.add_argument("--format", choices=("csv", "tsv", "svmlight", "npz"),
                     help="file format (default: from the extension of DATA)")
    fit.add_argument("--tol", type=_positive, default=1e-4,
                     help="solver tolerance, scikit-learn's meaning (default: 1e-4)")
    fit.add_argument("--max-iter", type=int, default=1000, metavar="N",
                     help="maximum epochs of coordinate descent (default: 1000)")
    fit.add_argument("--out", metavar="PATH",
                     help="coefficients file, .csv or .json (default: DATA's stem + "
                          "'-coef.csv', in the current folder)")


def _add_bench(commands):
    bench = commands.add_parser(
        "bench", help="benchmark fastreg against the reference and the installed peers",
        description="Time fastreg, the pure-Python reference and the installed peers at "
                    "the same accuracy (a common, solver-independent duality gap) on "
                    "dense and sparse problems, and write report.md, results.json and "
                    "PNG plots.")
    bench.add_argument("--quick", action="store_true",
                       help="short timing budgets (under a minute on two cores)")
    bench.add_argument("--out", default="fastreg-bench", metavar="DIR",
                       help="folder of the report (default: fastreg-bench)")
    bench.add_argument("--peers", default="sklearn,celer,skglm,numpy", metavar="LIST",
                       help="comma-separated peers among sklearn, celer, skglm, numpy "
                            "(default: all; those not installed are skipped)")
    bench.add_argument("--data", metavar="DIR",
                       help="folder of real datasets (NAME.npz, or NAME_X.npz + NAME_y.npy)"
                            " to benchmark too, when present")
    bench.add_argument("--datasets", metavar="LIST",
                       help="comma-separated real datasets to run (default: those present;"
                            " with --quick, the quick ones)")
    bench.add_argument("--size", choices=("tiny", "quick", "full"), default="quick",
                       help="size table of the synthetic problems (default: quick; tiny "
                            "is a smoke test)")
    bench.add_argument("--gap", type=_positive, default=None, metavar="EPS",
                       help="common accuracy: gap <= EPS * ||y - mean(y)||^2 / n "
                            "(default: 1e-6)")
    bench.add_argument("--timer", choices=("wall", "cpu"), default="wall",
                       help="wall-clock or process CPU time (default: wall)")
    bench.add_argument("--no-plots", action="store_true", help="do not write the plots")


def build_parser():
    """The argument parser of ``python -m fastreg``."""
    parser = _Parser(
        prog="python -m fastreg",
        description="Fast, exact penalised least squares (Lasso, Elastic-Net, Ridge).")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    _add_demo(commands)
    _add_fit(commands)
    _add_bench(commands)
    return parser


def main(argv=None):
    """Parse ``argv`` and run the chosen command; return the exit code.

    Usage errors exit through argparse (status 2); a :class:`CommandError` from
    a command is printed as one line and returns 2.
    """
    argv = sys.argv[1:] if argv is None else list(argv)
    args = build_parser().parse_args(argv)
    args.argv = argv
    if args.command == "demo":
        from .demo import run_demo as run
    elif args.command == "fit":
        from .fit import run_fit as run
    else:
        from .bench import run_bench as run
    try:
        return run(args)
    except CommandError as exc:
        print(f"python -m fastreg {args.command}: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"python -m fastreg {args.command}: interrupted", file=sys.stderr)
        return 130
