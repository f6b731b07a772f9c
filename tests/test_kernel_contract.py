"""The three coordinate-descent kernels keep one contract.

``enet_cd_dense`` (the centred, weighted design Xt), ``enet_cd_sparse`` (the
CSC of ``Xs = diag(sqrt_sw) X`` with ``x_mean`` and ``sqrt_sw``, centring
implicit) and ``enet_cd_gram`` (``G = Xt^T Xt``, ``Xt^T yt``, ``||yt||^2``)
take the same arguments after their design, mean the same by them and return
the same tuple: on the same problem, with the same options, they reach the
same solution, certified by fastreg.reference's independent duality gap.
They are also leaves: importing them imports no Python module of fastreg.
"""
import importlib.machinery
import os
import subprocess
import sys

import numpy as np
import pytest
import scipy.sparse as sp

import fastreg
from fastreg import reference as ref
from fastreg._kernels._cd_dense import enet_cd_dense
from fastreg._kernels._cd_gram import enet_cd_gram
from fastreg._kernels._cd_sparse import enet_cd_sparse
from fastreg._penalty import kernel_kwargs, projection

from conftest import make_problem, make_sample_weight

KERNELS = ("dense", "sparse", "gram")

#: The arguments after the design, in order, of every kernel.
SHARED = ("w", "l1_reg", "l2_reg", "max_iter", "tol", "seed", "random", "positive",
          "gap_freq", "anderson_k", "work_frac", "penalty_factor", "unpen_idx",
          "unpen_pinv", "unpen_cross", "proj_work", "proj_dwork", "proj_iwork",
          "l2_factor", "lower", "upper",
          "unpen_sign")

N, P = 60, 30
ZERO_COLUMN = 7          # an all-zero column: its coefficient is 0 in every kernel
UNPENALISED = (0, 3)     # pf_j = 0 on these (non-zero) columns


def problem(dtype):
    """One weighted, centred problem in the three designs' forms (and the raw
    data for the reference)."""
    X, y = make_problem(n=N, p=P, density=0.4, seed=5)
    X[:, ZERO_COLUMN] = 0.0
    s = make_sample_weight(N, "random", seed=5)
    s = s * N / s.sum()
    xm, ym = s @ X / s.sum(), s @ y / s.sum()
    r = np.sqrt(s)
    Xt = r[:, None] * (X - xm)
    yt = r * (y - ym)
    Xs = sp.csc_matrix(r[:, None] * X)
    Xs.sort_indices()
    G = Xt.T @ Xt
    G = 0.5 * (G + G.T)
    t = np.dtype(dtype).type
    designs = {
        "dense": (np.asfortranarray(Xt, dtype=dtype), yt.astype(dtype)),
        "sparse": (Xs.data.astype(dtype), Xs.indices, Xs.indptr, xm.astype(dtype),
                   r.astype(dtype), yt.astype(dtype)),
        "gram": (np.asfortranarray(G, dtype=dtype), (Xt.T @ yt).astype(dtype),
                 t(yt @ yt)),
    }
    return dict(X=X, y=y, s=s, xm=xm, ym=ym, Xt=Xt, yt=yt, G=G, designs=designs)


def factors(kind):
    if kind == "plain":
        return None
    pf = np.random.default_rng(1).uniform(0.5, 2.0, P)
    pf[list(UNPENALISED)] = 0.0
    return pf


def penalty_kw(pb, pf, dtype, positive):
    """The kernels' penalty keywords, as the drivers build them (the same
    projection for the three kernels: ``G[:, U] = Xt^T Xt_U``)."""
    if pf is None:
        return {}
    U = np.flatnonzero((pf == 0) & (np.diag(pb["G"]) > 0)).astype(np.intc)
    spec = {"penalty_factor": pf.astype(dtype),
            "unpenalised": projection(U, pb["G"][:, U], dtype)}
    return kernel_kwargs(spec, positive)


def run(pb, kernel, w, *args, **kw):
    f = {"dense": enet_cd_dense, "sparse": enet_cd_sparse, "gram": enet_cd_gram}[kernel]
    return f(*pb["designs"][kernel], w, *args, **kw)


def objective(pb, w, pf, l1, l2):
    """P(w) in kernel units, float64, from Xt itself."""
    pf = np.ones(P) if pf is None else pf
    w = w.astype(np.float64)
    R = pb["yt"] - pb["Xt"] @ w
    return 0.5 * R @ R + pf @ (l1 * np.abs(w) + 0.5 * l2 * w * w)


def certified_gap(pb, w, pf, l1, l2, positive):
    """fastreg.reference's duality gap at w, in kernel units (times sum(s))."""
    w = w.astype(np.float64)
    S = pb["s"].sum()
    return S * ref.enet_duality_gap(pb["X"], pb["y"], w, pb["ym"] - pb["xm"] @ w,
                                    (l1 + l2) / S, l1 / (l1 + l2), pb["s"],
                                    fit_intercept=True, positive=positive,
                                    penalty_factor=pf)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("work_frac", [0.0, 0.9])
@pytest.mark.parametrize("anderson_k", [0, 5])
@pytest.mark.parametrize("random", [False, True])
@pytest.mark.parametrize("positive", [False, True])
@pytest.mark.parametrize("l2", [0.0, 0.5])
@pytest.mark.parametrize("pf_kind", ["plain", "factors"])
def test_kernels_are_equivalent(pf_kind, l2, positive, random, anderson_k, work_frac,
                                dtype):
    pb = problem(dtype)
    pf = factors(pf_kind)
    c = pb["Xt"].T @ pb["yt"]
    l1 = 0.05 * (np.max(c) if positive else np.max(np.abs(c)))
    tol = 1e-10 if dtype == np.float64 else 1e-5
    t = np.dtype(dtype).type
    args = (t(l1), t(l2), 100_000, t(tol), 7, random, positive)
    options = dict(gap_freq=10, anderson_k=anderson_k, work_frac=work_frac)
    yy = float(pb["yt"] @ pb["yt"])
    out, coef = {}, {}
    for kernel in KERNELS:
        kw = penalty_kw(pb, pf, dtype, positive)
        inputs = [np.array(a, copy=True) for a in pb["designs"][kernel]]
        given = {k: v.copy() for k, v in kw.items() if not k.startswith("proj_")}
        w = np.zeros(P, dtype=dtype)
        out[kernel] = run(pb, kernel, w, *args, **options, **kw)
        coef[kernel] = w
        # Only w (and the proj_* scratch) is written to.
        for a, b in zip(inputs, pb["designs"][kernel]):
            np.testing.assert_array_equal(a, b)
        for k, v in given.items():
            np.testing.assert_array_equal(v, kw[k])

    for kernel in KERNELS:
        gap, tol_scaled, n_iter, converged = out[kernel]
        assert isinstance(out[kernel], tuple) and len(out[kernel]) == 4
        assert type(gap) is float and type(tol_scaled) is float
        assert type(n_iter) is int and type(converged) is bool
        w = coef[kernel]
        assert w.dtype == dtype
        assert converged and gap <= tol_scaled, (kernel, out[kernel])
        assert tol_scaled == pytest.approx(tol * yy, rel=1e-12 if dtype == np.float64 else 1e-5)
        assert w[ZERO_COLUMN] == 0
        if positive:
            assert np.all(w >= 0)
        # The certificate, recomputed from w alone.
        slack = 1e-6 if dtype == np.float64 else 2.0
        assert certified_gap(pb, w, pf, l1, l2, positive) <= tol_scaled * (1 + slack), kernel

    # The same solution: objectives within the certified tolerance of each other
    # and, where P is strongly convex, the coefficients within its radius.
    tol_scaled = out["dense"][1]
    objs = [objective(pb, coef[k], pf, l1, l2) for k in KERNELS]
    assert max(objs) - min(objs) <= tol_scaled * (1 + slack) + 1e-13 * yy
    if l2 > 0 and pf is None:
        radius = np.sqrt(2 * tol_scaled * (1 + slack) / l2)
        for kernel in KERNELS[1:]:
            assert np.linalg.norm(coef[kernel] - coef["dense"]) <= 2 * radius
    # Plain coordinate descent (no extrapolation) runs the same iterates in
    # every kernel: the same gap checks.
    if anderson_k == 0 and dtype == np.float64:
        assert out["dense"][2] == out["sparse"][2] == out["gram"][2]


def test_kernels_share_their_arguments_after_the_design():
    for f, n_design in ((enet_cd_dense, 2), (enet_cd_sparse, 6), (enet_cd_gram, 3)):
        code = f.__code__
        assert code.co_varnames[n_design:code.co_argcount] == SHARED, f.__name__
    # The sparse design's precomputed statistics come after, keyword only.
    assert enet_cd_dense.__code__.co_kwonlyargcount == 0
    assert enet_cd_gram.__code__.co_kwonlyargcount == 0
    code = enet_cd_sparse.__code__
    assert code.co_varnames[code.co_argcount:code.co_argcount + 1] == ("column_stats",)


@pytest.mark.parametrize("kernel", KERNELS)
def test_options_mean_the_same_everywhere(kernel):
    """Defaults, Anderson's clamping and when each option is ignored: bit-identical
    results for calls that the contract says are the same call."""
    pb = problem(np.float64)
    c = pb["Xt"].T @ pb["yt"]
    args = (0.02 * np.max(np.abs(c)), 0.1, 100_000, 1e-10, 3)

    def solve(random=False, **kw):
        w = np.zeros(P)
        return run(pb, kernel, w, *args, random, False, **kw), w

    same = [
        (dict(), dict(gap_freq=10, anderson_k=5, work_frac=0.0)),   # the defaults
        (dict(anderson_k=50), dict(anderson_k=8)),                  # at most 8
        (dict(anderson_k=-3), dict(anderson_k=0)),                  # <= 0: off
        (dict(random=True, anderson_k=5, work_frac=0.9),            # random: neither
         dict(random=True, anderson_k=0, work_frac=0.0)),
        (dict(penalty_factor=np.ones(P)), dict()),                  # None: all ones
    ]
    for a, b in same:
        (out_a, w_a), (out_b, w_b) = solve(**a), solve(**b)
        assert out_a == out_b, (a, b)
        np.testing.assert_array_equal(w_a, w_b)
    # A warm start at the optimum: no epoch, the same answer.
    out, w = solve()
    again = run(pb, kernel, w.copy(), *args, False, False)
    assert again[2] == 0 and again[3]


@pytest.mark.parametrize("kernel", KERNELS)
def test_kernels_reject_the_same_bad_arguments(kernel):
    pb = problem(np.float64)
    pf = factors("factors")
    kw = penalty_kw(pb, pf, np.float64, True)
    U = kw["unpen_idx"]

    def call(w=None, positive=False, **extra):
        w = np.zeros(P) if w is None else w
        return run(pb, kernel, w, 0.1, 0.0, 10, 1e-4, 0, False, positive, **extra)

    with pytest.raises(ValueError, match="gap_freq"):
        call(gap_freq=0)
    for bad in (-0.1, 1.5, np.nan):
        with pytest.raises(ValueError, match="work_frac"):
            call(work_frac=bad)
    with pytest.raises(ValueError, match="one coefficient per feature"):
        call(w=np.zeros(P + 1))
    with pytest.raises(ValueError, match="penalty_factor"):
        call(penalty_factor=np.ones(P - 1))
    with pytest.raises(ValueError, match="unpen_pinv"):
        call(penalty_factor=kw["penalty_factor"], unpen_idx=U)
    with pytest.raises(ValueError, match="unpen_idx must hold"):
        call(**{**kw, "unpen_idx": np.array([0, P], dtype=np.intc)})
    no_scratch = {k: v for k, v in kw.items() if not k.startswith("proj_")}
    with pytest.raises(ValueError, match="proj_work"):
        call(**no_scratch)
    with pytest.raises(ValueError, match="proj_dwork"):
        call(positive=True, **no_scratch, proj_work=kw["proj_work"])
    with pytest.raises((TypeError, ValueError)):   # mixed dtypes
        call(**{**kw, "penalty_factor": kw["penalty_factor"].astype(np.float32)})
    call(positive=True, **kw)                    # and the full set is accepted


def test_kernels_are_leaves():
    """Each compiled module imports, with fastreg's own __init__ not run, no
    Python module of fastreg: the kernels depend on nothing above them."""
    root = os.path.dirname(fastreg.__file__)
    # the compiled modules themselves (an installed wheel has no .pyx sources)
    suffixes = tuple(importlib.machinery.EXTENSION_SUFFIXES)
    modules = sorted({f.split(".")[0] for f in os.listdir(os.path.join(root, "_kernels"))
                      if f.endswith(suffixes)})
    script = """
import importlib, sys, types
root, modules = sys.argv[1], sys.argv[2:]
for name, path in (("fastreg", root), ("fastreg._kernels", root + "/_kernels")):
    package = types.ModuleType(name)
    package.__path__ = [path]
    sys.modules[name] = package
for m in modules:
    importlib.import_module("fastreg._kernels." + m)
print(" ".join(sorted(n for n in sys.modules if n.startswith("fastreg"))))
"""
    res = subprocess.run([sys.executable, "-c", script, root, *modules],
                         capture_output=True, text=True, check=True)
    expected = {"fastreg", "fastreg._kernels"} | {f"fastreg._kernels.{m}" for m in modules}
    assert {"_cd_dense", "_cd_sparse", "_cd_gram", "_sparse_normal"} <= set(modules)
    assert set(res.stdout.split()) == expected


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("work_frac", [0.0, 0.9])
@pytest.mark.parametrize("anderson_k", [0, 5])
@pytest.mark.parametrize("l2", [0.0, 0.5])
@pytest.mark.parametrize("pf_kind", ["plain", "factors"])
def test_kernels_agree_with_bounds_and_l2_factors(pf_kind, l2, anderson_k, work_frac,
                                                  dtype):
    """With a box (finite, zero and infinite sides, on penalised and
    unpenalised features) and separate L2 factors, the three kernels reach the
    same certified solution: inside the box, the box problem's KKT conditions
    (fastreg.reference, with the factors written as standardisation: L1
    ``pf d``, L2 ``pf d^2``) and the same objective within the tolerance."""
    from fastreg._penalty import Penalty

    pb = problem(dtype)
    pf = np.ones(P) if pf_kind == "plain" else factors(pf_kind)
    rng = np.random.default_rng(3)
    d = rng.uniform(0.5, 2.0, P)
    l1_factor, l2_factor = pf * d, pf * d * d
    lower = np.where(np.arange(P) % 3 == 0, -0.05, -np.inf)
    lower[np.arange(P) % 3 == 1] = 0.0
    upper = np.where(np.arange(P) % 4 == 0, 0.05, np.inf)
    lower[UNPENALISED[0]], upper[UNPENALISED[0]] = -np.inf, 0.01   # held at its bound
    c = pb["Xt"].T @ pb["yt"]
    l1 = 0.05 * np.max(np.abs(c))
    tol = 1e-10 if dtype == np.float64 else 1e-5
    t = np.dtype(dtype).type
    # the box as the kernels hold it, in the data's dtype
    lower, upper = (b.astype(dtype).astype(np.float64) for b in (lower, upper))
    G = np.asfortranarray(pb["G"], dtype=dtype)
    penalty = Penalty.from_gram(G, l1_factor, (lower, upper), l2_factor)
    out, coef = {}, {}
    for kernel in KERNELS:
        kw = kernel_kwargs(penalty.kernel_args(gram=G), False)
        w = np.zeros(P, dtype=dtype)
        out[kernel] = run(pb, kernel, w, t(l1), t(l2), 100_000, t(tol), 7, False, False,
                          gap_freq=10, anderson_k=anderson_k, work_frac=work_frac, **kw)
        coef[kernel] = w
    S = pb["s"].sum()
    alpha, l1_ratio = (l1 + l2) / S, l1 / (l1 + l2)
    kkt_tol = 1e-6 if dtype == np.float64 else 2e-3
    slack = 1e-6 if dtype == np.float64 else 2.0
    objs = []
    for kernel in KERNELS:
        gap, tol_scaled, _, converged = out[kernel]
        w = coef[kernel].astype(np.float64)
        assert converged and gap <= tol_scaled, (kernel, out[kernel])
        assert np.all(w >= lower) and np.all(w <= upper) and w[ZERO_COLUMN] == 0
        b = pb["ym"] - pb["xm"] @ w
        viol = ref.enet_box_kkt_violation(pb["X"], pb["y"], w, b, alpha, l1_ratio, pb["s"],
                                          True, pf, lower, upper, d)
        assert viol <= kkt_tol * np.max(np.abs(c)) / S, (kernel, viol)
        objs.append(S * ref.enet_box_objective(pb["X"], pb["y"], w, b, alpha, l1_ratio,
                                               pb["s"], pf, lower, upper, d))
    if pf_kind == "factors":   # the unpenalised feature is held at its bound
        assert all(coef[k][UNPENALISED[0]] == t(0.01) for k in KERNELS)
    assert any(np.any((coef["dense"] == t(b)) & (b != 0)) for b in (-0.05, 0.05))
    assert max(objs) - min(objs) <= out["dense"][1] * (1 + slack) + 1e-13 * float(
        pb["yt"] @ pb["yt"])
    if anderson_k == 0 and dtype == np.float64:
        assert out["dense"][2] == out["sparse"][2] == out["gram"][2]
