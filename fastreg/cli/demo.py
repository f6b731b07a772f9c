"""``python -m fastreg demo``: the main job, on the diabetes data shipped with fastreg.

1. Choose the penalty by cross-validation: ``LassoCV`` and ``ElasticNetCV``
   (5 folds, 100 alphas down to ``1e-3 * alpha_max``; the Elastic-Net also
   chooses ``l1_ratio`` among 0.1, 0.5, 0.9) and ``RidgeCV`` (exact
   leave-one-out over a grid of 49 alphas); by an information criterion
   without refits (``LassoIC``, BIC and AIC, on the same grid); and the
   relaxed Lasso (``LassoCV(relax=True)``: CV chooses alpha and gamma).
2. Print the chosen alphas and the coefficients of the models.
3. Print the objective split into its data-fit and penalty terms (the penalty
   is always added), at the chosen alpha and at both ends of the grid, with
   the duality gap certified independently by :mod:`fastreg.reference`; and
   the split of the relaxed fit, which trades a smaller data-fit term for a
   larger penalty (it minimises no penalised objective: its gap says by how
   much its objective exceeds the minimum).
4. Time fastreg against the pure-Python reference solver of
   :mod:`fastreg.reference`, at the same tolerance: one fit at the chosen alpha,
   and the whole 100-alpha path with warm starts.
5. Write ``path.png`` (coefficient paths) and ``cv.png`` (cross-validation
   curves, and the BIC/AIC curves beside them) if matplotlib is installed, and ``summary.json`` (every number
   printed) into ``--out``.
"""
import json
import time
from pathlib import Path

import numpy as np

from .. import (ElasticNet, ElasticNetCV, Lasso, LassoCV, LassoIC, Ridge, RidgeCV, enet_path,
               reference)
from ..benchmarks.accuracy import path_worst_gap
from ..benchmarks.implementations import path_reference
from ..benchmarks.report import fmt_time
from ..datasets import load_diabetes
from . import _plots
from ._errors import CommandError
from ._objective import PENALTY_TEXT, objective

__all__ = ["run_demo"]

CV_FOLDS = 5
ENET_RATIOS = (0.1, 0.5, 0.9)
RIDGE_ALPHAS = np.logspace(-2, 4, 49)
#: Tolerance of the refits whose objective is printed (scikit-learn's meaning).
TOL_SPLIT = 1e-10
#: Tolerances of the timed fits and paths (the same for fastreg and the reference).
TOL_FIT, TOL_PATH = 1e-8, 1e-6
MAX_ITER = 100_000


def _best_time(fn, repeat):
    """Best wall time of ``repeat`` calls (the least noisy estimate), and the last output."""
    best, out = np.inf, None
    for _ in range(max(repeat, 1)):
        start = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - start)
    return best, out


def _ms(seconds):
    return fmt_time(seconds)


def _cross_validate(X, y):
    """The CV fits, timed; returns ``(lasso, enet, ridge, seconds)``."""
    seconds = {}
    start = time.perf_counter()
    lasso = LassoCV(cv=CV_FOLDS, tol=1e-6, max_iter=MAX_ITER).fit(X, y)
    seconds["lasso"] = time.perf_counter() - start
    start = time.perf_counter()
    enet = ElasticNetCV(l1_ratio=list(ENET_RATIOS), cv=CV_FOLDS, tol=1e-6,
                        max_iter=MAX_ITER).fit(X, y)
    seconds["enet"] = time.perf_counter() - start
    start = time.perf_counter()
    ridge = RidgeCV(alphas=RIDGE_ALPHAS, store_cv_results=True).fit(X, y)
    seconds["ridge"] = time.perf_counter() - start
    return lasso, enet, ridge, seconds


def _other_choices(X, y, seconds):
    """The choices without K refits and the relaxed Lasso, timed (into ``seconds``);
    returns ``(bic, aic, relaxed)``."""
    start = time.perf_counter()
    bic = LassoIC(criterion="bic", tol=1e-6, max_iter=MAX_ITER).fit(X, y)
    seconds["bic"] = time.perf_counter() - start
    aic = LassoIC(criterion="aic", tol=1e-6, max_iter=MAX_ITER).fit(X, y)
    start = time.perf_counter()
    relaxed = LassoCV(cv=CV_FOLDS, relax=True, tol=1e-6, max_iter=MAX_ITER).fit(X, y)
    seconds["relaxed"] = time.perf_counter() - start
    return bic, aic, relaxed


def _refit(model, X, y, alpha, l1_ratio):
    if model == "ridge":
        est = Ridge(alpha=alpha)
    elif model == "lasso":
        est = Lasso(alpha=alpha, tol=TOL_SPLIT, max_iter=MAX_ITER)
    else:
        est = ElasticNet(alpha=alpha, l1_ratio=l1_ratio, tol=TOL_SPLIT, max_iter=MAX_ITER)
    return est.fit(X, y)


def _objective_rows(X, y, model, points, l1_ratio):
    """``[(label, alpha, Objective, non-zeros)]`` at each ``(label, alpha)``."""
    rows = []
    for label, alpha in points:
        est = _refit(model, X, y, alpha, l1_ratio)
        obj = objective(model, X, y, est.coef_, est.intercept_, alpha, l1_ratio)
        rows.append((label, float(alpha), obj, int(np.count_nonzero(est.coef_))))
    return rows


def _relaxed_rows(X, y, relaxed):
    """The relaxed fit and the penalised fit at the relaxed alpha_, in the Lasso's
    objective at that alpha (the relaxed coefficients minimise no penalised
    objective: the gap bounds how far above the minimum they are)."""
    alpha = relaxed.alpha_
    lasso = _refit("lasso", X, y, alpha, 1.0)
    rows = []
    for label, coef, intercept in (("penalised", lasso.coef_, lasso.intercept_),
                                   ("relaxed", relaxed.coef_, relaxed.intercept_)):
        obj = objective("lasso", X, y, coef, intercept, alpha, 1.0)
        rows.append((label, float(alpha), obj, int(np.count_nonzero(coef))))
    return rows


def _timings(X, y, lasso, enet, ridge, repeat):
    """fastreg against the reference: ``[(task, t_fastreg, t_reference, gap_f, gap_r)]``."""
    rows = []
    yc = y - y.mean()  # X is centred: a path without intercept on yc is the same problem
    for name, alpha, ratio, grid in (("Lasso", lasso.alpha_, 1.0, lasso.alphas_),
                                     ("Elastic-Net", enet.alpha_, enet.l1_ratio_,
                                      _enet_grid(enet))):
        model = "lasso" if ratio == 1.0 else "enet"
        est = (Lasso(alpha=alpha, tol=TOL_FIT, max_iter=MAX_ITER) if model == "lasso" else
               ElasticNet(alpha=alpha, l1_ratio=ratio, tol=TOL_FIT, max_iter=MAX_ITER))
        t_fast, est = _best_time(lambda: est.fit(X, y), repeat)
        t_ref, ref = _best_time(lambda: reference.enet_coordinate_descent(
            X, y, alpha, ratio, tol=TOL_FIT, max_iter=MAX_ITER), 1)
        gaps = [objective(model, X, y, c, b, alpha, ratio).gap_rel
                for c, b in ((est.coef_, est.intercept_), (ref[0], ref[1]))]
        rows.append((f"{name} fit at the CV alpha (tol {TOL_FIT:g})", t_fast, t_ref, *gaps))

        t_fast, (_, coefs, _) = _best_time(lambda: enet_path(
            X, yc, l1_ratio=ratio, alphas=grid, tol=TOL_PATH, max_iter=MAX_ITER), repeat)
        t_ref, (ref_coefs, _) = _best_time(lambda: path_reference(
            X, yc, grid, ratio, TOL_PATH), 1)
        scale = float(yc @ yc) / (2 * len(yc))
        gaps = [path_worst_gap(X, yc, grid, c, ratio) / scale for c in (coefs, ref_coefs)]
        rows.append((f"{name} path, {len(grid)} alphas (tol {TOL_PATH:g})",
                     t_fast, t_ref, *gaps))
    alpha = ridge.alpha_
    t_fast, est = _best_time(lambda: Ridge(alpha=alpha).fit(X, y), repeat)
    t_ref, ref = _best_time(lambda: reference.ridge_closed_form(X, y, alpha), repeat)
    gaps = [objective("ridge", X, y, c, b, alpha).gap_rel
            for c, b in ((est.coef_, est.intercept_), ref)]
    rows.append((f"Ridge fit at the CV alpha ({est.solver_} vs lstsq)", t_fast, t_ref, *gaps))
    return rows


def _enet_grid(enet):
    k = ENET_RATIOS.index(enet.l1_ratio_)
    return np.asarray(enet.alphas_)[k]


def _print_cv(X, lasso, enet, ridge, seconds):
    print(f"\n== Cross-validation ({CV_FOLDS} folds for Lasso and Elastic-Net, exact "
          "leave-one-out for Ridge)")
    a = lasso.alphas_
    print(f"  LassoCV       alpha_ = {lasso.alpha_:<9.4g} {len(a)} alphas from alpha_max = "
          f"{a[0]:.4g} to alpha_min = {a[-1]:.4g}; {_ms(seconds['lasso'])}")
    g = _enet_grid(enet)
    print(f"  ElasticNetCV  alpha_ = {enet.alpha_:<9.4g} l1_ratio_ = {enet.l1_ratio_:g} "
          f"(among {', '.join(map(str, ENET_RATIOS))}); at that l1_ratio {len(g)} alphas "
          f"from {g[0]:.4g} to {g[-1]:.4g}; {_ms(seconds['enet'])}")
    print(f"  RidgeCV       alpha_ = {ridge.alpha_:<9.4g} {len(RIDGE_ALPHAS)} alphas from "
          f"{RIDGE_ALPHAS[0]:g} to {RIDGE_ALPHAS[-1]:g} (Ridge units); "
          f"{_ms(seconds['ridge'])}")


def _print_other_choices(bic, aic, relaxed, seconds):
    print("\n== Without K refits: information criteria on the Lasso path (LassoIC), and the "
          "relaxed Lasso")
    print(f"  LassoIC(bic)  alpha_ = {bic.alpha_:<9.4g} noise variance "
          f"{bic.noise_variance_:.4g} (least-squares residuals); {_ms(seconds['bic'])}")
    print(f"  LassoIC(aic)  alpha_ = {aic.alpha_:<9.4g}")
    print(f"  LassoCV(relax=True)  alpha_ = {relaxed.alpha_:.4g}, gamma_ = "
          f"{relaxed.gamma_:g} (coef = gamma * penalised + (1 - gamma) * least squares on "
          f"the support); {_ms(seconds['relaxed'])}")


def _print_coefficients(names, models):
    print("\n== Coefficients at the chosen alphas (standardised features)")
    width = max(len(n) for n in names + ["intercept"])
    print(f"  {'':<{width}}" + "".join(f" {title:>12}" for title, _ in models))
    for j, name in enumerate(names):
        print(f"  {name:<{width}}" + "".join(f" {est.coef_[j]:>+12.4f}" for _, est in models))
    print(f"  {'intercept':<{width}}"
          + "".join(f" {est.intercept_:>+12.4f}" for _, est in models))
    print(f"  {'non-zeros':<{width}}"
          + "".join(f" {np.count_nonzero(est.coef_):>12}" for _, est in models))


def _print_objectives(blocks):
    print(f"\n== Objective split P = data-fit + penalty (refitted with tol {TOL_SPLIT:g}; "
          "gap: duality gap certified by fastreg.reference, relative to P(w = 0))")
    for title, model, rows in blocks:
        print(f"  {title}: P = {PENALTY_TEXT[model]}")
        for label, alpha, obj, nnz in rows:
            print(f"    {label:<9} alpha = {alpha:<10.4g} data-fit {obj.datafit:.8g} + "
                  f"penalty {obj.penalty:.8g} = {obj.total:.8g}  (gap {obj.gap_rel:.1e}, "
                  f"{nnz} non-zeros)")


def _print_timings(rows):
    print("\n== Time against the pure-Python reference (fastreg.reference), same tolerance;"
          "\n   gap: independent duality gap relative to P(w = 0), the worst one along a path")
    width = max(len(r[0]) for r in rows)
    print(f"  {'':<{width}} {'fastreg':>10} {'reference':>10} {'speed-up':>9} "
          f"{'gap fastreg':>12} {'gap ref.':>9}")
    for task, t_fast, t_ref, g_fast, g_ref in rows:
        print(f"  {task:<{width}} {_ms(t_fast):>10} {_ms(t_ref):>10} "
              f"{t_ref / t_fast:>8.3g}x {g_fast:>12.1e} {g_ref:>9.1e}")


def _write_plots(out, names, X, y, lasso, enet, ridge, bic, aic):
    yc = y - y.mean()
    e_grid = _enet_grid(enet)
    _, l_coefs, _ = enet_path(X, yc, l1_ratio=1.0, alphas=lasso.alphas_, tol=1e-8,
                              max_iter=MAX_ITER)
    _, e_coefs, _ = enet_path(X, yc, l1_ratio=enet.l1_ratio_, alphas=e_grid, tol=1e-8,
                              max_iter=MAX_ITER)
    paths = _plots.demo_paths(out / "path.png", names, [
        ("Lasso (LassoCV)", lasso.alphas_, l_coefs, lasso.alpha_),
        (f"Elastic-Net, l1_ratio = {enet.l1_ratio_:g} (ElasticNetCV)", e_grid, e_coefs,
         enet.alpha_)])
    cv = _plots.demo_cv(
        out / "cv.png",
        lasso=(lasso.alphas_, lasso.mse_path_, lasso.alpha_),
        enet=(np.asarray(enet.alphas_), np.asarray(enet.mse_path_), ENET_RATIOS,
              enet.alpha_, enet.l1_ratio_),
        ridge=(RIDGE_ALPHAS, ridge.cv_results_.mean(axis=0), ridge.alpha_),
        ic=(bic.alphas_, bic.criterion_, bic.alpha_, aic.criterion_, aic.alpha_,
            lasso.alpha_))
    return [paths, cv]


def run_demo(args):
    """Run the demo; return the exit code."""
    out = Path(args.out)
    if out.exists() and not out.is_dir():
        raise CommandError(f"--out {out}: exists and is not a folder")
    X, y, names = load_diabetes()
    names = list(names)
    # Standardise the features (as glmnet does by default) so that the penalty
    # treats them alike, whatever their units.
    X = (X - X.mean(axis=0)) / X.std(axis=0)
    n, p = X.shape
    print(f"fastreg demo: diabetes data (Efron et al. 2004), n = {n} patients, p = {p} "
          "standardised features;\ntarget: disease progression one year after baseline; "
          "the intercept is fitted, not penalised")

    lasso, enet, ridge, cv_seconds = _cross_validate(X, y)
    _print_cv(X, lasso, enet, ridge, cv_seconds)
    bic, aic, relaxed = _other_choices(X, y, cv_seconds)
    _print_other_choices(bic, aic, relaxed, cv_seconds)
    _print_coefficients(names, [("Lasso", lasso), ("Elastic-Net", enet), ("Ridge", ridge),
                                ("Lasso BIC", bic), ("Relaxed", relaxed)])

    a, g = lasso.alphas_, _enet_grid(enet)
    enet_model = "lasso" if enet.l1_ratio_ == 1.0 else "enet"
    blocks = [
        ("Lasso", "lasso", _objective_rows(
            X, y, "lasso", [("alpha_max", a[0]), ("CV", lasso.alpha_), ("BIC", bic.alpha_),
                            ("alpha_min", a[-1])], 1.0)),
        (f"Relaxed Lasso (gamma_ = {relaxed.gamma_:g}) against the Lasso at its alpha",
         "lasso", _relaxed_rows(X, y, relaxed)),
        (f"Elastic-Net, l1_ratio = {enet.l1_ratio_:g}", enet_model, _objective_rows(
            X, y, enet_model, [("alpha_max", g[0]), ("CV", enet.alpha_),
                               ("alpha_min", g[-1])], enet.l1_ratio_)),
        ("Ridge", "ridge", _objective_rows(
            X, y, "ridge", [("largest", RIDGE_ALPHAS[-1]), ("CV", ridge.alpha_),
                            ("smallest", RIDGE_ALPHAS[0])], 0.0)),
    ]
    _print_objectives(blocks)
    timings = _timings(X, y, lasso, enet, ridge, args.repeat)
    _print_timings(timings)

    out.mkdir(parents=True, exist_ok=True)
    plots = []
    print()
    if args.no_plots:
        print("plots: not written (--no-plots)")
    elif (why := _plots.missing()) is not None:
        print(f"plots: not written, {why}")
    else:
        plots = [str(f) for f in _write_plots(out, names, X, y, lasso, enet, ridge, bic,
                                              aic)]
        print(f"plots: {', '.join(plots)}")
    summary = dict(
        data=dict(name="diabetes", n_samples=n, n_features=p, feature_names=names,
                  standardised=True),
        cv=dict(lasso=dict(alpha=float(lasso.alpha_), seconds=cv_seconds["lasso"]),
                enet=dict(alpha=float(enet.alpha_), l1_ratio=float(enet.l1_ratio_),
                          seconds=cv_seconds["enet"]),
                ridge=dict(alpha=float(ridge.alpha_), seconds=cv_seconds["ridge"])),
        ic=dict(bic=dict(alpha=float(bic.alpha_), noise_variance=float(bic.noise_variance_),
                         seconds=cv_seconds["bic"]),
                aic=dict(alpha=float(aic.alpha_))),
        relaxed=dict(alpha=float(relaxed.alpha_), gamma=float(relaxed.gamma_),
                     seconds=cv_seconds["relaxed"]),
        coef={m: dict(coef=[float(c) for c in est.coef_], intercept=float(est.intercept_))
              for m, est in (("lasso", lasso), ("enet", enet), ("ridge", ridge),
                             ("lasso_bic", bic), ("relaxed", relaxed))},
        objective=[dict(model=title, point=label, alpha=alpha, datafit=obj.datafit,
                        penalty=obj.penalty, total=obj.total, gap=obj.gap,
                        gap_rel=obj.gap_rel, nonzeros=nnz)
                   for title, _, rows in blocks for label, alpha, obj, nnz in rows],
        timing=[dict(task=task, fastreg=t_f, reference=t_r, gap_rel_fastreg=g_f,
                     gap_rel_reference=g_r) for task, t_f, t_r, g_f, g_r in timings],
        plots=plots)
    with open(out / "summary.json", "w") as fh:
        json.dump(summary, fh, indent=1)
        fh.write("\n")
    print(f"summary: {out / 'summary.json'}")
    return 0
