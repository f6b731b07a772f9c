"""Held-out errors of warm-started paths, fold by fold: the engine of the
cross-validated Elastic-Net estimators and of every selection rule that needs
out-of-sample errors (the relaxed fits, the noise-variance estimate of the
information criteria).

Each fold's training part is centred and weighted with its own statistics;
folds run on threads (the kernels release the GIL) with BLAS limited to one
thread, since the folds are the parallelism; Ctrl-C stops them all
(:func:`fastreg._interruptible.run_thread_jobs`).
"""
import numpy as np
from joblib import delayed

from ._blas_threads import single_threaded_blas
from ._interruptible import run_thread_jobs
from ._path import path_on_design
from ._penalty import resolve_box
from ._preprocess import preprocess
from ._relaxed import blend, least_squares_refits


def _fold_path(alphas, coefs, intercepts, gaps, n_iters):
    """One fold's path as the arguments of a :class:`fastreg.RegularizationPath`."""
    return dict(alphas=alphas, coefs=coefs, intercepts=intercepts, dual_gaps=gaps,
                n_iters=n_iters)


def fold_mse(X, y, sample_weight, train, test, alphas, l1_ratio, fit_intercept, params,
             keep_path=False):
    """Held-out (weighted) mean squared error of one path, for each alpha.

    ``X`` is CSR or dense (row selection); ``params`` are the keyword
    arguments of :func:`fastreg._path.path_on_design`. With ``keep_path``,
    also the path itself (:func:`_fold_path`).
    """
    sw_train = None if sample_weight is None else sample_weight[train]
    design = preprocess(X[train], y[train], sw_train, fit_intercept, copy_X=False,
                        normalize_weights=True, lazy=True)
    coefs, gaps, n_iters = path_on_design(design, alphas, l1_ratio, **params)
    intercepts = design.y_mean - design.x_mean @ coefs
    sw_test = None if sample_weight is None else sample_weight[test]
    residuals = (np.asarray(X[test] @ coefs) + intercepts) - y[test][:, np.newaxis]
    mse = np.average(residuals ** 2, axis=0, weights=sw_test)
    if keep_path:
        return mse, _fold_path(alphas, coefs, intercepts, gaps, n_iters)
    return mse


def fold_relaxed_mse(X, y, sample_weight, train, test, grids, l1_ratios, fit_intercept,
                     params, gammas, keep_path=False):
    """Held-out errors of the relaxed fits (:mod:`fastreg._relaxed`) of one
    fold's paths, one per l1_ratio, shape (n_l1_ratio, n_gammas, n_alphas);
    with ``keep_path``, also the (penalised) paths, one per l1_ratio.

    The fold's design is preprocessed once for all its paths, and their
    least-squares refits share one Gram matrix (the first path's own in Gram
    mode) and one solve per distinct active set. Predictions are linear in
    the coefficients, so each alpha needs only the two predictions.
    """
    sw_train = None if sample_weight is None else sample_weight[train]
    design = preprocess(X[train], y[train], sw_train, fit_intercept, copy_X=False,
                        normalize_weights=True, lazy=True)
    paths = []
    for alphas, r in zip(grids, l1_ratios):  # a loop: warnings point where fold_mse's do
        paths.append(path_on_design(design, alphas, r, return_gram=True, **params))
    coefs = np.concatenate([path[0] for path in paths], axis=1)
    gram = paths[0][3]
    bounds, _ = resolve_box(params.get("lower_bounds"), params.get("upper_bounds"),
                            X.shape[1], params["positive"])
    # the path's Gram matrix serves the refits when it is float64 (a float32
    # one would lose most digits of the normal equations)
    shared = gram[:2] if gram is not None and gram[0].dtype == np.float64 else None
    refits, refit_intercepts = least_squares_refits(design, coefs, params["positive"],
                                                    bounds, shared)
    X_test = X[test]
    y_test = y[test][:, np.newaxis]
    sw_test = None if sample_weight is None else sample_weight[test]
    # each path's predictions as fold_mse computes them (gamma = 1 is the plain fit)
    pred = np.concatenate([np.asarray(X_test @ path[0]) + (design.y_mean
                                                           - design.x_mean @ path[0])
                           for path in paths], axis=1)
    pred_refit = np.asarray(X_test @ refits) + refit_intercepts
    mse = np.array([np.average((blend(g, pred, pred_refit) - y_test) ** 2, axis=0,
                               weights=sw_test) for g in gammas])
    mse = mse.reshape(len(gammas), len(l1_ratios), -1).transpose(1, 0, 2)
    if keep_path:
        return mse, [_fold_path(alphas, path[0], design.y_mean - design.x_mean @ path[0],
                                path[1], path[2]) for alphas, path in zip(grids, paths)]
    return mse


def cv_mse_path(X, y, sample_weight, folds, grids, l1_ratios, fit_intercept, params,
                n_jobs=None, gammas=None, keep_paths=False):
    """Held-out errors of every (l1_ratio, fold) path.

    Parameters
    ----------
    X : ndarray or CSR matrix of shape (n_samples, n_features)
    y : ndarray of shape (n_samples,)
    sample_weight : ndarray of shape (n_samples,) or None
    folds : list of (train, test) index arrays
    grids : ndarray of shape (n_l1_ratio, n_alphas)
        The alphas of each l1_ratio, in the order they are solved.
    l1_ratios : sequence of float
    fit_intercept : bool
    params : dict
        Keyword arguments of :func:`fastreg._path.path_on_design`.
    n_jobs : int, default=None
        Threads running the paths.
    gammas : ndarray of shape (n_gammas,), default=None
        Relaxed fits' weights (:mod:`fastreg._relaxed`); None: the plain paths.
    keep_paths : bool, default=False
        Also return every fold's (penalised) path.

    Returns
    -------
    mse_path : ndarray of shape (n_l1_ratio, n_alphas, n_folds)
        With ``gammas``: of shape (n_l1_ratio, n_gammas, n_alphas, n_folds).
    paths : list of lists of dict
        Only with ``keep_paths``: ``paths[i][k]``, the path of l1_ratio ``i``
        on fold ``k``, as the arguments of a :class:`fastreg.RegularizationPath`
        (without ``l1_ratio`` and ``fit_intercept``).
    """
    # BLAS is limited to one thread here, in the calling thread: OpenBLAS
    # ignores limits set from its workers.
    if gammas is not None:  # one job per fold: its paths share the refits
        with single_threaded_blas():
            mses = run_thread_jobs(
                (delayed(fold_relaxed_mse)(X, y, sample_weight, train, test, grids,
                                           l1_ratios, fit_intercept, params, gammas,
                                           keep_paths)
                 for train, test in folds), n_jobs)
        if not keep_paths:
            return np.stack(mses, axis=-1)
        paths = [[fold[1][i] for fold in mses] for i in range(len(l1_ratios))]
        return np.stack([fold[0] for fold in mses], axis=-1), paths
    jobs = [(i, train, test) for i in range(len(l1_ratios)) for train, test in folds]
    with single_threaded_blas():
        mses = run_thread_jobs(
            (delayed(fold_mse)(X, y, sample_weight, train, test, grids[i], l1_ratios[i],
                               fit_intercept, params, keep_paths)
             for i, train, test in jobs), n_jobs)
    if keep_paths:
        paths = [[mses[i * len(folds) + k][1] for k in range(len(folds))]
                 for i in range(len(l1_ratios))]
        mses = [m[0] for m in mses]
    mse_path = np.array(mses).reshape(len(l1_ratios), len(folds), -1).transpose(0, 2, 1)
    return (mse_path, paths) if keep_paths else mse_path
