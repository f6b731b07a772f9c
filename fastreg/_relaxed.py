"""Relaxed fits: the least-squares refit of a path on each alpha's active set.

The relaxed Lasso (Meinshausen 2007, "Relaxed Lasso", Computational Statistics
& Data Analysis 52; in glmnet's form, Hastie, Tibshirani & Tibshirani 2020,
"Best subset, forward stepwise or lasso?", Statistical Science 35) blends, at
each alpha, the penalised coefficients with the unpenalised least squares on
their support A:

    w(gamma) = gamma * w_pen + (1 - gamma) * w_ols,

    w_ols = argmin_{supp(z) in A} ||yt - Xt z||^2,   i.e.  G_AA z_A = Xt_A^T yt,

on the centred, weighted design of :mod:`fastreg._preprocess` (the intercept
``y_mean - x_mean . w`` is linear in ``w``, so it blends the same way, and so
do predictions). With ``positive=True`` the refit is the non-negative least
squares on A, as glmnet keeps the constraints of the penalised fit.

Shared along the path: the Gram matrix of the union U of the path's active
sets, and ``Xt_U^T yt``, are formed once; each alpha slices its ``G_AA`` and
solves it by Cholesky, falling back to the minimum-norm solution
(:mod:`fastreg._linalg`) when A is rank-deficient (collinear columns, or
``|A| >= n``); consecutive alphas with the same active set share one solve.
When the union's Gram matrix would exceed :data:`fastreg._gram.MAX_GRAM_ENTRIES`
each distinct active set gets its own restricted Gram matrix instead.
"""
import numpy as np

from ._gram import MAX_GRAM_ENTRIES, gram_matrix
from ._linalg import solve_psd_min_norm, solve_spd
from ._penalty import nonnegative_least_squares
from ._preprocess import Design


def blend(gamma, penalised, refit):
    """The relaxed fit at ``gamma``: ``gamma * penalised + (1 - gamma) * refit``,
    for coefficients, intercepts or predictions alike (all linear in w)."""
    return gamma * penalised + (1.0 - gamma) * refit


def active_union(coefs):
    """The features active at some alpha of ``coefs`` (n_features, n_alphas)."""
    return np.flatnonzero(np.any(coefs != 0, axis=1))


def least_squares_refits(design, coefs, positive=False):
    """Least-squares refits of a path on each alpha's active set.

    Parameters
    ----------
    design : Design
        The preprocessed (centred, weighted) design the path was solved on,
        1-D target.
    coefs : ndarray of shape (n_features, n_alphas)
        The path's penalised coefficients.
    positive : bool, default=False
        Non-negative least squares on each active set.

    Returns
    -------
    refits : ndarray of shape (n_features, n_alphas), the design's dtype
        Zero off each active set (and everywhere for an empty one).
    intercepts : ndarray of shape (n_alphas,)
        ``y_mean - x_mean . refit`` (``y_mean`` for an empty active set; zero
        without an intercept, whose means are zeros).
    """
    p, n_alphas = coefs.shape
    n = design.shape[0]
    U = active_union(coefs)
    out = np.zeros((p, n_alphas), dtype=np.float64)
    if U.size * U.size <= MAX_GRAM_ENTRIES:
        G, b = column_statistics(design, U)
        out[U] = refits_on_gram(G, b, coefs[U], positive, n)
    else:
        # The union's Gram matrix is too large to hold: one restricted Gram
        # matrix per distinct active set (consecutive alphas share it).
        for A, ks in _runs(coefs):
            if A.size * A.size > MAX_GRAM_ENTRIES:
                raise ValueError(
                    f"relax=True: an active set of {A.size} features is beyond the "
                    f"Gram size limit ({int(np.sqrt(MAX_GRAM_ENTRIES))} features) of "
                    "the least-squares refit; use a larger alpha grid floor (eps).")
            G, b = column_statistics(design, A)
            out[np.ix_(A, ks)] = _solve(G, np.arange(A.size), b, positive, n)[:, None]
    out = out.astype(design.dtype, copy=False)
    intercepts = design.y_mean - design.x_mean @ out
    return out, intercepts


def refits_on_gram(G, b, coefs, positive, n_samples):
    """The refits of :func:`least_squares_refits` from statistics of a column set
    that holds every active column: ``G`` its Gram matrix (fully symmetric),
    ``b`` its correlations ``Xt^T yt``, ``coefs`` the path's rows of those
    columns (k, n_alphas). Returns the refits' rows (k, n_alphas), float64.

    The Dask route calls this with the whole p x p statistics of a fold.
    """
    G = np.asarray(G, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    out = np.zeros(coefs.shape, dtype=np.float64)
    for A, ks in _runs(coefs):
        out[np.ix_(A, ks)] = _solve(G, A, b, positive, n_samples)[:, None]
    return out


def _runs(coefs):
    """``(A, ks)`` for each run of consecutive alphas with the same non-empty
    active set A (indices into coefs' rows); ks their columns."""
    runs = []
    prev = None
    for k in range(coefs.shape[1]):
        A = np.flatnonzero(coefs[:, k])
        if prev is not None and np.array_equal(A, prev[0]):
            prev[1].append(k)
            continue
        prev = (A, [k])
        if A.size:
            runs.append(prev)
    return [(A, np.array(ks)) for A, ks in runs]


def _solve(G, A, b, positive, n_samples):
    """The least squares ``G_AA z = b_A`` (non-negative with ``positive``) for
    the positions ``A`` of ``G`` and ``b``: by Cholesky, or the minimum-norm
    solution where A is numerically rank-deficient (certainly so when
    ``|A| >= n``, and whenever :func:`fastreg._linalg.solve_spd` declines)."""
    G_AA = G[np.ix_(A, A)]
    if positive:
        return nonnegative_least_squares(G_AA, b[A])
    if A.size < n_samples:
        # G_AA is a fresh symmetric copy: factorise it in place, through its
        # transpose (the Fortran view of the same matrix).
        z = solve_spd(G_AA.T, 0.0, b[A], overwrite=True)
        if z is not None:
            return z
        G_AA = G[np.ix_(A, A)]  # the failed factorisation overwrote the copy
    return solve_psd_min_norm(G_AA, 0.0, b[A])


def column_statistics(design, cols):
    """``(G, b)``: the Gram matrix ``Xt_C^T Xt_C`` (fully symmetric) and the
    correlations ``Xt_C^T yt`` of the columns ``cols`` of the centred, weighted
    design, float64, from a copy of those columns only (sparse X stays sparse,
    its centring implicit)."""
    sub = _float64(design.restrict(cols))
    return gram_matrix(sub), np.asarray(sub.rmatvec(sub.y), dtype=np.float64)


def _float64(design):
    """A float64 twin of a non-lazy design (the refit's normal equations square
    the condition number: float32 Gram matrices would lose most digits)."""
    if design.dtype == np.float64:
        return design
    X = design.X
    X = X.astype(np.float64) if design.sparse else np.asfortranarray(X, dtype=np.float64)
    return Design(X=X, y=design.y.astype(np.float64), x_mean=design.x_mean.astype(np.float64),
                  y_mean=np.float64(design.y_mean), sqrt_sw=design.sqrt_sw.astype(np.float64))
