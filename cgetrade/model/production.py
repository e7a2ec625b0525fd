"""Production block: nested CES technology of activity j in region r.

    output  = A_jr * CES_top( VA composite, intermediate composite ; sigma_top )
    VA      = CES_va( lambda_f F_f ; sigma_va )          (factor-augmenting productivity; "flat")
            or CES_o( KH, L_medium, L_low ; sigma_o ),  KH = CES_kh( K, L_high ; sigma_kh )
              ("capital_skill": capital-skill complementarity, Krusell et al. 2000)
    INT     = Leontief over Armington composites of commodities i

Unit costs (prices = 1 at the benchmark):

    P_VA   = [sum_f alpha_f (W_f / lambda_f)^(1-sigma_va)
              + sum_h a_h (c_h W_K / lambda_K)^(1-sigma_va)]^(1/(1-sigma_va))
             (alpha_f: task shares, = benchmark cost shares)

Automation (Acemoglu and Restrepo 2018, 2019 task framework): a share of value-added tasks
a_h moves from labour type h to capital (alpha_h falls by a_h: displacement), and capital
performs those tasks at a unit cost c_h = 1 - cost saving relative to its own tasks, so at
benchmark prices P_VA = [1 - a + a c^(1-sigma)]^(1/(1-sigma)) <= 1 for c <= 1 (productivity
effect). Automated tasks sit in the nest of the labour type they displace; their capital
demand is a_h Q (P/(c W_K/lambda_K))^sigma c / lambda_K.
    P_INT  = sum_i theta_i P_A[i,j]
    C      = CES_top(P_VA, P_INT)
    zero profit:  (1 - t_o) P_Y A = (1 - m_K - m_G) (1 - t_o^0) C

Pricing below cost ("involution": price wars that compress margins): producers sell at a
share m = m_K + m_G below full unit cost, P_Y (1 - t_o) = (1 - m) unit cost (unit cost
(1 - t_o^0) C / A: input and factor payments per unit of output at benchmark value). Factors
and inputs are paid in full (rental rates and wages unaffected); the loss per year

    LOSS_K[j,r] = m_K (1 - t_o^0) C vom Y / A      borne by capital income (demand.py)
    LOSS_G[j,r] = m_G (1 - t_o^0) C vom Y / A      paid by the state out of tax revenue

is m / (1 - m) of sales net of production taxes. m_K = m_G = 0 at the benchmark.
"""
from __future__ import annotations

import pyomo.environ as pyo

from .ces import ces_demand, ces_price, ces_share_price


def _va_nests(m, vfm, va_nest, factor_price, j, r):
    """Nests of the value-added technology of (j, r): {nest: [(share, price, key), ...]},
    key ("factor", f) | ("auto", h) | ("nest", "KH"); the top nest is "VA"."""
    F, I, R = m.F_idx, m.I_idx, m.R_idx
    jj, rr = I[j], R[r]
    va0 = vfm[:, jj, rr].sum()
    has = {f: vfm[F[f], jj, rr] > 0 for f in F}
    fp = factor_price

    def own(f):
        return (m.va_share[f, j, r], fp(m, f, j, r) / m.aug[f, j, r], ("factor", f))

    def auto(h):
        return (m.auto_share[h, j, r], m.auto_cost[h, j, r] * fp(m, "capital", j, r) / m.aug["capital", j, r],
                ("auto", h))
    if va_nest == "flat":
        return {"VA": [own(f) for f in F if has[f]] + [auto(h) for h in m.L if has[h]]}
    inner = [f for f in ("capital", "labour_high") if has[f]]
    a_kh = sum(vfm[F[f], jj, rr] for f in inner) / va0
    outer = [own(f) for f in F if has[f] and f not in inner] + \
            [auto(h) for h in m.L if has[h] and h not in inner]
    if not inner:
        return {"VA": outer}
    kh = [(share / a_kh, price, key) for share, price, key in [own(f) for f in inner]
          + [auto(h) for h in inner if h in m.L]]
    return {"VA": [(a_kh, None, ("nest", "KH"))] + outer, "KH": kh}       # None: P_KH[j,r]


def add_production(m, p, factor_price, va_nest="flat"):
    """Activity levels Y, unit costs, input demands and the zero-profit conditions."""
    vom, vfm, to0 = p["vom"], p["vfm"], p["to"]
    use = p["use_dom"] + p["use_imp"]                  # (i, a, r), sectors first
    R, I, F = m.R_idx, m.I_idx, m.F_idx
    va0 = vfm.sum(0)                                   # (j, r)
    vint0 = use[:, : len(I), :].sum(0)                 # (j, r)

    m.Y = pyo.Var(m.I, m.R, initialize=1.0, bounds=(0, None), doc="activity level (index)")
    m.tfp = pyo.Param(m.I, m.R, initialize=1.0, mutable=True, doc="Hicks-neutral TFP A")
    m.aug = pyo.Param(m.F, m.I, m.R, initialize=1.0, mutable=True,
                      doc="factor-augmenting productivity lambda")
    m.to = pyo.Param(m.I, m.R, mutable=True, initialize=lambda m, j, r: float(to0[I[j], R[r]]),
                     doc="production tax rate t_o")
    m.margin = pyo.Param(m.I, m.R, initialize=0.0, mutable=True,
                         doc="pricing below unit cost m_K, the loss borne by capital income")
    m.margin_state = pyo.Param(m.I, m.R, initialize=0.0, mutable=True,
                               doc="pricing below unit cost m_G, the loss paid by the state")

    # task shares of value added (benchmark cost shares); automation shifts them from labour
    # to capital (Acemoglu and Restrepo 2019), so they are mutable parameters
    m.va_share = pyo.Param(m.F, m.I, m.R, mutable=True,
                           initialize=lambda m, f, j, r: float(vfm[F[f], I[j], R[r]] / va0[I[j], R[r]]),
                           doc="task (distribution) share alpha_f of value added")

    m.auto_share = pyo.Param(m.L, m.I, m.R, initialize=0.0, mutable=True,
                             doc="share a_h of value-added tasks moved from labour type h to capital")
    m.auto_cost = pyo.Param(m.L, m.I, m.R, initialize=1.0, mutable=True,
                            doc="capital's unit cost in automated tasks relative to its own (1 - cost saving)")
    sigma = {"VA": p["sigma_va"] if va_nest == "flat" else p["sigma_o"], "KH": p["sigma_kh"]}
    nests = {(j, r): _va_nests(m, vfm, va_nest, factor_price, j, r) for j in m.I for r in m.R}

    def nest_price(name):
        def rule(m, j, r):
            terms = nests[j, r].get(name)
            if not terms:
                return 1.0
            return ces_share_price([(a, m.P_KH[j, r] if q is None else q) for a, q, _ in terms],
                                   sigma[name][I[j]])
        return rule
    m.P_KH = pyo.Expression(m.I, m.R, rule=nest_price("KH"),
                            doc="unit cost of the capital-skill composite (capital_skill nest)")
    m.P_VA = pyo.Expression(m.I, m.R, rule=nest_price("VA"), doc="unit cost of value added")

    def p_int(m, j, r):
        jj, rr = I[j], R[r]
        if vint0[jj, rr] <= 0:
            return 1.0
        return sum(use[I[i], jj, rr] / vint0[jj, rr] * m.P_A[i, j, r]
                   for i in m.I if (i, j, r) in m.USE)
    m.INTP = pyo.Set(dimen=2, ordered=True, doc="(j, r) with intermediate inputs",
                     initialize=[(j, r) for j in m.I for r in m.R if vint0[I[j], R[r]] > 0])
    m.PINT = pyo.Var(m.INTP, initialize=1.0, bounds=(0, None),
                     doc="unit cost of the intermediate composite (variable)")
    m.intermediate_price = pyo.Constraint(
        m.INTP, rule=lambda m, j, r: m.PINT[j, r] == p_int(m, j, r),
        doc="intermediate composite price: P_INT = sum_i theta_ij P_A[i,j]")
    m.P_INT = pyo.Expression(m.I, m.R, rule=lambda m, j, r: m.PINT[j, r] if (j, r) in m.INTP else 1.0,
                             doc="unit cost of the intermediate composite")

    def unit_cost(m, j, r):
        jj, rr = I[j], R[r]
        tot = va0[jj, rr] + vint0[jj, rr]
        return ces_price([(va0[jj, rr] / tot, m.P_VA[j, r]), (vint0[jj, rr] / tot, m.P_INT[j, r])],
                         p["sigma_top"][jj])
    m.C = pyo.Expression(m.I, m.R, rule=unit_cost, doc="unit cost of the input bundle")

    m.zero_profit = pyo.Constraint(
        m.I, m.R, rule=lambda m, j, r: (1 - m.to[j, r]) * m.PY[j, r] * m.tfp[j, r]
        == (1 - m.margin[j, r] - m.margin_state[j, r]) * (1 - float(to0[I[j], R[r]])) * m.C[j, r],
        doc="zero profit: (1 - t_o) P_Y A = (1 - m_K - m_G)(1 - t_o0) C(P_VA, P_INT)")

    def loss(share):
        def rule(m, j, r):
            jj, rr = I[j], R[r]
            return (share[j, r] * (1 - float(to0[jj, rr])) * m.C[j, r] * vom[jj, rr]
                    * m.Y[j, r] / m.tfp[j, r])
        return rule
    m.LOSS_K = pyo.Expression(m.I, m.R, rule=loss(m.margin),
                              doc="loss from pricing below cost borne by capital: m_K (1 - t_o0) C vom Y / A")
    m.LOSS_G = pyo.Expression(m.I, m.R, rule=loss(m.margin_state),
                              doc="loss from pricing below cost paid by the state: m_G (1 - t_o0) C vom Y / A")

    # conditional input demands (benchmark value units)
    def q_va(m, j, r):
        jj, rr = I[j], R[r]
        return ces_demand(va0[jj, rr], m.Y[j, r] / m.tfp[j, r], m.C[j, r], m.P_VA[j, r],
                          p["sigma_top"][jj])
    m.QVA = pyo.Expression(m.I, m.R, rule=q_va, doc="value-added composite demand")

    def q_int(m, j, r):
        jj, rr = I[j], R[r]
        return ces_demand(1.0, m.Y[j, r] / m.tfp[j, r], m.C[j, r], m.P_INT[j, r], p["sigma_top"][jj])
    m.QINT = pyo.Expression(m.I, m.R, rule=q_int, doc="intermediate composite (index)")

    cache = {}

    def task_demands(m, j, r):
        """{key: demand for the member's tasks (benchmark value units)} in every nest."""
        if (j, r) in cache:
            return cache[j, r]
        out = cache[j, r] = {}
        quantity, price = {"VA": m.QVA[j, r]}, {"VA": m.P_VA[j, r], "KH": m.P_KH[j, r]}
        for name in ("VA", "KH"):
            for a, q, key in nests[j, r].get(name, []):
                q = m.P_KH[j, r] if q is None else q
                out[key] = ces_demand(1.0, a * quantity[name], price[name], q, sigma[name][I[j]])
                if key == ("nest", "KH"):
                    quantity["KH"] = out[key]
        return out

    def factor_demand(m, f, j, r):
        tasks = task_demands(m, j, r)
        own = tasks[("factor", f)] / m.aug[f, j, r] if ("factor", f) in tasks else 0.0
        if f != "capital":
            return own
        return own + sum(tasks[("auto", h)] * m.auto_cost[h, j, r] / m.aug[f, j, r]
                         for h in m.L if ("auto", h) in tasks)
    m.FD = pyo.Expression(m.F, m.I, m.R, rule=factor_demand,
                          doc="factor demand (physical, benchmark value units; capital includes "
                              "automated tasks)")


def va_at_benchmark_prices(m, cells) -> dict:
    """Unit cost of value added and labour's cost share of it at benchmark factor prices
    (W = WS = 1) under the model's current technology parameters: {(j, r): (P_VA, share)}."""
    prices = [v for comp in (m.W, m.WS) for v in comp.values()]
    saved = [v.value for v in prices]
    try:
        for v in prices:
            v.set_value(1.0)
        out = {}
        for j, r in cells:
            cost = pyo.value(m.P_VA[j, r]) * pyo.value(m.QVA[j, r])
            labour = sum(pyo.value(m.FD[h, j, r]) for h in m.L)
            out[j, r] = (pyo.value(m.P_VA[j, r]), labour / cost if cost else 0.0)
        return out
    finally:
        for v, x in zip(prices, saved):
            v.set_value(x)
