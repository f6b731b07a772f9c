"""The result object a driver returns: what an estimator's fitted attributes
are set from, and nothing else sets them (``LinearRegressorBase._set_fitted``).
"""
from dataclasses import dataclass, field


@dataclass
class FitResult:
    """The outcome of one fit, in the estimator's public units and shapes.

    Parameters
    ----------
    coef : ndarray of shape (n_features,) or (n_targets, n_features)
        Becomes ``coef_``.
    intercept : float or ndarray of shape (n_targets,)
        Becomes ``intercept_``.
    n_iter : int, list, ndarray or None, default=None
        Becomes ``n_iter_`` (None for the closed forms).
    dual_gap : float, ndarray or None, default=None
        Becomes ``dual_gap_`` when not None (the coordinate-descent family).
    attributes : dict, default={}
        Further fitted attributes by name without the trailing underscore
        (e.g. ``{"alpha": 0.1, "solver": "cholesky"}`` sets ``alpha_`` and
        ``solver_``); a value of None deletes a stale attribute of a refit.
    """

    coef: object
    intercept: object
    n_iter: object = None
    dual_gap: object = None
    attributes: dict = field(default_factory=dict)
