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
sets, and ``Xt_U^T yt``, are formed once. A Cholesky factor of ``G_BB``,
B the linearly independent part of the current active set, follows the path
(:class:`_PathFactor`): columns that enter are appended by a block update
(a triangular solve and the rank-revealing Cholesky of their Schur
complement, :func:`fastreg._linalg.pivoted_cholesky`), so an alpha costs
``O(|A|^2 k)`` for k entering columns instead of a factorisation; a column
that leaves truncates the factor before it and re-appends the rest.
Consecutive alphas with the same active set share one solve.

Rank-deficient active sets (collinear columns, ``|A| >= n``): the columns D
found dependent on B (``X_D = X_B C``) are resolved as the minimum-norm least
squares does, ``(I + C^T C) z_D = C^T z_B0``, ``z_B = z_B0 - C z_D`` with
``z_B0`` the solution on B alone; D is small in practice, so this costs a few
triangular solves. When the union's Gram matrix would exceed
:data:`fastreg._gram.MAX_GRAM_ENTRIES` each distinct active set gets its own
restricted Gram matrix instead. ``positive``: non-negative least squares
(:func:`fastreg._penalty.nonnegative_least_squares`) on each distinct set.
"""
import numpy as np
import scipy.linalg as la

from ._gram import MAX_GRAM_ENTRIES, gram_matrix
from ._linalg import pivoted_cholesky
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
            out[np.ix_(A, ks)] = _solve(_PathFactor(G, b), np.arange(A.size), positive)[:, None]
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
    factor = _PathFactor(G, b)
    for A, ks in _runs(coefs):
        out[np.ix_(A, ks)] = _solve(factor, A, positive)[:, None]
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


def _solve(factor, A, positive):
    """The least squares on the positions ``A`` of the factor's statistics
    (non-negative with ``positive``)."""
    if positive:
        return nonnegative_least_squares(factor.G[np.ix_(A, A)], factor.b[A])
    return factor.solve(A)


class _PathFactor:
    """The Cholesky factor ``L L^T = G_FF`` of a column set F that follows the
    path (see the module docstring): F is the independent part of the active
    set plus, for a while, columns that left it.

    ``G``, ``b``: the statistics of a column set (fully symmetric Gram matrix,
    correlations); active sets are positions in it. ``F`` is kept in factor
    order; ``D`` are active positions found dependent on F. A column that
    leaves stays in the factor and its coefficient is held at zero (a
    Lagrange multiplier per such column, ``O(|F|^2)`` each), until more than
    :data:`_MAX_HELD` have left, or dependent columns appear, when the factor
    is truncated before the first one and the rest re-appended.
    """

    def __init__(self, G, b):
        self.G, self.b = G, b
        self.F = np.zeros(0, dtype=np.intp)
        self.D = np.zeros(0, dtype=np.intp)
        self.L = np.zeros((0, 0), order="F")

    def _truncate(self, keep):
        i0 = int(np.argmin(keep))
        self.F, self.L = self.F[:i0], np.asfortranarray(self.L[:i0, :i0])
        self.D = np.zeros(0, dtype=np.intp)  # re-tested against the new factor

    def _update(self, A):
        in_A = np.zeros(self.G.shape[0], dtype=bool)
        in_A[A] = True
        self.D = self.D[in_A[self.D]]
        keep = in_A[self.F]
        if not keep.all() and (keep.size - keep.sum() > _MAX_HELD
                               or self._through_held(keep)):
            self._truncate(keep)
        known = np.zeros(self.G.shape[0], dtype=bool)
        known[self.F] = True
        known[self.D] = True
        J = A[~known[A]]
        if J.size:
            self._append(J)
        keep = in_A[self.F]
        if not keep.all() and self._through_held(keep):
            self._truncate(keep)
            self._update(A)

    def _through_held(self, keep):
        """Whether a dependent column needs a held one (``~keep``) to be
        expressed: ``X_D = X_F C`` with a row of C on a held column above
        round-off (relative to the columns' norms)."""
        if self.D.size == 0:
            return False
        C = self._solve_FF(self.G[np.ix_(self.F, self.D)])
        norms = np.sqrt(np.diagonal(self.G))
        weight = np.abs(C[~keep]) * norms[self.F[~keep]][:, np.newaxis]
        return bool(np.any(weight > np.sqrt(np.finfo(np.float64).eps) * norms[self.D]))

    def _append(self, J):
        m = self.F.size
        G_FJ = self.G[np.ix_(self.F, J)]
        S = (la.solve_triangular(self.L, G_FJ, lower=True, check_finite=False) if m
             else G_FJ)
        schur = self.G[np.ix_(J, J)] - S.T @ S
        # Cholesky's backward error is about (size) eps of each column's norm
        # (Golub & Van Loan, 4th ed., 4.2.6), and the Schur complement's
        # subtraction carries it: a scaled residual below ten times that is
        # round-off, the column dependent.
        norms = np.sqrt(np.maximum(np.diagonal(self.G)[J], 0.0))
        L22, piv, r = pivoted_cholesky(schur, 10 * (m + J.size) * np.finfo(np.float64).eps,
                                       norms)
        L = np.zeros((m + r, m + r), order="F")
        L[:m, :m] = self.L
        L[m:, :m] = S[:, piv[:r]].T
        L[m:, m:] = L22
        self.L = L
        self.F = np.concatenate([self.F, J[piv[:r]]])
        self.D = np.concatenate([self.D, J[piv[r:]]])

    def _solve_FF(self, rhs):
        c = la.solve_triangular(self.L, rhs, lower=True, check_finite=False)
        return la.solve_triangular(self.L, c, lower=True, trans="T", check_finite=False)

    def solve(self, A):
        """The minimum-norm least squares on the positions ``A`` (sorted), in
        A's order."""
        self._update(A)
        z = np.zeros(self.G.shape[0])
        if self.F.size == 0:
            return z[A]
        z_F = self._solve_FF(self.b[self.F])
        in_A = np.zeros(self.G.shape[0], dtype=bool)
        in_A[A] = True
        held = np.flatnonzero(~in_A[self.F])
        if held.size:
            # min over z_F with z_held = 0: z_F = G^-1 (b - E lam), with
            # (E^T G^-1 E) lam = E^T G^-1 b
            E = np.zeros((self.F.size, held.size))
            E[held, np.arange(held.size)] = 1.0
            W = self._solve_FF(E)
            lam = la.solve(W[held], z_F[held], assume_a="pos", check_finite=False)
            z_F = z_F - W @ lam
            z_F[held] = 0.0
        if self.D.size:
            # X_D = X_F C (C zero on the held columns): the solutions are
            # z_F + C z_D = z_F0; the smallest has (I + C^T C) z_D = C^T z_F0
            C = self._solve_FF(self.G[np.ix_(self.F, self.D)])
            C[held] = 0.0
            M = np.eye(self.D.size) + C.T @ C
            z_D = la.solve(M, C.T @ z_F, assume_a="pos", check_finite=False)
            z[self.D] = z_D
            z_F = z_F - C @ z_D
        z[self.F] = z_F
        return z[A]


#: Columns that left the active set kept in the path's factor (each costs one
#: pair of triangular solves per alpha) before it is truncated and rebuilt.
_MAX_HELD = 16


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
