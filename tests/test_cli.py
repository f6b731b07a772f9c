"""The command line: ``python -m fastreg demo | fit | bench``.

Each command is run as a subprocess on small inputs (``sys.executable -m
fastreg``); the many bad-input cases also call :func:`fastreg.cli.main` in
process (the same code path, without paying an interpreter start-up each).
matplotlib is optional: with it, the plots must be written; without it (and,
always, with its import blocked in the subprocess) the commands must say how
to get them and still do everything else.
"""
import importlib
import json
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import scipy.sparse as sp

import fastreg
from fastreg.benchmarks.report import fmt_ratio, from_pytest_benchmark, markdown
from fastreg.cli import main
from fastreg.cli._io import load_data
from fastreg.cli._errors import CommandError
from fastreg.cli.fit import make_estimator, ridge_alphas
from fastreg.datasets import load_diabetes

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
SPLIT = re.compile(r"data-fit (\S+) \+ penalty (\S+) = (\S+)")


def _has_matplotlib():
    try:
        importlib.import_module("matplotlib")
    except ImportError:
        return False
    return True


HAS_MPL = _has_matplotlib()


def run_cli(*args, block=(), cwd=None):
    """``python -m fastreg ARGS`` in a subprocess; ``block``: modules made unimportable
    (``sys.modules[name] = None`` before fastreg starts)."""
    args = [str(a) for a in args]
    if block:
        code = ("import runpy, sys\n"
                + "".join(f"sys.modules[{m!r}] = None\n" for m in block)
                + f"sys.argv = ['fastreg'] + {args!r}\n"
                + "runpy.run_module('fastreg', run_name='__main__', alter_sys=True)\n")
        cmd = [sys.executable, "-c", code]
    else:
        cmd = [sys.executable, "-m", "fastreg", *args]
    return subprocess.run(cmd, capture_output=True, text=True, cwd=cwd, timeout=300)


def _is_png(path):
    return path.is_file() and path.read_bytes()[:8] == PNG_MAGIC and path.stat().st_size > 5000


# ---------------------------------------------------------------------------
# demo
# ---------------------------------------------------------------------------

def _standardised_diabetes():
    X, y, names = load_diabetes()
    return (X - X.mean(axis=0)) / X.std(axis=0), y, list(names)


def _check_demo_output(proc, out):
    assert proc.returncode == 0, proc.stderr
    splits = [tuple(map(float, m.groups())) for m in SPLIT.finditer(proc.stdout)]
    # Lasso (alpha_max, CV, BIC, alpha_min), the relaxed Lasso against the penalised
    # fit at its alpha, Elastic-Net and Ridge (alpha_max, CV alpha, alpha_min)
    assert len(splits) == 12
    for datafit, penalty, total in splits:
        assert datafit + penalty == pytest.approx(total, rel=1e-7)
    summary = json.loads((out / "summary.json").read_text())
    rows = summary["objective"]
    for row in rows:
        assert row["datafit"] + row["penalty"] == pytest.approx(row["total"], rel=1e-12)
    relaxed = [r for r in rows if r["model"].startswith("Relaxed")]
    assert [r["point"] for r in relaxed] == ["penalised", "relaxed"]
    for row in rows:
        if row["point"] != "relaxed":
            assert row["gap_rel"] <= 1e-8
    pen, rel = relaxed
    # on the same support, least squares lowers the data-fit term (the data-fit is
    # convex: the relaxed combination is no worse than the penalised end), and the
    # penalised fit minimises the objective: the relaxed one is above it by its gap
    assert rel["nonzeros"] == pen["nonzeros"]
    assert rel["datafit"] <= pen["datafit"] * (1 + 1e-9)
    assert rel["total"] >= pen["total"] - pen["gap"]
    assert rel["total"] - pen["total"] <= rel["gap"] * (1 + 1e-9) + pen["gap"]
    assert summary["ic"]["bic"]["noise_variance"] > 0
    # at alpha_max the Lasso has no coefficient: P = data-fit = ||y - mean(y)||^2 / (2n)
    X, y, _ = _standardised_diabetes()
    first = summary["objective"][0]
    assert first["point"] == "alpha_max" and first["penalty"] == 0.0
    assert first["datafit"] == pytest.approx(np.var(y) / 2, rel=1e-10)
    # the chosen alpha is the estimator's own
    lasso = fastreg.LassoCV(cv=5, tol=1e-6, max_iter=100_000).fit(X, y)
    assert summary["cv"]["lasso"]["alpha"] == pytest.approx(lasso.alpha_, rel=1e-12)
    assert f"alpha_ = {lasso.alpha_:<9.4g}" in proc.stdout
    bic = fastreg.LassoIC(criterion="bic", tol=1e-6, max_iter=100_000).fit(X, y)
    assert summary["ic"]["bic"]["alpha"] == pytest.approx(bic.alpha_, rel=1e-12)
    relaxed_cv = fastreg.LassoCV(cv=5, relax=True, tol=1e-6, max_iter=100_000).fit(X, y)
    assert summary["relaxed"]["gamma"] == relaxed_cv.gamma_
    assert "speed-up" in proc.stdout and "pure-Python reference" in proc.stdout
    return summary


def test_demo(tmp_path):
    out = tmp_path / "demo"
    proc = run_cli("demo", "--out", out, "--repeat", 1)
    summary = _check_demo_output(proc, out)
    if HAS_MPL:
        assert _is_png(out / "path.png") and _is_png(out / "cv.png")
        assert len(summary["plots"]) == 2
    else:
        assert 'pip install "fastreg[plot]"' in proc.stdout
        assert not list(out.glob("*.png"))


def test_demo_without_matplotlib(tmp_path):
    out = tmp_path / "demo"
    proc = run_cli("demo", "--out", out, "--repeat", 1, block=("matplotlib",))
    _check_demo_output(proc, out)
    assert "matplotlib is not installed" in proc.stdout
    assert 'pip install "fastreg[plot]"' in proc.stdout
    assert not list(out.glob("*.png"))


# ---------------------------------------------------------------------------
# fit
# ---------------------------------------------------------------------------

@pytest.fixture(scope="module")
def diabetes_files(tmp_path_factory):
    """The diabetes data in every supported format (the target in the middle of the
    CSV header, to exercise ``--target``)."""
    folder = tmp_path_factory.mktemp("data")
    X, y, names = load_diabetes()
    cols = list(names[:3]) + ["progression"] + list(names[3:])
    table = np.column_stack([X[:, :3], y, X[:, 3:]])
    for name, sep in (("diabetes.csv", ","), ("diabetes.tsv", "\t")):
        lines = [sep.join(cols)] + [sep.join(repr(float(v)) for v in row) for row in table]
        (folder / name).write_text("\n".join(lines) + "\n")
    with open(folder / "diabetes.svm", "w") as fh:  # one-based indices, zeros omitted
        for row, target in zip(X, y):
            fields = " ".join(f"{j + 1}:{float(v)!r}" for j, v in enumerate(row) if v != 0)
            fh.write(f"{float(target)!r} {fields}\n")
    np.savez(folder / "dense.npz", X=X, y=y)
    Xs = sp.csr_matrix(X)
    np.savez(folder / "sparse.npz", format=np.array("csr"), shape=np.array(Xs.shape),
             data=Xs.data, indices=Xs.indices, indptr=Xs.indptr, y=y)
    sp.save_npz(folder / "pair_X.npz", Xs)
    np.save(folder / "pair_y.npy", y)
    return folder, X, y, list(names)


def _read_coef_csv(path):
    rows = [line.split(",") for line in path.read_text().splitlines()]
    assert rows[0] == ["feature", "coef"] and rows[1][0] == "(intercept)"
    return [r[0] for r in rows[2:]], np.array([float(r[1]) for r in rows[2:]]), float(rows[1][1])


def test_fit_csv_lasso(diabetes_files, tmp_path):
    folder, X, y, names = diabetes_files
    proc = run_cli("fit", folder / "diabetes.csv", "--model", "lasso", "--alpha", 0.5,
                   "--target", "progression", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    got_names, coef, intercept = _read_coef_csv(tmp_path / "diabetes-coef.csv")
    # the command hands dense data to the estimator Fortran-ordered (the layout
    # changes round-off, which an ill-conditioned X amplifies to ~1e-9)
    est = fastreg.Lasso(alpha=0.5).fit(np.asfortranarray(X), y)
    assert got_names == names
    np.testing.assert_allclose(coef, est.coef_, rtol=1e-12, atol=1e-12)
    assert intercept == pytest.approx(est.intercept_, rel=1e-12)
    assert "n = 442 samples, p = 10 features" in proc.stdout
    datafit, penalty, total = map(float, SPLIT.search(proc.stdout).groups())
    assert datafit + penalty == pytest.approx(total, rel=1e-7)
    assert "duality gap" in proc.stdout and "time:" in proc.stdout


def test_fit_tsv_enet_cv_json(diabetes_files, tmp_path):
    folder, X, y, names = diabetes_files
    out = tmp_path / "coef.json"
    proc = run_cli("fit", folder / "diabetes.tsv", "--model", "enet", "--cv", 3,
                   "--l1-ratio", "0.2,0.8", "--target", "progression", "--out", out)
    assert proc.returncode == 0, proc.stderr
    got = json.loads(out.read_text())
    est = fastreg.ElasticNetCV(l1_ratio=[0.2, 0.8], cv=3).fit(np.asfortranarray(X), y)
    assert got["feature_names"] == names and got["estimator"] == "ElasticNetCV"
    assert got["alpha"] == pytest.approx(est.alpha_, rel=1e-12)
    assert got["l1_ratio"] == est.l1_ratio_
    np.testing.assert_allclose(got["coef"], est.coef_, rtol=1e-12, atol=1e-12)
    obj = got["objective"]
    assert obj["datafit"] + obj["penalty"] == pytest.approx(obj["total"], rel=1e-12)


@pytest.mark.parametrize("model, criterion", [("lasso", "bic"), ("enet", "aic"),
                                              ("lasso", "ebic")])
def test_fit_criterion(diabetes_files, tmp_path, model, criterion):
    folder, X, y, _ = diabetes_files
    out = tmp_path / "coef.json"
    proc = run_cli("fit", folder / "dense.npz", "--model", model, "--criterion", criterion,
                   "--out", out)
    assert proc.returncode == 0, proc.stderr
    got = json.loads(out.read_text())
    est = (fastreg.LassoIC(criterion=criterion) if model == "lasso" else
           fastreg.ElasticNetIC(l1_ratio=0.5, criterion=criterion)).fit(
        np.asfortranarray(X), y)
    assert got["estimator"] == type(est).__name__ and got["criterion"] == criterion
    assert got["alpha"] == pytest.approx(est.alpha_, rel=1e-12)
    np.testing.assert_allclose(got["coef"], est.coef_, rtol=1e-12, atol=1e-12)
    assert f"chosen by {criterion.upper()}" in proc.stdout and "noise variance" in proc.stdout


@pytest.mark.parametrize("model", ["lasso", "enet"])
def test_fit_relax(diabetes_files, tmp_path, model):
    folder, X, y, _ = diabetes_files
    out = tmp_path / "coef.json"
    proc = run_cli("fit", folder / "dense.npz", "--model", model, "--relax", "--cv", 3,
                   "--out", out)
    assert proc.returncode == 0, proc.stderr
    got = json.loads(out.read_text())
    est = (fastreg.LassoCV(cv=3, relax=True) if model == "lasso" else
           fastreg.ElasticNetCV(l1_ratio=0.5, cv=3, relax=True)).fit(np.asfortranarray(X), y)
    assert got["gamma"] == est.gamma_ and got["alpha"] == pytest.approx(est.alpha_, rel=1e-12)
    np.testing.assert_allclose(got["coef"], est.coef_, rtol=1e-12, atol=1e-12)
    assert f"relaxed, gamma = {est.gamma_:g}" in proc.stdout


@pytest.mark.parametrize("kwargs, words", [
    (dict(model="ridge", criterion="bic"), "apply to --model lasso and enet only"),
    (dict(model="ridge", relax=True), "apply to --model lasso and enet only"),
    (dict(model="lasso", relax=True, alpha=1.0), "does not combine with --alpha"),
    (dict(model="lasso", relax=True, criterion="bic"), "does not combine with --alpha"),
    (dict(model="enet", criterion="bic", l1_ratio=[0.2, 0.8]), "takes a single value"),
])
def test_make_estimator_refuses_combinations(kwargs, words):
    with pytest.raises(CommandError, match=words):
        make_estimator(X=np.zeros((3, 2)), **kwargs)


def test_fit_svmlight_ridge(diabetes_files, tmp_path):
    folder, X, y, _ = diabetes_files
    out = tmp_path / "ridge.csv"
    proc = run_cli("fit", folder / "diabetes.svm", "--model", "ridge", "--alpha", 2.0,
                   "--out", out)
    assert proc.returncode == 0, proc.stderr
    got_names, coef, intercept = _read_coef_csv(out)
    est = fastreg.Ridge(alpha=2.0).fit(sp.csc_matrix(X), y)
    assert got_names == [f"x{j}" for j in range(1, 11)]  # the file's one-based indices
    np.testing.assert_allclose(coef, est.coef_, rtol=1e-10)
    assert intercept == pytest.approx(est.intercept_, rel=1e-10)
    assert "sparse CSC" in proc.stdout


def test_fit_npz_default_cv(diabetes_files, tmp_path):
    folder, X, y, _ = diabetes_files
    proc = run_cli("fit", folder / "sparse.npz", "--model", "ridge", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    _, coef, _ = _read_coef_csv(tmp_path / "sparse-coef.csv")
    est = fastreg.RidgeCV(alphas=ridge_alphas(sp.csc_matrix(X))).fit(sp.csc_matrix(X), y)
    np.testing.assert_allclose(coef, est.coef_, rtol=1e-10)
    assert "leave-one-out" in proc.stdout


@pytest.mark.parametrize("name", ["diabetes.csv", "diabetes.tsv", "diabetes.svm",
                                  "dense.npz", "sparse.npz", "pair_X.npz"])
def test_load_data_formats(diabetes_files, name):
    folder, X, y, names = diabetes_files
    target = "progression" if name.startswith("diabetes.") and name != "diabetes.svm" else None
    data = load_data(folder / name, target=target)
    X_got = data.X.toarray() if sp.issparse(data.X) else data.X
    np.testing.assert_array_equal(X_got, X)
    np.testing.assert_array_equal(data.y, y)
    assert len(data.feature_names) == X.shape[1]
    assert sp.issparse(data.X) == (name in ("diabetes.svm", "sparse.npz", "pair_X.npz"))


def _bad_files(folder):
    """name -> (file content or None, extra arguments, expected words in the message)."""
    good = "a,b,y\n1,2,3\n4,5,6\n7,8,10\n"
    return {
        "missing": (None, ["missing.csv"], "no such file"),
        "ragged": ("a,b,y\n1,2,3\n4,5\n", ["ragged.csv"], "line 3: 2 fields"),
        "text": ("a,b,y\n1,2,3\n4,oops,6\n", ["text.csv"], "column 'b' is not numeric"),
        "empty-cell": ("a,b,y\n1,2,3\n4,,6\n", ["empty-cell.csv"], "empty value"),
        "nan": ("a,b,y\n1,2,3\n4,nan,6\n", ["nan.csv"], "NaN value in column 'b', line 3"),
        "inf": ("a,b,y\n1,2,3\n4,5,inf\n", ["inf.csv"], "infinite value in target"),
        "empty": ("", ["empty.csv"], "empty file"),
        "header-only": ("a,b,y\n", ["header-only.csv"], "no data rows"),
        "one-column": ("y\n1\n2\n", ["one-column.csv"], "no feature columns"),
        "target": (good, ["target.csv", "--target", "z"], "unknown target column 'z'"),
        "extension": (good, ["extension.xlsx"], "unknown file type"),
        "svmlight": ("1 1:2 oops\n", ["svmlight.svm"], "not a valid svmlight"),
        "svm-target": ("1 1:2\n", ["svm-target.svm", "--target", "y"],
                       "--target does not apply"),
        "npz-garbage": ("not a zip", ["npz-garbage.npz"], "not a readable .npz"),
        "cv-too-many": (good, ["cv-too-many.csv", "--cv", "10"], "cannot fit LassoCV"),
        "l1-ratio-lasso": (good, ["l1-ratio-lasso.csv", "--l1-ratio", "0.5"],
                           "--l1-ratio applies to --model enet only"),
        "out-ext": (good, ["out-ext.csv", "--out", "coef.txt"], "must end in .csv or .json"),
        "out-folder": (good, ["out-folder.csv", "--out", str(folder / "no" / "c.csv")],
                       "no such folder"),
    }


@pytest.mark.parametrize("case", sorted(_bad_files(Path("/tmp"))))
def test_fit_bad_input_in_process(case, tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    content, args, words = _bad_files(tmp_path)[case]
    if content is not None:
        (tmp_path / args[0]).write_text(content)
    assert main(["fit", *args]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("python -m fastreg fit: error: "), err
    assert words in err


def test_fit_npz_without_target(tmp_path, capsys):
    np.savez(tmp_path / "noy.npz", X=np.ones((3, 2)))
    assert main(["fit", str(tmp_path / "noy.npz")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "no target array 'y'" in err


@pytest.mark.parametrize("args, words", [
    (["fit", "d.csv", "--alpha", "1", "--cv", "3"], "not allowed with argument"),
    (["fit", "d.csv", "--alpha", "-1"], "must be a finite number >= 0"),
    (["fit", "d.csv", "--alpha", "nan"], "must be a finite number >= 0"),
    (["fit", "d.csv", "--cv", "1"], "needs at least 2 folds"),
    (["fit", "d.csv", "--model", "enet", "--l1-ratio", "1.5"], "must be in [0, 1]"),
    (["fit", "d.csv", "--model", "ols"], "invalid choice"),
    (["fit", "d.csv", "--criterion", "aic", "--alpha", "1"], "not allowed with argument"),
    (["fit", "d.csv", "--criterion", "hqc"], "invalid choice"),
    (["bench", "--size", "huge"], "invalid choice"),
    (["frobnicate"], "invalid choice"),
])
def test_usage_errors_in_process(args, words, capsys):
    with pytest.raises(SystemExit) as exc:
        main(args)
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "error:" in err and words in err, err


@pytest.mark.parametrize("args, words", [
    (["bench", "--peers", "sklearn,matlab"], "unknown peer 'matlab'"),
    (["bench", "--data", "/no/such/folder"], "no such folder"),
    (["bench", "--datasets", "leukemia"], "--datasets needs --data"),
])
def test_bench_bad_arguments(args, words, tmp_path, capsys):
    assert main([*args, "--out", str(tmp_path / "b")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and words in err, err


def test_bad_input_subprocess(tmp_path):
    """The real entry point: exit status 2, one line on stderr, no traceback."""
    (tmp_path / "nan.tsv").write_text("a\tb\ty\n1\t2\t3\n4\tNaN\t6\n")
    proc = run_cli("fit", tmp_path / "nan.tsv")
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.count("\n") == 1 and "Traceback" not in proc.stderr
    assert "NaN value in column 'b', line 3" in proc.stderr
    assert proc.stdout == ""


def test_demo_out_is_a_file(tmp_path, capsys):
    (tmp_path / "file").write_text("")
    assert main(["demo", "--out", str(tmp_path / "file")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "exists and is not a folder" in err


# ---------------------------------------------------------------------------
# bench
# ---------------------------------------------------------------------------

@pytest.fixture(scope="module")
def bench_run(tmp_path_factory):
    """``bench --size tiny --quick`` with scikit-learn and a blocked celer (a peer
    that is "not installed")."""
    out = tmp_path_factory.mktemp("bench")
    proc = run_cli("bench", "--size", "tiny", "--quick", "--peers", "sklearn,celer,numpy",
                   "--out", out, block=("celer",))
    return proc, out


def _table(text, heading):
    """Rows (lists of cells) of the first Markdown table after ``heading``."""
    lines = text[text.index(heading):].splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("|"))
    rows = []
    for line in lines[start:]:
        if not line.startswith("|"):
            break
        rows.append([c.strip() for c in line.strip("|").split("|")])
    return rows[0], rows[2:]


def test_bench_writes_report(bench_run):
    proc, out = bench_run
    assert proc.returncode == 0, proc.stderr
    assert "done" in proc.stderr  # the progress bar
    results = json.loads((out / "results.json").read_text())
    text = (out / "report.md").read_text()
    assert results["config"]["size"] == "tiny"
    assert [s["impl"] for s in results["skipped"]] == ["celer"]
    assert "celer: not installed" in text and "skipped celer" in proc.stdout
    assert {c["impl"] for c in results["cases"]} == {"fastreg", "reference", "sklearn",
                                                      "numpy"}
    for c in results["cases"]:
        assert c["status"] == "ok", c
        assert c["median"] == pytest.approx(float(np.median(c["times"])), rel=1e-12)
        assert c["gap"] <= c["gap_target"]
    assert {c["kind"] for c in results["cases"]} == {"fit", "path"}
    for section in ("Speed-up of fastreg", "All timings", "Lasso path", "Problems",
                    "Machine"):
        assert f"## {section}" in text
    if HAS_MPL:
        for name in ("speedup.png", "times.png", "path_time.png"):
            assert _is_png(out / name) and f"]({name})" in text
    else:
        assert "matplotlib is not installed" in text


def test_bench_report_matches_results(bench_run):
    """Every ratio of report.md is the one computed from the times of results.json."""
    _, out = bench_run
    results = json.loads((out / "results.json").read_text())
    text = (out / "report.md").read_text()
    median = {(c["kind"], c["task"], c["problem"], c["impl"], c.get("n_alphas")): c["median"]
              for c in results["cases"]}

    head, rows = _table(text, "## Speed-up of fastreg")
    checked = 0
    for row in rows[:-1]:  # the last row is the geometric mean
        task, prob = row[0], row[1]
        for impl, cell in zip(head[5:], row[5:]):
            key = ("fit", task, prob, impl, None)
            if key in median:
                ratio = median[key] / median[("fit", task, prob, "fastreg", None)]
                assert cell == fmt_ratio(ratio)
                checked += 1
            else:
                assert cell == "-"
    assert checked >= 10

    head, rows = _table(text, "## All timings")
    for row in rows:
        cell = dict(zip(head, row))
        if cell["impl"] != "fastreg":
            ratio = (median[("fit", cell["task"], cell["problem"], cell["impl"], None)]
                     / median[("fit", cell["task"], cell["problem"], "fastreg", None)])
            assert cell["vs fastreg"] == fmt_ratio(ratio)

    head, rows = _table(text, "## Lasso path")
    assert rows
    for row in rows:
        cell = dict(zip(head, row))
        if cell["impl"] != "fastreg":
            n_alphas = int(cell["alphas"])
            key = ("path", "lasso_path", cell["problem"], cell["impl"], n_alphas)
            base = ("path", "lasso_path", cell["problem"], "fastreg", n_alphas)
            assert cell["vs fastreg"] == fmt_ratio(median[key] / median[base])
    # the report is a pure function of the results
    from fastreg.cli import _plots

    plots = ({"speedup": "speedup.png", "times": "times.png", "path": "path_time.png"}
             if HAS_MPL else {"speedup": f"Plots not written: {_plots.missing()}."})
    assert markdown(results, plots) == text


def test_bench_plots_need_matplotlib(bench_run, tmp_path, monkeypatch):
    from fastreg.cli.bench import write_plots

    _, out = bench_run
    results = json.loads((out / "results.json").read_text())
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    plots = write_plots(results, tmp_path)
    assert list(plots) == ["speedup"] and 'pip install "fastreg[plot]"' in plots["speedup"]
    assert "*Plots not written" in markdown(results, plots)
    assert not list(tmp_path.glob("*.png"))


def test_report_from_pytest_benchmark():
    """``python -m bench.report`` renders pytest-benchmark files with the same tables."""
    def entry(impl, median):
        info = dict(impl=impl, task="lasso", problem="corr", n=50, p=20, density=1.0,
                    nnz=1000, dtype="float64", format="dense", alpha=0.1, l1_ratio=1.0,
                    tol=1e-6, gap=1e-9, gap_rel=1e-7, gap_target=1e-8, n_iter=12,
                    solver=None, coef_nnz=5)
        return dict(extra_info=info, options={"timer": "perf_counter"},
                    stats=dict(median=median, min=median, rounds=5, data=[median] * 5))

    data = dict(benchmarks=[entry("fastreg", 0.002), entry("sklearn", 0.005)],
                machine_info={})
    text = markdown(from_pytest_benchmark(data))
    assert "| lasso | corr | 50 x 20 | 1 | 2 ms | 2.5x |" in text


def test_help_lists_the_commands(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["--help"])
    assert exc.value.code == 0
    out = capsys.readouterr().out
    assert all(cmd in out for cmd in ("demo", "fit", "bench"))


def test_calibration_gives_up_when_the_gap_stalls():
    """A solver whose stopping rule stalls above the target is reported, not waited on."""
    from fastreg.benchmarks.accuracy import STALL_STEPS, CalibrationError, calibrate_path_tol

    X = np.eye(3)
    y = np.array([1.0, 2.0, 3.0])
    alphas = np.array([0.1])
    runs = []

    def stalled(tol):  # always the same, non-optimal point
        runs.append(tol)
        return np.zeros((3, 1)), {}

    with pytest.raises(CalibrationError, match="stalls"):
        calibrate_path_tol(stalled, X, y, alphas, 1e-6)
    assert len(runs) == STALL_STEPS + 1
