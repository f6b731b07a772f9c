"""fastreg._validation and the estimators' validation entry: bad input is
rejected before any kernel runs, with a message naming the argument.

X, y and sample_weight (contents, shapes, dtypes, sparse y), the
hyper-parameters, corrupt sparse structure (every inconsistency of the index
arrays, CSR/CSC matrices and arrays, int32 and int64 indices, COO
coordinates; at fit and at predict) and predict's input; what is accepted
(bool, int, lists, zero weights) gives the float answer.
"""
import re

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.exceptions import NotFittedError

from fastreg import ElasticNet, Lasso, Ridge
from fastreg._validation import (check_array_basics, check_feature_names,
                                 check_sparse_structure)

from conftest import (assert_coef_close, est_id, fresh, make_problem, run_python,
                      small_problem, to_layout)

N, P = 20, 4
ESTIMATORS = [Lasso, ElasticNet, Ridge]
FORMATS = ["dense", "csr", "csc"]


@pytest.fixture
def data():
    X, y = make_problem(n=N, p=P, density=0.7, seed=4)
    return X, y


def as_format(X, fmt):
    if fmt == "dense":
        return X
    return sp.csr_matrix(X) if fmt == "csr" else sp.csc_matrix(X)


def assert_names(excinfo, name, label=""):
    """The error message mentions ``name`` as a word."""
    msg = str(excinfo.value)
    assert re.search(rf"(?<![A-Za-z0-9_]){re.escape(name)}(?![A-Za-z0-9_])", msg), (
        f"{label}message does not name {name!r}: {msg!r}")


def check_rejects(fit, name, exc=(ValueError, TypeError), label=""):
    with pytest.raises(exc) as excinfo:
        fit()
    assert_names(excinfo, name, label)
    return excinfo


# --------------------------------------------------------------------------
# X, y contents
# --------------------------------------------------------------------------
@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
@pytest.mark.parametrize("Est", ESTIMATORS)
def test_non_finite_X(Est, bad, fmt, data):
    X, y = data
    X = X.copy()
    X[3, 1] = bad  # a stored entry in every format
    check_rejects(lambda: Est().fit(as_format(X, fmt), y), "X", ValueError)


@pytest.mark.parametrize("bad", [np.nan, np.inf])
@pytest.mark.parametrize("Est", ESTIMATORS)
def test_non_finite_y(Est, bad, data):
    X, y = data
    y = y.copy()
    y[0] = bad
    check_rejects(lambda: Est().fit(X, y), "y", ValueError)
    check_rejects(lambda: Est().fit(X, np.c_[y, y]), "y", ValueError)
    check_rejects(lambda: Est().fit(sp.csc_matrix(X), y), "y", ValueError)


@pytest.mark.parametrize("bad", [np.nan, np.inf])
@pytest.mark.parametrize("Est", ESTIMATORS)
def test_non_finite_sample_weight(Est, bad, data):
    X, y = data
    sw = np.ones(N)
    sw[2] = bad
    check_rejects(lambda: Est().fit(X, y, sample_weight=sw), "sample_weight", ValueError)
    check_rejects(lambda: Est().fit(X, y, sample_weight=bad), "sample_weight", ValueError)


@pytest.mark.parametrize("Est", ESTIMATORS)
def test_X_wrong_ndim(Est, data):
    X, y = data
    check_rejects(lambda: Est().fit(X[:, 0], y), "X", ValueError)
    check_rejects(lambda: Est().fit(X[:, :, None], y), "X", ValueError)
    check_rejects(lambda: Est().fit(X[:, 0].tolist(), y), "X", ValueError)


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("Est", ESTIMATORS)
def test_y_wrong_length(Est, fmt, data):
    X, y = data
    check_rejects(lambda: Est().fit(as_format(X, fmt), y[:-1]), "y", ValueError)
    check_rejects(lambda: Est().fit(as_format(X, fmt), np.c_[y, y][:-2]), "y", ValueError)


@pytest.mark.parametrize("Est", ESTIMATORS)
def test_y_wrong_ndim(Est, data):
    X, y = data
    check_rejects(lambda: Est().fit(X, y[:, None, None]), "y", ValueError)


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("Est", ESTIMATORS)
def test_empty_X(Est, fmt, data):
    X, y = data
    check_rejects(lambda: Est().fit(as_format(X[:0], fmt), y[:0]), "X", ValueError)
    check_rejects(lambda: Est().fit(as_format(X[:, :0], fmt), y), "X", ValueError)


@pytest.mark.parametrize("Est", [Lasso, ElasticNet, Ridge])
def test_y_with_no_column_rejected(Est):
    """y of shape (n, 0) has no target: scikit-learn rejects it ('Found array
    with 0 feature(s)'); fitting zero models silently is not an answer."""
    X, y = small_problem(seed=6)
    check_rejects(lambda: Est().fit(X, np.empty((X.shape[0], 0))), "y", ValueError)


@pytest.mark.parametrize("Est", [Lasso, ElasticNet, Ridge])
def test_sparse_y_error_names_y(Est):
    X, y = small_problem(seed=6)
    for Y in (sp.csr_matrix(y[:, None]), sp.csc_matrix(np.c_[y, y])):
        check_rejects(lambda: Est().fit(X, Y), "y")


def test_dimensions_beyond_c_int_are_named():
    """The kernels count rows and columns in C int: a larger X (here a sparse
    matrix, which costs nothing to declare) must be refused, naming X."""
    for shape in ((2 ** 31, 3), (3, 2 ** 31)):
        with pytest.raises(ValueError, match="X has"):
            check_array_basics(sp.csr_matrix(shape, dtype=np.float64), "X", (2,))


@pytest.mark.parametrize("Est", ESTIMATORS)
def test_complex_X(Est, data):
    X, y = data
    check_rejects(lambda: Est().fit(X + 1j, y), "X")
    check_rejects(lambda: Est().fit(sp.csr_matrix(X + 1j), y), "X")


@pytest.mark.parametrize("Est", ESTIMATORS)
def test_string_X(Est, data):
    X, y = data
    words = np.array([["a", "b", "c", "d"]] * N)
    check_rejects(lambda: Est().fit(words, y), "X")
    check_rejects(lambda: Est().fit(words.astype(object), y), "X")


@pytest.mark.parametrize("Est", ESTIMATORS)
def test_numeric_string_X_rejected(Est, data):
    """Strings are not numbers, even when they spell one (as sklearn's
    check_array(dtype='numeric') decides)."""
    X, y = data
    check_rejects(lambda: Est().fit(X.astype(str), y), "X")


@pytest.mark.parametrize("Est", ESTIMATORS)
def test_string_y(Est, data):
    X, _ = data
    check_rejects(lambda: Est().fit(X, np.array(["u"] * N)), "y")


@pytest.mark.parametrize("Est", ESTIMATORS)
def test_bool_and_int_X_accepted(Est, data):
    X, y = data
    Xb = X > 1.0
    Xi = np.round(3 * X).astype(np.int64)
    for Xa in (Xb, Xi, Xi.astype(np.int32), sp.csr_matrix(Xi)):
        a = Est(alpha=0.01).fit(Xa, y)
        dense_a = Xa.toarray() if sp.issparse(Xa) else Xa
        b = Est(alpha=0.01).fit(dense_a.astype(np.float64), y)
        assert a.coef_.dtype == np.float64
        assert_coef_close(a.coef_, b.coef_, 1e-12)
        np.testing.assert_allclose(a.predict(Xa), b.predict(dense_a.astype(float)))
    # int / bool y too
    c = Est(alpha=0.01).fit(X, (y > 0))
    assert np.all(np.isfinite(c.coef_))
    d = Est(alpha=0.01).fit(X, np.round(y).astype(int))
    e = Est(alpha=0.01).fit(X, np.round(y))
    assert_coef_close(d.coef_, e.coef_, 1e-12)


def test_list_input_accepted(data):
    X, y = data
    a = Lasso(alpha=0.01).fit(X.tolist(), y.tolist())
    b = Lasso(alpha=0.01).fit(X, y)
    np.testing.assert_array_equal(a.coef_, b.coef_)


# --------------------------------------------------------------------------
# hyper-parameters
# --------------------------------------------------------------------------
@pytest.mark.parametrize("alpha", [-1.0, -1e-300, np.nan, np.inf, -np.inf])
@pytest.mark.parametrize("Est", ESTIMATORS)
def test_bad_alpha(Est, alpha, data):
    X, y = data
    check_rejects(lambda: Est(alpha=alpha).fit(X, y), "alpha")


@pytest.mark.parametrize("alpha", ["1.0", None, [1.0], True])
@pytest.mark.parametrize("Est", [Lasso, ElasticNet])
def test_alpha_wrong_type(Est, alpha, data):
    X, y = data
    check_rejects(lambda: Est(alpha=alpha).fit(X, y), "alpha")


def test_ridge_alpha_array_checks(data):
    X, y = data
    Y = np.c_[y, y, y]
    check_rejects(lambda: Ridge(alpha=[1.0, 2.0]).fit(X, Y), "alpha", ValueError)
    check_rejects(lambda: Ridge(alpha=[1.0, -2.0, 1.0]).fit(X, Y), "alpha", ValueError)
    check_rejects(lambda: Ridge(alpha=[1.0, np.nan, 1.0]).fit(X, Y), "alpha", ValueError)
    check_rejects(lambda: Ridge(alpha=[[1.0, 1.0, 1.0]]).fit(X, Y), "alpha", ValueError)
    check_rejects(lambda: Ridge(alpha=["a", "b", "c"]).fit(X, Y), "alpha")
    check_rejects(lambda: Ridge(alpha=[1.0, 2.0]).fit(X, y), "alpha", ValueError)


@pytest.mark.parametrize("l1_ratio", [-0.1, 1.1, np.nan, np.inf])
def test_bad_l1_ratio(l1_ratio, data):
    X, y = data
    check_rejects(lambda: ElasticNet(l1_ratio=l1_ratio).fit(X, y), "l1_ratio")


@pytest.mark.parametrize("l1_ratio", [0.0, 1.0])
def test_l1_ratio_bounds_accepted(l1_ratio, data):
    X, y = data
    est = ElasticNet(alpha=0.1, l1_ratio=l1_ratio).fit(X, y)
    assert np.all(np.isfinite(est.coef_))


@pytest.mark.parametrize("tol", [-1.0, -1e-4, np.nan])  # 0 is allowed: run max_iter
@pytest.mark.parametrize("Est", ESTIMATORS)
def test_bad_tol(Est, tol, data):
    X, y = data
    check_rejects(lambda: Est(tol=tol).fit(X, y), "tol")


@pytest.mark.parametrize("max_iter", [0, -5, 2.5, "10"])
@pytest.mark.parametrize("Est", ESTIMATORS)
def test_bad_max_iter(Est, max_iter, data):
    X, y = data
    check_rejects(lambda: Est(max_iter=max_iter).fit(X, y), "max_iter")


@pytest.mark.parametrize("Est", [Lasso, ElasticNet, Ridge])
def test_huge_max_iter_accepted_or_named(Est):
    """max_iter beyond the C int range: either accepted (scikit-learn has no
    upper bound) or rejected with a message naming max_iter."""
    X, y = small_problem(seed=6)
    try:
        est = Est(alpha=0.05, max_iter=2 ** 40).fit(X, y)
    except (TypeError, ValueError, OverflowError) as exc:
        assert re.search(r"\bmax_iter\b", str(exc)), f"{type(exc).__name__}: {exc}"
    else:
        assert np.all(np.isfinite(est.coef_))


@pytest.mark.parametrize("Est", ESTIMATORS)
def test_bad_flags(Est, data):
    X, y = data
    check_rejects(lambda: Est(fit_intercept="yes").fit(X, y), "fit_intercept")
    check_rejects(lambda: Est(positive=1).fit(X, y), "positive")
    check_rejects(lambda: Est(copy_X=None).fit(X, y), "copy_X")


def test_bad_selection_and_solver(data):
    X, y = data
    check_rejects(lambda: Lasso(selection="greedy").fit(X, y), "selection")
    check_rejects(lambda: ElasticNet(warm_start="no").fit(X, y), "warm_start")
    check_rejects(lambda: Ridge(solver="qr").fit(X, y), "solver")
    check_rejects(lambda: Ridge(positive=True, solver="svd").fit(X, y), "solver")


# --------------------------------------------------------------------------
# sample_weight
# --------------------------------------------------------------------------
@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("Est", ESTIMATORS)
def test_bad_sample_weight(Est, fmt, data):
    X, y = data
    Xf = as_format(X, fmt)
    neg = np.ones(N)
    neg[4] = -0.5
    for sw in (neg, np.zeros(N), np.ones(N - 1), np.ones(N + 1), np.ones((N, 1)),
               np.ones((N, 2)), -1.0, 0.0):
        check_rejects(lambda: Est().fit(Xf, y, sample_weight=sw), "sample_weight",
                      ValueError)
    check_rejects(lambda: Est().fit(Xf, y, sample_weight=np.array(["a"] * N)),
                  "sample_weight")
    check_rejects(lambda: Est().fit(Xf, y, sample_weight=np.ones(N) + 1j), "sample_weight")


@pytest.mark.parametrize("Est", ESTIMATORS)
def test_sample_weight_some_zeros_accepted(Est, data):
    X, y = data
    sw = np.ones(N)
    sw[:5] = 0
    a = Est(alpha=0.01).fit(X, y, sample_weight=sw)
    b = Est(alpha=0.01).fit(X[5:], y[5:])
    assert_coef_close(a.coef_, b.coef_, 1e-6)


# --------------------------------------------------------------------------
# corrupt sparse structure
# --------------------------------------------------------------------------
def _raw(cls, X):
    """A sparse matrix built from raw arrays that the test can then corrupt."""
    M = cls(X)
    return cls((M.data.copy(), M.indices.copy(), M.indptr.copy()), shape=M.shape)


@pytest.mark.parametrize("cls", [sp.csr_matrix, sp.csc_matrix])
@pytest.mark.parametrize("Est", ESTIMATORS)
def test_corrupt_sparse_structure(Est, cls, data):
    X, y = data
    n_minor = X.shape[1] if cls is sp.csr_matrix else X.shape[0]

    M = _raw(cls, X)
    M.indices[1] = n_minor  # one past the end
    check_rejects(lambda: Est().fit(M, y), "X", ValueError)
    M = _raw(cls, X)
    M.indices[0] = -1
    check_rejects(lambda: Est().fit(M, y), "X", ValueError)
    M = _raw(cls, X)
    M.indptr[2] = M.indptr[3] + 1  # decreasing
    check_rejects(lambda: Est().fit(M, y), "X", ValueError)
    M = _raw(cls, X)
    M.indptr[-1] = M.indptr[-1] + 5  # beyond the data
    check_rejects(lambda: Est().fit(M, y), "X", ValueError)
    # fitted estimator, corrupt matrix at predict time
    est = Est().fit(X, y)
    M = _raw(cls, X)
    M.indices[-1] = n_minor + 10
    check_rejects(lambda: est.predict(M), "X", ValueError)


def _valid(fmt, cls_kind, index_dtype):
    X, _ = small_problem(seed=6)
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
        check_rejects(lambda: check_sparse_structure(C), "X", ValueError, f"{label}: ")


@pytest.mark.parametrize("est", [Lasso(), Ridge(), Ridge(positive=True)], ids=est_id)
@pytest.mark.parametrize("cls_kind", ["matrix", "array"])
@pytest.mark.parametrize("fmt", ["csr", "csc"])
def test_estimators_reject_corrupt_structure_in_fit_and_predict(fmt, cls_kind, est):
    """Every inconsistency of int64 index arrays, in sparse arrays as well as
    matrices, through fit and through predict (test_corrupt_sparse_structure
    above: int32 matrices, every estimator class)."""
    X, y = small_problem(seed=6)
    fitted = fresh(est).fit(X, y)
    for label, C in _corruptions(_valid(fmt, cls_kind, np.int64)):
        for call in (lambda: fresh(est).fit(C, y), lambda: fitted.predict(C)):
            check_rejects(call, "X", ValueError, f"{label}: ")


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


# --------------------------------------------------------------------------
# predict
# --------------------------------------------------------------------------
@pytest.mark.parametrize("Est", ESTIMATORS)
def test_predict_before_fit(Est, data):
    X, _ = data
    with pytest.raises(NotFittedError):
        Est().predict(X)
    with pytest.raises(NotFittedError):
        Est().predict(sp.csr_matrix(X))


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("Est", ESTIMATORS)
def test_predict_wrong_n_features(Est, fmt, data):
    X, y = data
    est = Est().fit(X, y)
    check_rejects(lambda: est.predict(as_format(X[:, :-1], fmt)), "X", ValueError)
    check_rejects(lambda: est.predict(as_format(np.c_[X, X], fmt)), "X", ValueError)
    Xn = X.copy()
    Xn[0, 0] = np.nan
    check_rejects(lambda: est.predict(Xn), "X", ValueError)
    # and the right shape works for every format, with the same answer
    np.testing.assert_allclose(est.predict(as_format(X, fmt)), est.predict(X), rtol=1e-12)


def test_check_feature_names():
    """scikit-learn's rule for feature_names_in_: all string column names, or
    none (no names); a mix is an error."""
    pd = pytest.importorskip("pandas")
    X = np.zeros((2, 3))
    names = check_feature_names(pd.DataFrame(X, columns=["a", "b", "c"]))
    assert names.dtype == object and list(names) == ["a", "b", "c"]
    assert check_feature_names(pd.DataFrame(X)) is None  # integer column names
    assert check_feature_names(X) is None and check_feature_names(sp.csr_matrix(X)) is None
    with pytest.raises(TypeError, match="string names"):
        check_feature_names(pd.DataFrame(X, columns=["a", 1, "c"]))
