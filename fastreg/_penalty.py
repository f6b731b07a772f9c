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

Box constraints (glmnet's ``lower.limits``/``upper.limits``): ``l_j <= w_j <=
u_j`` with ``l_j <= 0 <= u_j``, infinite allowed; ``positive=True`` is
``l = 0``. An unpenalised feature with two finite bounds needs no projection
(its conjugate is finite); one with an infinite side is projected as above,
with a sign per feature (``unpen_sign``, ``_dual.pxd``). Separate L2 factors
(``l2_factor``) let standardisation enter as factors on the unscaled design.
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


def check_bounds(lower_bounds, upper_bounds, n_features, positive=False):
    """Validated box ``(lower, upper)`` as float64 arrays of shape (n_features,),
    or None for no box beyond ``positive``.

    Scalars broadcast; -inf/+inf are allowed; ``lower <= 0 <= upper`` is
    required (glmnet's rule: zero must be feasible). ``positive=True`` means
    ``lower = 0``: a given ``lower`` must then be 0 everywhere. A box equal to
    ``[0, +inf)`` everywhere comes back as None with ``positive`` set by the
    caller (:func:`box_is_positive`): one code path for both spellings.
    """
    if lower_bounds is None and upper_bounds is None:
        return None
    out = []
    for name, value, default in (("lower_bounds", lower_bounds, -np.inf),
                                 ("upper_bounds", upper_bounds, np.inf)):
        if value is None:
            value = default
        if isinstance(value, (str, bytes)):
            raise TypeError(f"{name} must be a number or an array-like of shape "
                            f"(n_features,), got {type(value).__name__}.")
        try:
            a = np.array(value, dtype=np.float64)
        except (TypeError, ValueError) as exc:
            raise TypeError(f"{name} must contain real numbers: {exc}") from None
        if a.ndim == 0:
            a = np.full(n_features, float(a))
        if a.shape != (n_features,):
            raise ValueError(f"{name} must be a scalar or have shape ({n_features},) (one "
                             f"bound per feature), got {a.shape}.")
        if np.any(np.isnan(a)):
            raise ValueError(f"{name} must not contain NaN.")
        out.append(a)
    lower, upper = out
    if np.any(lower > 0):
        raise ValueError("lower_bounds must be <= 0 (zero must be feasible, as in "
                         f"glmnet), got {lower[lower > 0][0]!r}.")
    if np.any(upper < 0):
        raise ValueError("upper_bounds must be >= 0 (zero must be feasible, as in "
                         f"glmnet), got {upper[upper < 0][0]!r}.")
    if positive:
        if lower_bounds is not None and np.any(lower != 0):
            raise ValueError("positive=True means lower_bounds=0: got a lower_bounds "
                             "that is not 0 everywhere; pass one or the other.")
        lower = np.zeros(n_features)
    return lower, upper


def resolve_box(lower_bounds, upper_bounds, n_features, positive):
    """``(bounds, positive)`` for the drivers: :func:`check_bounds`, with a box
    of ``[0, +inf)`` everywhere spelled ``positive=True`` and no box, so that
    ``lower_bounds=0`` and ``positive=True`` take one code path."""
    bounds = check_bounds(lower_bounds, upper_bounds, n_features, positive)
    if bounds is None or box_is_positive(bounds):
        return None, positive or bounds is not None
    return bounds, positive


def box_is_positive(bounds):
    """Whether ``bounds`` (from :func:`check_bounds`) is ``[0, +inf)`` for
    every feature, i.e. ``positive=True`` alone."""
    return bounds is not None and not np.any(bounds[0]) and np.all(np.isposinf(bounds[1]))


def side_values(c, lower, upper):
    """Per feature, the largest of ``c`` and ``-c`` over the sides of the box
    that can move (``c`` if ``upper > 0``, ``-c`` if ``lower < 0``; -inf for a
    feature fixed at 0): a zero coefficient leaves zero when this exceeds its
    threshold (mirrors ``side_value`` in ``_kernels/_dual.pxd``)."""
    up = np.where(upper > 0, c, -np.inf)
    down = np.where(lower < 0, -c, -np.inf)
    return np.maximum(up, down)


class Penalty:
    """Penalty factors prepared for one design (and, lazily, its Gram matrix).

    Attributes
    ----------
    pf : ndarray of shape (n_features,) in the design's dtype, or None
    U : ndarray of int32
        Unpenalised features with a non-zero column (zero columns have w_j = 0
        and no constraint to honour).
    """

    def __init__(self, design, penalty_factor, column_norms2, dtype=None, bounds=None,
                 l2_factor=None):
        self.design = design
        dtype = design.dtype if dtype is None else dtype
        self.pf64 = penalty_factor
        self.pf = None if penalty_factor is None else penalty_factor.astype(dtype)
        self.qf64 = l2_factor
        self.qf = None if l2_factor is None else l2_factor.astype(dtype)
        self.bounds = bounds
        self.box = None if bounds is None else tuple(b.astype(dtype) for b in bounds)
        if penalty_factor is None:
            self.U = self.U_fit = np.empty(0, dtype=np.intc)
            self.sign = None
        else:
            # Unpenalised features with a side whose bound is infinite: those
            # sides constrain the dual point, which is projected off them.
            free = np.ones(penalty_factor.shape, dtype=bool)
            if bounds is not None:
                free = np.isneginf(bounds[0]) | np.isposinf(bounds[1])
            fit = (penalty_factor == 0) & (column_norms2 > 0)
            # Every unpenalised feature is fitted at alpha_max (U_fit); those
            # with a side of infinite bound are projected off (U).
            self.U_fit = np.flatnonzero(fit).astype(np.intc)
            self.U = np.flatnonzero(fit & free).astype(np.intc)
            self.sign = None
            if bounds is not None:
                lo, hi = bounds[0][self.U], bounds[1][self.U]
                sign = (np.isposinf(hi) & ~np.isneginf(lo)).astype(np.intc)
                sign[np.isneginf(lo) & ~np.isposinf(hi)] = -1
                self.sign = sign
        self._C = None           # Xt^T Xt_U, built once
        self._design_proj = None
        self._gram_proj = None   # (the Gram matrix it was built from, projection)

    @classmethod
    def from_gram(cls, G, penalty_factor, bounds=None, l2_factor=None):
        """Factors prepared for a Gram matrix alone, with no design (the Dask
        route's statistics): G's diagonal holds the column norms and its
        columns U are ``C``; kernel arguments are asked for with ``gram=G``."""
        penalty = cls(None, penalty_factor, np.diag(G), dtype=G.dtype, bounds=bounds,
                      l2_factor=l2_factor)
        penalty._C = np.asarray(G[:, penalty.U_fit], dtype=np.float64)
        return penalty

    @property
    def trivial(self):
        return self.pf is None and self.box is None and self.qf is None

    @property
    def factors64(self):
        """``(pf, qf)`` in float64: the L1 and L2 factors (ones, and qf = pf,
        unless given)."""
        pf = self.pf64
        if pf is None:
            pf = np.ones(len(self.box[0]) if self.box is not None else len(self.qf64))
        return pf, (pf if self.qf64 is None else self.qf64)

    def kernel_args(self, gram=None):
        """The factors' arguments: ``penalty_factor``, ``l2_factor``, ``lower``,
        ``upper``, ``unpen_sign`` and ``unpenalised = (U, M, C)``, those that
        apply (the kernels take them through :func:`kernel_kwargs`)."""
        out = {}
        if self.pf is not None:
            out["penalty_factor"] = self.pf
        if self.qf is not None:
            out["l2_factor"] = self.qf
        if self.box is not None:
            out["lower"], out["upper"] = self.box
        if self.U.size == 0:
            return out
        if self.sign is not None:
            out["unpen_sign"] = self.sign
        if gram is not None:
            # Once per Gram matrix (a path shares one across its alphas).
            if self._gram_proj is None or self._gram_proj[0] is not gram:
                self._gram_proj = (gram, self._projection(gram[:, self.U], gram.dtype))
            out["unpenalised"] = self._gram_proj[1]
            return out
        if self._design_proj is None:
            C = self.columns_gram()[:, np.searchsorted(self.U_fit, self.U)]
            self._design_proj = self._projection(C, self.design.dtype)
        out["unpenalised"] = self._design_proj
        return out

    def columns_gram(self):
        """``C = Xt^T Xt_U`` (n_features x u) for every unpenalised feature
        (``U_fit``), float64, for the design (cached)."""
        if self._C is None:
            sub = self.design.restrict(self.U_fit)
            XU = sub.matvec(np.eye(self.U_fit.size, dtype=self.design.dtype))
            self._C = np.asarray(self.design.rmatvec(XU), dtype=np.float64)
        return self._C

    def _projection(self, C, dtype):
        return projection(self.U, C, dtype)

    def residual_correlations(self, Xty, positive=False):
        """``Xt^T r0`` for ``r0`` the target's residual after least squares on the
        unpenalised columns (``Xty = Xt^T y``; non-negative least squares with
        ``positive``): what alpha_max is computed from."""
        Xty = np.asarray(Xty, dtype=np.float64)
        if self.U_fit.size == 0:
            return Xty
        bounds = None
        if self.bounds is not None:
            bounds = (self.bounds[0][self.U_fit], self.bounds[1][self.U_fit])
        return residual_correlations(Xty, self.U_fit, self.columns_gram(), positive,
                                     bounds)

    def penalised_correlations(self, Xty, positive=False):
        """:meth:`residual_correlations` of the penalised features divided by their
        factors: alpha_max is their largest (a feature enters the model when
        its correlation reaches alpha times its factor)."""
        pf, _ = self.factors64
        pen = pf > 0
        return self.residual_correlations(Xty, positive)[pen] / pf[pen]

    def entry_correlations(self, Xty, positive=False):
        """Per penalised feature, the correlation that makes it leave zero,
        divided by its L1 factor: :meth:`penalised_correlations` on the sides
        of the box that can move (``side_values``; signed with ``positive``).
        alpha_max is their largest, clipped at 0, over ``n * l1_ratio``: 0 is
        optimal iff each stays below ``n alpha l1_ratio``."""
        pf, _ = self.factors64
        pen = pf > 0
        c = self.residual_correlations(Xty, positive)
        if self.bounds is None:
            c = c if positive else np.abs(c)
        else:
            c = side_values(c, *self.bounds)
        return c[pen] / pf[pen]


def projection(U, C, dtype):
    """The kernels' ``unpenalised`` argument ``(U, M, C)`` from ``C = Xt^T Xt_U``:
    ``M = (X_U^T X_U)^+`` (``C``'s rows U), both Fortran in ``dtype``."""
    C = np.asarray(C, dtype=np.float64)
    M = pseudo_inverse(C[U])
    return (U, np.asfortranarray(M, dtype=dtype), np.asfortranarray(C, dtype=dtype))


def residual_correlations(Xty, U, C, positive, bounds=None):
    """``Xt^T r0`` with ``r0 = y - Xt_U z`` the residual of the least squares
    (non-negative with ``positive``, within ``bounds = (lower_U, upper_U)``
    when given) of y on the unpenalised columns U, from ``Xty = Xt^T y`` and
    ``C = Xt^T Xt_U`` (float64)."""
    if bounds is not None and not box_is_positive(bounds):
        z = bounded_least_squares(C[U], Xty[U], *bounds)
    elif positive or bounds is not None:
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

    return nnls(*_least_squares_root(G, b))[0]


def _least_squares_root(G, b):
    """``(L, c)`` with ``L^T L = G`` and ``L^T c = b`` on ``G``'s numerical range
    (eigenvalues below ``k * eps * top`` dropped), so that ``||L z - c||^2 =
    z^T G z - 2 b^T z + const``: the quadratic as a least-squares problem."""
    G = 0.5 * (G + G.T)
    vals, vecs = np.linalg.eigh(G)
    keep = vals > max(vals.max(initial=0.0), 0.0) * G.shape[0] * np.finfo(np.float64).eps
    root = np.sqrt(vals[keep])
    return root[:, None] * vecs[:, keep].T, (vecs[:, keep].T @ b) / root


def bounded_least_squares(G, b, lower, upper):
    """``argmin_{lower <= z <= upper} 1/2 z^T G z - b^T z`` for PSD ``G`` and
    ``b`` in its range, as :func:`nonnegative_least_squares` (a bounded least
    squares on the root of ``G``)."""
    from scipy.optimize import lsq_linear

    L, c = _least_squares_root(G, b)
    return lsq_linear(L, c, bounds=(lower, upper), tol=1e-12, method="bvls").x


def positive_projection(t, w_U, G, sign=None, lower=None, upper=None):
    """Coefficients ``z`` (zero off ``J``) of the positive projection of the
    kernels (``_dual.pxd``): ``theta = R - X_U z`` is orthogonal to ``X_J`` and
    has ``x_j . theta <= 0`` on the rest of ``U``. ``t = X_U^T R``, ``w_U`` the
    coefficients of ``U``, ``G = X_U^T X_U``. With a box, ``sign`` per feature
    of U (``_dual.pxd``) and its bounds ``lower``/``upper`` on U: J starts
    with the signs 0 and the features off their finite bound, and grows by
    those violating their sign."""
    if sign is None:
        sign = np.ones(t.shape, dtype=np.intc)
        lower = np.zeros(t.shape)
        upper = np.full(t.shape, np.inf)
    in_J = (sign == 0) | ((sign > 0) & (w_U > lower)) | ((sign < 0) & (w_U < upper))
    while True:
        z = np.zeros_like(t)
        J = np.flatnonzero(in_J)
        if J.size:
            z[J] = pseudo_inverse(G[np.ix_(J, J)]) @ t[J]
        v = t - G @ z
        violated = ~in_J & (((sign > 0) & (v > 0)) | ((sign < 0) & (v < 0)))
        if not violated.any():
            return z
        in_J |= violated


def kernel_kwargs(kw, positive):
    """The kernels' keyword arguments for the factors ``kw`` (as
    :meth:`Penalty.kernel_args` gives them), with the scratch of the kernels'
    dual projection (``fastreg/_kernels/_dual.pxd``) allocated here, for one
    call: ``proj_work`` (3u numbers of the data's dtype) and, for a signed
    projection (``positive`` or a non-zero ``unpen_sign``), ``proj_dwork``
    (u^2 + 7u doubles) and ``proj_iwork`` (2u int32)."""
    if not kw:
        return {}
    out = {k: v for k, v in kw.items() if k != "unpenalised"}
    if "unpenalised" in kw:
        U, M, C = kw["unpenalised"]
        u = U.shape[0]
        out.update(unpen_idx=U, unpen_pinv=M, unpen_cross=C,
                   proj_work=np.empty(3 * u, dtype=M.dtype))
        sign = kw.get("unpen_sign")
        if positive or (sign is not None and np.any(sign)):
            out.update(proj_dwork=np.empty(u * u + 7 * u, dtype=np.float64),
                       proj_iwork=np.empty(2 * u, dtype=np.intc))
    return out
