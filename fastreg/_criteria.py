"""Information criteria along an Elastic-Net path: what LassoIC and
ElasticNetIC compute from a path, shared by the in-memory route
(:mod:`fastreg._ic_fit`) and the Dask route (:mod:`fastreg._dask.ic`).

For one warm-started path on the whole data, with ``n_eff`` the effective
sample size and ``sigma2`` the noise variance, each alpha gets

    crit(alpha) = n_eff log(2 pi sigma2) + RSS(alpha) / sigma2 + k df(alpha),

``k = 2`` (AIC), ``log(n_eff)`` (BIC), and EBIC (Chen & Chen 2008, Biometrika
95) adds ``2 gamma log C(p, nnz(alpha))`` to the BIC: the log-number of models
of that size, which the BIC's uniform prior over models ignores. This is
``-2 log L + k df`` of the Gaussian model at known variance, scikit-learn's
``LassoLarsIC`` convention, so that the alphas chosen agree with it.

Degrees of freedom (``df``, an unbiased estimate of Efron's covariance
penalty):

- Lasso: the number of non-zero coefficients (Zou, Hastie & Tibshirani 2007,
  Ann. Statist. 35, "On the degrees of freedom of the lasso");
- Elastic-Net: the trace of the ridge hat matrix of the active set A,
  ``tr(X_A (X_A^T X_A + l2 diag(qf_A))^+ X_A^T)`` with ``l2`` the kernels'
  ridge penalty and ``qf`` the L2 factors: the penalty factors, or ``pf_j
  d_j^2`` with ``standardize`` (the ridge term of the standardised problem
  on the unscaled design) (Zou & Hastie 2005, JRSS-B 67, section 3.4;
  Tibshirani & Taylor 2012, Ann. Statist. 40); unpenalised features (``qf =
  0``) count fully, through the rank of their columns;
- with a box ``lower <= w <= upper``, A is the *free* active set: the
  non-zero coefficients not at a finite bound. Away from the (measure-zero)
  values of y where the active or bound sets change, a coefficient at its
  bound stays there under a small perturbation of y, like a fixed one, and
  the fit is ``X_B w_B`` plus the (ridge) fit of ``y - X_B w_B`` on the free
  columns: locally affine in y with the free set's hat matrix as
  derivative, whose divergence is the degrees of freedom by Stein's lemma.
  This is the argument of Tibshirani & Taylor (2012), section 3, for the
  Lasso's local projection on its active set, extended to the bound
  constraints as Meyer & Woodroofe (2000, Ann. Statist. 28, "On the degrees
  of freedom in shape-restricted regression") do for constrained least
  squares (the dimension of the face the fit lies on);

plus 1 for a fitted intercept. Everything is in the centred, weighted design
of :mod:`fastreg._preprocess` (weights normalised to sum to ``n_samples``, the
fit's units), and the residual sums of squares are rescaled to weights
summing to ``n_eff`` for the likelihood (:func:`likelihood_rss`).

Sample weights: ``n_eff = (sum w)^2 / sum w^2`` (Kish 1965, *Survey
Sampling*), which is invariant to rescaling the weights, as the fit is
(fastreg normalises them); integer weights are therefore *not* read as
repetitions of rows, which would make the criterion depend on a scale the fit
ignores. Uniform weights give ``n_eff = n`` exactly; zero weights reduce it.

The noise variance, when not given (:func:`ols_noise_variance`,
:func:`cv_noise_variance`): with ``n_eff > p + fit_intercept`` the unbiased
least-squares estimate ``RSS_ols / (n_eff - rank - fit_intercept)`` with the
numerical rank of the centred design; otherwise the cross-validation estimate
of Reid, Tibshirani & Friedman (2016, Statistica Sinica 26, "A study of error
variance estimation in lasso regression"), ``RSS(alpha_cv) / (n_eff -
df(alpha_cv))`` at the alpha with the smallest K-fold error on the same grid,
which they found the most reliable across sparsity and signal-to-noise
regimes (the scaled lasso of Sun & Zhang 2012 being the alternative, less
stable at low signal). A floor relative to the variance of y keeps it
positive (:func:`noise_floor`).
"""
import numpy as np
from scipy.sparse.linalg import LinearOperator, lsqr
from scipy.special import gammaln

from ._enet_solver import kernel_penalties
from ._gram import MAX_GRAM_ENTRIES, gram_matrix
from ._linalg import eigh_psd

CRITERIA = ("aic", "bic", "ebic")

#: Entries of the residual block ``(n_samples, alphas)`` formed at once: the
#: residuals of a whole path would be an n x n_alphas temporary.
_RESIDUAL_BLOCK_ENTRIES = 2 ** 22


# ---------------------------------------------------------------------------
# sample size, degrees of freedom, residuals
# ---------------------------------------------------------------------------

def kish_size(sum_w, sum_w2, n_positive, equal):
    """Kish's effective sample size ``(sum w)^2 / sum w^2`` from the weights'
    sums; ``n_positive`` (the number of positive weights) exactly when those
    are all ``equal``, so that uniform weights give the unweighted formulas
    without round-off."""
    if equal:
        return float(n_positive)
    return float(sum_w) ** 2 / float(sum_w2)


def effective_sample_size(sample_weight, n_samples):
    """:func:`kish_size` of validated weights (None: ``n_samples``)."""
    if sample_weight is None:
        return float(n_samples)
    w = np.asarray(sample_weight, dtype=np.float64)
    pos = w[w > 0]
    return kish_size(w.sum(), w @ w, pos.size, pos.size > 0 and pos.min() == pos.max())


def likelihood_rss(rss, n_samples, n_eff):
    """Residual sums of squares of the fit's units (weights summing to
    ``n_samples``) in the likelihood's (weights summing to ``n_eff``)."""
    return np.asarray(rss, dtype=np.float64) * (n_eff / n_samples)


def active_union(coefs):
    """Sorted indices of the features non-zero somewhere along the path: the
    only columns the residuals and the degrees of freedom need."""
    return np.flatnonzero(np.any(coefs != 0, axis=1))


def ridge_hat_trace(G, l2):
    """``tr(X (X^T X + diag(l2))^+ X^T)`` from the Gram matrix ``G = X^T X``
    (float64, symmetric) and per-column ridge penalties ``l2 >= 0``.

    With U the columns of zero penalty and Q the others, the fit is the
    projection on span(X_U) plus a ridge fit of the residualised ``M X_Q``
    (M the projection off span(X_U), Frisch-Waugh), so the trace is
    ``rank(X_U) + sum_k s_k / (s_k + 1)`` over the eigenvalues ``s_k`` of
    ``D^{-1/2} S D^{-1/2}``, ``S = G_QQ - G_QU G_UU^+ G_UQ`` the Schur
    complement and ``D = diag(l2_Q)``. Eigenvalues at the numerical null
    space (:func:`fastreg._linalg.eigh_psd`) count zero.
    """
    free = l2 == 0
    Q = ~free
    trace = 0.0
    S = G[np.ix_(Q, Q)]
    if np.any(free):
        lam, V = eigh_psd(np.array(G[np.ix_(free, free)], order="F"))
        keep = lam > 0
        trace += float(np.count_nonzero(keep))
        B = V[:, keep].T @ G[np.ix_(free, Q)]  # (r, |Q|)
        S = S - B.T @ (B / lam[keep][:, None])
    if S.shape[0]:
        d = 1.0 / np.sqrt(l2[Q])
        s, _ = eigh_psd(np.asfortranarray(S * d[:, None] * d[None, :]))
        trace += float(np.sum(s / (s + 1.0)))
    return trace


def degrees_of_freedom(coefs, alphas, l1_ratio, n_samples, gram_union, union,
                       penalty_factor, fit_intercept, l2_factor=None, bounds=None):
    """Degrees of freedom and non-zero counts along a path.

    Parameters
    ----------
    coefs : ndarray of shape (n_features, n_alphas)
    alphas : ndarray of shape (n_alphas,)
    l1_ratio : float
    n_samples : int
        Total weight of the fit (weights normalised to sum to it).
    gram_union : ndarray of shape (len(union), len(union)) or None
        ``Xt_U^T Xt_U`` of the columns ``union`` (:func:`active_union`), float64;
        unused (may be None) for the Lasso.
    union : ndarray of int
    penalty_factor : ndarray of shape (n_features,) or None
    fit_intercept : bool
    l2_factor : ndarray of shape (n_features,), default=None
        The L2 factors of the ridge term (``pf d^2`` with ``standardize``);
        None: ``penalty_factor``.
    bounds : (ndarray, ndarray) of shape (n_features,) each, default=None
        The box, in the dtype the coefficients were solved in (the kernels
        clip to it exactly): coefficients equal to a finite bound are not
        free and do not count (see the module docstring).

    Returns
    -------
    df : ndarray of shape (n_alphas,)
        Including 1 for a fitted intercept.
    nnz : ndarray of shape (n_alphas,)
        Non-zero coefficients.
    """
    active = coefs != 0
    nnz = np.count_nonzero(active, axis=0)
    if bounds is not None:
        lower, upper = (np.asarray(b)[:, None] for b in bounds)
        active = active & (coefs != lower) & (coefs != upper)
    qf = penalty_factor if l2_factor is None else l2_factor
    if l1_ratio == 1.0:
        df = np.count_nonzero(active, axis=0).astype(np.float64)
    else:
        df = np.zeros(len(alphas))
        for k, alpha in enumerate(alphas):
            A = np.flatnonzero(active[:, k])
            if A.size == 0:
                continue
            idx = np.searchsorted(union, A)
            _, l2 = kernel_penalties(float(alpha), l1_ratio, n_samples)
            q = np.ones(A.size) if qf is None else qf[A]
            df[k] = ridge_hat_trace(gram_union[np.ix_(idx, idx)], l2 * q)
    return df + float(fit_intercept), nnz


def design_rss(sub, coefs_sub):
    """``||yt - Xt_U w||^2`` for every column ``w`` of ``coefs_sub`` (float64),
    on the design restricted to the columns U, in blocks of alphas."""
    n = sub.shape[0]
    A = coefs_sub.shape[1]
    y = np.asarray(sub.y, dtype=np.float64)
    if coefs_sub.shape[0] == 0:
        return np.full(A, y @ y)
    step = max(1, _RESIDUAL_BLOCK_ENTRIES // max(n, 1))
    out = np.empty(A)
    for a0 in range(0, A, step):
        W = np.asarray(coefs_sub[:, a0:a0 + step], dtype=np.float64)
        R = y[:, None] - np.asarray(sub.matvec(W), dtype=np.float64)
        out[a0:a0 + step] = np.einsum("ij,ij->j", R, R)
    return out


def moments_rss(G, Xy, yy, coefs):
    """``||yt - Xt w||^2 = yy - 2 w.Xy + w.G w`` for every column of ``coefs``,
    from the statistics alone (the Dask route; clipped at 0 against
    round-off)."""
    W = np.asarray(coefs, dtype=np.float64)
    quad = np.einsum("pk,pq,qk->k", W, G, W)
    return np.maximum(float(yy) - 2 * (Xy @ W) + quad, 0.0)


# ---------------------------------------------------------------------------
# noise variance
# ---------------------------------------------------------------------------

def noise_floor(var_y):
    """Smallest noise variance returned: ``eps * var(y)`` (round-off of the
    residuals), and the smallest normal float for a constant y, so that the
    criterion's ``log(sigma2)`` and ``RSS / sigma2`` stay finite."""
    return max(np.finfo(np.float64).eps * float(var_y), np.finfo(np.float64).tiny)


def least_squares_from_gram(G, Xy):
    """Minimum-norm least-squares coefficients and the numerical rank, from
    ``G = Xt^T Xt`` and ``Xy = Xt^T yt`` (one eigendecomposition, the
    project's rank rule: :func:`fastreg._linalg.eigh_psd`)."""
    lam, V = eigh_psd(np.array(G, dtype=np.float64, order="F"))
    keep = lam > 0
    Vk = V[:, keep]
    coef = Vk @ ((Vk.T @ np.asarray(Xy, dtype=np.float64)) / lam[keep])
    return coef, int(np.count_nonzero(keep))


def ols_noise_variance(design, n_eff, fit_intercept):
    """``RSS_ols / (n_eff - rank - fit_intercept)`` (likelihood units) for
    ``n_eff > n_features + fit_intercept``.

    Within fastreg's Gram size limit, the least-squares fit comes from the
    Gram matrix (:func:`least_squares_from_gram`, rank by the eigenvalues)
    and the residuals are formed explicitly (no cancellation in the RSS);
    beyond it, LSQR on the design's operator (never densified), with the rank
    taken as n_features.
    """
    n, p = design.shape
    if p * p <= MAX_GRAM_ENTRIES:
        G = gram_matrix(design)
        coef, rank = least_squares_from_gram(G, design.rmatvec(design.y))
    else:
        op = LinearOperator((n, p), matvec=design.matvec, rmatvec=design.rmatvec,
                            dtype=np.float64)
        coef = lsqr(op, np.asarray(design.y, dtype=np.float64), atol=1e-12, btol=1e-12,
                    iter_lim=10 * p)[0]
        rank = p
    y = np.asarray(design.y, dtype=np.float64)
    r = y - np.asarray(design.matvec(coef), dtype=np.float64)
    rss = likelihood_rss(r @ r, n, n_eff)
    return float(rss) / (n_eff - rank - float(fit_intercept))


def cv_noise_variance(mse_path, rss_lik, df, n_eff):
    """Reid, Tibshirani & Friedman's estimate from a path's held-out errors.

    ``mse_path`` (n_alphas, n_folds) on the path's grid; ``rss_lik`` and ``df``
    the whole-data path's. ``RSS(alpha_cv) / (n_eff - df(alpha_cv))`` at the
    smallest mean held-out error (the first on ties); when fewer than one
    residual degree of freedom is left (the fit interpolates), the held-out
    error itself, which estimates the noise variance plus the prediction
    error: an over-estimate, never 0.
    """
    mean = np.asarray(mse_path, dtype=np.float64).mean(axis=1)
    j = int(np.argmin(mean))
    dof = n_eff - df[j]
    if dof >= 1.0:
        return float(rss_lik[j]) / dof
    return float(mean[j])


# ---------------------------------------------------------------------------
# the criterion and the choice
# ---------------------------------------------------------------------------

def log_binomial(p, k):
    """``log C(p, k)`` for arrays of k (via log-gamma)."""
    k = np.asarray(k, dtype=np.float64)
    return gammaln(p + 1.0) - gammaln(k + 1.0) - gammaln(p - k + 1.0)


def criterion_values(rss_lik, df, nnz, n_eff, sigma2, criterion, ebic_gamma, n_features):
    """The criterion at every alpha (see the module docstring)."""
    k = 2.0 if criterion == "aic" else np.log(n_eff)
    values = (n_eff * np.log(2 * np.pi * sigma2) + np.asarray(rss_lik) / sigma2
              + k * np.asarray(df, dtype=np.float64))
    if criterion == "ebic":
        values = values + 2.0 * ebic_gamma * log_binomial(n_features, nnz)
    return values


#: The estimator parameters an exact refit of ``path_`` needs.
_REFIT_PARAMS = ("tol", "max_iter", "positive", "penalty_factor", "precompute",
                 "selection", "random_state", "lower_bounds", "upper_bounds",
                 "standardize")


def select(alphas, coefs, intercepts, gaps, n_iters, rss_lik, df, nnz, n_eff, sigma2,
           params, l1_ratio, penalty_factor):
    """The chosen index (smallest criterion, the first on ties) and the fitted
    attributes every route reports; ``path`` holds the arguments of
    :class:`fastreg.RegularizationPath` (the estimator builds it: the Dask
    route imports no estimator-side module). ``params``: the estimator's,
    validated; ``penalty_factor`` checked."""
    crit = criterion_values(rss_lik, df, nnz, n_eff, sigma2, params["criterion"],
                            params["ebic_gamma"], coefs.shape[0])
    j = int(np.argmin(crit))
    alphas = np.asarray(alphas, dtype=np.float64)
    refit = {k: params[k] for k in _REFIT_PARAMS if k != "penalty_factor"}
    path = dict(alphas=alphas, coefs=coefs, intercepts=intercepts, dual_gaps=gaps,
                n_iters=n_iters, l1_ratio=l1_ratio, fit_intercept=params["fit_intercept"],
                params=dict(refit, penalty_factor=penalty_factor))
    return j, {"alpha": float(alphas[j]), "alphas": alphas, "criterion": crit,
               "noise_variance": float(sigma2), "df": df, "n_eff": float(n_eff),
               "path": path}
