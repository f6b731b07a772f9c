"""fastreg._linalg: the rank rule, the SPD solve and its minimum-norm fallback,
against NumPy's pseudo-inverse (an independent SVD)."""

import numpy as np
import pytest

from fastreg._linalg import eigh_psd, null_cutoff, solve_psd_min_norm, solve_spd

from conftest import make_rng


def _rank_deficient_gram(n=40, p=12, rank=7, seed=0):
    rng = make_rng(seed)
    X = rng.standard_normal((n, rank)) @ rng.standard_normal((rank, p))
    return X, X.T @ X


def test_null_cutoff_is_lapack_rule():
    eps = np.finfo(np.float64).eps
    assert null_cutoff(3.0, 10) == 10 * eps * 3.0
    assert null_cutoff(0.0, 10) == 0.0
    assert null_cutoff(-1.0, 10) == 0.0   # a negative round-off top is no scale


def test_solve_spd_well_conditioned_matches_solve():
    rng = make_rng(1)
    A = rng.standard_normal((30, 8))
    G = A.T @ A
    B = rng.standard_normal((8, 3))
    Z = solve_spd(np.tril(G), 0.5, B)          # only the lower triangle is read
    assert np.allclose(Z, np.linalg.solve(G + 0.5 * np.eye(8), B), rtol=1e-12)


@pytest.mark.parametrize("alpha", [0.0, 1e-16])
def test_solve_spd_refuses_numerically_singular(alpha):
    _, G = _rank_deficient_gram()
    assert solve_spd(G, alpha, np.ones(G.shape[0])) is None


@pytest.mark.parametrize("alpha", [0.0, 1e-16])
def test_min_norm_solution_is_the_pseudo_inverse(alpha):
    X, G = _rank_deficient_gram()
    y = make_rng(2).standard_normal(X.shape[0])
    B = X.T @ y                                   # in the range of G
    Z = solve_psd_min_norm(np.tril(G), alpha, B)
    # (G + alpha I)^+ restricted to range(G), from an SVD of X (never of G)
    U, s, Vt = np.linalg.svd(X, full_matrices=False)
    keep = s > null_cutoff(s[0], max(X.shape))
    expected = Vt[keep].T @ ((s[keep] / (s[keep] ** 2 + alpha)) * (U[:, keep].T @ y))
    assert np.allclose(Z, expected, rtol=1e-9, atol=1e-12 * np.abs(expected).max())
    if alpha == 0:
        assert np.allclose(Z, np.linalg.lstsq(X, y, rcond=None)[0], rtol=1e-8)


@pytest.mark.parametrize("alpha", [1e-3, 1.0])
def test_min_norm_solve_with_a_resolving_alpha_is_the_solve(alpha):
    """Where alpha makes G + alpha I well conditioned, nothing is dropped."""
    X, G = _rank_deficient_gram()
    b = X.T @ make_rng(2).standard_normal(X.shape[0])
    Z = solve_psd_min_norm(np.tril(G), alpha, b)
    assert np.allclose(Z, np.linalg.solve(G + alpha * np.eye(G.shape[0]), b), rtol=1e-8)


def test_min_norm_keeps_what_alpha_resolves():
    """A direction G cannot resolve (eigenvalue below round-off of lam_max) but
    alpha does is kept: its component is v^T b / alpha, not 0."""
    rng = make_rng(3)
    V = np.linalg.qr(rng.standard_normal((6, 6)))[0]
    lam = np.array([1e12, 1e11, 1e10, 1.0, 1e-3, 0.0])   # last: exactly null
    G = (V * lam) @ V.T
    b = V @ np.array([1.0, 1.0, 1.0, 1.0, 1.0, 0.0])
    Z = solve_psd_min_norm(G, 10.0, b)
    expected = V @ (np.array([1.0, 1.0, 1.0, 1.0, 1.0, 0.0]) / (lam + 10.0))
    # (eigenvalues of G are known to eps * lam_max = 2e-4 absolute)
    assert np.allclose(Z, expected, rtol=1e-4, atol=1e-9)


def test_eigh_psd_zeroes_the_null_space():
    X, G = _rank_deficient_gram(rank=5)
    lam, V = eigh_psd(np.asfortranarray(G.copy()))
    assert np.count_nonzero(lam) == 5 and np.all(lam >= 0)
    # the zeroed eigenvectors are annihilated by X (to round-off)
    assert np.abs(X @ V[:, lam == 0]).max() <= 1e-10 * np.abs(X).max()
    assert np.allclose(np.sort(lam)[-5:], np.linalg.svd(X, compute_uv=False)[:5][::-1] ** 2)


def test_pivoted_cholesky_reveals_rank_and_factors_the_independent_part():
    from fastreg._linalg import pivoted_cholesky

    rng = np.random.default_rng(3)
    X = rng.standard_normal((30, 8)) * np.array([1e-3, 1, 10, 1, 1, 1, 1e3, 1])
    X[:, 3] = X[:, 1] - 2 * X[:, 2]   # dependent
    X[:, 5] = 0.0                     # zero column
    G = X.T @ X
    L, piv, r = pivoted_cholesky(G, 8 * np.finfo(float).eps)
    assert r == 6 and sorted(piv) == list(range(8))
    assert 5 in piv[r:] and len({1, 2, 3} & set(piv[r:])) == 1
    chosen = piv[:r]
    np.testing.assert_allclose(L @ L.T, G[np.ix_(chosen, chosen)], rtol=1e-12,
                               atol=1e-12 * np.abs(G).max())
    assert np.allclose(L, np.tril(L))
    # LAPACK keeps a first pivot below tol: not counted
    assert pivoted_cholesky(np.array([[1e-20]]), 1e-14, np.array([1.0]))[2] == 0
