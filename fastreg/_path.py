"""Regularisation paths: ``enet_path`` and ``lasso_path``.

A path solves the Elastic-Net for a decreasing grid of alphas, each solve
warm-started from the previous solution, on one preprocessed design (so the
data are validated, centred and weighted once for the whole path). The
kernels' Gap Safe screening then discards most features early at large
alphas, where warm starts are already nearly optimal.
"""
import numpy as np
import scipy.sparse as sp
from sklearn.utils.validation import check_array

from ._enet_solver import gram_for, gram_target, make_penalty, solve_enet, warm_started_path
from ._multi_task_solver import multi_task_enet_path
from ._dask import is_dask_collection
from ._penalty import check_penalty_factor, resolve_box
from ._preprocess import preprocess
from ._selection import alpha_grid_from_max, alpha_max_from_correlations, path_alphas
from ._validation import (FLOAT_DTYPES, check_array_basics, check_bool, check_choice,
                          finite_column_sums,
                          check_consistent_length, check_grid_l1_ratio, check_int,
                          check_real,
                          check_sample_weight, check_sparse_structure)


def alpha_max(design, l1_ratio=1.0, positive=False, penalty=None):
    """Smallest alpha at which all coefficients are zero, for a preprocessed design.

    ``max_j |Xt_j . yt| / (n * l1_ratio)`` with the centred, weighted design and
    target (weights normalised to sum to n); with ``positive=True`` the signed
    maximum, clipped at 0.

    Parameters
    ----------
    design : Design
        Output of :func:`fastreg._preprocess.preprocess` (1-D target).
    l1_ratio : float, default=1.0
        Elastic-Net mixing parameter, > 0.
    positive : bool, default=False
        Whether the coefficients are constrained to be non-negative.
    penalty : fastreg._penalty.Penalty, default=None
        Penalty factors: then ``max_{pf_j > 0} |Xt_j . r0| / pf_j / (n *
        l1_ratio)`` with ``r0`` the target's residual after least squares on the
        unpenalised features (non-negative least squares with ``positive``,
        bounded with a box: the solution at alpha_max fits those alone); with
        a box only the sides that can move count (a correlation pushing
        against a bound of 0 never makes a feature enter), and with
        standardisation the factors are ``pf_j d_j`` (glmnet's
        ``max |x_j.y| / (n d_j)``).

    Returns
    -------
    alpha_max : float
    """
    Xty = np.asarray(design.rmatvec(design.y), dtype=np.float64)
    if penalty is not None and not penalty.trivial:
        # Each penalised feature's entry correlation over its L1 factor, on
        # the sides of its box that can move: 0 is optimal iff each is at most
        # n * alpha * l1_ratio.
        return alpha_max_from_correlations(penalty.entry_correlations(Xty, positive),
                                           design.shape[0], l1_ratio, True)
    return alpha_max_from_correlations(Xty, design.shape[0], l1_ratio, positive)


def alpha_grid(design, l1_ratio=1.0, eps=1e-3, n_alphas=100, positive=False,
               penalty=None):
    """Decreasing geometric grid from alpha_max down to ``eps * alpha_max``
    (:func:`fastreg._selection.alpha_grid_from_max`: scikit-learn's grid)."""
    check_grid_l1_ratio(l1_ratio)
    return alpha_grid_from_max(alpha_max(design, l1_ratio, positive, penalty), eps,
                               n_alphas)


def design_solver(design, l1_ratio, n_fits, *, tol=1e-4, max_iter=1000, positive=False,
                  selection="cyclic", precompute="auto", penalty_factor=None,
                  lower_bounds=None, upper_bounds=None, standardize=False, penalty=None):
    """``solve(coef, alpha, seed) -> (gap, n_iter)``: one Elastic-Net solve on
    ``design`` in place (:func:`fastreg._enet_solver.solve_enet`), with what the
    ``n_fits`` solves share prepared once: the Gram matrix (when Gram mode pays
    for ``n_fits`` solves) and the penalty factors.

    Parameters
    ----------
    design : Design
        Preprocessed data with a 1-D target.
    l1_ratio : float
        Elastic-Net mixing parameter.
    n_fits : int
        How many solves the caller will run (the Gram-mode cost model's
        amortisation).
    tol, max_iter, positive, selection, precompute, penalty_factor
        As in :class:`fastreg.ElasticNet` (``penalty_factor`` validated).
    lower_bounds, upper_bounds, standardize
        As in :class:`fastreg.ElasticNet` (validated here).
    penalty : fastreg._penalty.Penalty, default=None
        The factors, box and standardisation already prepared for ``design``
        (:func:`fastreg._enet_solver.make_penalty`): then ``penalty_factor``,
        the bounds and ``standardize`` are not read (``positive`` still is).

    Returns
    -------
    solve : callable
        With the attribute ``gram``: the Gram-mode statistics ``(G, Xt^T yt,
        ||yt||^2)`` its solves share (:func:`fastreg._enet_solver.gram_target`),
        or None in plain mode.
    """
    y = np.ascontiguousarray(design.y)
    gram = gram_target(design, gram_for(design, precompute, n_fits), y)
    if penalty is None:
        bounds, positive = resolve_box(lower_bounds, upper_bounds, design.shape[1],
                                       positive)
        penalty = make_penalty(design, penalty_factor, bounds, standardize)

    def solve(w, alpha, seed):
        return solve_enet(design, y, w, alpha, l1_ratio, tol=tol, max_iter=max_iter,
                          positive=positive, seed=seed, random=selection == "random",
                          gram=gram, penalty=penalty)

    solve.gram = gram
    return solve


def path_on_design(design, alphas, l1_ratio, *, coef_init=None, tol=1e-4, max_iter=1000,
                   positive=False, random_state=None, selection="cyclic",
                   precompute="auto", penalty_factor=None, lower_bounds=None,
                   upper_bounds=None, standardize=False, penalty=None, return_gram=False):
    """Solve along ``alphas`` (any order is allowed; warm starts follow it).

    Parameters
    ----------
    design : Design
        Preprocessed data with a 1-D target.
    alphas : ndarray of shape (n_alphas,)
        Penalty strengths, in the order they are solved.
    l1_ratio : float
        Elastic-Net mixing parameter.
    coef_init : ndarray of shape (n_features,), default=None
        Start of the first solve.
    tol, max_iter, positive, random_state, selection, precompute, penalty_factor
        As in :class:`fastreg.ElasticNet` (``penalty_factor`` validated); with
        Gram mode the Gram matrix is built once for the whole path.
    lower_bounds, upper_bounds, standardize
        As in :class:`fastreg.ElasticNet` (validated here).
    penalty : fastreg._penalty.Penalty, default=None
        The factors, box and standardisation already prepared for ``design``
        (:func:`fastreg._enet_solver.make_penalty`): then ``penalty_factor``,
        the bounds and ``standardize`` are not read (``positive`` still is).
    return_gram : bool, default=False
        Also return the Gram-mode statistics the path shared.

    Returns
    -------
    coefs : ndarray of shape (n_features, n_alphas)
    dual_gaps : ndarray of shape (n_alphas,)
        Final duality gaps, scikit-learn's units.
    n_iters : ndarray of shape (n_alphas,)
        Epochs run for each alpha.
    gram : tuple or None
        Only with ``return_gram``: ``(G, Xt^T yt, ||yt||^2)`` in the design's
        dtype (``G`` fully symmetric), or None when the path ran in plain mode.
    """
    coef = np.zeros(design.shape[1], dtype=design.dtype)
    if coef_init is not None:
        coef[:] = coef_init
    solve = design_solver(design, l1_ratio, len(alphas), tol=tol, max_iter=max_iter,
                          positive=positive, selection=selection, precompute=precompute,
                          penalty_factor=penalty_factor, lower_bounds=lower_bounds,
                          upper_bounds=upper_bounds, standardize=standardize,
                          penalty=penalty)
    path = warm_started_path(solve, alphas, coef, random_state)
    return (*path, solve.gram) if return_gram else path


def check_path_options(*, l1_ratio, eps, tol, max_iter, selection, fit_intercept,
                       positive, standardize=False):
    """The scalar options of a path, checked (each error names its argument);
    returns them validated, by name."""
    return dict(tol=check_real(tol, "tol", low=0.0),
                max_iter=check_int(max_iter, "max_iter", low=1),
                selection=check_choice(selection, "selection", {"cyclic", "random"}),
                fit_intercept=check_bool(fit_intercept, "fit_intercept"),
                positive=check_bool(positive, "positive"),
                l1_ratio=check_real(l1_ratio, "l1_ratio", low=0.0, high=1.0),
                eps=check_real(eps, "eps", low=0.0, low_open=True),
                standardize=check_bool(standardize, "standardize"))


def check_path_data(X, y, sample_weight=None, penalty_factor=None, positive=False,
                    check_input=True):
    """In-memory data of a path, validated once: dense or CSC/CSR float32/float64
    X (never copied when already acceptable), a 1-D y of X's dtype, weights and
    penalty factors.

    Returns ``(X, y, sample_weight, penalty_factor, col_sums)``: ``col_sums``
    are dense X's column sums when the finiteness check computed them (else
    None), which :func:`fastreg._preprocess.preprocess` turns into the means.
    """
    if sp.issparse(X):
        check_sparse_structure(X)
    check_consistent_length(check_array_basics(X, "X", (2,)), check_array_basics(y, "y", (1,)))
    dense_fast = check_input and not sp.issparse(X)
    X = check_array(X, accept_sparse=("csc", "csr"), dtype=FLOAT_DTYPES,
                    ensure_all_finite=check_input and not dense_fast, input_name="X")
    y = check_array(y, ensure_2d=False, dtype=X.dtype, ensure_all_finite=check_input,
                    input_name="y")
    col_sums = finite_column_sums(X) if dense_fast else None  # one pass, also the means
    sample_weight = check_sample_weight(sample_weight, X.shape[0], X.dtype)
    penalty_factor = check_penalty_factor(penalty_factor, X.shape[1], positive)
    return X, y, sample_weight, penalty_factor, col_sums


def design_alphas(design, alphas, n_alphas, l1_ratio, eps, positive, penalty_factor,
                  penalty=None):
    """A path's alphas on a preprocessed design (:func:`fastreg._selection.path_alphas`):
    the given ones, decreasing, or the automatic grid from its alpha_max (with
    ``penalty``, a prepared :class:`fastreg._penalty.Penalty`, its factors, box
    and standardisation; else the factors ``penalty_factor``)."""
    return path_alphas(alphas, n_alphas, lambda n: alpha_grid(
        design, l1_ratio, eps, n, positive,
        make_penalty(design, penalty_factor) if penalty is None else penalty))


def enet_path(X, y, *, l1_ratio=0.5, eps=1e-3, n_alphas=100, alphas=None,
              precompute="auto", Xy=None, copy_X=True, coef_init=None, verbose=False,
              return_n_iter=False, positive=False, check_input=True, **params):
    """Compute the Elastic-Net path with coordinate descent.

    Same signature, objective and outputs as scikit-learn's ``enet_path``:
    for each alpha, minimises::

        1 / (2 * n_samples) * ||y - Xw||^2_2
        + alpha * l1_ratio * ||w||_1 + 0.5 * alpha * (1 - l1_ratio) * ||w||^2_2

    without an intercept unless ``fit_intercept=True`` is passed (a fastreg
    extension, like ``sample_weight``).

    Parameters
    ----------
    X : {ndarray, sparse matrix} of shape (n_samples, n_features)
        Training data (dense, or scipy.sparse CSC/CSR; never densified).
    y : ndarray of shape (n_samples,) or (n_samples, n_tasks)
        Target. A 2-D y gives scikit-learn's multi-task path (the L2,1 penalty
        of :class:`fastreg.MultiTaskElasticNet`; coefs of shape (n_tasks,
        n_features, n_alphas)).
    l1_ratio : float, default=0.5
        Elastic-Net mixing parameter in (0, 1] for an automatic grid, [0, 1]
        with explicit alphas.
    eps : float, default=1e-3
        ``alpha_min / alpha_max`` of the automatic grid.
    n_alphas : int, default=100
        Number of alphas of the automatic grid.
    alphas : array-like or int, default=None
        Explicit alphas (solved in decreasing order), or the number of alphas
        of the automatic grid.
    precompute : bool, 'auto' or array-like, default='auto'
        Gram mode, built once for the whole path ('auto': by the cost model,
        which amortises the Gram matrix over the alphas).
    Xy : array-like, default=None
        Accepted for compatibility; ignored (X^T y is recomputed).
    copy_X : bool, default=True
        If False, a Fortran float X may be centred in place.
    coef_init : ndarray of shape (n_features,), default=None
        Initial coefficients of the first alpha ((n_tasks, n_features) for a
        2-D y).
    verbose : bool or int, default=False
        Unused; accepted for compatibility.
    return_n_iter : bool, default=False
        Whether to return the epochs run at each alpha.
    positive : bool, default=False
        Constrain the coefficients to be non-negative.
    check_input : bool, default=True
        If False, skip the finiteness checks.
    **params : kwargs
        ``tol`` (1e-4), ``max_iter`` (1000), ``random_state``, ``selection``
        ('cyclic'), and the fastreg extensions ``fit_intercept`` (False),
        ``sample_weight`` (None; normalised to sum to n_samples),
        ``penalty_factor`` (None), ``lower_bounds`` and ``upper_bounds``
        (None) and ``standardize`` (False): see :class:`fastreg.ElasticNet`
        (with ``standardize`` the coefficients are on the original scale).

    Returns
    -------
    alphas : ndarray of shape (n_alphas,)
        The alphas along the path, decreasing.
    coefs : ndarray of shape (n_features, n_alphas)
        Coefficients along the path ((n_tasks, n_features, n_alphas) for a 2-D y).
    dual_gaps : ndarray of shape (n_alphas,)
        Duality gaps at the end of each optimisation.
    n_iters : ndarray of shape (n_alphas,)
        Epochs run for each alpha (only if ``return_n_iter``).
    """
    unknown = set(params) - {"tol", "max_iter", "random_state", "selection",
                             "fit_intercept", "sample_weight", "penalty_factor",
                             "lower_bounds", "upper_bounds", "standardize"}
    if unknown:
        raise ValueError("Unexpected parameters in params", sorted(unknown))
    opts = check_path_options(
        l1_ratio=l1_ratio, eps=eps, tol=params.get("tol", 1e-4),
        max_iter=params.get("max_iter", 1000), selection=params.get("selection", "cyclic"),
        fit_intercept=params.get("fit_intercept", False), positive=positive,
        standardize=params.get("standardize", False))
    l1_ratio, eps, positive = opts["l1_ratio"], opts["eps"], opts["positive"]
    tol, max_iter, selection = opts["tol"], opts["max_iter"], opts["selection"]
    fit_intercept, standardize = opts["fit_intercept"], opts["standardize"]
    if is_dask_collection(X):  # Dask arrays: the whole path from one pass of statistics
        from ._dask.enet import dask_enet_path
        return dask_enet_path(
            X, y, l1_ratio=l1_ratio, eps=eps, n_alphas=n_alphas, alphas=alphas,
            coef_init=coef_init, return_n_iter=return_n_iter, positive=positive, tol=tol,
            max_iter=max_iter, random_state=params.get("random_state"),
            selection=selection, fit_intercept=fit_intercept,
            sample_weight=params.get("sample_weight"),
            penalty_factor=params.get("penalty_factor"),
            lower_bounds=params.get("lower_bounds"),
            upper_bounds=params.get("upper_bounds"), standardize=standardize)
    if not is_dask_collection(y) and np.ndim(y) == 2 and not sp.issparse(y):
        return multi_task_enet_path(
            X, y, l1_ratio=l1_ratio, eps=eps, n_alphas=n_alphas, alphas=alphas,
            precompute=precompute, copy_X=copy_X, coef_init=coef_init,
            return_n_iter=return_n_iter, positive=positive, check_input=check_input,
            opts=opts, params=params)

    X, y, sample_weight, penalty_factor, col_sums = check_path_data(
        X, y, params.get("sample_weight"), params.get("penalty_factor"), positive,
        check_input)
    bounds, positive = resolve_box(params.get("lower_bounds"), params.get("upper_bounds"),
                                   X.shape[1], positive)
    design = preprocess(X, y, sample_weight, fit_intercept, copy_X=copy_X,
                        normalize_weights=True, lazy=True, col_sums=col_sums)
    penalty = make_penalty(design, penalty_factor, bounds, standardize)
    alphas = design_alphas(design, alphas, n_alphas, l1_ratio, eps, positive,
                           penalty_factor, penalty=penalty)
    if coef_init is not None:
        coef_init = np.asarray(coef_init, dtype=X.dtype)
        if coef_init.shape != (X.shape[1],):
            raise ValueError(f"coef_init must have shape ({X.shape[1]},), got "
                             f"{coef_init.shape}.")

    coefs, gaps, n_iters = path_on_design(
        design, alphas, l1_ratio, coef_init=coef_init, tol=tol, max_iter=max_iter,
        positive=positive, random_state=params.get("random_state"), selection=selection,
        precompute=precompute, penalty=penalty)
    if return_n_iter:
        return alphas, coefs, gaps, n_iters
    return alphas, coefs, gaps


def lasso_path(X, y, *, eps=1e-3, n_alphas=100, alphas=None, precompute="auto", Xy=None,
               copy_X=True, coef_init=None, verbose=False, return_n_iter=False,
               positive=False, **params):
    """Compute the Lasso path with coordinate descent.

    :func:`enet_path` with ``l1_ratio=1``: for each alpha, minimises
    ``1 / (2 * n_samples) * ||y - Xw||^2_2 + alpha * ||w||_1``. Parameters and
    returns as in :func:`enet_path`.

    Parameters
    ----------
    X : {ndarray, sparse matrix} of shape (n_samples, n_features)
        Training data.
    y : ndarray of shape (n_samples,)
        Target.
    eps : float, default=1e-3
        ``alpha_min / alpha_max`` of the automatic grid.
    n_alphas : int, default=100
        Number of alphas of the automatic grid.
    alphas : array-like or int, default=None
        Explicit alphas, or the number of alphas of the automatic grid.
    precompute, Xy, copy_X, coef_init, verbose, return_n_iter, positive, **params
        See :func:`enet_path`.

    Returns
    -------
    alphas : ndarray of shape (n_alphas,)
    coefs : ndarray of shape (n_features, n_alphas)
    dual_gaps : ndarray of shape (n_alphas,)
    n_iters : ndarray of shape (n_alphas,)
        Only if ``return_n_iter``.
    """
    return enet_path(X, y, l1_ratio=1.0, eps=eps, n_alphas=n_alphas, alphas=alphas,
                     precompute=precompute, Xy=Xy, copy_X=copy_X, coef_init=coef_init,
                     verbose=verbose, return_n_iter=return_n_iter, positive=positive,
                     **params)
