"""Ridge regression with the penalty chosen by cross-validation.

Same objective as :class:`fastreg.Ridge` (sample weights are not normalised)::

    sum_i s_i (y_i - x_i.w - b)^2 + alpha * ||w||^2

Leave-one-out (``cv=None``), exact, for every alpha from one decomposition
---------------------------------------------------------------------------
With ``Xt = diag(sqrt(s)) (X - 1 x_mean^T)`` and ``yt`` the centred, weighted
design and target of :mod:`fastreg._preprocess`, the weighted fitted values are
``H yt`` with the hat matrix

    H(alpha) = u u^T + Xt (Xt^T Xt + alpha I)^{-1} Xt^T,     u = sqrt(s) / ||sqrt(s)||,

where ``u u^T`` is the weighted-mean projection of the (unpenalised) intercept
(absent when ``fit_intercept=False``). Dropping sample ``i`` from any quadratic
penalised least-squares problem gives the leave-one-out residual
``e_i = r_i / (1 - h_ii)`` with ``r = yt - H yt`` (weighted units: the residual in
the original units is ``e_i / sqrt(s_i)``). Everything needed for all alphas at
once comes from one symmetric eigendecomposition:

- primal (``Xt^T Xt = V diag(lam) V^T``, p x p): with ``Z = Xt V``,
  ``h_ii = u_i^2 + sum_k z_ik^2 / (lam_k + alpha)``; ``Z`` is formed in row
  blocks (memory O(block * p)), and one GEMM per block gives the hat diagonal of
  every alpha. The fitted values are ``Xt W`` with ``W = V diag(1/(lam+alpha)) V^T
  Xt^T yt`` for all alphas at once (a sparse product when X is sparse).
  Dense X: the Gram matrix comes from one SYRK; with ``gcv_mode='svd'`` a thin
  SVD of ``Xt`` is taken instead (``Z = U diag(sigma)``, more accurate for very
  small alphas, slower). Sparse X: a sparse product ``X^T X`` formed in column
  blocks with the centering as a rank-one correction; X is never densified.
- kernel (``Xt Xt^T = Q diag(lam) Q^T``, n x n; when n < p): the intercept
  direction ``u`` (an exact null vector of ``Xt Xt^T``) is split off by adding
  ``c u u^T`` with ``c`` above the spectrum and dropping that eigenpair; with the
  remaining eigenvectors, which span the orthogonal complement of ``u``,
  ``1 - h_ii = sum_k q_ik^2 alpha / (lam_k + alpha)`` and
  ``r = Q diag(alpha / (lam + alpha)) Q^T yt``: sums of non-negative terms, no
  cancellation even when alpha is tiny.

All of it runs in float64 whatever the input dtype (float32 input is upcast,
as scikit-learn does); the fitted attributes are cast back to the input dtype.

Scores follow scikit-learn's ``RidgeCV``: with ``scoring=None`` the score of an
alpha is minus the mean of the squared weighted leave-one-out residuals
``s_i (y_i - yhat_{-i})^2`` over samples (and targets); with a scorer, the
scorer is applied to the leave-one-out predictions (passed
``sample_weight``). Zero-weight samples do not influence the fit, so their
leave-one-out prediction is the full-data prediction (scikit-learn's GCV returns
NaN there).

K-fold (``cv`` an int, splitter or iterable)
--------------------------------------------
``GridSearchCV(Ridge(), {'alpha': alphas}, cv=cv, scoring=scoring)`` semantics:
per fold, one eigendecomposition of the training design gives the closed-form
coefficients of every alpha; the score is the scorer (R^2 by default) of each
candidate on the held-out fold, given the fold's sample weights when the scorer
accepts them (as GridSearchCV does), averaged over folds without weights; ties
go to the first alpha in the order given. The final model is refitted at ``alpha_``
on all data by :class:`fastreg.Ridge`.
"""
import inspect
import os
import warnings

import numpy as np
import scipy.linalg as la
import scipy.sparse as sp
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.metrics import check_scoring, get_scorer
from sklearn.model_selection import check_cv
from sklearn.utils.metadata_routing import (MetadataRouter, MethodMapping,
                                            process_routing)

from ._base import LinearRegressorBase
from ._dask_stats import is_dask_collection
from ._linalg import eigh_psd, null_cutoff
from ._preprocess import preprocess
from ._ridge import Ridge
from ._validation import (check_alpha_values, check_bool, check_choice, check_fit_params,
                          check_sample_weight, routing_enabled)

GCV_MODES = {"auto", "svd", "eigen"}

#: Largest square matrix (entries) the automatic choice decomposes:
#: 2**29 doubles = 4 GiB (the eigendecomposition holds two of them).
_MAX_DECOMP_ENTRIES = 2 ** 29
#: Entries of the temporaries of one row block (doubles).
_BLOCK_ENTRIES = 2 ** 22


# ---------------------------------------------------------------------------
# parameters
# ---------------------------------------------------------------------------

def _check_alphas(alphas, strict):
    """``alphas`` as a 1-D float64 array (:func:`check_alpha_values`).

    ``strict``: leave-one-out needs alpha > 0; K-fold allows alpha = 0.
    """
    try:
        return check_alpha_values(alphas, "alphas", strict=strict)
    except ValueError as exc:
        if strict and "must be > 0.0" in str(exc):
            raise ValueError(f"{exc} Leave-one-out (cv=None) needs a positive penalty; "
                             "K-fold cross-validation accepts alpha = 0.") from None
        raise



class _PredictionsAsRegressor(RegressorMixin, BaseEstimator):
    """A stand-in estimator whose ``predict`` returns its input: lets a
    scikit-learn scorer score precomputed (leave-one-out) predictions."""

    def fit(self, X, y=None):  # pragma: no cover - never fitted
        return self

    def predict(self, X):
        return X


# ---------------------------------------------------------------------------
# Gram matrices of the centred, weighted float64 design
# ---------------------------------------------------------------------------

def _column_blocks(n_rows, n_cols):
    step = max(1, _BLOCK_ENTRIES // max(n_rows, 1))
    for j in range(0, n_cols, step):
        yield j, min(j + step, n_cols)


def _row_blocks(n_rows, width):
    step = max(64, _BLOCK_ENTRIES // max(width, 1))
    for i in range(0, n_rows, step):
        yield i, min(i + step, n_rows)


def _intercept_direction(design, fit_intercept):
    """u = sqrt(s) / ||sqrt(s)||, or None without an intercept."""
    if not fit_intercept:
        return None
    s = design.sqrt_sw
    return s / np.sqrt(s @ s)


def _primal_gram(design):
    """Xt^T Xt (p x p, Fortran-ordered; dense: lower triangle only)."""
    X = design.X
    if not design.sparse:
        syrk = la.get_blas_funcs("syrk", (X,))
        return syrk(1.0, X, trans=1, lower=1)
    p = X.shape[1]
    G = np.empty((p, p), order="F")
    Xt = X.T.tocsr()
    m, s = design.x_mean, design.sqrt_sw
    S = s @ s
    for j0, j1 in _column_blocks(p, p):
        G[:, j0:j1] = (Xt @ X[:, j0:j1]).toarray()
        if design.center_implicitly:
            # Xt^T Xt = Xs^T Xs - S m m^T, since Xs^T sqrt(s) = S m.
            G[:, j0:j1] -= S * np.multiply.outer(m, m[j0:j1])
    return G


def _kernel_gram(design, u):
    """Xt Xt^T (n x n, Fortran-ordered), plus c u u^T with c = 2 trace(Xt Xt^T)
    (above the spectrum) when there is an intercept direction u, so that u is the
    eigenvector of the largest, isolated eigenvalue."""
    X = design.X
    n = X.shape[0]
    if not design.sparse:
        syrk = la.get_blas_funcs("syrk", (X,))
        K = syrk(1.0, X, trans=0, lower=1)
        trace = float(np.einsum("ij,ij->", X, X))
    else:
        K = np.empty((n, n), order="F")
        Xr = X.tocsr()
        XrT = Xr.T  # CSC view of the transpose (no copy): cheap column blocks
        m, s = design.x_mean, design.sqrt_sw
        a = np.asarray(Xr @ m).ravel() if design.center_implicitly else None
        mm = m @ m
        for i0, i1 in _column_blocks(n, n):
            K[:, i0:i1] = (Xr @ XrT[:, i0:i1]).toarray()
            if a is not None:
                # Xt = Xs - sqrt(s) m^T: Xt Xt^T = Xs Xs^T - a s^T - s a^T + (m.m) s s^T
                blk = K[:, i0:i1]
                blk -= np.multiply.outer(a, s[i0:i1])
                blk -= np.multiply.outer(s, a[i0:i1])
                blk += mm * np.multiply.outer(s, s[i0:i1])
        trace = float(np.trace(K))
    if u is not None:
        c = 2.0 * trace if trace > 0 else 1.0
        for i0, i1 in _column_blocks(n, n):
            K[:, i0:i1] += c * np.multiply.outer(u, u[i0:i1])
    return K


def _available_bytes():
    """Free physical memory (bytes), or None where the OS does not say."""
    try:
        return os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (AttributeError, ValueError, OSError):
        return None


def _eigh(A):
    """Eigenpairs of the symmetric A (lower triangle read; A is overwritten).

    Divide and conquer (LAPACK syevd) is about 1.3-2x faster than the default
    MRRR (syevr) here, but needs a 2 n^2 workspace: it is taken when that fits
    comfortably in free memory, syevr (O(n) workspace) otherwise.
    """
    n = A.shape[0]
    work = 2 * n * n * 8
    avail = _available_bytes()
    driver = "evd" if (n <= 4096 or (avail is not None and 2 * work <= avail)) else "evr"
    return eigh_psd(A, driver=driver)


# ---------------------------------------------------------------------------
# decompositions
# ---------------------------------------------------------------------------

class _Spectrum:
    """One eigendecomposition of the centred, weighted design, for all alphas.

    ``kind='primal'``: ``Xt^T Xt = V diag(lam) V^T`` (``vecs`` = V, p x r), with
    ``Z = Xt V`` materialised for the SVD route. ``kind='kernel'``:
    ``Xt Xt^T = Q diag(lam) Q^T`` restricted to the complement of the intercept
    direction (``vecs`` = Q, n x r).
    """

    def __init__(self, kind, route, lam, vecs, design, u, Z=None):
        self.kind, self.route = kind, route
        self.lam, self.vecs, self.design, self.u, self.Z = lam, vecs, design, u, Z
        self._csr = None

    # -- helpers ----------------------------------------------------------
    def csr(self):
        if self._csr is None:
            self._csr = self.design.X.tocsr()
        return self._csr

    def rows_times(self, i0, i1, M):
        """Xt[i0:i1] @ M as a new C-ordered array, never densifying sparse X."""
        d = self.design
        if not d.sparse:
            return d.X[i0:i1] @ M
        out = np.asarray(self.csr()[i0:i1] @ M)
        if d.center_implicitly:
            # out -= sqrt(s)[i0:i1] (x_mean^T M): a rank-one update in place (BLAS
            # GER on the Fortran view of the C-ordered block)
            if out.flags.c_contiguous and out.dtype == np.float64 and out.ndim == 2:
                la.blas.dger(-1.0, d.x_mean @ M, d.sqrt_sw[i0:i1], a=out.T,
                             overwrite_a=1)
            else:
                out -= np.multiply.outer(d.sqrt_sw[i0:i1], d.x_mean @ M)
        return out

    def projected_target(self):
        """c = V^T Xt^T yt (primal) or Q^T yt (kernel), shape (r, n_targets)."""
        yt = self.design.y2d
        if self.kind == "primal":
            return self.vecs.T @ self.design.rmatvec(yt)
        return self.vecs.T @ yt

    def coefs(self, alphas):
        """Coefficients of every (target, alpha) pair: shape (p, n_targets * n_alphas),
        columns target-major."""
        c = self.projected_target()
        inv = _shifted_inverse(self.lam, alphas)                  # (r, A)
        return self._back(c[:, :, None] * inv[:, None, :])

    def _back(self, M):
        """V M (primal) or Xt^T Q M (kernel), M of shape (r, ...) -> (p, prod(...))."""
        M = M.reshape(M.shape[0], int(np.prod(M.shape[1:])))
        if self.kind == "primal":
            return self.vecs @ M
        return self.design.rmatvec(self.vecs @ M)

    def coefs_paired(self, alphas_per_col, c):
        """Coefficients of target t at alphas_per_col[t]: shape (p, n_targets)."""
        return self._back(c * _shifted_inverse(self.lam, alphas_per_col))


def _shifted_inverse(lam, alphas):
    """1 / (lam + alpha) for every (eigenvalue, alpha), and 0 on the numerical
    null space (``lam == 0``, see :func:`fastreg._linalg.eigh_psd`): the design
    annihilates those directions, so no solution has a component there (at
    alpha = 0, the minimum-norm one), and round-off must not be amplified by
    1 / alpha."""
    lam = np.asarray(lam)[:, None]
    alphas = np.asarray(alphas)[None, :]
    with np.errstate(divide="ignore"):
        out = 1.0 / (lam + alphas)
    return np.where(lam > 0, out, 0.0)


def _interpolation_weights(lam, alphas):
    """alpha / (lam (lam + alpha)) on the non-null eigenvalues, 0 on the null space:
    ``1/lam - 1/(lam + alpha)``, written without the subtraction."""
    lam = np.asarray(lam)[:, None]
    alphas = np.asarray(alphas)[None, :]
    pos = lam > 0
    with np.errstate(divide="ignore", invalid="ignore"):
        out = alphas / (np.where(pos, lam, 1.0) * (lam + alphas))
    return np.where(pos, out, 0.0)


def _decompose(design, route, fit_intercept):
    u = _intercept_direction(design, fit_intercept)
    if route == "svd":  # dense only (sparse 'svd' is the 'gram' route)
        U, sig, Vt = la.svd(design.X, full_matrices=False, lapack_driver="gesdd",
                            check_finite=False)
        sig[sig <= null_cutoff(sig.max(initial=0.0), max(design.X.shape))] = 0.0
        return _Spectrum("primal", "svd", sig ** 2, np.ascontiguousarray(Vt.T), design, u,
                         Z=U * sig)
    if route == "gram":
        lam, V = _eigh(_primal_gram(design))
        return _Spectrum("primal", "gram", lam, np.ascontiguousarray(V), design, u)
    lam, Q = _eigh(_kernel_gram(design, u))
    if u is not None:
        # the largest eigenpair is (c, +-u): drop it
        lam, Q = lam[:-1], Q[:, :-1]
    return _Spectrum("kernel", "eigen", lam, Q, design, u)


def _choose_route(design, gcv_mode, n_cols):
    """'svd' (dense thin SVD), 'gram' (p x p eigh) or 'eigen' (n x n eigh).

    ``n_cols``: right-hand sides per row block (alphas x (targets + 1)).
    'auto' minimises a flop model among the routes whose square matrix fits in
    ``_MAX_DECOMP_ENTRIES``.
    """
    n, p = design.X.shape
    if gcv_mode == "svd":
        return "gram" if design.sparse else "svd"
    if gcv_mode == "eigen":
        return "eigen"
    if design.sparse:
        # sparse products run at a small fraction of the BLAS flop rate: weight x10
        nnz = max(design.X.nnz, 1)
        cost_gram = (10.0 * p ** 3 + 10.0 * (nnz * nnz / n + nnz * p)
                     + 2.0 * n * p * n_cols)
        cost_kernel = 10.0 * n ** 3 + 10.0 * nnz * nnz / p + 2.0 * n * n * n_cols
    else:
        cost_gram = 10.0 * p ** 3 + 3.0 * n * p * p + 2.0 * n * p * n_cols
        cost_kernel = 10.0 * n ** 3 + n * n * p + 2.0 * n * n * n_cols
    options = [(cost, route) for cost, route, dim in
               ((cost_gram, "gram", p), (cost_kernel, "eigen", n))
               if dim * dim <= _MAX_DECOMP_ENTRIES]
    if not options:
        raise ValueError(
            f"Leave-one-out (cv=None) needs a dense {min(n, p)} x {min(n, p)} "
            f"eigendecomposition, beyond the automatic limit of {_MAX_DECOMP_ENTRIES} "
            "entries; force it with gcv_mode='svd' or 'eigen', or use K-fold "
            "cross-validation (cv=5).")
    return min(options)[1]


# ---------------------------------------------------------------------------
# leave-one-out for all alphas
# ---------------------------------------------------------------------------

def _loo_residuals(spec, alphas, keep):
    """Weighted leave-one-out residuals of every (sample, target, alpha).

    Returns ``(sse, E)``: ``sse[t, a]`` the sum over samples of the squared
    residuals and, if ``keep``, ``E`` of shape (n, n_targets, n_alphas) (else None).
    """
    d = spec.design
    yt = d.y2d
    n, T = yt.shape
    A = alphas.shape[0]
    lam = spec.lam
    c = spec.projected_target()                                    # (r, T)
    sse = np.zeros((T, A))
    E = np.empty((n, T, A)) if keep else None
    r = lam.shape[0]
    if spec.kind == "primal":
        inv = _shifted_inverse(lam, alphas)                        # (r, A)
        # When the intercept direction and the non-null eigenvectors span all of
        # R^n (n <= rank + 1), the fits interpolate as alpha -> 0: then
        # 1 - h_ii and the residual are sums of non-negative multiples of
        # alpha / (lam + alpha), computed as such (no cancellation in 1 - h_ii
        # for tiny alphas), the "1 -" part being exactly zero.
        interpolating = np.count_nonzero(lam) + (spec.u is not None) >= n
        if interpolating:
            inv = _interpolation_weights(lam, alphas)
        C = (c[:, :, None] * inv[:, None, :]).reshape(r, T * A)
        W = (spec.vecs @ C if (spec.Z is None and d.sparse and not interpolating)
             else None)                                            # (p, T*A)
        lev0 = (spec.u ** 2) if spec.u is not None else np.zeros(n)
    else:
        kw = alphas[None, :] / (lam[:, None] + alphas[None, :])    # (r, A)
        C = (c[:, :, None] * kw[:, None, :]).reshape(r, T * A)
    for i0, i1 in _row_blocks(n, r + 2 * T * A + A):
        if spec.kind == "primal":
            Zb = spec.Z[i0:i1] if spec.Z is not None else spec.rows_times(i0, i1, spec.vecs)
            fitted = Zb @ C if W is None else spec.rows_times(i0, i1, W)
            Z2 = Zb * Zb if spec.Z is not None else np.multiply(Zb, Zb, out=Zb)
            if interpolating:
                one_minus_h = Z2 @ inv
                resid = fitted.reshape(i1 - i0, T, A)
            else:
                one_minus_h = 1.0 - lev0[i0:i1, None] - Z2 @ inv
                resid = yt[i0:i1, :, None] - fitted.reshape(i1 - i0, T, A)
        else:
            Qb = spec.vecs[i0:i1]
            one_minus_h = (Qb * Qb) @ kw
            resid = (Qb @ C).reshape(i1 - i0, T, A)
        with np.errstate(divide="ignore", invalid="ignore"):
            e = resid / one_minus_h[:, None, :]
        sse += np.einsum("itk,itk->tk", e, e)
        if keep:
            E[i0:i1] = e
    return sse, E


def _full_predictions(spec, alphas, X_rows, T):
    """Full-data predictions at every alpha of rows of the raw X: (m, T, A)."""
    d = spec.design
    W = spec.coefs(alphas)                                         # (p, T*A)
    A = alphas.shape[0]
    W3 = W.reshape(-1, T, A)
    intercepts = d.y_mean.reshape(T)[:, None] - np.einsum("p,pta->ta", d.x_mean, W3)
    P = np.asarray(X_rows @ W).reshape(-1, T, A)
    return P + intercepts[None]


# ---------------------------------------------------------------------------
# the estimator
# ---------------------------------------------------------------------------

class RidgeCV(LinearRegressorBase):
    """Ridge regression with built-in cross-validation of the penalty.

    Drop-in for :class:`sklearn.linear_model.RidgeCV`: same parameters, same
    fitted attributes, same objective as :class:`fastreg.Ridge`::

        sum_i s_i (y_i - x_i.w - b)^2 + alpha * ||w||^2

    By default (``cv=None``) the penalty is chosen by exact, efficient
    leave-one-out cross-validation: one eigendecomposition of the centred
    design (or of its n x n kernel matrix when n_samples < n_features) gives the
    leave-one-out residuals of every alpha at once, intercept included. Sparse X
    is never densified.

    Parameters
    ----------
    alphas : float or array-like of shape (n_alphas,), default=(0.1, 1.0, 10.0)
        Candidate penalties, > 0 with ``cv=None`` (>= 0 with K-fold).
    fit_intercept : bool, default=True
        Whether to fit an (unpenalised) intercept.
    scoring : str, callable or None, default=None
        A scikit-learn scorer name or callable ``scorer(estimator, X, y)``.
        None means: with ``cv=None`` minus the mean squared (weighted)
        leave-one-out error; with K-fold the R^2 of each held-out fold.
    cv : int, cross-validation generator, iterable or None, default=None
        None for efficient leave-one-out; otherwise the K-fold splitting
        strategy, as accepted by :func:`sklearn.model_selection.check_cv`
        (an int is a :class:`~sklearn.model_selection.KFold`).
    gcv_mode : {'auto', 'svd', 'eigen'} or None, default=None
        Decomposition used with ``cv=None``. 'svd': the p x p side, i.e. the
        thin SVD of the dense centred design (the eigendecomposition of
        ``X^T X`` for sparse X); 'eigen': the eigendecomposition of the n x n
        kernel matrix ``X X^T``; 'auto' (or None) chooses by a cost model among
        the eigendecompositions of ``X^T X`` (SYRK, then eigh) and of ``X X^T``
        that fit in memory.
    store_cv_results : bool, default=False
        Whether to keep the leave-one-out values in ``cv_results_`` (only with
        ``cv=None``).
    alpha_per_target : bool, default=False
        With a 2-D ``y``, choose one alpha per target (only with ``cv=None``).

    Attributes
    ----------
    cv_results_ : ndarray of shape (n_samples, n_alphas) or (n_samples, n_targets, n_alphas)
        With ``store_cv_results=True`` and ``cv=None``: the squared weighted
        leave-one-out errors ``s_i (y_i - yhat_{-i})^2`` (``scoring=None``) or
        the leave-one-out predictions (a scorer given).
    coef_ : ndarray of shape (n_features,) or (n_targets, n_features)
        Coefficients of the model refitted at ``alpha_`` on all the data.
    intercept_ : float or ndarray of shape (n_targets,)
        Intercept (0.0 when ``fit_intercept=False``).
    alpha_ : float or ndarray of shape (n_targets,)
        The chosen penalty (one per target with ``alpha_per_target=True``).
    best_score_ : float or ndarray of shape (n_targets,)
        Score of ``alpha_`` (greater is better: with ``cv=None`` and
        ``scoring=None`` it is minus the mean squared leave-one-out error).
    gcv_mode_ : str or None
        The leave-one-out route taken: 'svd', 'gram' (eigendecomposition of
        ``X^T X``) or 'eigen' (of ``X X^T``); None with K-fold.
    n_features_in_ : int
        Number of features seen during fit.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Feature names, when X has string column names.

    Notes
    -----
    With ``cv=None`` the computation is float64 whatever the input dtype; a
    float32 X is upcast (one float64 copy), as scikit-learn does.

    The 'gram' and 'eigen' routes square the condition number of X: alphas
    below about ``1e-12 * ||X||_2^2`` lose accuracy there; ``gcv_mode='svd'``
    (dense X) keeps it.

    Examples
    --------
    >>> import numpy as np
    >>> from fastreg._ridge_cv import RidgeCV
    >>> rng = np.random.default_rng(0)
    >>> X = rng.standard_normal((50, 5))
    >>> y = X @ np.arange(5.0) + 2.0 * rng.standard_normal(50)
    >>> model = RidgeCV(alphas=np.logspace(-3, 3, 13)).fit(X, y)
    >>> round(model.alpha_, 4), model.gcv_mode_
    (0.3162, 'gram')
    """

    def __init__(self, alphas=(0.1, 1.0, 10.0), *, fit_intercept=True, scoring=None,
                 cv=None, gcv_mode=None, store_cv_results=False, alpha_per_target=False):
        self.alphas = alphas
        self.fit_intercept = fit_intercept
        self.scoring = scoring
        self.cv = cv
        self.gcv_mode = gcv_mode
        self.store_cv_results = store_cv_results
        self.alpha_per_target = alpha_per_target

    # -- scikit-learn plumbing ----------------------------------------------
    def _scorer(self, for_routing=False):
        if self.scoring is None:
            if for_routing or (routing_enabled() and self.cv is not None):
                # R^2, weighted when routing passes sample_weight (as scikit-learn)
                return get_scorer("r2").set_score_request(sample_weight=True)
            return None
        return check_scoring(estimator=self, scoring=self.scoring)

    def get_metadata_routing(self):
        """Get the metadata routing of this object.

        Returns
        -------
        routing : MetadataRouter
            Routes ``fit`` metadata to the scorer (``score``) and to the
            cross-validation splitter (``split``).
        """
        return (MetadataRouter(owner=self)
                .add_self_request(self)
                .add(scorer=self._scorer(for_routing=True),
                     method_mapping=MethodMapping().add(caller="fit", callee="score"))
                .add(splitter=self.cv,
                     method_mapping=MethodMapping().add(caller="fit", callee="split")))

    def fit(self, X, y, sample_weight=None, **params):
        """Fit the model, choosing alpha by cross-validation.

        Parameters
        ----------
        X : {ndarray, sparse matrix} of shape (n_samples, n_features)
            Training data (dense, or scipy.sparse CSC/CSR; never densified).
        y : ndarray of shape (n_samples,) or (n_samples, n_targets)
            Target values.
        sample_weight : float or array-like of shape (n_samples,), default=None
            Individual weights for each sample (not normalised). With
            ``cv=None`` they weight the leave-one-out errors too (and are passed
            to a scorer); with K-fold they weight the fits and are passed to the
            scorer of each held-out fold, as scikit-learn's GridSearchCV does.
        **params : dict
            Metadata routed to the scorer and the splitter (e.g. ``groups``);
            only with ``sklearn.set_config(enable_metadata_routing=True)``.

        Returns
        -------
        self : object
            Fitted estimator.
        """
        if is_dask_collection(X):  # Dask arrays: statistics, then LOO or K-fold
            if params:
                raise ValueError("Metadata routing is not supported on Dask input.")
            from ._dask_fit import fit_ridge_cv_dask
            return fit_ridge_cv_dask(self, X, y, sample_weight)
        check_bool(self.fit_intercept, "fit_intercept")
        check_bool(self.store_cv_results, "store_cv_results")
        check_bool(self.alpha_per_target, "alpha_per_target")
        if self.gcv_mode is not None:
            check_choice(self.gcv_mode, "gcv_mode", GCV_MODES)
        if self.scoring is not None and not (isinstance(self.scoring, str)
                                             or callable(self.scoring)):
            raise ValueError(f"scoring must be a str, a callable or None, got "
                             f"{self.scoring!r}.")
        alphas = _check_alphas(self.alphas, strict=self.cv is None)
        if self.cv is not None:
            if self.store_cv_results:
                raise ValueError("cv!=None and store_cv_results=True are incompatible: "
                                 "cv_results_ holds leave-one-out values (cv=None).")
            if self.alpha_per_target:
                raise ValueError("cv!=None and alpha_per_target=True are incompatible: "
                                 "one alpha per target needs leave-one-out (cv=None).")
        check_fit_params(params, "RidgeCV.fit")

        X, y = self._validate_Xy(X, y)
        n = X.shape[0]
        sw = check_sample_weight(sample_weight, n, np.float64)
        score_params, split_params = {}, {}
        if routing_enabled():
            if sample_weight is not None:
                params = dict(params, sample_weight=sample_weight)
            routed = process_routing(self, "fit", **params)
            score_params = dict(routed.scorer.score)
            split_params = dict(routed.splitter.split)
        elif sw is not None and (self.scoring is not None or self.cv is not None):
            # as scikit-learn: the weights reach the scorer (K-fold: when it
            # accepts them, like GridSearchCV)
            score_params = {"sample_weight": sw}

        if self.cv is None:
            self._fit_loo(X, y, sw, alphas, score_params)
        else:
            self._fit_kfold(X, y, sample_weight, sw, alphas, score_params, split_params)
        return self

    # -- leave-one-out --------------------------------------------------------
    def _fit_loo(self, X, y, sw, alphas, score_params):
        dtype = X.dtype
        n = X.shape[0]
        if sp.issparse(X):
            X64 = X if X.dtype == np.float64 else X.astype(np.float64)
        else:
            X64 = np.asarray(X, dtype=np.float64, order="F")
        # preprocess may centre X64 in place only when it is our own copy
        copy_X = sp.issparse(X) or X64 is X or np.may_share_memory(X64, X)
        y64 = np.asarray(y, dtype=np.float64)
        design = preprocess(X64, y64, sw, self.fit_intercept, copy_X=copy_X)
        T = design.y2d.shape[1]
        A = alphas.shape[0]
        scorer = self._scorer() if self.scoring is not None else None
        route = _choose_route(design, self.gcv_mode or "auto", A * (T + 1))
        spec = _decompose(design, route, self.fit_intercept)
        self.gcv_mode_ = route

        keep = self.store_cv_results or scorer is not None
        sse, E = _loo_residuals(spec, alphas, keep)
        per_target = self.alpha_per_target and y.ndim == 2 and T > 1

        if scorer is None:
            if per_target:
                scores = -sse / n                                  # (T, A)
            else:
                scores = -sse.sum(axis=0) / (n * T)                # (A,)
            if self.store_cv_results:
                results = E * E
        else:
            P = self._loo_predictions(spec, X, y64, sw, E, alphas, T)
            ident = _PredictionsAsRegressor()
            if per_target:
                scores = np.array([[scorer(ident, P[:, t, a], y64[:, t], **score_params)
                                    for a in range(A)] for t in range(T)], dtype=float)
            else:
                Pa = P[:, 0, :] if y.ndim == 1 else P
                scores = np.array([scorer(ident, Pa[..., a], y64, **score_params)
                                   for a in range(A)], dtype=float)
            if self.store_cv_results:
                results = P

        if per_target:
            best = np.array([_first_best(scores[t]) for t in range(T)])
            self.alpha_ = alphas[best]
            self.best_score_ = scores[np.arange(T), best]
            chosen = self.alpha_
        else:
            best = _first_best(scores)
            self.alpha_ = float(alphas[best])
            self.best_score_ = scores[best]
            chosen = np.full(T, alphas[best])

        coef = spec.coefs_paired(chosen, spec.projected_target()).T  # (T, p)
        self.coef_ = (coef[0] if T == 1 else coef).astype(dtype, copy=False)
        if self.fit_intercept:
            intercept = design.y_mean - coef @ design.x_mean
            self.intercept_ = (intercept.astype(dtype) if y.ndim == 2
                               else dtype.type(intercept[0]))
        else:
            self.intercept_ = 0.0  # scikit-learn's RidgeCV: a float, whatever y's shape
        if self.store_cv_results:
            shape = (n, A) if y.ndim == 1 else (n, T, A)
            self.cv_results_ = results.reshape(shape).astype(dtype, copy=False)
        elif hasattr(self, "cv_results_"):
            del self.cv_results_

    def _loo_predictions(self, spec, X, y64, sw, E, alphas, T):
        """Leave-one-out predictions in the original units, (n, T, A)."""
        d = spec.design
        s = d.sqrt_sw
        n = y64.shape[0]
        Y = y64.reshape(n, T)
        P = np.empty_like(E)
        pos = s > 0
        P[pos] = Y[pos, :, None] - E[pos] / s[pos, None, None]
        zero = np.flatnonzero(~pos)
        if zero.size:
            # a zero-weight sample leaves the fit unchanged: its leave-one-out
            # prediction is the full-data prediction
            rows = X[zero]
            rows = rows.astype(np.float64) if sp.issparse(rows) else np.asarray(
                rows, dtype=np.float64)
            P[zero] = _full_predictions(spec, alphas, rows, T)
        return P

    # -- K-fold ---------------------------------------------------------------
    def _fit_kfold(self, X, y, sample_weight, sw, alphas, score_params, split_params):
        cv = check_cv(self.cv, y, classifier=False)
        scorer = self._scorer()
        if scorer is None:
            scorer = get_scorer("r2")
        if (not routing_enabled() and "sample_weight" in score_params
                and not _accepts_sample_weight(scorer)):
            warnings.warn(f"The scoring {scorer} does not support sample_weight: the "
                          "held-out folds are scored without weights.", UserWarning,
                          stacklevel=3)
            score_params = {}
        n = X.shape[0]
        Xw = X.tocsr() if sp.issparse(X) else X
        Xw64 = Xw.astype(np.float64) if Xw.dtype != np.float64 else Xw
        y64 = np.asarray(y, dtype=np.float64)
        A = alphas.shape[0]
        fold_scores = []
        for train, test in cv.split(X, y, **split_params):
            train, test = np.asarray(train), np.asarray(test)
            sw_tr = None if sw is None else sw[train]
            fold = self._fold_coefs(Xw64[train], y64[train], sw_tr, alphas)
            Xte = Xw[test]
            yte = y[test]
            sp_te = {k: (v[test] if _is_sample_aligned(v, n) else v)
                     for k, v in score_params.items()}
            row = []
            for a in range(A):
                est = Ridge(alpha=float(alphas[a]), fit_intercept=self.fit_intercept)
                coef, intercept = fold[a]
                est.coef_ = coef.astype(X.dtype, copy=False)
                est.intercept_ = intercept
                est.n_features_in_ = X.shape[1]
                est.n_iter_ = None
                est.solver_ = "cholesky"
                row.append(scorer(est, Xte, yte, **sp_te))
            fold_scores.append(row)
        if not fold_scores:
            raise ValueError("cv produced no train/test splits.")
        mean_scores = np.mean(np.array(fold_scores, dtype=float), axis=0)
        if not np.all(np.isfinite(mean_scores)):
            warnings.warn(f"RidgeCV: some cross-validation scores are non-finite: "
                          f"{mean_scores}", UserWarning, stacklevel=3)
        best = _first_best(mean_scores)
        self.alpha_ = float(alphas[best])
        self.best_score_ = mean_scores[best]
        self.gcv_mode_ = None
        final = Ridge(alpha=self.alpha_, fit_intercept=self.fit_intercept).fit(
            X, y, sample_weight=sample_weight)
        self.coef_ = final.coef_
        self.intercept_ = final.intercept_ if self.fit_intercept else 0.0
        if hasattr(self, "cv_results_"):
            del self.cv_results_

    def _fold_coefs(self, Xtr, ytr, sw_tr, alphas):
        """[(coef, intercept)] of every alpha on one training fold, in the shapes
        fastreg.Ridge would give."""
        n_tr = Xtr.shape[0]
        design = preprocess(Xtr, ytr, sw_tr, self.fit_intercept, copy_X=False)
        T = design.y2d.shape[1]
        A = alphas.shape[0]
        try:
            route = _choose_route(design, "auto", A * T)
        except ValueError:
            route = None
        out = []
        if route is None:  # no decomposition fits: one Ridge fit per alpha
            for a in alphas:
                m = Ridge(alpha=float(a), fit_intercept=self.fit_intercept).fit(
                    Xtr, ytr, sample_weight=sw_tr)
                out.append((np.asarray(m.coef_), m.intercept_))
            return out
        spec = _decompose(design, route, self.fit_intercept)
        W = spec.coefs(alphas).reshape(-1, T, A)                   # (p, T, A)
        for a in range(A):
            coef = W[:, :, a].T                                    # (T, p)
            if self.fit_intercept:
                intercept = design.y_mean.reshape(T) - coef @ design.x_mean
            else:
                intercept = np.zeros(T)
            if ytr.ndim == 1:
                out.append((coef[0], float(intercept[0])))
            else:
                out.append((coef, intercept))
        return out


def _accepts_sample_weight(scorer):
    check = getattr(scorer, "_accept_sample_weight", None)
    if callable(check):
        return bool(check())
    try:
        return "sample_weight" in inspect.signature(scorer).parameters
    except (TypeError, ValueError):
        return False


def _is_sample_aligned(v, n):
    return hasattr(v, "__len__") and not isinstance(v, (str, bytes)) and len(v) == n


def _first_best(scores):
    """Index of the largest score, the first one on ties; NaN ranks last."""
    scores = np.asarray(scores, dtype=float)
    if np.all(np.isnan(scores)):
        return 0
    return int(np.nanargmax(scores))
