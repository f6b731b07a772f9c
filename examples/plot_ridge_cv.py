"""
Ridge and RidgeCV: choosing alpha by exact leave-one-out
========================================================

:class:`fastreg.RidgeCV` computes the exact leave-one-out error of every
alpha from one decomposition, so a fine grid of 50 alphas costs about as much
as one fit. Here it is compared with a fixed :class:`fastreg.Ridge` on a
seeded simulation with more features than a plain least-squares fit can
handle well.
"""

import matplotlib.pyplot as plt
import numpy as np

import fastreg

rng = np.random.default_rng(0)
n, p = 150, 100
X = rng.normal(size=(n, p))
coef = rng.normal(size=p) * (rng.random(p) < 0.3)
y = X @ coef + rng.normal(scale=3.0, size=n)
X_test = rng.normal(size=(2000, p))
y_test = X_test @ coef + rng.normal(scale=3.0, size=2000)

alphas = np.logspace(-2, 4, 50)
ridge_cv = fastreg.RidgeCV(alphas=alphas, store_cv_results=True).fit(X, y)
print(f"RidgeCV alpha_ = {ridge_cv.alpha_:.3g}")

# %%
# The leave-one-out curve against the error on fresh test data, computed by
# refitting :class:`fastreg.Ridge` at every alpha.

loo_mse = ridge_cv.cv_results_.mean(axis=0)
test_mse = [np.mean((fastreg.Ridge(alpha=a).fit(X, y).predict(X_test) - y_test) ** 2)
            for a in alphas]
default = fastreg.Ridge(alpha=1.0).fit(X, y)
default_mse = np.mean((default.predict(X_test) - y_test) ** 2)

fig, ax = plt.subplots(figsize=(7, 4.5))
ax.plot(alphas, loo_mse, label="RidgeCV: leave-one-out MSE")
ax.plot(alphas, test_mse, label="Ridge: test MSE")
ax.axvline(ridge_cv.alpha_, color="k", ls="--", label=f"RidgeCV alpha_ = {ridge_cv.alpha_:.3g}")
ax.plot([1.0], [default_mse], "o", color="C3", label="Ridge(alpha=1.0)")
ax.set_xscale("log")
ax.set_xlabel("alpha")
ax.set_ylabel("mean squared error")
ax.set_title("Ridge: leave-one-out vs test error")
ax.legend()
fig.tight_layout()

best_test = np.mean((ridge_cv.predict(X_test) - y_test) ** 2)
print(f"test MSE: Ridge(alpha=1.0) {default_mse:.2f}, RidgeCV {best_test:.2f}")
