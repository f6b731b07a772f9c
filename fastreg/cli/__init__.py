"""Command-line entry point: ``python -m fastreg COMMAND``."""
import argparse


def main(argv=None):
    """Parse ``argv`` and run the chosen command; return the exit code."""
    parser = argparse.ArgumentParser(
        prog="python -m fastreg",
        description="Fast, exact penalised least squares (Lasso, Elastic-Net, Ridge).")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    demo = commands.add_parser(
        "demo", help="fit Lasso, Elastic-Net and Ridge on the shipped diabetes data")
    demo.add_argument("--repeat", type=int, default=7, metavar="N",
                      help="timing repetitions for the fastreg fits (default: 7)")
    args = parser.parse_args(argv)
    if args.command == "demo":
        from .demo import run_demo
        return run_demo(repeat=args.repeat)
    return 2  # unreachable: argparse rejects unknown commands
