"""The result object a driver returns: what an estimator's fitted attributes
are set from, and nothing else sets them (``LinearRegressorBase._set_fitted``).
"""
from dataclasses import dataclass, field

import numpy as np


class _Absent:
    def __repr__(self):
        return "ABSENT"


#: "The estimator has no such attribute": the default of the optional fields,
#: and the value of ``attributes`` that deletes a stale attribute of an earlier
#: fit. (None is a value: ``gcv_mode_`` is None after a K-fold RidgeCV.)
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


def intercept_from_means(coef, x_mean, y_mean, fit_intercept):
    """``intercept_`` of coefficients fitted on data centred by ``x_mean`` and
    ``y_mean``: ``y_mean - x_mean . coef`` (the unpenalised intercept makes
    the fitted plane pass through the weighted means), in ``coef``'s dtype.

    Its shape is ``y_mean``'s (a scalar for a 1-D y, (n_targets,) for a 2-D
    one, even of one column, as scikit-learn's). Without an intercept: 0.0,
    or zeros for 2-D ``coef``.
    """
    if not fit_intercept:
        return np.zeros(coef.shape[0], dtype=coef.dtype) if coef.ndim == 2 else 0.0
    b = y_mean - coef @ x_mean
    return b.astype(coef.dtype, copy=False) if np.ndim(b) else coef.dtype.type(b)
