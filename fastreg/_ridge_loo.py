"""The leave-one-out engine of RidgeCV: one decomposition of the centred design,
then the leave-one-out residuals and the coefficients of every alpha.

Same objective as :class:`fastreg.Ridge` (sample weights are not normalised)::

    sum_i s_i (y_i - x_i.w - b)^2 + alpha * ||w||^2

Leave-one-out (``cv=None``), exact, for every alpha from one decomposition
---------------------------------------------------------------------------
With ``Xt = diag(sqrt(s)) (X - 1 x_mean^T)`` and ``yt`` the centred, weighted
design and target of :mod:`fastreg._preprocess`, the weighted fitted values are
``H yt`` with the hat matrix

    H(alpha) = u u^T + Xt (Xt^T Xt + alpha I)^{-1} Xt^T,     u = sqrt(s) / ||sqrt(s)||,

where ``u u^T`` is the weighted-mean projection of the (unpenalised) intercept
(absent when ``fit_intercept=False``). Dropping sample ``i`` from any quadratic
penalised least-squares problem gives the leave-one-out residual
``e_i = r_i / (1 - h_ii)`` with ``r = yt - H yt`` (weighted units: the residual in
the original units is ``e_i / sqrt(s_i)``). Everything needed for all alphas at
once comes from one symmetric eigendecomposition:

- primal (``Xt^T Xt = V diag(lam) V^T``, p x p): with ``Z = Xt V``,
  ``h_ii = u_i^2 + sum_k z_ik^2 / (lam_k + alpha)``; ``Z`` is formed in row
  blocks (memory O(block * p)), and one GEMM per block gives the hat diagonal of
  every alpha. The fitted values are ``Xt W`` with ``W = V diag(1/(lam+alpha)) V^T
  Xt^T yt`` for all alphas at once (a sparse product when X is sparse).
  Dense X: the Gram matrix comes from one SYRK; with ``gcv_mode='svd'`` a thin
  SVD of ``Xt`` is taken instead (``Z = U diag(sigma)``, more accurate for very
  small alphas, slower). Sparse X: a sparse product ``X^T X`` formed in column
  blocks with the centering as a rank-one correction; X is never densified.
- kernel (``Xt Xt^T = Q diag(lam) Q^T``, n x n; when n < p): the intercept
  direction ``u`` (an exact null vector of ``Xt Xt^T``) is split off by adding
  ``c u u^T`` with ``c`` above the spectrum and dropping that eigenpair; with the
  remaining eigenvectors, which span the orthogonal complement of ``u``,
  ``1 - h_ii = sum_k q_ik^2 alpha / (lam_k + alpha)`` and
  ``r = Q diag(alpha / (lam + alpha)) Q^T yt``: sums of non-negative terms, no
  cancellation even when alpha is tiny.

All of it runs in float64 whatever the input dtype (float32 input is upcast,
as scikit-learn does); the fitted attributes are cast back to the input dtype.

Scores follow scikit-learn's ``RidgeCV``: with ``scoring=None`` the score of an
alpha is minus the mean of the squared weighted leave-one-out residuals
``s_i (y_i - yhat_{-i})^2`` over samples (and targets); with a scorer, the
scorer is applied to the leave-one-out predictions (passed
``sample_weight``). Zero-weight samples do not influence the fit, so their
leave-one-out prediction is the full-data prediction (scikit-learn's GCV returns
NaN there).

"""
import os

import numpy as np
import scipy.linalg as la

from ._gram import MAX_GRAM_ENTRIES, gram_matrix, kernel_matrix
from ._linalg import eigh_psd, null_cutoff

#: Entries of the temporaries of one row block (doubles).
_BLOCK_ENTRIES = 2 ** 22


# ---------------------------------------------------------------------------

def _row_blocks(n_rows, width):
    step = max(64, _BLOCK_ENTRIES // max(width, 1))
    for i in range(0, n_rows, step):
        yield i, min(i + step, n_rows)


def _intercept_direction(design, fit_intercept):
    """u = sqrt(s) / ||sqrt(s)||, or None without an intercept."""
    if not fit_intercept:
        return None
    s = design.sqrt_sw
    return s / np.sqrt(s @ s)


def _kernel_gram(design, u):
    """``Xt Xt^T`` (n x n, Fortran, lower triangle), plus ``c u u^T`` with
    ``c = 2 trace(Xt Xt^T)`` (above the spectrum) when there is an intercept
    direction u, so that u is the eigenvector of the largest, isolated
    eigenvalue."""
    K = kernel_matrix(design, lower_only=True)
    if u is not None:
        trace = float(np.trace(K))
        c = 2.0 * trace if trace > 0 else 1.0
        K += c * np.multiply.outer(u, u)  # the lower triangle is the one read
    return K


def _available_bytes():
    """Free physical memory (bytes), or None where the OS does not say."""
    try:
        return os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (AttributeError, ValueError, OSError):
        return None


def eigh(A):
    """Eigenpairs of the symmetric A (lower triangle read; A is overwritten).

    Divide and conquer (LAPACK syevd) is faster than the default MRRR (syevr)
    on these matrices, but needs a 2 n^2 workspace: it is taken when that fits
    comfortably in free memory, syevr (O(n) workspace) otherwise.
    """
    n = A.shape[0]
    work = 2 * n * n * 8
    avail = _available_bytes()
    driver = "evd" if (n <= 4096 or (avail is not None and 2 * work <= avail)) else "evr"
    return eigh_psd(A, driver=driver)


# ---------------------------------------------------------------------------
# decompositions
# ---------------------------------------------------------------------------

class Spectrum:
    """One eigendecomposition of the centred, weighted design, for all alphas.

    ``kind='primal'``: ``Xt^T Xt = V diag(lam) V^T`` (``vecs`` = V, p x r), with
    ``Z = Xt V`` materialised for the SVD route. ``kind='kernel'``:
    ``Xt Xt^T = Q diag(lam) Q^T`` restricted to the complement of the intercept
    direction (``vecs`` = Q, n x r).
    """

    def __init__(self, kind, route, lam, vecs, design, u, Z=None):
        self.kind, self.route = kind, route
        self.lam, self.vecs, self.design, self.u, self.Z = lam, vecs, design, u, Z
        self._csr = None

    # -- helpers ----------------------------------------------------------
    def csr(self):
        if self._csr is None:
            self._csr = self.design.X.tocsr()
        return self._csr

    def rows_times(self, i0, i1, M):
        """Xt[i0:i1] @ M as a new C-ordered array, never densifying sparse X."""
        d = self.design
        if not d.sparse:
            return d.X[i0:i1] @ M
        out = np.asarray(self.csr()[i0:i1] @ M)
        if d.center_implicitly:
            # out -= sqrt(s)[i0:i1] (x_mean^T M): a rank-one update in place (BLAS
            # GER on the Fortran view of the C-ordered block)
            if out.flags.c_contiguous and out.dtype == np.float64 and out.ndim == 2:
                la.blas.dger(-1.0, d.x_mean @ M, d.sqrt_sw[i0:i1], a=out.T,
                             overwrite_a=1)
            else:
                out -= np.multiply.outer(d.sqrt_sw[i0:i1], d.x_mean @ M)
        return out

    def projected_target(self):
        """c = V^T Xt^T yt (primal) or Q^T yt (kernel), shape (r, n_targets)."""
        yt = self.design.y2d
        if self.kind == "primal":
            return self.vecs.T @ self.design.rmatvec(yt)
        return self.vecs.T @ yt

    def coefs(self, alphas):
        """Coefficients of every (target, alpha) pair: shape (p, n_targets * n_alphas),
        columns target-major."""
        c = self.projected_target()
        inv = shifted_inverse(self.lam, alphas)                  # (r, A)
        return self._back(c[:, :, None] * inv[:, None, :])

    def _back(self, M):
        """V M (primal) or Xt^T Q M (kernel), M of shape (r, ...) -> (p, prod(...))."""
        M = M.reshape(M.shape[0], int(np.prod(M.shape[1:])))
        if self.kind == "primal":
            return self.vecs @ M
        return self.design.rmatvec(self.vecs @ M)

    def coefs_paired(self, alphas_per_col, c):
        """Coefficients of target t at alphas_per_col[t]: shape (p, n_targets)."""
        return self._back(c * shifted_inverse(self.lam, alphas_per_col))


def shifted_inverse(lam, alphas):
    """1 / (lam + alpha) for every (eigenvalue, alpha), and 0 on the numerical
    null space (``lam == 0``, see :func:`fastreg._linalg.eigh_psd`): the design
    annihilates those directions, so no solution has a component there (at
    alpha = 0, the minimum-norm one), and round-off must not be amplified by
    1 / alpha."""
    lam = np.asarray(lam)[:, None]
    alphas = np.asarray(alphas)[None, :]
    with np.errstate(divide="ignore"):
        out = 1.0 / (lam + alphas)
    return np.where(lam > 0, out, 0.0)


def _interpolation_weights(lam, alphas):
    """alpha / (lam (lam + alpha)) on the non-null eigenvalues, 0 on the null space:
    ``1/lam - 1/(lam + alpha)``, written without the subtraction."""
    lam = np.asarray(lam)[:, None]
    alphas = np.asarray(alphas)[None, :]
    pos = lam > 0
    with np.errstate(divide="ignore", invalid="ignore"):
        out = alphas / (np.where(pos, lam, 1.0) * (lam + alphas))
    return np.where(pos, out, 0.0)


def decompose(design, route, fit_intercept):
    u = _intercept_direction(design, fit_intercept)
    if route == "svd":  # dense only (sparse 'svd' is the 'gram' route)
        U, sig, Vt = la.svd(design.X, full_matrices=False, lapack_driver="gesdd",
                            check_finite=False)
        sig[sig <= null_cutoff(sig.max(initial=0.0), max(design.X.shape))] = 0.0
        return Spectrum("primal", "svd", sig ** 2, np.ascontiguousarray(Vt.T), design, u,
                         Z=U * sig)
    if route == "gram":
        lam, V = eigh(gram_matrix(design, lower_only=True))
        return Spectrum("primal", "gram", lam, np.ascontiguousarray(V), design, u)
    lam, Q = eigh(_kernel_gram(design, u))
    if u is not None:
        # the largest eigenpair is (c, +-u): drop it
        lam, Q = lam[:-1], Q[:, :-1]
    return Spectrum("kernel", "eigen", lam, Q, design, u)


def choose_route(design, gcv_mode, n_cols):
    """'svd' (dense thin SVD), 'gram' (p x p eigh) or 'eigen' (n x n eigh).

    ``n_cols``: right-hand sides per row block (alphas x (targets + 1)).
    'auto' minimises a flop model among the routes whose square matrix fits in
    ``MAX_GRAM_ENTRIES``.
    """
    n, p = design.X.shape
    if gcv_mode == "svd":
        return "gram" if design.sparse else "svd"
    if gcv_mode == "eigen":
        return "eigen"
    if design.sparse:
        # sparse products run at a small fraction of the BLAS flop rate: weight x10
        nnz = max(design.X.nnz, 1)
        cost_gram = (10.0 * p ** 3 + 10.0 * (nnz * nnz / n + nnz * p)
                     + 2.0 * n * p * n_cols)
        cost_kernel = 10.0 * n ** 3 + 10.0 * nnz * nnz / p + 2.0 * n * n * n_cols
    else:
        cost_gram = 10.0 * p ** 3 + 3.0 * n * p * p + 2.0 * n * p * n_cols
        cost_kernel = 10.0 * n ** 3 + n * n * p + 2.0 * n * n * n_cols
    options = [(cost, route) for cost, route, dim in
               ((cost_gram, "gram", p), (cost_kernel, "eigen", n))
               if dim * dim <= MAX_GRAM_ENTRIES]
    if not options:
        raise ValueError(
            f"Leave-one-out (cv=None) needs a dense {min(n, p)} x {min(n, p)} "
            f"eigendecomposition, beyond the automatic limit of {MAX_GRAM_ENTRIES} "
            "entries; force it with gcv_mode='svd' or 'eigen', or use K-fold "
            "cross-validation (cv=5).")
    return min(options)[1]


# ---------------------------------------------------------------------------
# leave-one-out for all alphas
# ---------------------------------------------------------------------------

def loo_residuals(spec, alphas, keep):
    """Weighted leave-one-out residuals of every (sample, target, alpha).

    Returns ``(sse, E)``: ``sse[t, a]`` the sum over samples of the squared
    residuals and, if ``keep``, ``E`` of shape (n, n_targets, n_alphas) (else None).
    """
    d = spec.design
    yt = d.y2d
    n, T = yt.shape
    A = alphas.shape[0]
    lam = spec.lam
    c = spec.projected_target()                                    # (r, T)
    sse = np.zeros((T, A))
    E = np.empty((n, T, A)) if keep else None
    r = lam.shape[0]
    if spec.kind == "primal":
        inv = shifted_inverse(lam, alphas)                        # (r, A)
        # When the intercept direction and the non-null eigenvectors span all of
        # R^n (n <= rank + 1), the fits interpolate as alpha -> 0: then
        # 1 - h_ii and the residual are sums of non-negative multiples of
        # alpha / (lam + alpha), computed as such (no cancellation in 1 - h_ii
        # for tiny alphas), the "1 -" part being exactly zero.
        interpolating = np.count_nonzero(lam) + (spec.u is not None) >= n
        if interpolating:
            inv = _interpolation_weights(lam, alphas)
        C = (c[:, :, None] * inv[:, None, :]).reshape(r, T * A)
        W = (spec.vecs @ C if (spec.Z is None and d.sparse and not interpolating)
             else None)                                            # (p, T*A)
        lev0 = (spec.u ** 2) if spec.u is not None else np.zeros(n)
    else:
        kw = alphas[None, :] / (lam[:, None] + alphas[None, :])    # (r, A)
        C = (c[:, :, None] * kw[:, None, :]).reshape(r, T * A)
    for i0, i1 in _row_blocks(n, r + 2 * T * A + A):
        if spec.kind == "primal":
            Zb = spec.Z[i0:i1] if spec.Z is not None else spec.rows_times(i0, i1, spec.vecs)
            fitted = Zb @ C if W is None else spec.rows_times(i0, i1, W)
            Z2 = Zb * Zb if spec.Z is not None else np.multiply(Zb, Zb, out=Zb)
            e = primal_loo_errors(Z2, fitted, yt[i0:i1], lev0[i0:i1], inv, interpolating)
        else:
            Qb = spec.vecs[i0:i1]
            one_minus_h = (Qb * Qb) @ kw
            resid = (Qb @ C).reshape(i1 - i0, T, A)
            with np.errstate(divide="ignore", invalid="ignore"):
                e = resid / one_minus_h[:, None, :]
        sse += np.einsum("itk,itk->tk", e, e)
        if keep:
            E[i0:i1] = e
    return sse, E


def primal_loo_errors(Z2, fitted, yt, lev0, inv, interpolating=False):
    """Weighted leave-one-out residuals ``e_i = r_i / (1 - h_ii)`` of a block of
    m rows, primal route, shape (m, T, A).

    ``Z2``: the squared entries of the rows of ``Xt V`` (m, r); ``fitted``:
    their fitted values ``Xt W`` (m, T*A, target-major); ``yt``: the weighted,
    centred targets (m, T); ``lev0``: the intercept's leverages ``u_i^2`` (m,);
    ``inv``: ``1 / (lam + alpha)`` (r, A), so that ``h_ii = lev0_i + Z2_i .
    inv``. With ``interpolating``, ``inv`` holds ``alpha / (lam (lam +
    alpha))`` and ``fitted`` the residuals themselves: ``1 - h_ii`` is then a
    sum of non-negative terms (no cancellation for tiny alphas).
    """
    m, T = yt.shape
    A = inv.shape[1]
    if interpolating:
        one_minus_h = Z2 @ inv
        resid = fitted.reshape(m, T, A)
    else:
        one_minus_h = 1.0 - lev0[:, None] - Z2 @ inv
        resid = yt[:, :, None] - fitted.reshape(m, T, A)
    with np.errstate(divide="ignore", invalid="ignore"):
        return resid / one_minus_h[:, None, :]


def full_predictions(spec, alphas, X_rows, T):
    """Full-data predictions at every alpha of rows of the raw X: (m, T, A)."""
    d = spec.design
    W = spec.coefs(alphas)                                         # (p, T*A)
    A = alphas.shape[0]
    W3 = W.reshape(-1, T, A)
    intercepts = d.y_mean.reshape(T)[:, None] - np.einsum("p,pta->ta", d.x_mean, W3)
    P = np.asarray(X_rows @ W).reshape(-1, T, A)
    return P + intercepts[None]
