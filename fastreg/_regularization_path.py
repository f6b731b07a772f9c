"""A regularisation path as an object: ``regularization_path`` solves it,
``RegularizationPath`` answers questions about it (coefficients, intercepts
and predictions at any alpha of its range, exact refits, a table, a plot).

The path is :func:`fastreg._path.path_on_design`'s (in memory) or the Dask
route's (:func:`fastreg._dask.enet.dask_path`), with the intercepts of the
centred problem, ``y_mean - x_mean . w``. Between two alphas of the grid the
coefficients are interpolated linearly in ``log(alpha)``, the scale the grid is
geometric in; an exact refit solves the problem at the requested alpha,
warm-started from the nearest grid solution (glmnet's ``coef(fit, s,
exact=TRUE)``, Friedman, Hastie and Tibshirani, J. Stat. Softw. 33(1), 2010).
"""
import numpy as np
import scipy.sparse as sp
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_array

from ._dask import is_dask_collection
from ._enet_solver import make_penalty
from ._penalty import check_penalty_factor, resolve_box
from ._path import (check_path_data, check_path_options, design_alphas, design_solver,
                    path_on_design)
from ._preprocess import preprocess
from ._result import intercept_from_means
from ._validation import (FLOAT_DTYPES, check_alpha_values, check_array_basics, check_bool,
                          check_choice,
                          check_feature_names, check_finite_fit, check_int, check_real,
                          check_sparse_structure)

#: What an exact refit needs besides ``l1_ratio`` and ``fit_intercept``, with
#: the defaults of :class:`fastreg.ElasticNetCV` (used when a driver gives none).
REFIT_DEFAULTS = dict(tol=1e-4, max_iter=1000, positive=False, penalty_factor=None,
                      precompute="auto", selection="cyclic", random_state=None,
                      lower_bounds=None, upper_bounds=None, standardize=False)


class RegularizationPath:
    """An Elastic-Net regularisation path: coefficients for a grid of alphas,
    queried at any alpha of its range.

    Built by :func:`regularization_path`, or directly from a path already
    solved (a driver's: the constructor only stores its arrays, without
    copies). The objective is :class:`ElasticNet`'s, in scikit-learn's units::

        1 / (2 * n_samples) * ||y - Xw - b||^2_2
        + alpha * l1_ratio * ||w||_1 + 0.5 * alpha * (1 - l1_ratio) * ||w||^2_2

    Parameters
    ----------
    alphas : array-like of shape (n_alphas,)
        The grid, non-increasing, ``>= 0``.
    coefs : ndarray of shape (n_features, n_alphas)
        The solution at each alpha, one column each (scikit-learn's
        ``enet_path`` layout).
    intercepts : array-like of shape (n_alphas,)
        The intercept at each alpha (zeros without one).
    dual_gaps : array-like of shape (n_alphas,)
        The duality gap of each solution, in the objective's units.
    n_iters : array-like of shape (n_alphas,)
        Epochs run at each alpha.
    l1_ratio : float
        Elastic-Net mixing parameter of the path, in [0, 1].
    fit_intercept : bool, default=True
        Whether the intercepts were fitted (by centring the data).
    feature_names : array-like of str of shape (n_features,), default=None
        Names of the features, if known.
    params : dict, default=None
        What an exact refit needs: any of ``tol``, ``max_iter``, ``positive``,
        ``penalty_factor``, ``precompute``, ``selection``, ``random_state``,
        ``lower_bounds``, ``upper_bounds`` and ``standardize``, as in
        :class:`ElasticNet` (those missing take the defaults of
        :class:`ElasticNetCV`). They are the options the path was solved with;
        ``penalty_factor`` also decides whether the path is constant above
        its first alpha (see :meth:`coef`). The box is stored resolved: a
        ``lower_bounds`` of 0 everywhere with no finite upper bound becomes
        ``positive=True`` and no bounds, other boxes float64 arrays of shape
        (n_features,).

    Attributes
    ----------
    alphas : ndarray of shape (n_alphas,)
        The grid, non-increasing.
    coefs : ndarray of shape (n_features, n_alphas)
        Coefficients along the path.
    intercepts : ndarray of shape (n_alphas,)
        Intercepts along the path.
    dual_gaps : ndarray of shape (n_alphas,)
        Duality gaps along the path: each solution's certificate.
    n_iters : ndarray of shape (n_alphas,)
        Epochs run at each alpha.
    n_nonzero : ndarray of shape (n_alphas,)
        Number of non-zero coefficients at each alpha.
    l1_ratio : float
        Elastic-Net mixing parameter.
    fit_intercept : bool
        Whether the intercepts were fitted.
    feature_names : ndarray of shape (n_features,) or None
        Feature names (string column names of a pandas DataFrame X).
    params : dict
        The options of exact refits (see ``params`` above).
    has_data : bool
        Whether the path holds what exact refits need without being given the
        data: a reference to the validated training data (in memory) or the
        sufficient statistics (Dask input); see :func:`regularization_path`
        and :meth:`drop_data`.

    See Also
    --------
    regularization_path : Solve a path and return it as this object.
    enet_path : The same path as bare arrays.

    Notes
    -----
    Interpolation between two grid alphas is linear in ``log(alpha)`` (glmnet
    interpolates linearly in ``lambda`` itself); at a grid alpha the stored
    column is returned exactly. Since the intercept is linear in the
    coefficients, the interpolated intercept is the intercept of the
    interpolated coefficients. A segment that ends at ``alpha = 0`` (an
    explicit grid may contain 0) is interpolated linearly in ``alpha``.
    Interpolated coefficients are not a solution of the problem at that alpha;
    ``exact=True`` refits one.
    """

    def __init__(self, alphas, coefs, intercepts, dual_gaps, n_iters, *, l1_ratio,
                 fit_intercept=True, feature_names=None, params=None):
        alphas = np.asarray(alphas, dtype=np.float64)
        coefs = np.asarray(coefs)
        if alphas.ndim != 1 or alphas.size == 0:
            raise ValueError(f"alphas must be a non-empty 1-D array, got shape "
                             f"{alphas.shape}.")
        n_alphas = alphas.shape[0]
        if not np.all(np.isfinite(alphas)) or np.any(alphas < 0):
            raise ValueError("alphas must be finite and >= 0.")
        if np.any(np.diff(alphas) > 0):
            raise ValueError("alphas must be non-increasing (a path runs from the "
                             "largest alpha down).")
        if coefs.ndim != 2 or coefs.shape[1] != n_alphas or coefs.dtype.kind != "f":
            raise ValueError(f"coefs must be a float array of shape (n_features, "
                             f"{n_alphas}), got {coefs.dtype} of shape {coefs.shape}.")
        arrays = {}
        for name, value in (("intercepts", intercepts), ("dual_gaps", dual_gaps),
                            ("n_iters", n_iters)):
            arrays[name] = np.asarray(value)
            if arrays[name].shape != (n_alphas,):
                raise ValueError(f"{name} must have shape ({n_alphas},), got "
                                 f"{arrays[name].shape}.")
        if feature_names is not None:
            feature_names = np.asarray(feature_names, dtype=object)
            if feature_names.shape != (coefs.shape[0],):
                raise ValueError(f"feature_names must have shape ({coefs.shape[0]},), "
                                 f"got {feature_names.shape}.")
        self.alphas = alphas
        self.coefs = coefs
        self.intercepts = arrays["intercepts"]
        self.dual_gaps = arrays["dual_gaps"]
        self.n_iters = arrays["n_iters"]
        self.l1_ratio = check_real(l1_ratio, "l1_ratio", low=0.0, high=1.0)
        self.fit_intercept = check_bool(fit_intercept, "fit_intercept")
        self.feature_names = feature_names
        self.params = _refit_params(params, coefs.shape[0])
        self._n_nonzero = None
        self._refit = None  # _DataRefit or _StatsRefit: what exact refits run on

    @property
    def n_nonzero(self):
        if self._n_nonzero is None:
            self._n_nonzero = np.count_nonzero(self.coefs, axis=0)
        return self._n_nonzero

    @property
    def has_data(self):
        return self._refit is not None

    def __len__(self):
        return self.alphas.shape[0]

    def __repr__(self):
        a, nz = self.alphas, self.n_nonzero
        data = "kept" if self.has_data else "none"
        return (f"RegularizationPath(n_alphas={len(a)}, alphas=[{a[0]:.4g} .. {a[-1]:.4g}]"
                f", n_features={self.coefs.shape[0]}, n_nonzero=[{nz[0]} .. {nz[-1]}], "
                f"l1_ratio={self.l1_ratio:g}, fit_intercept={self.fit_intercept}, "
                f"data={data})")

    def drop_data(self):
        """Release the training data (or statistics) kept for exact refits.

        ``exact=True`` then needs the data passed in again; a pickle of the
        path no longer contains them.

        Returns
        -------
        self : RegularizationPath
        """
        self._refit = None
        return self

    # ------------------------------------------------------------------
    # queries
    # ------------------------------------------------------------------
    def coef(self, alpha, exact=False, X=None, y=None, sample_weight=None):
        """Coefficients at any alpha of the path's range.

        Parameters
        ----------
        alpha : float or array-like of shape (k,)
            Penalty strengths in ``[alphas.min(), alphas.max()]``. Above
            ``alphas.max()`` too when the first solution has every penalised
            coefficient at zero (the grid starts at alpha_max, as the
            automatic one does): the solution is then the same for every
            larger alpha (glmnet's rule); otherwise a ValueError.
        exact : bool, default=False
            False: interpolate linearly in ``log(alpha)`` between the two
            neighbouring grid solutions (the stored column at a grid alpha).
            True: solve the problem at each alpha, warm-started from the grid
            solution nearest in ``log(alpha)``, with the path's tolerance and
            options (``params``); needs the training data: those the path
            keeps (:attr:`has_data`) or ``X`` and ``y``.
        X : {ndarray, sparse matrix} of shape (n_samples, n_features), default=None
            Training data of an exact refit (the path's own data if None).
        y : ndarray of shape (n_samples,), default=None
            Training target of an exact refit.
        sample_weight : array-like of shape (n_samples,), default=None
            Training sample weights of an exact refit given ``X`` and ``y``.

        Returns
        -------
        coef : ndarray of shape (n_features,) or (n_features, k)
            One column per alpha for an array of alphas.
        """
        return self._at(alpha, exact, X, y, sample_weight)[0]

    def intercept(self, alpha, exact=False, X=None, y=None, sample_weight=None):
        """Intercepts at any alpha of the path's range (see :meth:`coef`).

        Parameters
        ----------
        alpha : float or array-like of shape (k,)
            Penalty strengths, as in :meth:`coef`.
        exact : bool, default=False
            Interpolate (False) or refit (True), as in :meth:`coef`.
        X : {ndarray, sparse matrix} of shape (n_samples, n_features), default=None
            Training data of an exact refit.
        y : ndarray of shape (n_samples,), default=None
            Training target of an exact refit.
        sample_weight : array-like of shape (n_samples,), default=None
            Training sample weights of an exact refit.

        Returns
        -------
        intercept : float or ndarray of shape (k,)
        """
        return self._at(alpha, exact, X, y, sample_weight)[1]

    def predict(self, X, alpha, exact=False, X_train=None, y_train=None,
                sample_weight_train=None):
        """Predictions ``X @ coef(alpha) + intercept(alpha)``.

        Parameters
        ----------
        X : {ndarray, sparse matrix} of shape (n_samples, n_features)
            Samples (dense or scipy.sparse, never densified).
        alpha : float or array-like of shape (k,)
            Penalty strengths, as in :meth:`coef`.
        exact : bool, default=False
            Interpolate (False) or refit (True), as in :meth:`coef`.
        X_train : {ndarray, sparse matrix}, default=None
            Training data of an exact refit (the path's own data if None).
        y_train : ndarray of shape (n_train,), default=None
            Training target of an exact refit.
        sample_weight_train : array-like of shape (n_train,), default=None
            Training sample weights of an exact refit.

        Returns
        -------
        y_pred : ndarray of shape (n_samples,) or (n_samples, k)
            One column per alpha for an array of alphas.
        """
        X = self._check_X(X)
        coef, b = self._at(alpha, exact, X_train, y_train, sample_weight_train)
        return np.asarray(X @ coef) + b

    # ------------------------------------------------------------------
    # views
    # ------------------------------------------------------------------
    def to_frame(self):
        """The path as a table, one row per alpha.

        Returns
        -------
        frame : pandas.DataFrame of shape (n_alphas, 4 + n_features)
            Columns ``alpha``, ``intercept``, ``n_nonzero``, ``dual_gap``,
            then one column of coefficients per feature, named by
            :attr:`feature_names` when known (``x0``, ``x1``, ... otherwise;
            a feature named like one of the first four columns gives a
            duplicate column name).
        """
        try:
            import pandas as pd
        except ImportError as exc:
            raise ImportError("RegularizationPath.to_frame needs pandas: "
                              "pip install pandas") from exc
        summary = pd.DataFrame({"alpha": self.alphas, "intercept": self.intercepts,
                                "n_nonzero": self.n_nonzero, "dual_gap": self.dual_gaps})
        coefs = pd.DataFrame(self.coefs.T, columns=list(self._names()))
        return pd.concat([summary, coefs], axis=1)

    def plot(self, ax=None, kind="coef"):
        """Plot the coefficient profiles (or the duality gaps) against alpha.

        The x axis is ``alpha`` on a log scale, decreasing from left to right
        (glmnet's orientation: the model grows to the right); the top axis
        gives the number of non-zero coefficients at a few grid alphas. A grid
        alpha of 0 cannot be placed on a log scale and is left out.

        Parameters
        ----------
        ax : matplotlib.axes.Axes, default=None
            Where to draw (a new figure if None).
        kind : {'coef', 'gap'}, default='coef'
            ``'coef'``: one line per coefficient (labelled by feature name, a
            legend when there are at most 10 named features); ``'gap'``: the
            duality gap of each solution (log scale; gaps that round to zero or
            below are not drawn).

        Returns
        -------
        ax : matplotlib.axes.Axes
        """
        check_choice(kind, "kind", {"coef", "gap"})
        try:
            import matplotlib.pyplot as plt
            from matplotlib.ticker import NullLocator
        except ImportError as exc:
            raise ImportError("RegularizationPath.plot needs matplotlib: "
                              "pip install fastreg[plot]") from exc
        if ax is None:
            _, ax = plt.subplots()
        keep = self.alphas > 0
        alphas = self.alphas[keep]
        if kind == "coef":
            for name, coef in zip(self._names(), self.coefs[:, keep]):
                ax.plot(alphas, coef, label=name)
            ax.set_ylabel("coefficients")
            if self.feature_names is not None and len(self.feature_names) <= 10:
                ax.legend(fontsize="small")
        else:
            ax.plot(alphas, self.dual_gaps[keep], marker=".")
            ax.set_yscale("log")
            ax.set_ylabel("duality gap")
        ax.set_xscale("log")
        if alphas.size and alphas[0] > alphas[-1]:
            ax.set_xlim(alphas[0], alphas[-1])  # decreasing left to right
        ax.set_xlabel("alpha (log scale)")
        top = ax.secondary_xaxis("top")
        ticks = np.unique(np.linspace(0, alphas.size - 1, min(alphas.size, 6)).round()
                          .astype(int))
        top.set_xticks(alphas[ticks], labels=[str(k) for k in self.n_nonzero[keep][ticks]])
        top.xaxis.set_minor_locator(NullLocator())
        top.set_xlabel("non-zero coefficients")
        return ax

    # ------------------------------------------------------------------
    # internals
    # ------------------------------------------------------------------
    def _names(self):
        if self.feature_names is not None:
            return self.feature_names
        return [f"x{j}" for j in range(self.coefs.shape[0])]

    def _check_X(self, X):
        """Samples to predict: dense or sparse float, the path's width (and its
        feature names when both are known)."""
        names = check_feature_names(X)
        if (names is not None and self.feature_names is not None
                and not np.array_equal(names, self.feature_names)):
            raise ValueError("X's feature names differ from the path's: "
                             f"{list(names)} vs {list(self.feature_names)}.")
        if sp.issparse(X):
            check_sparse_structure(X)
        check_array_basics(X, "X", (2,))
        X = check_array(X, accept_sparse=("csr", "csc", "coo"), dtype=FLOAT_DTYPES,
                        input_name="X")
        if X.shape[1] != self.coefs.shape[0]:
            raise ValueError(f"X has {X.shape[1]} features, but the path has "
                             f"{self.coefs.shape[0]}.")
        return X

    def _at(self, alpha, exact, X, y, sample_weight):
        """(coefficients, intercepts) at ``alpha``, interpolated or refitted."""
        exact = check_bool(exact, "exact")
        scalar = np.ndim(alpha) == 0
        q = (np.array([check_real(alpha, "alpha", low=0.0)]) if scalar
             else check_alpha_values(alpha, "alpha"))
        i, j, t = self._brackets(q)
        if exact:
            start = np.where(t <= 0.5, i, j)  # nearest in log(alpha)
            coefs, intercepts = self._refitter(X, y, sample_weight).solve(
                q, self.coefs[:, start], self)
        else:
            c64 = np.float64
            coefs = (self.coefs[:, i].astype(c64) * (1 - t)
                     + self.coefs[:, j].astype(c64) * t).astype(self.coefs.dtype)
            intercepts = (self.intercepts[i].astype(c64) * (1 - t)
                          + self.intercepts[j].astype(c64) * t).astype(self.intercepts.dtype)
        return (coefs[:, 0], intercepts[0]) if scalar else (coefs, intercepts)

    def _brackets(self, q):
        """For each alpha of ``q``: the grid columns ``i`` (larger alpha) and ``j``
        (smaller) around it and the weight ``t`` of ``j``, linear in
        ``log(alpha)`` (in ``alpha`` on a segment ending at 0); at a grid
        alpha ``i = j`` (its first occurrence) and ``t = 0``."""
        a = self.alphas
        n = a.shape[0]
        low, high = a[-1], a[0]
        bad = q < low
        if np.any(q > high) and not self._constant_above():
            bad |= q > high
        if np.any(bad):
            raise ValueError(
                f"alpha={float(q[bad][0])!r} is outside the path's range "
                f"[{float(low)!r}, {float(high)!r}]"
                + ("" if np.any(q[bad] < low) else
                   " (above it the solution is not known to be constant: the first "
                   "grid solution has non-zero penalised coefficients)")
                + "; fit a path that covers it.")
        r = a[::-1]  # increasing
        k = np.searchsorted(r, q, side="right")  # r[k - 1] <= q < r[k]
        on_grid = (k > 0) & (r[np.maximum(k - 1, 0)] == q)
        above = k == n
        i = np.where(on_grid, n - k, np.maximum(n - 1 - k, 0))
        j = np.where(above, 0, n - k)
        ai, aj = a[i], a[j]
        between = ~on_grid & ~above
        t = np.zeros(q.shape[0])
        with np.errstate(divide="ignore", invalid="ignore"):
            log_t = (np.log(ai) - np.log(q)) / (np.log(ai) - np.log(aj))
            lin_t = (ai - q) / (ai - aj)
        t[between] = np.where(aj > 0, log_t, lin_t)[between]
        return i, j, t

    def _constant_above(self):
        """Whether the first solution has every penalised coefficient at zero:
        then it is optimal for every larger alpha too. Its optimality
        conditions are, for the penalised features, ``x_j . r / n`` in
        ``alpha l1_ratio pf_j [-1, 1]`` plus the normal cone of the box at 0
        (which does not depend on alpha), and for the unpenalised ones a
        (bounded) least squares that does not involve alpha: they only loosen
        as alpha grows, with or without a box or standardisation (the L1
        factors ``pf_j d_j`` are zero exactly where ``pf_j`` is, or where the
        column is constant and its coefficient held at 0)."""
        pf = self.params["penalty_factor"]
        first = self.coefs[:, 0] if pf is None else self.coefs[pf > 0, 0]
        return self.alphas[0] > 0 and not np.any(first)

    def _refitter(self, X, y, sample_weight):
        if X is None and y is None:
            if self._refit is None:
                raise ValueError(
                    "exact=True needs the training data: this path keeps none (built "
                    "without them, keep_data=False, copy_X=False, or drop_data()); pass "
                    "X and y (and sample_weight) of the fit.")
            return self._refit
        if X is None or y is None:
            raise ValueError("exact=True with data needs both X and y.")
        if is_dask_collection(X):
            from ._dask.enet import dask_path_problem
            prm = self.params
            problem, st, _ = dask_path_problem(X, y, sample_weight, self.fit_intercept,
                                               prm["penalty_factor"], prm["positive"],
                                               _box(prm), prm["standardize"])
            refit = _StatsRefit(problem, st)
            p = problem.G.shape[0]
        else:
            X, y, sample_weight, _, _ = check_path_data(
                X, y, sample_weight, self.params["penalty_factor"], self.params["positive"])
            refit, p = _DataRefit(X, y, sample_weight), X.shape[1]
        if p != self.coefs.shape[0]:
            raise ValueError(f"X has {p} features, but the path has "
                             f"{self.coefs.shape[0]}.")
        return refit


def _box(params):
    """The resolved box of refit ``params`` (None: none beyond ``positive``)."""
    lower, upper = params["lower_bounds"], params["upper_bounds"]
    return None if lower is None else (lower, upper)


def _refit_params(params, n_features):
    """``params`` over :data:`REFIT_DEFAULTS`, checked; the box resolved
    (:func:`fastreg._penalty.resolve_box`: arrays, or None with ``positive``)."""
    out = dict(REFIT_DEFAULTS)
    if params is not None:
        unknown = set(params) - set(out)
        if unknown:
            raise ValueError(f"params has unknown keys {sorted(unknown)}; known: "
                             f"{sorted(out)}.")
        out.update(params)
    check_real(out["tol"], "params['tol']", low=0.0)
    check_int(out["max_iter"], "params['max_iter']", low=1)
    check_bool(out["positive"], "params['positive']")
    check_choice(out["selection"], "params['selection']", {"cyclic", "random"})
    check_bool(out["standardize"], "params['standardize']")
    out["penalty_factor"] = check_penalty_factor(out["penalty_factor"], n_features,
                                                 out["positive"])
    bounds, out["positive"] = resolve_box(out["lower_bounds"], out["upper_bounds"],
                                          n_features, out["positive"])
    out["lower_bounds"], out["upper_bounds"] = (None, None) if bounds is None else bounds
    return out


def _solve_from(solve, alphas, starts, dtype, random_state):
    """``solve(coef, alpha, seed)`` at each alpha from its own start (a column of
    ``starts``, copied in ``dtype``); seeds drawn from ``random_state`` in turn,
    as along a path. Returns the solutions, one column each."""
    rng = check_random_state(random_state)
    coefs = np.array(starts, dtype=dtype, order="F")  # columns contiguous: solved in place
    for k, alpha in enumerate(alphas):
        solve(coefs[:, k], float(alpha), int(rng.randint(np.iinfo(np.int32).max)))
    return coefs


class _DataRefit:
    """Exact refits on in-memory training data (validated; a reference, no copy)."""

    def __init__(self, X, y, sample_weight):
        self.X, self.y, self.sample_weight = X, y, sample_weight

    def solve(self, alphas, starts, path):
        """(coefs (p, k), intercepts (k,)) at ``alphas``, from ``starts``."""
        prm = path.params
        design = preprocess(self.X, self.y, self.sample_weight, path.fit_intercept,
                            copy_X=True, normalize_weights=True, lazy=True)
        solve = design_solver(design, path.l1_ratio, len(alphas), tol=prm["tol"],
                              max_iter=prm["max_iter"], positive=prm["positive"],
                              selection=prm["selection"], precompute=prm["precompute"],
                              penalty=make_penalty(design, prm["penalty_factor"],
                                                   _box(prm), prm["standardize"]))
        coefs = _solve_from(solve, alphas, starts, design.dtype, prm["random_state"])
        return coefs, intercept_from_means(coefs.T, design.x_mean, design.y_mean,
                                           path.fit_intercept)


class _StatsRefit:
    """Exact refits on a Dask path's sufficient statistics (no pass over the data)."""

    def __init__(self, problem, stats):
        self.problem, self.stats = problem, stats

    def solve(self, alphas, starts, path):
        """(coefs (p, k), intercepts (k,)) at ``alphas``, from ``starts``."""
        from ._dask.stats import intercept

        prm = path.params

        def solve(w, alpha, seed):
            # the ConvergenceWarning points at the caller of coef/intercept/predict
            return self.problem.solve(w, alpha, path.l1_ratio, seed, prm, stacklevel=7)

        coefs = _solve_from(solve, alphas, starts, np.float64, prm["random_state"])
        coefs = coefs.astype(path.coefs.dtype)
        return coefs, intercept(self.stats, coefs.T, path.fit_intercept, 1)


def path_from_design(design, alphas, l1_ratio, *, fit_intercept, feature_names=None,
                     penalty=None, **params):
    """Solve a warm-started path on a preprocessed design and return it as a
    :class:`RegularizationPath` holding no data (the estimators' ``path_``:
    exact refits then need the data passed in).

    Parameters
    ----------
    design : Design
        Preprocessed data with a 1-D target.
    alphas : ndarray of shape (n_alphas,)
        The grid, decreasing.
    l1_ratio : float
        Elastic-Net mixing parameter.
    fit_intercept : bool
        Whether the design was centred (the intercepts come from its means).
    feature_names : ndarray of str, default=None
        Names of the features, if known.
    penalty : fastreg._penalty.Penalty, default=None
        Factors, box and standardisation already prepared for ``design``.
    **params
        The options of :func:`fastreg._path.path_on_design` (``tol``,
        ``max_iter``, ``positive``, ``random_state``, ``selection``,
        ``precompute``, ``penalty_factor``, ``lower_bounds``,
        ``upper_bounds``, ``standardize``): the path's ``params`` (with
        ``penalty`` given, the factors, box and standardisation it was
        prepared from must be among them, for exact refits).

    Returns
    -------
    path : RegularizationPath
    """
    coefs, gaps, n_iters = path_on_design(design, alphas, l1_ratio, penalty=penalty,
                                          **params)
    intercepts = intercept_from_means(coefs.T, design.x_mean, design.y_mean, fit_intercept)
    check_finite_fit(coefs, intercepts)
    return RegularizationPath(alphas, coefs, intercepts, gaps, n_iters, l1_ratio=l1_ratio,
                              fit_intercept=fit_intercept, feature_names=feature_names,
                              params={k: v for k, v in params.items() if k in REFIT_DEFAULTS})


def regularization_path(X, y, *, l1_ratio=1.0, eps=1e-3, n_alphas=100, alphas=None,
                        fit_intercept=True, sample_weight=None, penalty_factor=None,
                        positive=False, precompute="auto", tol=1e-4, max_iter=1000,
                        selection="cyclic", random_state=None, copy_X=True,
                        keep_data=True, lower_bounds=None, upper_bounds=None,
                        standardize=False):
    """Solve the Elastic-Net along a grid of alphas and return the path as a
    :class:`RegularizationPath`.

    The path of :func:`enet_path` (same validation, grid, warm starts and
    solutions), with :class:`ElasticNet`'s parameters and defaults (an
    intercept, by default), the intercepts, and an object to query it at any
    alpha of its range. Minimises, for each alpha::

        1 / (2 * n_samples) * ||y - Xw - b||^2_2
        + alpha * l1_ratio * ||w||_1 + 0.5 * alpha * (1 - l1_ratio) * ||w||^2_2

    Parameters
    ----------
    X : {ndarray, sparse matrix, pandas DataFrame, dask array} of shape \
            (n_samples, n_features)
        Training data: dense, scipy.sparse CSC/CSR (never densified),
        float32 or float64; a Dask array is reduced to its sufficient
        statistics in one pass (:ref:`dask`).
    y : array-like of shape (n_samples,)
        Target.
    l1_ratio : float, default=1.0
        Elastic-Net mixing parameter: 1 is the Lasso; in (0, 1] for an
        automatic grid.
    eps : float, default=1e-3
        ``alpha_min / alpha_max`` of the automatic grid.
    n_alphas : int, default=100
        Number of alphas of the automatic grid.
    alphas : array-like or int, default=None
        Explicit alphas (solved in decreasing order), or the number of alphas
        of the automatic grid.
    fit_intercept : bool, default=True
        Whether to fit an (unpenalised) intercept.
    sample_weight : float or array-like of shape (n_samples,), default=None
        Sample weights, normalised to sum to n_samples.
    penalty_factor : array-like of shape (n_features,), default=None
        Per-feature penalty factors (see :class:`ElasticNet`).
    positive : bool, default=False
        Constrain the coefficients to be non-negative.
    precompute : bool, 'auto' or array-like, default='auto'
        Gram mode, built once for the whole path (see :func:`enet_path`).
    tol : float, default=1e-4
        Duality-gap tolerance of each solve, relative to
        ``||y_centred||^2 / n``.
    max_iter : int, default=1000
        Maximum number of epochs of each solve.
    selection : {'cyclic', 'random'}, default='cyclic'
        Coordinate selection rule.
    random_state : int, RandomState instance or None, default=None
        Seed of the random selection.
    copy_X : bool, default=True
        If False, a dense Fortran-ordered float X may be centred in place; the
        path then keeps no data (as ``keep_data=False``).
    keep_data : bool, default=True
        Keep what exact refits (``coef(alpha, exact=True)``) need: a
        reference to the validated X, y and weights, not a copy (X itself
        when it was a float32/float64 array or CSC/CSR matrix: modifying it
        afterwards changes later exact refits; pickling the path pickles
        them too), or, for Dask input, the sufficient statistics (n_features
        squared floats). :meth:`RegularizationPath.drop_data` releases them.
    lower_bounds, upper_bounds : float or array-like of shape (n_features,), \
            default=None
        Per-coefficient box ``lower <= w <= upper`` (scalars broadcast,
        -inf/+inf allowed, ``lower <= 0 <= upper``; ``positive=True`` is
        ``lower_bounds=0``); see :class:`ElasticNet`.
    standardize : bool, default=False
        Penalise the coefficients of the columns scaled to unit weighted
        standard deviation (glmnet's ``standardize``); the path is reported on
        the original scale. See :class:`ElasticNet`.

    Returns
    -------
    path : RegularizationPath
        Its ``params`` are this call's ``tol``, ``max_iter``, ``positive``,
        ``penalty_factor``, ``precompute``, ``selection``, ``random_state``,
        ``lower_bounds``, ``upper_bounds`` and ``standardize`` (exact refits
        solve the same problem).

    See Also
    --------
    enet_path : The path as bare arrays (scikit-learn's function).
    """
    opts = check_path_options(l1_ratio=l1_ratio, eps=eps, tol=tol, max_iter=max_iter,
                              selection=selection, fit_intercept=fit_intercept,
                              positive=positive, standardize=standardize)
    l1_ratio, eps, positive = opts["l1_ratio"], opts["eps"], opts["positive"]
    tol, max_iter, fit_intercept = opts["tol"], opts["max_iter"], opts["fit_intercept"]
    standardize = opts["standardize"]
    copy_X, keep_data = check_bool(copy_X, "copy_X"), check_bool(keep_data, "keep_data")
    params = dict(tol=tol, max_iter=max_iter, positive=positive, precompute=precompute,
                  selection=selection, random_state=random_state)
    if is_dask_collection(X):  # Dask arrays: the path from one pass of statistics
        from ._dask.enet import dask_path
        from ._dask.stats import intercept
        alphas, coefs, gaps, n_iters, problem, st = dask_path(
            X, y, l1_ratio=l1_ratio, eps=eps, n_alphas=n_alphas, alphas=alphas,
            coef_init=None, positive=positive, tol=tol, max_iter=max_iter,
            random_state=random_state, selection=opts["selection"],
            fit_intercept=fit_intercept, sample_weight=sample_weight,
            penalty_factor=penalty_factor, stacklevel=3, lower_bounds=lower_bounds,
            upper_bounds=upper_bounds, standardize=standardize)
        intercepts = intercept(st, coefs.T, fit_intercept, 1)
        refit, names = (_StatsRefit(problem, st) if keep_data else None), None
        pf = check_penalty_factor(penalty_factor, X.shape[1], positive)
    else:
        names = check_feature_names(X)
        X, y, sample_weight, pf, col_sums = check_path_data(X, y, sample_weight,
                                                            penalty_factor, positive)
        bounds, params["positive"] = resolve_box(lower_bounds, upper_bounds, X.shape[1],
                                                 positive)
        design = preprocess(X, y, sample_weight, fit_intercept, copy_X=copy_X,
                            normalize_weights=True, lazy=True, col_sums=col_sums)
        penalty = make_penalty(design, pf, bounds, standardize)
        alphas = design_alphas(design, alphas, n_alphas, l1_ratio, eps, params["positive"],
                               pf, penalty=penalty)
        coefs, gaps, n_iters = path_on_design(design, alphas, l1_ratio, penalty=penalty,
                                              **params)
        intercepts = intercept_from_means(coefs.T, design.x_mean, design.y_mean,
                                          fit_intercept)
        # copy_X=False lets the path centre X in place: it is then not the data
        refit = _DataRefit(X, y, sample_weight) if keep_data and copy_X else None
    check_finite_fit(coefs, intercepts)
    path = RegularizationPath(alphas, coefs, intercepts, gaps, n_iters, l1_ratio=l1_ratio,
                              fit_intercept=fit_intercept, feature_names=names,
                              params=dict(params, penalty_factor=pf,
                                          lower_bounds=lower_bounds,
                                          upper_bounds=upper_bounds,
                                          standardize=standardize))
    path._refit = refit
    return path
