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
do predictions). glmnet keeps the constraints of the penalised fit: with
``positive=True`` or a box the refit is the bounded least squares on A
(``lower_A <= z <= upper_A``).

Shared along the path: the Gram matrix of the union U of the path's active
sets, and ``Xt_U^T yt``, formed once (or sliced from the path's own Gram
matrix in Gram mode). Consecutive alphas with one active set form a *run*
and share one solve. The runs are solved on one Cholesky factor used as a
stack (:class:`_StackFactor`): columns are pushed in blocks (a triangular
solve and the rank-revealing Cholesky of their Schur complement,
:func:`fastreg._linalg.pivoted_cholesky`, ``O(h^2 k)`` for k columns on a
stack of height h) and popped from the top for free. The whole path is known
before the first refit, so the runs are visited as a tree (the offline
trick of segment trees, e.g. de Berg et al., *Computational Geometry*, 3rd
ed., 10.3): a stretch of runs along which no column leaves is *nested*, each
run's active set a prefix of the stack, and all its runs are solved by one
triangular solve with one right-hand side per run (the forward substitution
``c = L^-1 b_F`` of a prefix is the prefix of the full one, and a
back-substitution of a zero-padded prefix stays zero below it); a stretch
where columns leave is split at a leaving point near its middle, each half
pushing the columns active all along it, and popping them after. A column
active on an interval of runs is thus pushed at most at ``O(log R)`` tree
nodes; nothing is ever downdated.

Rank-deficient active sets (collinear columns, ``|A| >= n``): a pushed column
found dependent on the stack below it (``X_d = X_F C_d``, ``C_d`` computed
once, exact on the prefix it was found on, so on every taller stack) is
resolved as the minimum-norm least squares does: the solutions are
``z_F + C z_D = z_F0`` (``z_F0`` the solution on F alone), the smallest has
``(I + C^T C) z_D = C^T z_F0``, or ``z_F = (I + C C^T)^-1 z_F0``, ``z_D =
C^T z_F`` when D outnumbers F. When the union's Gram matrix would exceed
:data:`fastreg._gram.MAX_GRAM_ENTRIES` each distinct active set gets its own
restricted Gram matrix instead. Bounds: a run whose unconstrained refit is
inside the box is the bounded one (the problem is convex); the others are
solved by :func:`fastreg._penalty.bounded_least_squares` (non-negative least
squares, :func:`fastreg._penalty.nonnegative_least_squares`, for
``positive``).
"""
import numpy as np
import scipy.linalg as la
from scipy.linalg.lapack import dpotrf as _potrf, dtrtrs

from ._gram import MAX_GRAM_ENTRIES, gram_matrix
from ._linalg import pivoted_cholesky
from ._penalty import bounded_least_squares, nonnegative_least_squares
from ._preprocess import Design


def blend(gamma, penalised, refit):
    """The relaxed fit at ``gamma``: ``gamma * penalised + (1 - gamma) * refit``,
    for coefficients, intercepts or predictions alike (all linear in w)."""
    return gamma * penalised + (1.0 - gamma) * refit


def active_union(coefs):
    """The features active at some alpha of ``coefs`` (n_features, n_alphas)."""
    return np.flatnonzero(np.any(coefs != 0, axis=1))


def least_squares_refits(design, coefs, positive=False, bounds=None, gram=None):
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
    bounds : tuple of two ndarrays of shape (n_features,), default=None
        ``(lower, upper)`` of a box (:func:`fastreg._penalty.resolve_box`):
        the bounded least squares on each active set.
    gram : tuple, default=None
        ``(G, Xy)``: the design's float64 Gram matrix ``Xt^T Xt`` (fully
        symmetric) and ``Xt^T yt``, when the path built them (Gram mode):
        sliced instead of forming the union's.

    Returns
    -------
    refits : ndarray of shape (n_features, n_alphas), the design's dtype
        Zero off each active set (and everywhere for an empty one).
    intercepts : ndarray of shape (n_alphas,)
        ``y_mean - x_mean . refit`` (``y_mean`` for an empty active set; zero
        without an intercept, whose means are zeros).
    """
    p, n_alphas = coefs.shape
    U = active_union(coefs)
    out = np.zeros((p, n_alphas), dtype=np.float64)
    if U.size * U.size <= MAX_GRAM_ENTRIES:
        if gram is not None:
            G, b = gram[0][np.ix_(U, U)], gram[1][U]
        else:
            G, b = column_statistics(design, U)
        out[U] = refits_on_gram(G, b, coefs[U], positive, _on(bounds, U))
    else:
        # The union's Gram matrix is too large to hold: one restricted Gram
        # matrix per distinct active set (consecutive alphas share it).
        supports, run_of = _runs(coefs)
        for r in range(supports.shape[1]):
            A = np.flatnonzero(supports[:, r])
            if A.size * A.size > MAX_GRAM_ENTRIES:
                raise ValueError(
                    f"relax=True: an active set of {A.size} features is beyond the "
                    f"Gram size limit ({int(np.sqrt(MAX_GRAM_ENTRIES))} features) of "
                    "the least-squares refit; use a larger alpha grid floor (eps).")
            G, b = column_statistics(design, A)
            z = refits_on_gram(G, b, np.ones((A.size, 1)), positive, _on(bounds, A))
            out[np.ix_(A, np.flatnonzero(run_of == r))] = z
    out = out.astype(design.dtype, copy=False)
    intercepts = design.y_mean - design.x_mean @ out
    return out, intercepts


def _on(bounds, cols):
    """The box ``bounds`` restricted to the columns ``cols`` (None stays None)."""
    return None if bounds is None else (bounds[0][cols], bounds[1][cols])


def refits_on_gram(G, b, coefs, positive=False, bounds=None):
    """The refits of :func:`least_squares_refits` from statistics of a column set
    that holds every active column: ``G`` its Gram matrix (fully symmetric),
    ``b`` its correlations ``Xt^T yt``, ``coefs`` the rows of those columns
    of one path, or of several side by side (k, n_alphas), ``bounds`` the box
    on them. Returns the refits' rows (k, n_alphas), float64.

    Equal active sets get bit-identical refits wherever they occur (a refit
    depends on its support only, so their held-out errors tie exactly, and
    the selection's tie rule decides, not round-off). The Dask route calls
    this with the whole p x p statistics of a fold.
    """
    G = np.asarray(G, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    supports, run_of = _runs(coefs)
    R = supports.shape[1]
    # one column per run, and a last one of zeros for the empty active sets
    sol = np.zeros((coefs.shape[0], R + 1))
    _StackFactor(G, b).solve_runs(supports, sol)
    if R:
        _, first, inverse = np.unique(supports.T, axis=0, return_index=True,
                                      return_inverse=True)
        sol[:, :R] = sol[:, first[inverse.ravel()]]
    if positive or bounds is not None:
        _bound_runs(G, b, supports, sol, bounds)
    return sol[:, run_of]


def _bound_runs(G, b, supports, sol, bounds):
    """Replace, in place, the unconstrained refits ``sol`` of the runs that leave
    the box (``bounds``; ``[0, inf)`` when None, ``positive``) by the bounded
    least squares on their supports. A refit inside the box is the bounded
    one: it minimises the convex objective over a larger set."""
    k, R = supports.shape
    lower = np.zeros(k) if bounds is None else bounds[0]
    upper = np.full(k, np.inf) if bounds is None else bounds[1]
    out_of_box = np.any(supports & ((sol[:, :R] < lower[:, np.newaxis])
                                    | (sol[:, :R] > upper[:, np.newaxis])), axis=0)
    for r in np.flatnonzero(out_of_box):
        A = np.flatnonzero(supports[:, r])
        G_AA = G[np.ix_(A, A)]
        if bounds is None:
            z = nonnegative_least_squares(G_AA, b[A])
        else:
            z = bounded_least_squares(G_AA, b[A], lower[A], upper[A])
        sol[:, r] = 0.0
        sol[A, r] = np.clip(z, lower[A], upper[A])


def _runs(coefs):
    """``(supports, run_of)``: the distinct non-empty active sets of consecutive
    alphas (a bool (n_features, n_runs) matrix, in path order) and, for each
    alpha, its run (-1 for an empty active set)."""
    nz = coefs != 0
    n_alphas = nz.shape[1]
    new = np.ones(n_alphas, dtype=bool)
    new[1:] = np.any(nz[:, 1:] != nz[:, :-1], axis=0)
    starts = np.flatnonzero(new)
    supports = nz[:, starts]
    nonempty = supports.any(axis=0)
    index = np.full(starts.size, -1, dtype=np.intp)
    index[nonempty] = np.arange(np.count_nonzero(nonempty))
    return np.asfortranarray(supports[:, nonempty]), index[np.cumsum(new) - 1]


class _StackFactor:
    """A Cholesky factor ``L L^T = G_FF`` used as a stack (see the module
    docstring), with what the solves need kept along it.

    ``G``, ``b``: the statistics of a column set (fully symmetric Gram matrix,
    correlations); columns are positions in it. ``F[:m]`` are the independent
    columns in factor order, ``L[:m, :m]`` their factor (Fortran, in a buffer
    of the full size: LAPACK reads the leading block in place, through the
    leading dimension), ``c[:m] = L^-1 b_F``. ``D`` are the pushed columns
    found dependent, each with ``C_d = G_FF^-1 G_Fd`` on the prefix it was
    found on, in push order (a stack too).
    """

    def __init__(self, G, b):
        k = G.shape[0]
        self.G, self.b = G, b
        self.norms = np.sqrt(np.maximum(np.diagonal(G), 0.0))
        self.L = np.zeros((k, k), order="F")
        self.c = np.zeros(k)
        self.F = np.zeros(k, dtype=np.intp)
        self.m = 0
        self.D = []
        self.on = np.zeros(k, dtype=bool)  # pushed (in F or in D)
        self.ratios = np.zeros(k)  # L_ii / ||x_i||: the pivots, scaled

    def _tolerance(self, k):
        """The scaled Schur complement ``d_j / ||x_j||^2`` at or below which a
        column pushed among k on the stack is dependent.

        Cholesky's computed factor is the exact one of ``G + E``, ``|E_ij| <=
        (size) eps ||x_i|| ||x_j||`` (Golub & Van Loan, 4th ed., 4.2.6), so a
        dependent column ``x_j = X_F c`` gets a computed Schur complement of
        up to ``(size) eps (1 + ||c_s||_1)^2`` (scaled; ``c_s`` its
        coefficients times the columns' norms over its own), not zero; and
        ``||c_s|| <= 1 / sigma_min`` of the scaled factor, estimated by its
        smallest scaled pivot. Ten times that bound is round-off.
        """
        rho = self.ratios[:self.m].min(initial=1.0)
        return 10 * (self.m + k) * np.finfo(np.float64).eps * (1.0 + 1.0 / rho) ** 2

    def _schur(self, J):
        """``(S, schur)``: ``S = L^-1 G_FJ`` (None on an empty stack) and the
        Schur complement ``G_JJ - S^T S`` of the columns ``J``."""
        G, m = self.G, self.m
        schur = G[np.ix_(J, J)]
        if not m:
            return None, schur
        # G_FJ, Fortran: columns J of G (rows J of G^T), then their rows F
        S = _trsm(self.L, m, np.take(G.T[J], self.F[:m], axis=1).T)
        schur -= S.T @ S
        return S, schur

    def _extend(self, J, S, L22):
        """Put the independent columns ``J`` (their ``S``, and ``L22`` the
        Cholesky factor of their Schur complement) on the stack."""
        m, r = self.m, J.size
        h = m + r
        self.L[m:h, m:h] = L22
        rhs = self.b[J]
        if m:
            self.L[m:h, :m] = S.T
            rhs = rhs - self.c[:m] @ S
        self.c[m:h] = _trsm(L22, r, rhs[:, np.newaxis])[:, 0]
        self.F[m:h] = J
        self.ratios[m:h] = np.diagonal(L22) / self.norms[J]
        self.on[J] = True
        self.m = h

    def push(self, J):
        """Push the columns ``J`` (none of them pushed yet), in the order of a
        rank-revealing Cholesky factorisation of their Schur complement."""
        if J.size == 0:
            return
        m = self.m
        S, schur = self._schur(J)
        L22, piv, r = pivoted_cholesky(schur, self._tolerance(J.size), self.norms[J])
        ind, dep = piv[:r], piv[r:]
        if r:
            self._extend(J[ind], None if S is None else S[:, ind], L22)
        if dep.size:
            # X_d = X_F C_d: the forward part L^-1 G_Fd is S_d above the block
            # and L22^-1 (its Schur complement column) within it
            h = self.m
            W = np.empty((h, dep.size), order="F")
            if m:
                W[:m] = S[:, dep]
            if r:
                W[m:] = _trsm(L22, r, schur[np.ix_(ind, dep)])
            C = _trsm(self.L, h, W, trans=1) if h else W
            self.on[J[dep]] = True
            self.D.extend((int(J[d]), C[:, i]) for i, d in enumerate(dep))

    def push_in_order(self, J):
        """Push the columns ``J`` in their order if all are independent (by
        :meth:`_tolerance`, each judged on the stack below it); return whether
        they were (nothing is pushed otherwise)."""
        if J.size == 0:
            return True
        S, schur = self._schur(J)
        L22, info = _potrf(schur, lower=1, clean=1, overwrite_a=1)
        if info != 0:
            return False
        ratios = np.diagonal(L22) / self.norms[J]
        # the smallest scaled pivot below each column: the stack's, then the block's
        below = np.minimum.accumulate(np.concatenate(
            ([self.ratios[:self.m].min(initial=1.0)], ratios[:-1])))
        tol = 10 * (self.m + J.size) * np.finfo(np.float64).eps * (1.0 + 1.0 / below) ** 2
        if np.any(ratios * ratios <= tol):
            return False
        self._extend(J, S, L22)
        return True

    def pop(self, m, n_dependent):
        """Back to the stack of height ``m`` with ``n_dependent`` dependent columns."""
        self.on[self.F[m:self.m]] = False
        for col, _ in self.D[n_dependent:]:
            self.on[col] = False
        del self.D[n_dependent:]
        self.m = m

    def solve_runs(self, supports, sol):
        """The minimum-norm least squares on each run's support (``supports``
        (k, R), bool), into the columns of ``sol`` (k, >= R)."""
        R = supports.shape[1]
        if R == 0:
            return
        leaves = np.zeros(R, dtype=bool)
        leaves[1:] = np.any(supports[:, :-1] & ~supports[:, 1:], axis=0)
        self._segment(supports, np.flatnonzero(leaves), 0, R, sol)

    def _segment(self, supports, leave_points, lo, hi, sol):
        """Runs ``lo:hi``, every column of the stack active in all of them."""
        m0, d0 = self.m, len(self.D)
        common = np.all(supports[:, lo:hi], axis=1)
        common &= ~self.on
        self.push(np.flatnonzero(common))
        inner = leave_points[(leave_points > lo) & (leave_points < hi)]
        if inner.size:
            s = int(inner[np.argmin(np.abs(2 * inner - (lo + hi)))])
            self._segment(supports, leave_points, lo, s, sol)
            self._segment(supports, leave_points, s, hi, sol)
        else:
            # nested: each run adds columns on top of the previous run's; the
            # columns entering after the first run, in the order they enter,
            # are one block when none of them is dependent
            n_runs = hi - lo
            entering = np.flatnonzero(supports[:, hi - 1] & ~self.on)
            first = np.argmax(supports[entering, lo:hi], axis=1)
            order = np.argsort(first, kind="stable")
            m_first = self.m
            if self.push_in_order(entering[order]):
                heights = m_first + np.searchsorted(first[order], np.arange(n_runs),
                                                    side="right")
                n_dep = np.full(n_runs, len(self.D), dtype=np.intp)
            else:
                heights = np.empty(n_runs, dtype=np.intp)
                n_dep = np.empty(n_runs, dtype=np.intp)
                for i, k in enumerate(range(lo, hi)):
                    if i:
                        self.push(np.flatnonzero(supports[:, k] & ~self.on))
                    heights[i], n_dep[i] = self.m, len(self.D)
            self._solve_prefixes(heights, n_dep, lo, sol)
        self.pop(m0, d0)

    def _solve_prefixes(self, heights, n_dep, lo, sol):
        """Each run ``lo + i`` is the stack's prefix of height ``heights[i]``
        with the first ``n_dep[i]`` dependent columns: one back-substitution
        for all of them, then the dependent columns' minimum-norm correction."""
        M = self.m
        F = self.F[:M]
        Z = np.zeros((M, heights.size))
        if M:
            rhs = np.where(np.arange(M)[:, np.newaxis] < heights, self.c[:M, np.newaxis], 0.0)
            Z = _trsm(self.L, M, np.asfortranarray(rhs), trans=1)
            sol[F, lo:lo + heights.size] = Z
        for i in np.flatnonzero(n_dep):
            h, nd = int(heights[i]), int(n_dep[i])
            if h == 0:  # zero columns only: the minimum norm is zero
                continue
            cols = np.array([col for col, _ in self.D[:nd]], dtype=np.intp)
            C = np.zeros((h, nd))
            for j, (_, C_d) in enumerate(self.D[:nd]):
                C[:C_d.size, j] = C_d
            z_F0 = Z[:h, i]
            if nd <= h:
                z_D = la.solve(np.eye(nd) + C.T @ C, C.T @ z_F0, assume_a="pos",
                               check_finite=False)
                z_F = z_F0 - C @ z_D
            else:
                z_F = la.solve(np.eye(h) + C @ C.T, z_F0, assume_a="pos",
                               check_finite=False)
                z_D = C.T @ z_F
            sol[F[:h], lo + i] = z_F
            sol[cols, lo + i] = z_D


def _trsm(L, m, B, trans=0):
    """``L[:m, :m]^-1 B`` (``trans=1``: ``L[:m, :m]^-T B``) for the lower
    triangular leading block of the Fortran ``L``, read in place (LAPACK
    ``trtrs`` on the leading columns ``L[:, :m]``, whose leading dimension is
    L's), B of shape (m, k)."""
    X, info = dtrtrs(L[:, :m], B, lower=1, trans=trans)
    if info != 0:  # a zero pivot: pivoted_cholesky keeps none
        raise np.linalg.LinAlgError(f"LAPACK trtrs: info {info}.")
    return X


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
