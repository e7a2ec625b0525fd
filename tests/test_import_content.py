"""Import content of domestic prices: the input-output price model behind the split of the
CPI's domestic contribution into imported intermediates and domestic value added."""
import numpy as np
import pytest
import xarray as xr

import cgetrade
from cgetrade.model import Closure
from cgetrade.policy import compare_regimes, cpi_decomposition, cpi_three_way, import_content
from cgetrade.results import collect
from cgetrade.scenario import Scenario, Shock

# two sectors, one region: cost shares A[i, j] of input i in the unit cost of sector j
A_DOM = np.array([[0.2, 0.1], [0.3, 0.4]])[:, :, None]
A_IMP = np.array([[0.1, 0.0], [0.0, 0.2]])[:, :, None]


def test_two_sector_leontief_pass_through_by_hand():
    """(I - A_d')^-1 = [[0.6, 0.3], [0.1, 0.8]] / 0.45, times A_m' = diag(0.1, 0.2)."""
    m = import_content(A_DOM, A_IMP)[:, :, 0]
    np.testing.assert_allclose(m, [[0.06 / 0.45, 0.06 / 0.45], [0.01 / 0.45, 0.16 / 0.45]], rtol=1e-14)
    # sector 0 uses no imported input 1 directly, but buys domestic input 1, which does
    assert A_IMP[1, 0, 0] == 0 and m[0, 1] > 0
    assert (import_content(A_DOM, np.zeros_like(A_IMP)) == 0).all()


def _prices(dpm, de, dv=(0.0, 0.0)):
    """Local-currency log changes of domestic prices from the price model dp = A_d' dp +
    A_m' (de + dpm) + dv, returned in the anchor currency (minus de) as the records hold them."""
    a_d, a_m = A_DOM[:, :, 0], A_IMP[:, :, 0]
    local = np.linalg.solve(np.eye(2) - a_d.T, a_m.T @ (de + np.asarray(dpm)) + np.asarray(dv))
    return local - de


@pytest.mark.parametrize("dpm, de", [((0.10, -0.05), 0.0), ((0.0, 0.0), 0.03), ((0.02, 0.07), -0.04)])
def test_import_price_shock_without_consumer_imports_is_all_imported_intermediates(dpm, de):
    """Households buy only domestic varieties (v = 1) and value added does not move: an
    import-price or exchange-rate shock reaches the CPI only through imported inputs."""
    w, v = np.array([[0.6], [0.4]]), np.ones((2, 1))
    dpd = _prices(dpm, de)[:, None]
    imp, mid, va = cpi_three_way(w, v, np.array([de]), dpd, np.array(dpm)[:, None], A_DOM, A_IMP)
    total = 100 * (w[:, 0] * (de + dpd[:, 0])).sum()
    assert imp[0] == 0.0
    assert mid[0] == pytest.approx(total, abs=1e-12) and abs(mid[0]) > 1e-3
    assert abs(va[0]) < 1e-12


def test_value_added_change_is_all_domestic_value_added():
    w, v = np.array([[0.5], [0.5]]), np.array([[0.8], [0.9]])
    dpd = _prices((0.0, 0.0), 0.0, dv=(0.01, 0.03))[:, None]
    imp, mid, va = cpi_three_way(w, v, np.zeros(1), dpd, np.zeros((2, 1)), A_DOM, A_IMP)
    assert imp[0] == 0.0 and mid[0] == 0.0
    assert va[0] == pytest.approx(100 * (w * v * dpd).sum(), abs=1e-12) and va[0] > 0


def _record(cpi, de, dpd, dpm, budget, dom_share):
    c = {"commodity": ["a", "b"], "sector": ["a", "b"], "region": ["r"]}
    cr = ("commodity", "region")
    return xr.Dataset({
        "cpi_local": ("region", [cpi]), "exchange_rate": ("region", [np.exp(de)]),
        "domestic_price": (("sector", "region"), np.exp(dpd)), "import_price": (cr, np.exp(dpm)),
        "household_budget_share": (cr, budget), "household_domestic_share": (cr, dom_share),
        "intermediate_cost_share_domestic": (("commodity", "sector", "region"), A_DOM),
        "intermediate_cost_share_imported": (("commodity", "sector", "region"), A_IMP)}, coords=c)


def test_cpi_decomposition_three_parts_on_records_with_cost_shares():
    """Two solutions with the same shares: the Sato-Vartia averages are the shares, so the
    input-output price model is exact; with a value-added change on top the parts separate."""
    w = np.array([[0.6], [0.4]])
    v = np.array([[0.7], [1.0]])
    de, dpm = 0.02, np.array([0.05, -0.01])
    dv = (0.004, 0.01)
    dpd = _prices(dpm, de, dv)
    total = (w[:, 0] * (v[:, 0] * (de + dpd) + (1 - v[:, 0]) * (de + dpm))).sum()
    base = _record(1.0, 0.0, np.zeros((2, 1)), np.zeros((2, 1)), w, v)
    scen = _record(np.exp(total), de, dpd[:, None], dpm[:, None], w, v)
    dec = cpi_decomposition(base, scen)
    parts = dec.cpi_import_pct + dec.cpi_imported_intermediates_pct + dec.cpi_domestic_value_added_pct
    np.testing.assert_allclose(parts, dec.cpi_pct, atol=1e-12)
    np.testing.assert_allclose(dec.cpi_imported_intermediates_pct + dec.cpi_domestic_value_added_pct,
                               dec.cpi_domestic_pct, atol=1e-12)
    content = import_content(A_DOM, A_IMP)[:, :, 0]
    np.testing.assert_allclose(dec.cpi_imported_intermediates_pct,
                               [100 * (w[:, 0] * v[:, 0] * (content @ (de + dpm))).sum()], atol=1e-12)
    va = np.linalg.solve(np.eye(2) - A_DOM[:, :, 0].T, np.array(dv))
    np.testing.assert_allclose(dec.cpi_domestic_value_added_pct, [100 * (w[:, 0] * v[:, 0] * va).sum()],
                               atol=1e-12)
    # records without cost shares: no three-way split, the two-way one unchanged
    old = cpi_decomposition(base.drop_vars(["intermediate_cost_share_domestic", "intermediate_cost_share_imported"]),
                            scen.drop_vars(["intermediate_cost_share_domestic", "intermediate_cost_share_imported"]))
    assert np.isnan(old.cpi_imported_intermediates_pct).all()
    np.testing.assert_allclose(old.cpi_domestic_pct, dec.cpi_domestic_pct, rtol=1e-15)


def test_bad_cost_shares_are_rejected():
    with pytest.raises(ValueError, match="shape"):
        import_content(A_DOM, A_IMP[:1])
    with pytest.raises(ValueError, match=">= 0"):
        import_content(A_DOM, -A_IMP)
    with pytest.raises(ValueError, match="Leontief inverse"):
        import_content(np.array([[0.9, 0.5], [0.5, 0.5]])[:, :, None], A_IMP)   # eigenvalue 1.24


def test_collected_cost_shares_are_the_benchmark_data_and_content_is_non_negative(fresh_small):
    fresh_small.solve()
    res, p = collect(fresh_small), fresh_small.params
    n = len(p.sectors)
    bundle = p["vom"] * (1 - p["to"])                  # inputs + value added at factor cost
    np.testing.assert_allclose(res.intermediate_cost_share_domestic, p["use_dom"][:, :n] / bundle, atol=1e-12)
    np.testing.assert_allclose(res.intermediate_cost_share_imported, p["use_imp"][:, :n] / bundle, atol=1e-12)
    content = import_content(res.intermediate_cost_share_domestic.values,
                             res.intermediate_cost_share_imported.values)
    assert (content >= 0).all()
    total = content.sum(1)                               # import content of each domestic price
    assert (total > 0.01).all() and (total < 1).all()
    # more than the direct imported inputs: imports embodied in domestic inputs count too
    assert (total > res.intermediate_cost_share_imported.sum("commodity").values + 1e-6).all()


def _without_imported_intermediates(ds, region):
    """The same economy, but ``region``'s producers buy domestic varieties only: each
    imported intermediate is swapped with domestic final demand of the same commodity in
    ``region`` (exporters' sales, producers' costs and every agent's spending unchanged)."""
    ds = ds.copy(deep=True)
    inter = ds["intermediate"].sel(region=region)
    foreign = [s for s in ds.source.values if s != region]
    moved_by_source = inter.sel(source=foreign).sum("sector")               # (commodity, source)
    moved = moved_by_source.sum("source")                                   # (commodity,)
    ds["intermediate"].loc[dict(source=region, region=region)] += inter.sel(source=foreign).sum("source")
    ds["intermediate"].loc[dict(source=foreign, region=region)] = 0.0
    fd_dom = ds["final_demand"].sel(source=region, region=region)            # (commodity, agent)
    share = fd_dom / fd_dom.sum("agent")
    assert bool((fd_dom.sum("agent") > moved).all())
    ds["final_demand"].loc[dict(source=region, region=region)] = fd_dom - share * moved
    for s in foreign:
        ds["final_demand"].loc[dict(source=s, region=region)] += share * moved_by_source.sel(source=s)
    return ds


def test_no_imported_intermediates_no_import_content(small_dataset):
    """A region whose producers use no imported inputs: its imported-intermediate
    contribution is exactly zero while the others' is not; the parts add up everywhere."""
    ds = _without_imported_intermediates(small_dataset, "R02")
    cgetrade.data.validate(ds)
    params = cgetrade.calibrate(ds)
    assert params["use_imp"][:, : len(params.sectors), params.regions.index("R02")].sum() == 0
    scen = Scenario("import_prices", [Shock("tfp", 0.05, region="R01"), Shock("tfp", -0.03, region="R03")])
    tab = compare_regimes(params, scen, regions=params.regions, regimes={"strict": "cpi", "money": "money"},
                          closure=Closure(labour="wage_curve", anchor="R01"))
    parts = tab.cpi_import_pct + tab.cpi_imported_intermediates_pct + tab.cpi_domestic_value_added_pct
    np.testing.assert_allclose(parts, tab.cpi_pct, atol=1e-9)
    assert (tab.cpi_imported_intermediates_pct.sel(region="R02") == 0).all()
    assert float(abs(tab.cpi_imported_intermediates_pct.sel(region=["R01", "R03"])).min()) > 1e-4
    assert float(abs(tab.cpi_import_pct.sel(region="R02")).min()) > 1e-4     # consumers still import
