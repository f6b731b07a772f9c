"""fastreg._preprocess: what ``preprocess`` and its ``Design`` promise,
observed through every estimator route.

* The user's arrays are bit-identical afterwards: dense in either order and
  dtype, sparse with int32 or int64 indices, non-canonical sparse matrices
  (canonicalised on a copy), integer weights, 2-D y, warm starts, DataFrames.
* Read-only and memory-mapped input is accepted, and not copied when no
  centering is needed (Fortran order, no intercept, no weights; canonical CSC
  whatever the intercept); centering makes exactly one working copy.
* ``copy_X=False`` may centre a Fortran float64 X in place, with the same
  answer; a C-ordered, sparse or read-only X is copied, never written to.
* Non-contiguous views (strided, reversed; strided sparse ``data`` or
  ``indices``) give the answer of the same data stored contiguously.
* Constant and all-zero columns: zero after centering (coefficient 0, the
  other coefficients those without the column), also in the sparse kernel's
  implicit centering at tiny alphas; without an intercept a constant column
  is a feature.
* Degenerate input: an X without a single non-zero, a single feature, a
  single sample, a constant y.
"""
import contextlib
import sys
import tracemalloc
import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.base import clone
from sklearn.exceptions import ConvergenceWarning

from fastreg import ElasticNet, Lasso, Ridge
from fastreg import reference as ref

from conftest import (DTYPES, LAYOUTS, SAMPLE_WEIGHTS, assert_coef_close, assert_rel_close,
                      assert_unchanged, centred_weighted, est_id, fit_anyway, fit_quiet,
                      fresh, make_rng, make_sample_weight, route_estimators,
                      small_problem, snapshot, to_layout)

N, P = 40, 12
ROUTES = route_estimators()
ROUTE_IDS = [est_id(e) for e in ROUTES]
# The degenerate-input tests run on every estimator class and solver, without
# the random-selection ElasticNet and Ridge(solver='cd').
BASIC_ROUTES = route_estimators(random_selection=False, ridge_cd=False)
BASIC_IDS = [est_id(e) for e in BASIC_ROUTES]


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


# --------------------------------------------------------------------------
# the user's arrays are bit-identical afterwards
# --------------------------------------------------------------------------
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("layout", ["dense", "dense_f", "csc", "csr"])
@pytest.mark.parametrize("est", BASIC_ROUTES, ids=BASIC_IDS)
def test_inputs_unchanged(est, layout, dtype):
    est = clone(est)
    X, y = small_problem(seed=2)
    Xl = to_layout(X, layout, dtype)
    y = y.astype(dtype)
    sw = make_sample_weight(N, "random").astype(dtype)
    if sp.issparse(Xl):
        before = [Xl.data.copy(), Xl.indices.copy(), Xl.indptr.copy()]
    else:
        before = [Xl.copy()]
    y0, sw0 = y.copy(), sw.copy()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)  # float32 + tight tol
        est.fit(Xl, y, sample_weight=sw)
        est.fit(Xl, y)
        est.fit(Xl, np.c_[y, y])
    after = [Xl.data, Xl.indices, Xl.indptr] if sp.issparse(Xl) else [Xl]
    for old, new in zip(before, after):
        assert old.dtype == new.dtype
        assert np.array_equal(old, new)
    assert np.array_equal(y, y0)
    assert np.array_equal(sw, sw0)
    if not sp.issparse(Xl):
        assert Xl.flags.c_contiguous == (layout == "dense")


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("est", ROUTES, ids=ROUTE_IDS)
def test_fit_without_centering_leaves_fortran_X_unchanged(est, dtype):
    """fit_intercept=False, no weights, Fortran-ordered float X: the kernels
    work on the user's array itself (no copy), and must not write to it."""
    X, y = small_problem(seed=6)
    XF = to_layout(X, "dense_f", dtype)
    Y = np.asfortranarray(np.c_[y, -2 * y].astype(dtype))
    before, y0, Y0 = snapshot(XF), y.copy(), Y.copy()
    fit_anyway(fresh(est, fit_intercept=False), XF, y)
    fit_anyway(fresh(est, fit_intercept=False), XF, Y)
    assert_unchanged(before, XF)
    assert np.array_equal(y, y0) and np.array_equal(Y, Y0)
    assert XF.flags.f_contiguous and XF.flags.writeable


@pytest.mark.parametrize("est", ROUTES, ids=ROUTE_IDS)
def test_other_inputs_unchanged(est):
    """int64 sparse indices, integer weights, 2-D F-ordered y, warm starts and
    a DataFrame: all left as they were."""
    pd = pytest.importorskip("pandas")
    X, y = small_problem(seed=6)
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
        fit_anyway(e, Xl, y, sample_weight=sw_int)
        fit_anyway(e, Xl, y, sample_weight=sw)  # warm start from the previous fit
        fit_anyway(e, Xl, Y, sample_weight=sw)
        assert_unchanged(before, Xl)
        for old, new in zip(inputs, [y, Y, sw, sw_int]):
            assert old.dtype == new.dtype and np.array_equal(old, new)
    fit_anyway(fresh(est), df, y, sample_weight=sw)
    pd.testing.assert_frame_equal(df, df_before, check_exact=True)


def non_canonical(X, fmt, seed=0):
    """The same matrix as X, stored with unsorted indices, duplicate entries
    (each value split in two) and explicit zeros."""
    rng = make_rng(seed)
    r, c = np.nonzero(X)
    v = X[r, c]
    f = rng.uniform(0.2, 0.8, size=v.size)
    zr = rng.integers(0, X.shape[0], 4)
    zc = rng.integers(0, X.shape[1], 4)
    R = np.r_[r, r, zr]
    C = np.r_[c, c, zc]
    V = np.r_[v * f, v * (1 - f), np.zeros(4)]
    perm = rng.permutation(R.size)
    R, C, V = R[perm], C[perm], V[perm]
    major, minor, n_major = (R, C, X.shape[0]) if fmt == "csr" else (C, R, X.shape[1])
    order = np.argsort(major, kind="stable")
    indptr = np.r_[0, np.cumsum(np.bincount(major, minlength=n_major))]
    cls = sp.csr_matrix if fmt == "csr" else sp.csc_matrix
    M = cls((V[order], minor[order].astype(np.int32), indptr.astype(np.int32)),
            shape=X.shape)
    assert not M.has_sorted_indices
    np.testing.assert_allclose(M.toarray(), X, rtol=1e-14, atol=1e-15)
    return M


@pytest.mark.parametrize("fmt", ["csr", "csc"])
@pytest.mark.parametrize("est", BASIC_ROUTES, ids=BASIC_IDS)
def test_non_canonical_sparse(est, fmt):
    X, y = small_problem(seed=2, density=0.4)
    X[5, :] = 0.0   # empty row
    X[:, 4] = 0.0   # empty column
    sw = make_sample_weight(N, "random")
    M = non_canonical(X, fmt)
    before = (M.data.copy(), M.indices.copy(), M.indptr.copy())
    a = type(est)(**est.get_params()).fit(M, y, sample_weight=sw)
    b = type(est)(**est.get_params()).fit(X, y, sample_weight=sw)
    assert_coef_close(a.coef_, b.coef_, 1e-8)
    assert abs(a.intercept_ - b.intercept_) <= 1e-8 * (1 + abs(b.intercept_))
    assert a.coef_[4] == pytest.approx(0.0, abs=1e-12)
    # the user's matrix is left as it was (not canonicalised in place)
    for old, new in zip(before, (M.data, M.indices, M.indptr)):
        assert np.array_equal(old, new)
    assert not M.has_sorted_indices
    np.testing.assert_allclose(a.predict(M), b.predict(X), rtol=1e-8, atol=1e-8)


# --------------------------------------------------------------------------
# read-only and memory-mapped arrays: accepted, and not copied
# --------------------------------------------------------------------------
@pytest.mark.parametrize("layout", ["dense", "dense_f", "csc", "csr"])
@pytest.mark.parametrize("est", BASIC_ROUTES, ids=BASIC_IDS)
def test_read_only_inputs(est, layout, tmp_path):
    X, y = small_problem(seed=2)
    Xl = to_layout(X, layout)
    arrays = [Xl.data, Xl.indices, Xl.indptr] if sp.issparse(Xl) else [Xl]
    sw = make_sample_weight(N, "random")
    Y = np.c_[y, 2 * y]
    for a in arrays + [y, sw, Y]:
        a.setflags(write=False)
    fitted = type(est)(**est.get_params()).fit(Xl, y, sample_weight=sw)
    writable = type(est)(**est.get_params()).fit(to_layout(X, layout), y.copy(),
                                                 sample_weight=sw.copy())
    np.testing.assert_array_equal(fitted.coef_, writable.coef_)
    fitted.fit(Xl, Y)
    assert fitted.coef_.shape == (2, P)
    assert np.all(np.isfinite(fitted.predict(Xl)))
    # a read-only memory map, as joblib hands out
    if not sp.issparse(Xl):
        np.save(tmp_path / "X.npy", Xl)
        mm = np.load(tmp_path / "X.npy", mmap_mode="r")
        assert not mm.flags.writeable
        again = type(est)(**est.get_params()).fit(mm, y)
        np.testing.assert_array_equal(again.coef_, fitted.fit(Xl, y).coef_)


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
    peak = _peak_bytes(lambda: fit_anyway(got, X, y))
    assert peak < 0.25 * X.nbytes, f"{peak} bytes traced for X of {X.nbytes}"
    expected = fit_anyway(fresh(est), np.array(X), np.array(y))
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


# --------------------------------------------------------------------------
# copy_X=False
# --------------------------------------------------------------------------
@pytest.mark.parametrize("est", BASIC_ROUTES, ids=BASIC_IDS)
def test_copy_X_false(est):
    """copy_X=False may centre an F-ordered float64 X in place; the answer is
    still right. A C-ordered or sparse X is copied anyway and left intact."""
    X, y = small_problem(seed=2)
    sw = make_sample_weight(N, "random")
    expected = type(est)(**est.get_params()).fit(X, y, sample_weight=sw)
    XF = np.asfortranarray(X.copy())
    got = type(est)(**est.get_params()).set_params(copy_X=False).fit(XF, y, sample_weight=sw)
    assert_coef_close(got.coef_, expected.coef_, 1e-10)
    assert abs(got.intercept_ - expected.intercept_) <= 1e-10 * (1 + abs(expected.intercept_))
    XC = np.ascontiguousarray(X.copy())
    fit_c = type(est)(**est.get_params()).set_params(copy_X=False).fit(XC, y)
    assert np.array_equal(XC, X)
    Xs = sp.csc_matrix(X)
    data0 = Xs.data.copy()
    type(est)(**est.get_params()).set_params(copy_X=False).fit(Xs, y, sample_weight=sw)
    assert np.array_equal(Xs.data, data0)
    assert np.all(np.isfinite(fit_c.coef_))


@pytest.mark.parametrize("est", ROUTES, ids=ROUTE_IDS)
def test_read_only_with_copy_X_false(est):
    """copy_X=False allows centering in place, but a read-only X must then be
    copied, not written to (or rejected)."""
    X, y = small_problem(seed=6)
    XF = to_layout(X, "dense_f")
    XF.setflags(write=False)
    got = fit_anyway(fresh(est, copy_X=False), XF, y)
    assert np.array_equal(XF, X) and not XF.flags.writeable
    # the same data in the same layout, writable and copied by copy_X=True: the
    # same arithmetic (a C-ordered X would be centred in another order, which
    # at tol=1e-4 moves the iterates by more than round-off)
    expected = fit_anyway(fresh(est), to_layout(X, "dense_f"), y)
    assert_coef_close(got.coef_, expected.coef_, 1e-10)


# --------------------------------------------------------------------------
# non-contiguous views
# --------------------------------------------------------------------------
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
@pytest.mark.parametrize("est", ROUTES, ids=ROUTE_IDS)
def test_strided_views_give_the_same_result(est, dtype):
    X, y = small_problem(seed=6)
    X = X.astype(dtype)
    sw = make_sample_weight(N, "random", seed=2)
    Y = np.c_[y, 0.5 * y + 1]
    expected = fit_anyway(fresh(est), np.ascontiguousarray(X), y, sample_weight=sw)
    expected_2d = fit_anyway(fresh(est), np.ascontiguousarray(X), Y)
    rtol = 1e-9 if dtype == np.float64 else 1e-4
    for Xv in (_strided(X), _strided(X, 3, "F"), _reversed(X), X.T.copy().T[:, ::1]):
        got = fit_anyway(fresh(est), Xv, _strided(y), sample_weight=_reversed(sw))
        assert_coef_close(got.coef_, expected.coef_, rtol, "strided X, y, sw:")
        np.testing.assert_allclose(got.intercept_, expected.intercept_, rtol=rtol,
                                   atol=rtol)
        got2 = fit_anyway(fresh(est), Xv, _strided(Y))
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
    X, y = small_problem(seed=6)
    failures = []
    for which in ("data", "indices"):
        M = _sparse_with_strided_arrays(X, fmt, which)
        before = snapshot(M)
        for est in ROUTES:
            for fit_intercept in (True, False):
                label = f"{which} strided, {est_id(est)}, fit_intercept={fit_intercept}"
                contiguous = M.__class__((np.ascontiguousarray(M.data),
                                          np.ascontiguousarray(M.indices),
                                          np.ascontiguousarray(M.indptr)), shape=M.shape)
                expected = fit_anyway(fresh(est, fit_intercept=fit_intercept), contiguous,
                                      y)
                try:
                    got = fit_anyway(fresh(est, fit_intercept=fit_intercept), M, y)
                except Exception as exc:  # noqa: BLE001 - collected and reported
                    failures.append(f"{label}: {type(exc).__name__}: {exc}")
                    continue
                assert_coef_close(got.coef_, expected.coef_, 1e-8, label)
                np.testing.assert_allclose(got.predict(M), expected.predict(contiguous),
                                           rtol=1e-8, atol=1e-8)
        assert_unchanged(before, M)
    assert not failures, "\n".join(failures)


# --------------------------------------------------------------------------
# constant and zero columns
# --------------------------------------------------------------------------
@pytest.mark.parametrize("sw_kind", SAMPLE_WEIGHTS)
@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("est", BASIC_ROUTES, ids=BASIC_IDS)
def test_constant_and_zero_columns(est, layout, sw_kind):
    est = clone(est)
    X, y = small_problem(seed=2)
    X[:, 2] = 3.0     # constant: zero after centering
    X[:, 5] = 0.0     # all zeros (no stored entry in sparse layouts)
    X[:, 7] = 0.1     # constant, a value not exact in binary
    sw = make_sample_weight(N, sw_kind)
    est.fit(to_layout(X, layout), y, sample_weight=sw)
    coef = est.coef_
    assert np.all(np.isfinite(coef))
    scale = np.abs(coef).max()
    assert scale > 0
    is_l1 = isinstance(est, ElasticNet)
    for j in (2, 5, 7):
        if is_l1:  # soft-thresholding of a zero correlation: exactly zero
            assert coef[j] == 0.0, (j, coef[j])
        else:  # closed forms: zero up to round-off
            assert abs(coef[j]) <= 1e-10 * scale, (j, coef[j])
    # removing those columns does not change the others
    keep = [j for j in range(P) if j not in (2, 5, 7)]
    reduced = type(est)(**est.get_params()).fit(to_layout(X[:, keep], layout), y,
                                                sample_weight=sw)
    assert_coef_close(coef[keep], reduced.coef_, 1e-6)
    assert abs(est.intercept_ - reduced.intercept_) <= 1e-6 * (1 + abs(reduced.intercept_))


def test_constant_column_without_intercept_is_a_feature():
    X, y = small_problem(seed=2)
    X[:, 2] = 3.0
    est = fit_quiet(Lasso(alpha=0.01, fit_intercept=False, tol=1e-10), X, y)
    assert est.coef_[2] != 0.0  # it plays the role of the intercept
    c_ref, _, _, _ = ref.enet_coordinate_descent(X, y, 0.01, fit_intercept=False,
                                                 tol=1e-13, max_iter=100000)
    assert_rel_close(ref.enet_objective(X, y, est.coef_, 0.0, 0.01),
                     ref.enet_objective(X, y, c_ref, 0.0, 0.01), 1e-7)


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


# --------------------------------------------------------------------------
# degenerate shapes and targets
# --------------------------------------------------------------------------
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
    for est in ROUTES:
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


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("est", BASIC_ROUTES, ids=BASIC_IDS)
def test_single_feature(est, layout):
    est = clone(est)
    X, y = small_problem(seed=2)
    x = X[:, :1]
    est.fit(to_layout(x, layout), y)
    assert est.coef_.shape == (1,)
    xc, yc, _, _ = centred_weighted(x, y)
    xc, s2 = xc[:, 0], xc[:, 0] @ xc[:, 0]
    if isinstance(est, Ridge):
        expected = (xc @ yc) / (s2 + est.alpha)
        if est.positive:
            expected = max(expected, 0.0)
    else:  # soft-thresholding, in public units
        a, l1 = est.alpha, est.l1_ratio
        z = xc @ yc / N
        expected = np.sign(z) * max(abs(z) - a * l1, 0) / (s2 / N + a * (1 - l1))
        if est.positive:
            expected = max(expected, 0.0)
    np.testing.assert_allclose(est.coef_[0], expected, rtol=1e-8, atol=1e-12)


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("est", BASIC_ROUTES, ids=BASIC_IDS)
def test_single_sample(est, layout):
    est = clone(est)
    X, y = small_problem(seed=2)
    est.fit(to_layout(X[:1], layout), y[:1])
    np.testing.assert_array_equal(est.coef_, np.zeros(P))
    assert est.intercept_ == pytest.approx(y[0], rel=1e-12)
    np.testing.assert_allclose(est.predict(X[:3]), np.full(3, y[0]), rtol=1e-12)


@pytest.mark.parametrize("sw_kind", SAMPLE_WEIGHTS)
@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("est", BASIC_ROUTES, ids=BASIC_IDS)
def test_constant_y(est, layout, sw_kind):
    est = clone(est)
    X, _ = small_problem(seed=2)
    y = np.full(N, -2.5)
    sw = make_sample_weight(N, sw_kind)
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        est.fit(to_layout(X, layout), y, sample_weight=sw)
    # L1 thresholding gives exact zeros; the other routes see a centred y of
    # pure round-off (a weighted mean of a constant is not always exact)
    atol = 0.0 if isinstance(est, ElasticNet) else 1e-12
    np.testing.assert_allclose(est.coef_, np.zeros(P), rtol=0, atol=atol)
    assert est.intercept_ == pytest.approx(-2.5, rel=1e-12)
    Y = np.c_[y, np.full(N, 4.0)]
    est.fit(to_layout(X, layout), Y, sample_weight=sw)
    np.testing.assert_allclose(est.coef_, np.zeros((2, P)), rtol=0, atol=atol)
    np.testing.assert_allclose(est.intercept_, [-2.5, 4.0], rtol=1e-12)
