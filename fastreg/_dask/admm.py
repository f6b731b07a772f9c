"""Consensus ADMM for the Elastic-Net on Dask arrays too wide for a Gram matrix.

When p^2 is too large for the p x p statistics of :mod:`fastreg._dask.stats`,
the Elastic-Net (scikit-learn's objective, weights normalised to sum to n)

    1/(2n) sum_i s_i (y_i - x_i.w - b)^2 + alpha*l1_ratio*|w|_1
                                         + alpha*(1-l1_ratio)/2*|w|^2

is solved by consensus ADMM (Boyd et al., 2011, section 7.1) over the N row
chunks. In the kernels' units (times n: ``l1``, ``l2`` from
:func:`fastreg._enet_solver.kernel_penalties`, the one conversion), with the
centred, weighted chunk designs
``A_k = diag(sqrt s)(X_k - 1 x_mean^T)`` and targets ``b_k``:

    minimise  sum_k 1/2 ||b_k - A_k w_k||^2 + l1 |z|_1 + l2/2 |z|^2
    subject to w_k = z.

Iteration (scaled dual variables u_k, penalty rho):

- on the workers, each chunk solves its Ridge subproblem
  ``w_k = argmin 1/2||b_k - A_k w||^2 + rho/2 ||w - (z - u_k)||^2`` by
  fastreg's dual Ridge closed form (as RidgeCV's kernel route: the
  eigendecomposition ``A_k A_k^T = Q diag(lam) Q^T`` of the chunk's m x m
  kernel matrix, computed once and kept on the worker, so that every
  iteration costs two products with A_k and changing rho is free);
- on the client, z is the soft-thresholded average (p-sized results only);
- u_k += w_k - z.

The iterates are over-relaxed (``RELAX = 1.6``) and rho is rebalanced
every ``BALANCE_EVERY = 20`` iterations: on a set of small test problems this
halved the iteration count of plain ADMM with rho adapted at every step.

It stops when the primal and dual residuals ``||w - z||`` and
``rho sqrt(N) ||z - z_old||`` fall below ``tol`` relative to
``max(||w||, sqrt(N) ||z||)`` and ``||rho u||`` (absolute floor
``sqrt(N p) * tol * 1e-3`` scaled by the data); at ``max_iter`` it warns
(ConvergenceWarning). The duality gap of the final z is then computed exactly
(one more pass) and stored in ``dual_gap_``.

Cost model: one pass to form each chunk's kernel matrix and its
eigendecomposition (m^2 p + m^3 per chunk, chunks of at most
``ADMM_MAX_ROWS`` rows), then per iteration two products with every chunk
(4 n p flops) and a round trip of p-sized vectors; typically tens to
hundreds of iterations: much slower than the in-memory solvers, for data
that fit nowhere else.
"""
import warnings

import numpy as np
import scipy.sparse as sp
from sklearn.exceptions import ConvergenceWarning

from .._enet_solver import kernel_penalties
from .._result import FitResult
from .stats import (Stats, chunk_design, compute, features_seen, intercept, out_dtype,
                    persist, row_blocks, tree_reduce)

#: Over-relaxation parameter (1 is plain ADMM; 1.5-1.8 usually converges faster).
RELAX = 1.6
#: Residual balancing (rho adapted) every this many iterations.
BALANCE_EVERY = 20
#: Largest row chunk for ADMM (its m x m eigendecomposition is kept on a worker).
ADMM_MAX_ROWS = 2048


# ---------------------------------------------------------------------------
# worker side
# ---------------------------------------------------------------------------

def _means_chunk(x, y, s):
    """(W, sum s x, sum s y, n rows, finite flag) of one chunk."""
    m = x.shape[0]
    y = np.asarray(y, dtype=np.float64).reshape(m)
    sw = np.ones(m) if s is None else np.asarray(s, dtype=np.float64).reshape(m)
    if sp.issparse(x):
        sx = np.asarray(sp.csr_matrix(x, dtype=np.float64).T @ sw).ravel()
        fin = bool(np.all(np.isfinite(sp.csr_matrix(x).data)))
    else:
        x = np.asarray(x, dtype=np.float64)
        sx = sw @ x
        fin = bool(np.all(np.isfinite(x)))
    fin = fin and bool(np.all(np.isfinite(y))) and bool(np.all(np.isfinite(sw))) \
        and bool(np.all(sw >= 0))
    return sw.sum(), sx, sw @ y, m, fin


def _add_tuples(*parts):
    return tuple(sum(vals[1:], vals[0]) if not isinstance(vals[0], bool) else all(vals)
                 for vals in zip(*parts))


class _Chunk:
    """One chunk's state on its worker: the centred, weighted design (a fastreg
    :class:`~fastreg._preprocess.Design`), its target, the eigendecomposition
    of its kernel matrix, and the ADMM variables w, u."""

    def __init__(self, design, b, lam, Q, w, u):
        self.design, self.b, self.lam, self.Q, self.w, self.u = design, b, lam, Q, w, u
        self.z = np.zeros_like(w)


def _setup_chunk(x, y, s, x_mean, y_mean, scale):
    """Centred, weighted chunk (weights normalised: s * scale) and the
    eigendecomposition of A A^T (fastreg's RidgeCV kernel route)."""
    from .._gram import kernel_matrix
    from .._ridge_loo import eigh

    design = chunk_design(x, np.asarray(y).reshape(x.shape[0]), s, x_mean, y_mean, scale)
    lam, Q = eigh(kernel_matrix(design, lower_only=True))
    p = x.shape[1]
    return _Chunk(design, design.y, lam, Q, np.zeros(p), np.zeros(p))

def _step(ch, z, first, rescale_u, rho):
    """One ADMM iteration on a chunk, fused with the previous one's dual update
    (one round trip per iteration), over-relaxed (Boyd et al., 3.4.3):

    1. unless ``first``: with the relaxed iterate ``w_hat = RELAX w + (1 -
       RELAX) z_used`` of the previous iteration (z_used: the z its w-update
       saw), u <- u + w_hat - z (its dual update, now that its z is known),
       recording the primal residual ||w - z||^2 and ||w||^2;
    2. u <- u * rescale_u (rho changed: u is scaled by 1/rho);
    3. the Ridge subproblem at c = z - u: w = c + A^T (A A^T + rho I)^{-1}
       (b - A c), from the cached eigendecomposition.

    Returns the new state; ``state.summary`` holds (w_hat + u,
    ||w_prev - z||^2, ||w_prev||^2, ||u_prev||^2) for the client's z-update
    and stopping test.
    """
    d = ch.design
    if first:
        u, r2, w2 = ch.u, 0.0, 0.0
    else:
        diff = ch.w - z
        u = ch.u + RELAX * ch.w + (1.0 - RELAX) * ch.z - z
        r2, w2 = float(diff @ diff), float(ch.w @ ch.w)
    u2 = float(u @ u)
    u = u * rescale_u
    c = z - u
    r = ch.b - d.matvec(c)
    a = ch.Q @ ((ch.Q.T @ r) / (ch.lam + rho))
    w = c + d.rmatvec(a)
    out = _Chunk(d, ch.b, ch.lam, ch.Q, w, u)
    out.z = z
    out.summary = (RELAX * w + (1.0 - RELAX) * z + u, r2, w2, u2)
    return out


def _summary(ch):
    return ch.summary


def _gap_terms(ch, z):
    """A^T R, ||R||^2, R.b with R = b - A z (for the duality gap)."""
    d = ch.design
    R = ch.b - d.matvec(z)
    return d.rmatvec(R), float(R @ R), float(R @ ch.b), float(ch.b @ ch.b)


# ---------------------------------------------------------------------------
# client side
# ---------------------------------------------------------------------------

def _z_update(v_sum, N, rho, l1, l2, positive):
    """argmin_z l1|z|_1 + l2/2|z|^2 + N rho/2 |z - v_sum/N|^2."""
    t = rho * v_sum  # = N rho * mean
    z = np.sign(t) * np.maximum(np.abs(t) - l1, 0.0) / (N * rho + l2)
    return np.maximum(z, 0.0) if positive else z


def enet_gap(XtR, R_norm2, R_y, w, l1, l2, positive):
    """Duality gap of the Elastic-Net in kernel units at w, from A^T R, ||R||^2
    and R.b (scikit-learn's dual point: R rescaled into the dual feasible set)."""
    XtA = XtR - l2 * w
    dual_norm = max(XtA.max(initial=0.0), 0.0) if positive else np.abs(XtA).max(initial=0.0)
    if dual_norm > l1:
        const = l1 / dual_norm
        gap = 0.5 * (R_norm2 + R_norm2 * const ** 2)
    else:
        const = 1.0
        gap = R_norm2
    return gap + l1 * np.abs(w).sum() - const * R_y + 0.5 * l2 * (1 + const ** 2) * (w @ w)


def fit_enet_admm(params, X, y, sw, rho=None):
    """:meth:`fastreg.ElasticNet.fit` by consensus ADMM (aligned Dask inputs;
    ``params`` as :func:`fastreg._dask.enet.fit_enet_dask`'s). Returns a
    :class:`fastreg._result.FitResult`."""
    import dask

    if y.ndim != 1:
        raise ValueError("The ADMM route (p too large for a Gram matrix) fits one target; "
                         f"got y of shape {y.shape}.")
    if X.chunks[0] and max(X.chunks[0]) > ADMM_MAX_ROWS:
        X = X.rechunk({0: ADMM_MAX_ROWS})
        y = y.rechunk({0: X.chunks[0]})
        sw = None if sw is None else sw.rechunk({0: X.chunks[0]})
    dtype = out_dtype(X)
    n, p = X.shape
    xs, ys = row_blocks(X), row_blocks(y)
    ws = row_blocks(sw) if sw is not None else [None] * len(xs)
    N = len(xs)

    # pass 1: weighted means (p-sized)
    f = dask.delayed(_means_chunk, pure=True)
    (W, sx, sy, n_rows, finite), = compute(
        tree_reduce([f(a, b, c) for a, b, c in zip(xs, ys, ws)], _add_tuples))
    if not finite:
        raise ValueError("Input X, y or sample_weight contains NaN, infinity or negative "
                         "weights (found while reducing the Dask chunks).")
    if not W > 0:
        raise ValueError("sample_weight must have a positive sum: all weights are zero.")
    if params["fit_intercept"]:
        x_mean, y_mean = sx / W, sy / W
    else:
        x_mean, y_mean = np.zeros(p), 0.0
    scale = n / W  # normalised weights s * n / W
    l1, l2 = kernel_penalties(params["alpha"], params["l1_ratio"], n)
    positive, tol, max_iter = params["positive"], params["tol"], params["max_iter"]

    # pass 2: chunk designs and kernel eigendecompositions, kept on the workers
    setup = dask.delayed(_setup_chunk, pure=True)
    states = list(persist(*[setup(a, b, c, x_mean, y_mean, scale)
                                 for a, b, c in zip(xs, ys, ws)]))
    if rho is None:
        # the scale of the data: mean eigenvalue of the chunks' kernel matrices
        (lam_means,) = compute([dask.delayed(lambda ch: ch.lam.mean())(ch)
                                     for ch in states])
        rho = max(float(np.mean(lam_means)), 1e-12)
    step = dask.delayed(_step, pure=True)
    summ = dask.delayed(_summary, pure=True)
    z = z_prev = np.zeros(p)
    rescale = 1.0
    converged = False
    it = 0
    r_norm = s_norm = eps_pri = eps_dual = np.inf
    rho_prev = rho
    for k in range(max_iter + 1):
        # iteration k's w-update, fused with iteration k-1's dual update
        states = list(persist(*[step(ch, z, k == 0, rescale, rho) for ch in states]))
        (sums,) = compute(tree_reduce([summ(ch) for ch in states], _add_tuples))
        if k > 0:
            # residuals of iteration k - 1 (whose z is the current z)
            it = k
            r_norm = np.sqrt(sums[1])
            s_norm = rho_prev * np.sqrt(N) * np.linalg.norm(z - z_prev)
            eps_abs = 1e-3 * tol * np.sqrt(N * p) * max(np.abs(z).max(initial=0.0),
                                                         1e-12)
            eps_pri = eps_abs + tol * max(np.sqrt(sums[2]), np.sqrt(N) * np.linalg.norm(z))
            eps_dual = eps_abs + tol * rho_prev * np.sqrt(sums[3])
            if k > 1 and r_norm <= eps_pri and s_norm <= eps_dual:
                converged = True
                break
            if k == max_iter:
                break
        rho_prev = rho
        z_prev = z
        z = _z_update(sums[0], N, rho, l1, l2, positive)
        # residual balancing (Boyd et al., 3.4.1), applied from the next step on;
        # u is scaled by 1/rho
        rescale = 1.0
        if k > 0 and k % BALANCE_EVERY == 0:
            if r_norm > 10 * s_norm:
                rho, rescale = rho * 2.0, 0.5
            elif s_norm > 10 * r_norm:
                rho, rescale = rho / 2.0, 2.0
    if not converged:
        warnings.warn(f"ADMM did not converge after {it} iterations (primal residual "
                      f"{r_norm:.3e} > {eps_pri:.3e} or dual residual {s_norm:.3e} > "
                      f"{eps_dual:.3e}); increase max_iter.", ConvergenceWarning,
                      stacklevel=4)

    # the duality gap at z (one more pass, p-sized results)
    g = dask.delayed(_gap_terms, pure=True)
    ((XtR, R_norm2, R_y, _),) = compute(
        tree_reduce([g(ch, z) for ch in states], _add_tuples))
    gap = enet_gap(XtR, R_norm2, R_y, z, l1, l2, positive) / n

    coef = z.astype(dtype)
    means = Stats(n, W, x_mean, np.array([y_mean]), None, None, None)
    return FitResult(coef, intercept(means, coef, params["fit_intercept"], 1), n_iter=it,
                     dual_gap=dtype.type(gap), attributes={"solver": "admm",
                                                           **features_seen(X)})
