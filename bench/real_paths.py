"""Lasso paths and LassoCV on the real datasets of ``../shared/data`` (run as a script).

For each dataset: a 100-alpha ``lasso_path`` down to ``eps * alpha_max`` (no
intercept, so that scikit-learn's path function solves the same problem on
sparse data), and a 5-fold ``LassoCV`` (with intercept), timed side by side
with scikit-learn at the same ``tol``, single-threaded BLAS. Every path point
is certified by ``fastreg.reference.enet_duality_gap``: the table reports the
worst gap along the path relative to ``||y||^2 / n`` for each solver.

The data folder is optional: the package never needs it. Usage::

    python bench/real_paths.py [--data ../shared/data] [--only leukemia,news20] [--no-cv]
"""
import argparse
import os
import sys
import time
import warnings
from pathlib import Path

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")

import numpy as np  # noqa: E402
import scipy.sparse as sp  # noqa: E402
from threadpoolctl import threadpool_limits  # noqa: E402

import fastreg  # noqa: E402
from fastreg import reference  # noqa: E402

# name -> (loader, eps of the path grid)
DATASETS = {
    "leukemia": (lambda d: _dense(d, "leukemia"), 1e-3),
    "riboflavin": (lambda d: _dense(d, "riboflavin"), 1e-3),
    "we8there": (lambda d: _sparse(d, "we8there"), 1e-3),
    "movielens100k": (lambda d: _sparse(d, "movielens100k"), 1e-3),
    "dorothea": (lambda d: _sparse(d, "dorothea"), 1e-2),
    "news20": (lambda d: _sparse(d, "news20", binarize=True), 1e-2),
    "mice": (lambda d: _dense(d, "mice"), 1e-2),
}


def _dense(folder, name):
    data = np.load(folder / f"{name}.npz")
    return np.asfortranarray(data["X"], dtype=np.float64), data["y"].astype(np.float64)


def _sparse(folder, name, binarize=False):
    X = sp.load_npz(folder / f"{name}_X.npz").tocsc().astype(np.float64)
    y = np.load(folder / f"{name}_y.npy").astype(np.float64)
    if binarize:  # news20 is multiclass: the usual regression target is one-vs-rest
        y = (y <= 10).astype(np.float64)
    return X, y


def _timed(fn):
    """(CPU seconds, result): with BLAS on one thread, CPU time is the work done,
    and it does not depend on what else the machine is running."""
    start = time.process_time()
    out = fn()
    return time.process_time() - start, out


def _worst_gap(X, y, alphas, coefs):
    scale = float(y @ y) / X.shape[0]
    return max(reference.enet_duality_gap(X, y, coefs[:, i], 0.0, a, 1.0,
                                          fit_intercept=False)
               for i, a in enumerate(alphas)) / scale


def run(name, folder, tol, with_cv=True):
    import sklearn.linear_model as sklm
    from sklearn.model_selection import KFold

    loader, eps = DATASETS[name]
    X, y = loader(folder)
    n, p = X.shape
    density = X.nnz / (n * p) if sp.issparse(X) else 1.0
    rows = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        t_fr, (alphas, coefs, _) = _timed(lambda: fastreg.lasso_path(
            X, y, n_alphas=100, eps=eps, tol=tol))
        t_sk, (sk_alphas, sk_coefs, _) = _timed(lambda: sklm.lasso_path(
            X, y, alphas=100, eps=eps, tol=tol))
        rows.append((name, n, p, density, f"lasso_path 100 alphas, eps {eps:g}", t_fr, t_sk,
                     _worst_gap(X, y, alphas, coefs), _worst_gap(X, y, sk_alphas, sk_coefs)))
        if not with_cv:
            return rows
        cv = KFold(5, shuffle=True, random_state=0)
        t_fr, ours = _timed(lambda: fastreg.LassoCV(cv=cv, eps=eps, tol=tol).fit(X, y))
        t_sk, theirs = _timed(lambda: sklm.LassoCV(cv=cv, eps=eps, tol=tol).fit(X, y))
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
                        help="paths only (scikit-learn's LassoCV takes an hour on mice)")
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
    with threadpool_limits(1):
        for name in names:
            for r in run(name, folder, args.tol, with_cv=not args.no_cv):
                print(f"| {r[0]} | {r[1]} | {r[2]} | {r[3]:.2g} | {r[4]} | {r[5]:.3f} s | "
                      f"{r[6]:.3f} s | {r[6] / r[5]:.1f}x | {r[7]:.1e} | {r[8]:.1e} |",
                      flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
