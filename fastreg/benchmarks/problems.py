"""Seeded benchmark problems: the pytest-benchmark suite (``bench/``) and
``python -m fastreg bench`` both run these.

Each generator is deterministic given its ``seed`` and returns ``(X, y, description)``
where ``description`` is a plain dict with at least ``n``, ``p``, ``density`` (fraction
of stored entries), ``dtype`` and ``format`` ("dense" or "csc").

Families
--------
``toeplitz_correlated``
    Dense Gaussian design whose columns follow an AR(1) process along the feature
    axis, so that ``corr(x_i, x_j) = rho ** |i - j|`` (a Toeplitz covariance), with
    ``k`` true non-zero coefficients spread over the features: the classical hard
    case for coordinate descent (strongly coupled neighbouring features).
``dense_tall``
    The same generator with n >> p and mild correlation: cheap epochs, Gram-friendly.
``sparse_text``
    A bag-of-words-like CSC matrix: column (term) frequencies follow a Zipf law, so
    column norms are heavy-tailed; values are tf-idf-like (``log1p(tf) * idf``).

Sizes
-----
``SIZES["quick"]`` is what the pytest-benchmark suite and ``python -m fastreg bench``
run by default (sized so that every timed call is short and the whole suite runs in
minutes: bench/README.md has the times); ``SIZES["full"]`` is a larger table for
longer, more stable comparisons; ``SIZES["tiny"]`` has the same families at toy sizes, for smoke
tests of the machinery (its timings mean little). Select with
``get_problem(name, size)``; the suite reads ``FASTREG_BENCH_SIZE`` /
``--bench-size``.

Tasks
-----
``TASKS`` defines the estimators' settings per problem: Lasso at
``alpha_max / 20``, Elastic-Net with ``l1_ratio=0.5`` at its own
``alpha_max / 20``, and Ridge at ``alpha = 1e-2 * ||Xc||_F^2 / p`` (a fixed
fraction of the average centred squared column norm, so the conditioning is
comparable across problems).
"""
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
import scipy.sparse as sp

__all__ = [
    "toeplitz_correlated", "dense_tall", "sparse_text", "sparse_at_density", "SIZES",
    "PROBLEMS", "TASKS", "Problem", "Spec", "Task", "get_problem", "task_params",
    "params_for", "problem_names", "freeze", "mean_sq_col_norm", "path_grid",
]

ALPHA_RATIO = 20.0       # alpha = alpha_max / ALPHA_RATIO for the L1 tasks
ENET_L1_RATIO = 0.5
RIDGE_ALPHA_SCALE = 1e-2  # ridge alpha = scale * mean centred squared column norm


def _ar1_design(rng, n, p, rho, dtype):
    """Gaussian (n, p) design with corr(x_i, x_j) = rho^|i-j|, unit-variance columns."""
    Z = rng.standard_normal((n, p))
    X = np.empty((n, p), dtype=np.float64, order="F")
    X[:, 0] = Z[:, 0]
    scale = np.sqrt(1.0 - rho * rho)
    for j in range(1, p):
        X[:, j] = rho * X[:, j - 1] + scale * Z[:, j]
    return np.asarray(X, dtype=dtype, order="F")


def _response(rng, X, support, snr):
    """y = X w_true + noise, with ||X w_true|| / ||noise|| = snr (in expectation)."""
    p = X.shape[1]
    w = np.zeros(p)
    signs = rng.choice([-1.0, 1.0], size=support.size)
    w[support] = signs * rng.uniform(0.5, 2.0, size=support.size)
    signal = np.asarray(X @ w, dtype=np.float64).ravel()
    noise_std = np.linalg.norm(signal) / (np.sqrt(X.shape[0]) * snr)
    y = signal + noise_std * rng.standard_normal(X.shape[0])
    return y, w


def toeplitz_correlated(n=500, p=1000, rho=0.6, k=20, snr=3.0, seed=0,
                        dtype=np.float64):
    """Dense Toeplitz-correlated design with ``k`` true non-zeros.

    Returns
    -------
    X : ndarray of shape (n, p), Fortran-ordered
    y : ndarray of shape (n,)
    description : dict
    """
    rng = np.random.default_rng(seed)
    X = _ar1_design(rng, n, p, rho, dtype)
    support = np.sort(rng.choice(p, size=min(k, p), replace=False))
    y, _ = _response(rng, X, support, snr)
    desc = dict(family="toeplitz_correlated", n=n, p=p, density=1.0, nnz=n * p,
                dtype=np.dtype(dtype).name, format="dense", rho=rho, k=k, snr=snr,
                seed=seed)
    return X, y.astype(dtype), desc


def dense_tall(n=10_000, p=200, rho=0.3, k=20, snr=3.0, seed=1, dtype=np.float64):
    """Dense tall design (n >> p), mildly Toeplitz-correlated, ``k`` true non-zeros."""
    X, y, desc = toeplitz_correlated(n=n, p=p, rho=rho, k=k, snr=snr, seed=seed,
                                     dtype=dtype)
    desc["family"] = "dense_tall"
    return X, y, desc


def sparse_text(n=2000, p=10_000, density=0.005, k=50, zipf=1.1, snr=3.0, seed=2,
                dtype=np.float64):
    """Sparse, text-like CSC design with heavy-tailed column norms.

    Term ``j`` (after a random permutation) occurs in about ``c / rank^zipf``
    documents, scaled so that the expected density is ``density``; each occurrence
    has a geometric term count ``tf`` and the value is ``log1p(tf) * idf_j`` with
    ``idf_j = 1 + log(n / (1 + df_j))``. The ``k`` true coefficients sit on
    moderately frequent terms (neither the few very common nor the many rare ones).

    Returns
    -------
    X : scipy.sparse.csc_matrix of shape (n, p), canonical, int32 indices
    y : ndarray of shape (n,)
    description : dict (``density`` is the actual nnz / (n p))
    """
    rng = np.random.default_rng(seed)
    target = density * n * p
    freq = np.arange(1, p + 1, dtype=np.float64) ** -zipf
    scale = target / freq.sum()
    for _ in range(50):  # rescale until the clipped counts hit the target nnz
        df = np.clip(np.rint(scale * freq), 1, n)
        if abs(df.sum() - target) <= 1e-3 * target:
            break
        scale *= target / df.sum()
    df = rng.permutation(df.astype(np.int64))
    cols = np.repeat(np.arange(p), df)
    # Rows drawn with replacement; the few duplicates are merged (summed tf) below.
    rows = rng.integers(0, n, size=cols.size)
    tf = rng.geometric(0.5, size=cols.size).astype(np.float64)
    X = sp.csc_matrix((tf, (rows, cols)), shape=(n, p))
    X.sum_duplicates()
    X.sort_indices()
    df_actual = np.diff(X.indptr)
    idf = 1.0 + np.log(n / (1.0 + df_actual))
    X.data = np.log1p(X.data) * np.repeat(idf, df_actual)
    X = sp.csc_matrix((X.data.astype(dtype), X.indices.astype(np.int32),
                       X.indptr.astype(np.int32)), shape=(n, p))
    mid = np.flatnonzero((df_actual >= max(5, n // 500)) & (df_actual <= n // 5))
    pool = mid if mid.size >= k else np.arange(p)
    support = np.sort(rng.choice(pool, size=min(k, pool.size), replace=False))
    y, _ = _response(rng, X, support, snr)
    norms = np.sqrt(np.asarray(X.multiply(X).sum(axis=0)).ravel())
    desc = dict(family="sparse_text", n=n, p=p, density=X.nnz / (n * p), nnz=int(X.nnz),
                dtype=np.dtype(dtype).name, format="csc", zipf=zipf, k=k, snr=snr,
                seed=seed,
                col_norm_ratio_max_median=float(norms.max() / np.median(norms)))
    return X, y.astype(dtype), desc


def sparse_at_density(n, p, density, k=50, seed=2, dtype=np.float64):
    """:func:`sparse_text` with its realised density brought to ``density``.

    Merged duplicates and clipped counts leave the generator below the requested
    density: when it is off by more than 2 %, it is regenerated once with the
    request rescaled by the shortfall.
    """
    X, y, desc = sparse_text(n=n, p=p, density=density, k=k, seed=seed, dtype=dtype)
    if abs(desc["density"] / density - 1) > 0.02:
        X, y, desc = sparse_text(n=n, p=p, density=density * density / desc["density"],
                                 k=k, seed=seed, dtype=dtype)
    desc["density_requested"] = density
    return X, y, desc


@dataclass(frozen=True)
class Spec:
    """One entry of a size table: how to generate the problem, and which baselines fit.

    ``reference_cd``: the pure-Python coordinate descent finishes in a few seconds
    at the common accuracy; ``reference_ridge``: the dense least-squares oracle
    (``(n + p) x p`` augmented system, densified) is affordable.
    """

    maker: object
    kwargs: dict
    reference_cd: bool = False
    reference_ridge: bool = False


#: Size table: problem name -> Spec, for each size.
SIZES = {
    "tiny": {
        "corr_small": Spec(toeplitz_correlated, dict(n=60, p=30, rho=0.8, k=5, seed=0),
                           reference_cd=True, reference_ridge=True),
        "sparse_text": Spec(sparse_text, dict(n=200, p=400, density=0.02, k=10, seed=2),
                            reference_cd=True),
    },
    "quick": {
        # The fastreg-vs-reference group: small enough for the pure-Python loop.
        "corr_small": Spec(toeplitz_correlated, dict(n=200, p=100, rho=0.8, k=10, seed=0),
                           reference_cd=True, reference_ridge=True),
        "corr": Spec(toeplitz_correlated, dict(n=500, p=1000, rho=0.8, k=20, seed=0),
                     reference_ridge=True),
        "sparse_text": Spec(sparse_text, dict(n=2000, p=10_000, density=0.005, k=50,
                                              seed=2)),
        "tall": Spec(dense_tall, dict(n=10_000, p=200, rho=0.3, k=20, seed=1),
                     reference_ridge=True),
    },
    "full": {
        "corr_small": Spec(toeplitz_correlated, dict(n=400, p=200, rho=0.8, k=10, seed=0),
                           reference_cd=True, reference_ridge=True),
        "corr": Spec(toeplitz_correlated, dict(n=1000, p=5000, rho=0.8, k=50, seed=0)),
        # n is capped by fastreg's sparse Ridge route (dense n x n dual Gram + Cholesky).
        "sparse_text": Spec(sparse_text, dict(n=4000, p=40_000, density=0.0025, k=100,
                                              seed=2)),
        "tall": Spec(dense_tall, dict(n=50_000, p=500, rho=0.3, k=50, seed=1)),
    },
}
PROBLEMS = tuple(SIZES["quick"])


@dataclass(frozen=True)
class Problem:
    """A benchmark problem: data, its description, and which baselines it affords.

    ``reference_cd`` / ``reference_ridge`` say whether the pure-Python reference
    solvers are run on it (see :class:`Spec`). ``size`` is the size table of a
    generated problem, or ``"real"`` for a dataset read from disk.
    """

    name: str
    size: str
    X: object = field(repr=False)
    y: np.ndarray = field(repr=False)
    description: dict
    reference_cd: bool = False
    reference_ridge: bool = False

    @property
    def n(self):
        return self.X.shape[0]

    @property
    def p(self):
        return self.X.shape[1]

    @property
    def sparse(self):
        return sp.issparse(self.X)

    @property
    def spec(self):
        return SIZES[self.size][self.name]

    @property
    def label(self):
        d = self.description
        return (f"{self.name}[n={d['n']},p={d['p']},density={d['density']:.3g},"
                f"{d['dtype']},{d['format']}]")


def problem_names(size="quick"):
    """Names of the problems in one size table."""
    return tuple(SIZES[size])


@lru_cache(maxsize=None)
def get_problem(name, size="quick", dtype="float64"):
    """Generate (once per process, cached) the named problem of a size table.

    The cached arrays are shared: callers must not modify them in place.
    """
    if size not in SIZES:
        raise ValueError(f"size must be one of {sorted(SIZES)}, got {size!r}.")
    spec = SIZES[size][name]
    X, y, desc = spec.maker(**spec.kwargs, dtype=np.dtype(dtype).type)
    desc = dict(desc, name=name, size=size)
    freeze(X, y)
    return Problem(name=name, size=size, X=X, y=y, description=desc,
                   reference_cd=spec.reference_cd, reference_ridge=spec.reference_ridge)


def freeze(X, y):
    """Make the arrays of a shared problem read-only (in place)."""
    if sp.issparse(X):
        X.data.setflags(write=False)
    else:
        X.setflags(write=False)
    y.setflags(write=False)


@dataclass(frozen=True)
class Task:
    """An estimation task: which model, and how its penalty is set."""

    name: str
    model: str          # "enet" (Lasso is enet with l1_ratio=1) or "ridge"
    l1_ratio: float     # for "enet"; 0.0 for "ridge" (in the gap certificate)


TASKS = {
    "lasso": Task("lasso", "enet", 1.0),
    "enet": Task("enet", "enet", ENET_L1_RATIO),
    "ridge": Task("ridge", "ridge", 0.0),
}


def mean_sq_col_norm(X):
    """``||X - mean(X)||_F^2 / p``: the average centred squared column norm (sparse X
    is not centred: the norm is corrected by the means)."""
    n, p = X.shape
    if sp.issparse(X):
        mean = np.asarray(X.mean(axis=0)).ravel()
        sq = float(X.multiply(X).sum())
        return (sq - n * float(mean @ mean)) / p
    Xc = X - X.mean(axis=0)
    return float(np.sum(Xc * Xc)) / p


def path_grid(X, y, n_alphas, eps, fit_intercept=False):
    """``n_alphas`` values from ``alpha_max`` down to ``eps * alpha_max``, geometric
    (Lasso ``alpha_max``, with or without the intercept)."""
    from fastreg.reference import alpha_max

    amax = float(alpha_max(X, y, fit_intercept=fit_intercept))
    return amax * np.geomspace(1.0, eps, n_alphas)


@lru_cache(maxsize=None)
def task_params(task, name, size="quick", dtype="float64"):
    """Penalty of ``task`` on the generated problem ``name``: see :func:`params_for`."""
    return params_for(task, get_problem(name, size, dtype))


def params_for(task, problem):
    """Penalty of ``task`` on ``problem``: a dict with ``alpha`` and ``l1_ratio``.

    For "lasso"/"enet", ``alpha`` is in scikit-learn's ElasticNet units and is
    ``alpha_max(l1_ratio) / ALPHA_RATIO``; for "ridge" it is scikit-learn's Ridge
    ``alpha`` (objective ``||y - Xw - b||^2 + alpha ||w||^2``, not divided by n).
    """
    from fastreg.reference import alpha_max

    t = TASKS[task]
    if t.model == "ridge":
        alpha = RIDGE_ALPHA_SCALE * mean_sq_col_norm(problem.X)
        return dict(alpha=float(alpha), l1_ratio=0.0)
    amax = alpha_max(problem.X, problem.y, l1_ratio=t.l1_ratio)
    return dict(alpha=float(amax / ALPHA_RATIO), l1_ratio=t.l1_ratio)
