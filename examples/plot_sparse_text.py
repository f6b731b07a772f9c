"""
A Lasso on sparse, text-like data
=================================

A simulated bag-of-words design: term frequencies drawn from a Zipf law,
tf-idf weighted, stored as a SciPy CSR matrix. fastreg fits it without ever
densifying it (centering is implicit in the sparse kernel), and the same
model on the dense copy gives the same objective.
"""

import time

import matplotlib.pyplot as plt
import numpy as np
import scipy.sparse as sp

import fastreg
from fastreg import reference

rng = np.random.default_rng(0)
n, p, words_per_doc = 2000, 5000, 30

# Zipf-distributed word ids, so that a few words are frequent and most are rare.
word_prob = 1.0 / np.arange(1, p + 1) ** 1.1
word_prob /= word_prob.sum()
rows = np.repeat(np.arange(n), words_per_doc)
cols = rng.choice(p, size=n * words_per_doc, p=word_prob)
counts = sp.csr_matrix((np.ones(rows.size), (rows, cols)), shape=(n, p))
counts.sum_duplicates()
idf = np.log(n / (1.0 + np.bincount(counts.indices, minlength=p)))
X = sp.csr_matrix(counts.multiply(idf[np.newaxis, :]))

true_coef = np.zeros(p)
true_coef[rng.choice(200, size=20, replace=False)] = rng.normal(0, 2, size=20)
y = X @ true_coef + rng.normal(0, 0.5, size=n)
print(f"X: {n} x {p}, density {X.nnz / (n * p):.4f}")

# %%
# Fit at a tenth of ``alpha_max``, on the sparse matrix and on a dense copy.

alpha = 0.1 * reference.alpha_max(X, y)
t0 = time.perf_counter()
sparse_fit = fastreg.Lasso(alpha=alpha, tol=1e-8).fit(X, y)
t_sparse = time.perf_counter() - t0
dense_fit = fastreg.Lasso(alpha=alpha, tol=1e-8).fit(X.toarray(), y)

for label, model in (("sparse", sparse_fit), ("dense", dense_fit)):
    obj = reference.enet_objective(X, y, model.coef_, model.intercept_, alpha=alpha)
    print(f"{label:>6}: objective {obj:.10f}, {np.count_nonzero(model.coef_)} non-zeros")
print(f"sparse fit: {1e3 * t_sparse:.1f} ms")

# %%
# The recovered coefficients against the true ones:

fig, ax = plt.subplots(figsize=(7, 4))
support = np.flatnonzero(true_coef)
ax.stem(support, true_coef[support], linefmt="0.6", markerfmt="o", basefmt=" ",
        label="true")
nz = np.flatnonzero(sparse_fit.coef_)
ax.plot(nz, sparse_fit.coef_[nz], "x", color="C3", label="Lasso (sparse X)")
ax.set_xlabel("feature (word id, frequent words first)")
ax.set_ylabel("coefficient")
ax.set_title("Lasso on a sparse tf-idf design")
ax.legend()
fig.tight_layout()
