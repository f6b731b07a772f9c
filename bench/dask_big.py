"""Out-of-core benchmark of fastreg on Dask arrays (not run in CI).

A row-chunked design is generated lazily, chunk by chunk, on the workers of a
LocalCluster (deterministic per chunk, so a retried task regenerates the same
rows): nothing of size n ever exists in one place, and the total can exceed
the machine's memory. Timed, each on a fresh computation of the data:

- the floor: generating the data and reading it once (column sums of X and
  the sum of y), the least any one-pass method costs;
- Ridge: the one pass of sufficient statistics and the closed form;
- Lasso: the same pass, then Gram-mode coordinate descent on the client;
- optionally RidgeCV (leave-one-out: two passes);
- optionally (``--admm``) a Lasso too wide for a Gram matrix (consensus ADMM),
  against the in-memory fit of the same data.

Peak resident memory (ru_maxrss) of the client and of every worker process is
reported after each phase (cumulative since start). The coefficients are
checked against the generating truth (small noise).

Usage::

    python bench/dask_big.py --n 4000000 --p 100 --chunk-rows 250000
    python bench/dask_big.py --n 40000000 --p 100   # ~32 GB of float64
"""
import argparse
import json
import resource
import time

import numpy as np


def peak_rss_mb():
    """Peak resident set size of this process, MiB (Linux: ru_maxrss in KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def make_data(n, p, chunk_rows, seed=0, noise=0.1, shift=10.0):
    """Lazy X (n, p) with column offsets, y = X w + 1 + noise; and w."""
    import dask.array as da

    rng = np.random.default_rng(seed)
    w = np.zeros(p)
    k = max(1, p // 10)
    w[:k] = rng.uniform(1.0, 3.0, k) * rng.choice([-1.0, 1.0], k)
    offsets = shift * rng.uniform(-1.0, 2.0, p)
    gen = da.random.default_rng(seed + 1)
    X = gen.standard_normal((n, p), chunks=(chunk_rows, p)) + offsets
    e = gen.standard_normal(n, chunks=chunk_rows)
    y = X @ w + 1.0 + noise * e
    return X, y, w


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=float, default=4e6)
    ap.add_argument("--p", type=int, default=100)
    ap.add_argument("--chunk-rows", type=int, default=250_000)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--threads-per-worker", type=int, default=1)
    ap.add_argument("--ridge-cv", action="store_true", help="also time RidgeCV (LOO)")
    ap.add_argument("--admm", action="store_true",
                    help="also time the ADMM route on a wide problem (--admm-n x --admm-p)")
    ap.add_argument("--admm-n", type=float, default=20000)
    ap.add_argument("--admm-p", type=int, default=10000)
    ap.add_argument("--json", default=None, help="write the results to this file")
    args = ap.parse_args()
    n, p = int(args.n), args.p

    import dask
    from distributed import Client, LocalCluster

    import fastreg

    cluster = LocalCluster(n_workers=args.workers, threads_per_worker=args.threads_per_worker,
                           processes=True, dashboard_address=None)
    client = Client(cluster)
    out = {"n": n, "p": p, "chunk_rows": args.chunk_rows, "workers": args.workers,
           "threads_per_worker": args.threads_per_worker,
           "data_gb": n * p * 8 / 1e9, "fastreg": fastreg.__file__,
           "dask": dask.__version__}
    print(json.dumps(out))

    def worker_rss():
        return {k: round(v / 1024.0) for k, v in client.run(
            lambda: resource.getrusage(resource.RUSAGE_SELF).ru_maxrss).items()}

    def phase(name, fn):
        X, y, w = make_data(n, p, args.chunk_rows)  # fresh graph: nothing cached
        t = time.perf_counter()
        res = fn(X, y, w)
        dt = time.perf_counter() - t
        rec = {"phase": name, "seconds": round(dt, 2),
               "rows_per_second": round(n / dt),
               "client_peak_rss_mb": round(peak_rss_mb()),
               "worker_peak_rss_mb": worker_rss()}
        rec.update(res or {})
        out[name] = rec
        print(json.dumps(rec), flush=True)

    def floor(X, y, w):
        sx, sy = dask.compute(X.sum(axis=0), y.sum())
        return {"check": float(sy)}

    def ridge(X, y, w):
        m = fastreg.Ridge(alpha=1.0).fit(X, y)
        return {"max_abs_coef_err": float(np.max(np.abs(m.coef_ - w)))}

    def lasso(X, y, w):
        m = fastreg.Lasso(alpha=0.01, tol=1e-8).fit(X, y)
        return {"max_abs_coef_err": float(np.max(np.abs(m.coef_ - w))),
                "n_iter": int(m.n_iter_), "dual_gap": float(m.dual_gap_),
                "nnz": int(np.count_nonzero(m.coef_))}

    def ridge_cv(X, y, w):
        m = fastreg.RidgeCV(alphas=np.logspace(-2, 4, 13)).fit(X, y)
        return {"alpha": m.alpha_, "best_score": float(m.best_score_)}

    # warm-up (imports and first-call costs on the workers), not timed
    Xw, yw, _ = make_data(4 * args.chunk_rows // 100 + 1, p, args.chunk_rows // 100 + 1)
    fastreg.Lasso(alpha=0.01).fit(Xw, yw)
    dask.compute(Xw.sum(axis=0), yw.sum())

    phase("floor_read_once", floor)
    phase("ridge", ridge)
    phase("lasso", lasso)
    if args.ridge_cv:
        phase("ridge_cv_loo", ridge_cv)
    if args.admm:
        admm_phase(args, out, worker_rss)
    if args.json:
        with open(args.json, "w") as f:
            json.dump(out, f, indent=1)
    client.close()
    cluster.close()


def admm_phase(args, out, worker_rss):
    """Lasso on a wide problem (p^2 beyond the Gram limit): consensus ADMM;
    compared with the in-memory fit on the same data when it fits."""
    import dask

    import fastreg
    from fastreg import reference as ref

    n, p = int(args.admm_n), args.admm_p
    X, y, w = make_data(n, p, 2048, seed=5, noise=0.5, shift=1.0)
    alpha = 0.05
    t = time.perf_counter()
    m = fastreg.Lasso(alpha=alpha, tol=1e-6, max_iter=2000).fit(X, y)
    dt = time.perf_counter() - t
    rec = {"phase": "admm_lasso", "n": n, "p": p, "seconds": round(dt, 2),
           "n_iter": int(m.n_iter_), "solver": m.solver_, "dual_gap": float(m.dual_gap_),
           "nnz": int(np.count_nonzero(m.coef_)),
           "client_peak_rss_mb": round(peak_rss_mb()), "worker_peak_rss_mb": worker_rss()}
    if n * p * 8 < 4e9:
        Xn, yn = dask.compute(X, y)
        t = time.perf_counter()
        mem = fastreg.Lasso(alpha=alpha, tol=1e-10).fit(Xn, yn)
        rec["in_memory_seconds"] = round(time.perf_counter() - t, 2)
        o = ref.enet_objective(Xn, yn, m.coef_, m.intercept_, alpha)
        om = ref.enet_objective(Xn, yn, mem.coef_, mem.intercept_, alpha)
        rec["objective_rel_diff_vs_in_memory"] = float((o - om) / om)
    out["admm_lasso"] = rec
    print(json.dumps(rec), flush=True)


if __name__ == "__main__":
    main()
