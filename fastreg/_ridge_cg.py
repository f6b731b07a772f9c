"""Ridge's conjugate-gradient route: the normal equations, matrix-free.

Solves ``(Xt^T Xt + alpha I) w = Xt^T yt`` (primal) or, for dense X with
fewer samples than features, ``(Xt Xt^T + alpha I) a = yt`` with
``w = Xt^T a`` (dual), for the centred, weighted design of
:mod:`fastreg._preprocess`, whose centring stays implicit. The stop is
scikit-learn's: the residual of the system solved, relative to its
right-hand side, below ``tol``.

Why these choices (timings in bench/results/cost_models.md):

- Sparse X is always solved in the primal, with the fused one-pass product of
  :mod:`fastreg._kernels._sparse_normal` on a CSR copy whose columns are relabelled by
  decreasing non-zero count, so that the entries of the p-vectors that most
  rows touch share a few cache lines.
- Jacobi preconditioning (the diagonal of the normal matrix) evens out column
  scales when n_samples >= n_features. It is not used on wide primal systems:
  there the null space of X is one eigenvalue, alpha, which CG disposes of in
  one step, and scaling by the column norms would spread it over the whole
  range of the norms, and the iterations multiply.
"""
import warnings

import numpy as np
from sklearn.exceptions import ConvergenceWarning

from ._blas_threads import single_threaded_blas
from ._kernels._sparse_normal import csr_relabelled, normal_matvec


class _SparseNormal:
    """``v -> (Xt^T Xt + alpha I) v`` for sparse Xt, in relabelled coordinates.

    Holds the CSR copy of the row-scaled data (one copy, the price of the
    one-pass product) and the column permutation ``perm``: coordinate ``k``
    here is feature ``perm[k]``.
    """

    def __init__(self, design):
        X = design.X  # canonical CSC, rows scaled by sqrt_sw
        n, p = X.shape
        self.dtype = X.dtype
        index = X.indices.dtype
        self.perm = np.argsort(-np.diff(X.indptr), kind="stable")
        label = np.empty(p, dtype=index)
        label[self.perm] = np.arange(p, dtype=index)
        self.data = np.empty(X.nnz, dtype=X.dtype)
        self.indices = np.empty(X.nnz, dtype=index)
        self.indptr = np.empty(n + 1, dtype=index)
        csr_relabelled(X.data, X.indices, X.indptr.astype(index, copy=False), n, label,
                       self.data, self.indices, self.indptr)
        self.x_mean = np.ascontiguousarray(design.x_mean[self.perm], dtype=self.dtype)
        self.sqrt_sw = np.ascontiguousarray(design.sqrt_sw, dtype=self.dtype)
        self.centre = bool(np.any(design.x_mean != 0))

    def apply(self, v, alpha, out):
        normal_matvec(self.data, self.indices, self.indptr, self.x_mean, self.sqrt_sw,
                      self.centre, alpha, v, out)
        return out


def _jacobi_diagonal(design, primal):
    """Diagonal of Xt^T Xt (primal) or Xt Xt^T (dual), without forming either."""
    X, m, s = design.X, design.x_mean, design.sqrt_sw
    if not design.sparse:
        return np.einsum("ij,ij->j" if primal else "ij,ij->i", X, X)
    if primal:
        return design.column_norms2()  # the centred norms, term by term
    sq = X.multiply(X)
    diag = (np.asarray(sq.sum(axis=1)).ravel() - 2 * s * np.asarray(X @ m).ravel()
            + s * s * (m @ m))
    return np.maximum(diag, 0)


def _dual_unsafe(design, alphas):
    """Whether an alpha is too small for the dual system on dense X.

    Where ``Xt Xt^T`` is (numerically) singular, the dual right-hand side ``yt``
    has a component on its null space, divided by alpha: ``Xt^T`` maps it to
    zero only up to round-off, ``eps * lambda_max / alpha`` relative to the
    answer. Below ``sqrt(eps) ||Xt||_F^2`` (an upper bound of ``sqrt(eps)
    lambda_max``) the primal system is solved instead: its right-hand side lies
    in the range of ``Xt^T Xt``, so the iterates stay there and converge to the
    minimum-norm solution even at alpha = 0.
    """
    X = design.X
    scale = float(np.einsum("ij,ij->", X, X))
    return float(np.min(alphas)) < np.sqrt(np.finfo(np.float64).eps) * scale


def conjugate_gradient(apply, b, inv_diag, tol, max_iter):
    """Preconditioned CG for the SPD system ``apply(v, out) = A v``, from zero.

    ``inv_diag`` is the inverse of a diagonal preconditioner (None: none).
    Returns ``(x, n_iter, converged)``; stops when ``||b - A x|| <= tol ||b||``.
    """
    x = np.zeros_like(b)
    b_norm = float(np.linalg.norm(b))
    if b_norm == 0.0:
        return x, 0, True
    r = b.copy()
    z = r * inv_diag if inv_diag is not None else r
    d = z.copy()
    Ad = np.empty_like(b)
    rz = float(r @ z)
    stop = tol * b_norm
    for it in range(1, max_iter + 1):
        apply(d, Ad)
        step = rz / float(d @ Ad)
        x += step * d
        r -= step * Ad
        if float(np.linalg.norm(r)) <= stop:
            return x, it, True
        z = r * inv_diag if inv_diag is not None else r
        rz_next = float(r @ z)
        d *= rz_next / rz
        d += z
        rz = rz_next
    return x, max_iter, False


def solve_ridge_cg(design, alphas, tol, max_iter, warn=True):
    """Ridge by conjugate gradient, one system per target (see the module docstring).

    Returns ``(coef, n_iter, converged)`` with coef of shape (n_targets, p); when
    ``warn`` is False a run that hits ``max_iter`` returns ``(None, None, False)``
    at once (the caller falls back to a closed form). BLAS is single-threaded
    meanwhile: CG's dots and norms are too small to share.
    """
    with single_threaded_blas():
        return _solve(design, alphas, tol, max_iter, warn)


def _solve(design, alphas, tol, max_iter, warn):
    n, p = design.shape
    dtype = design.dtype
    sparse = design.sparse
    primal = sparse or n >= p or _dual_unsafe(design, alphas)
    if sparse:
        op = _SparseNormal(design)
        perm = op.perm
    # Jacobi, except on wide primal systems (see the module docstring).
    precondition = n >= p or not primal
    inv_diag = None
    if precondition:
        diag = _jacobi_diagonal(design, primal)
        if sparse:
            diag = diag[perm]
    max_iter = 10 * (p if primal else n) if max_iter is None else max_iter
    coef, n_iter, converged = [], [], True
    for k, a in enumerate(alphas):
        y = design.y2d[:, k]
        if sparse:
            rhs = np.ascontiguousarray(design.rmatvec(y)[perm], dtype=dtype)

            def apply(v, out, a=a):
                return op.apply(v, a, out)
        elif primal:
            rhs = design.rmatvec(y)

            def apply(v, out, a=a):
                out[:] = design.rmatvec(design.matvec(v)) + a * v
        else:
            rhs = y

            def apply(v, out, a=a):
                out[:] = design.matvec(design.rmatvec(v)) + a * v
        if precondition:
            d = diag + a
            d[d == 0] = 1.0
            inv_diag = (1.0 / d).astype(dtype, copy=False)
        z, it, ok = conjugate_gradient(apply, np.asarray(rhs, dtype=dtype), inv_diag,
                                       tol, max_iter)
        if not ok:
            converged = False
            if not warn:
                return None, None, False
            warnings.warn(f"Ridge: conjugate gradient stopped after {it} iterations "
                          f"before reaching tol={tol:g}; increase max_iter.",
                          ConvergenceWarning, stacklevel=5)
        if sparse:
            w = np.empty(p, dtype=dtype)
            w[perm] = z
        else:
            w = z if primal else design.rmatvec(z)
        coef.append(w)
        n_iter.append(it)
    return np.array(coef, dtype=dtype), np.array(n_iter), converged
