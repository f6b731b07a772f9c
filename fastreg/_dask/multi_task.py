"""MultiTaskElasticNet / MultiTaskLasso on Dask arrays, from one pass of statistics.

The one-pass statistics of :mod:`fastreg._dask.stats` already carry a 2-D
target (``Cxy`` is p x T, ``cyy`` holds one number per task), so the fit is
the in-memory driver's Gram-mode solve
(:meth:`fastreg._multi_task_solver.MultiTaskProblem.from_gram`) on them, in
its units (weights normalised to sum to n_samples: :func:`fastreg._dask.enet.gram_units`).
Designs whose Gram matrix exceeds the size limit are refused.
"""
import numpy as np
from sklearn.utils import check_random_state

from .._multi_task_solver import MultiTaskProblem
from .._penalty import check_penalty_factor
from .._result import FitResult
from .._validation import check_finite_fit
from .enet import gram_units
from .stats import align, check_gram_size, compute_stats, features_seen, intercept, out_dtype


def fit_multi_task_dask(params, X, y, sample_weight=None, coef_init=None):
    """:meth:`fastreg.MultiTaskElasticNet.fit` (and MultiTaskLasso) on Dask arrays.

    ``params``: the estimator's parameters, ``alpha`` and ``l1_ratio``
    validated; ``coef_init``: the previous ``coef_`` (n_tasks, n_features)
    for ``warm_start``. Returns a :class:`fastreg._result.FitResult`.
    """
    X, y, sw, _ = align(X, y, sample_weight)
    if y.ndim != 2:
        raise ValueError(f"y must be 2-D (n_samples, n_tasks) for a multi-task model, "
                         f"got shape {y.shape}.")
    check_gram_size(X, "MultiTaskElasticNet")
    dtype = out_dtype(X)
    p = X.shape[1]
    pf = check_penalty_factor(params["penalty_factor"], p)
    st = compute_stats(X, y, sw)
    G, XtY, yy = gram_units(st, params["fit_intercept"], dtype)
    problem = MultiTaskProblem.from_gram(G.astype(dtype), XtY, float(np.sum(yy)), st.n, pf)
    T = XtY.shape[1]
    W = np.zeros((p, T), dtype=dtype)
    if coef_init is not None and np.shape(coef_init) == (T, p):
        W[:] = np.asarray(coef_init).T
    seed = int(check_random_state(params["random_state"]).randint(np.iinfo(np.int32).max))
    gap, n_iter = problem.solve(W, params["alpha"], params["l1_ratio"], tol=params["tol"],
                                max_iter=params["max_iter"], seed=seed,
                                random=params["selection"] == "random", stacklevel=4)
    coef = np.asfortranarray(W.T)
    b = intercept(st, coef, params["fit_intercept"], 2).astype(dtype, copy=False)
    check_finite_fit(coef, b)
    eps = params["tol"] * float(np.sum(yy)) / st.n
    return FitResult(coef, b, n_iter=n_iter, dual_gap=gap,
                     attributes=dict(features_seen(X), eps=eps))
