"""Held-out errors of warm-started paths, fold by fold: the engine of the
cross-validated Elastic-Net estimators and of every selection rule that needs
out-of-sample errors (the relaxed fits, the noise-variance estimate of the
information criteria).

Each fold's training part is centred and weighted with its own statistics;
folds run on threads (the kernels release the GIL) with BLAS limited to one
thread, since the folds are the parallelism.
"""
import numpy as np
from joblib import Parallel, delayed

from ._blas_threads import single_threaded_blas
from ._path import path_on_design
from ._penalty import resolve_box
from ._preprocess import preprocess
from ._relaxed import blend, least_squares_refits


def fold_mse(X, y, sample_weight, train, test, alphas, l1_ratio, fit_intercept, params,
             gammas=None):
    """Held-out (weighted) mean squared error of one path, for each alpha.

    ``X`` is CSR or dense (row selection); ``params`` are the keyword
    arguments of :func:`fastreg._path.path_on_design`. With ``gammas`` (relaxed
    fits, :mod:`fastreg._relaxed`), the errors of every blend of the path with
    its least-squares refits, shape (n_gammas, n_alphas): predictions are
    linear in the coefficients, so each alpha needs only the two predictions.
    """
    sw_train = None if sample_weight is None else sample_weight[train]
    design = preprocess(X[train], y[train], sw_train, fit_intercept, copy_X=False,
                        normalize_weights=True, lazy=True)
    if gammas is None:
        coefs, _, _ = path_on_design(design, alphas, l1_ratio, **params)
    else:
        coefs, _, _, gram = path_on_design(design, alphas, l1_ratio, return_gram=True,
                                           **params)
    intercepts = design.y_mean - design.x_mean @ coefs
    X_test = X[test]
    y_test = y[test][:, np.newaxis]
    sw_test = None if sample_weight is None else sample_weight[test]
    if gammas is None:
        residuals = (np.asarray(X_test @ coefs) + intercepts) - y_test
        return np.average(residuals ** 2, axis=0, weights=sw_test)
    bounds, _ = resolve_box(params.get("lower_bounds"), params.get("upper_bounds"),
                            X.shape[1], params["positive"])
    # the path's Gram matrix serves the refits when it is float64 (a float32
    # one would lose most digits of the normal equations)
    shared = gram[:2] if gram is not None and gram[0].dtype == np.float64 else None
    refits, refit_intercepts = least_squares_refits(design, coefs, params["positive"],
                                                    bounds, shared)
    pred = np.asarray(X_test @ coefs) + intercepts
    pred_refit = np.asarray(X_test @ refits) + refit_intercepts
    return np.array([np.average((blend(g, pred, pred_refit) - y_test) ** 2, axis=0,
                                weights=sw_test) for g in gammas])


def cv_mse_path(X, y, sample_weight, folds, grids, l1_ratios, fit_intercept, params,
                n_jobs=None, gammas=None):
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

    Returns
    -------
    mse_path : ndarray of shape (n_l1_ratio, n_alphas, n_folds)
        With ``gammas``: of shape (n_l1_ratio, n_gammas, n_alphas, n_folds).
    """
    jobs = [(i, train, test) for i in range(len(l1_ratios)) for train, test in folds]
    # BLAS is limited to one thread here, in the calling thread: OpenBLAS
    # ignores limits set from its workers.
    with single_threaded_blas():
        mses = Parallel(n_jobs=n_jobs, prefer="threads")(
            delayed(fold_mse)(X, y, sample_weight, train, test, grids[i], l1_ratios[i],
                              fit_intercept, params, gammas)
            for i, train, test in jobs)
    if gammas is None:
        return np.array(mses).reshape(len(l1_ratios), len(folds), -1).transpose(0, 2, 1)
    return np.array(mses).reshape(len(l1_ratios), len(folds), len(gammas), -1).transpose(
        0, 2, 3, 1)
