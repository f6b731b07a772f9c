"""Working-set strategy for the Elastic-Net: solve small subproblems, certify on all.

When the solution is much sparser than the design is wide, most of a plain
coordinate-descent epoch is spent confirming that zero coefficients stay zero.
The working-set loop (in the spirit of Blitz, celer and skglm) avoids that:

1. at the current ``w``, compute the full ``Xt^T R`` once, the duality gap of
   the *full* problem, and stop if it certifies the tolerance;
2. discard, for good, the features that Gap Safe screening proves to be zero;
3. rank the remaining features by how close the rescaled residual comes to
   violating their dual constraint, and keep the support of ``w`` plus the
   best-ranked others (at least twice the support size, never shrinking);
4. solve the Elastic-Net restricted to those columns with the ordinary kernel,
   warm-started, to a fraction of the current full gap, and go back to 1.

Every answer is certified by the full problem's gap, computed here over every
feature, so the result is the same solution plain coordinate descent finds.

Units are the kernels': ``1/2 ||y - Xt w||^2 + l1 ||w||_1 + l2/2 ||w||^2``.
"""
import numpy as np

from ._penalty import positive_projection, side_values


#: Smallest working set.
WS_MIN = 128
#: Use the strategy only when there are at least this many candidate features
#: (below it, one full epoch is as cheap as the bookkeeping).
WS_MIN_FEATURES = 512
#: ... and X has at least this many entries, or is at least WS_WIDE times
#: wider than tall: below both, a plain fit takes a few milliseconds and the
#: loop's Python bookkeeping costs more than it saves (the timings behind the
#: thresholds: bench/results/cost_models.md).
WS_MIN_ENTRIES = 800_000
WS_WIDE = 4
#: The working set holds at least this many times the support of w.
WS_GROWTH = 2
#: ... or when the design is this many times taller than wide (the subproblems
#: then run in Gram mode on their few columns, and the full centred copy of X
#: is never formed).
WS_TALL = 50
WS_TALL_MIN_FEATURES = 128
#: A subproblem is solved until its gap is this fraction of the full gap.
WS_INNER_FRACTION = 0.1


def enet_gap(XtR, R, y, w, l1, l2, positive, pf, proj=None, qf=None, box=None):
    """Duality gap of the full problem from ``Xt^T R``; mirrors the kernels'
    (``pf_gap`` in ``_dual.pxd``: penalty factors, a box, the three dual points).

    ``pf`` (``qf``) are the L1 (L2) factors, float64 (``qf`` None: ``pf``);
    ``box = (lower, upper)`` float64, or None (then ``positive`` means lower 0);
    ``proj = (U, M, C, Uy[, sign])`` projects the dual candidate off the
    unpenalised columns ``U`` (``M = (X_U^T X_U)^+``, ``C = X^T X_U``, ``Uy =
    X_U^T y``; signed with ``positive`` or a sign per feature of U,
    :func:`fastreg._penalty.positive_projection`), or None.

    Returns ``(gap, gap_l1, dual_norm, v)`` with ``v = Xt^T theta - l2 qf w``,
    ``gap_l1`` the gap at the Gap Safe centre and ``dual_norm`` its scale.
    """
    p = w.shape[0]
    qf = pf if qf is None else qf
    if box is None:
        lo = np.zeros(p) if positive else np.full(p, -np.inf)
        hi = np.full(p, np.inf)
    else:
        lo, hi = box
    R_norm2 = float(R @ R)
    th_norm2, th_y = R_norm2, float(R @ y)
    XtR = np.asarray(XtR, dtype=np.float64)
    if proj is not None:
        U, M, C, Uy = proj[:4]
        sign = proj[4] if len(proj) > 4 else None
        t = XtR[U]
        if positive or (sign is not None and np.any(sign)):
            z = positive_projection(t, w[U], C[U], sign, lo[U], hi[U])
        else:
            z = M @ t
        XtR = XtR - C @ z
        th_norm2 = max(th_norm2 - float(t @ z), 0.0)
        th_y -= float(z @ Uy)
    w = w.astype(np.float64)
    pen = pf > 0
    unp = ~pen
    zu, hu, lu = XtR[unp], hi[unp], lo[unp]
    # Finite sides of the unpenalised features (their infinite ones: the projection).
    up, down = (zu > 0) & np.isfinite(hu), (zu < 0) & np.isfinite(lu)
    unpen = float(hu[up] @ zu[up] + lu[down] @ zu[down])
    v = XtR - l2 * qf * w
    with np.errstate(invalid="ignore"):
        sv = side_values(v[pen], lo[pen], hi[pen]) / pf[pen]
        inf_sv = side_values(v[pen], np.where(np.isneginf(lo[pen]), -1.0, 0.0),
                             np.where(np.isposinf(hi[pen]), 1.0, 0.0)) / pf[pen]
    dn = float(max(sv.max(initial=0.0), 0.0))
    dn_inf = float(max(inf_sv.max(initial=0.0), 0.0))
    w_l2 = float(qf @ (w * w))
    primal = 0.5 * (R_norm2 + l2 * w_l2) + l1 * float(pf @ np.abs(w))
    dual = 0.0
    gap_l1 = np.inf
    dual_norm = dn
    at_bound = bool(np.any((w != 0) & ((w == hi) | (w == lo))))
    if l1 > 0:
        c = l1 / dn if dn > l1 else 1.0
        d1 = c * th_y - 0.5 * c * c * (th_norm2 + l2 * w_l2) - c * unpen
        gap_l1 = primal - d1
        dual = max(dual, d1)
        if at_bound and dn_inf < dn:
            c2 = l1 / dn_inf if dn_inf > l1 else 1.0
            cv, a, hp, lp = c2 * v[pen], l1 * pf[pen], hi[pen], lo[pen]
            up, down = (cv > a) & np.isfinite(hp), (-cv > a) & np.isfinite(lp)
            box_terms = float(hp[up] @ (cv - a)[up] - lp[down] @ (-cv - a)[down])
            d1b = (c2 * th_y - 0.5 * c2 * c2 * (th_norm2 + l2 * w_l2) - c2 * unpen
                   - box_terms)
            if d1b > d1:
                gap_l1, dual_norm = primal - d1b, dn_inf
                dual = max(dual, d1b)
    if l2 > 0:
        z, a, q = XtR[pen], l1 * pf[pen], qf[pen]
        excess = 0.0
        for e, bound, ok in ((z - a, hi[pen], hi[pen] > 0), (-z - a, -lo[pen], lo[pen] < 0)):
            m = ok & (e > 0)
            e, bound, qm = e[m], bound[m], q[m]
            clip = e > l2 * qm * bound
            excess += float((e[~clip] ** 2 / qm[~clip]).sum()
                            + (2 * l2 * bound[clip] * e[clip]
                               - l2 * l2 * qm[clip] * bound[clip] ** 2).sum())
        dual = max(dual, th_y - 0.5 * th_norm2 - 0.5 * excess / l2 - unpen)
    return primal - dual, gap_l1, dual_norm, v


def _epochs(work):
    """A (fractional) number of epochs as the int a kernel budget or n_iter_ takes
    (at most the largest C int: a kernel's ``max_iter`` is one, and a small
    subproblem's share of a large budget exceeds it)."""
    return min(max(int(np.ceil(work - 1e-9)), 0), np.iinfo(np.intc).max)


def solve_working_set(design, y, w, l1, l2, *, tol_scaled, max_iter, positive,
                      solve_sub, penalty=None):
    """Minimise the Elastic-Net on ``design`` by a working-set loop, in place.

    Parameters
    ----------
    design : Design
    y : ndarray of shape (n_samples,)
    w : ndarray of shape (n_features,)
        Warm start; overwritten with the solution.
    l1, l2 : float
        Penalties in kernel units (``l1 > 0``).
    tol_scaled : float
        Absolute gap threshold, kernel units.
    max_iter : int
        Budget in full epochs: an epoch of a subproblem on k of the p columns
        counts k / p of one (it costs that much), and each full gap check
        that asks for more counts one: counted whole, the epochs of small,
        cheap subproblems would exhaust the budget long before the work
        equals ``max_iter`` full epochs.
    positive : bool
    solve_sub : callable
        ``solve_sub(sub_design, w_sub, tol_abs, max_iter, kernel_kwargs) ->
        (gap, n_iter)`` runs the kernel on the design restricted to some
        columns, in place on ``w_sub``, until the subproblem's gap is at most
        ``tol_abs``; ``kernel_kwargs`` carry the restricted penalty factors.
    penalty : fastreg._penalty.Penalty, default=None
        Per-feature penalty factors (None: all ones).

    Returns
    -------
    gap, n_iter, converged
    """
    p = w.shape[0]
    # A lazy design has no column norms yet, and computing them costs a pass
    # over X. Unless X is wide (where the ranking and the screening pay for
    # it: 20% fewer epochs on a 200 x 10,000 design), rank by the
    # unnormalised dual constraint and leave screening to the kernels, which
    # see the exact norms of their columns (square 5,000 x 5,000: -15% time).
    n = design.shape[0]
    exact_norms = not design.lazy or p >= 4 * n
    norms = design.column_norms2() if exact_norms else None
    candidates = norms > 0 if exact_norms else np.ones(p, dtype=bool)
    w[~candidates] = 0
    box = None
    if penalty is None or penalty.trivial:
        pf, U, proj, full_kw = np.ones(p), np.empty(0, dtype=np.intc), None, {}
        qf = pf
    else:
        (pf, qf), U, box = penalty.factors64, penalty.U, penalty.bounds
        full_kw = penalty.kernel_args()
        proj = None
        if U.size:
            _, M, C = full_kw["unpenalised"]
            Uy = np.asarray(design.restrict(U).rmatvec(y), dtype=np.float64)
            proj = (U, M.astype(np.float64), C.astype(np.float64), Uy, penalty.sign)
    if box is None:
        lo = np.zeros(p) if positive else np.full(p, -np.inf)
        hi = np.full(p, np.inf)
    else:
        lo, hi = box
    np.clip(w, lo, hi, out=w)
    penalised = pf > 0
    support = np.flatnonzero(w)
    R = y - design.matvec(w) if support.size else y.copy()
    ws_size = max(min(WS_MIN, p // 4), 2 * U.size, 1)
    work = 0.0  # full-epoch equivalents
    while True:
        XtR = design.rmatvec(R)
        gap, gap_l1, dual_norm, v = enet_gap(XtR, R, y, w, l1, l2, positive, pf, proj,
                                             qf, box)
        if gap <= tol_scaled or work >= max_iter:
            return gap, _epochs(work), gap <= tol_scaled
        work += 1.0  # the pass over X of the check that asked for more
        if work >= max_iter:
            return gap, _epochs(work), False
        # Gap Safe screening on the full problem: those features are out for good.
        scale = max(dual_norm, l1)
        radius = np.sqrt(2 * gap_l1) / l1 if gap_l1 > 0 else 0.0
        with np.errstate(invalid="ignore"):
            av = side_values(v, lo, hi)
        col = np.sqrt(norms + l2 * qf) if exact_norms else np.ones(p)
        screened = np.zeros(p, dtype=bool)
        if exact_norms:
            np.less(av / scale + radius * col, pf, out=screened,
                    where=candidates & penalised)
        if np.any(screened):
            candidates &= ~screened
            hit = np.flatnonzero(screened & (w != 0))
            if hit.size:
                R += design.restrict(hit).matvec(w[hit])
                w[hit] = 0
        n_candidates = int(np.count_nonzero(candidates))
        support = np.flatnonzero(w)
        ws_size = min(max(ws_size, WS_GROWTH * support.size), n_candidates)
        # Rank by the distance of the dual point to each feature's constraint;
        # the support and the unpenalised features are always in.
        score = np.full(p, np.inf)
        np.divide(pf - av / scale, col, out=score,
                  where=candidates & (col > 0) & np.isfinite(av))
        score[support] = -np.inf
        score[U] = -np.inf
        if ws_size == 0 or 2 * ws_size >= p:
            # Most features are in play: one plain solve of the full problem
            # (the kernel screens on its own) is cheaper than copying columns.
            gap, n_iter = solve_sub(design, w, tol_scaled, _epochs(max_iter - work),
                                    full_kw)
            work += n_iter
            return gap, _epochs(work), gap <= tol_scaled
        ws = np.sort(np.argpartition(score, ws_size - 1)[:ws_size])
        sub = design.restrict(ws)
        w_sub = np.ascontiguousarray(w[ws])
        kw = {}
        if full_kw:
            for key in ("penalty_factor", "l2_factor", "lower", "upper"):
                if key in full_kw:
                    kw[key] = np.ascontiguousarray(full_kw[key][ws])
            if "unpen_sign" in full_kw:
                kw["unpen_sign"] = full_kw["unpen_sign"]
            if U.size:
                _, M, C = full_kw["unpenalised"]
                kw["unpenalised"] = (np.searchsorted(ws, U).astype(np.intc), M,
                                     np.asfortranarray(C[ws]))
        tol_in = max(WS_INNER_FRACTION * gap, 0.3 * tol_scaled)
        share = ws.size / p
        _, n_iter = solve_sub(sub, w_sub, tol_in, _epochs((max_iter - work) / share), kw)
        work += max(n_iter, 1) * share
        w[ws] = w_sub
        R = y - sub.matvec(w_sub)
        ws_size = min(2 * ws_size, n_candidates) if n_iter == 0 else ws_size
