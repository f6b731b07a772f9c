"""Real regression datasets for the benchmarks, read from a folder the user provides.

The package ships none of them (only the small diabetes set of
:mod:`fastreg.datasets`); ``python -m fastreg bench --data DIR`` and
``bench/real_paths.py`` read them from ``DIR`` when present. The layout is
that of the project's shared data folder:

- dense: ``NAME.npz`` with arrays ``X`` (n x p) and ``y`` (n,);
- sparse: ``NAME_X.npz`` written by :func:`scipy.sparse.save_npz`, and the
  target in ``NAME_y.npy``.

X is converted to float64 (dense: Fortran order; sparse: CSC), as the
coordinate-descent solvers want it; no standardisation. A dataset that is
missing from the folder is simply not run.
"""
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import scipy.sparse as sp

from .problems import Problem, freeze

__all__ = ["RealDataset", "REAL_DATASETS", "available_datasets", "load_real"]


@dataclass(frozen=True)
class RealDataset:
    """How to read and benchmark one dataset.

    ``tasks``: the benchmark tasks run on it (Ridge is left out where fastreg's
    direct solvers would build an n x n or p x p matrix of gigabytes);
    ``quick``: part of ``bench --quick``; ``binarize_at``: regress on
    ``y <= binarize_at`` (for a multiclass target).
    """

    tasks: tuple = ("lasso", "enet", "ridge")
    quick: bool = False
    binarize_at: float = None


#: name -> RealDataset, in the order of the report.
REAL_DATASETS = {
    "cpusmall": RealDataset(quick=True),                     # 8192 x 12, n >> p
    "leukemia": RealDataset(quick=True),                     # 72 x 7129, p >> n
    "we8there": RealDataset(quick=True),                     # 6166 x 2640 sparse text
    "riboflavin": RealDataset(),                             # 71 x 4088
    "congress109": RealDataset(),                            # 529 x 1000 sparse
    "movielens100k": RealDataset(tasks=("lasso", "enet")),   # 100004 x 9737 sparse
    "dorothea": RealDataset(tasks=("lasso", "enet")),        # 800 x 88119 sparse
    "news20": RealDataset(tasks=("lasso",), binarize_at=10),  # 15935 x 62061 sparse
}

#: The pure-Python coordinate descent runs on datasets up to this many stored
#: entries and features; its dense least-squares Ridge up to this many features.
REFERENCE_CD_MAX_NNZ = 200_000
REFERENCE_CD_MAX_P = 200
REFERENCE_RIDGE_MAX_P = 1_000


def _files(folder, name):
    folder = Path(folder)
    dense = folder / f"{name}.npz"
    if dense.is_file():
        return (dense,)
    sparse_X, sparse_y = folder / f"{name}_X.npz", folder / f"{name}_y.npy"
    if sparse_X.is_file() and sparse_y.is_file():
        return (sparse_X, sparse_y)
    return None


def available_datasets(folder, names=None, quick=False):
    """Names of :data:`REAL_DATASETS` (or of ``names``) present in ``folder``."""
    if folder is None or not Path(folder).is_dir():
        return []
    names = list(REAL_DATASETS) if names is None else list(names)
    return [name for name in names
            if (not quick or REAL_DATASETS[name].quick) and _files(folder, name)]


def load_real(folder, name):
    """Read dataset ``name`` of ``folder`` as a :class:`Problem` of size ``"real"``."""
    files = _files(folder, name)
    if files is None:
        raise FileNotFoundError(f"dataset {name!r} not found in {folder}")
    if len(files) == 1:
        with np.load(files[0]) as data:
            X = np.asfortranarray(data["X"], dtype=np.float64)
            y = np.asarray(data["y"], dtype=np.float64)
        fmt, nnz = "dense", int(np.count_nonzero(X))
    else:
        X = sp.load_npz(files[0]).tocsc().astype(np.float64)
        X.sum_duplicates()
        X.sort_indices()
        y = np.load(files[1]).astype(np.float64)
        fmt, nnz = "csc", int(X.nnz)
    spec = REAL_DATASETS.get(name, RealDataset())
    if spec.binarize_at is not None:
        y = (y <= spec.binarize_at).astype(np.float64)
    n, p = X.shape
    stored = X.nnz if sp.issparse(X) else n * p
    desc = dict(family="real", name=name, size="real", n=n, p=p,
                density=nnz / (n * p), nnz=nnz, dtype="float64", format=fmt,
                source=str(files[0]))
    freeze(X, y)
    return Problem(name=name, size="real", X=X, y=y, description=desc,
                   reference_cd=stored <= REFERENCE_CD_MAX_NNZ and p <= REFERENCE_CD_MAX_P,
                   reference_ridge=p <= REFERENCE_RIDGE_MAX_P and not sp.issparse(X))
