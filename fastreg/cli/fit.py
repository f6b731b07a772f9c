"""``python -m fastreg fit DATA``: fit a model to a data file and write its coefficients.

The file formats are described in :mod:`fastreg.cli._io`. The model is fitted
exactly as the estimator would be from Python (same parameters, same result):

============  ======================  ==============================================
``--model``   with ``--alpha A``      otherwise (``--cv K``, default 5 folds)
============  ======================  ==============================================
lasso         ``Lasso(alpha=A)``      ``LassoCV(cv=K)``
enet          ``ElasticNet(A, R)``    ``ElasticNetCV(l1_ratio=R, cv=K)``
ridge         ``Ridge(alpha=A)``      ``RidgeCV(alphas=grid)``: exact leave-one-out,
                                      or K folds with ``--cv K``
============  ======================  ==============================================

``--criterion C`` (aic, bic or ebic) chooses alpha on one path instead:
``LassoIC(criterion=C)`` or ``ElasticNetIC(l1_ratio=R, criterion=C)``.
``--relax`` makes the cross-validated Lasso and Elastic-Net relaxed
(``relax=True``: CV chooses alpha and gamma).

The Ridge grid is ``s * logspace(-6, 2, 41)`` with ``s = ||X_c||_F^2 / p``, the
mean squared norm of the centred columns (Ridge's alpha is in those units).
"""
import time
import warnings
from pathlib import Path

import numpy as np
import scipy.sparse as sp

from ._errors import CommandError
from ._io import load_data, write_coefficients
from ._objective import PENALTY_TEXT, objective

__all__ = ["run_fit", "make_estimator", "ridge_alphas"]

RIDGE_GRID = np.logspace(-6, 2, 41)


def ridge_alphas(X):
    """The RidgeCV grid of the command: :data:`RIDGE_GRID` times ``||X_c||_F^2 / p``."""
    n, p = X.shape
    if sp.issparse(X):
        mean = np.asarray(X.mean(axis=0)).ravel()
        sq = float(X.multiply(X).sum()) - n * float(mean @ mean)
    else:
        Xc = X - X.mean(axis=0)
        sq = float(np.sum(Xc * Xc))
    scale = sq / p if sq > 0 else 1.0
    return scale * RIDGE_GRID


def make_estimator(model, X, alpha=None, cv=None, l1_ratio=None, tol=1e-4, max_iter=1000,
                   criterion=None, relax=False):
    """The estimator the command fits (see the module docstring)."""
    import fastreg

    if model != "enet" and l1_ratio is not None:
        raise CommandError(f"--l1-ratio applies to --model enet only, not {model}")
    if model == "ridge" and (criterion is not None or relax):
        raise CommandError("--criterion and --relax apply to --model lasso and enet only, "
                           "not ridge")
    if relax and (alpha is not None or criterion is not None):
        raise CommandError("--relax chooses alpha and gamma by cross-validation: it does "
                           "not combine with --alpha or --criterion")
    ratios = [0.5] if l1_ratio is None else list(l1_ratio)
    if (alpha is not None or criterion is not None) and len(ratios) > 1:
        raise CommandError("--l1-ratio takes a single value with --alpha or --criterion (a "
                           "list is searched by cross-validation)")
    folds = 5 if cv is None else cv
    common = dict(tol=tol, max_iter=max_iter)
    if model == "lasso":
        if alpha is not None:
            return fastreg.Lasso(alpha=alpha, **common)
        if criterion is not None:
            return fastreg.LassoIC(criterion=criterion, **common)
        return fastreg.LassoCV(cv=folds, relax=relax, **common)
    if model == "enet":
        if alpha is not None:
            return fastreg.ElasticNet(alpha=alpha, l1_ratio=ratios[0], **common)
        if criterion is not None:
            return fastreg.ElasticNetIC(l1_ratio=ratios[0], criterion=criterion, **common)
        return fastreg.ElasticNetCV(l1_ratio=ratios if len(ratios) > 1 else ratios[0],
                                    cv=folds, relax=relax, **common)
    if alpha is not None:
        return fastreg.Ridge(alpha=alpha, tol=tol)
    return fastreg.RidgeCV(alphas=ridge_alphas(X), cv=cv)


def _describe_choice(est, model, cv):
    name = type(est).__name__
    if name.endswith("IC"):
        return (f"chosen by {est.criterion.upper()} over {np.size(est.alphas_)} alphas, noise "
                f"variance {est.noise_variance_:.4g}")
    if not name.endswith("CV"):
        return "given"
    if model == "ridge":
        how = "leave-one-out" if cv is None else f"{cv}-fold cross-validation"
        return f"chosen by {how} over {len(est.alphas)} alphas"
    text = f"chosen by {cv or 5}-fold cross-validation over {np.size(est.alphas_)} alphas"
    if getattr(est, "relax", False):
        text += (f" and {len(est.gammas)} gammas: relaxed, gamma = {est.gamma_:g}; the "
                 "objective below is the penalised one at that alpha, which the relaxed "
                 "coefficients do not minimise")
    return text


def run_fit(args):
    """Run the command on parsed arguments; return the exit code."""
    from sklearn.exceptions import ConvergenceWarning

    out = Path(args.out) if args.out else Path.cwd() / f"{Path(args.data).stem}-coef.csv"
    if out.suffix.lower() not in (".csv", ".json"):
        raise CommandError(f"--out {out}: the coefficients file must end in .csv or .json")
    if not out.parent.is_dir():
        raise CommandError(f"--out {out}: no such folder {str(out.parent)!r}")
    data = load_data(args.data, fmt=args.format, target=args.target)
    X, y = data.X, data.y
    est = make_estimator(args.model, X, alpha=args.alpha, cv=args.cv, l1_ratio=args.l1_ratio,
                         tol=args.tol, max_iter=args.max_iter, criterion=args.criterion,
                         relax=args.relax)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ConvergenceWarning)
        start = time.perf_counter()
        try:
            est.fit(X, y)
        except ValueError as exc:
            raise CommandError(f"cannot fit {type(est).__name__} to {data.path}: "
                               f"{str(exc).splitlines()[0]}") from None
        seconds = time.perf_counter() - start
    coef, intercept = np.asarray(est.coef_, dtype=np.float64), float(est.intercept_)
    alpha = float(est.alpha_ if hasattr(est, "alpha_") else est.alpha)
    l1_ratio = {"lasso": 1.0, "ridge": 0.0}.get(
        args.model, float(getattr(est, "l1_ratio_", getattr(est, "l1_ratio", 0.5))))
    obj = objective(args.model, X, y, coef, intercept, alpha, l1_ratio)

    n, p = X.shape
    layout = f"sparse {X.format.upper()}" if sp.issparse(X) else "dense"
    print(f"data: {data.path} ({data.format}), target {data.target_name!r}: n = {n} "
          f"samples, p = {p} features, density {data.density:.3g} ({layout})")
    model = {"lasso": "Lasso", "enet": "Elastic-Net", "ridge": "Ridge"}[args.model]
    ratio = f", l1_ratio = {l1_ratio:g}" if args.model == "enet" else ""
    print(f"model: {model} ({type(est).__name__}), alpha = {alpha:.6g}{ratio} "
          f"({_describe_choice(est, args.model, args.cv)})")
    print(f"objective: {PENALTY_TEXT[args.model]}")
    print(f"  data-fit {obj.datafit:.8g} + penalty {obj.penalty:.8g} = {obj.total:.8g}")
    print(f"duality gap (independent check): {obj.gap:.3g} ({obj.gap_rel:.2g} of the "
          f"objective at w = 0)")
    print(f"non-zero coefficients: {np.count_nonzero(coef)} of {p}")
    how = {"CV": ", including cross-validation)", "IC": ", including the path)"}
    print(f"time: {seconds * 1e3:.3g} ms (fit" + how.get(type(est).__name__[-2:], ")"))
    for w in caught:
        if issubclass(w.category, ConvergenceWarning):
            print(f"warning: {str(w.message).splitlines()[0]}")
            break
    meta = dict(data=str(data.path), target=data.target_name, n_samples=n, n_features=p,
                model=args.model, estimator=type(est).__name__, alpha=alpha,
                gamma=float(est.gamma_) if getattr(est, "relax", False) else None,
                criterion=args.criterion,
                l1_ratio=l1_ratio, objective=dict(datafit=obj.datafit, penalty=obj.penalty,
                                                  total=obj.total),
                duality_gap=obj.gap, fit_seconds=seconds)
    path = write_coefficients(out, data.feature_names, coef, intercept, meta)
    print(f"coefficients written to {path}")
    return 0
