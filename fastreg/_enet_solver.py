"""The Elastic-Net family driver: one solve of the Elastic-Net on a preprocessed
design, for every caller (the estimators, the paths, cross-validation, Ridge's
``cd`` route).

This module holds the single conversion from scikit-learn's units to the
kernels' units (:func:`kernel_penalties`), the choice among the strategies
(plain kernel, Gram mode, working sets; :func:`solve_enet`), the Gram-mode
solve on statistics alone (:func:`solve_enet_gram`, also the Dask route's),
the warm-started path loop and the convergence warning.
"""
import warnings

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils import check_random_state

from ._blas_threads import single_threaded_blas
from ._gram import gram_matrix, gram_statistics, use_gram
from ._kernels._cd_dense import enet_cd_dense
from ._kernels._cd_gram import enet_cd_gram
from ._kernels._cd_sparse import enet_cd_sparse
from ._penalty import Penalty, kernel_kwargs
from ._working_set import (WS_MIN_ENTRIES, WS_MIN_FEATURES, WS_TALL, WS_TALL_MIN_FEATURES,
                           WS_WIDE, solve_working_set)


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
        # epoch costs nnz, as much as a dense one with nnz/p rows.
        n = max(1, design.X.nnz // max(p, 1))
    if not use_gram(precompute, n, p, n_alphas=n_fits):
        return None
    user = precompute if hasattr(precompute, "shape") else None
    if user is not None and not np.allclose(design.x_mean, 0):  # x_mean: 0 unless centred
        # scikit-learn's rule: an already-centred X keeps the user's matrix (then
        # spot-checked against the data); weights are the user's to fold in.
        warnings.warn("Gram matrix was provided but X was centered to fit intercept: "
                      "recomputing Gram matrix.", UserWarning, stacklevel=3)
        user = None
    if user is None:
        return gram_matrix(design)  # (X^T y is gram_target's, once per target)
    y0 = design.y if design.y.ndim == 1 else design.y[:, 0]
    return gram_statistics(design, y0, precompute=user)[0]


#: Gram-mode solves run plain coordinate descent: the iterates of the dense
#: and sparse kernels without extrapolation, and the results the Gram route
#: has always given (its kernel takes ``anderson_k`` as the others do).
GRAM_ANDERSON_K = 0

#: The sparse kernel sweeps, between two gap checks, only the non-zero
#: features and those whose dual constraint is at least this tight: the others
#: are unlikely to enter before the next check (bench/results/cost_models.md).
SPARSE_WORK_FRAC = 0.9


def make_penalty(design, penalty_factor, bounds=None, standardize=False):
    """Penalty factors (validated by ``check_penalty_factor``), the box
    (``check_bounds``) and standardisation prepared for ``design``; None for
    the plain penalty.

    ``standardize``: glmnet's, each column scaled to unit weighted standard
    deviation ``d_j = sqrt(||Xt_j||^2 / n)`` (the centred, weighted column of
    the design, weights summing to n: 1/sum(w) scaling) before the penalty
    applies. In ``b = D w`` the penalty is ``sum_j pf_j (l1 |b_j| + l2/2
    b_j^2)``; on the unscaled design it is L1 factors ``pf d`` and L2 factors
    ``pf d^2`` (:func:`standardized_factors`). Coordinate descent's iterates
    are invariant to rescaling a coordinate, so this is coordinate descent on
    the standardised design without a scaled copy of X, the coefficients
    already on the original scale, and the duality gap that of the
    standardised problem (the same problem, reparametrised). Bounds apply to
    the original-scale coefficients.
    """
    if penalty_factor is None and bounds is None and not standardize:
        return None
    norms = design.column_norms2()
    l2_factor = None
    if standardize:
        penalty_factor, l2_factor = standardized_factors(penalty_factor, norms,
                                                         design.shape[0])
    return Penalty(design, penalty_factor, norms, bounds=bounds, l2_factor=l2_factor)


def gram_penalty(G, n, penalty_factor, bounds=None, standardize=False):
    """:func:`make_penalty` from a Gram matrix alone (the Dask route's
    statistics: G's diagonal holds the column norms, weights summing to n);
    None for the plain penalty."""
    if penalty_factor is None and bounds is None and not standardize:
        return None
    l2_factor = None
    if standardize:
        penalty_factor, l2_factor = standardized_factors(penalty_factor, np.diag(G), n)
    return Penalty.from_gram(G, penalty_factor, bounds, l2_factor)


def standardized_factors(penalty_factor, column_norms2, n):
    """``(pf * d, pf * d^2)``: the L1 and L2 factors of glmnet's standardisation
    with ``d_j = sqrt(column_norms2_j / n)`` (constant columns: d_j = 0, their
    coefficient stays 0; see :func:`make_penalty`)."""
    d2 = np.asarray(column_norms2, dtype=np.float64) / n
    pf = np.ones(d2.shape) if penalty_factor is None else penalty_factor
    return pf * np.sqrt(d2), pf * d2


def gram_target(design, G, y):
    """The statistics of one target for the Gram kernel: (G, Xt^T y, ||y||^2),
    computed once per target (not once per alpha); None when G is None."""
    if G is None:
        return None
    Xy = np.asarray(design.rmatvec(y), dtype=design.dtype)
    return G, Xy, design.dtype.type(np.dot(y.astype(np.float64), y))


def kernel_penalties(alpha, l1_ratio, n):
    """``(l1_reg, l2_reg)``: scikit-learn's ``alpha`` and ``l1_ratio`` in the
    kernels' units, the single place where they are converted.

    The kernels minimise ``1/2 ||yt - Xt w||^2 + l1_reg ||w||_1 + l2_reg/2
    ||w||^2``: scikit-learn's objective ``1/(2n) ||yt - Xt w||^2 +
    alpha*l1_ratio*||w||_1 + alpha*(1-l1_ratio)/2*||w||^2`` multiplied by ``n``,
    the total weight (n_samples once the weights are normalised to sum to
    n_samples). A kernel's duality gap and tolerance are divided by ``n`` on the
    way back.
    """
    return alpha * l1_ratio * n, alpha * (1.0 - l1_ratio) * n


def solve_enet_gram(G, Xy, y_norm2, coef, alpha, l1_ratio, n, *, tol, max_iter,
                    positive, seed, random, kernel_args=None, stacklevel=3):
    """Solve one Elastic-Net problem in Gram mode, in place, from the statistics
    ``G = Xt^T Xt`` (Fortran), ``Xy = Xt^T yt`` (contiguous) and ``y_norm2 =
    ||yt||^2`` of a centred design with total weight ``n`` (scikit-learn's
    units: :func:`kernel_penalties`); ``kernel_args`` are the penalty factors'
    (:meth:`fastreg._penalty.Penalty.kernel_args`). Warns (ConvergenceWarning)
    as if ``warnings.warn(..., stacklevel)`` were called here.

    Returns
    -------
    dual_gap : float
        Final duality gap, in scikit-learn's units (divided by n).
    n_iter : int
        Epochs run.
    """
    l1_reg, l2_reg = kernel_penalties(alpha, l1_ratio, n)
    with single_threaded_blas():
        gap, tol_scaled, n_iter, converged = enet_cd_gram(
            G, Xy, y_norm2, coef, l1_reg, l2_reg, max_iter, tol, seed, random, positive,
            anderson_k=GRAM_ANDERSON_K, **kernel_kwargs(kernel_args or {}, positive))
    if not converged:
        warn_not_converged(n_iter, gap / n, tol_scaled / n, alpha, stacklevel + 1)
    return gap / n, n_iter


def warm_started_path(solve, alphas, coef, random_state):
    """Solve along ``alphas`` in the order given, each solve warm-started from
    the previous solution: ``solve(coef, alpha, seed)`` solves one problem in
    place (``coef`` is overwritten) and returns (gap, n_iter); the seeds of
    random selection are drawn from ``random_state`` in turn.

    Returns (coefs (n_features, n_alphas) in ``coef``'s dtype, gaps, n_iters).
    """
    rng = check_random_state(random_state)
    coefs = np.empty((coef.shape[0], len(alphas)), dtype=coef.dtype)
    gaps = np.empty(len(alphas), dtype=np.float64)
    n_iters = np.empty(len(alphas), dtype=np.intp)
    for i, alpha in enumerate(alphas):
        gaps[i], n_iters[i] = solve(coef, float(alpha),
                                    int(rng.randint(np.iinfo(np.int32).max)))
        coefs[:, i] = coef
    return coefs, gaps, n_iters


def solve_enet(design, y, coef, alpha, l1_ratio, *, tol, max_iter, positive,
               seed, random, gram=None, penalty=None):
    """Solve one Elastic-Net problem on a preprocessed design, in place, in
    scikit-learn's units (:func:`kernel_penalties`).

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
    if gram is not None:
        return solve_enet_gram(
            *gram, coef, alpha, l1_ratio, n, tol=tol, max_iter=max_iter, positive=positive,
            seed=seed, random=random, stacklevel=4,
            kernel_args=None if penalty is None else penalty.kernel_args(gram=gram[0]))
    l1_reg, l2_reg = kernel_penalties(alpha, l1_ratio, n)
    args = (y, coef, l1_reg, l2_reg, max_iter, tol, seed, random, positive)
    if (not design.sparse and not random and l1_reg > 0
            and (n * p >= WS_MIN_ENTRIES or p >= WS_WIDE * n)
            and (p >= WS_MIN_FEATURES or (n >= WS_TALL * p and p >= WS_TALL_MIN_FEATURES))):
        gap, tol_scaled, n_iter, converged = _solve_ws(design, *args, penalty=penalty)
    else:
        kw = {} if penalty is None else penalty.kernel_args()
        gap, tol_scaled, n_iter, converged = _kernel(design, *args, **kw)
    if not converged:
        warn_not_converged(n_iter, gap / n, tol_scaled / n, alpha, stacklevel=4)
    return gap / n, n_iter


def warn_not_converged(n_iter, gap, tol, alpha, stacklevel):
    """The ConvergenceWarning of a coordinate-descent solve (gap and tol in
    scikit-learn's units)."""
    msg = ("Objective did not converge. You might want to increase the number of "
           "iterations, check the scale of the features or consider increasing "
           f"regularisation. Duality gap: {gap:.3e}, tolerance: {tol:.3e} (after "
           f"{n_iter} epochs).")
    if alpha == 0:
        msg += " With alpha=0 no dual certificate exists: use a least-squares solver."
    warnings.warn(msg, ConvergenceWarning, stacklevel=stacklevel)


def _kernel(design, y, w, l1_reg, l2_reg, max_iter, tol, seed, random, positive, **kw):
    """One call of the dense or sparse kernel on ``design`` (``kw``: the penalty
    factors' arguments, :meth:`fastreg._penalty.Penalty.kernel_args`)."""
    kw = kernel_kwargs(kw, positive)
    X = design.X
    with single_threaded_blas():
        if design.sparse:
            return enet_cd_sparse(X.data, X.indices, X.indptr, design.x_mean,
                                  design.sqrt_sw, y, w, l1_reg, l2_reg, max_iter, tol,
                                  seed, random, positive, work_frac=SPARSE_WORK_FRAC,
                                  column_stats=design.column_stats(), **kw)
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
                                             anderson_k=GRAM_ANDERSON_K,
                                             **kernel_kwargs(kw, positive))
            return gap, n_iter
        gap, _, n_iter, _ = _kernel(sub, y, w_sub, l1_reg, l2_reg, budget, rel, seed,
                                    random, positive, **kw)
        return gap, n_iter

    # Single-threaded BLAS for the whole loop, not only its kernels: its own
    # products are small or memory-bound, and threads waking up for each of
    # them cost more than they save.
    with single_threaded_blas():
        gap, n_iter, converged = solve_working_set(
            design, y, w, l1_reg, l2_reg, tol_scaled=tol_scaled, max_iter=max_iter,
            positive=positive, solve_sub=solve_sub, penalty=penalty)
    return gap, tol_scaled, n_iter, converged
