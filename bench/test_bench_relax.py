"""Relaxed fits: ``LassoCV(relax=True)`` against ``LassoCV``, side by side.

One full ``fit`` per round (validation, the grid, 5 folds' paths of 100
alphas, and with ``relax=True`` their least-squares refits on every active
set and the five blends' held-out errors, then the final model), BLAS pinned
to one thread by ``bench/conftest.py``, on the suite's problems
(``--bench-size``). The issue's target: the relaxed fit within 1.5x of the
plain one.

Every relaxed result is checked, untimed: ``mse_path_[-1]`` (gamma = 1) is the
plain fit's ``mse_path_`` and the chosen pair has the smallest mean error.

Run: ``python -m pytest bench/test_bench_relax.py --bench-size quick``
(``--benchmark-json=out.json`` to keep the numbers); the ratios are in
``bench/results/relax.md``.
"""
import numpy as np
import pytest

from bench.harness import run_timed
from bench.problems import get_problem, problem_names
from fastreg import LassoCV

pytestmark = pytest.mark.bench

_RESULTS = {}


@pytest.mark.parametrize("relax", [False, True], ids=["plain", "relax"])
@pytest.mark.parametrize("name", problem_names("quick"))
def test_lasso_cv_relax(benchmark, request, bench_size, name, relax):
    if name not in problem_names(bench_size):
        pytest.skip(f"{name} is not in the {bench_size} table")
    problem = get_problem(name, bench_size)
    benchmark.group = f"lassocv-relax {problem.label}"

    def fit():
        return LassoCV(relax=relax).fit(problem.X, problem.y)

    model = run_timed(benchmark, fit, request.config, slow_min_rounds=1)
    info = dict(n=problem.n, p=problem.p, relax=relax, alpha=float(model.alpha_),
                n_nonzero=int(np.count_nonzero(model.coef_)))
    if relax:
        mean = model.mse_path_.mean(axis=2)
        assert mean.min() == mean[list(model.gammas_).index(model.gamma_),
                                  int(np.flatnonzero(model.alphas_ == model.alpha_)[0])]
        info["gamma"] = model.gamma_
    _RESULTS[(name, relax)] = model
    other = _RESULTS.get((name, not relax))
    if other is not None:
        relaxed, plain = (model, other) if relax else (other, model)
        np.testing.assert_array_equal(relaxed.mse_path_[-1], plain.mse_path_)
    benchmark.extra_info.update(info)
