"""Lasso paths and LassoCV on the real datasets of ``../shared/data`` (run as a script).

For each dataset: a 100-alpha Lasso path down to ``eps * alpha_max`` (no
intercept, so that scikit-learn's path function solves the same problem on
sparse data; one explicit grid for both), and a 5-fold ``LassoCV`` (with
intercept), timed side by side with scikit-learn at the same ``tol``, CPU
seconds, one BLAS thread. The datasets are read by
:func:`fastreg.benchmarks.real_data.load_real`, the paths are the
implementations of :mod:`fastreg.benchmarks.implementations`, and every path
point is certified by :func:`fastreg.benchmarks.accuracy.path_worst_gap`: the
table reports the worst gap along the path relative to ``||y||^2 / n``.

The data folder is optional: the package never needs it. Usage::

    python bench/real_paths.py [--data ../shared/data] [--only leukemia,news20] [--no-cv]
"""
from fastreg.benchmarks import timing

timing.pin_threads_env()

import argparse  # noqa: E402
import sys  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402
from threadpoolctl import threadpool_limits  # noqa: E402

import fastreg  # noqa: E402
from fastreg.benchmarks.accuracy import path_gap_scale, path_worst_gap  # noqa: E402
from fastreg.benchmarks.implementations import path_fastreg, path_sklearn  # noqa: E402
from fastreg.benchmarks.problems import path_grid  # noqa: E402
from fastreg.benchmarks.real_data import load_real  # noqa: E402

#: dataset -> eps (alpha_min / alpha_max) of its path grid
DATASETS = {"leukemia": 1e-3, "riboflavin": 1e-3, "we8there": 1e-3, "movielens100k": 1e-3,
            "dorothea": 1e-2, "news20": 1e-2, "mice": 1e-2}


def _cpu(fn):
    """(CPU seconds, result): with one BLAS thread, the work done, little disturbed by
    what else the machine is running."""
    m = timing.measure(fn)
    return m.cpu, m.result


def run(name, folder, tol, with_cv=True):
    import sklearn.linear_model as sklm
    from sklearn.model_selection import KFold

    eps = DATASETS[name]
    problem = load_real(folder, name)
    X, y = problem.X, problem.y
    n, p = X.shape
    density = problem.description["density"]
    alphas = path_grid(X, y, 100, eps)
    scale = path_gap_scale(y)
    rows = []
    t_fr, (coefs, _) = _cpu(lambda: path_fastreg(X, y, alphas, 1.0, tol))
    t_sk, (sk_coefs, _) = _cpu(lambda: path_sklearn(X, y, alphas, 1.0, tol))
    rows.append((name, n, p, density, f"lasso_path 100 alphas, eps {eps:g}", t_fr, t_sk,
                 path_worst_gap(X, y, alphas, coefs) / scale,
                 path_worst_gap(X, y, alphas, sk_coefs) / scale))
    if not with_cv:
        return rows
    cv = KFold(5, shuffle=True, random_state=0)
    t_fr, ours = _cpu(lambda: fastreg.LassoCV(cv=cv, eps=eps, tol=tol).fit(X, y))
    t_sk, theirs = _cpu(lambda: sklm.LassoCV(cv=cv, eps=eps, tol=tol).fit(X, y))
    same = "same alpha" if np.isclose(ours.alpha_, theirs.alpha_) else \
        f"alpha {ours.alpha_:.3g} vs {theirs.alpha_:.3g}"
    rows.append((name, n, p, density, f"LassoCV 5 folds ({same})", t_fr, t_sk,
                 float("nan"), float("nan")))
    return rows


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=str(Path(__file__).resolve().parents[2]
                                              / "shared" / "data"))
    parser.add_argument("--only", default="", help="comma-separated dataset names")
    parser.add_argument("--tol", type=float, default=1e-6)
    parser.add_argument("--no-cv", action="store_true",
                        help="paths only (scikit-learn's LassoCV is the slow part on the "
                             "larger datasets: bench/README.md)")
    args = parser.parse_args(argv)
    folder = Path(args.data)
    if not folder.is_dir():
        print(f"no data folder at {folder}: nothing to run (the package does not need it)")
        return 0
    names = [s for s in args.only.split(",") if s] or list(DATASETS)
    print(f"tol={args.tol:g}, single-threaded BLAS, CPU seconds; gap = worst independent "
          "duality gap along the path / (||y||^2/n)\n")
    print("| dataset | n | p | density | task | fastreg | sklearn | speed-up | "
          "gap fastreg | gap sklearn |\n|---|---|---|---|---|---|---|---|---|---|")
    timing.load_timed_libraries()
    with threadpool_limits(1):
        for name in names:
            for r in run(name, folder, args.tol, with_cv=not args.no_cv):
                print(f"| {r[0]} | {r[1]} | {r[2]} | {r[3]:.2g} | {r[4]} | {r[5]:.3f} s | "
                      f"{r[6]:.3f} s | {r[6] / r[5]:.1f}x | {r[7]:.1e} | {r[8]:.1e} |",
                      flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
