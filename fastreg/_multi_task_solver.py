"""The multi-task Elastic-Net driver: one solve, or a warm-started path, of

    1/(2n) ||Y - X W^T - b||_F^2 + alpha*l1_ratio*sum_j pf_j ||W_j||_2
    + alpha*(1-l1_ratio)/2 * sum_j pf_j ||W_j||_2^2

on a preprocessed design (``fastreg._preprocess.preprocess`` with a 2-D
target), for the MultiTask estimators, their CV and ``enet_path`` with a 2-D y.

scikit-learn's units become the kernels' through
:func:`fastreg._enet_solver.kernel_penalties`, the family's one conversion
(the multi-task objective is scaled as the single-task one); gaps and
tolerances are divided by ``n`` on the way back. The strategy: Gram mode
(``fastreg._gram.use_gram``'s cost model with the tasks' count, the Gram
matrix shared by every solve of a path), the working-set loop
(``fastreg._multi_task_working_set``: single fits on dense designs wide
enough, or tall enough, for it; its subproblems in Gram mode when tall), or
the dense / sparse block-CD kernel (``fastreg._kernels._cd_multi_task``).
"""
import numpy as np
import scipy.sparse as sp
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_array

from ._blas_threads import single_threaded_blas
from ._enet_solver import kernel_penalties, warn_not_converged
from ._gram import gram_matrix, use_gram
from ._kernels._cd_multi_task import mt_cd_dense, mt_cd_gram, mt_cd_sparse
from ._multi_task_working_set import solve_working_set_mt
from ._penalty import check_penalty_factor
from ._preprocess import preprocess
from ._selection import alpha_grid_from_max, path_alphas
from ._validation import (FLOAT_DTYPES, check_array_basics, check_consistent_length,
                          check_grid_l1_ratio, check_sample_weight, check_sparse_structure)
from ._working_set import (WS_MIN_ENTRIES, WS_MIN_FEATURES, WS_TALL, WS_TALL_MIN_FEATURES,
                           WS_WIDE)


def working_set_pays(design, n_fits, penalty_factor):
    """Whether a single fit on ``design`` takes the working-set loop: a dense
    design (sparse columns are cheap to sweep), penalised features only, and
    the single-task loop's size rule (wide enough, or tall enough that its
    subproblems run in Gram mode on a few columns instead of a full Gram
    matrix). Paths keep the plain kernels or a shared Gram matrix."""
    n, p = design.shape
    if design.sparse or n_fits != 1:
        return False
    if penalty_factor is not None and np.any(np.asarray(penalty_factor) == 0):
        return False
    return ((n * p >= WS_MIN_ENTRIES or p >= WS_WIDE * n)
            and (p >= WS_MIN_FEATURES or (n >= WS_TALL * p and p >= WS_TALL_MIN_FEATURES)))


class MultiTaskProblem:
    """What every solve on one design shares: the targets in the kernels'
    layout, the penalty factors and the unpenalised features' projection, and
    the Gram statistics when Gram mode is chosen.

    Parameters
    ----------
    design : Design
        Preprocessed, with ``y`` of shape (n_samples, n_tasks).
    penalty_factor : ndarray of shape (n_features,) or None
        Validated factors (``check_penalty_factor``); None: all ones.
    precompute : bool or 'auto'
        Gram mode: forced, refused, or by the cost model.
    n_fits : int
        Solves that will share the Gram matrix (a path's alphas).
    working_set : bool, default=True
        Allow the working-set loop (:func:`working_set_pays`); its own
        subproblems are built with False.
    """

    def __init__(self, design, penalty_factor=None, precompute="auto", n_fits=1,
                 working_set=True):
        self.design = design
        n, p = design.shape
        self.n = n
        dtype = design.dtype
        self.Y = np.ascontiguousarray(design.y2d, dtype=dtype)
        self.n_tasks = self.Y.shape[1]
        n_cost = max(1, design.X.nnz // max(p, 1)) if design.sparse else n
        self.G = None
        self.working_set = (working_set and precompute == "auto"
                            and working_set_pays(design, n_fits, penalty_factor))
        if not self.working_set and use_gram(precompute, n_cost, p, n_alphas=n_fits,
                                             n_tasks=self.n_tasks):
            self.G = np.asfortranarray(gram_matrix(design), dtype=dtype)
            self.XtY = np.ascontiguousarray(design.rmatvec(self.Y), dtype=dtype)
            self.y_norm2 = float(np.sum(self.Y.astype(np.float64) ** 2))
        self.pf = None if penalty_factor is None else np.asarray(penalty_factor, dtype)
        self.unpen = {}
        if self.pf is not None and np.any(self.pf == 0):
            self.unpen = self._projection(np.flatnonzero(self.pf == 0))

    @classmethod
    def from_gram(cls, G, XtY, y_norm2, n, penalty_factor=None):
        """A problem known by its statistics only (the Dask route), in Gram
        mode: ``G = Xt^T Xt`` (p, p), ``XtY = Xt^T Y`` (p, T), ``y_norm2 =
        ||Y||_F^2`` of the centred design weighted to total weight ``n``."""
        self = cls.__new__(cls)
        dtype = np.asarray(G).dtype
        self.design, self.n, self.working_set = None, n, False
        self.G = np.asfortranarray(G)
        self.XtY = np.ascontiguousarray(XtY, dtype=dtype)
        self.y_norm2 = float(y_norm2)
        self.n_tasks = self.XtY.shape[1]
        self.pf = None if penalty_factor is None else np.asarray(penalty_factor, dtype)
        self.unpen = {}
        if self.pf is not None and np.any(self.pf == 0):
            idx = np.flatnonzero(self.pf == 0)
            G64 = self.G.astype(np.float64)
            self.unpen = dict(
                unpen_idx=idx.astype(np.intc),
                unpen_pinv=np.asfortranarray(np.linalg.pinv(G64[np.ix_(idx, idx)],
                                                            hermitian=True), dtype=dtype),
                unpen_cross=np.asfortranarray(G64[:, idx], dtype=dtype),
                unpen_xty=np.ascontiguousarray(self.XtY[idx]))
        return self

    @property
    def n_features(self):
        return self.G.shape[0] if self.design is None else self.design.shape[1]

    @property
    def dtype(self):
        return self.G.dtype if self.design is None else self.design.dtype

    def _projection(self, idx):
        """The kernels' projection off the unpenalised columns ``idx``:
        ``pinv(Xt_U^T Xt_U)``, ``Xt^T Xt_U`` and ``Xt_U^T Y`` (an explicit
        n x |U| block: meant for a few unpenalised features)."""
        design, dtype = self.design, self.design.dtype
        p = design.shape[1]
        E = np.zeros((p, idx.size), dtype=dtype)
        E[idx, np.arange(idx.size)] = 1
        XU = np.asarray(design.matvec(E), dtype=np.float64)
        cross = np.asarray(design.rmatvec(XU), dtype=np.float64)
        pinv = np.linalg.pinv(cross[idx], hermitian=True)
        return dict(unpen_idx=idx.astype(np.intc),
                    unpen_pinv=np.asfortranarray(pinv, dtype=dtype),
                    unpen_cross=np.asfortranarray(cross, dtype=dtype),
                    unpen_xty=np.ascontiguousarray(XU.T @ self.Y, dtype=dtype))

    def alpha_max(self, l1_ratio):
        """Smallest alpha at which every penalised row of W is zero:
        ``max_j ||Xt_j^T R0||_2 / (pf_j n l1_ratio)``, R0 the targets'
        residual after least squares on the unpenalised features (Y if none)."""
        if self.design is None:
            V = self.XtY.astype(np.float64)
            if self.unpen:
                d = self.unpen
                V = V - d["unpen_cross"].astype(np.float64) @ (
                    d["unpen_pinv"].astype(np.float64) @ V[d["unpen_idx"]])
            return self._alpha_max_from(V, l1_ratio)
        R0 = self.Y.astype(np.float64)
        if self.unpen:
            d = self.unpen
            XU = np.asarray(self.design.matvec(
                np.eye(self.design.shape[1])[:, d["unpen_idx"]]), dtype=np.float64)
            R0 = R0 - XU @ np.linalg.lstsq(XU, R0, rcond=None)[0]
        V = np.asarray(self.design.rmatvec(R0), dtype=np.float64)
        return self._alpha_max_from(V, l1_ratio)

    def _alpha_max_from(self, V, l1_ratio):
        """alpha_max from the correlations ``V = Xt^T R0`` (p, T)."""
        norms = np.sqrt(np.sum(V * V, axis=1))
        if self.pf is not None:
            pen = self.pf > 0
            norms = norms[pen] / self.pf[pen]
        return float(np.max(norms, initial=0.0) / (self.n * l1_ratio))

    def solve(self, W, alpha, l1_ratio, *, tol, max_iter, seed, random, stacklevel=3):
        """Solve at ``alpha``, in place: ``W`` of shape (n_features, n_tasks),
        C-ordered, the warm start and then the solution. Returns (gap in
        scikit-learn's units, epochs); warns (ConvergenceWarning, with the gap)
        as if ``warnings.warn(..., stacklevel)`` were called here."""
        l1_reg, l2_reg = kernel_penalties(alpha, l1_ratio, self.n)
        with single_threaded_blas():
            if self.working_set and l1_reg > 0 and not random:
                out = self._solve_ws(W, l1_reg, l2_reg, max_iter, tol, seed)
            else:
                out = self._kernel(W, l1_reg, l2_reg, max_iter, tol, seed, random)
        gap, tol_scaled, n_iter, converged = out
        if not converged:
            warn_not_converged(n_iter, gap / self.n, tol_scaled / self.n, alpha,
                               stacklevel + 1)
        return gap / self.n, n_iter

    def _kernel(self, W, l1_reg, l2_reg, max_iter, tol, seed, random):
        """One kernel call on this problem (kernel units; ``tol`` relative to
        ``||Y||_F^2``); returns the kernel's tuple."""
        kw = dict(self.unpen)
        if self.pf is not None:
            kw["penalty_factor"] = self.pf
        design = self.design
        args = (W, l1_reg, l2_reg, max_iter, tol, seed, random)
        if self.G is not None:
            return mt_cd_gram(self.G, self.XtY, self.y_norm2, *args, **kw)
        if design.sparse:
            X = design.X
            norms, colsum = design.column_stats()
            return mt_cd_sparse(X.data, X.indices, X.indptr, design.x_mean,
                                design.sqrt_sw, norms, colsum, self.Y, *args, **kw)
        return mt_cd_dense(design.X, self.Y, *args, **kw)

    def _solve_ws(self, W, l1_reg, l2_reg, max_iter, tol, seed):
        """The working-set loop around the kernels; returns the kernel's tuple."""
        Y64 = self.Y.astype(np.float64, copy=False).ravel()
        y_norm2 = float(Y64 @ Y64)
        tol_scaled = tol * y_norm2
        p = self.design.shape[1]
        pf = np.ones(p) if self.pf is None else self.pf.astype(np.float64)

        def solve_sub(sub, W_sub, tol_abs, budget, pf_sub):
            rel = tol_abs / y_norm2 if y_norm2 > 0 else tol
            if sub is self.design:
                return self._kernel(W_sub, l1_reg, l2_reg, budget, rel, seed, False)[::2]
            problem = MultiTaskProblem(sub, None if self.pf is None
                                       else pf_sub.astype(sub.dtype), working_set=False)
            if problem.G is not None:
                # Gram-mode epochs cost nothing next to the full pass over X of
                # a gap check: solve the subproblem to the final tolerance.
                rel = min(rel, 0.3 * tol)
            return problem._kernel(W_sub, l1_reg, l2_reg, budget, rel, seed, False)[::2]

        gap, n_iter, converged = solve_working_set_mt(
            self.design, self.Y, W, l1_reg, l2_reg, tol_scaled=tol_scaled,
            max_iter=max_iter, pf=pf, solve_sub=solve_sub)
        return gap, tol_scaled, n_iter, converged


def multi_task_alphas(problem, l1_ratio, eps, n_alphas):
    """scikit-learn's automatic grid (:func:`fastreg._selection.alpha_grid_from_max`)
    from the multi-task alpha_max (which needs an L1 term)."""
    check_grid_l1_ratio(l1_ratio)
    return alpha_grid_from_max(problem.alpha_max(l1_ratio), eps, n_alphas)


def multi_task_path(problem, alphas, l1_ratio, *, coef_init=None, tol=1e-4,
                    max_iter=1000, random_state=None, selection="cyclic"):
    """Solve along ``alphas`` (decreasing), each solve warm-started from the
    previous solution.

    Returns
    -------
    coefs : ndarray of shape (n_tasks, n_features, n_alphas)
        scikit-learn's layout of a multi-task path.
    gaps : ndarray of shape (n_alphas,)
        Duality gaps, scikit-learn's units.
    n_iters : ndarray of shape (n_alphas,)
    """
    p, T = problem.n_features, problem.n_tasks
    W = np.zeros((p, T), dtype=problem.dtype)
    if coef_init is not None:
        W[:] = np.asarray(coef_init).T
    rng = check_random_state(random_state)
    coefs = np.empty((T, p, len(alphas)), dtype=W.dtype)
    gaps = np.empty(len(alphas))
    n_iters = np.empty(len(alphas), dtype=np.intp)
    for i, alpha in enumerate(alphas):
        gaps[i], n_iters[i] = problem.solve(
            W, float(alpha), l1_ratio, tol=tol, max_iter=max_iter,
            seed=int(rng.randint(np.iinfo(np.int32).max)), random=selection == "random",
            stacklevel=4)
        coefs[:, :, i] = W.T
    return coefs, gaps, n_iters


def multi_task_enet_path(X, Y, *, l1_ratio, eps, n_alphas, alphas, precompute, copy_X,
                         coef_init, return_n_iter, positive, check_input, opts, params):
    """``enet_path`` with a 2-D y: scikit-learn's multi-task path (the entry
    :func:`fastreg._path.enet_path` dispatches to). ``opts`` are the path's
    validated scalar options (``check_path_options``), ``params`` its
    keyword arguments.

    Returns ``(alphas, coefs (n_tasks, n_features, n_alphas), gaps[, n_iters])``.
    """
    if positive:
        raise ValueError("positive=True is not supported by the multi-task path "
                         "(scikit-learn refuses it too).")
    for name in ("lower_bounds", "upper_bounds"):
        if params.get(name) is not None:
            raise ValueError(f"{name} is not supported by the multi-task path.")
    if params.get("standardize"):
        raise ValueError("standardize=True is not supported by the multi-task path.")
    if sp.issparse(X):
        check_sparse_structure(X)
    check_consistent_length(check_array_basics(X, "X", (2,)),
                            check_array_basics(Y, "y", (2,)))
    X = check_array(X, accept_sparse=("csc", "csr"), dtype=FLOAT_DTYPES,
                    ensure_all_finite=check_input, input_name="X")
    Y = check_array(Y, dtype=X.dtype, ensure_all_finite=check_input, input_name="y")
    sample_weight = check_sample_weight(params.get("sample_weight"), X.shape[0], X.dtype)
    penalty_factor = check_penalty_factor(params.get("penalty_factor"), X.shape[1])
    design = preprocess(X, Y, sample_weight, opts["fit_intercept"], copy_X=copy_X,
                        normalize_weights=True)
    n_fits = n_alphas if alphas is None else (alphas if np.ndim(alphas) == 0
                                              else len(alphas))
    pre = precompute if isinstance(precompute, (bool, np.bool_)) else "auto"
    problem = MultiTaskProblem(design, penalty_factor, precompute=pre,
                               n_fits=int(n_fits))
    alphas = path_alphas(alphas, n_alphas,
                         lambda k: multi_task_alphas(problem, l1_ratio, eps, k))
    if coef_init is not None:
        coef_init = np.asarray(coef_init, dtype=X.dtype)
        if coef_init.shape != (Y.shape[1], X.shape[1]):
            raise ValueError(f"coef_init must have shape ({Y.shape[1]}, {X.shape[1]}) "
                             f"(n_tasks, n_features), got {coef_init.shape}.")
    coefs, gaps, n_iters = multi_task_path(
        problem, alphas, l1_ratio, coef_init=coef_init, tol=opts["tol"],
        max_iter=opts["max_iter"], random_state=params.get("random_state"),
        selection=opts["selection"])
    return (alphas, coefs, gaps, n_iters) if return_n_iter else (alphas, coefs, gaps)
