"""RidgeCV: fastreg's exact leave-one-out against scikit-learn's, side by side.

One full ``fit`` per round (validation, centering, the decomposition, the
leave-one-out errors of every alpha, the final model), 50 alphas
``logspace(-3, 3)``, BLAS pinned to one thread by ``bench/conftest.py``; both
libraries store ``cv_results_`` (so the spot check below can read it).

Every fastreg result is checked, untimed: its leave-one-out squared error at
``alpha_`` is recomputed by brute force for a few samples (refit
``fastreg.Ridge`` without the sample, predict it); when scikit-learn ran on
the same problem, ``alpha_`` must agree and ``best_score_`` match.

Problems (``bench/problems.py`` generators):

- default: ``dense_tall_20k`` (20,000 x 200), ``sparse_tall_20k`` (20,000 x
  500, density 5e-3), ``sparse_wide_2k`` (2,000 x 10,000, density 1e-3, the
  n x n kernel route);
- ``FASTREG_BENCH_FULL=1`` adds the target problems, one round each:
  ``dense_tall_100k`` (100,000 x 200), ``sparse_tall_200k`` (200,000 x 2,000,
  density 5e-3) and ``sparse_wide_20k`` (20,000 x 100,000, density 1e-3: a
  20,000 x 20,000 eigendecomposition). scikit-learn is not run on the last
  one: its sparse kernel route builds several dense n x n temporaries before
  the same eigendecomposition (bench/README.md has the sizes and times).

Both implementations are those of :data:`fastreg.benchmarks.implementations.RIDGECV_IMPLS`,
with ``store_cv_results=True``.

Run: ``python -m pytest bench/test_bench_ridge_cv.py --benchmark-only``
(``FASTREG_BENCH_FULL=1`` for the large ones; ``--benchmark-json=out.json`` to
keep the numbers).
"""
import functools
import os

import numpy as np
import pytest
import scipy.sparse as sp

from bench.harness import run_timed
from bench.problems import dense_tall, sparse_text
from fastreg.benchmarks.implementations import RIDGECV_IMPLS

pytestmark = pytest.mark.bench

FULL = os.environ.get("FASTREG_BENCH_FULL", "") not in ("", "0")
ALPHAS = np.logspace(-3, 3, 50)
#: Samples whose leave-one-out error is recomputed by brute force.
N_SPOT = 3

#: name -> (generator, kwargs, full-only, scikit-learn runs, samples to spot-check)
PROBLEMS = {
    "dense_tall_20k": (dense_tall, dict(n=20_000, p=200, seed=1), False, True, N_SPOT),
    "sparse_tall_20k": (sparse_text, dict(n=20_000, p=500, density=5e-3, seed=2), False,
                        True, N_SPOT),
    "sparse_wide_2k": (sparse_text, dict(n=2_000, p=10_000, density=1e-3, seed=3), False,
                       True, N_SPOT),
    "dense_tall_100k": (dense_tall, dict(n=100_000, p=200, seed=1), True, True, N_SPOT),
    "sparse_tall_200k": (sparse_text, dict(n=200_000, p=2_000, density=5e-3, seed=2),
                         True, True, N_SPOT),
    # each brute-force refit is a 20k x 20k dual Cholesky: one sample only
    "sparse_wide_20k": (sparse_text, dict(n=20_000, p=100_000, density=1e-3, seed=3),
                        True, False, 1),
}

_RESULTS = {}


@functools.lru_cache(maxsize=None)
def _problem(name):
    maker, kwargs, *_ = PROBLEMS[name]
    X, y, desc = maker(**kwargs)
    return X, y, desc


def _label(name, desc):
    return (f"{name}[n={desc['n']},p={desc['p']},density={desc['density']:.3g},"
            f"alphas={ALPHAS.size}]")


def _params():
    out = []
    for name, (_, _, full, sk, _) in PROBLEMS.items():
        marks = [] if (FULL or not full) else [pytest.mark.skip(
            reason="large problem: set FASTREG_BENCH_FULL=1")]
        out.append(pytest.param(name, "fastreg", id=f"{name}-fastreg", marks=marks))
        sk_marks = list(marks)
        if not sk:
            sk_marks = [pytest.mark.skip(reason="scikit-learn not run here (memory: "
                                                "several dense n x n temporaries)")]
        out.append(pytest.param(name, "sklearn", id=f"{name}-sklearn", marks=sk_marks))
    return out


def _spot_check(model, X, y, n_spot, seed=0):
    """Max relative error of the stored leave-one-out squared errors at alpha_,
    against brute force on ``n_spot`` random samples."""
    from fastreg import Ridge

    n = X.shape[0]
    rows = np.random.default_rng(seed).choice(n, size=n_spot, replace=False)
    k = int(np.flatnonzero(ALPHAS == model.alpha_)[0])
    Xr = X.tocsr() if sp.issparse(X) else X
    worst = 0.0
    for i in rows:
        keep = np.ones(n, dtype=bool)
        keep[i] = False
        ref = Ridge(alpha=model.alpha_).fit(Xr[keep], y[keep])
        err = (y[i] - ref.predict(Xr[i:i + 1])[0]) ** 2
        worst = max(worst, abs(model.cv_results_[i, k] - err) / max(abs(err), 1e-300))
    return worst


@pytest.mark.parametrize(("name", "impl"), _params())
def test_ridge_cv_fit(benchmark, request, name, impl):
    X, y, desc = _problem(name)
    _, _, full, _, n_spot = PROBLEMS[name]
    benchmark.group = f"ridgecv {_label(name, desc)}"

    ridgecv = RIDGECV_IMPLS[impl][0]

    def fit():
        return ridgecv(X, y, ALPHAS, store_cv_results=True)

    if full:  # one round: the target problems are too long to repeat
        model = benchmark.pedantic(fit, rounds=1, iterations=1, warmup_rounds=0)
    else:  # a slow call gets a single round, so that each test stays short
        model = run_timed(benchmark, fit, request.config, slow_min_rounds=1)

    info = dict(impl=impl, n=desc["n"], p=desc["p"], density=desc["density"],
                nnz=desc["nnz"], format=desc["format"], n_alphas=int(ALPHAS.size),
                alpha=float(model.alpha_), best_score=float(model.best_score_),
                route=getattr(model, "gcv_mode_", None))
    if impl == "fastreg":
        info["spot_check_rel_err"] = _spot_check(model, X, y, n_spot)
        assert info["spot_check_rel_err"] <= 1e-6, info
    _RESULTS[(name, impl)] = model
    other = _RESULTS.get((name, "fastreg" if impl == "sklearn" else "sklearn"))
    if other is not None:
        assert other.alpha_ == model.alpha_, (other.alpha_, model.alpha_)
        np.testing.assert_allclose(other.best_score_, model.best_score_, rtol=1e-6)
    benchmark.extra_info.update(info)
