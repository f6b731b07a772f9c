"""The benchmark engine of :mod:`fastreg.benchmarks`: certificates, calibration,
the NumPy floor, the target table (run end to end at a tiny scale) and its JSON.

Everything runs on toy problems: these tests check the machinery, not speed.
"""
import json
import subprocess
import sys

import numpy as np
import pytest
import scipy.sparse as sp

from fastreg import reference
from fastreg.benchmarks import accuracy, implementations, report, targets, timing
from fastreg.benchmarks.problems import path_grid, sparse_text, toeplitz_correlated


@pytest.fixture(scope="module", params=["dense", "csc"])
def small(request):
    if request.param == "dense":
        X, y, _ = toeplitz_correlated(n=40, p=25, rho=0.5, k=5, seed=3)
    else:
        X, y, _ = sparse_text(n=60, p=80, density=0.05, k=5, seed=3)
    return X, y


def test_path_gaps_match_the_reference_gap(small):
    """The vectorised path certificate is enet_duality_gap at every alpha."""
    X, y = small
    alphas = path_grid(X, y, 8, 1e-2, fit_intercept=True)
    coefs, info = implementations.path_fastreg(X, y, alphas, 1.0, 1e-4, fit_intercept=True)
    gaps = accuracy.path_gaps(X, y, alphas, coefs, info["intercepts"])
    ref = [reference.enet_duality_gap(X, y, coefs[:, k], info["intercepts"][k], a)
           for k, a in enumerate(alphas)]
    np.testing.assert_allclose(gaps, ref, rtol=1e-8, atol=1e-13 * accuracy.gap_unit(y))
    assert accuracy.path_gap_crosscheck(X, y, alphas, coefs, info["intercepts"], gaps) \
        <= 1e-13 * accuracy.gap_unit(y) + 1e-8 * max(ref)


def test_ridge_gap_is_the_enet_gap_at_alpha_over_n(small):
    X, y = small
    alpha = 0.3 * X.shape[0]
    coef, intercept, _ = implementations.fit_sklearn(X, y, "ridge", alpha, 0.0, 1e-3)
    n = X.shape[0]
    assert accuracy.enet_gap(X, y, coef, intercept, alpha, model="ridge") == pytest.approx(
        reference.enet_duality_gap(X, y, coef, intercept, alpha / n, l1_ratio=0.0), rel=1e-12)


@pytest.mark.parametrize("shape", [(50, 12), (12, 50)])
@pytest.mark.parametrize("fmt", ["dense", "csc"])
def test_numpy_floor_is_the_ridge_solution(shape, fmt):
    """Primal and dual routes, dense and sparse: the floor solves the same Ridge."""
    rng = np.random.default_rng(0)
    X = rng.standard_normal(shape) + 2.0
    y = X[:, :3] @ np.ones(3) + 0.1 * rng.standard_normal(shape[0])
    if fmt == "csc":
        X[np.abs(X - 2.0) < 0.8] = 0.0
        X = sp.csc_matrix(X)
    coef, intercept, info = implementations.fit_numpy(X, y, "ridge", 0.7, 0.0, None)
    ref_coef, ref_intercept = reference.ridge_closed_form(X, y, 0.7)
    np.testing.assert_allclose(coef, ref_coef, rtol=1e-9, atol=1e-11)
    assert intercept == pytest.approx(ref_intercept, rel=1e-9, abs=1e-11)
    assert info["solver"] == ("primal" if shape[0] >= shape[1] else "dual")
    with pytest.raises(implementations.GramTooLarge):
        implementations.fit_numpy(X, y, "ridge", 0.7, 0.0, None, max_gram=100)


def test_calibration_finds_the_loosest_passing_tol(small):
    """walk_ladder(loosen=True) returns a rung that meets the target while the next
    looser one misses it (or it is the top of the ladder)."""
    X, y = small
    alpha = reference.alpha_max(X, y) / 20
    target = 1e-6 * accuracy.gap_unit(y)

    def run(tol):
        return implementations.fit_fastreg(X, y, "enet", alpha, 1.0, tol)

    def gap(result):
        return accuracy.enet_gap(X, y, result[0], result[1], alpha)

    for start in (1e-1, 1e-4, 1e-12):
        out = accuracy.walk_ladder(run, gap, target, start=start, loosen=True,
                                   stall_steps=None)
        assert out.gap <= target and gap(run(out.tol)) <= target
        i = accuracy.TOL_LADDER.index(out.tol)
        if i > 0:  # the next looser rung misses, whichever way the walk went
            assert gap(run(accuracy.TOL_LADDER[i - 1])) > target
    with pytest.raises(accuracy.CalibrationError) as exc:
        accuracy.walk_ladder(run, lambda r: 1.0, 0.5, iterative=False)
    assert [t for t, _, _ in exc.value.tried] == [None]


def test_best_of_keeps_only_the_last_result():
    calls = []

    def fn():
        calls.append(1)
        return len(calls)

    runs = timing.best_of(fn, first_cpu=0.0, budget=0.0, long_cap=1.0, min_runs=3)
    assert len(runs) == 3 and [m.result for m in runs] == [None, None, 3]
    assert timing.best_of(fn, first_cpu=10.0, budget=1.0, long_cap=1.0) == []
    assert timing.rounds_for(0.25, 1.0, 5, 200) == 5
    assert timing.rounds_for(0.002, 1.0, 5, 200) == 200
    assert timing.rounds_for(0.03125, 1.0, 5, 200) == 32
    assert timing.rounds_for(2.0, 1.0, 5, 200, slow_min_rounds=1) == 1
    assert timing.rounds_for(2.0, 1.0, 5, 200) == 5


TARGET_HEADER = ("| row | problem | n x p | density | task | fastreg | sklearn | sklearn Gram "
                 "| celer | skglm | NumPy floor | fastreg / fastest other |")
DETAIL_HEADER = "| row | solver | CPU s | wall s | runs | tol | gap / target | notes |"


@pytest.fixture(scope="module")
def tiny_rows():
    """Three rows at a tiny scale, the peers skipped (the timing is not the point)."""
    settings = targets.Settings(budget=0.0, long_cap=1.0, run_cap=0.0,
                                skip=frozenset({"celer", "skglm"}))
    lines = []
    rows, machine = targets.run_rows(targets.parse_rows("corr,tall_path,ridge_text"),
                                     settings, scale=1e-3, log=lines.append)
    return rows, machine, lines


def test_target_rows_end_to_end(tiny_rows):
    rows, machine, lines = tiny_rows
    assert [r["row"] for r in rows] == ["corr", "tall_path", "ridge_text"]
    for row in rows:
        for name in ("fastreg", "sklearn"):
            rec = row["solvers"][name]
            assert rec["status"] == "ok" and rec["target_met"], rec
            assert rec["gap"] <= row["target"] and rec["runs"] >= 1
        assert row["ratio"] == report.target_ratio(row)
    assert rows[1]["solvers"]["fastreg"]["path_gap_crosscheck_rel_target"] < 1e-6
    assert rows[2]["solvers"]["floor"]["info"]["route"] == "dual"
    assert rows[2]["solvers"]["fastreg"]["info"]["route"] == "sparse_cg"
    assert any(line.startswith("\n## corr:") for line in lines)

    text = report.targets_markdown(rows, machine)
    assert TARGET_HEADER in text and DETAIL_HEADER in text
    table = [line for line in text.splitlines() if line.startswith("| corr |")]
    assert len(table[0].split("|")) == len(TARGET_HEADER.split("|"))
    assert "| corr | celer | — | — | — | — | — | skipped (--skip) |" in text
    assert text.startswith(f"Machine: {machine['cpu']}")


def test_target_json_append_keeps_other_solvers(tiny_rows, tmp_path):
    rows, machine, _ = tiny_rows
    path = tmp_path / "rows.json"
    targets.save_rows(path, rows, machine)
    again = json.loads(json.dumps(rows[:1]))
    again[0]["solvers"]["sklearn"] = dict(solver="sklearn", status="skipped (--skip)")
    again[0]["solvers"]["fastreg"]["cpu"] = 123.0
    targets.save_rows(path, again, machine, append=True)
    saved, _ = targets.load_rows([path])
    assert [r["row"] for r in saved] == ["corr", "tall_path", "ridge_text"]
    corr = saved[0]["solvers"]
    assert corr["fastreg"]["cpu"] == 123.0 and corr["sklearn"]["status"] == "ok"
    assert report.targets_markdown(saved, machine).count("| corr |") >= 3


def test_parse_rows():
    assert targets.parse_rows("corr, tall@0.5") == [("corr", None), ("tall", 0.5)]
    assert len(targets.parse_rows("all")) == len(targets.ROWS)
    with pytest.raises(ValueError, match="unknown row 'nope'"):
        targets.parse_rows("nope")


def test_imports_without_the_optional_packages(tmp_path):
    """``import fastreg`` leaves fastreg.benchmarks alone; fastreg.benchmarks imports
    without celer, skglm and matplotlib, and a row reports the missing peers."""
    code = """
import sys
for name in ("celer", "skglm", "matplotlib"):
    sys.modules[name] = None
import fastreg
assert not any(m.startswith("fastreg.benchmarks") for m in sys.modules), "eager import"
from fastreg.benchmarks import (accuracy, implementations, problems, real_data, report,
                                runner, targets, timing)
settings = targets.Settings(budget=0.0, long_cap=1.0, run_cap=0.0,
                            skip=frozenset({"fastreg", "sklearn"}))
rows, machine = targets.run_rows([("corr", None)], settings, scale=1e-3, log=lambda s: None)
solvers = rows[0]["solvers"]
assert solvers["celer"]["status"] == solvers["skglm"]["status"] == "unavailable", solvers
print(report.targets_markdown(rows, machine).splitlines()[-2])
"""
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert "| corr | celer |" in proc.stdout or "| corr | skglm |" in proc.stdout
