"""Peak memory of fastreg fits on a large sparse problem (run as a script).

Issue: sparse fits must never densify; the peak of the memory allocated
during a fit must stay below 3 x (bytes of X's data + indices + indptr)
plus O(n + p) working vectors.

The peak is measured with ``tracemalloc`` (NumPy reports its buffers to it),
counting only what is allocated during the fit, after X and y exist. Each
case runs in a fresh process (``python bench/memory_sparse.py CASE``) so that
allocator caches do not leak between cases; ``--all`` drives them and prints
a table. ``ru_maxrss`` growth is reported alongside as a cross-check.

Usage::

    python bench/memory_sparse.py --all [--n 200000 --p 100000 --density 1e-4]
"""
import argparse
import json
import resource
import subprocess
import sys
import time
import tracemalloc

import numpy as np
import scipy.sparse as sp

CASES = {
    "lasso-csc": dict(model="lasso", fmt="csc", weights=False),
    "lasso-csr": dict(model="lasso", fmt="csr", weights=False),
    "lasso-csc-weights": dict(model="lasso", fmt="csc", weights=True),
    "enet-csc": dict(model="enet", fmt="csc", weights=False),
    "ridge-csc": dict(model="ridge", fmt="csc", weights=False),
}


def make_problem(n, p, density, seed=0):
    """A random sparse design with heavy-tailed column scales and a sparse truth."""
    rng = np.random.default_rng(seed)
    nnz = int(round(n * p * density))
    rows = rng.integers(0, n, nnz, dtype=np.int32)
    cols = rng.integers(0, p, nnz, dtype=np.int32)
    scale = rng.pareto(2.0, p) + 0.1
    vals = rng.standard_normal(nnz) * scale[cols]
    X = sp.csc_matrix((vals, (rows, cols)), shape=(n, p))
    X.sum_duplicates()
    w = np.zeros(p)
    w[rng.choice(p, 50, replace=False)] = rng.standard_normal(50)
    y = X @ w + 0.1 * rng.standard_normal(n)
    return X, y


def nbytes(X):
    return X.data.nbytes + X.indices.nbytes + X.indptr.nbytes


def run_case(name, n, p, density):
    import fastreg
    from fastreg import reference

    case = CASES[name]
    X, y = make_problem(n, p, density)
    if case["fmt"] == "csr":
        X = X.tocsr()
    sw = np.random.default_rng(1).uniform(0.5, 2.0, n) if case["weights"] else None
    a_max = reference.alpha_max(X, y, sample_weight=sw)
    if case["model"] == "lasso":
        model = fastreg.Lasso(alpha=a_max / 10, tol=1e-6)
    elif case["model"] == "enet":
        model = fastreg.ElasticNet(alpha=a_max / 10, l1_ratio=0.5, tol=1e-6)
    else:
        model = fastreg.Ridge(alpha=1.0)
    rss0 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    tracemalloc.start()
    start = time.perf_counter()
    model.fit(X, y, sample_weight=sw)
    elapsed = time.perf_counter() - start
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    rss1 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    x_bytes = nbytes(X)
    vectors = 8 * (n + p)  # one float64 vector of each length
    return dict(case=name, n=n, p=p, nnz=int(X.nnz), x_bytes=x_bytes, peak=peak,
                peak_over_x=peak / x_bytes, budget=3 * x_bytes + 16 * vectors,
                rss_growth=max(rss1 - rss0, 0), seconds=elapsed,
                solver=getattr(model, "solver_", "cd"))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("case", nargs="?", choices=sorted(CASES))
    parser.add_argument("--all", action="store_true", help="run every case, one process each")
    parser.add_argument("--n", type=int, default=200_000)
    parser.add_argument("--p", type=int, default=100_000)
    parser.add_argument("--density", type=float, default=1e-4)
    args = parser.parse_args(argv)
    if not args.all:
        print(json.dumps(run_case(args.case, args.n, args.p, args.density)))
        return 0
    print(f"{'case':<18} {'n':>8} {'p':>8} {'nnz':>9} {'X MB':>7} {'peak MB':>8} "
          f"{'peak/X':>7} {'budget MB':>9} {'rss+ MB':>8} {'fit s':>6}  ok")
    failed = False
    for name in CASES:
        out = subprocess.run([sys.executable, __file__, name, "--n", str(args.n),
                              "--p", str(args.p), "--density", str(args.density)],
                             check=True, capture_output=True, text=True).stdout
        r = json.loads(out.strip().splitlines()[-1])
        ok = r["peak"] <= r["budget"]
        failed |= not ok
        mb = 2.0 ** 20
        print(f"{r['case']:<18} {r['n']:>8} {r['p']:>8} {r['nnz']:>9} {r['x_bytes'] / mb:>7.1f} "
              f"{r['peak'] / mb:>8.1f} {r['peak_over_x']:>7.2f} {r['budget'] / mb:>9.1f} "
              f"{r['rss_growth'] / mb:>8.1f} {r['seconds']:>6.2f}  {'yes' if ok else 'NO'}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
