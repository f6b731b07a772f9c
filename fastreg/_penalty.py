"""Per-feature penalty factors (glmnet's ``penalty.factor``).

With factors ``pf_j >= 0`` the Elastic-Net penalty becomes

    alpha * sum_j pf_j * (l1_ratio * |w_j| + (1 - l1_ratio) / 2 * w_j^2),

not rescaled (glmnet rescales the factors to sum to n_features; fastreg
takes them as given). ``pf_j = 0`` leaves feature j unpenalised.

Unpenalised features change the dual problem: its constraints become
``x_j . theta = 0`` for them, which a residual satisfies only at the optimum.
The kernels therefore project their dual candidate off the span of the
unpenalised (centred, weighted) columns ``X_U``; this module prepares what
that projection needs, once per design: ``U``, ``M = (X_U^T X_U)^+`` and
``C = X^T X_U`` (see ``_dual.pxd``). With ``positive=True`` their constraints
are ``x_j . theta <= 0``, and the projection is off the subset of ``U`` that
the kernels grow until the point is feasible (same file).
"""
import numbers

import numpy as np



def check_penalty_factor(penalty_factor, n_features, positive=False):
    """Validated factors as a float64 array, or None for "all ones"."""
    if penalty_factor is None:
        return None
    if isinstance(penalty_factor, (str, bytes)) or (
            isinstance(penalty_factor, numbers.Number)):
        raise TypeError("penalty_factor must be None or an array-like of shape "
                        f"(n_features,), got {type(penalty_factor).__name__}.")
    try:
        pf = np.asarray(penalty_factor, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"penalty_factor must contain real numbers: {exc}") from None
    if pf.shape != (n_features,):
        raise ValueError(f"penalty_factor must have shape ({n_features},) (one factor per "
                         f"feature), got {pf.shape}.")
    if not np.all(np.isfinite(pf)):
        raise ValueError("penalty_factor must be finite (no NaN or infinity).")
    if np.any(pf < 0):
        raise ValueError("penalty_factor must be >= 0.")
    if not np.any(pf > 0):
        raise ValueError("penalty_factor is zero for every feature: nothing is "
                         "penalised (use a least-squares solver).")
    return pf


class Penalty:
    """Penalty factors prepared for one design (and, lazily, its Gram matrix).

    Attributes
    ----------
    pf : ndarray of shape (n_features,) in the design's dtype, or None
    U : ndarray of int32
        Unpenalised features with a non-zero column (zero columns have w_j = 0
        and no constraint to honour).
    """

    def __init__(self, design, penalty_factor, column_norms2, dtype=None):
        self.design = design
        dtype = design.dtype if dtype is None else dtype
        self.pf64 = penalty_factor
        self.pf = None if penalty_factor is None else penalty_factor.astype(dtype)
        if penalty_factor is None:
            self.U = np.empty(0, dtype=np.intc)
        else:
            self.U = np.flatnonzero((penalty_factor == 0) & (column_norms2 > 0)).astype(
                np.intc)
        self._C = None           # Xt^T Xt_U, built once
        self._design_proj = None
        self._gram_proj = None   # (the Gram matrix it was built from, projection)

    @classmethod
    def from_gram(cls, G, penalty_factor):
        """Factors prepared for a Gram matrix alone, with no design (the Dask
        route's statistics): G's diagonal holds the column norms and its
        columns U are ``C``; kernel arguments are asked for with ``gram=G``."""
        penalty = cls(None, penalty_factor, np.diag(G), dtype=G.dtype)
        penalty._C = np.asarray(G[:, penalty.U], dtype=np.float64)
        return penalty

    @property
    def trivial(self):
        return self.pf is None

    def kernel_args(self, gram=None):
        """The factors' arguments: ``penalty_factor`` and ``unpenalised = (U, M, C)``
        (the kernels take them through :func:`kernel_kwargs`)."""
        if self.pf is None:
            return {}
        if self.U.size == 0:
            return {"penalty_factor": self.pf}
        if gram is not None:
            # Once per Gram matrix (a path shares one across its alphas).
            if self._gram_proj is None or self._gram_proj[0] is not gram:
                self._gram_proj = (gram, self._projection(gram[:, self.U], gram.dtype))
            return {"penalty_factor": self.pf, "unpenalised": self._gram_proj[1]}
        if self._design_proj is None:
            self._design_proj = self._projection(self.columns_gram(), self.design.dtype)
        return {"penalty_factor": self.pf, "unpenalised": self._design_proj}

    def columns_gram(self):
        """``C = Xt^T Xt_U`` (n_features x u), float64, for the design (cached)."""
        if self._C is None:
            sub = self.design.restrict(self.U)
            XU = sub.matvec(np.eye(self.U.size, dtype=self.design.dtype))
            self._C = np.asarray(self.design.rmatvec(XU), dtype=np.float64)
        return self._C

    def _projection(self, C, dtype):
        return projection(self.U, C, dtype)

    def residual_correlations(self, Xty, positive=False):
        """``Xt^T r0`` for ``r0`` the target's residual after least squares on the
        unpenalised columns (``Xty = Xt^T y``; non-negative least squares with
        ``positive``): what alpha_max is computed from."""
        Xty = np.asarray(Xty, dtype=np.float64)
        if self.U.size == 0:
            return Xty
        return residual_correlations(Xty, self.U, self.columns_gram(), positive)

    def penalised_correlations(self, Xty, positive=False):
        """:meth:`residual_correlations` of the penalised features divided by their
        factors: alpha_max is their largest (a feature enters the model when
        its correlation reaches alpha times its factor)."""
        pen = self.pf64 > 0
        return self.residual_correlations(Xty, positive)[pen] / self.pf64[pen]


def projection(U, C, dtype):
    """The kernels' ``unpenalised`` argument ``(U, M, C)`` from ``C = Xt^T Xt_U``:
    ``M = (X_U^T X_U)^+`` (``C``'s rows U), both Fortran in ``dtype``."""
    C = np.asarray(C, dtype=np.float64)
    M = pseudo_inverse(C[U])
    return (U, np.asfortranarray(M, dtype=dtype), np.asfortranarray(C, dtype=dtype))


def residual_correlations(Xty, U, C, positive):
    """``Xt^T r0`` with ``r0 = y - Xt_U z`` the residual of the least squares
    (non-negative with ``positive``) of y on the unpenalised columns U, from
    ``Xty = Xt^T y`` and ``C = Xt^T Xt_U`` (float64)."""
    if positive:
        z = nonnegative_least_squares(C[U], Xty[U])
    else:
        z = pseudo_inverse(C[U]) @ Xty[U]
    return Xty - C @ z


def pseudo_inverse(G):
    """Moore-Penrose inverse of a symmetric positive semi-definite matrix."""
    G = 0.5 * (G + G.T)
    vals, vecs = np.linalg.eigh(G)
    keep = vals > max(vals.max(initial=0.0), 0.0) * G.shape[0] * np.finfo(np.float64).eps
    return (vecs[:, keep] / vals[keep]) @ vecs[:, keep].T


def nonnegative_least_squares(G, b):
    """``argmin_{z >= 0} 1/2 z^T G z - b^T z`` for PSD ``G`` and ``b`` in its range
    (``G = A^T A``, ``b = A^T y``: the non-negative least squares of ``y`` on ``A``).

    Solved as the NNLS problem ``min ||L z - c||`` with ``L^T L = G``, ``L^T c =
    b`` taken from the eigendecomposition of ``G`` (singular ``G`` allowed).
    """
    from scipy.optimize import nnls

    G = 0.5 * (G + G.T)
    vals, vecs = np.linalg.eigh(G)
    keep = vals > max(vals.max(initial=0.0), 0.0) * G.shape[0] * np.finfo(np.float64).eps
    root = np.sqrt(vals[keep])
    L = root[:, None] * vecs[:, keep].T
    c = (vecs[:, keep].T @ b) / root
    return nnls(L, c)[0]


def positive_projection(t, w_U, G):
    """Coefficients ``z`` (zero off ``J``) of the positive projection of the
    kernels (``_dual.pxd``): ``theta = R - X_U z`` is orthogonal to ``X_J`` and
    has ``x_j . theta <= 0`` on the rest of ``U``. ``t = X_U^T R``, ``w_U`` the
    coefficients of ``U``, ``G = X_U^T X_U``."""
    in_J = w_U > 0
    while True:
        z = np.zeros_like(t)
        J = np.flatnonzero(in_J)
        if J.size:
            z[J] = pseudo_inverse(G[np.ix_(J, J)]) @ t[J]
        violated = ~in_J & (t - G @ z > 0)
        if not violated.any():
            return z
        in_J |= violated


def kernel_kwargs(kw, positive):
    """The kernels' keyword arguments for the penalty factors ``kw`` (as
    :meth:`Penalty.kernel_args` gives them: ``{}``, or ``penalty_factor`` and,
    with unpenalised features, ``unpenalised = (U, M, C)``), with the scratch
    of the kernels' dual projection (``fastreg/_kernels/_dual.pxd``) allocated
    here, for one call: ``proj_work`` (3u numbers of the data's dtype) and,
    with ``positive``, ``proj_dwork`` (u^2 + 7u doubles) and ``proj_iwork``
    (2u int32)."""
    if not kw:
        return {}
    out = {"penalty_factor": kw["penalty_factor"]}
    if "unpenalised" in kw:
        U, M, C = kw["unpenalised"]
        u = U.shape[0]
        out.update(unpen_idx=U, unpen_pinv=M, unpen_cross=C,
                   proj_work=np.empty(3 * u, dtype=M.dtype))
        if positive:
            out.update(proj_dwork=np.empty(u * u + 7 * u, dtype=np.float64),
                       proj_iwork=np.empty(2 * u, dtype=np.intc))
    return out
