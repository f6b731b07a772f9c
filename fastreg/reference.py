"""Plain NumPy reference implementations: the oracle for tests and benchmarks.

Everything here favours readability over speed.  ``X`` may be a dense array or
a ``scipy.sparse`` matrix/array (CSC or CSR); sparse ``X`` is never densified,
except in :func:`ridge_closed_form`.  Computations are done in float64 and
float64 is returned, whatever the input dtype.

Objectives, in public units (scikit-learn's scaling), for coefficients ``w``
of shape (p,), intercept ``b`` and sample weights ``s`` (default ones)::

    Elastic-Net:  P(w, b) = 1 / (2 sum(s)) * sum_i s_i (y_i - x_i.w - b)^2
                            + alpha * l1_ratio * ||w||_1
                            + alpha * (1 - l1_ratio) / 2 * ||w||_2^2
    Ridge:        sum_i s_i (y_i - x_i.w - b)^2 + alpha * ||w||_2^2

Lasso is ``l1_ratio=1``.  The intercept is not penalised; with
``fit_intercept=True`` its optimal value is ``b = ybar - xbar.w`` (means
weighted by ``s``).  ``positive=True`` adds the constraint ``w >= 0``.  With
``fit_intercept=False`` a given intercept (normally 0) is a fixed offset.

Internally the Elastic-Net is solved in un-normalised units on the weighted,
centred problem ``min_w 1/2 ||yc - Xc w||^2 + l1 ||w||_1 + l2/2 ||w||^2`` with
``Xc = sqrt(s) (X - xbar)``, ``yc = sqrt(s) (y - ybar)`` (row-wise),
``l1 = alpha l1_ratio sum(s)`` and ``l2 = alpha (1 - l1_ratio) sum(s)``: its
value is ``sum(s)`` times ``P`` minimised over the intercept.

Per-feature penalty factors (glmnet's ``penalty.factor``, not rescaled): the
Elastic-Net functions take ``penalty_factor=None`` (all ones, the code path
above unchanged) or ``pf`` of shape (p,), finite, ``>= 0``, not all zero, and
the penalty becomes ``alpha * sum_j pf_j * (l1_ratio |w_j| + (1 - l1_ratio) / 2
w_j^2)``; centred: ``sum_j pf_j (l1 |w_j| + l2 / 2 w_j^2)``.  A feature with
``pf_j = 0`` is unpenalised (still ``>= 0`` with ``positive=True``).  The
duality-gap certificate then needs dual points orthogonal to the unpenalised
columns: see :func:`_gap_unscaled` and :class:`_Unpenalised`.
"""
import numpy as np
import scipy.sparse as sp
from scipy.optimize import nnls
from scipy.sparse.linalg import LinearOperator


def _validate(X, y, sample_weight, multi_output=False):
    """Return X as float64 ndarray or canonical CSC copy, y and weights s."""
    if sp.issparse(X):
        X = sp.csc_array(X, dtype=np.float64, copy=True)
        X.sum_duplicates()
    else:
        X = np.asarray(X, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    if X.ndim != 2 or y.ndim not in ((1, 2) if multi_output else (1,)):
        raise ValueError(f"unsupported shapes X {X.shape}, y {y.shape}.")
    if y.shape[0] != X.shape[0]:
        raise ValueError("X and y have inconsistent numbers of samples.")
    s = np.array(np.broadcast_to(np.asarray(
        1.0 if sample_weight is None else sample_weight, dtype=np.float64), X.shape[:1]))
    if np.any(s < 0) or not s.sum() > 0:
        raise ValueError("sample_weight must be non-negative with a positive sum.")
    return X, y, s


def _coef(coef, p):
    coef = np.array(coef, dtype=np.float64).reshape(-1)
    if coef.shape != (p,):
        raise ValueError(f"coef must have shape ({p},).")
    return coef


def _centered_problem(X, y, s, fit_intercept, offset=0.0):
    """Return ``Xc, yc, xbar, ybar`` (``xbar = 0``, ``ybar = offset`` if no intercept).

    ``Xc`` is an explicit array for dense ``X`` and a ``LinearOperator``
    doing the centring implicitly for sparse ``X``.
    """
    if fit_intercept:
        xbar, ybar = (X.T @ s) / s.sum(), s @ y / s.sum()
    else:
        xbar, ybar = np.zeros(X.shape[1]), offset
    sqrt_s = np.sqrt(s)
    yc = sqrt_s * (y - ybar)
    if not sp.issparse(X):
        return sqrt_s[:, None] * (X - xbar), yc, xbar, ybar
    Xc = LinearOperator(
        X.shape, dtype=np.float64,
        matvec=lambda w: sqrt_s * (X @ w - xbar @ w),
        rmatvec=lambda r: X.T @ (sqrt_s * r) - xbar * (sqrt_s @ r))
    return Xc, yc, xbar, ybar


def _penalty_factor(penalty_factor, p):
    """None, or ``penalty_factor`` as a validated float64 array of shape (p,)."""
    if penalty_factor is None:
        return None
    try:
        pf = np.array(penalty_factor, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise type(exc)(f"penalty_factor must be an array of numbers: {exc}") from None
    if pf.shape != (p,):
        raise ValueError(f"penalty_factor must have shape ({p},) (one entry per "
                         f"feature), got {pf.shape}.")
    if not np.all(np.isfinite(pf)):
        raise ValueError("penalty_factor must be finite (no NaN or inf).")
    if np.any(pf < 0):
        raise ValueError("penalty_factor must be >= 0.")
    if not np.any(pf > 0):
        raise ValueError("penalty_factor must have at least one entry > 0 (all zeros "
                         "leaves nothing penalised).")
    return pf


def _penalty(w, l1, l2, pf=None):
    if pf is None:
        return l1 * np.abs(w).sum() + 0.5 * l2 * (w @ w)
    return l1 * (pf @ np.abs(w)) + 0.5 * l2 * (pf @ (w * w))


def _orthonormal_basis(A):
    """Orthonormal basis of the column span of ``A`` (numerical rank by SVD,
    threshold as :func:`numpy.linalg.matrix_rank`)."""
    if A.shape[1] == 0:
        return np.zeros((A.shape[0], 0))
    U, sv, _ = np.linalg.svd(A, full_matrices=False)
    if sv.size == 0 or sv[0] == 0:
        return np.zeros((A.shape[0], 0))
    keep = sv > sv[0] * max(A.shape) * np.finfo(np.float64).eps
    return U[:, keep]


class _Unpenalised:
    """The centred columns ``Xc_U`` of the unpenalised features (``pf_j = 0``)
    and the projection that makes a residual dual-feasible for them.

    ``project_out`` (a boolean mask, default ``pf == 0``) may name more
    columns: projecting a penalised column out too keeps the point feasible
    (``Xc_j . theta = 0`` satisfies ``|Xc_j . theta| <= l1 pf_j``); see
    :func:`_dual_value_pf` for when that helps.

    For ``pf_j = 0`` the penalty's conjugate is the indicator of ``{0}`` (of
    ``(-inf, 0]`` with ``positive``), so a dual point must satisfy
    ``Xc_j . theta = 0`` (``<= 0``).  :meth:`project` returns

    * ``theta = (I - Q Q^T) R``, ``Q`` an orthonormal basis of ``span Xc_U``
      (the projection is applied twice, for orthogonality to round-off);
    * with ``positive``, the same projection onto the complement of only the
      columns ``J = {j in U : w_j > 0}``, ``J`` then grown by every ``j`` in
      ``U`` with ``Xc_j . theta > 0`` until none is left (at worst ``J = U``):
      ``Xc_j . theta = 0`` on ``J`` and ``<= 0`` on the rest of ``U``.  At
      the optimum ``Xc_j . R* = 0`` where ``w*_j > 0`` and ``<= 0``
      elsewhere, so ``theta`` tends to ``R*`` and the gap to 0.

    The unpenalised columns are made explicit (n x |U|, also for sparse
    ``X``: meant for a few unpenalised features).
    """

    def __init__(self, Xc, pf, positive, project_out=None):
        self.idx = np.flatnonzero(pf == 0 if project_out is None else project_out)
        self.p = Xc.shape[1]
        self.positive = positive
        if self.idx.size == 0:
            self.XU = np.zeros((Xc.shape[0], 0))
        elif isinstance(Xc, np.ndarray):
            self.XU = Xc[:, self.idx]
        else:
            e = np.zeros(Xc.shape[1])
            columns = []
            for j in self.idx:
                e[j] = 1.0
                columns.append(Xc @ e)
                e[j] = 0.0
            self.XU = np.column_stack(columns)
        self._bases = {}

    def _project(self, R, J):
        key = tuple(J)
        if key not in self._bases:
            self._bases[key] = _orthonormal_basis(self.XU[:, J])
        Q = self._bases[key]
        for _ in range(2):
            R = R - Q @ (Q.T @ R)
        return R

    def project(self, R, w):
        """Dual-feasible ``theta`` for the unpenalised features (``R`` if none),
        and the mask of the columns it is orthogonal to by construction."""
        done = np.zeros(self.p, dtype=bool)
        if self.idx.size == 0:
            return R, done
        if not self.positive:
            done[self.idx] = True
            return self._project(R, np.arange(self.idx.size)), done
        in_J = w[self.idx] > 0
        while True:
            theta = self._project(R, np.flatnonzero(in_J))
            violated = ~in_J & (self.XU.T @ theta > 0)
            if not violated.any():
                done[self.idx[in_J]] = True
                return theta, done
            in_J |= violated

    def least_squares_residual(self, yc):
        """Residual of the (non-negative, with ``positive``) least-squares fit of
        ``yc`` on the unpenalised columns: ``yc`` itself if there are none."""
        if self.idx.size == 0:
            return yc
        if not self.positive:
            return self._project(yc, np.arange(self.idx.size))
        # Non-negative least squares: the residual is the projection of yc onto
        # the complement of the columns it uses (recomputed, for accuracy).
        mu = nnls(self.XU, yc)[0]
        return self._project(yc, np.flatnonzero(mu > 0))


def _gap_unscaled(Xc, yc, w, R, primal, l1, l2, positive, y_scale=0.0, pf=None,
                  projectors=None):
    """Duality gap of the centred problem, un-normalised units.

    ``R = yc - Xc w`` and ``primal`` is an upper bound of the primal value at
    ``w``.  The dual is ``D(theta) = theta.yc - 1/2 ||theta||^2 - g*(Xc^T
    theta)``, ``g`` the penalty (plus the indicator of ``w >= 0`` if
    ``positive``); by weak duality each ``D(theta)`` is <= the optimum.  Dual
    points tried: ``theta = 0`` (always feasible, ``D = 0``); (a) if
    ``l1 > 0``, the residual of the equivalent Lasso on ``[Xc; sqrt(l2) I]``,
    ``[yc; 0]``, scaled so that ``|[Xc; sqrt(l2) I]^T theta| <= l1``; (b) if
    ``l2 > 0``, ``theta = R``, where ``g*(u) = sum_j (|u_j| - l1)_+^2 / (2 l2)``
    (``(u_j - l1)_+`` if ``positive``).

    With penalty factors ``pf`` (``projectors``: the :class:`_Unpenalised`
    projections of ``Xc`` to use, default :func:`_projectors`), the penalty
    is ``g(w) = sum_j pf_j (l1 |w_j| + l2 / 2 w_j^2)`` and, with ``P = {j :
    pf_j > 0}`` and ``U = {j : pf_j = 0}``, the conjugate is separable::

        g_j*(u) = (|u| - l1 pf_j)_+^2 / (2 l2 pf_j)    j in P, l2 > 0
                = 0 if |u| <= l1 pf_j else inf          j in P, l2 = 0
                = 0 if u == 0 else inf                  j in U
        (positive: u - l1 pf_j instead of |u| - l1 pf_j, and u <= 0 on U).

    The residual is first made feasible on ``U``: ``theta = project(R)``
    (``Xc_U^T theta = 0``, the residual projected onto the orthogonal
    complement of the unpenalised centred columns; see :class:`_Unpenalised`
    for ``positive``).  Then, with ``a_j = Xc_j . theta - l2 pf_j w_j``:

    (a) if ``l1 > 0``: the Elastic-Net is the Lasso ``1/2 ||[yc; 0] - [Xc;
        sqrt(l2 pf) I] w||^2 + l1 sum pf_j |w_j|``, whose dual is
        ``theta.yc - 1/2 ||theta||^2 - 1/2 ||xi||^2`` subject to
        ``|Xc_j . theta + sqrt(l2 pf_j) xi_j| <= l1 pf_j``; the point ``c
        (theta, -sqrt(l2 pf) w)`` with ``c = min(1, l1 / max_{j in P} |a_j| /
        pf_j)`` is feasible (on ``U`` the constraint is ``Xc_j . theta = 0``)
        and gives ``D = c theta.yc - c^2 / 2 (||theta||^2 + l2 sum_j pf_j
        w_j^2)``;
    (b) if ``l2 > 0``: ``theta`` itself, ``D = theta.yc - 1/2 ||theta||^2 -
        sum_{j in P} (|Xc_j . theta| - l1 pf_j)_+^2 / (2 l2 pf_j)``;

    and ``theta = 0`` (``D = 0``, always feasible).  The best of these is the
    dual value.  ``pf = ones`` gives the points of the ``pf=None`` branch (to
    round-off of the sums).  On ``U``, ``Xc_j . theta`` is zero to round-off
    only: it is treated as exactly zero.  With tiny factors a second
    projection (also off those columns) is tried: see :func:`_dual_value_pf`.
    """
    if pf is None:
        XtR = Xc.T @ R
        duals = [0.0]
        if l1 > 0:
            XtA = XtR - l2 * w
            dual_norm = np.max(XtA if positive else np.abs(XtA), initial=0.0)
            c = min(1.0, l1 / dual_norm) if dual_norm > 0 else 1.0
            duals.append(c * (R @ yc) - 0.5 * c * c * (R @ R + l2 * (w @ w)))
        if l2 > 0:
            excess = np.maximum((XtR if positive else np.abs(XtR)) - l1, 0.0)
            duals.append(R @ yc - 0.5 * (R @ R) - (excess @ excess) / (2 * l2))
        dual = max(duals)
    else:
        dual = _dual_value_pf(Xc, yc, w, R, l1, l2, positive, pf, projectors)
    gap = primal - dual
    # Round-off is relative to the data before centering (y_scale = s.y^2):
    # after centering a single sample, say, every term is itself round-off.
    assert gap >= -1e-9 * max(abs(primal), abs(dual), yc @ yc, y_scale, 1e-300), (
        f"significantly negative duality gap {gap}: weak duality violated")
    return max(gap, 0.0)


#: Penalised features with ``pf_j <= _TINY_PF * max(pf)`` are also projected out
#: of a second candidate dual point (see :func:`_dual_value_pf`).
_TINY_PF = np.sqrt(np.finfo(np.float64).eps)


def _projectors(Xc, pf, positive):
    """The :class:`_Unpenalised` projections whose dual points are tried: off
    the unpenalised columns; and, if some factors are tiny, off those too."""
    projectors = [_Unpenalised(Xc, pf, positive)]
    tiny = pf <= _TINY_PF * pf.max()
    if np.any(tiny & (pf > 0)):
        projectors.append(_Unpenalised(Xc, pf, positive, project_out=tiny))
    return projectors


def _dual_value_pf(Xc, yc, w, R, l1, l2, positive, pf, projectors=None):
    """Best dual value of the points (a), (b), 0 of :func:`_gap_unscaled` with
    penalty factors, for each projection in ``projectors``.

    Columns a projection makes ``theta`` orthogonal to have ``Xc_j . theta =
    0`` (set exactly).  The second projection exists for tiny factors: the
    point (a) needs ``|Xc_j . theta - l2 pf_j w_j| / pf_j``, whose round-off
    is amplified by ``1 / pf_j`` and can leave a gap far above the
    suboptimality; projecting such a column out costs about ``l1 pf_j
    |w_j|`` instead.  Both points are feasible: the better one is kept.
    """
    if projectors is None:
        projectors = _projectors(Xc, pf, positive)
    pen = pf > 0
    pf_p, w_p = pf[pen], w[pen]
    duals = [0.0]
    for projector in projectors:
        theta, done = projector.project(R, w)
        XtT = Xc.T @ theta
        XtT[done] = 0.0
        XtT = XtT[pen]
        theta_yc, theta2 = theta @ yc, theta @ theta
        if l1 > 0:
            A = XtT - l2 * pf_p * w_p
            dual_norm = np.max((A if positive else np.abs(A)) / pf_p, initial=0.0)
            c = min(1.0, l1 / dual_norm) if dual_norm > 0 else 1.0
            duals.append(c * theta_yc
                         - 0.5 * c * c * (theta2 + l2 * (pf_p @ (w_p * w_p))))
        if l2 > 0:
            excess = np.maximum((XtT if positive else np.abs(XtT)) - l1 * pf_p, 0.0)
            duals.append(theta_yc - 0.5 * theta2 - (excess @ (excess / pf_p)) / (2 * l2))
    return max(duals)


def enet_objective_terms(X, y, coef, intercept=0.0, alpha=1.0, l1_ratio=1.0,
                         sample_weight=None, penalty_factor=None):
    """Data-fit and penalty terms of the Elastic-Net objective, public units.

    Parameters
    ----------
    X : {ndarray, sparse matrix} of shape (n_samples, n_features)
    y : ndarray of shape (n_samples,)
    coef : ndarray of shape (n_features,)
    intercept, alpha, l1_ratio : float, default 0.0, 1.0, 1.0
    sample_weight : ndarray of shape (n_samples,), default=None
        Weights ``s``; None means all ones.
    penalty_factor : array-like of shape (n_features,), default=None
        Factors ``pf_j >= 0`` multiplying each feature's penalty (not
        rescaled); None means all ones.

    Returns
    -------
    datafit : float
        ``1 / (2 sum(s)) * sum_i s_i (y_i - x_i.coef - intercept)^2``.
    penalty : float
        ``alpha * (l1_ratio * |coef|_1 + (1 - l1_ratio) / 2 * |coef|_2^2)``;
        with penalty factors ``alpha * sum_j pf_j (l1_ratio |coef_j| +
        (1 - l1_ratio) / 2 coef_j^2)``.
    """
    X, y, s = _validate(X, y, sample_weight)
    w = _coef(coef, X.shape[1])
    pf = _penalty_factor(penalty_factor, X.shape[1])
    r = y - X @ w - intercept
    datafit = (s @ (r * r)) / (2 * s.sum())
    return float(datafit), float(_penalty(w, alpha * l1_ratio, alpha * (1 - l1_ratio), pf))


def enet_objective(X, y, coef, intercept=0.0, alpha=1.0, l1_ratio=1.0,
                   sample_weight=None, penalty_factor=None):
    """Elastic-Net objective ``P(coef, intercept)`` in public units.

    Parameters
    ----------
    X, y, coef, intercept, alpha, l1_ratio, sample_weight, penalty_factor
        As in :func:`enet_objective_terms`.

    Returns
    -------
    objective : float
    """
    return sum(enet_objective_terms(X, y, coef, intercept, alpha, l1_ratio, sample_weight,
                                    penalty_factor))


def alpha_max(X, y, l1_ratio=1.0, sample_weight=None, fit_intercept=True,
              penalty_factor=None, positive=False):
    """Smallest ``alpha`` for which ``coef = 0`` is optimal.

    Parameters
    ----------
    X : {ndarray, sparse matrix} of shape (n_samples, n_features)
    y : ndarray of shape (n_samples,)
    l1_ratio : float, default=1.0
    sample_weight : ndarray of shape (n_samples,), default=None
    fit_intercept : bool, default=True
        Whether ``X`` and ``y`` are centred (weighted means) first.
    penalty_factor : array-like of shape (n_features,), default=None
        Per-feature penalty factors (see :func:`enet_objective_terms`).
    positive : bool, default=False
        Whether the coefficients are constrained to be non-negative.

    Returns
    -------
    alpha_max : float
        ``max_j |Xc_j . yc| / (sum(s) l1_ratio)``; ``inf`` if ``l1_ratio == 0``.
        With ``positive`` the signed maximum, clipped at 0.

        With penalty factors, the smallest ``alpha`` for which every
        *penalised* coefficient is 0: ``max_{pf_j > 0} |Xc_j . r0| / (sum(s)
        l1_ratio pf_j)``, ``r0`` the residual of the least-squares fit of
        ``yc`` on the unpenalised columns (non-negative least squares with
        ``positive``; ``r0 = yc`` if there are none).  At and above it the
        optimum is ``w_P = 0`` and ``w_U`` that fit: ``Xc_U^T r0 = 0`` and
        ``|Xc_j . r0| <= alpha l1_ratio sum(s) pf_j`` are its optimality
        conditions.
    """
    X, y, s = _validate(X, y, sample_weight)
    pf = _penalty_factor(penalty_factor, X.shape[1])
    if l1_ratio == 0:
        return np.inf
    Xc, yc, _, _ = _centered_problem(X, y, s, fit_intercept)
    if pf is None and not positive:
        return float(np.max(np.abs(Xc.T @ yc), initial=0.0) / (s.sum() * l1_ratio))
    if pf is None:
        pf = np.ones(X.shape[1])
    r0 = _Unpenalised(Xc, pf, positive).least_squares_residual(yc)
    pen = pf > 0
    u = (Xc.T @ r0)[pen] / pf[pen]
    top = max(0.0, np.max(u, initial=0.0)) if positive else np.max(np.abs(u), initial=0.0)
    return float(top / (s.sum() * l1_ratio))


def enet_duality_gap(X, y, coef, intercept, alpha, l1_ratio=1.0, sample_weight=None,
                     fit_intercept=True, positive=False, penalty_factor=None):
    """Duality gap of the Elastic-Net at ``(coef, intercept)``, public units.

    The primal value is ``P(coef, intercept)`` at the given intercept, an upper
    bound of ``P`` at the optimal one.  Dual points are built from the
    residual of the centred problem (see the module docstring).  With
    ``alpha = 0`` the only cheap dual point is ``theta = 0`` and the "gap" is
    ``P`` itself.

    Parameters
    ----------
    X : {ndarray, sparse matrix} of shape (n_samples, n_features)
    y : ndarray of shape (n_samples,)
    coef : ndarray of shape (n_features,)
    intercept, alpha : float
    l1_ratio : float, default=1.0
    sample_weight : ndarray of shape (n_samples,), default=None
    fit_intercept, positive : bool, default True, False
    penalty_factor : array-like of shape (n_features,), default=None
        Per-feature penalty factors; the dual points are then made orthogonal
        to the unpenalised columns (see :func:`_gap_unscaled`).

    Returns
    -------
    gap : float
        Upper bound ``>= 0`` of ``P(coef, intercept) - min P``; ``inf`` if
        ``positive`` and some coefficient is negative (infeasible point).
    """
    X, y, s = _validate(X, y, sample_weight)
    w = _coef(coef, X.shape[1])
    pf = _penalty_factor(penalty_factor, X.shape[1])
    if positive and np.any(w < 0):
        return np.inf
    n_eff = s.sum()
    Xc, yc, _, _ = _centered_problem(X, y, s, fit_intercept, offset=intercept)
    primal = n_eff * enet_objective(X, y, w, intercept, alpha, l1_ratio, s, pf)
    l1, l2 = alpha * l1_ratio * n_eff, alpha * (1 - l1_ratio) * n_eff
    y_scale = float(s @ (np.asarray(y, dtype=np.float64) ** 2))
    return float(_gap_unscaled(Xc, yc, w, yc - Xc @ w, primal, l1, l2, positive,
                               y_scale, pf) / n_eff)


def enet_kkt_violation(X, y, coef, intercept, alpha, l1_ratio=1.0, sample_weight=None,
                       fit_intercept=True, positive=False, penalty_factor=None):
    """Largest violation of the Elastic-Net optimality conditions.

    With ``r = y - X coef - intercept`` and the smooth gradient
    ``g_j = -x_j^T S r / sum(s) + alpha (1 - l1_ratio) coef_j``, coordinate
    ``j`` violates by ``|g_j + alpha l1_ratio sign(coef_j)|`` if ``coef_j != 0``
    and by ``max(|g_j| - alpha l1_ratio, 0)`` if ``coef_j == 0`` (with
    ``positive``: ``max(-g_j - alpha l1_ratio, 0)``, and ``|coef_j|`` for a
    negative ``coef_j``).  ``fit_intercept`` adds ``|sum_i s_i r_i| / sum(s)``.

    With penalty factors, ``alpha`` is ``alpha pf_j`` for feature ``j`` (both
    in ``g_j`` and in the threshold): an unpenalised feature (``pf_j = 0``)
    violates by ``|g_j|`` (with ``positive``: by ``max(-g_j, 0)`` at
    ``coef_j = 0``), i.e. its gradient must vanish.

    Parameters
    ----------
    X, y, coef, intercept, alpha, l1_ratio, sample_weight, fit_intercept, positive
        As in :func:`enet_duality_gap`.
    penalty_factor : array-like of shape (n_features,), default=None

    Returns
    -------
    violation : float
        Maximum over all conditions, in public (gradient) units.
    """
    X, y, s = _validate(X, y, sample_weight)
    w = _coef(coef, X.shape[1])
    pf = _penalty_factor(penalty_factor, X.shape[1])
    n_eff, a1 = s.sum(), alpha * l1_ratio
    r = y - X @ w - intercept
    if pf is None:
        g = -(X.T @ (s * r)) / n_eff + alpha * (1 - l1_ratio) * w
    else:
        g = -(X.T @ (s * r)) / n_eff + alpha * (1 - l1_ratio) * pf * w
        a1 = a1 * pf
    viol = np.where(w != 0, np.abs(g + a1 * np.sign(w)),
                    np.maximum((-g if positive else np.abs(g)) - a1, 0.0))
    if positive:
        viol = np.where(w < 0, -w, viol)
    worst = np.max(viol, initial=0.0)
    if fit_intercept:
        worst = max(worst, abs(s @ r) / n_eff)
    return float(worst)


def _cd_columns(X, Xc, xbar, s):
    """Per feature ``(rows, values, sqrt(s)[rows], mean, squared norm)``: centred
    column ``j`` is ``values`` at ``rows`` minus ``mean * sqrt(s)`` (dense: the
    explicit column, ``mean = 0``; sparse: stored entries, ``mean = xbar_j``)."""
    sqrt_s = np.sqrt(s)
    if not sp.issparse(X):
        return [(slice(None), Xc[:, j], sqrt_s, 0.0, Xc[:, j] @ Xc[:, j])
                for j in range(X.shape[1])]
    columns = []
    for j in range(X.shape[1]):
        rows = X.indices[X.indptr[j]:X.indptr[j + 1]]
        x = X.data[X.indptr[j]:X.indptr[j + 1]]
        # ||sqrt(s) (x_j - xbar_j)||^2 split into stored and implicit-zero rows
        norm = s[rows] @ (x - xbar[j]) ** 2 + xbar[j] ** 2 * (s.sum() - s[rows].sum())
        columns.append((rows, x * sqrt_s[rows], sqrt_s[rows], xbar[j], norm))
    return columns


def enet_coordinate_descent(X, y, alpha, l1_ratio=1.0, sample_weight=None,
                            fit_intercept=True, positive=False, tol=1e-4,
                            max_iter=1000, coef_init=None, penalty_factor=None):
    """Elastic-Net by cyclic coordinate descent, one Python loop over features.

    Works on the centred problem of the module docstring (sparse ``X`` is
    centred implicitly, never densified).  After each epoch the residual is
    recomputed from scratch and the solver stops once the duality gap in
    those units is ``<= tol * ||yc||^2``.

    Parameters
    ----------
    X : {ndarray, sparse matrix} of shape (n_samples, n_features)
    y : ndarray of shape (n_samples,)
    alpha : float
    l1_ratio : float, default=1.0
    sample_weight : ndarray of shape (n_samples,), default=None
    fit_intercept, positive : bool, default True, False
    tol : float, default=1e-4
    max_iter : int, default=1000
        Maximum number of epochs (at least 1).
    coef_init : ndarray of shape (n_features,), default=None
        Starting point; zeros if None.
    penalty_factor : array-like of shape (n_features,), default=None
        Per-feature penalty factors: coordinate ``j`` is soft-thresholded at
        ``l1 pf_j`` and divided by ``||Xc_j||^2 + l2 pf_j`` (an unpenalised
        coordinate is an exact least-squares update); the stopping gap is
        that of :func:`_gap_unscaled` with penalty factors.

    Returns
    -------
    coef : ndarray of shape (n_features,)
    intercept : float
        ``ybar - xbar.coef`` with ``fit_intercept``, else 0.0.
    dual_gap : float
        Duality gap at the returned point, in public units.  Reaching
        ``max_iter`` raises no warning: compare this with the tolerance.
    n_iter : int
        Number of epochs run.
    """
    X, y, s = _validate(X, y, sample_weight)
    pf = _penalty_factor(penalty_factor, X.shape[1])
    if max_iter < 1:
        raise ValueError("max_iter must be at least 1.")
    n_eff = s.sum()
    l1, l2 = alpha * l1_ratio * n_eff, alpha * (1 - l1_ratio) * n_eff
    Xc, yc, xbar, ybar = _centered_problem(X, y, s, fit_intercept)
    columns = _cd_columns(X, Xc, xbar, s)
    if pf is None:
        l1s, l2s, projectors = [l1] * X.shape[1], [l2] * X.shape[1], None
    else:
        l1s, l2s, projectors = l1 * pf, l2 * pf, _projectors(Xc, pf, positive)
    w = np.zeros(X.shape[1]) if coef_init is None else _coef(coef_init, X.shape[1])
    threshold = tol * (yc @ yc)
    for n_iter in range(1, max_iter + 1):
        # During the epoch the residual yc - Xc w is R + shift * sqrt(s).
        R, shift = yc - Xc @ w, 0.0
        for j, (rows, values, sqrt_s_rows, mean, norm) in enumerate(columns):
            w_old, l1_j, l2_j = w[j], l1s[j], l2s[j]
            # xc_j . residual: the term -mean * (sqrt(s) . residual) is dropped
            # since that product is 0 when centring (and mean = 0 otherwise).
            rho = values @ (R[rows] + shift * sqrt_s_rows) + norm * w_old
            shrunk = (max(rho - l1_j, 0.0) if positive
                      else np.sign(rho) * max(abs(rho) - l1_j, 0.0))
            w_new = shrunk / (norm + l2_j) if norm > 0 else 0.0
            if w_new != w_old:
                R[rows] -= (w_new - w_old) * values
                shift += (w_new - w_old) * mean
                w[j] = w_new
        R = yc - Xc @ w
        primal = 0.5 * (R @ R) + _penalty(w, l1, l2, pf)
        gap = _gap_unscaled(Xc, yc, w, R, primal, l1, l2, positive, 0.0, pf, projectors)
        if gap <= threshold:
            break
    intercept = ybar - xbar @ w if fit_intercept else 0.0
    return w, float(intercept), float(gap / n_eff), n_iter


def ridge_closed_form(X, y, alpha, sample_weight=None, fit_intercept=True):
    """Ridge solution by least squares on an augmented system.

    For each target minimises ``sum_i s_i (y_i - x_i.w - b)^2 + alpha ||w||^2``
    by solving ``[Xc; sqrt(alpha) I] w = [yc; 0]`` with
    :func:`numpy.linalg.lstsq` (the minimum-norm solution when ``alpha = 0``).
    Sparse ``X`` is densified: this oracle is meant for small problems.

    Parameters
    ----------
    X : {ndarray, sparse matrix} of shape (n_samples, n_features)
    y : ndarray of shape (n_samples,) or (n_samples, n_targets)
    alpha : float or ndarray of shape (n_targets,)
    sample_weight : ndarray of shape (n_samples,), default=None
    fit_intercept : bool, default=True

    Returns
    -------
    coef : ndarray of shape (n_features,) or (n_targets, n_features)
    intercept : float or ndarray of shape (n_targets,)
    """
    X, y, s = _validate(X, y, sample_weight, multi_output=True)
    X = X.toarray() if sp.issparse(X) else X
    n, p = X.shape
    Y = y.reshape(n, -1)
    alphas = np.broadcast_to(np.asarray(alpha, dtype=np.float64), Y.shape[1:])
    if np.any(alphas < 0):
        raise ValueError("alpha must be non-negative.")
    coef, intercept = np.empty((Y.shape[1], p)), np.empty(Y.shape[1])
    for k, a in enumerate(alphas):
        Xc, yc, xbar, ybar = _centered_problem(X, Y[:, k], s, fit_intercept)
        A = np.vstack([Xc, np.sqrt(a) * np.eye(p)])
        coef[k] = np.linalg.lstsq(A, np.concatenate([yc, np.zeros(p)]), rcond=None)[0]
        intercept[k] = ybar - xbar @ coef[k]
    return (coef[0], float(intercept[0])) if y.ndim == 1 else (coef, intercept)


def ridge_objective(X, y, coef, intercept, alpha, sample_weight=None):
    """Ridge objective ``sum_i s_i (y_i - x_i.w - b)^2 + alpha ||w||^2``.

    Parameters
    ----------
    X : {ndarray, sparse matrix} of shape (n_samples, n_features)
    y : ndarray of shape (n_samples,) or (n_samples, n_targets)
    coef : ndarray of shape (n_features,) or (n_targets, n_features)
    intercept, alpha : float or ndarray of shape (n_targets,)
    sample_weight : ndarray of shape (n_samples,), default=None

    Returns
    -------
    objective : float
        Summed over targets for 2-D ``y``, each with its own ``alpha``.
    """
    X, y, s = _validate(X, y, sample_weight, multi_output=True)
    Y = y.reshape(X.shape[0], -1)
    W = np.asarray(coef, dtype=np.float64).reshape(Y.shape[1], X.shape[1])
    R = Y - (X @ W.T).reshape(Y.shape) - np.asarray(intercept, dtype=np.float64)
    alphas = np.broadcast_to(np.asarray(alpha, dtype=np.float64), Y.shape[1:])
    return float(s @ (R * R).sum(axis=1) + alphas @ (W * W).sum(axis=1))


# ---------------------------------------------------------------------------
# Box constraints and standardisation (glmnet's lower/upper limits and
# ``standardize``), written plainly: the oracle of those options.
#
# With the weighted standard deviations d_j of the columns (1/sum(s) scaling,
# centred with ``fit_intercept``), ``standardize`` is the Elastic-Net on the
# scaled design X D^{-1} in b = D w, mapped back: the penalty of the original
# coefficients is alpha sum_j pf_j (l1_ratio d_j |w_j| + (1 - l1_ratio)/2
# d_j^2 w_j^2). Bounds l_j <= w_j <= u_j (l_j <= 0 <= u_j) apply to the
# original-scale coefficients; on b they are d_j l_j, d_j u_j.
# ---------------------------------------------------------------------------


def standard_deviations(X, sample_weight=None, fit_intercept=True):
    """Weighted standard deviations of the columns, glmnet's ``standardize``.

    Parameters
    ----------
    X : {ndarray, sparse matrix} of shape (n_samples, n_features)
    sample_weight : ndarray of shape (n_samples,), default=None
    fit_intercept : bool, default=True
        Whether the columns are centred (weighted means) first.

    Returns
    -------
    d : ndarray of shape (n_features,)
        ``sqrt(sum_i s_i (x_ij - xbar_j)^2 / sum(s))`` (``xbar = 0`` without
        intercept); 0 for a constant column.
    """
    X, _, s = _validate(X, np.zeros(X.shape[0]), sample_weight)
    xbar = (X.T @ s) / s.sum() if fit_intercept else np.zeros(X.shape[1])
    if sp.issparse(X):
        # column by column, the deviations of the stored entries plus those of
        # the implicit zeros (``xbar^2`` times their weight): no cancellation,
        # so a constant column gives 0 as in the dense branch
        Xc = sp.csc_matrix(X)
        var = np.empty(X.shape[1])
        for j in range(X.shape[1]):
            rows = Xc.indices[Xc.indptr[j]:Xc.indptr[j + 1]]
            dev = Xc.data[Xc.indptr[j]:Xc.indptr[j + 1]] - xbar[j]
            var[j] = (s[rows] @ (dev * dev) + xbar[j] ** 2 * (s.sum() - s[rows].sum()))
        var = var / s.sum()
    else:
        var = (s @ (X - xbar) ** 2) / s.sum()
    return np.sqrt(np.maximum(var, 0.0))


def _box(lower_bounds, upper_bounds, p):
    lo = np.broadcast_to(np.asarray(-np.inf if lower_bounds is None else lower_bounds,
                                    dtype=np.float64), (p,)).copy()
    hi = np.broadcast_to(np.asarray(np.inf if upper_bounds is None else upper_bounds,
                                    dtype=np.float64), (p,)).copy()
    if np.any(lo > 0) or np.any(hi < 0) or np.any(np.isnan(lo)) or np.any(np.isnan(hi)):
        raise ValueError("bounds must satisfy lower <= 0 <= upper (no NaN).")
    return lo, hi


def enet_box_objective(X, y, coef, intercept=0.0, alpha=1.0, l1_ratio=1.0,
                       sample_weight=None, penalty_factor=None, lower_bounds=None,
                       upper_bounds=None, scale=None):
    """Elastic-Net objective with a box and standardisation, public units.

    Parameters
    ----------
    X, y, coef, intercept, alpha, l1_ratio, sample_weight, penalty_factor
        As in :func:`enet_objective_terms`.
    lower_bounds, upper_bounds : float or array-like of shape (n_features,), \
            default=None
        The box (None: -inf, +inf).
    scale : ndarray of shape (n_features,), default=None
        The standard deviations ``d`` of :func:`standard_deviations` for
        ``standardize=True``; None: ones.

    Returns
    -------
    objective : float
        ``1/(2 sum(s)) ||y - X coef - intercept||_s^2 + alpha sum_j pf_j
        (l1_ratio d_j |coef_j| + (1 - l1_ratio)/2 d_j^2 coef_j^2)``; ``inf``
        outside the box.
    """
    X, y, s = _validate(X, y, sample_weight)
    p = X.shape[1]
    w = _coef(coef, p)
    lo, hi = _box(lower_bounds, upper_bounds, p)
    if np.any(w < lo) or np.any(w > hi):
        return np.inf
    pf = np.ones(p) if penalty_factor is None else _penalty_factor(penalty_factor, p)
    d = np.ones(p) if scale is None else np.asarray(scale, dtype=np.float64)
    r = y - X @ w - intercept
    datafit = (s @ (r * r)) / (2 * s.sum())
    pen = alpha * (l1_ratio * (pf * d) @ np.abs(w)
                   + 0.5 * (1 - l1_ratio) * (pf * d * d) @ (w * w))
    return float(datafit + pen)


def enet_box_kkt_violation(X, y, coef, intercept, alpha, l1_ratio=1.0, sample_weight=None,
                           fit_intercept=True, penalty_factor=None, lower_bounds=None,
                           upper_bounds=None, scale=None):
    """Largest violation of the optimality conditions of the box problem.

    With ``g_j`` the smooth gradient (data fit and L2 term) and ``a_j = alpha
    l1_ratio pf_j d_j``, coefficient ``j`` violates by: ``|g_j + a_j
    sign(w_j)|`` strictly inside its box and off zero; at ``w_j = u_j > 0``,
    ``max(g_j + a_j, 0)``; at ``w_j = l_j < 0``, ``max(a_j - g_j, 0)``; at
    ``w_j = 0``, ``max(-g_j - a_j, 0)`` if ``u_j > 0`` and ``max(g_j - a_j,
    0)`` if ``l_j < 0`` (the sides it can move to); ``inf`` outside the box.

    Parameters
    ----------
    X, y, coef, intercept, alpha, l1_ratio, sample_weight, fit_intercept
        As in :func:`enet_kkt_violation`.
    penalty_factor, lower_bounds, upper_bounds, scale
        As in :func:`enet_box_objective`.

    Returns
    -------
    violation : float
    """
    X, y, s = _validate(X, y, sample_weight)
    p = X.shape[1]
    w = _coef(coef, p)
    lo, hi = _box(lower_bounds, upper_bounds, p)
    if np.any(w < lo) or np.any(w > hi):
        return np.inf
    pf = np.ones(p) if penalty_factor is None else _penalty_factor(penalty_factor, p)
    d = np.ones(p) if scale is None else np.asarray(scale, dtype=np.float64)
    n_eff = s.sum()
    r = y - X @ w - intercept
    g = -(X.T @ (s * r)) / n_eff + alpha * (1 - l1_ratio) * pf * d * d * w
    a = alpha * l1_ratio * pf * d
    viol = np.zeros(p)
    for j in range(p):
        if w[j] == 0:
            up = max(-g[j] - a[j], 0.0) if hi[j] > 0 else 0.0
            down = max(g[j] - a[j], 0.0) if lo[j] < 0 else 0.0
            viol[j] = max(up, down)
        elif w[j] == hi[j]:
            viol[j] = max(g[j] + a[j], 0.0)
        elif w[j] == lo[j]:
            viol[j] = max(a[j] - g[j], 0.0)
        else:
            viol[j] = abs(g[j] + a[j] * np.sign(w[j]))
    worst = np.max(viol, initial=0.0)
    if fit_intercept:
        worst = max(worst, abs(s @ r) / n_eff)
    return float(worst)


def enet_box_coordinate_descent(X, y, alpha, l1_ratio=1.0, sample_weight=None,
                                fit_intercept=True, penalty_factor=None,
                                lower_bounds=None, upper_bounds=None,
                                standardize=False, tol=1e-12, max_iter=100000):
    """Elastic-Net with a box and standardisation by plain cyclic coordinate descent.

    ``standardize`` is done explicitly: the centred, weighted design is
    divided by the standard deviations (sparse ``X`` stays sparse: a column
    scaling), the problem is solved in ``b = D w`` with bounds ``D l, D u``,
    and ``coef = b / d`` (0 for a constant column). Each update is the
    soft-thresholding step clipped to the box. Stops when an epoch changes
    no coefficient by more than ``tol`` times the largest.

    Parameters
    ----------
    X : {ndarray, sparse matrix} of shape (n_samples, n_features)
    y : ndarray of shape (n_samples,)
    alpha : float
    l1_ratio : float, default=1.0
    sample_weight : ndarray of shape (n_samples,), default=None
    fit_intercept : bool, default=True
    penalty_factor : array-like of shape (n_features,), default=None
    lower_bounds, upper_bounds : float or array-like of shape (n_features,), \
            default=None
        The box on the original-scale coefficients.
    standardize : bool, default=False
    tol : float, default=1e-12
    max_iter : int, default=100000

    Returns
    -------
    coef : ndarray of shape (n_features,)
    intercept : float
    n_iter : int
    """
    X, y, s = _validate(X, y, sample_weight)
    p = X.shape[1]
    lo, hi = _box(lower_bounds, upper_bounds, p)
    pf = np.ones(p) if penalty_factor is None else _penalty_factor(penalty_factor, p)
    d = (standard_deviations(X, s, fit_intercept) if standardize else np.ones(p))
    inv = np.where(d > 0, 1.0 / np.where(d > 0, d, 1.0), 0.0)
    Xs = (X @ sp.diags(inv)).tocsc() if sp.issparse(X) else X * inv
    n_eff = s.sum()
    l1, l2 = alpha * l1_ratio * n_eff, alpha * (1 - l1_ratio) * n_eff
    Xc, yc, xbar, ybar = _centered_problem(Xs, y, s, fit_intercept)
    columns = _cd_columns(Xs, Xc, xbar, s)
    with np.errstate(invalid="ignore"):  # 0 * inf for constant columns: fixed at 0
        blo, bhi = d * lo, d * hi
    blo[d == 0], bhi[d == 0] = 0.0, 0.0
    b = np.zeros(p)
    R = yc.copy()
    for n_iter in range(1, max_iter + 1):
        R, shift, change = yc - Xc @ b, 0.0, 0.0
        for j, (rows, values, sqrt_s_rows, mean, norm) in enumerate(columns):
            if norm <= 0:
                continue
            rho = values @ (R[rows] + shift * sqrt_s_rows) + norm * b[j]
            shrunk = np.sign(rho) * max(abs(rho) - l1 * pf[j], 0.0)
            new = min(max(shrunk / (norm + l2 * pf[j]), blo[j]), bhi[j])
            if new != b[j]:
                R[rows] -= (new - b[j]) * values
                shift += (new - b[j]) * mean
                change = max(change, abs(new - b[j]))
                b[j] = new
        if change <= tol * max(np.max(np.abs(b), initial=0.0), 1e-300):
            break
    # b / d can round across a bound that b sits on: the box is on w.
    w = np.clip(b * inv, lo, hi)
    intercept = ybar - xbar @ b if fit_intercept else 0.0
    return w, float(intercept), n_iter


# --------------------------------------------------------------------------
# Multi-task Elastic-Net (joint sparsity: the L2,1 norm of the coefficients)
# --------------------------------------------------------------------------
#
# Coefficients ``W`` of shape (T, p) (scikit-learn's ``coef_`` of the
# MultiTask estimators), row ``W[:, j]`` the T coefficients of feature j,
# intercepts ``b`` of shape (T,), targets ``Y`` of shape (n, T)::
#
#     P(W, b) = 1 / (2 sum(s)) * sum_i s_i ||Y_i - W x_i - b||^2
#               + alpha * l1_ratio * sum_j pf_j ||W[:, j]||_2
#               + alpha * (1 - l1_ratio) / 2 * sum_j pf_j ||W[:, j]||_2^2
#
# the group Lasso with one group per feature across the tasks (Obozinski,
# Taskar & Jordan, "Joint covariate selection and joint subspace selection
# for multiple classification problems", Statistics and Computing 2010):
# a feature is used by all tasks or by none.  The dual norm of the L2,1 norm
# is the largest row norm, max_j ||v_j||_2, which gives the duality gap and the
# Gap Safe rules of Ndiaye, Fercoq, Gramfort & Salmon ("GAP safe screening
# rules for sparse multi-task and multi-class models", NeurIPS 2015; "Gap Safe
# screening rules for sparsity enforcing penalties", JMLR 2017).


def _multitask_data(X, Y, coef, sample_weight, penalty_factor):
    """Validated ``X, Y (n, T), s, W (T, p), pf``."""
    X, Y, s = _validate(X, Y, sample_weight, multi_output=True)
    if Y.ndim != 2:
        raise ValueError(f"Y must be 2-D (n_samples, n_tasks), got shape {Y.shape}.")
    p, T = X.shape[1], Y.shape[1]
    W = None
    if coef is not None:
        W = np.array(coef, dtype=np.float64)
        if W.shape != (T, p):
            raise ValueError(f"coef must have shape ({T}, {p}) (n_tasks, n_features), "
                             f"got {W.shape}.")
    return X, Y, s, W, _penalty_factor(penalty_factor, p)


def _group_penalty(W, l1, l2, pf):
    """``sum_j pf_j (l1 ||W[:, j]|| + l2/2 ||W[:, j]||^2)`` (pf None: ones)."""
    norms = np.sqrt(np.sum(W * W, axis=0))
    pf = np.ones(W.shape[1]) if pf is None else pf
    return float(l1 * (pf @ norms) + 0.5 * l2 * (pf @ (norms * norms)))


def multitask_objective(X, Y, coef, intercept=0.0, alpha=1.0, l1_ratio=1.0,
                        sample_weight=None, penalty_factor=None):
    """Multi-task Elastic-Net objective ``P(W, b)`` in public units.

    Parameters
    ----------
    X : {ndarray, sparse matrix} of shape (n_samples, n_features)
    Y : ndarray of shape (n_samples, n_tasks)
    coef : ndarray of shape (n_tasks, n_features)
    intercept : float or ndarray of shape (n_tasks,), default=0.0
    alpha, l1_ratio : float, default 1.0, 1.0
    sample_weight : ndarray of shape (n_samples,), default=None
    penalty_factor : array-like of shape (n_features,), default=None
        Per-feature factors of both penalty terms (None: all ones).

    Returns
    -------
    objective : float
    """
    X, Y, s, W, pf = _multitask_data(X, Y, coef, sample_weight, penalty_factor)
    R = Y - np.asarray(X @ W.T) - np.asarray(intercept, dtype=np.float64)
    datafit = np.sum(s[:, None] * R * R) / (2 * s.sum())
    return float(datafit) + _group_penalty(W, alpha * l1_ratio, alpha * (1 - l1_ratio), pf)


def _multitask_columns(Xc, idx):
    """The centred columns ``idx`` of ``Xc`` as an explicit (n, len(idx)) array."""
    if isinstance(Xc, np.ndarray):
        return Xc[:, idx]
    E = np.zeros((Xc.shape[1], len(idx)))
    E[idx, np.arange(len(idx))] = 1.0
    return np.column_stack([Xc @ E[:, k] for k in range(len(idx))]) if len(idx) else \
        np.zeros((Xc.shape[0], 0))


def _multitask_dual(Xc, Yc, W, R, l1, l2, pf):
    """Best dual value of the centred multi-task problem (un-normalised units).

    The dual is ``D(Theta) = <Theta, Yc> - 1/2 ||Theta||_F^2 - sum_j
    g_j*(Xc_j^T Theta)`` with ``g_j(w) = pf_j (l1 ||w|| + l2/2 ||w||^2)``,
    whose conjugate is ``(||v|| - l1 pf_j)_+^2 / (2 l2 pf_j)`` (l2 > 0), the
    indicator of the ball ``||v|| <= l1 pf_j`` (l2 = 0), of ``{0}`` (pf_j = 0).
    ``Theta`` is the residual projected off the unpenalised columns, and the
    points tried are those of :func:`_gap_unscaled` with row norms for
    absolute values: (a) ``c Theta`` in the augmented Lasso, ``c = min(1, l1
    / max_j ||Xc_j^T Theta - l2 pf_j W_j|| / pf_j)``; (b) ``Theta`` with the
    conjugate of the L2 term; and 0.
    """
    p = W.shape[1]
    pf = np.ones(p) if pf is None else pf
    unpen = np.flatnonzero(pf == 0)
    theta = R
    if unpen.size:
        Q = _orthonormal_basis(_multitask_columns(Xc, unpen))
        for _ in range(2):
            theta = theta - Q @ (Q.T @ theta)
    V = np.asarray(Xc.T @ theta)          # (p, T)
    pen = pf > 0
    V, pf_p, W_p = V[pen], pf[pen], W[:, pen].T
    theta_y, theta2 = float(np.sum(theta * Yc)), float(np.sum(theta * theta))
    duals = [0.0]
    if l1 > 0:
        A = np.sqrt(np.sum((V - l2 * pf_p[:, None] * W_p) ** 2, axis=1))
        dual_norm = np.max(A / pf_p, initial=0.0)
        c = min(1.0, l1 / dual_norm) if dual_norm > 0 else 1.0
        duals.append(c * theta_y - 0.5 * c * c
                     * (theta2 + l2 * (pf_p @ np.sum(W_p * W_p, axis=1))))
    if l2 > 0:
        excess = np.maximum(np.sqrt(np.sum(V * V, axis=1)) - l1 * pf_p, 0.0)
        duals.append(theta_y - 0.5 * theta2 - (excess @ (excess / pf_p)) / (2 * l2))
    return max(duals)


def multitask_duality_gap(X, Y, coef, intercept, alpha, l1_ratio=1.0, sample_weight=None,
                          fit_intercept=True, penalty_factor=None):
    """Duality gap of the multi-task Elastic-Net at ``(coef, intercept)``,
    public units: an upper bound of ``P(coef, intercept) - min P``.

    As :func:`enet_duality_gap`, for the objective of
    :func:`multitask_objective` (see :func:`_multitask_dual` for the dual
    points).

    Parameters
    ----------
    X : {ndarray, sparse matrix} of shape (n_samples, n_features)
    Y : ndarray of shape (n_samples, n_tasks)
    coef : ndarray of shape (n_tasks, n_features)
    intercept : float or ndarray of shape (n_tasks,)
    alpha : float
    l1_ratio : float, default=1.0
    sample_weight : ndarray of shape (n_samples,), default=None
    fit_intercept : bool, default=True
    penalty_factor : array-like of shape (n_features,), default=None

    Returns
    -------
    gap : float
    """
    X, Y, s, W, pf = _multitask_data(X, Y, coef, sample_weight, penalty_factor)
    n_eff = s.sum()
    b = np.broadcast_to(np.asarray(intercept, dtype=np.float64), (Y.shape[1],))
    Xc, Yc, _, _ = _multitask_centred(X, Y, s, fit_intercept, b)
    R = Yc - np.asarray(Xc @ W.T) if W.size else Yc.copy()
    primal = n_eff * multitask_objective(X, Y, W, b, alpha, l1_ratio, s, pf)
    l1, l2 = alpha * l1_ratio * n_eff, alpha * (1 - l1_ratio) * n_eff
    dual = _multitask_dual(Xc, Yc, W, R, l1, l2, pf)
    gap = primal - dual
    scale = max(abs(primal), abs(dual), float(np.sum(Yc * Yc)),
                float(s @ np.sum(Y * Y, axis=1)), 1e-300)
    assert gap >= -1e-9 * scale, f"significantly negative duality gap {gap}"
    return float(max(gap, 0.0) / n_eff)


def _multitask_centred(X, Y, s, fit_intercept, offset):
    """``Xc, Yc, xbar, ybar`` of :func:`_centered_problem`, for T targets
    (``offset``: the fixed intercepts without ``fit_intercept``)."""
    Xc, _, xbar, _ = _centered_problem(X, Y[:, 0], s, fit_intercept)
    ybar = s @ Y / s.sum() if fit_intercept else np.asarray(offset, dtype=np.float64)
    Yc = np.sqrt(s)[:, None] * (Y - ybar)
    if not isinstance(Xc, np.ndarray):
        Xs, sqrt_s = X, np.sqrt(s)
        Xc = LinearOperator(
            X.shape, dtype=np.float64,
            matmat=lambda M: sqrt_s[:, None] * (Xs @ M - xbar @ M),
            matvec=lambda w: sqrt_s * (Xs @ w - xbar @ w),
            rmatvec=lambda r: Xs.T @ (sqrt_s * r) - xbar * (sqrt_s @ r),
            rmatmat=lambda M: Xs.T @ (sqrt_s[:, None] * M) - np.outer(xbar, sqrt_s @ M))
    return Xc, Yc, xbar, ybar


def multitask_alpha_max(X, Y, l1_ratio=1.0, sample_weight=None, fit_intercept=True):
    """Smallest ``alpha`` for which ``coef = 0`` is optimal (no penalty factors):
    ``max_j ||Xc_j^T Yc||_2 / (sum(s) l1_ratio)``; ``inf`` if ``l1_ratio == 0``.

    Parameters
    ----------
    X : {ndarray, sparse matrix} of shape (n_samples, n_features)
    Y : ndarray of shape (n_samples, n_tasks)
    l1_ratio : float, default=1.0
    sample_weight : ndarray of shape (n_samples,), default=None
    fit_intercept : bool, default=True

    Returns
    -------
    alpha_max : float
    """
    X, Y, s, _, _ = _multitask_data(X, Y, None, sample_weight, None)
    if l1_ratio == 0:
        return np.inf
    Xc, Yc, _, _ = _multitask_centred(X, Y, s, fit_intercept, np.zeros(Y.shape[1]))
    V = np.asarray(Xc.T @ Yc)
    return float(np.max(np.sqrt(np.sum(V * V, axis=1)), initial=0.0) / (s.sum() * l1_ratio))


def multitask_coordinate_descent(X, Y, alpha, l1_ratio=1.0, sample_weight=None,
                                 fit_intercept=True, tol=1e-4, max_iter=1000,
                                 coef_init=None, penalty_factor=None):
    """Multi-task Elastic-Net by cyclic block coordinate descent, one Python
    loop over features.

    Each update minimises the objective over one row ``W[:, j]`` (all tasks of
    feature j) exactly: with ``rho = Xc_j^T R + ||Xc_j||^2 W[:, j]`` (T
    values), the group soft-thresholding ``W[:, j] = (1 - l1 pf_j /
    ||rho||)_+ rho / (||Xc_j||^2 + l2 pf_j)`` (block coordinate descent for the
    group Lasso: Friedman, Hastie & Tibshirani, "A note on the group lasso and
    a sparse group lasso", 2010; Simon, Friedman & Hastie 2013).  Stops once
    the duality gap of :func:`multitask_duality_gap` in un-normalised units is
    ``<= tol * ||Yc||_F^2``.

    Parameters
    ----------
    X : {ndarray, sparse matrix} of shape (n_samples, n_features)
    Y : ndarray of shape (n_samples, n_tasks)
    alpha : float
    l1_ratio : float, default=1.0
    sample_weight : ndarray of shape (n_samples,), default=None
    fit_intercept : bool, default=True
    tol : float, default=1e-4
    max_iter : int, default=1000
    coef_init : ndarray of shape (n_tasks, n_features), default=None
    penalty_factor : array-like of shape (n_features,), default=None

    Returns
    -------
    coef : ndarray of shape (n_tasks, n_features)
    intercept : ndarray of shape (n_tasks,)
    dual_gap : float
        Public units; reaching ``max_iter`` raises no warning.
    n_iter : int
    """
    X, Y, s, W, pf = _multitask_data(X, Y, coef_init, sample_weight, penalty_factor)
    if max_iter < 1:
        raise ValueError("max_iter must be at least 1.")
    n_eff = s.sum()
    p, T = X.shape[1], Y.shape[1]
    l1, l2 = alpha * l1_ratio * n_eff, alpha * (1 - l1_ratio) * n_eff
    Xc, Yc, xbar, ybar = _multitask_centred(X, Y, s, fit_intercept, np.zeros(T))
    cols = _multitask_columns(Xc, np.arange(p))   # explicit: readability over speed
    norms = np.sum(cols * cols, axis=0)
    pf_ = np.ones(p) if pf is None else pf
    W = np.zeros((T, p)) if W is None else W
    threshold = tol * float(np.sum(Yc * Yc))
    for n_iter in range(1, max_iter + 1):
        R = Yc - cols @ W.T
        for j in range(p):
            if norms[j] <= 0:
                W[:, j] = 0.0
                continue
            rho = cols[:, j] @ R + norms[j] * W[:, j]
            r = np.linalg.norm(rho)
            scale = max(1.0 - l1 * pf_[j] / r, 0.0) if r > 0 else 0.0
            new = scale * rho / (norms[j] + l2 * pf_[j])
            R -= np.outer(cols[:, j], new - W[:, j])
            W[:, j] = new
        R = Yc - cols @ W.T
        primal = 0.5 * float(np.sum(R * R)) + _group_penalty(W, l1, l2, pf)
        gap = primal - _multitask_dual(Xc, Yc, W, R, l1, l2, pf)
        if gap <= threshold:
            break
    intercept = ybar - W @ xbar if fit_intercept else np.zeros(T)
    return W, intercept, float(max(gap, 0.0) / n_eff), n_iter
