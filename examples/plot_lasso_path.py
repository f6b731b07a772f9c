"""
The Lasso path on the diabetes data
===================================

:func:`fastreg.lasso_path` fits the Lasso along scikit-learn's grid of
alphas, warm-starting each fit from the previous one, and returns the duality
gap of every fit. The features are standardised first, so that the
coefficients are comparable.
"""

import matplotlib.pyplot as plt
import numpy as np

import fastreg
from fastreg.datasets import load_diabetes

X, y, names = load_diabetes()
X = (X - X.mean(axis=0)) / X.std(axis=0)

alphas, coefs, gaps = fastreg.lasso_path(X, y, n_alphas=100, eps=1e-3)
print(f"{len(alphas)} alphas from {alphas[0]:.3g} down to {alphas[-1]:.3g}")

# %%
# Each line is one coefficient as a function of alpha; a coefficient leaves
# zero when the penalty becomes weak enough for its feature to enter the
# model.

fig, ax = plt.subplots(figsize=(7, 4.5))
for name, coef in zip(names, coefs):
    ax.plot(alphas, coef, label=name)
ax.set_xscale("log")
ax.invert_xaxis()
ax.set_xlabel("alpha (decreasing)")
ax.set_ylabel("coefficient")
ax.set_title("Lasso path, diabetes data (standardised features)")
ax.legend(ncol=2, fontsize="small")
fig.tight_layout()

# %%
# The number of non-zero coefficients along the path:

n_nonzero = (coefs != 0).sum(axis=0)
for k in (0, 25, 50, 75, 99):
    print(f"alpha = {alphas[k]:8.3f}: {n_nonzero[k]:2d} non-zero coefficients")
