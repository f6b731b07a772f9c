"""Side-by-side timings of Lasso / Elastic-Net / Ridge solvers at a common accuracy.

One benchmarked call per test (a full ``fit`` from the raw X, y, as a user would
call it); ``benchmark.group`` is ``"<task> <problem label>"`` so that the table
puts the implementations of one (task, problem) pair next to each other.

Implementations: fastreg, the pure-Python ``fastreg.reference`` (only on problems
small enough for it), scikit-learn, celer and skglm (optional: skipped when not
installed; L1 tasks only) and, for Ridge, the plain NumPy/LAPACK floor
(the Gram matrix of the smaller side by SYRK, then Cholesky: see
:func:`fastreg.benchmarks.implementations.fit_numpy`).

Run with ``python -m pytest bench --benchmark-only`` (see bench/README.md).
"""
import pytest

from bench.harness import calibrate_tol, run_timed
from bench.implementations import IMPLS, OPTIONAL, applicable, import_error, iterative
from bench.problems import SIZES, TASKS, task_params

pytestmark = pytest.mark.bench

#: Ridge routes that are direct (no stopping tolerance).
CLOSED_FORM = {"cholesky", "svd", "lstsq", "primal", "dual"}


def pytest_generate_tests(metafunc):
    """(task, problem, impl) for every applicable combination of the chosen size."""
    if not {"task", "problem", "impl"} <= set(metafunc.fixturenames):
        return
    size = metafunc.config.getoption("bench_size")
    params = []
    for task, t in TASKS.items():
        for name, spec in SIZES[size].items():
            for impl in IMPLS:
                if applicable(impl, spec, t.model):
                    params.append(pytest.param(task, name, impl,
                                               id=f"{task}-{name}-{impl}"))
    metafunc.parametrize(("task", "problem", "impl"), params, indirect=["problem"])


def test_fit(benchmark, request, task, problem, impl, certify, gap_eps, bench_size):
    if impl in OPTIONAL and import_error(impl) is not None:
        pytest.skip(f"{impl} {import_error(impl)}")
    fit_impl = IMPLS[impl][0]
    model = TASKS[task].model
    params = task_params(task, problem.name, bench_size)
    X, y = problem.X, problem.y
    alpha, l1_ratio = params["alpha"], params["l1_ratio"]

    def fit(tol):
        return fit_impl(X, y, model, alpha, l1_ratio, tol)

    tol, _, _ = calibrate_tol(fit, problem, task, params, gap_eps,
                              iterative=iterative(impl, model))

    benchmark.group = f"{task} {problem.label}"
    result = run_timed(benchmark, lambda: fit(tol), request.config)

    gap, target = certify(problem, task, params, result, who=impl)
    solver = result[2].get("solver")
    if solver in CLOSED_FORM:
        tol = None  # accepted but unused by a direct solver
    d = problem.description
    benchmark.extra_info.update(
        impl=impl, task=task, problem=problem.name, size=bench_size,
        n=d["n"], p=d["p"], density=d["density"], nnz=d["nnz"], dtype=d["dtype"],
        format=d["format"], alpha=alpha, l1_ratio=l1_ratio, tol=tol,
        gap=gap, gap_target=target, gap_rel=gap / (target / gap_eps),
        n_iter=result[2].get("n_iter"), solver=solver,
        coef_nnz=int((result[0] != 0).sum()),
    )
