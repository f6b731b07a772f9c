"""
Querying a regularisation path
==============================

:func:`fastreg.regularization_path` fits the Elastic-Net along a grid of
alphas and returns a :class:`fastreg.RegularizationPath`: the coefficients,
intercepts and duality gaps of every fit, and methods to read the path at any
alpha of its range, interpolated between the grid points or refitted exactly.
The features of the diabetes data are standardised, so that the coefficients
are comparable.
"""

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

import fastreg
from fastreg import reference
from fastreg.datasets import load_diabetes

X, y, names = load_diabetes()
X = pd.DataFrame((X - X.mean(axis=0)) / X.std(axis=0), columns=names)

path = fastreg.regularization_path(X, y, l1_ratio=0.9, n_alphas=50, tol=1e-8)
print(path)

# %%
# The profiles against alpha, decreasing from left to right (the model grows
# to the right); the top axis counts the non-zero coefficients.

fig, ax = plt.subplots(figsize=(7, 4.5))
path.plot(ax=ax)
ax.legend(ncol=2, fontsize="small", loc="lower left")
ax.set_title("Elastic-Net path (l1_ratio=0.9), diabetes data")
fig.tight_layout()

# %%
# Between two grid alphas the coefficients are interpolated linearly in
# log(alpha). An interpolated point is close to, but not exactly, the solution
# at that alpha; ``exact=True`` refits it, warm-started from the nearest grid
# solution, with the path's tolerance. The independent duality gap of
# :func:`fastreg.reference.enet_duality_gap` tells them apart.

alpha = np.sqrt(path.alphas[20] * path.alphas[21])  # half-way in log(alpha)
for exact in (False, True):
    w, b = path.coef(alpha, exact=exact), path.intercept(alpha, exact=exact)
    gap = reference.enet_duality_gap(X.to_numpy(), y, w, b, alpha, l1_ratio=0.9)
    print(f"exact={exact!s:5}: duality gap {gap:.2e}, "
          f"{np.count_nonzero(w)} non-zero coefficients")

# %%
# Several alphas at once give one column each, and predictions likewise:

alphas = [path.alphas[0] / 4, path.alphas[0] / 40, path.alphas[-1]]
print(path.predict(X.iloc[:3], alphas).round(1))

# %%
# The whole path as a table, one row per alpha:

print(path.to_frame().iloc[::10, :7].to_string(index=False, float_format="%.4g"))
