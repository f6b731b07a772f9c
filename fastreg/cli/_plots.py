"""Every plot of the command line, and the only module that imports matplotlib.

matplotlib is an optional dependency (the ``plot`` extra): it is imported
lazily, through the object-oriented API (``Figure`` with the Agg canvas, no
pyplot, no GUI backend). :func:`missing` tells whether it can be imported.
"""
import numpy as np

__all__ = ["missing", "INSTALL_HINT", "demo_paths", "demo_cv", "bench_times",
           "bench_speedup", "bench_paths"]

INSTALL_HINT = 'pip install "fastreg[plot]" (or pip install matplotlib)'

#: One colour per implementation, the same in every bench plot.
IMPL_COLORS = {"fastreg": "#d62728", "reference": "#7f7f7f", "sklearn": "#1f77b4",
               "celer": "#2ca02c", "skglm": "#9467bd", "numpy": "#ff7f0e"}


def missing():
    """None if matplotlib imports, else a one-line reason with the install hint."""
    try:
        import matplotlib  # noqa: F401
        from matplotlib.backends.backend_agg import FigureCanvasAgg  # noqa: F401
    except ImportError:
        return f"matplotlib is not installed: {INSTALL_HINT}"
    return None


def _figure(width, height):
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height), layout="constrained")
    FigureCanvasAgg(fig)
    return fig


def _save(fig, path):
    fig.savefig(path, dpi=110)
    return path


# ---------------------------------------------------------------------------
# demo
# ---------------------------------------------------------------------------

def demo_paths(path, feature_names, panels):
    """Coefficient paths, one panel per model.

    ``panels``: list of ``(title, alphas, coefs of shape (p, n_alphas), chosen alpha)``.
    The alpha axis is logarithmic and decreasing to the right (the model grows).
    """
    fig = _figure(5.2 * len(panels) + 1.6, 4.6)
    axes = fig.subplots(1, len(panels), sharey=True, squeeze=False)[0]
    colors = [f"C{j % 10}" for j in range(len(feature_names))]
    for ax, (title, alphas, coefs, chosen) in zip(axes, panels):
        for j, name in enumerate(feature_names):
            ax.plot(alphas, coefs[j], color=colors[j], lw=1.6, label=name)
        ax.axvline(chosen, color="k", ls="--", lw=1, label="alpha chosen by CV")
        ax.annotate(f"CV: alpha = {chosen:.3g} ", (chosen, 0.0),
                    xycoords=("data", "axes fraction"), xytext=(-2, 4),
                    textcoords="offset points", ha="right", va="bottom", fontsize="small",
                    bbox=dict(boxstyle="round,pad=0.2", fc="white", ec="none", alpha=0.8))
        ax.axhline(0, color="0.6", lw=0.8)
        ax.set_xscale("log")
        ax.set_xlim(alphas.max() * 1.2, alphas.min() / 1.2)
        ax.set_xlabel("alpha (log scale, decreasing: less penalty to the right)")
        ax.set_title(title)
        ax.grid(True, which="major", alpha=0.3)
    axes[0].set_ylabel("coefficient (standardised features)")
    handles, labels = axes[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside right center", fontsize="small",
               title="feature")
    fig.suptitle("Regularisation paths on the diabetes data (fastreg.enet_path)")
    return _save(fig, path)


def _cv_curve(ax, alphas, mse, label, color, chosen=None, band=True):
    """Mean held-out error against alpha; ``mse`` is (n_alphas,) or (n_alphas, n_folds)."""
    mse = np.asarray(mse)
    mean = mse.mean(axis=1) if mse.ndim == 2 else mse
    ax.plot(alphas, mean, color=color, lw=1.8, label=label)
    if band and mse.ndim == 2:
        se = mse.std(axis=1, ddof=1) / np.sqrt(mse.shape[1])
        ax.fill_between(alphas, mean - se, mean + se, color=color, alpha=0.15, lw=0)
    if chosen is not None:
        k = int(np.argmin(np.abs(np.log(alphas) - np.log(chosen))))
        ax.plot([alphas[k]], [mean[k]], "o", color=color, ms=7, mec="k", zorder=3)


def demo_cv(path, lasso, enet, ridge, ic):
    """Cross-validation curves of the three models, one panel each, and the
    information criteria of the Lasso path beside them.

    ``lasso``: ``(alphas, mse_path (n_alphas, n_folds), alpha_)``;
    ``enet``: ``(alphas (k, n_alphas), mse_path (k, n_alphas, n_folds), l1_ratios,
    alpha_, l1_ratio_)``; ``ridge``: ``(alphas, mean leave-one-out error, alpha_)``;
    ``ic``: ``(alphas, BIC per alpha, BIC's alpha_, AIC per alpha, AIC's alpha_,
    the CV alpha_)``.
    """
    fig = _figure(19, 4.6)
    ax_l, ax_c, ax_e, ax_r = fig.subplots(1, 4)
    alphas, mse, chosen = lasso
    _cv_curve(ax_l, alphas, mse, "mean over 5 folds, +- 1 s.e.", "C0", chosen)
    ax_l.axvline(chosen, color="k", ls="--", lw=1, label=f"alpha_ = {chosen:.3g}")
    ax_l.set_title("LassoCV (5-fold)")
    i_alphas, bic, bic_alpha, aic, aic_alpha, cv_alpha = ic
    ax_c.plot(i_alphas, bic, color="C1", lw=1.8, label="BIC")
    ax_c.plot(i_alphas, aic, color="C4", lw=1.4, ls="-.", label="AIC")
    for values, chosen, color in ((bic, bic_alpha, "C1"), (aic, aic_alpha, "C4")):
        k = int(np.argmin(np.abs(np.log(i_alphas) - np.log(chosen))))
        ax_c.plot([i_alphas[k]], [values[k]], "o", color=color, ms=7, mec="k", zorder=3)
    ax_c.axvline(bic_alpha, color="C1", ls="--", lw=1, label=f"BIC alpha_ = {bic_alpha:.3g}")
    ax_c.axvline(cv_alpha, color="k", ls=":", lw=1, label=f"CV alpha_ = {cv_alpha:.3g}")
    ax_c.set_title("LassoIC: one path, no refits")
    ax_c.set_ylabel("criterion (lower is better)")
    e_alphas, e_mse, ratios, e_chosen, e_ratio = enet
    for k, ratio in enumerate(ratios):
        _cv_curve(ax_e, e_alphas[k], e_mse[k], f"l1_ratio = {ratio:g}", f"C{k}",
                  e_chosen if ratio == e_ratio else None)
    ax_e.axvline(e_chosen, color="k", ls="--", lw=1,
                 label=f"alpha_ = {e_chosen:.3g}, l1_ratio_ = {e_ratio:g}")
    ax_e.set_title("ElasticNetCV (5-fold)")
    r_alphas, r_mse, r_chosen = ridge
    _cv_curve(ax_r, r_alphas, r_mse, "exact leave-one-out", "C3", r_chosen, band=False)
    ax_r.axvline(r_chosen, color="k", ls="--", lw=1, label=f"alpha_ = {r_chosen:.3g}")
    ax_r.set_title("RidgeCV (leave-one-out)")
    for ax in (ax_l, ax_c, ax_e, ax_r):
        ax.set_xscale("log")
        ax.set_xlabel("alpha (log scale)")
        ax.grid(True, which="major", alpha=0.3)
        ax.legend(fontsize="small")
    ax_l.set_ylabel("held-out mean squared error")
    ax_r.set_xlabel("alpha (log scale; Ridge units: ||y - Xw - b||^2 + alpha ||w||^2)")
    fig.suptitle("Choosing alpha on the diabetes data: cross-validation and information "
                 "criteria")
    return _save(fig, path)


# ---------------------------------------------------------------------------
# bench
# ---------------------------------------------------------------------------

def _grouped_bars(ax, groups, impls, value, base=None, labels=None):
    """Bars grouped by ``groups`` (x positions), one bar per implementation with a value.

    ``base``: bars start there (a ratio plot draws from 1, up or down);
    ``labels(v)``: text printed at the end of each bar.
    """
    present = [i for i in impls if any(value(g, i) is not None for g in groups)]
    width = 0.8 / max(len(present), 1)
    for k, impl in enumerate(present):
        for g, key in enumerate(groups):
            v = value(key, impl)
            if v is None:
                continue
            x = g - 0.4 + (k + 0.5) * width
            bottom = base if base is not None else 0
            ax.bar(x, v - bottom, bottom=bottom, width=width * 0.92,
                   color=IMPL_COLORS.get(impl, "0.5"))
            if labels is not None:
                ax.annotate(labels(v), (x, v), xytext=(0, 2 if v >= bottom else -2),
                            textcoords="offset points", ha="center",
                            va="bottom" if v >= bottom else "top", fontsize=6.5)
    ax.set_xticks(range(len(groups)))
    ax.set_xlim(-0.5, len(groups) - 0.5)
    return present


def _legend(fig, impls, title):
    from matplotlib.patches import Patch

    handles = [Patch(color=IMPL_COLORS.get(i, "0.5"), label=i) for i in impls]
    fig.legend(handles=handles, loc="outside right center", title=title)


def _fit_layout(results):
    from ..benchmarks.report import IMPL_ORDER, TASK_ORDER, ok_cases

    cases = ok_cases(results, "fit")
    order = {}
    for c in results["cases"]:
        order.setdefault(c["problem"], len(order))
    tasks = [t for t in TASK_ORDER if any(c["task"] == t for c in cases)]
    problems = sorted({c["problem"] for c in cases}, key=order.get)
    sizes = {c["problem"]: f"{c['n']} x {c['p']}" for c in cases}
    real = {c["problem"] for c in cases if c.get("source") == "real"}
    impls = [i for i in IMPL_ORDER if any(c["impl"] == i for c in cases)]
    medians = {(c["task"], c["problem"], c["impl"]): c["median"] for c in cases}
    return tasks, problems, sizes, real, impls, medians


def _task_rows(results):
    """One row of axes per task, the problems on a shared x axis."""
    tasks, problems, sizes, real, impls, medians = _fit_layout(results)
    fig = _figure(max(7.5, 1.2 * len(problems) + 2.5), 0.6 + 2.5 * len(tasks))
    axes = fig.subplots(len(tasks), 1, squeeze=False, sharex=True)[:, 0]
    axes[-1].set_xticks(range(len(problems)))
    axes[-1].set_xticklabels([f"{p}\n{sizes[p]}" for p in problems], fontsize="small")
    first_real = next((k for k, p in enumerate(problems) if p in real), None)
    if first_real:  # synthetic problems, then real datasets: a separator
        for ax in axes:
            ax.axvline(first_real - 0.5, color="0.4", ls=":", lw=1)
        for x, text, ha in ((first_real - 0.55, "synthetic", "right"),
                            (first_real - 0.45, "real data", "left")):
            axes[0].annotate(text, (x, 1.0), xycoords=("data", "axes fraction"),
                             xytext=(0, -3), textcoords="offset points", ha=ha, va="top",
                             fontsize="small", color="0.3")
    return fig, axes, tasks, problems, impls, medians


def _seconds_axis(ax):
    """Log scale, ticks written as times (``1 ms``); minor ticks are labelled where
    matplotlib would label them (a span of less than a decade)."""
    from matplotlib.ticker import LogFormatterSciNotation

    from ..benchmarks.report import fmt_time

    class TimeFormatter(LogFormatterSciNotation):
        def __call__(self, x, pos=None):
            return fmt_time(x) if super().__call__(x, pos) else ""

    ax.set_yscale("log")
    ax.yaxis.set_major_formatter(TimeFormatter())
    ax.yaxis.set_minor_formatter(TimeFormatter(labelOnlyBase=False))


def bench_times(results, path):
    """Median time per fit of each solver, grouped by problem, one row per task."""
    from ..benchmarks.report import TASK_TITLES

    fig, axes, tasks, problems, impls, medians = _task_rows(results)
    for ax, task in zip(axes, tasks):
        _grouped_bars(ax, problems, impls,
                      lambda prob, impl: medians.get((task, prob, impl)))
        _seconds_axis(ax)
        ax.set_ylabel(f"{TASK_TITLES.get(task, task)}\ntime per fit")
        ax.grid(True, axis="y", which="major", alpha=0.3)
    _legend(fig, impls, "solver")
    fig.suptitle("Median time per fit at the same accuracy (log scale; lower is better)")
    return _save(fig, path)


def bench_speedup(results, path):
    """Speed-up of fastreg over each other solver: median(other) / median(fastreg)."""
    from matplotlib.ticker import FuncFormatter

    from ..benchmarks.report import TASK_TITLES, fmt_ratio, speedups

    ratios = speedups(results)
    fig, axes, tasks, problems, impls, _ = _task_rows(results)
    others = [i for i in impls if i != "fastreg"]
    top = max((r for by in ratios.values() for r in by.values()), default=10.0)
    low = min((r for by in ratios.values() for r in by.values()), default=1.0)
    for ax, task in zip(axes, tasks):
        _grouped_bars(ax, problems, others,
                      lambda prob, impl: ratios.get((task, prob), {}).get(impl),
                      base=1.0, labels=fmt_ratio)
        ax.axhline(1.0, color="k", lw=1)
        ax.set_yscale("log")
        ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}x"))
        ax.set_ylim(min(low, 1.0) / 2.5, max(top, 1.0) * 3)
        ax.set_ylabel(f"{TASK_TITLES.get(task, task)}\nspeed-up")
        ax.grid(True, axis="y", which="major", alpha=0.3)
    _legend(fig, others, "fastreg vs")
    eps = results.get("config", {}).get("gap_eps", 1e-6)
    fig.suptitle("Speed-up of fastreg = time(solver) / time(fastreg), log scale; above 1: "
                 f"fastreg is faster\n(every solver at the same accuracy: duality gap <= "
                 f"{eps:g} ||y - mean(y)||²/n)")
    return _save(fig, path)


def bench_paths(results, path):
    """Lasso path time against the number of alphas (log-log), one line per solver."""
    from ..benchmarks.report import IMPL_ORDER, ok_cases

    cases = ok_cases(results, "path")
    problems = list(dict.fromkeys(c["problem"] for c in cases))
    styles = ["-", "--", ":", "-."]
    fig = _figure(7.5, 4.8)
    ax = fig.subplots()
    for s, prob in enumerate(problems):
        for impl in IMPL_ORDER:
            pts = sorted((c["n_alphas"], c["median"]) for c in cases
                         if c["problem"] == prob and c["impl"] == impl)
            if not pts:
                continue
            n = next(c for c in cases if c["problem"] == prob)
            label = impl if len(problems) == 1 else f"{impl}, {prob}"
            ax.plot(*zip(*pts), styles[s % len(styles)], marker="o",
                    color=IMPL_COLORS.get(impl, "0.5"), label=label)
    from matplotlib.ticker import FixedLocator, NullLocator, ScalarFormatter

    ax.set_xscale("log")
    ax.xaxis.set_major_locator(FixedLocator(sorted({c["n_alphas"] for c in cases})))
    ax.xaxis.set_minor_locator(NullLocator())
    ax.xaxis.set_major_formatter(ScalarFormatter())
    _seconds_axis(ax)
    ax.set_xlabel("number of alphas on the path (log scale)")
    ax.set_ylabel("median time of the whole path (log scale)")
    ax.grid(True, which="both", alpha=0.3)
    title = "Lasso path time against the number of alphas"
    if len(problems) == 1:
        title += f"\n{problems[0]} ({n['n']} x {n['p']}), warm starts, same accuracy"
    ax.set_title(title)
    ax.legend(title="solver")
    return _save(fig, path)
