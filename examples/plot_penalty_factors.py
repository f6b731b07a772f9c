"""
Penalty factors: keeping features unpenalised
=============================================

``penalty_factor`` weights each feature's penalty (glmnet's
``penalty.factor``, but taken as given, not rescaled). A factor of 0 leaves a
feature unpenalised: it stays in the model along the whole path, and the alpha
grid starts where every *penalised* coefficient is zero while the unpenalised
ones hold their least-squares fit. Here age and sex are kept in the diabetes
model whatever alpha is.
"""

import matplotlib.pyplot as plt
import numpy as np

import fastreg
from fastreg.datasets import load_diabetes

X, y, names = load_diabetes()
X = (X - X.mean(axis=0)) / X.std(axis=0)

pf = np.ones(X.shape[1])
pf[[names.index("age"), names.index("sex")]] = 0.0

alphas_plain, coefs_plain, _ = fastreg.lasso_path(X, y, n_alphas=60)
alphas_pf, coefs_pf, gaps_pf = fastreg.lasso_path(X, y, n_alphas=60, penalty_factor=pf)
print(f"alpha_max without factors: {alphas_plain[0]:.2f}, with: {alphas_pf[0]:.2f}")
print("at the first alpha with factors:",
      ", ".join(f"{name} = {c:.2f}" for name, c in zip(names, coefs_pf[:, 0])))

# %%
# Side by side: on the right, age and sex (thick lines) are non-zero from the
# first alpha on.

fig, axes = plt.subplots(1, 2, figsize=(9, 4), sharey=True)
for ax, alphas, coefs, title in ((axes[0], alphas_plain, coefs_plain, "no factors"),
                                 (axes[1], alphas_pf, coefs_pf, "age, sex unpenalised")):
    for j, name in enumerate(names):
        ax.plot(alphas, coefs[j], lw=3 if pf[j] == 0 else 1.2, label=name)
    ax.set_xscale("log")
    ax.invert_xaxis()
    ax.set_xlabel("alpha (decreasing)")
    ax.set_title(title)
axes[0].set_ylabel("coefficient")
axes[1].legend(ncol=2, fontsize="small")
fig.tight_layout()

# %%
# The same factors work with cross-validation, in every fold, in the grid and
# in the refit:

model = fastreg.LassoCV(cv=5, penalty_factor=pf).fit(X, y)
print(f"LassoCV alpha_ = {model.alpha_:.3f}; age = {model.coef_[0]:.2f}, "
      f"sex = {model.coef_[1]:.2f}")
