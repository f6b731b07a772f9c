"""The objective of a fitted model, split into its data-fit and penalty terms,
and its duality gap, in the model's own (scikit-learn) units.

Elastic-Net / Lasso::

    P(w, b) = 1/(2n) ||y - Xw - b||^2  +  alpha * (l1_ratio ||w||_1 + (1 - l1_ratio)/2 ||w||^2)

Ridge::

    P(w, b) = ||y - Xw - b||^2  +  alpha ||w||^2

Both are computed by :mod:`fastreg.reference`, independently of the solvers.
The Ridge gap is that of the same problem written as an Elastic-Net
(``l1_ratio=0``, ``alpha / n``), times ``2 n``.
"""
from dataclasses import dataclass

import numpy as np

from .. import reference

__all__ = ["Objective", "objective", "PENALTY_TEXT"]

PENALTY_TEXT = {
    "lasso": "1/(2n)||y - Xw - b||^2 + alpha*||w||_1",
    "enet": "1/(2n)||y - Xw - b||^2 + alpha*(l1_ratio*||w||_1 + (1-l1_ratio)/2*||w||^2)",
    "ridge": "||y - Xw - b||^2 + alpha*||w||^2",
}


@dataclass(frozen=True)
class Objective:
    """``datafit + penalty = total``; ``gap`` bounds ``total - min P``; ``null`` is
    ``P`` at ``w = 0`` (the unit of a relative gap)."""

    datafit: float
    penalty: float
    gap: float
    null: float

    @property
    def total(self):
        return self.datafit + self.penalty

    @property
    def gap_rel(self):
        return self.gap / self.null if self.null > 0 else 0.0


def objective(model, X, y, coef, intercept, alpha, l1_ratio=1.0):
    """The :class:`Objective` of ``(coef, intercept)`` for ``model`` in
    ``{'lasso', 'enet', 'ridge'}``."""
    y = np.asarray(y, dtype=np.float64)
    yc = y - y.mean()
    if model == "ridge":
        n = X.shape[0]
        r = y - X @ coef - intercept
        datafit, penalty = float(r @ r), float(alpha * (coef @ coef))
        gap = 2 * n * reference.enet_duality_gap(X, y, coef, intercept, alpha / n,
                                                 l1_ratio=0.0)
        return Objective(datafit, penalty, float(gap), float(yc @ yc))
    datafit, penalty = reference.enet_objective_terms(X, y, coef, intercept, alpha=alpha,
                                                      l1_ratio=l1_ratio)
    gap = reference.enet_duality_gap(X, y, coef, intercept, alpha, l1_ratio=l1_ratio)
    return Objective(float(datafit), float(penalty), float(gap),
                     float(yc @ yc) / (2 * len(y)))
