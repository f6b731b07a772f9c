"""The result object a driver returns: what an estimator's fitted attributes
are set from, and nothing else sets them (``LinearRegressorBase._set_fitted``).
"""
from dataclasses import dataclass, field

class _Absent:
    def __repr__(self):
        return "ABSENT"


#: The estimator has no such attribute (the default of the optional fields).
ABSENT = _Absent()


@dataclass
class FitResult:
    """The outcome of one fit, in the estimator's public units and shapes.

    Parameters
    ----------
    coef : ndarray of shape (n_features,) or (n_targets, n_features)
        Becomes ``coef_``.
    intercept : float or ndarray of shape (n_targets,)
        Becomes ``intercept_``.
    n_iter : int, list, ndarray or None, optional
        Becomes ``n_iter_`` (None for the closed forms); not set when absent.
    dual_gap : float or ndarray, optional
        Becomes ``dual_gap_`` (the coordinate-descent family); not set when
        absent.
    attributes : dict, default={}
        Further fitted attributes by name without the trailing underscore
        (e.g. ``{"alpha": 0.1, "solver": "cholesky"}`` sets ``alpha_`` and
        ``solver_``); the value :data:`ABSENT` deletes a stale attribute of an
        earlier fit.
    """

    coef: object
    intercept: object
    n_iter: object = ABSENT
    dual_gap: object = ABSENT
    attributes: dict = field(default_factory=dict)
