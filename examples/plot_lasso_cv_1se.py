"""
Choosing alpha by cross-validation: the minimum and the 1se rule
================================================================

:class:`fastreg.LassoCV` runs one warm-started path per fold and refits at
the chosen alpha. ``alpha_rule='min'`` (scikit-learn's rule) takes the alpha
with the smallest mean held-out error; ``alpha_rule='1se'`` (glmnet's
``lambda.1se``) takes the largest alpha whose mean error is within one
standard error of that minimum, giving a sparser model.
"""

import matplotlib.pyplot as plt
import numpy as np
from sklearn.model_selection import KFold

import fastreg
from fastreg.datasets import load_diabetes

X, y, names = load_diabetes()
X = (X - X.mean(axis=0)) / X.std(axis=0)
cv = KFold(n_splits=10, shuffle=True, random_state=0)

lasso_min = fastreg.LassoCV(cv=cv).fit(X, y)
lasso_1se = fastreg.LassoCV(cv=cv, alpha_rule="1se").fit(X, y)

for label, model in (("min", lasso_min), ("1se", lasso_1se)):
    print(f"{label}: alpha_ = {model.alpha_:.3f}, "
          f"{np.count_nonzero(model.coef_)} non-zero coefficients")

# %%
# The cross-validation curve: the mean held-out error over the folds, with one
# standard error (the standard deviation of the fold errors over the square
# root of the number of folds) on either side.

alphas = lasso_min.alphas_
mse = lasso_min.mse_path_               # (n_alphas, n_folds)
mean = mse.mean(axis=1)
se = mse.std(axis=1, ddof=1) / np.sqrt(mse.shape[1])

fig, ax = plt.subplots(figsize=(7, 4.5))
ax.plot(alphas, mean, color="k", label="mean held-out MSE")
ax.fill_between(alphas, mean - se, mean + se, color="0.8", label="± 1 standard error")
ax.axvline(lasso_min.alpha_, color="C0", ls="--", label=f"min: {lasso_min.alpha_:.2f}")
ax.axvline(lasso_1se.alpha_, color="C3", ls="--", label=f"1se: {lasso_1se.alpha_:.2f}")
ax.axhline(mean.min() + se[mean.argmin()], color="C3", lw=0.8, ls=":")
ax.set_xscale("log")
ax.invert_xaxis()
ax.set_ylim(0.95 * mean.min(), 1.4 * mean.min())    # the region where the choice is made
ax.set_xlabel("alpha (decreasing)")
ax.set_ylabel("mean squared error")
ax.set_title("LassoCV on the diabetes data (10 folds)")
ax.legend()
fig.tight_layout()

# %%
# The coefficients chosen by each rule:

for name, c_min, c_1se in zip(names, lasso_min.coef_, lasso_1se.coef_):
    print(f"{name:>4}: {c_min:8.2f} {c_1se:8.2f}")
