"""Hardening (issue 6): the promises about bad input, the user's data, memory,
non-convergence, pickling and threads that the other test files leave open.

Already covered elsewhere, and not repeated here: the bulk of the bad-input
errors (test_validation.py), inputs left unchanged by ``fit`` on the common
layouts, read-only inputs and a C-ordered memory map, ``copy_X=False``
(test_edge_cases.py), two-thread fits on distinct problems (test_threads.py),
a default-estimator pickle round trip (test_estimator_checks.py).
"""
import contextlib
import os
import pickle
import re
import subprocess
import sys
import textwrap
import tracemalloc
import warnings
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.base import clone
from sklearn.exceptions import ConvergenceWarning

import fastreg
from fastreg import ElasticNet, Lasso, Ridge
from fastreg import reference as ref
from fastreg._validation import check_sparse_structure

from conftest import (assert_coef_close, centred_weighted, make_problem,
                      make_sample_weight, to_layout)

N, P = 40, 12


def problem(seed=6, n=N, p=P, **kw):
    kw.setdefault("density", 0.5)
    return make_problem(n=n, p=p, seed=seed, **kw)


def estimators():
    """One estimator per route through the library."""
    return [
        Lasso(alpha=0.05, tol=1e-10),
        ElasticNet(alpha=0.05, l1_ratio=0.5, tol=1e-10),
        ElasticNet(alpha=0.05, l1_ratio=0.5, positive=True, tol=1e-10),
        ElasticNet(alpha=0.05, l1_ratio=0.7, tol=1e-10, selection="random",
                   random_state=3),
        Ridge(alpha=0.5),
        Ridge(alpha=0.5, solver="svd"),
        Ridge(alpha=0.5, solver="lsqr", tol=1e-12),
        Ridge(alpha=0.5, solver="sparse_cg", tol=1e-12),
        Ridge(alpha=0.5, solver="cd", tol=1e-12, max_iter=10000),
        Ridge(alpha=0.5, positive=True, tol=1e-12, max_iter=10000),
    ]


def est_id(est):
    params = est.get_params()
    extra = [f"{k}={params[k]}" for k in ("solver", "positive", "selection")
             if k in params and params[k] not in ("auto", False, "cyclic")]
    return "-".join([type(est).__name__] + extra)


ESTIMATORS = estimators()
IDS = [est_id(e) for e in ESTIMATORS]


def fresh(est, **params):
    return clone(est).set_params(**params)


def quiet_fit(est, X, y, **kw):
    """Fit, ignoring ConvergenceWarning (float32 with tight tolerances)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return est.fit(X, y, **kw)


def _arrays(a):
    if sp.issparse(a):
        if a.format == "coo":
            return [a.data, a.row, a.col]
        return [a.data, a.indices, a.indptr]
    return [np.asarray(a)]


def snapshot(a):
    """Bitwise copies of the arrays behind a dense or sparse input."""
    return [np.array(x, copy=True) for x in _arrays(a)]


def assert_unchanged(before, a):
    for old, new in zip(before, _arrays(a)):
        assert old.dtype == new.dtype and old.shape == new.shape
        assert old.tobytes() == np.ascontiguousarray(new).tobytes()


def names(excinfo, name):
    msg = str(excinfo.value)
    return re.search(rf"(?<![A-Za-z0-9_]){re.escape(name)}(?![A-Za-z0-9_])", msg), msg


@contextlib.contextmanager
def unraisable_exceptions():
    """Collect exceptions swallowed by ``noexcept`` Cython functions.

    A Cython ``cdef ... noexcept`` function cannot propagate an exception (for
    instance an IndexError of the debug build's bounds checks): it reports it
    through ``sys.unraisablehook`` and carries on. Tests that must see those
    use this collector.
    """
    seen = []
    old = sys.unraisablehook

    def hook(unraisable):
        seen.append(f"{unraisable.exc_type.__name__}: {unraisable.exc_value} "
                    f"(in {unraisable.object!r})")

    sys.unraisablehook = hook
    try:
        yield seen
    finally:
        sys.unraisablehook = old


def run_python(code, timeout=120):
    """Run ``code`` in a fresh interpreter that imports this same fastreg."""
    root = os.path.dirname(os.path.dirname(os.path.abspath(fastreg.__file__)))
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([root, env.get("PYTHONPATH", "")])
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code)], env=env,
                          capture_output=True, text=True, timeout=timeout, cwd=root)


# ==========================================================================
# 1. bad input: what test_validation.py does not cover
# ==========================================================================
def _valid(fmt, cls_kind, index_dtype):
    X, _ = problem()
    M = to_layout(X, fmt, index_dtype=index_dtype)
    if cls_kind == "array":
        M = (sp.csr_array if fmt == "csr" else sp.csc_array)(M)
        M.indices = M.indices.astype(index_dtype)
        M.indptr = M.indptr.astype(index_dtype)
    return M


def _corruptions(M):
    """(label, corrupted copy) pairs: every inconsistency of the index arrays."""
    n_minor = M.shape[1] if M.format == "csr" else M.shape[0]
    idt = M.indices.dtype
    out = []

    def variant(label, **arrays):
        C = M.copy()
        for k, v in arrays.items():
            setattr(C, k, v)
        out.append((label, C))

    variant("indptr too short", indptr=M.indptr[:-1].copy())
    variant("indptr too long", indptr=np.r_[M.indptr, M.indptr[-1]].astype(idt))
    variant("indptr does not start at 0", indptr=np.r_[1, M.indptr[1:]].astype(idt))
    variant("indptr decreasing", indptr=np.r_[M.indptr[:3], M.indptr[1], M.indptr[4:]]
            .astype(idt))
    variant("indptr[-1] past nnz", indptr=np.r_[M.indptr[:-1], M.nnz + 3].astype(idt))
    variant("data shorter than indices", data=M.data[:-1].copy())
    variant("indices shorter than data", indices=M.indices[:-1].copy(),
            indptr=np.r_[M.indptr[:-1], M.nnz - 1].astype(idt))
    bad = M.indices.copy()
    bad[-1] = n_minor
    variant("index == n_minor", indices=bad)
    bad = M.indices.copy()
    bad[0] = -1
    variant("negative index", indices=bad)
    if idt == np.int64:
        bad = M.indices.copy()
        bad[1] = 2 ** 40  # would wrap to a small number if cast to int32
        variant("index beyond int32", indices=bad)
        bad = M.indices.copy()
        bad[1] = 2 ** 32  # exactly 0 modulo 2**32
        variant("index 2**32", indices=bad)
    return out


@pytest.mark.parametrize("index_dtype", [np.int32, np.int64])
@pytest.mark.parametrize("cls_kind", ["matrix", "array"])
@pytest.mark.parametrize("fmt", ["csr", "csc"])
def test_check_sparse_structure_rejects_every_inconsistency(fmt, cls_kind, index_dtype):
    M = _valid(fmt, cls_kind, index_dtype)
    check_sparse_structure(M)  # the valid matrix passes
    empty = (sp.csr_matrix if fmt == "csr" else sp.csc_matrix)(M.shape)
    check_sparse_structure(empty)  # nnz == 0 is consistent
    for label, C in _corruptions(M):
        with pytest.raises(ValueError) as excinfo:
            check_sparse_structure(C)
        ok, msg = names(excinfo, "X")
        assert ok, f"{label}: message does not name X: {msg!r}"


@pytest.mark.parametrize("est", [Lasso(), Ridge(), Ridge(positive=True)], ids=est_id)
@pytest.mark.parametrize("cls_kind", ["matrix", "array"])
@pytest.mark.parametrize("fmt", ["csr", "csc"])
def test_estimators_reject_corrupt_structure_in_fit_and_predict(fmt, cls_kind, est):
    """test_validation.py corrupts four ways through fit; here every way, both
    index widths' worth of checks, sparse arrays as well as matrices, and
    predict."""
    X, y = problem()
    fitted = fresh(est).fit(X, y)
    for label, C in _corruptions(_valid(fmt, cls_kind, np.int64)):
        for call in (lambda: fresh(est).fit(C, y), lambda: fitted.predict(C)):
            with pytest.raises(ValueError) as excinfo:
                call()
            ok, msg = names(excinfo, "X")
            assert ok, f"{label}: {msg!r}"


def test_corrupt_coo_is_rejected_not_crashing():
    """A COO matrix whose coordinates were corrupted after construction must
    give a clear error naming X at fit and at predict.

    COO input is handed to scipy (COO->CSR conversion in fit, the COO mat-vec
    in predict), which trusts its coordinates, so they must be checked first.
    Run in a subprocess: unchecked, the failure mode is a segfault (and, under
    AddressSanitizer, an out-of-bounds read in the sparse kernel).
    """
    out = run_python("""
        import numpy as np, scipy.sparse as sp
        from fastreg import Lasso, Ridge
        rng = np.random.default_rng(0)
        X = rng.standard_normal((30, 5)); y = rng.standard_normal(30)
        for Est in (Lasso, Ridge):
            fitted = Est().fit(X, y)
            for what, idx in (("row", 10 ** 6), ("col", 10 ** 6), ("col", -3)):
                for where in ("fit", "predict"):
                    M = sp.coo_matrix(X)
                    getattr(M, what)[3] = idx
                    try:
                        if where == "fit":
                            Est().fit(M, y)
                        else:
                            fitted.predict(M)
                        print(Est.__name__, where, what, idx, "NO ERROR", flush=True)
                    except ValueError as exc:
                        tag = "OK" if "X" in str(exc) else "UNNAMED"
                        print(Est.__name__, where, what, idx, tag, flush=True)
    """)
    lines = out.stdout.strip().splitlines()
    report = f"exit code {out.returncode}; stdout:\n{out.stdout}\nstderr tail:\n" \
             f"{out.stderr[-2000:]}"
    assert out.returncode == 0, report
    assert len(lines) == 12 and all(line.endswith(" OK") for line in lines), report


@pytest.mark.parametrize("Est", [Lasso, ElasticNet, Ridge])
def test_y_with_no_column_rejected(Est):
    """y of shape (n, 0) has no target: scikit-learn rejects it ('Found array
    with 0 feature(s)'); fitting zero models silently is not an answer."""
    X, y = problem()
    with pytest.raises(ValueError) as excinfo:
        Est().fit(X, np.empty((N, 0)))
    ok, msg = names(excinfo, "y")
    assert ok, msg


@pytest.mark.parametrize("Est", [Lasso, ElasticNet, Ridge])
def test_sparse_y_error_names_y(Est):
    X, y = problem()
    for Y in (sp.csr_matrix(y[:, None]), sp.csc_matrix(np.c_[y, y])):
        with pytest.raises((TypeError, ValueError)) as excinfo:
            Est().fit(X, Y)
        ok, msg = names(excinfo, "y")
        assert ok, msg


@pytest.mark.parametrize("Est", [Lasso, ElasticNet, Ridge])
def test_huge_max_iter_accepted_or_named(Est):
    """max_iter beyond the C int range: either accepted (scikit-learn has no
    upper bound) or rejected with a message naming max_iter."""
    X, y = problem()
    try:
        est = Est(alpha=0.05, max_iter=2 ** 40).fit(X, y)
    except (TypeError, ValueError, OverflowError) as exc:
        assert re.search(r"\bmax_iter\b", str(exc)), f"{type(exc).__name__}: {exc}"
    else:
        assert np.all(np.isfinite(est.coef_))


# ==========================================================================
# 2. the user's arrays are bit-identical afterwards (predict, in-place routes)
# ==========================================================================
@pytest.mark.parametrize("est", ESTIMATORS, ids=IDS)
def test_predict_leaves_inputs_unchanged(est):
    X, y = problem()
    fitted = quiet_fit(fresh(est), X, y)
    variants = [to_layout(X, "dense"), to_layout(X, "dense_f"),
                to_layout(X, "dense", np.float32), to_layout(X, "csc"),
                to_layout(X, "csr", index_dtype=np.int64), sp.coo_matrix(X),
                np.asarray(X)[:, ::1][::-1]]
    for V in variants:
        before = snapshot(V)
        writeable = None if sp.issparse(V) else V.flags.writeable
        fitted.predict(V)
        assert_unchanged(before, V)
        if writeable is not None:
            assert V.flags.writeable == writeable


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("est", ESTIMATORS, ids=IDS)
def test_fit_without_centering_leaves_fortran_X_unchanged(est, dtype):
    """fit_intercept=False, no weights, Fortran-ordered float X: the kernels
    work on the user's array itself (no copy), and must not write to it."""
    X, y = problem()
    XF = to_layout(X, "dense_f", dtype)
    Y = np.asfortranarray(np.c_[y, -2 * y].astype(dtype))
    before, y0, Y0 = snapshot(XF), y.copy(), Y.copy()
    quiet_fit(fresh(est, fit_intercept=False), XF, y)
    quiet_fit(fresh(est, fit_intercept=False), XF, Y)
    assert_unchanged(before, XF)
    assert np.array_equal(y, y0) and np.array_equal(Y, Y0)
    assert XF.flags.f_contiguous and XF.flags.writeable


@pytest.mark.parametrize("est", ESTIMATORS, ids=IDS)
def test_other_inputs_unchanged(est):
    """int64 sparse indices, integer weights, 2-D F-ordered y, warm starts and
    a DataFrame: all left as they were."""
    pd = pytest.importorskip("pandas")
    X, y = problem()
    sw = make_sample_weight(N, "with_zeros", seed=3)
    sw_int = np.round(3 * sw).astype(np.int64)
    Y = np.asfortranarray(np.c_[y, y ** 2])
    df = pd.DataFrame(X, columns=[f"c{j}" for j in range(P)])
    df_before = df.copy(deep=True)
    for Xl in (to_layout(X, "csc", index_dtype=np.int64),
               to_layout(X, "csr", index_dtype=np.int64), to_layout(X, "dense_f")):
        before = snapshot(Xl)
        inputs = [y.copy(), Y.copy(), sw.copy(), sw_int.copy()]
        e = fresh(est)
        if "warm_start" in e.get_params():
            e.set_params(warm_start=True)
        quiet_fit(e, Xl, y, sample_weight=sw_int)
        quiet_fit(e, Xl, y, sample_weight=sw)  # warm start from the previous fit
        quiet_fit(e, Xl, Y, sample_weight=sw)
        assert_unchanged(before, Xl)
        for old, new in zip(inputs, [y, Y, sw, sw_int]):
            assert old.dtype == new.dtype and np.array_equal(old, new)
    quiet_fit(fresh(est), df, y, sample_weight=sw)
    pd.testing.assert_frame_equal(df, df_before, check_exact=True)


# ==========================================================================
# 3. read-only and memory-mapped arrays: accepted, and not copied
# ==========================================================================
def _peak_bytes(fn):
    """Peak of the memory traced by tracemalloc (numpy reports its buffers)."""
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        fn()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


@pytest.fixture(scope="module")
def mapped(tmp_path_factory):
    """A tall problem saved to disk and opened read-only (np.load mmap_mode='r')."""
    d = tmp_path_factory.mktemp("mmap")
    rng = np.random.default_rng(8)
    n, p = 4000, 60
    X = rng.standard_normal((n, p)) + rng.uniform(-1, 2, p)
    y = X[:, :6] @ rng.standard_normal(6) + 0.3 * rng.standard_normal(n) + 2.0
    S = sp.csc_matrix(np.where(rng.random((n, p)) < 0.1, X, 0.0))
    files = {"XF": np.asfortranarray(X), "XC": np.ascontiguousarray(X),
             "XF32": np.asfortranarray(X, dtype=np.float32), "y": y,
             "data": S.data, "indices": S.indices.astype(np.int32),
             "indptr": S.indptr.astype(np.int32)}
    out = {}
    for name, arr in files.items():
        np.save(d / f"{name}.npy", arr)
        out[name] = np.load(d / f"{name}.npy", mmap_mode="r")
        assert isinstance(out[name], np.memmap) and not out[name].flags.writeable
    out["S"] = sp.csc_matrix((out["data"], out["indices"], out["indptr"]), shape=(n, p))
    assert np.shares_memory(out["S"].data, out["data"])
    out["X"], out["Sdense"] = X, S.toarray()
    # One-time initialisations (the BLAS thread controller, lazily imported
    # modules) are not copies of X: do them before anything is measured.
    Lasso(alpha=0.1).fit(X[:50], y[:50])
    return out


NO_COPY_ROUTES = [
    Lasso(alpha=0.05, fit_intercept=False),
    ElasticNet(alpha=0.05, fit_intercept=False),
    Ridge(alpha=1.0, fit_intercept=False),
    Ridge(alpha=1.0, fit_intercept=False, solver="lsqr"),
    Ridge(alpha=1.0, fit_intercept=False, solver="sparse_cg"),
    Ridge(alpha=1.0, fit_intercept=False, positive=True),
]


@pytest.mark.parametrize("Xname", ["XF", "XF32"])
@pytest.mark.parametrize("est", NO_COPY_ROUTES, ids=est_id)
def test_fortran_memmap_used_in_place(est, Xname, mapped):
    """No centering, no weights, Fortran order: the memory map is used as it is
    (peak traced allocation well below the size of X), and the result is that
    of an in-memory copy."""
    X, y = mapped[Xname], mapped["y"]
    got = fresh(est)
    peak = _peak_bytes(lambda: quiet_fit(got, X, y))
    assert peak < 0.25 * X.nbytes, f"{peak} bytes traced for X of {X.nbytes}"
    expected = quiet_fit(fresh(est), np.array(X), np.array(y))
    np.testing.assert_array_equal(got.coef_, expected.coef_)


@pytest.mark.parametrize("Xname", ["XF", "XC"])
def test_centering_makes_exactly_one_copy(Xname, mapped):
    """With an intercept, one working copy of X (centred in Fortran order),
    whatever the order of the read-only input."""
    X, y = mapped[Xname], mapped["y"]
    peak = _peak_bytes(lambda: Lasso(alpha=0.05).fit(X, y))
    assert 0.9 * X.nbytes < peak < 1.3 * X.nbytes, (peak, X.nbytes)


@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("est", [Lasso(alpha=0.05), ElasticNet(alpha=0.05, l1_ratio=0.3),
                                 Ridge(alpha=1.0, positive=True)], ids=est_id)
def test_sparse_memmap_not_copied(est, fit_intercept, mapped):
    """Canonical CSC from memory-mapped data/indices/indptr: centering is
    implicit, so nothing of the size of the data is allocated; with sample
    weights, one copy of ``data`` only."""
    S, y = mapped["S"], mapped["y"]
    size = S.data.nbytes + S.indices.nbytes
    got = fresh(est, fit_intercept=fit_intercept, tol=1e-10)
    peak = _peak_bytes(lambda: got.fit(S, y))
    # Nothing of the size of the data; O(n) work vectors (the target's copy,
    # the residual and the extrapolated residual, ...) are expected.
    n_vectors = 4 * S.shape[0] * 8
    assert peak < 0.25 * size + n_vectors, (peak, size, n_vectors)
    expected = fresh(est, fit_intercept=fit_intercept, tol=1e-10).fit(mapped["Sdense"],
                                                                       np.array(y))
    assert_coef_close(got.coef_, expected.coef_, 1e-5)  # dense and sparse kernels
    sw = np.linspace(0.5, 2.0, S.shape[0])
    peak_w = _peak_bytes(lambda: fresh(est, fit_intercept=fit_intercept).fit(
        S, y, sample_weight=sw))
    # the rescaled copy of data (and its temporary), plus vectors of length n
    assert peak_w < 2 * S.data.nbytes + 64 * S.shape[0], (peak_w, S.data.nbytes)


@pytest.mark.parametrize("est", ESTIMATORS, ids=IDS)
def test_read_only_with_copy_X_false(est):
    """copy_X=False allows centering in place, but a read-only X must then be
    copied, not written to (or rejected)."""
    X, y = problem()
    XF = to_layout(X, "dense_f")
    XF.setflags(write=False)
    got = quiet_fit(fresh(est, copy_X=False), XF, y)
    assert np.array_equal(XF, X) and not XF.flags.writeable
    # the same data in the same layout, writable and copied by copy_X=True: the
    # same arithmetic (a C-ordered X would be centred in another order, which
    # at tol=1e-4 moves the iterates by more than round-off)
    expected = quiet_fit(fresh(est), to_layout(X, "dense_f"), y)
    assert_coef_close(got.coef_, expected.coef_, 1e-10)


# ==========================================================================
# 4. non-contiguous views
# ==========================================================================
def _strided(a, step=2, order="C"):
    """A view of ``a`` with every axis strided by ``step`` (same values)."""
    a = np.asarray(a)
    big = np.zeros(tuple(step * s for s in a.shape), dtype=a.dtype, order=order)
    view = big[tuple(slice(None, None, step) for _ in a.shape)]
    view[...] = a
    assert not view.flags.c_contiguous and not view.flags.f_contiguous
    return view


def _reversed(a):
    a = np.asarray(a)
    big = np.array(a[::-1, ::-1] if a.ndim == 2 else a[::-1])
    return big[::-1, ::-1] if a.ndim == 2 else big[::-1]


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("est", ESTIMATORS, ids=IDS)
def test_strided_views_give_the_same_result(est, dtype):
    X, y = problem()
    X = X.astype(dtype)
    sw = make_sample_weight(N, "random", seed=2)
    Y = np.c_[y, 0.5 * y + 1]
    expected = quiet_fit(fresh(est), np.ascontiguousarray(X), y, sample_weight=sw)
    expected_2d = quiet_fit(fresh(est), np.ascontiguousarray(X), Y)
    rtol = 1e-9 if dtype == np.float64 else 1e-4
    for Xv in (_strided(X), _strided(X, 3, "F"), _reversed(X), X.T.copy().T[:, ::1]):
        got = quiet_fit(fresh(est), Xv, _strided(y), sample_weight=_reversed(sw))
        assert_coef_close(got.coef_, expected.coef_, rtol, "strided X, y, sw:")
        np.testing.assert_allclose(got.intercept_, expected.intercept_, rtol=rtol,
                                   atol=rtol)
        got2 = quiet_fit(fresh(est), Xv, _strided(Y))
        for k in range(2):
            assert_coef_close(got2.coef_[k], expected_2d.coef_[k], rtol)
        np.testing.assert_allclose(got.predict(Xv), expected.predict(X), rtol=rtol,
                                   atol=rtol * 10)


def _sparse_with_strided_arrays(X, fmt, which):
    """The same matrix, its ``data`` and/or ``indices`` stored as strided views
    (scipy accepts them: a column of a record array, every other element...)."""
    M = to_layout(X, fmt)
    if which in ("data", "both"):
        M.data = _strided(M.data)
    if which in ("indices", "both"):
        M.indices = _strided(M.indices)
    assert np.array_equal(M.toarray(), X)
    return M


@pytest.mark.parametrize("fmt", ["csc", "csr"])
def test_sparse_with_strided_index_or_data_arrays(fmt):
    """scipy accepts non-contiguous ``data``/``indices`` arrays; every route
    must give the answer of the same matrix stored contiguously."""
    X, y = problem()
    failures = []
    for which in ("data", "indices"):
        M = _sparse_with_strided_arrays(X, fmt, which)
        before = snapshot(M)
        for est in ESTIMATORS:
            for fit_intercept in (True, False):
                label = f"{which} strided, {est_id(est)}, fit_intercept={fit_intercept}"
                contiguous = M.__class__((np.ascontiguousarray(M.data),
                                          np.ascontiguousarray(M.indices),
                                          np.ascontiguousarray(M.indptr)), shape=M.shape)
                expected = quiet_fit(fresh(est, fit_intercept=fit_intercept), contiguous, y)
                try:
                    got = quiet_fit(fresh(est, fit_intercept=fit_intercept), M, y)
                except Exception as exc:  # noqa: BLE001 - collected and reported
                    failures.append(f"{label}: {type(exc).__name__}: {exc}")
                    continue
                assert_coef_close(got.coef_, expected.coef_, 1e-8, label)
                np.testing.assert_allclose(got.predict(M), expected.predict(contiguous),
                                           rtol=1e-8, atol=1e-8)
        assert_unchanged(before, M)
    assert not failures, "\n".join(failures)


# ==========================================================================
# 5. non-convergence: a warning with the achieved gap, and still a result
# ==========================================================================
FLOAT_RE = re.compile(r"[-+]?(?:\d+\.\d*|\.\d+|\d+)(?:[eE][-+]?\d+)?")


def _numbers(msg):
    return [float(m) for m in FLOAT_RE.findall(msg)]


def _mentions(msg, value, rtol=2e-3):
    """Some number printed in ``msg`` equals ``value`` to ~3 significant digits."""
    return any(abs(v - value) <= rtol * abs(value) for v in _numbers(msg))


def _lowest_objective(X, y, alpha, l1_ratio, sw, positive):
    """An upper bound of min P: the objective of a tightly converged fit."""
    tight = ElasticNet(alpha=alpha, l1_ratio=l1_ratio, positive=positive, tol=1e-13,
                       max_iter=200000).fit(X, y, sample_weight=sw)
    return ref.enet_objective(X, y, tight.coef_, tight.intercept_, alpha, l1_ratio, sw)


def _hard_problem():
    return problem(seed=9, n=60, p=40, rho=0.95, density=1.0)


ENET_CASES = [(Lasso, {}), (ElasticNet, {"l1_ratio": 0.3}),
              (ElasticNet, {"l1_ratio": 0.6, "positive": True})]
ENET_IDS = ["lasso", "enet", "enet-positive"]


@pytest.mark.parametrize("sw_kind", [None, "random"])
@pytest.mark.parametrize("layout", ["dense", "csc", "csr"])
@pytest.mark.parametrize("Est,kw", ENET_CASES, ids=ENET_IDS)
def test_non_convergence_reports_the_achieved_gap(Est, kw, layout, sw_kind):
    X, y = _hard_problem()
    sw = make_sample_weight(60, sw_kind, seed=1)
    tol, alpha, l1_ratio = 1e-12, 1e-3, kw.get("l1_ratio", 1.0)
    positive = kw.get("positive", False)
    est = Est(alpha=alpha, tol=tol, max_iter=3, **kw)
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        est.fit(to_layout(X, layout), y, sample_weight=sw)
    conv = [w for w in record if issubclass(w.category, ConvergenceWarning)]
    assert len(conv) == 1, [str(w.message) for w in record]
    msg = str(conv[0].message)
    # still a result, with its attributes
    assert est.n_iter_ == 3
    assert np.all(np.isfinite(est.coef_)) and np.isfinite(est.intercept_)
    assert np.isfinite(est.predict(X)).all()
    # the achieved gap is in the message, as is the tolerance it missed
    _, yc, _, _ = centred_weighted(X, y, sw)
    threshold = tol * (yc @ yc) / (60 if sw is None else sw.sum())
    assert _mentions(msg, est.dual_gap_), f"dual_gap_ {est.dual_gap_:.4e} not in {msg!r}"
    assert _mentions(msg, threshold), f"tolerance {threshold:.4e} not in {msg!r}"
    assert est.dual_gap_ > threshold
    # and it is a true certificate: at least the actual distance to the optimum
    obj = ref.enet_objective(X, y, est.coef_, est.intercept_, alpha, l1_ratio, sw)
    best = _lowest_objective(X, y, alpha, l1_ratio, sw, positive)
    assert est.dual_gap_ >= (obj - best) * (1 - 1e-9)


def test_non_convergence_multi_target_warns_per_failing_target():
    X, y = _hard_problem()
    Y = np.c_[y, np.full(60, 2.0), -y]  # the constant target converges at once
    est = Lasso(alpha=1e-3, tol=1e-12, max_iter=2)
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        est.fit(X, Y)
    conv = [str(w.message) for w in record if issubclass(w.category, ConvergenceWarning)]
    assert len(conv) == 2, conv
    assert list(est.n_iter_) == [2, 0, 2]
    for k, msg in zip((0, 2), conv):
        assert _mentions(msg, est.dual_gap_[k]), (est.dual_gap_[k], msg)
    assert np.all(np.isfinite(est.coef_))


@pytest.mark.parametrize("layout", ["dense", "csc"])
@pytest.mark.parametrize("kw", [{"solver": "cd"}, {"positive": True}], ids=["cd", "positive"])
def test_ridge_cd_non_convergence_warns_with_a_valid_gap(kw, layout):
    """Ridge through the coordinate-descent kernel: the message reports a gap
    (Elastic-Net units: the Ridge objective divided by 2n, alpha / n) that
    bounds the actual distance to the optimum, and a result is returned."""
    X, y = _hard_problem()
    alpha, n = 1e-3, 60
    est = Ridge(alpha=alpha, tol=1e-14, max_iter=2, **kw)
    with pytest.warns(ConvergenceWarning) as record:
        est.fit(to_layout(X, layout), y)
    msgs = [str(w.message) for w in record if issubclass(w.category, ConvergenceWarning)]
    assert len(msgs) == 1, msgs
    positive = bool(kw.get("positive"))
    obj = ref.enet_objective(X, y, est.coef_, est.intercept_, alpha / n, 0.0)
    best = _lowest_objective(X, y, alpha / n, 0.0, None, positive)
    assert any(v >= (obj - best) * (1 - 1e-9) and v > 0 for v in _numbers(msgs[0])), msgs
    assert np.all(np.isfinite(est.coef_)) and np.isfinite(est.predict(X)).all()


@pytest.mark.parametrize("case", ["lasso", "enet", "enet-positive", "ridge-cd"])
def test_reported_gap_is_no_worse_than_the_objective(case, max_iter=2):
    """P(w) - 0 is itself a duality gap (the dual point theta = 0, D = 0, and
    P* >= 0): a certificate should never report more than the objective value
    (early on, the rescaled-residual and L2-conjugate dual points can be far
    below 0: Ridge(solver='cd', alpha=1e-3) after 2 epochs reported 5e5 for an
    objective of 2)."""
    X, y = _hard_problem()
    n, alpha = 60, 1e-3
    if case == "ridge-cd":
        est, a, l1 = Ridge(alpha=alpha, solver="cd", tol=1e-14, max_iter=max_iter), alpha / n, 0.0
    else:
        Est, kw = dict(zip(ENET_IDS, ENET_CASES))[case]
        est = Est(alpha=alpha, tol=1e-12, max_iter=max_iter, **kw)
        a, l1 = alpha, kw.get("l1_ratio", 1.0)
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        est.fit(X, y)
    msg = [str(w.message) for w in record if issubclass(w.category, ConvergenceWarning)][0]
    obj = ref.enet_objective(X, y, est.coef_, est.intercept_, a, l1)
    gap = getattr(est, "dual_gap_", None)
    if gap is None:  # Ridge: the gap of the message ("Duality gap: G, tolerance: T")
        gap = _numbers(msg.split("Duality gap:", 1)[1])[0]
    assert gap <= obj * (1 + 1e-12), f"reported gap {gap:.4e} > objective {obj:.4e}: {msg}"


# ==========================================================================
# 6. pickling
# ==========================================================================
def _fitted_attributes(est):
    return {k: v for k, v in vars(est).items() if k.endswith("_") and not k.startswith("_")}


def _assert_same_state(a, b):
    va, vb = _fitted_attributes(a), _fitted_attributes(b)
    assert va.keys() == vb.keys()
    for k in va:
        x, y = va[k], vb[k]
        if isinstance(x, np.ndarray) or isinstance(y, np.ndarray):
            assert np.asarray(x).dtype == np.asarray(y).dtype, k
            assert np.array_equal(x, y), k
        else:
            assert type(x) is type(y) and (x == y or (x != x and y != y)), (k, x, y)
    assert a.get_params() == b.get_params()


@pytest.mark.parametrize("multi", [False, True])
@pytest.mark.parametrize("layout,dtype", [("dense", np.float64), ("dense_f", np.float32),
                                          ("csc", np.float64), ("csr", np.float32)])
@pytest.mark.parametrize("est", ESTIMATORS, ids=IDS)
def test_pickle_round_trip(est, layout, dtype, multi):
    X, y = problem()
    target = np.c_[y, -y + 3] if multi else y
    Xl = to_layout(X, layout, dtype)
    fitted = quiet_fit(fresh(est), Xl, target, sample_weight=make_sample_weight(N, "random"))
    probes = [Xl, to_layout(X, "dense"), to_layout(X, "csr", np.float32)]
    expected = [fitted.predict(V) for V in probes]
    for protocol in range(2, pickle.HIGHEST_PROTOCOL + 1):
        again = pickle.loads(pickle.dumps(fitted, protocol=protocol))
        _assert_same_state(fitted, again)
        for V, e in zip(probes, expected):
            got = again.predict(V)
            assert got.dtype == e.dtype and np.array_equal(got, e)
    # an unpickled estimator refits to the same answer (warm start included)
    again = pickle.loads(pickle.dumps(fitted))
    refit = quiet_fit(again, Xl, target)
    ref_fit = quiet_fit(fresh(est), Xl, target)
    assert np.array_equal(refit.coef_, ref_fit.coef_)


def test_unpickle_in_a_fresh_process(tmp_path):
    """Nothing but the pickle is needed: a new interpreter gets the same state
    (bitwise) and the same predictions (to round-off: BLAS results may depend
    on the alignment of the arrays, which differs between processes)."""
    X, y = problem()
    fits = [quiet_fit(fresh(e), to_layout(X, lay), y)
            for e in ESTIMATORS for lay in ("dense", "csc")]
    (tmp_path / "models.pkl").write_bytes(pickle.dumps(fits))
    np.save(tmp_path / "X.npy", X)
    np.save(tmp_path / "coef.npy", np.array([f.coef_ for f in fits]))
    np.save(tmp_path / "intercept.npy", np.array([f.intercept_ for f in fits]))
    np.save(tmp_path / "pred.npy", np.array([f.predict(X) for f in fits]))
    out = run_python(f"""
        import pickle, numpy as np, scipy.sparse as sp
        d = {str(tmp_path)!r}
        fits = pickle.loads(open(d + '/models.pkl', 'rb').read())
        X = np.load(d + '/X.npy')
        assert np.array_equal([f.coef_ for f in fits], np.load(d + '/coef.npy'))
        assert np.array_equal([f.intercept_ for f in fits], np.load(d + '/intercept.npy'))
        pred = np.array([f.predict(X) for f in fits])
        np.testing.assert_allclose(pred, np.load(d + '/pred.npy'), rtol=1e-13, atol=1e-13)
        pred_sp = np.array([f.predict(sp.csr_matrix(X)) for f in fits])
        np.testing.assert_allclose(pred_sp, pred, rtol=1e-13, atol=1e-13)
        print("same")
    """)
    assert out.returncode == 0 and out.stdout.strip() == "same", out.stderr[-2000:]


# ==========================================================================
# 7. threads: N concurrent fits on shared inputs == sequential fits, bitwise
# ==========================================================================
def _thread_jobs():
    X, y = problem(seed=11, n=150, p=60, density=0.4)
    shared = {
        "C": to_layout(X, "dense"), "F": to_layout(X, "dense_f"),
        "F32": to_layout(X, "dense_f", np.float32), "csc": to_layout(X, "csc"),
        "csr": to_layout(X, "csr", index_dtype=np.int64),
    }
    for a in [shared["C"], shared["F"], shared["F32"]]:
        a.setflags(write=False)
    sw = make_sample_weight(150, "random", seed=4)
    Y = np.c_[y, -y]
    amax = ref.alpha_max(X, y)
    jobs = []
    for k, (key, Xs) in enumerate(shared.items()):
        tol = 1e-5 if Xs.dtype == np.float32 else 1e-10
        jobs += [
            (Lasso(alpha=amax / (5 + k), tol=tol, max_iter=10000), Xs, y, None),
            (ElasticNet(alpha=amax / 30, l1_ratio=0.5, tol=tol, max_iter=10000,
                        selection="random", random_state=k), Xs, y, sw),
            (ElasticNet(alpha=amax / 10, positive=True, tol=tol, max_iter=10000,
                        fit_intercept=False), Xs, Y, None),
            (Ridge(alpha=0.3 * (k + 1)), Xs, y, sw),
            (Ridge(alpha=0.3, positive=True, tol=tol, max_iter=10000), Xs, Y, sw),
        ]
    return jobs, shared, y, sw


def _run(job):
    est, Xs, target, sw = job
    fitted = clone(est).fit(Xs, target, sample_weight=sw)
    return (fitted.coef_.copy(), np.copy(fitted.intercept_), np.copy(fitted.n_iter_),
            fitted.predict(Xs))


@pytest.mark.parametrize("n_threads", [4, 8])
def test_many_threads_shared_inputs_bit_identical(n_threads):
    jobs, shared, y, sw = _thread_jobs()
    before = {k: snapshot(v) for k, v in shared.items()}
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        sequential = [_run(job) for job in jobs]
        for _ in range(2):  # twice, in a different order: shake out races
            with ThreadPoolExecutor(max_workers=n_threads) as pool:
                threaded = list(pool.map(_run, jobs))
            for i, (a, b) in enumerate(zip(sequential, threaded)):
                for x, z in zip(a, b):
                    assert np.array_equal(x, z), (i, est_id(jobs[i][0]))
            jobs, sequential = jobs[::-1], sequential[::-1]
    for k, v in shared.items():
        assert_unchanged(before[k], v)


def test_concurrent_predict_on_one_estimator():
    X, y = problem(seed=12, n=200, p=30)
    est = Lasso(alpha=0.01).fit(X, y)
    probes = [to_layout(X[i::7], lay) for i in range(7) for lay in ("dense", "csr", "csc")]
    expected = [est.predict(V) for V in probes]
    with ThreadPoolExecutor(max_workers=6) as pool:
        got = list(pool.map(est.predict, probes * 4))
    for e, g in zip(expected * 4, got):
        assert np.array_equal(e, g)


# ==========================================================================
# 8. degenerate sparse input under the debug build's bounds checks
# ==========================================================================
@pytest.mark.parametrize("fmt", ["csc", "csr", "dense"])
def test_all_zero_X(fmt):
    """X without a single non-zero (nnz == 0 when sparse): zero coefficients,
    the intercept is the (weighted) mean, and no error is swallowed inside the
    kernels (a debug build reports any out-of-bounds index, even one whose
    address only is taken, through sys.unraisablehook)."""
    y = np.linspace(-1.0, 2.0, 15)
    sw = np.linspace(0.5, 1.5, 15)
    Z = np.zeros((15, 4))
    Zl = Z if fmt == "dense" else to_layout(Z, fmt)
    failures = []
    for est in ESTIMATORS:
        with unraisable_exceptions() as swallowed, warnings.catch_warnings():
            warnings.simplefilter("error", ConvergenceWarning)
            fitted = fresh(est).fit(Zl, y, sample_weight=sw)
            pred = fitted.predict(Zl)
        if swallowed:
            failures.append(f"{est_id(est)}: {swallowed[0]} (x{len(swallowed)})")
        np.testing.assert_array_equal(fitted.coef_, np.zeros(4))
        assert fitted.intercept_ == pytest.approx(np.average(y, weights=sw), rel=1e-12)
        np.testing.assert_allclose(pred, np.average(y, weights=sw), rtol=1e-12)
    assert not failures, "\n".join(failures)


# ==========================================================================
# 9. a constant column, centred implicitly by the sparse kernel
# ==========================================================================
@pytest.mark.parametrize("est", [Lasso(), Ridge(solver="cd"), Ridge(positive=True)],
                         ids=est_id)
def test_sparse_constant_column_small_alpha(est):
    """With an intercept a constant column centres to zero, so its coefficient
    is 0 at any alpha > 0, and the other coefficients are those without it.
    The sparse kernel centres implicitly: the column's centred norm and
    gradient come out of cancellations (round-off, not 0), and dividing one by
    the other gave wrong coefficients from alpha ~1e-10, NaN (Ridge, returned
    without an error) or 1e31 (Lasso) at 1e-18, where dense X was right."""
    rng = np.random.default_rng(0)
    n = 20
    X = np.c_[np.full(n, 0.1), rng.standard_normal(n)]  # 0.1: its mean is rounded
    y = rng.standard_normal(n) + 1
    failures = []
    for alpha in (1e-6, 1e-10, 1e-14, 1e-18):
        kw = dict(alpha=alpha, tol=1e-12, max_iter=10000)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            without = fresh(est, **kw).fit(X[:, 1:], y)
            fits = {"dense": fresh(est, **kw).fit(X, y),
                    "sparse": fresh(est, **kw).fit(sp.csc_matrix(X), y)}
        for label, got in fits.items():
            ok = (np.all(np.isfinite(got.coef_)) and np.isfinite(got.intercept_)
                  and abs(got.coef_[0]) <= 1e-6 * abs(without.coef_[0])
                  and got.coef_[1] == pytest.approx(without.coef_[0], rel=1e-6))
            if not ok:
                failures.append(f"alpha={alpha:g} {label}: coef_={got.coef_}, "
                                f"intercept_={got.intercept_} (expected [0, "
                                f"{without.coef_[0]:.6g}])")
    assert not failures, "\n".join(failures)


def test_dimensions_beyond_c_int_are_named():
    """The kernels count rows and columns in C int: a larger X (here a sparse
    matrix, which costs nothing to declare) must be refused, naming X."""
    from fastreg._validation import check_array_basics

    for shape in ((2 ** 31, 3), (3, 2 ** 31)):
        with pytest.raises(ValueError, match="X has"):
            check_array_basics(sp.csr_matrix(shape, dtype=np.float64), "X", (2,))
