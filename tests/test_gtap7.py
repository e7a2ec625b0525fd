"""GTAP's standard model (Corong et al. 2017, GTAP v7) on GTAP-format data bases written here:
CDE private demand, the regional household's upper level, sluggish endowments (ETRAE), the
global bank (RORDELTA) and the pfactwld numeraire."""
import numpy as np
import pytest
import pyomo.environ as pyo
from scipy.optimize import brentq

import cgetrade
import cgetrade.errors
import cgetrade.metadata
import cgetrade.results
from cgetrade.errors import OptionsError
from cgetrade.checks import homogeneity, walras
from cgetrade.data import DataValidationError
from cgetrade.scenario import Scenario, Shock

pytest.importorskip("harpy")
from cgetrade.data.gtap import from_gtap  # noqa: E402

from data_sources.samples import write_gtap  # noqa: E402

# --- a three-good CDE by hand (Hertel 1997, ch. 2) -------------------------------------------
S0 = np.array([0.5, 0.3, 0.2])            # benchmark budget shares
SUB = np.array([0.3, 0.5, 0.8])           # SUBPAR b_i
INC = np.array([0.7, 1.0, 1.4])           # INCPAR e_i


def hand_B(s0, b):
    """B_i from s_i = b_i B_i / sum_k b_k B_k and sum_i B_i = 1 at prices 1, expenditure 1, U = 1."""
    q = s0 / b
    return q / q.sum()


def hand_demand(p, E, s0=S0, b=SUB, e=INC):
    """Utility and budget shares of the CDE: solve sum_i B_i U^(e_i b_i) (p_i/E)^b_i = 1 for U,
    then s_i = b_i z_i / sum_k b_k z_k."""
    B = hand_B(s0, b)
    g = lambda lnU: float(np.sum(B * np.exp(e * b * lnU) * (p / E) ** b)) - 1.0  # noqa: E731
    lnU = brentq(g, -20, 20, xtol=1e-15)
    z = B * np.exp(e * b * lnU) * (p / E) ** b
    return np.exp(lnU), b * z / np.sum(b * z)


def test_cde_three_goods_by_hand():
    """Budget shares, income and price elasticities of a 3-good CDE, hand-computed."""
    # B = (s/b) / sum(s/b): s/b = (1.6667, 0.6, 0.25), sum 2.51667
    np.testing.assert_allclose(hand_B(S0, SUB), [1.6666667 / 2.5166667, 0.6 / 2.5166667, 0.25 / 2.5166667], rtol=1e-7)
    U, s = hand_demand(np.ones(3), 1.0)
    assert U == pytest.approx(1.0, abs=1e-12)
    np.testing.assert_allclose(s, S0, rtol=1e-12)
    # income elasticities eta_i = 1 + (e_i b_i - sum s e b) / sum s e - b_i + sum s b, with
    # sum s e = 0.93, sum s b = 0.46, sum s e b = 0.479:
    eta = np.array([1 + (0.21 - 0.479) / 0.93 - 0.3 + 0.46,       # 0.870753
                    1 + (0.50 - 0.479) / 0.93 - 0.5 + 0.46,       # 0.982581
                    1 + (1.12 - 0.479) / 0.93 - 0.8 + 0.46])      # 1.349247
    np.testing.assert_allclose(eta, [0.8707527, 0.9825806, 1.3492473], atol=1e-7)
    assert float(S0 @ eta) == pytest.approx(1.0, abs=1e-12)          # Engel aggregation
    # Allen elasticities sigma_ik = a_i + a_k - sum s a - delta_ik a_i / s_i (a = 1 - b = 0.7,
    # 0.5, 0.2; sum s a = 0.54), uncompensated eps_ik = s_k (sigma_ik - eta_i)
    a = 1 - SUB
    sigma = a[:, None] + a[None, :] - 0.54 - np.diag(a / S0)
    np.testing.assert_allclose(np.diag(sigma), [0.86 - 1.4, 0.46 - 0.5 / 0.3, -0.14 - 1.0], atol=1e-12)
    eps = S0[None, :] * (sigma - eta[:, None])
    # the same elasticities from the demand function x_i = s_i E / p_i by central differences
    h = 1e-6
    lnx = lambda p, E: np.log(hand_demand(p, E)[1] * E / p)            # noqa: E731
    np.testing.assert_allclose((lnx(np.ones(3), 1 + h) - lnx(np.ones(3), 1 - h)) / (np.log1p(h) - np.log1p(-h)),
                               eta, atol=1e-7)
    for k in range(3):
        up, dn = np.ones(3), np.ones(3)
        up[k], dn[k] = 1 + h, 1 - h
        np.testing.assert_allclose((lnx(up, 1.0) - lnx(dn, 1.0)) / (np.log1p(h) - np.log1p(-h)), eps[:, k], atol=1e-7)
    # homogeneity of degree zero in prices and expenditure
    p = np.array([1.2, 0.9, 1.05])
    np.testing.assert_allclose(hand_demand(2 * p, 2.1)[1], hand_demand(p, 1.05)[1], rtol=1e-12)


@pytest.fixture(scope="module")
def gtap(tmp_path_factory):
    folder = tmp_path_factory.mktemp("gtap7")
    flows = write_gtap(folder)
    ds, el = from_gtap(folder / "basedata.har", folder / "default.prm", folder / "sets.har")
    return folder, flows, ds, el


def _hand_example(ds):
    """The data base with the hand example's INCPAR/SUBPAR in every region."""
    return ds.assign(cde_incpar=(("commodity", "region"), np.repeat(INC[:, None], ds.sizes["region"], 1)),
                     cde_subpar=(("commodity", "region"), np.repeat(SUB[:, None], ds.sizes["region"], 1)))


def test_cde_parameters_read_from_default_prm(gtap):
    folder, g, ds, el = gtap
    np.testing.assert_allclose(ds.cde_incpar.values, g["INCP"], rtol=1e-6)
    np.testing.assert_allclose(ds.cde_subpar.values, g["SUBP"], rtol=1e-6)
    par = cgetrade.calibrate(ds, el, private_demand="cde")
    hh = (par["use_dom"] + par["use_imp"])[:, 3]                    # household (after 3 sectors)
    s0 = hh / hh.sum(0)
    B = par["cde_B"]
    np.testing.assert_allclose(B.sum(0), 1.0, rtol=1e-12)
    np.testing.assert_allclose(g["SUBP"] * B / (g["SUBP"] * B).sum(0), s0, rtol=1e-6)
    with pytest.raises(DataValidationError, match="cde_incpar"):
        cgetrade.calibrate(ds.drop_vars("cde_incpar"), el, private_demand="cde")
    with pytest.raises(DataValidationError, match="cde_subpar.*in \\(0, 1\\)"):
        cgetrade.calibrate(ds.assign(cde_subpar=ds.cde_subpar * 2), el, private_demand="cde")
    with pytest.raises(OptionsError, match="private_demand"):
        cgetrade.calibrate(ds, el, private_demand="les")


def test_cde_replicates_is_homogeneous_and_satisfies_walras(gtap):
    folder, g, ds, el = gtap
    model = cgetrade.CGEModel(cgetrade.calibrate(ds, el, private_demand="cde"))
    assert model.max_residual() <= 1e-8
    assert model.solve().iterations == 0
    assert all(c.passed for c in homogeneity(model))
    assert all(c.passed for c in walras(model, Scenario("free trade", [Shock("tariff", 0.0, mode="set")])))
    # private utility and UELAS are real: unchanged by the numeraire
    m = model.pyomo
    model.reset()
    Scenario("tfp", [Shock("tfp", 0.05, region="chn")]).apply(model)
    model.solve()
    up = {r: m.UP[r].value for r in m.R}
    m.pnum = 2.0
    model.solve()
    assert max(abs(m.UP[r].value / up[r] - 1) for r in m.R) < 1e-10
    m.pnum = 1.0


def test_cde_demand_at_an_equilibrium_matches_the_hand_formulas(gtap):
    """At a solved tariff cut, each region's household shares and utility equal the hand CDE
    at the model's Armington prices and household expenditure."""
    folder, g, ds, el = gtap
    ds3 = _hand_example(ds)
    par = cgetrade.calibrate(ds3, el, private_demand="cde")
    model = cgetrade.CGEModel(par)
    Scenario("tariffs up", [Shock("tariff", 0.25, mode="set")]).apply(model)
    model.solve()
    m = model.pyomo
    hh = (par["use_dom"] + par["use_imp"])[:, 3]
    res = cgetrade.results.collect(model)
    for k, r in enumerate(par.regions):
        s0 = hh[:, k] / hh[:, k].sum()
        p = np.array([pyo.value(m.P_A[i, "household", r]) for i in par.sectors])
        E = pyo.value(m.E["household", r]) / par["fd_exp"][0, k]
        U, s = hand_demand(p, E, s0=s0)
        assert m.UP[r].value == pytest.approx(U, rel=1e-10)
        assert abs(m.UP[r].value - 1) > 1e-4                       # the shock moved utility
        np.testing.assert_allclose(res.household_budget_share.sel(region=r).values, s, rtol=1e-9)
        assert m.UELAS[r].value == pytest.approx(float(s @ INC), rel=1e-10)
        # the household's price index: the cost of benchmark utility at these prices
        P = brentq(lambda P: float(np.sum(hand_B(s0, SUB) * (p / P) ** SUB)) - 1, 0.1, 10, xtol=1e-15)
        assert pyo.value(m.P_H["household", r]) == pytest.approx(P, rel=1e-10)


def test_cde_equivalent_variation_is_the_equivalent_income(gtap):
    """EV = Y^EV - INC0: the least income that buys the scenario's utility at benchmark prices,
    found here by minimising its cost over the private / government / saving split."""
    from scipy.optimize import minimize_scalar
    folder, g, ds, el = gtap
    par = cgetrade.calibrate(_hand_example(ds), el, private_demand="cde")
    model = cgetrade.CGEModel(par)
    Scenario("tfp", [Shock("tfp", 0.08, region="usa")]).apply(model)
    model.solve()
    m = model.pyomo
    res = cgetrade.results.collect(model)
    hh = (par["use_dom"] + par["use_imp"])[:, 3]
    for k, r in enumerate(par.regions):
        c0, g0, s0v = par["fd_exp"][0, k], par["fd_exp"][1, k], par["saving"][k]
        s0 = hh[:, k] / hh[:, k].sum()
        phi0 = float(s0 @ INC)
        n = c0 * phi0 + g0 + s0v
        bp, bg, bs = c0 * phi0 / n, g0 / n, s0v / n
        ug = pyo.value(m.Q_H["government", r])
        qs = pyo.value(m.SAV[r]) / s0v / pyo.value(m.P_H["investment", r])
        lnU = bp * np.log(m.UP[r].value) + bg * np.log(ug) + bs * np.log(qs)
        B = hand_B(s0, SUB)

        def cost_of_private_utility(up):           # E_P0 e(1, up) at benchmark prices
            return c0 * brentq(lambda x: float(np.sum(B * up ** (INC * SUB) * x ** -SUB)) - 1, 1e-3, 1e3, xtol=1e-15)

        def income(lnup):                           # private utility up, the rest split optimally
            rest = np.exp((lnU - bp * lnup) / (bg + bs))   # UG = QS = rest (indices)
            return cost_of_private_utility(np.exp(lnup)) + (g0 + s0v) * rest
        best = minimize_scalar(income, bracket=(-0.1, 0.1), tol=1e-12)
        assert float(res.ev.sel(region=r)) == pytest.approx(best.fun - par["income"][k], rel=1e-6, abs=1e-9)


# --- the standard closure: sluggish endowments, global bank, pfactwld --------------------------

def test_etrae_slug_and_rordelta_map_to_the_closure(gtap):
    folder, g, ds, el = gtap
    # Land: SLUG = 1, ETRAE = -1 -> sluggish with eta 1; labour and capital mobile
    assert dict(zip(ds.factor.values, ds.sluggish.values)) == {"land": 1.0, "labour": 0.0, "capital": 0.0}
    assert float(ds.etrae.sel(factor="land")) == pytest.approx(1.0)
    np.testing.assert_allclose(ds.capital_stock.values, g["VKB"], rtol=1e-6)
    assert ds.attrs["rordelta"] == 1
    c = cgetrade.Closure.from_gtap(ds)
    assert c.mobility == {"land": "sluggish"} and c.factor_eta("land") == pytest.approx(1.0)
    assert c.numeraire == ("world_factor_price_index",) and c.foreign_saving_rule == "global_bank"
    assert c.investment_allocation == "rate_of_return" and c.preset == "gtap7"
    assert cgetrade.Closure.from_gtap(cgetrade.calibrate(ds, el)) == c      # from the parameters too
    # ETRAE = 0: sector-specific; RORDELTA = 0: fixed shares of world investment
    ds0 = ds.assign(etrae=ds.etrae.where(ds.factor != "land", 0.0))
    ds0.attrs["rordelta"] = 0
    c0 = cgetrade.Closure.from_gtap(ds0)
    assert c0.mobility == {"land": "specific"} and c0.investment_allocation == "shares"
    with pytest.raises(cgetrade.errors.ClosureError, match="eta"):
        cgetrade.CGEModel(cgetrade.calibrate(ds, el), cgetrade.Closure(mobility={"land": "sluggish"},
                                                                        eta={"land": -1.0}))


def test_gtap7_model_from_the_har_files_replicates_and_is_homogeneous(gtap):
    folder, g, ds, el = gtap
    from cgetrade import gtap7
    model = gtap7.model(folder / "basedata.har", folder / "default.prm", folder / "sets.har")
    assert model.params.private_demand == "cde" and model.closure.preset == "gtap7"
    assert model.max_residual() <= 1e-8
    assert model.solve().iterations == 0
    assert all(c.passed for c in homogeneity(model))
    assert all(c.passed for c in walras(model, Scenario("tariffs", [Shock("tariff", 0.15, mode="set")])))


def _rore(m, par, r):
    """Expected rate of return relative to the benchmark, from the definitions (by hand)."""
    k = par.regions.index(r)
    vkb, dep, rflx = par["capital_stock"][k], par["depreciation"][k], par["rorflex"][k]
    rent0 = par["vfm"][par.factors.index("capital"), :, k].sum()
    inv0 = par["fd_exp"][2, k]
    delta = dep / vkb
    pi = pyo.value(m.P_H["investment", r])
    rorc = m.W["capital", r].value * rent0 / vkb / pi - delta
    ke = 1 - delta + pyo.value(m.E["investment", r]) / pi / vkb
    ke0 = 1 - delta + inv0 / vkb
    return rorc / (rent0 / vkb - delta) * (ke / ke0) ** (-rflx)


def test_uniform_tariff_under_the_gtap7_closure(gtap):
    """A uniform 10 % tariff on every route: the global bank equalises the changes of expected
    rates of return, world investment = world saving, pfactwld stays 1, the sluggish land
    follows its CET."""
    folder, g, ds, el = gtap
    par = cgetrade.calibrate(ds, el, private_demand="cde")
    model = cgetrade.CGEModel(par, cgetrade.Closure.from_gtap(ds))
    Scenario("uniform tariff", [Shock("tariff", 0.10, mode="set")]).apply(model)
    sol = model.solve()
    assert sol.iterations > 0 and model.max_residual() <= 1e-8
    m = model.pyomo
    rore = [_rore(m, par, r) for r in par.regions]
    assert max(rore) - min(rore) < 1e-10 and abs(rore[0] - 1) > 1e-4
    inv = sum(pyo.value(m.E["investment", r]) for r in m.R)
    assert inv == pytest.approx(sum(pyo.value(m.SAV[r]) for r in m.R), rel=1e-12)
    # pfactwld = benchmark-payment-weighted factor prices, by hand
    vfm = par["vfm"]
    w = 0.0
    for f in par.factors:
        for k, r in enumerate(par.regions):
            w += vfm[par.factors.index(f), :, k].sum() / vfm.sum() * m.W[f, r].value
    assert w == pytest.approx(1.0, abs=1e-12)
    # land: F_j / F_j0 = (W_j / W)^eta x supply, eta = |ETRAE| = 1
    for j in par.sectors:
        f0 = vfm[par.factors.index("land"), par.sectors.index(j), 0]
        if f0 > 0:
            assert pyo.value(m.FD["land", j, "usa"]) / f0 == pytest.approx(m.WS["land", j, "usa"].value
                                                                    / m.W["land", "usa"].value, rel=1e-10)
    # the results carry the run
    res = cgetrade.results.collect(model)
    assert np.isfinite(res.ev.values).all()


def test_fixed_investment_shares_and_tfp_under_gtap7(gtap):
    """RORDELTA = 0: each region's share of world investment stays at the benchmark's; a TFP
    shock solves with a welfare gain where it happens."""
    folder, g, ds, el = gtap
    par = cgetrade.calibrate(ds, el, private_demand="cde")
    model = cgetrade.CGEModel(par, cgetrade.Closure.from_gtap(ds, investment_allocation="shares"))
    Scenario("tfp", [Shock("tfp", 0.05, region="chn")]).apply(model)
    model.solve()
    m = model.pyomo
    inv = np.array([pyo.value(m.E["investment", r]) for r in m.R])
    np.testing.assert_allclose(inv / inv.sum(), par["fd_exp"][2] / par["fd_exp"][2].sum(), rtol=1e-12)
    res = cgetrade.results.collect(model)
    assert float(res.ev.sel(region="chn")) > 0


def test_rate_of_return_needs_capital_data(gtap):
    folder, g, ds, el = gtap
    par = cgetrade.calibrate(ds.drop_vars("capital_stock"), el)
    with pytest.raises(cgetrade.errors.ClosureError, match="capital_stock"):
        cgetrade.CGEModel(par, cgetrade.Closure.from_preset("gtap7"))


def test_results_under_gtap_names(gtap, tmp_path):
    """gtap_names: GTAP's variables as % changes (money for EV, DTBAL) with units and long_name,
    written to netCDF."""
    import xarray as xr
    folder, g, ds, el = gtap
    from cgetrade import gtap7
    model = gtap7.model(folder / "basedata.har", folder / "default.prm")
    model.solve()
    base = cgetrade.results.collect(model)
    Scenario("uniform tariff", [Shock("tariff", 0.10, mode="set")]).apply(model)
    model.solve()
    scen = cgetrade.results.collect(model)
    out = cgetrade.results.gtap_names(base, scen)
    assert set(cgetrade.results.GTAP_NAMES) <= set(out.data_vars)
    assert not cgetrade.metadata.missing(out)
    assert out.qo.attrs["units"] == "%" and out.EV.attrs["units"] == base.attrs["money_unit"]
    m = model.pyomo
    for j in model.params.sectors:
        assert float(out.qo.sel(sector=j, region="chn")) == pytest.approx(100 * (m.Y[j, "chn"].value - 1), rel=1e-9)
    x = pyo.value(m.X["mfg", "usa", "chn"])
    x0 = model.params.data.vxmd.sel(commodity="mfg", source="usa", region="chn").item()
    assert float(out.qxs.sel(commodity="mfg", source="usa", region="chn")) == pytest.approx(100 * (x / x0 - 1), rel=1e-9)
    assert abs(float(out.pfactwld)) < 1e-10                      # the numeraire
    np.testing.assert_allclose(out.EV.values, scen.ev.values, rtol=1e-12)
    np.testing.assert_allclose(out.up.values, [100 * (m.UP[r].value - 1) for r in m.R], rtol=1e-9)
    # u: % change of UP^b_P UG^b_G QS^b_S; EV > 0 exactly where u > 0
    assert (np.sign(out.u.values) == np.sign(out.EV.values)).all()
    path = tmp_path / "gtap.nc"
    cgetrade.results.save(out, path)
    back = xr.open_dataset(path, engine="h5netcdf")
    assert back.qxs.attrs["long_name"].startswith("qxs") and float(back.qgdp.sel(region="usa")) == pytest.approx(
        float(out.qgdp.sel(region="usa")))
    back.close()


# --- multi-product activities (a non-diagonal make matrix) -------------------------------------

FLOWS = ("intermediate", "final_demand", "factor_payments", "production_tax", "gross_output",
         "import_tariff", "transport_margins")


def test_several_activities_of_one_commodity_recover_the_commodity_data_base(tmp_path):
    """Two activities that make mfg with the same technology (as GTAP-Power's electricity
    technologies make ely): the industry technology assumption gives back the diagonal data base."""
    write_gtap(tmp_path / "diag")
    split = {"agr": {"agr": 1.0}, "mfg_a": {"mfg": 0.6}, "mfg_b": {"mfg": 0.4}, "trs": {"trs": 1.0}}
    write_gtap(tmp_path / "split", activities=split)
    ds0, el0 = from_gtap(tmp_path / "diag" / "basedata.har", tmp_path / "diag" / "default.prm")
    with pytest.raises(DataValidationError, match="industry_technology"):
        from_gtap(tmp_path / "split" / "basedata.har", tmp_path / "split" / "default.prm")
    ds1, el1 = from_gtap(tmp_path / "split" / "basedata.har", tmp_path / "split" / "default.prm",
                         make="industry_technology")
    for v in FLOWS:
        np.testing.assert_allclose(ds1[v].values, ds0[v].values, rtol=2e-6, atol=1e-9, err_msg=v)
    assert el1.value("sigma_va", "mfg") == pytest.approx(el0.value("sigma_va", "mfg"), rel=1e-6)
    assert ds1.attrs["make"] == "industry technology: 4 activities -> 3 commodity sectors"


def test_multi_product_activity_under_the_industry_technology_assumption(tmp_path):
    """An activity that makes agr and mfg: each commodity's inputs are the output-share-weighted
    inputs of the activities that make it (by hand); the benchmark calibrates, replicates and
    solves a shock under gtap7."""
    mix = {"agr": {"agr": 0.9}, "mix": {"agr": 0.1, "mfg": 0.3}, "mfg": {"mfg": 0.7}, "trs": {"trs": 1.0}}
    d = write_gtap(tmp_path, activities=mix)
    assert (d["MAKB"][:, 1] > 0).sum(0).min() == 2              # "mix" makes two commodities
    ds, el = from_gtap(tmp_path / "basedata.har", tmp_path / "default.prm", make="industry_technology")
    # w[c,a] = MAKB[c,a] / sum_c MAKB[c,a]; commodity agr's domestic mfg input in region usa
    mak = d["MAKB"][:, :, 0]
    w = mak / mak.sum(0, keepdims=True)
    by_hand = (w[0] * d["VDFB"][1, :, 0]).sum()
    assert float(ds.intermediate.sel(commodity="mfg", source="usa", sector="agr", region="usa")) \
        == pytest.approx(by_hand, rel=2e-6)
    np.testing.assert_allclose(ds.gross_output.sel(region="usa").values,
                               mak.sum(1) + (d["VFOB"] - d["VXSB"])[:, 0].sum(1), rtol=2e-6)
    par = cgetrade.calibrate(ds, el, private_demand="cde")
    model = cgetrade.CGEModel(par, cgetrade.Closure.from_gtap(ds))
    assert model.max_residual() <= 1e-8 and model.solve().iterations == 0
    assert all(c.passed for c in walras(model, Scenario("tfp", [Shock("tfp", 0.05, region="usa", sector="mfg")])))


def test_cde_options_refused_where_they_do_not_apply(gtap):
    from cgetrade.welfare import decompose_ev
    folder, g, ds, el = gtap
    par = cgetrade.calibrate(ds, el, private_demand="cde")
    with pytest.raises(cgetrade.errors.ClosureError, match="regional household"):
        cgetrade.CGEModel(par, cgetrade.Closure(final_demand="household_government"))
    model = cgetrade.CGEModel(par)
    with pytest.raises(ValueError, match="CDE"):
        decompose_ev(model, Scenario("free trade", [Shock("tariff", 0.0, mode="set")]), steps=2)


def test_command_line_run_under_gtap7_writes_gtap_names(gtap, tmp_path):
    import xarray as xr
    from cgetrade.cli import main
    folder, g, ds, el = gtap
    scen = tmp_path / "uniform_tariff.toml"
    scen.write_text('name = "uniform_tariff"\n[[shock]]\nkind = "tariff"\nmode = "set"\nvalue = 0.10\n')
    out = tmp_path / "run.nc"
    assert main(["run", str(scen), "--dataset", str(folder), "--closure", "gtap7", "--private-demand", "cde",
                 "--gtap-names", "--out", str(out), "-q"]) == 0
    with xr.open_dataset(out, engine="h5netcdf") as res:
        assert '"investment_allocation": "rate_of_return"' in res.attrs["closure"]
        assert res.qgdp.attrs["units"] == "%" and res.EV.sizes == {"region": 3}
        np.testing.assert_allclose(res.EV.values, res.ev.sel(case="scenario").values - res.ev.sel(case="baseline").values,
                                   rtol=1e-12, atol=1e-12)
        assert abs(float(res.pfactwld)) < 1e-10
