"""The penalty-factor test problem and its independent oracle, shared by
test_reference.py (which proves ``fastreg.reference`` right against the
oracle) and test_penalty.py (which checks fastreg's public API against the
reference).

The objective is ``1/(2 S) sum_i s_i (y_i - x_i.w - b)^2 + alpha * sum_j pf_j *
(l1_ratio |w_j| + (1 - l1_ratio) / 2 w_j^2)`` (glmnet's ``penalty.factor``,
not rescaled); ``pf_j = 0`` leaves feature j unpenalised.
"""
import functools
import warnings

import numpy as np
import sklearn.linear_model as sklm
from scipy.optimize import nnls

from fastreg import reference as ref

from conftest import centred_weighted, dense, make_problem, make_sample_weight

N, P = 40, 12
PF = {
    "ones": np.ones(P),
    # exactly representable in float32, so both dtypes solve the same problem
    "mixed": np.array([0.5, 1.0, 2.0, 1.5, 0.25, 3.0, 1.0, 0.5, 2.0, 1.0, 4.0, 0.75]),
    "zeros": np.array([0.5, 0.0, 2.0, 1.5, 0.25, 3.0, 0.0, 0.5, 2.0, 1.0, 0.0, 0.75]),
}
PF_KINDS = ["mixed", "zeros"]


@functools.lru_cache(maxsize=None)
def _data():
    return make_problem(n=N, p=P, n_nonzero=5, rho=0.5, density=0.6, seed=4)


def problem():
    """The 40 x 12 problem (fresh copies)."""
    X, y = _data()
    return X.copy(), y.copy()


def weights(kind):
    return make_sample_weight(N, kind, seed=5)


def pf_of(kind):
    return PF[kind].copy()


def total_weight(sw, n=N):
    return float(n if sw is None else np.sum(sw))


def tol_unit(X, y, sw, fit_intercept):
    """||y_c||^2 / S: the unit of the solvers' tol, in public units."""
    _, yc, _, _ = centred_weighted(X, y, sw, fit_intercept)
    return (yc @ yc) / total_weight(sw, X.shape[0])


def basis(A):
    """Orthonormal basis of span(A) (SVD, numerical rank)."""
    if A.shape[1] == 0:
        return np.zeros((A.shape[0], 0))
    U, sv, _ = np.linalg.svd(A, full_matrices=False)
    return U[:, sv > sv[0] * max(A.shape) * np.finfo(float).eps]


# --------------------------------------------------------------------------
# independent oracles (scikit-learn, scipy's NNLS): never fastreg.reference
# --------------------------------------------------------------------------
def oracle(X, y, alpha, l1_ratio, sw, fit_intercept, pf, positive):
    """Optimum ``(coef, intercept)`` of the penalty-factor Elastic-Net.

    Non-negative coefficients: exact NNLS on the Cholesky factor of the
    (strictly convex: n > p) quadratic.  Otherwise: Frisch-Waugh-Lovell plus
    the augmented, rescaled Lasso, solved by scikit-learn.
    """
    X = dense(X)
    Xc, yc, xm, ym = centred_weighted(X, y, sw, fit_intercept)
    S = total_weight(sw, X.shape[0])
    pen = pf > 0
    if positive:
        H = Xc.T @ Xc / S + alpha * (1 - l1_ratio) * np.diag(pf)
        c = Xc.T @ yc / S - alpha * l1_ratio * pf
        L = np.linalg.cholesky(H)
        w = nnls(L.T, np.linalg.solve(L, c), maxiter=100 * P)[0]
    else:
        Q = basis(Xc[:, ~pen])
        Z = Xc[:, pen] - Q @ (Q.T @ Xc[:, pen])
        t = yc - Q @ (Q.T @ yc)
        Z = Z / pf[pen]
        l1, l2 = alpha * l1_ratio * S, alpha * (1 - l1_ratio) * S
        if l2 > 0:
            Z = np.vstack([Z, np.diag(np.sqrt(l2 / pf[pen]))])
            t = np.concatenate([t, np.zeros(pen.sum())])
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            est = sklm.Lasso(alpha=l1 / Z.shape[0], fit_intercept=False, tol=1e-14,
                             max_iter=10**6).fit(Z, t)
        w = np.zeros(X.shape[1])
        w[pen] = est.coef_ / pf[pen]
        if (~pen).any():
            w[~pen] = np.linalg.lstsq(Xc[:, ~pen], yc - Xc[:, pen] @ w[pen], rcond=None)[0]
    return w, float(ym - xm @ w) if fit_intercept else 0.0


def problem_alpha(l1_ratio, sw_kind, fit_intercept, pf_kind, positive, divisor=10):
    X, y = problem()
    return ref.alpha_max(X, y, l1_ratio, weights(sw_kind), fit_intercept,
                         penalty_factor=pf_of(pf_kind), positive=positive) / divisor


@functools.lru_cache(maxsize=None)
def oracle_solution(l1_ratio, sw_kind, fit_intercept, pf_kind, positive):
    X, y = problem()
    alpha = problem_alpha(l1_ratio, sw_kind, fit_intercept, pf_kind, positive)
    w, b = oracle(X, y, alpha, l1_ratio, weights(sw_kind), fit_intercept,
                   pf_of(pf_kind), positive)
    return alpha, w, b


@functools.lru_cache(maxsize=None)
def reference_solution(l1_ratio, sw_kind, fit_intercept, pf_kind, positive):
    X, y = problem()
    alpha = problem_alpha(l1_ratio, sw_kind, fit_intercept, pf_kind, positive)
    w, b, gap, _ = ref.enet_coordinate_descent(
        X, y, alpha, l1_ratio, weights(sw_kind), fit_intercept, positive, tol=1e-15,
        max_iter=20000, penalty_factor=pf_of(pf_kind))
    return alpha, w, b, gap
