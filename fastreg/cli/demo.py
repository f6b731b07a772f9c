"""``python -m fastreg demo``: the main job on the diabetes data shipped with fastreg.

Fits Lasso, Elastic-Net and Ridge, and for each prints the coefficients, the
objective split into its data-fit term and its (always added) penalty term,
the duality gap certified independently by :mod:`fastreg.reference`, and the
fit time against the pure-Python reference solver.
"""
import time

import numpy as np

from .. import ElasticNet, Lasso, Ridge, reference
from ..datasets import load_diabetes


def _best_time(fit, repeat):
    """Best wall time of ``repeat`` calls of ``fit`` (the least noisy estimate)."""
    best = np.inf
    for _ in range(repeat):
        start = time.perf_counter()
        fit()
        best = min(best, time.perf_counter() - start)
    return best


def _print_model(title, names, coef, intercept, terms, gap, t_fast, t_ref):
    datafit, penalty = terms
    print(f"\n== {title}")
    width = max(len(n) for n in names)
    for name, c in zip(names, coef):
        print(f"  {name:<{width}} {c:+12.4f}")
    print(f"  {'intercept':<{width}} {intercept:+12.4f}")
    print(f"  objective = data-fit {datafit:.6g} + penalty {penalty:.6g} "
          f"= {datafit + penalty:.6g}")
    if gap is not None:
        print(f"  duality gap (independent check): {gap:.2e}")
    print(f"  time: fastreg {t_fast * 1e3:.3f} ms, pure-Python reference "
          f"{t_ref * 1e3:.3f} ms (ratio {t_ref / t_fast:.1f}x)")


def run_demo(repeat=7):
    """Run the demo; return the exit code (0)."""
    X, y, names = load_diabetes()
    # Standardise the features (as glmnet does by default) so that the penalty
    # treats them alike, whatever their units.
    X = (X - X.mean(axis=0)) / X.std(axis=0)
    n, p = X.shape
    print(f"fastreg demo: diabetes data (Efron et al. 2004), n={n} samples, p={p} "
          "standardised features")
    a_max = reference.alpha_max(X, y)
    tol = 1e-8
    print(f"alpha_max (smallest alpha giving all-zero Lasso coefficients) = {a_max:.4g}; "
          f"tol = {tol:g}")

    for title, alpha, l1_ratio in (("Lasso", a_max / 100, 1.0),
                                   ("ElasticNet", a_max / 100, 0.5)):
        if l1_ratio == 1.0:
            model = Lasso(alpha=alpha, tol=tol, max_iter=100_000)
        else:
            model = ElasticNet(alpha=alpha, l1_ratio=l1_ratio, tol=tol, max_iter=100_000)
        model.fit(X, y)
        t_fast = _best_time(lambda: model.fit(X, y), repeat)
        t_ref = _best_time(lambda: reference.enet_coordinate_descent(
            X, y, alpha, l1_ratio=l1_ratio, tol=tol, max_iter=100_000), 1)
        terms = reference.enet_objective_terms(X, y, model.coef_, model.intercept_,
                                               alpha=alpha, l1_ratio=l1_ratio)
        gap = reference.enet_duality_gap(X, y, model.coef_, model.intercept_, alpha,
                                         l1_ratio=l1_ratio)
        label = f"{title}(alpha={alpha:.4g}" + (
            f", l1_ratio={l1_ratio})" if l1_ratio < 1 else ")") + \
            f": 1/(2n)||y - Xw - b||^2 + penalty, {np.count_nonzero(model.coef_)} " \
            f"non-zero coefficients, {model.n_iter_} epochs"
        _print_model(label, names, model.coef_, model.intercept_, terms, gap,
                     t_fast, t_ref)

    alpha = 1.0
    model = Ridge(alpha=alpha).fit(X, y)
    t_fast = _best_time(lambda: model.fit(X, y), repeat)
    t_ref = _best_time(lambda: reference.ridge_closed_form(X, y, alpha), repeat)
    resid = y - X @ model.coef_ - model.intercept_
    terms = (float(resid @ resid), alpha * float(model.coef_ @ model.coef_))
    _print_model(f"Ridge(alpha={alpha:g}): ||y - Xw - b||^2 + alpha ||w||^2, "
                 f"solver {model.solver_}", names, model.coef_, model.intercept_, terms,
                 None, t_fast, t_ref)
    return 0
