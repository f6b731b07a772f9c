"""fastreg's estimators on Dask arrays: one distributed pass of sufficient
statistics, then the in-memory route's own solvers on the client.

For n_samples >> n_features, one pass over the row chunks
(:mod:`fastreg._dask.stats`) gives the centred, weighted ``Xt^T Xt``,
``Xt^T yt`` and ``||yt||^2`` (per fold, for cross-validation); the drivers
then finish in O(p^3) on the client:

- :mod:`fastreg._dask.enet`: ElasticNet / Lasso, ``enet_path`` and
  ElasticNetCV / LassoCV, by the Gram-mode solve of the in-memory route
  (:func:`fastreg._enet_solver.solve_enet_gram`); too wide for a Gram matrix,
  consensus ADMM (:mod:`fastreg._dask.admm`);
- :mod:`fastreg._dask.ridge`: Ridge (closed form) and RidgeCV (exact
  leave-one-out in a second pass with alpha-sized results, or K-fold from the
  per-fold statistics);
- :mod:`fastreg._dask.predict`: a lazy ``predict``.

The drivers take the estimator's parameters, validated by the estimator, and
return a :class:`fastreg._result.FitResult`: they never import an estimator
module nor write to an estimator. Objectives, units and fitted attributes are
the in-memory estimators' (scikit-learn's), from the same helpers.

Dask itself is imported lazily, inside functions: ``import fastreg`` works
without it (an optional extra), and :func:`is_dask_collection`, which every
estimator calls on its input, costs one attribute lookup.
"""


def is_dask_collection(X):
    """True for a Dask collection (checked by the type's module: free for NumPy)."""
    return type(X).__module__.startswith("dask")
