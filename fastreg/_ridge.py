"""Ridge regression: closed form through LAPACK, on dense and sparse X.

Objective, exactly scikit-learn's ``Ridge`` (not divided by n)::

    sum_i s_i (y_i - x_i.w - b)^2 + alpha * ||w||^2

Routes (``solver_`` records the one taken):

- ``'cholesky'``: the normal equations in closed form. Primal when
  n_samples >= n_features: ``(Xt^T Xt + alpha I) w = Xt^T yt`` with the Gram
  matrix from one SYRK; dual otherwise: ``(Xt Xt^T + alpha I) a = yt``,
  ``w = Xt^T a``. Both factorised by Cholesky (POTRF/POTRS). On sparse X the
  Gram matrix is a sparse product and the centering a rank-one correction,
  so X is never densified.
- ``'svd'``: thin SVD of the (dense) centred design.
- ``'sparse_cg'``: conjugate gradient on the normal equations, matrix-free
  with implicit centering (:mod:`fastreg._ridge_cg`: a one-pass fused
  product on sparse X); what 'auto' takes when no Gram matrix fits in
  memory, or on sparse X when it converges within the closed form's cost.
- ``'lsqr'``: scipy's LSQR with ``atol = btol = tol`` (scikit-learn's
  meaning). Beware: with the default tol=1e-4 it can stop far from the
  solution on ill-conditioned data; prefer 'auto'.
- ``'cd'``: coordinate descent (the Elastic-Net kernel with no L1 term),
  used for ``positive=True``.

``standardize=True`` (glmnet's): every route solves the problem of the design
``Xt D^{-1}``, ``D = diag(d)`` the weighted standard deviations (1/sum(s)
scaling) of the columns, i.e. the generalised ridge ``(Xt^T Xt + alpha D^2) w
= Xt^T yt`` in the original coefficients ``w = D^{-1} b``; the scaled design is
one scaled copy of dense X, or of sparse X's values only. Constant columns
(``d_j = 0``) keep ``w_j = 0``.
"""
import warnings

import numpy as np
import scipy.linalg as la
import scipy.sparse.linalg as spla
from sklearn.exceptions import ConvergenceWarning

from ._base import LinearRegressorBase, intercept_of
from ._enet_solver import solve_enet
from ._dask import is_dask_collection
from ._gram import MAX_GRAM_ENTRIES, gram_matrix, kernel_matrix
from ._linalg import null_cutoff, solve_psd_min_norm, solve_spd
from ._preprocess import constant_columns, preprocess
from ._result import FitResult
from ._ridge_cg import solve_ridge_cg
from ._validation import (check_bool, check_choice, check_int, check_penalty,
                          check_real, check_sample_weight)

SOLVERS = {"auto", "cholesky", "svd", "lsqr", "sparse_cg", "cd",
           # scikit-learn's stochastic/quasi-Newton solvers reach the same
           # minimiser; fastreg answers them with its exact routes.
           "sag", "saga", "lbfgs"}

# Relative tolerance of the iterative route when 'auto' must take it: tight, so
# that 'auto' stays within round-off of the closed form whatever the route.
_AUTO_ITERATIVE_TOL = 1e-10


def _solve_cholesky(design, alphas):
    Y = design.y2d
    n, p = design.shape
    primal = n >= p
    if primal:  # from the raw X when the design is lazy and that is accurate
        G = gram_matrix(design, lower_only=True)
    else:
        design.zero_constant_columns()
        G = kernel_matrix(design, lower_only=True)
    X = None if design.lazy else design.X
    rhs = design.rmatvec(Y) if primal else Y
    const = None
    if design.constant_pending:
        # Round-off-only centred columns (constant features): as if zeroed in
        # X, which is what every other route sees.
        const = constant_columns(np.diag(G), design.x_mean, design.sqrt_sw, X.dtype)
        if np.any(const):
            G[const, :] = 0
            G[:, const] = 0
            rhs = np.array(rhs)
            rhs[const] = 0
            X[:, const] = 0  # keeps the design consistent for the intercept
        design.constant_pending = False
    coef = np.empty((Y.shape[1], p), dtype=design.dtype)
    distinct = np.unique(alphas)
    for k, a in enumerate(distinct):
        cols = np.flatnonzero(alphas == a)
        B = np.asarray(rhs[:, cols], dtype=G.dtype)
        last = k == distinct.size - 1
        Z = solve_spd(G, a, B, overwrite=last)  # the last one may consume G
        if Z is None:
            if last:  # rare: G was consumed by the failed factorisation
                G = (gram_matrix if primal else kernel_matrix)(design, lower_only=True)
                if const is not None:
                    G[const, :] = 0
                    G[:, const] = 0
            Z = solve_psd_min_norm(G, a, B)
        coef[cols] = (Z if primal else design.rmatvec(Z)).T
    return coef, None


def _solve_svd(design, alphas):
    X = design.X.toarray() if design.sparse else design.X  # 'svd' densifies (documented)
    if design.center_implicitly:
        X = X - np.multiply.outer(design.sqrt_sw, design.x_mean)
    U, s, Vt = la.svd(X, full_matrices=False, lapack_driver="gesdd")
    UtY = U.T @ design.y2d
    with np.errstate(divide="ignore"):
        d = s[:, None] / (s[:, None] ** 2 + alphas[None, :])
    # the numerical null space of X (gelsd's rank rule): no component there, the
    # minimum-norm solution at alpha = 0
    d[s <= null_cutoff(s.max(initial=0.0), max(X.shape))] = 0
    return (Vt.T @ (d * UtY)).T.astype(X.dtype), None


def _operator(design):
    n, p = design.X.shape
    return spla.LinearOperator((n, p), matvec=design.matvec, rmatvec=design.rmatvec,
                               matmat=design.matvec, rmatmat=design.rmatvec,
                               dtype=design.X.dtype)


def _solve_lsqr(design, alphas, tol, max_iter):
    op = _operator(design)
    coef, n_iter = [], []
    for k, a in enumerate(alphas):
        out = spla.lsqr(op, design.y2d[:, k], damp=np.sqrt(a), atol=tol, btol=tol,
                        iter_lim=max_iter)
        if out[1] == 7:  # istop 7: the iteration limit was reached
            warnings.warn(f"Ridge: LSQR stopped after {out[2]} iterations before reaching "
                          f"tol={tol:g}; increase max_iter.", ConvergenceWarning,
                          stacklevel=4)
        coef.append(out[0])
        n_iter.append(out[2])
    return np.array(coef, dtype=design.X.dtype), np.array(n_iter)


def _solve_cd(design, alphas, tol, max_iter, positive):
    """Ridge as an Elastic-Net with l1_ratio=0: the kernel's l2_reg is alpha."""
    n, p = design.X.shape
    coef = np.zeros((design.y2d.shape[1], p), dtype=design.X.dtype)
    n_iter = []
    for k, a in enumerate(alphas):
        # solve_enet multiplies by n: alpha_enet * n = alpha_ridge.
        _, it = solve_enet(design, np.ascontiguousarray(design.y2d[:, k]), coef[k],
                           a / n, 0.0, tol=tol, max_iter=max_iter, positive=positive,
                           seed=0, random=False)
        n_iter.append(it)
    return coef, np.array(n_iter)


def choose_solver(solver, design, positive):
    """The route taken for ``solver`` on this design (the value of ``solver_``)."""
    if positive:
        if solver not in ("auto", "cd", "lbfgs"):
            raise ValueError(f"solver={solver!r} does not support positive fitting. Please "
                             "set the solver to 'auto', 'cd' or 'lbfgs' (all solved by "
                             "coordinate descent), or set `positive=False`.")
        return "cd"
    if solver == "cd":
        return "cd"
    if solver in ("cholesky", "svd", "lsqr", "sparse_cg"):
        return solver
    n, p = design.shape
    if min(n, p) ** 2 > MAX_GRAM_ENTRIES:
        return "sparse_cg"
    return "cholesky"


def _cg_budget(design):
    """Iterations of conjugate gradient that cost about as much as the Gram route.

    On sparse X, 'auto' first tries Jacobi-preconditioned CG within this
    budget and falls back to the closed form only if CG has not converged, so
    it never costs much more than twice the better route: CG's iteration count
    depends on the conditioning, which sizes alone do not tell (5 iterations
    on a random 200,000 x 2,000 matrix, about 80 on text-like data with
    heavy-tailed column norms). The Gram route's cost is the sparse product
    (the sum of squared non-zero counts of the rows for X^T X, of the columns
    for X X^T), densifying it and a Cholesky factorisation of the smaller side;
    one CG iteration costs two sparse mat-vecs. The rates are rough
    single-core throughputs (sparse products ~2e8, LAPACK ~1e10, sparse
    mat-vecs ~5e8 flop/s).
    """
    X = design.X  # canonical CSC
    n, p = X.shape
    m = min(n, p)
    counts = (np.bincount(X.indices, minlength=n) if n >= p
              else np.diff(X.indptr)).astype(np.float64)
    gram_seconds = counts @ counts / 2e8 + m ** 3 / 3 / 1e10 + 4 * m * m / 5e8
    iteration_seconds = (4 * X.nnz + 4 * (n + p)) / 5e8
    return max(10, int(gram_seconds / iteration_seconds))


class Ridge(LinearRegressorBase):
    """Linear least squares with L2 regularisation, solved in closed form.

    Minimises, exactly as :class:`sklearn.linear_model.Ridge`::

        ||y - Xw - b||^2_2 + alpha * ||w||^2_2

    Parameters
    ----------
    alpha : float or ndarray of shape (n_targets,), default=1.0
        Regularisation strength, >= 0; one value per target is allowed.
    fit_intercept : bool, default=True
        Whether to fit an (unpenalised) intercept, by centering.
    copy_X : bool, default=True
        If False, a dense Fortran-ordered float X may be centred in place.
    max_iter : int, default=None
        Iteration cap of the iterative solvers ('lsqr', 'sparse_cg', 'cd');
        None means their default (1000 for 'cd', solver-chosen otherwise).
    tol : float, default=1e-4
        Tolerance of the iterative solvers (unused by the closed forms).
    solver : {'auto', 'cholesky', 'svd', 'lsqr', 'sparse_cg', 'cd'}, default='auto'
        'auto' takes the closed form ('cholesky', primal if n_samples >=
        n_features, dual otherwise) whenever the smaller Gram matrix fits in
        1 GiB (for sparse X, after trying 'sparse_cg' within an iteration
        budget worth the closed form's cost), Jacobi-preconditioned 'sparse_cg'
        beyond (in both cases to a relative
        tolerance of at most 1e-10, so that the answer stays that of the closed
        form), and 'cd' when ``positive=True``. scikit-learn's
        'sag', 'saga' and 'lbfgs' are accepted and answered by the 'auto' route
        (the same minimiser).
    positive : bool, default=False
        Constrain the coefficients to be non-negative (solved by coordinate
        descent).
    random_state : int, RandomState instance or None, default=None
        Unused; accepted for compatibility with scikit-learn.
    standardize : bool, default=False
        glmnet's ``standardize``: penalise the coefficients of the columns
        scaled to unit weighted standard deviation (``sqrt(sum_i s_i (x_ij -
        xbar_j)^2 / sum(s))``, centred only with an intercept), i.e. the
        penalty ``alpha * sum_j d_j^2 w_j^2``; ``coef_`` and ``intercept_``
        are on the original scale, constant columns get 0. Sparse X is not
        densified. False (the default) is scikit-learn's Ridge.

    Attributes
    ----------
    coef_ : ndarray of shape (n_features,) or (n_targets, n_features)
        Coefficients.
    intercept_ : float or ndarray of shape (n_targets,)
        Intercept.
    n_iter_ : None or ndarray of shape (n_targets,)
        Iterations of the iterative solvers; None for the closed forms.
    solver_ : str
        The route actually used.
    n_features_in_ : int
        Number of features seen during fit.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Feature names, when X has string column names.
    """

    def __init__(self, alpha=1.0, *, fit_intercept=True, copy_X=True, max_iter=None,
                 tol=1e-4, solver="auto", positive=False, random_state=None,
                 standardize=False):
        self.alpha = alpha
        self.fit_intercept = fit_intercept
        self.copy_X = copy_X
        self.max_iter = max_iter
        self.tol = tol
        self.solver = solver
        self.positive = positive
        self.random_state = random_state
        self.standardize = standardize

    def fit(self, X, y, sample_weight=None):
        """Fit the Ridge model.

        Parameters
        ----------
        X : {ndarray, sparse matrix} of shape (n_samples, n_features)
            Training data (dense, or scipy.sparse CSC/CSR).
        y : ndarray of shape (n_samples,) or (n_samples, n_targets)
            Target values.
        sample_weight : float or array-like of shape (n_samples,), default=None
            Individual weights for each sample (not normalised, as in
            scikit-learn's Ridge).

        Returns
        -------
        self : object
            Fitted estimator.
        """
        for name in ("fit_intercept", "copy_X", "positive", "standardize"):
            check_bool(getattr(self, name), name)
        check_choice(self.solver, "solver", SOLVERS)
        tol = check_real(self.tol, "tol", low=0.0)
        max_iter = None if self.max_iter is None else check_int(self.max_iter, "max_iter",
                                                                 low=1)
        if is_dask_collection(X):  # Dask arrays: one pass of sufficient statistics
            from ._dask.ridge import fit_ridge_dask
            return self._set_fitted(fit_ridge_dask(
                dict(self.get_params(deep=False), tol=tol, max_iter=max_iter), X, y,
                sample_weight))
        X, y, col_sums = self._validate_Xy(X, y, col_sums=True)
        n_targets = 1 if y.ndim == 1 else y.shape[1]
        alphas = check_penalty(self.alpha, "alpha", n_targets)
        alphas = np.full(n_targets, alphas) if np.ndim(alphas) == 0 else alphas
        sample_weight = check_sample_weight(sample_weight, X.shape[0], X.dtype)
        # Dense Cholesky (primal) finds the constant columns on the Gram
        # matrix's diagonal: no extra pass over X for them.
        design = preprocess(X, y, sample_weight, self.fit_intercept, copy_X=self.copy_X,
                            zero_constant=False, col_sums=col_sums,
                            lazy=not self.standardize)
        scale = None
        if self.standardize:  # the routes solve on the standardised columns
            scale = design.inverse_scales()
            base, design = design, design.scaled(scale)

        solver = choose_solver(self.solver, design, self.positive)
        coef = None
        if solver == "cholesky" and design.sparse and self.solver != "cholesky":
            # 'auto' on sparse X: conjugate gradient first, within a budget.
            coef, n_iter, _ = solve_ridge_cg(design, alphas, _AUTO_ITERATIVE_TOL,
                                               _cg_budget(design), warn=False)
            if coef is not None:
                solver = "sparse_cg"
        if coef is None:
            coef, n_iter = self._solve(solver, design, alphas, tol, max_iter)
        if scale is not None:  # back to the original columns' scale
            coef = (coef * scale).astype(design.dtype, copy=False)
            design = base
        coef = coef[0] if n_targets == 1 else coef  # scikit-learn's shapes
        return self._set_fitted(FitResult(coef, intercept_of(design, coef, self.fit_intercept),
                                          n_iter=n_iter, attributes={"solver": solver}))

    def _solve(self, solver, design, alphas, tol, max_iter):
        """Run the route named ``solver``; return (coef, n_iter)."""
        if solver == "cholesky":
            return _solve_cholesky(design, alphas)
        design.zero_constant_columns()
        if solver == "svd":
            return _solve_svd(design, alphas)
        if solver == "lsqr":
            return _solve_lsqr(design, alphas, tol, max_iter)
        if solver == "sparse_cg":
            if self.solver != "sparse_cg":  # chosen by 'auto': keep it exact
                tol = min(tol, _AUTO_ITERATIVE_TOL)
            return solve_ridge_cg(design, alphas, tol, max_iter)[:2]
        return _solve_cd(design, alphas, tol, max_iter or 1000, self.positive)
