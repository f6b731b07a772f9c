"""What the Dask tests share: small problems and their Dask inputs (the
fixtures ``dask_client`` and ``dask_scheduler`` are in conftest.py).

Problems are small: the point is the arithmetic of the reduction (uneven
chunks, weights, intercept, sparse chunks), not the size.
"""
import numpy as np
import scipy.sparse as sp

# dask and distributed are in the 'test' extra: imported plainly, so that a
# missing install fails loudly instead of skipping the tests
import dask.array as da
import distributed  # noqa: F401

from conftest import make_problem

N, P = 503, 9
CHUNKS = (100, 3, 250, 150)  # uneven, does not divide n evenly, tiny chunk included


def problem(seed=0, shift=0.0, n_targets=None, n=N, p=P):
    X, y = make_problem(n=n, p=p, n_nonzero=4, density=1.0, noise=0.5,
                        n_targets=n_targets, seed=seed)
    return X + shift, y


def to_dask(X, layout="dense", chunks=CHUNKS):
    Xd = da.from_array(X, chunks=(chunks, X.shape[1]))
    if layout == "sparse":
        Xd = Xd.map_blocks(sp.csr_matrix, dtype=X.dtype, meta=sp.csr_matrix((0, 0)))
    return Xd


def rel(a, b):
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    return np.max(np.abs(a - b)) / max(np.max(np.abs(b)), 1e-300)
