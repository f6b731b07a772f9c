"""Anderson extrapolation inside the dense, sparse and Gram kernels.

The extrapolated point is accepted only when it lowers the objective, so it
must change nothing but speed: the same certified optimum as plain coordinate
descent (anderson_k=0), with fewer epochs on an ill-conditioned design.
"""
import numpy as np
import pytest
import scipy.sparse as sp

from fastreg import reference as ref
from fastreg._kernels._cd_dense import enet_cd_dense
from fastreg._kernels._cd_gram import enet_cd_gram
from fastreg._kernels._cd_sparse import enet_cd_sparse

from conftest import (centred_weighted, correlated_design, make_rng, make_sample_weight,
                      sparse_truth)


def problem(weighted, centre, dtype, n=120, p=60, rho=0.97, seed=0):
    """A strongly correlated design (condition number ~ 1e3): slow for plain CD."""
    X = correlated_design(n, p, rho=rho, shift=1.0, seed=seed)
    y = X @ sparse_truth(p, 10, seed=seed) + 0.1 * make_rng(seed).standard_normal(n)
    s = make_sample_weight(n, "random", seed=seed) if weighted else np.ones(n)
    s = s * n / s.sum()
    Xt, yt, xm, ym = centred_weighted(X, y, s, fit_intercept=centre)
    Xt = np.asfortranarray(Xt, dtype=dtype)
    yt = np.ascontiguousarray(yt, dtype=dtype)
    Xs = sp.csc_matrix(np.sqrt(s)[:, None] * X)
    return dict(X=X, y=y, s=s, xm=xm, ym=ym, Xt=Xt, yt=yt, Xs=Xs, centre=centre,
                dtype=dtype)


def run(pb, kernel, l1, l2, k, positive, tol):
    t = pb["dtype"]
    w = np.zeros(pb["Xt"].shape[1], dtype=t)
    args = (pb["yt"], w, t(l1), t(l2), 100_000, t(tol), 0, False, positive)
    if kernel == "dense":
        out = enet_cd_dense(pb["Xt"], *args, anderson_k=k)
    elif kernel == "gram":
        Xt = pb["Xt"].astype(np.float64)
        G = np.asfortranarray(Xt.T @ Xt, dtype=t)
        yt = pb["yt"].astype(np.float64)
        out = enet_cd_gram(G, (Xt.T @ yt).astype(t), t(yt @ yt), *args[1:], anderson_k=k)
    else:
        Xs = pb["Xs"]
        out = enet_cd_sparse(Xs.data.astype(t), Xs.indices, Xs.indptr, pb["xm"].astype(t),
                             np.sqrt(pb["s"]).astype(t), *args, anderson_k=k)
    return w, out


def independent_gap(pb, w, l1, l2, positive):
    """fastreg.reference's gap of the same problem, in kernel units."""
    S = pb["s"].sum()
    intercept = pb["ym"] - pb["xm"] @ w if pb["centre"] else 0.0
    g = ref.enet_duality_gap(pb["X"], pb["y"], w, intercept, (l1 + l2) / S,
                             l1 / (l1 + l2), pb["s"], fit_intercept=pb["centre"],
                             positive=positive)
    return S * g


@pytest.mark.parametrize("kernel", ["dense", "sparse", "gram"])
@pytest.mark.parametrize("positive", [False, True])
@pytest.mark.parametrize("l2", [0.0, 1.0])
@pytest.mark.parametrize("weighted,centre", [(False, False), (True, True)])
def test_same_optimum_fewer_epochs(kernel, positive, l2, weighted, centre):
    pb = problem(weighted, centre, np.float64)
    c = pb["Xt"].T @ pb["yt"]
    l1 = 0.01 * (np.max(c) if positive else np.max(np.abs(c)))
    w_plain, (g0, tol_scaled, it_plain, conv0) = run(pb, kernel, l1, l2, 0, positive, 1e-10)
    w_acc, (g1, _, it_acc, conv1) = run(pb, kernel, l1, l2, 5, positive, 1e-10)
    assert conv0 and conv1
    # Each result certified by an independent gap, on the full problem.
    for w in (w_plain, w_acc):
        assert independent_gap(pb, w, l1, l2, positive) <= tol_scaled * (1 + 1e-6)
        if positive:
            assert np.all(w >= 0)
    obj = [ref.enet_objective(pb["X"], pb["y"], w,
                              pb["ym"] - pb["xm"] @ w if centre else 0.0,
                              (l1 + l2) / pb["s"].sum(), l1 / (l1 + l2), pb["s"])
           for w in (w_plain, w_acc)]
    assert abs(obj[0] - obj[1]) <= 1e-9 * abs(obj[0])
    # Extrapolation pays on this design: markedly fewer epochs.
    assert it_acc < 0.7 * it_plain, (it_acc, it_plain)


@pytest.mark.parametrize("kernel", ["dense", "sparse", "gram"])
def test_float32(kernel):
    pb = problem(False, True, np.float32)
    c = pb["Xt"].T.astype(np.float64) @ pb["yt"]
    l1 = 0.05 * np.max(np.abs(c))
    w, (gap, tol_scaled, _, conv) = run(pb, kernel, l1, 0.0, 5, False, 1e-6)
    assert conv and w.dtype == np.float32
    assert independent_gap(pb, w.astype(np.float64), l1, 0.0, False) <= 3 * tol_scaled


@pytest.mark.parametrize("kernel", ["dense", "sparse", "gram"])
@pytest.mark.parametrize("k", [1, 2, 8])
def test_any_depth(kernel, k):
    """Depths 1..8 all converge to the certified optimum (8 is the maximum;
    larger values are clamped)."""
    pb = problem(True, True, np.float64, rho=0.9)
    c = pb["Xt"].T @ pb["yt"]
    l1 = 0.02 * np.max(np.abs(c))
    w, (gap, tol_scaled, _, conv) = run(pb, kernel, l1, 0.5, k, False, 1e-10)
    assert conv and independent_gap(pb, w, l1, 0.5, False) <= tol_scaled * (1 + 1e-6)
    w2, (_, _, _, conv2) = run(pb, kernel, l1, 0.5, 50, False, 1e-10)
    assert conv2
