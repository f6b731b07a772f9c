"""Working-set strategy for the multi-task Elastic-Net: small subproblems, full certificate.

The multi-task twin of :mod:`fastreg._working_set` (same loop, rows of W in
place of coefficients): when few rows of W are non-zero, a plain block-CD
epoch spends its time confirming that zero rows stay zero, each confirmation
costing a pass over a column against every task's residual. The loop:

1. at the current W, compute the full ``Xt^T R`` once (one matrix product),
   the duality gap of the *full* problem, and stop if it certifies the
   tolerance;
2. discard, for good, the rows that Gap Safe screening proves to be zero
   (Ndiaye, Fercoq, Gramfort & Salmon, JMLR 2017);
3. rank the other rows by how close the rescaled residual comes to their
   dual constraint ``||Xt_j^T theta||_2 <= pf_j``, keep the support of W plus
   the best-ranked others (at least twice the support, never shrinking);
4. solve the problem restricted to those columns with the ordinary kernel
   (Gram mode when the subproblem is tall), warm-started, to a fraction of
   the full gap, and go back to 1.

The answer is certified by the full problem's gap, so it is the solution
plain block coordinate descent finds (Massias, Gramfort & Salmon, ICML 2018,
for working sets on the dual; Johnson & Guestrin, ICML 2015).

Units are the kernels' (``fastreg._kernels._cd_multi_task``'s docstring):
``1/2 ||Y - Xt W||_F^2 + sum_j pf_j (l1 ||W_j|| + l2/2 ||W_j||^2)``. Only
penalised features (every ``pf_j > 0``): the driver keeps designs with
unpenalised features on the plain kernels.
"""
import numpy as np

from ._working_set import WS_GROWTH, WS_INNER_FRACTION, WS_MIN, _epochs


def multi_task_gap(XtR, R_norm2, R_y, W, l1, l2, pf):
    """Duality gap of the full multi-task problem from ``XtR = Xt^T R``; the
    mirror of the kernels' ``_mt_gap`` (no unpenalised features).

    Returns ``(gap, gap_l1, dual_norm, v)``: ``gap_l1`` the gap at the
    rescaled dual point (the Gap Safe centre), ``dual_norm`` its scale and
    ``v`` the row norms of ``Xt^T R - l2 pf W``.
    """
    W = np.asarray(W, dtype=np.float64)
    XtR = np.asarray(XtR, dtype=np.float64)
    w_norm = np.sqrt(np.einsum("ij,ij->i", W, W))
    pen = float(pf @ (l1 * w_norm + 0.5 * l2 * w_norm * w_norm))
    l2_w2 = l2 * float(pf @ (w_norm * w_norm))
    V = XtR - (l2 * pf)[:, None] * W
    v = np.sqrt(np.einsum("ij,ij->i", V, V))
    dn = float(np.max(v / pf, initial=0.0))
    primal = 0.5 * R_norm2 + pen
    dual, gap_l1 = 0.0, np.inf
    if l1 > 0:
        c = l1 / dn if dn > l1 else 1.0
        d1 = c * R_y - 0.5 * c * c * (R_norm2 + l2_w2)
        gap_l1 = primal - d1
        dual = max(dual, d1)
    if l2 > 0:
        e = np.sqrt(np.einsum("ij,ij->i", XtR, XtR)) - l1 * pf
        m = e > 0
        excess = float(np.sum(e[m] ** 2 / pf[m]))
        dual = max(dual, R_y - 0.5 * R_norm2 - 0.5 * excess / l2)
    return primal - dual, gap_l1, dn, v


def solve_working_set_mt(design, Y, W, l1, l2, *, tol_scaled, max_iter, pf, solve_sub):
    """Minimise the multi-task Elastic-Net on ``design`` by a working-set loop, in place.

    Parameters
    ----------
    design : Design
    Y : ndarray of shape (n_samples, n_tasks), C-ordered
        The centred, weighted targets.
    W : ndarray of shape (n_features, n_tasks), C-ordered
        Warm start; overwritten with the solution.
    l1, l2 : float
        Penalties in kernel units (``l1 > 0``).
    tol_scaled : float
        Absolute gap threshold, kernel units.
    max_iter : int
        Budget in full epochs (an epoch on k of the p rows counts k / p, a
        full gap check that asks for more counts one; as in
        :func:`fastreg._working_set.solve_working_set`).
    pf : ndarray of shape (n_features,), float64
        Penalty factors, all positive.
    solve_sub : callable
        ``solve_sub(sub_design, W_sub, tol_abs, max_iter, pf_sub) -> (gap,
        n_iter)`` runs a kernel on the design restricted to some columns, in
        place on ``W_sub``, until the subproblem's gap is at most ``tol_abs``.

    Returns
    -------
    gap, n_iter, converged
    """
    p = W.shape[0]
    norms = design.column_norms2()  # over-estimates on a lazy design: still safe
    candidates = norms > 0
    W[~candidates] = 0
    support = np.flatnonzero(np.any(W != 0, axis=1))
    R = Y - design.matvec(W) if support.size else Y.copy()
    col = np.sqrt(norms + l2 * pf)
    ws_size = max(min(WS_MIN, p // 4), 1)
    work = 0.0
    while True:
        XtR = design.rmatvec(R)
        R64 = R.astype(np.float64, copy=False).ravel()
        gap, gap_l1, dual_norm, v = multi_task_gap(
            XtR, float(R64 @ R64), float(R64 @ Y.astype(np.float64, copy=False).ravel()),
            W, l1, l2, pf)
        if gap <= tol_scaled or work >= max_iter:
            return gap, _epochs(work), gap <= tol_scaled
        work += 1.0
        if work >= max_iter:
            return gap, _epochs(work), False
        scale = max(dual_norm, l1)
        radius = np.sqrt(2 * gap_l1) / l1 if gap_l1 > 0 else 0.0
        screened = candidates & (v / scale + radius * col < pf)
        if np.any(screened):
            candidates &= ~screened
            hit = np.flatnonzero(screened & np.any(W != 0, axis=1))
            if hit.size:
                R += design.restrict(hit).matvec(W[hit])
                W[hit] = 0
        n_candidates = int(np.count_nonzero(candidates))
        support = np.flatnonzero(np.any(W != 0, axis=1))
        ws_size = min(max(ws_size, WS_GROWTH * support.size), n_candidates)
        if ws_size == 0 or 2 * ws_size >= p:
            # Most rows are in play: one plain solve of the full problem (the
            # kernel screens on its own) is cheaper than copying columns.
            gap, n_iter = solve_sub(design, W, tol_scaled, _epochs(max_iter - work), pf)
            work += n_iter
            return gap, _epochs(work), gap <= tol_scaled
        score = np.full(p, np.inf)
        np.divide(pf - v / scale, col, out=score, where=candidates & (col > 0))
        score[support] = -np.inf
        ws = np.sort(np.argpartition(score, ws_size - 1)[:ws_size])
        sub = design.restrict(ws)
        W_sub = np.ascontiguousarray(W[ws])
        tol_in = max(WS_INNER_FRACTION * gap, 0.3 * tol_scaled)
        share = ws.size / p
        _, n_iter = solve_sub(sub, W_sub, tol_in, _epochs((max_iter - work) / share),
                              np.ascontiguousarray(pf[ws]))
        work += max(n_iter, 1) * share
        W[ws] = W_sub
        R = Y - sub.matvec(W_sub)
        ws_size = min(2 * ws_size, n_candidates) if n_iter == 0 else ws_size
