"""Dask input: detection, alignment and validation, the one-pass statistics, fault
tolerance, and the layout of fastreg._dask (no estimator imported).

Helpers: tests/dask_common.py; the fixtures dask_client and dask_scheduler:
tests/conftest.py.
"""
import ast
import os
import pathlib
import subprocess
import sys

import numpy as np
import pytest
import scipy.sparse as sp

import dask
import dask.array as da

import fastreg
from fastreg import reference as ref
from fastreg._dask import is_dask_collection

from conftest import make_sample_weight
from dask_common import N, P, problem, rel, to_dask


# --------------------------------------------------------------------------
# plumbing
# --------------------------------------------------------------------------
def test_detection_is_by_type_module():
    X, y = problem()
    assert not is_dask_collection(X)
    assert not is_dask_collection(sp.csr_matrix(X))
    assert is_dask_collection(to_dask(X))


def test_import_and_numpy_fit_without_dask():
    code = ("import sys; sys.modules['dask'] = None; sys.modules['distributed'] = None\n"
            "import numpy as np, fastreg\n"
            "X = np.random.default_rng(0).standard_normal((30, 3)); y = X.sum(axis=1)\n"
            "fastreg.Ridge().fit(X, y); fastreg.Lasso(alpha=0.1).fit(X, y)\n"
            "assert 'dask.array' not in sys.modules or sys.modules['dask'] is None\n"
            "print('ok')")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         cwd=os.path.dirname(os.path.dirname(fastreg.__file__)))
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "ok"


def test_chunk_statistics_merge_equals_direct_computation():
    """Chan et al.'s merge over chunks (an empty one, an all-zero-weight one,
    sparse and dense) equals the statistics computed on all rows at once."""
    from fastreg._dask.stats import merge_all, rows_stats

    X, Y = problem(seed=21, n_targets=2, shift=100.0)
    sw = make_sample_weight(N, "random")
    sw[200:260] = 0.0
    cuts = [0, 0, 77, 200, 260, 261, 400, N]
    parts = [rows_stats(sp.csr_matrix(X[a:b]) if k % 2 else X[a:b], Y[a:b], sw[a:b])
             for k, (a, b) in enumerate(zip(cuts[:-1], cuts[1:]))]
    st = merge_all(parts)
    dense = merge_all([rows_stats(X[a:b], Y[a:b], sw[a:b])
                       for a, b in zip(cuts[:-1], cuts[1:])])
    W = sw.sum()
    mx, my = sw @ X / W, sw @ Y / W
    Xc, Yc = (X - mx) * np.sqrt(sw)[:, None], (Y - my) * np.sqrt(sw)[:, None]
    assert st.n == N and st.W == pytest.approx(W, rel=1e-14)
    assert rel(st.mx, mx) < 1e-13 and rel(st.my, my) < 1e-13
    # dense chunks are centred by their own means: no cancellation
    assert rel(dense.Cxx, Xc.T @ Xc) < 1e-13
    # sparse chunks subtract their rank-one mean term (as fastreg's in-memory
    # sparse Gram matrix does): ~eps * mean^2 / variance = 1e-12 here
    assert rel(st.Cxx, Xc.T @ Xc) < 1e-10
    assert rel(st.Cxy, Xc.T @ Yc) < 1e-12
    assert rel(st.cyy, (Yc * Yc).sum(axis=0)) < 1e-12
    G, Xy, yy = st.moments(fit_intercept=False)  # uncentred: X^T S X etc.
    assert rel(G, X.T @ (sw[:, None] * X)) < 1e-12
    assert rel(Xy, X.T @ (sw[:, None] * Y)) < 1e-12
    assert rel(yy, sw @ (Y * Y)) < 1e-12


# --------------------------------------------------------------------------
# validation
# --------------------------------------------------------------------------
def test_bad_input_raises_clear_errors():
    X, y = problem(seed=16)
    Xd = to_dask(X)
    with dask.config.set(scheduler="sync"):
        with pytest.raises(ValueError, match="y has 500 rows but X has 503"):
            fastreg.Ridge().fit(Xd, da.from_array(y[:500]))
        with pytest.raises(ValueError, match="y must have 503 rows"):
            fastreg.Lasso().fit(Xd, y[:-1])
        with pytest.raises(ValueError, match="sample_weight has 10 rows"):
            fastreg.Ridge().fit(Xd, y, sample_weight=da.ones(10))
        Xn = X.copy()
        Xn[321, 2] = np.nan
        with pytest.raises(ValueError, match="X contains NaN"):
            fastreg.Lasso(alpha=0.1).fit(to_dask(Xn), y)
        sw0 = np.ones(N)
        sw0[:100] = 0.0  # the NaN sits in an all-zero-weight chunk: still an error
        Xn0 = X.copy()
        Xn0[50, 1] = np.nan
        with pytest.raises(ValueError, match="X contains NaN"):
            fastreg.Ridge().fit(to_dask(Xn0), y, sample_weight=sw0)
        with pytest.raises(ValueError, match="X must be 2-D"):
            fastreg.Ridge().fit(da.from_array(y), y)
        yn = y.copy()
        yn[5] = np.inf
        with pytest.raises(ValueError, match="y contains NaN"):
            fastreg.Ridge().fit(Xd, yn)
        sw = np.ones(N)
        sw[400] = -1
        with pytest.raises(ValueError, match="sample_weight must be finite and non-neg"):
            fastreg.Ridge().fit(Xd, y, sample_weight=da.from_array(sw, chunks=50))
        with pytest.raises(ValueError, match="positive sum"):
            fastreg.Ridge().fit(Xd, y, sample_weight=da.zeros(N, chunks=100))
        unknown = Xd[Xd[:, 0] > -1e9]
        with pytest.raises(ValueError, match="unknown chunk sizes"):
            fastreg.Ridge().fit(unknown, y)
        Xs = da.from_array(X, chunks=(100, 4)).map_blocks(sp.csr_matrix, dtype=X.dtype)
        with pytest.raises(ValueError, match="single column block"):
            fastreg.Ridge().fit(Xs, y)
        with pytest.raises(ValueError, match="scoring=None"):
            fastreg.RidgeCV(scoring="r2").fit(Xd, y)
        with pytest.raises(ValueError, match="penalty_factor must have shape"):
            fastreg.Lasso(penalty_factor=np.ones(P + 1)).fit(Xd, y)


# --------------------------------------------------------------------------
# fault tolerance (last: it costs the cluster a worker restart)
# --------------------------------------------------------------------------
def _kill_once(x, marker, k, block_info=None):
    """Kill this worker process the first time chunk ``k`` is produced."""
    if block_info[0]["chunk-location"][0] == k and not os.path.exists(marker):
        with open(marker, "w"):
            pass
        os._exit(1)
    return x


def test_worker_killed_mid_computation_still_exact(dask_client, tmp_path):
    X, y = problem(seed=17)
    sw = make_sample_weight(N, "random")
    marker = str(tmp_path / "killed")
    Xk = to_dask(X).map_blocks(_kill_once, marker, 2, dtype=X.dtype)
    with dask_client.as_current(), dask.config.set(scheduler="dask.distributed"):
        est = fastreg.Ridge(alpha=3.0).fit(Xk, y, sample_weight=sw)
    assert os.path.exists(marker)  # the worker did die
    w_ref, b_ref = ref.ridge_closed_form(X, y, 3.0, sample_weight=sw)
    assert rel(est.coef_, w_ref) < 1e-9
    assert abs(est.intercept_ - b_ref) <= 1e-9 * abs(b_ref)


# --------------------------------------------------------------------------
# layout: the Dask route imports no estimator module
# --------------------------------------------------------------------------
ESTIMATOR_MODULES = {"fastreg._base", "fastreg._coordinate_descent", "fastreg._cv",
                     "fastreg._ridge", "fastreg._ridge_cv"}
PACKAGE = pathlib.Path(fastreg.__file__).parent


def _module_file(name):
    """The source of fastreg module ``name``, or None (an attribute, a compiled
    kernel, another package)."""
    if name != "fastreg" and not name.startswith("fastreg."):
        return None
    path = PACKAGE.joinpath(*name.split(".")[1:])
    for candidate in (path / "__init__.py", path.with_suffix(".py")):
        if candidate.is_file():
            return candidate
    return None


def _imported(name, path):
    """The absolute names of what module ``name`` (at ``path``) imports, at any
    depth of its code (function-level imports included); for ``from m import
    a``, both ``m`` and ``m.a`` (a may be a submodule)."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                parts = package.split(".")
                base = parts[:len(parts) - node.level + 1]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module
            yield module
            yield from (f"{module}.{alias.name}" for alias in node.names)


def test_dask_modules_import_no_estimator_module():
    """Neither directly nor through the shared modules they use: the estimators
    dispatch into fastreg._dask, never the other way round (no import circle)."""
    dask_files = sorted((PACKAGE / "_dask").glob("*.py"))
    assert {f.stem for f in dask_files} >= {"__init__", "stats", "enet", "ridge", "admm"}
    seen, todo = {}, [("fastreg._dask" + ("" if f.stem == "__init__" else "." + f.stem), f)
                      for f in dask_files]
    while todo:
        name, path = todo.pop()
        if name in seen:
            continue
        seen[name] = sorted(set(_imported(name, path)))
        for dep in seen[name]:
            dep_file = _module_file(dep)
            if dep_file is not None:
                todo.append((dep, dep_file))
    reached = {dep: name for name, deps in seen.items() for dep in deps
               if dep in ESTIMATOR_MODULES}
    assert not reached, f"imported (module: by): {reached}"
    # the walk did follow the shared helpers
    assert {"fastreg._enet_solver", "fastreg._selection", "fastreg._result"} <= set(seen)


def test_no_old_dask_module_left():
    """The flat modules are gone (an editable install elsewhere must not shadow
    them silently)."""
    for old in ("_dask_fit", "_dask_stats", "_dask_admm"):
        assert not (PACKAGE / f"{old}.py").exists()
