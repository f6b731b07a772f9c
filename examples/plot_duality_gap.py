"""
Certificates: the duality gap and the tolerance
===============================================

Every Lasso and Elastic-Net fit stops on a duality gap, an upper bound on how
far its objective is above the optimum, returned as ``dual_gap_``. fastreg
stops when the gap is at most ``tol * ||y - mean(y)||^2 / n`` (scikit-learn's
rule). Here the gap is recomputed independently by
:func:`fastreg.reference.enet_duality_gap` and compared with the actual
excess objective, measured against a fit at a very small tolerance.
"""

import matplotlib.pyplot as plt
import numpy as np

import fastreg
from fastreg import reference

rng = np.random.default_rng(0)
n, p = 300, 500
# A correlated design: x_j = 0.8 x_{j-1} + noise.
X = np.empty((n, p))
X[:, 0] = rng.normal(size=n)
for j in range(1, p):
    X[:, j] = 0.8 * X[:, j - 1] + 0.6 * rng.normal(size=n)
coef = np.zeros(p)
coef[rng.choice(p, 20, replace=False)] = rng.normal(size=20)
y = X @ coef + rng.normal(size=n)

alpha = reference.alpha_max(X, y) / 50
scale = np.sum((y - y.mean()) ** 2) / n
best = fastreg.Lasso(alpha=alpha, tol=1e-14, max_iter=100_000).fit(X, y)
p_star = reference.enet_objective(X, y, best.coef_, best.intercept_, alpha=alpha)

tols = np.logspace(-2, -10, 9)
rows = []
for tol in tols:
    m = fastreg.Lasso(alpha=alpha, tol=tol, max_iter=100_000).fit(X, y)
    gap = reference.enet_duality_gap(X, y, m.coef_, m.intercept_, alpha=alpha)
    excess = reference.enet_objective(X, y, m.coef_, m.intercept_, alpha=alpha) - p_star
    rows.append((tol, m.dual_gap_, gap, max(excess, 0.0), m.n_iter_))
    print(f"tol={tol:.0e}: dual_gap_={m.dual_gap_:.2e}  reference gap={gap:.2e}  "
          f"excess objective={excess:.2e}  epochs={m.n_iter_}")

# %%
# The bound holds at every tolerance: the excess objective (which needs the
# optimum to compute) is always below the certified gap (which does not), and
# both are below the requested ``tol * ||y - mean(y)||^2 / n``.

tol_arr, gap_fit, gap_ref, excess, _ = map(np.array, zip(*rows))
fig, ax = plt.subplots(figsize=(7, 4.5))
ax.loglog(tol_arr, tol_arr * scale, "k--", label="stopping threshold")
ax.loglog(tol_arr, gap_fit, "o-", label="dual_gap_ (fastreg)")
ax.loglog(tol_arr, gap_ref, "x", ms=9, label="reference.enet_duality_gap")
ax.loglog(tol_arr, np.maximum(excess, 1e-16), "s-", label="excess objective")
ax.invert_xaxis()
ax.set_xlabel("tol")
ax.set_ylabel("objective units")
ax.set_title("Lasso: certified gap vs tolerance")
ax.legend()
fig.tight_layout()
