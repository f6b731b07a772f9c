"""Elastic-Net and Lasso estimators, solved by fastreg's coordinate-descent kernels.

Flow: estimator (parameters, validation) -> ``preprocess`` (centering,
weights) -> ``solve_enet`` (unit conversion, kernel choice) -> kernel.
"""
import warnings

import numpy as np
import scipy.sparse as sp
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils import check_random_state

from ._base import LinearRegressorBase
from ._blas_threads import single_threaded_blas
from ._cd_dense import enet_cd_dense
from ._cd_gram import enet_cd_gram
from ._cd_sparse import enet_cd_sparse, sparse_column_stats
from ._dask_stats import is_dask_collection
from ._gram import gram_matrix, gram_statistics, use_gram
from ._preprocess import preprocess
from ._penalty import Penalty, check_penalty_factor
from ._working_set import (WS_MIN_ENTRIES, WS_MIN_FEATURES, WS_TALL, WS_TALL_MIN_FEATURES,
                           WS_WIDE, column_norms2, solve_working_set)
from ._validation import (check_bool, check_choice, check_int, check_real,
                          check_sample_weight)


def gram_for(design, precompute, n_fits):
    """The Gram matrix to share across ``n_fits`` solves on ``design``, or None.

    ``precompute`` is the estimator's parameter: False/True/'auto' (the cost
    model of :func:`fastreg._gram.use_gram`) or a user-supplied Gram matrix.
    As in scikit-learn, a user matrix cannot describe data that fastreg has
    centred or rescaled itself: it is then recomputed, with a warning.
    """
    n, p = design.shape
    if design.sparse:
        # The cost model weighs Gram mode against epochs of n*p work; a sparse
        # epoch costs nnz, as much as a dense one with nnz/p rows. (On the
        # 6,166 x 2,640 we8there data, density 4e-3, a 100-alpha path took 9.5 s
        # in Gram mode against 0.69 s without.)
        n = max(1, design.X.nnz // max(p, 1))
    if not use_gram(precompute, n, p, n_alphas=n_fits):
        return None
    user = precompute if hasattr(precompute, "shape") else None
    if user is not None and (np.any(design.x_mean != 0) or np.any(design.sqrt_sw != 1)):
        warnings.warn("Gram matrix was provided but X was centred (fit_intercept) or "
                      "weighted: recomputing the Gram matrix.", UserWarning, stacklevel=3)
        user = None
    if user is None:
        return gram_matrix(design)  # (X^T y is gram_target's, once per target)
    y0 = design.y if design.y.ndim == 1 else design.y[:, 0]
    return gram_statistics(design, y0, precompute=user)[0]


#: The sparse kernel sweeps, between two gap checks, only the non-zero
#: features and those whose dual constraint is at least this tight (measured:
#: a 100-alpha path on 6,000 x 30,000 text-like data, 2.2 s -> 1.25 s).
SPARSE_WORK_FRAC = 0.9


def make_penalty(design, penalty_factor):
    """Penalty factors (validated by ``check_penalty_factor``) prepared for
    ``design``; None for the plain penalty."""
    if penalty_factor is None:
        return None
    return Penalty(design, penalty_factor, column_norms2(design))


def gram_target(design, G, y):
    """The statistics of one target for the Gram kernel: (G, Xt^T y, ||y||^2),
    computed once per target (not once per alpha); None when G is None."""
    if G is None:
        return None
    Xy = np.asarray(design.rmatvec(y), dtype=design.dtype)
    return G, Xy, design.dtype.type(np.dot(y.astype(np.float64), y))


def solve_enet(design, y, coef, alpha, l1_ratio, *, tol, max_iter, positive,
               seed, random, gram=None, penalty=None):
    """Solve one Elastic-Net problem on a preprocessed design, in place.

    This is the single place where scikit-learn's units become kernel units:
    the objective ``1/(2n) ||yt - Xt w||^2 + alpha*l1_ratio*||w||_1
    + alpha*(1-l1_ratio)/2*||w||^2`` is multiplied by ``n`` (the total weight,
    which equals n_samples after weight normalisation).

    Parameters
    ----------
    design : Design
        Output of :func:`fastreg._preprocess.preprocess`.
    y : ndarray of shape (n_samples,)
        One column of ``design.y``, C-contiguous.
    coef : ndarray of shape (n_features,)
        Initial coefficients; overwritten with the solution.
    alpha, l1_ratio, tol, max_iter, positive : see :class:`ElasticNet`.
    seed : int
        PRNG seed for ``random`` selection.
    random : bool
        Random instead of cyclic coordinate selection.
    gram : tuple (G, Xy, y_norm2), default=None
        Output of :func:`gram_target` for this ``y``: when given, the
        coordinate updates run in Gram mode, O(n_features) each.
    penalty : fastreg._penalty.Penalty, default=None
        Per-feature penalty factors prepared for ``design`` (None: all ones).

    Returns
    -------
    dual_gap : float
        Final duality gap, in scikit-learn's units (divided by n).
    n_iter : int
        Epochs run.
    """
    n, p = design.shape
    l1_reg = alpha * l1_ratio * n
    l2_reg = alpha * (1.0 - l1_ratio) * n
    args = (y, coef, l1_reg, l2_reg, max_iter, tol, seed, random, positive)
    if (gram is None and not design.sparse and not random and l1_reg > 0
            and (n * p >= WS_MIN_ENTRIES or p >= WS_WIDE * n)
            and (p >= WS_MIN_FEATURES or (n >= WS_TALL * p and p >= WS_TALL_MIN_FEATURES))):
        gap, tol_scaled, n_iter, converged = _solve_ws(design, *args, penalty=penalty)
    elif gram is not None:
        kw = {} if penalty is None else penalty.kernel_args(gram=gram[0])
        with single_threaded_blas():
            gap, tol_scaled, n_iter, converged = enet_cd_gram(*gram, *args[1:], **kw)
    else:
        kw = {} if penalty is None else penalty.kernel_args()
        gap, tol_scaled, n_iter, converged = _kernel(design, *args, **kw)
    if not converged:
        warn_not_converged(n_iter, gap / n, tol_scaled / n, alpha, stacklevel=4)
    return gap / n, n_iter


def warn_not_converged(n_iter, gap, tol, alpha, stacklevel):
    """The ConvergenceWarning of a coordinate-descent solve (gap and tol in
    scikit-learn's units)."""
    msg = (f"Objective did not converge after {n_iter} epochs: duality gap "
           f"{gap:.3e} > tolerance {tol:.3e}. Increase max_iter, or scale the features.")
    if alpha == 0:
        msg += " With alpha=0 no dual certificate exists: use a least-squares solver."
    warnings.warn(msg, ConvergenceWarning, stacklevel=stacklevel)


def _kernel(design, y, w, l1_reg, l2_reg, max_iter, tol, seed, random, positive, **kw):
    """One call of the dense or sparse kernel on ``design`` (``kw``: the penalty
    factors' kernel arguments)."""
    X = design.X
    with single_threaded_blas():
        if design.sparse:
            if design.column_stats is None:  # once per design: a path shares them
                design.column_stats = sparse_column_stats(X.data, X.indices, X.indptr,
                                                          design.x_mean, design.sqrt_sw)
            return enet_cd_sparse(X.data, X.indices, X.indptr, design.x_mean,
                                  design.sqrt_sw, y, w, l1_reg, l2_reg, max_iter, tol,
                                  seed, random, positive, work_frac=SPARSE_WORK_FRAC,
                                  column_stats=design.column_stats, **kw)
        return enet_cd_dense(X, y, w, l1_reg, l2_reg, max_iter, tol, seed, random,
                             positive, **kw)


def _solve_ws(design, y, w, l1_reg, l2_reg, max_iter, tol, seed, random, positive,
              penalty=None):
    """The working-set strategy (``fastreg._working_set``) around the kernels;
    same returns as a kernel."""
    y_norm2 = float(np.dot(y, y))
    tol_scaled = tol * y_norm2

    def solve_sub(sub, w_sub, tol_abs, budget, kw):
        rel = tol_abs / y_norm2 if y_norm2 > 0 else tol
        n_sub, k = sub.shape
        if sub is not design and use_gram("auto", n_sub, k):
            # A tall subproblem: its small Gram matrix (n k^2 / 2 multiply-adds,
            # once) is cheaper than the n k of every epoch. Its epochs cost
            # nothing next to a full pass over X: solve it to the final tolerance.
            G, Xy, yn = gram_statistics(sub, y)
            gap, _, n_iter, _ = enet_cd_gram(G, Xy, yn, w_sub, l1_reg, l2_reg, budget,
                                             min(rel, 0.3 * tol), seed, random, positive,
                                             **kw)
            return gap, n_iter
        gap, _, n_iter, _ = _kernel(sub, y, w_sub, l1_reg, l2_reg, budget, rel, seed,
                                    random, positive, **kw)
        return gap, n_iter

    # Single-threaded BLAS for the whole loop, not only its kernels: its own
    # products are small or memory-bound, and threads waking up for each of
    # them cost more than they save (500 x 1000 Elastic-Net, 2 cores, default
    # threads: 45 ms against 8 ms).
    with single_threaded_blas():
        gap, n_iter, converged = solve_working_set(
            design, y, w, l1_reg, l2_reg, tol_scaled=tol_scaled, max_iter=max_iter,
            positive=positive, solve_sub=solve_sub, penalty=penalty)
    return gap, tol_scaled, n_iter, converged


class ElasticNet(LinearRegressorBase):
    """Linear regression with combined L1 and L2 priors as regulariser.

    Minimises, exactly as :class:`sklearn.linear_model.ElasticNet`::

        1 / (2 * n_samples) * ||y - Xw - b||^2_2
        + alpha * l1_ratio * ||w||_1 + 0.5 * alpha * (1 - l1_ratio) * ||w||^2_2

    by cyclic (or random) coordinate descent in compiled kernels that release
    the GIL, stopping on the duality gap.

    Parameters
    ----------
    alpha : float, default=1.0
        Constant that multiplies the penalty terms.
    l1_ratio : float, default=0.5
        The Elastic-Net mixing parameter, in [0, 1]: 1 is the Lasso, 0 a
        ridge penalty.
    fit_intercept : bool, default=True
        Whether to fit an (unpenalised) intercept, by centering the data.
    precompute : bool, 'auto' or array-like of shape (n_features, n_features), \
            default=False
        Run the coordinate descent on the Gram matrix ``X^T X`` (O(p) per
        update instead of O(n)): True/False force it, 'auto' decides by a
        measured cost model (worth it for n_samples >> n_features with few
        features, or many targets), an array is used as the Gram matrix of
        the (uncentred, unweighted) data; with centering or weights it is
        recomputed, with a warning, as in scikit-learn.
    max_iter : int, default=1000
        Maximum number of epochs.
    copy_X : bool, default=True
        If False, a dense Fortran-ordered float X may be centred in place.
    tol : float, default=1e-4
        Stop when the duality gap is at most ``tol * ||y_centred||^2 / n``.
    warm_start : bool, default=False
        Start from the previous ``coef_`` when refitting.
    positive : bool, default=False
        Constrain the coefficients to be non-negative.
    random_state : int, RandomState instance or None, default=None
        Seed of the coordinate selection when ``selection='random'``.
    selection : {'cyclic', 'random'}, default='cyclic'
        Coordinate selection rule.
    penalty_factor : array-like of shape (n_features,), default=None
        Per-feature factors ``pf_j >= 0`` of the penalty, which becomes
        ``alpha * sum_j pf_j * (l1_ratio*|w_j| + (1-l1_ratio)/2*w_j^2)``
        (glmnet's ``penalty.factor``, but not rescaled to sum to
        n_features). 0 leaves a feature unpenalised. None means all ones.

    Attributes
    ----------
    coef_ : ndarray of shape (n_features,) or (n_targets, n_features)
        Coefficients.
    intercept_ : float or ndarray of shape (n_targets,)
        Intercept.
    n_iter_ : int or list of int
        Epochs run by the solver for each target.
    dual_gap_ : float or ndarray of shape (n_targets,)
        Final duality gap(s), in the units of the objective above.
    n_features_in_ : int
        Number of features seen during fit.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Feature names, when X has string column names.

    Notes
    -----
    Dense X is used in place when it is Fortran-ordered and needs neither
    centering nor weighting; otherwise one working copy is made (C-ordered
    input is copied once to Fortran order), or, when the working-set strategy
    applies (float64, wide or tall X), only the columns it touches are centred
    and copied. Sparse X is converted once to
    canonical CSC (a copy from CSR) and is never densified: centering is
    implicit in the kernel.
    """

    def __init__(self, alpha=1.0, *, l1_ratio=0.5, fit_intercept=True, precompute=False,
                 max_iter=1000, copy_X=True, tol=1e-4, warm_start=False, positive=False,
                 random_state=None, selection="cyclic", penalty_factor=None):
        self.alpha = alpha
        self.l1_ratio = l1_ratio
        self.fit_intercept = fit_intercept
        self.precompute = precompute
        self.max_iter = max_iter
        self.copy_X = copy_X
        self.tol = tol
        self.warm_start = warm_start
        self.positive = positive
        self.random_state = random_state
        self.selection = selection
        self.penalty_factor = penalty_factor

    def _check_params(self):
        alpha = check_real(self.alpha, "alpha", low=0.0)
        l1_ratio = check_real(self.l1_ratio, "l1_ratio", low=0.0, high=1.0)
        check_int(self.max_iter, "max_iter", low=1)
        check_real(self.tol, "tol", low=0.0, low_open=True)
        for name in ("fit_intercept", "copy_X", "warm_start", "positive"):
            check_bool(getattr(self, name), name)
        check_choice(self.selection, "selection", {"cyclic", "random"})
        if not (isinstance(self.precompute, (bool, np.bool_))
                or hasattr(self.precompute, "shape") or self.precompute == "auto"):
            raise ValueError("precompute must be a bool, 'auto' or a Gram matrix, got "
                             f"{self.precompute!r}.")
        return alpha, l1_ratio

    def fit(self, X, y, sample_weight=None, check_input=True):
        """Fit the model by coordinate descent.

        Parameters
        ----------
        X : {ndarray, sparse matrix} of shape (n_samples, n_features)
            Training data (dense, or scipy.sparse CSC/CSR).
        y : ndarray of shape (n_samples,) or (n_samples, n_targets)
            Target; each column of a 2-D y is an independent problem.
        sample_weight : float or array-like of shape (n_samples,), default=None
            Sample weights, rescaled internally to sum to n_samples.
        check_input : bool, default=True
            If False, skip the finiteness checks of X and y (for callers that
            validated them already).

        Returns
        -------
        self : object
            Fitted estimator.
        """
        if is_dask_collection(X):  # Dask arrays: Gram-mode CD on one-pass statistics
            from ._dask_fit import fit_enet_dask
            return fit_enet_dask(self, X, y, sample_weight)
        alpha, l1_ratio = self._check_params()
        if alpha == 0:
            warnings.warn("With alpha=0, this algorithm does not converge well. You are "
                          "advised to use the LinearRegression estimator", stacklevel=2)
        X, y, col_sums = self._validate_Xy(X, y, check_input, col_sums=True)
        sample_weight = check_sample_weight(sample_weight, X.shape[0], X.dtype)
        penalty_factor = check_penalty_factor(self.penalty_factor, X.shape[1],
                                              self.positive)
        design = preprocess(X, y, sample_weight, self.fit_intercept, copy_X=self.copy_X,
                            normalize_weights=True, lazy=True,
                            col_sums=col_sums)
        penalty = make_penalty(design, penalty_factor)
        Y = design.y.reshape(X.shape[0], -1)
        n_targets, n_features = Y.shape[1], X.shape[1]

        coef = np.zeros((n_targets, n_features), dtype=X.dtype)
        if self.warm_start and hasattr(self, "coef_"):
            previous = np.atleast_2d(self.coef_)
            if previous.shape == coef.shape:
                coef[:] = previous
        rng = check_random_state(self.random_state)
        gram = gram_for(design, self.precompute, n_targets)
        gaps = np.zeros(n_targets, dtype=X.dtype)
        n_iters = []
        for k in range(n_targets):
            seed = int(rng.randint(np.iinfo(np.int32).max))
            y_k = np.ascontiguousarray(Y[:, k])
            gaps[k], n_iter = solve_enet(
                design, y_k, coef[k], alpha, l1_ratio, tol=self.tol,
                max_iter=self.max_iter, positive=self.positive, seed=seed,
                random=self.selection == "random", gram=gram_target(design, gram, y_k),
                penalty=penalty)
            n_iters.append(n_iter)

        single = n_targets == 1  # scikit-learn's rule, also for y of shape (n, 1)
        self.coef_ = coef[0] if single else coef
        self.dual_gap_ = gaps[0] if single else gaps
        self.n_iter_ = n_iters[0] if single else n_iters
        self._set_intercept(design)
        if not (np.all(np.isfinite(self.coef_)) and np.all(np.isfinite(self.intercept_))):
            raise ValueError("Coordinate descent produced non-finite coefficients; the "
                             "input has values too large for the dtype: rescale X or y.")
        return self

    @property
    def sparse_coef_(self):
        """Sparse (CSR) representation of the fitted ``coef_``."""
        return sp.csr_matrix(np.atleast_2d(self.coef_))


class Lasso(ElasticNet):
    """Linear model trained with an L1 prior as regulariser (the Lasso).

    Minimises, exactly as :class:`sklearn.linear_model.Lasso`::

        1 / (2 * n_samples) * ||y - Xw - b||^2_2 + alpha * ||w||_1

    This is :class:`ElasticNet` with ``l1_ratio=1``; see it for the solver,
    the parameters and the fitted attributes.

    Parameters
    ----------
    alpha : float, default=1.0
        Constant that multiplies the L1 term.
    fit_intercept : bool, default=True
        Whether to fit an (unpenalised) intercept.
    precompute : bool, 'auto' or array-like, default=False
        Gram mode; see :class:`ElasticNet`.
    copy_X : bool, default=True
        If False, a dense Fortran-ordered float X may be centred in place.
    max_iter : int, default=1000
        Maximum number of epochs.
    tol : float, default=1e-4
        Duality-gap tolerance, relative to ``||y_centred||^2 / n``.
    warm_start : bool, default=False
        Start from the previous ``coef_`` when refitting.
    positive : bool, default=False
        Constrain the coefficients to be non-negative.
    random_state : int, RandomState instance or None, default=None
        Seed of the coordinate selection when ``selection='random'``.
    selection : {'cyclic', 'random'}, default='cyclic'
        Coordinate selection rule.
    penalty_factor : array-like of shape (n_features,), default=None
        Per-feature factors of the L1 penalty (0: unpenalised); see
        :class:`ElasticNet`.

    Attributes
    ----------
    coef_ : ndarray of shape (n_features,) or (n_targets, n_features)
        Coefficients.
    intercept_ : float or ndarray of shape (n_targets,)
        Intercept.
    n_iter_ : int or list of int
        Epochs run by the solver for each target.
    dual_gap_ : float or ndarray of shape (n_targets,)
        Final duality gap(s).
    n_features_in_ : int
        Number of features seen during fit.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Feature names, when X has string column names.
    """

    def __init__(self, alpha=1.0, *, fit_intercept=True, precompute=False, copy_X=True,
                 max_iter=1000, tol=1e-4, warm_start=False, positive=False,
                 random_state=None, selection="cyclic", penalty_factor=None):
        super().__init__(alpha=alpha, l1_ratio=1.0, fit_intercept=fit_intercept,
                         precompute=precompute, max_iter=max_iter, copy_X=copy_X, tol=tol,
                         warm_start=warm_start, positive=positive,
                         random_state=random_state, selection=selection,
                         penalty_factor=penalty_factor)
