"""Array evaluation of model components (results, textbook variables) and the vectorised SAM
reader against scalar evaluation of the Pyomo declarations and the SAM's cells."""
import numpy as np
import pandas as pd
import pyomo.environ as pyo
import pytest

import cgetrade
from cgetrade import reference
from cgetrade.data import from_sam, read_sam
from cgetrade.data.synthetic import synthetic_sam
from cgetrade.results import _COMPONENTS, collect


def _perturbed(model, seed=0):
    """Move every free variable off the benchmark (x exp(N(0, 0.05)))."""
    nlp = model.nlp
    x = nlp.x_from_model() * np.exp(0.05 * np.random.default_rng(seed).standard_normal(nlp.n))
    nlp.to_model(x)
    return x


@pytest.mark.parametrize("name", ["default", "STDCGE", "TWOCGE"])
def test_component_values_equal_the_pyomo_expressions(name, default_model):
    model = default_model if name == "default" else reference.MODELS[name].build()
    saved = model.nlp.x_from_model()
    try:
        _perturbed(model)
        names = list(_COMPONENTS) + ["E", "QA", "EXPORTS", "TARIFF_REVENUE", "C"]
        values = model.nlp.component_values(names)
        for comp_name in names:
            comp = getattr(model.pyomo, comp_name)
            idx, vals = values[comp_name]
            assert list(idx) == list(comp.keys())
            scalar = np.array([pyo.value(comp[k]) for k in idx], float)
            np.testing.assert_allclose(vals, scalar, rtol=1e-12, atol=1e-12, err_msg=comp_name)
    finally:
        model.nlp.to_model(saved)


def test_collect_equals_scalar_evaluation(fresh_default):
    """A few results computed element by element with pyo.value, as the declarations say."""
    model = fresh_default
    _perturbed(model, seed=1)
    m, par = model.pyomo, model.params
    res = collect(model)
    I, R = par.sectors, par.regions
    for (i, s, r) in list(m.BT)[:40]:
        assert res.bilateral_trade.sel(commodity=i, source=s, region=r).item() == \
            pytest.approx(pyo.value(m.X[i, s, r]), rel=1e-12)
    dom = {(i, r): sum(pyo.value(m.D[i, a, r]) for a in m.A if (i, a, r) in m.USE) for i in I for r in R}
    np.testing.assert_allclose([res.domestic_use.sel(commodity=i, region=r).item() for i, r in dom],
                               list(dom.values()), rtol=1e-12)
    ev = [pyo.value(m.ev_base[r]) * (pyo.value(m.UTILITY[r]) - 1) for r in R]
    np.testing.assert_allclose(res.ev.values, ev, rtol=1e-12, atol=1e-9)
    hh = [pyo.value(m.P_A[i, "household", r]) if (i, "household", r) in m.USE else 1.0 for i in I for r in R]
    np.testing.assert_allclose(res.household_price.values.ravel(), hh, rtol=1e-12)


def test_textbook_variables_equal_scalar_evaluation():
    model = reference.MODELS["STDCGE"].build()
    model.solve()
    _perturbed(model, seed=2)
    m = model.pyomo
    out = reference.textbook_variables(model)
    local = 1 / pyo.value(m.W["labour", "STD"])
    for i in m.I:
        assert out[("pq", i, "STD")] == pytest.approx(pyo.value(m.P_A[i, "household", "STD"]) * local, rel=1e-12)
        assert out[("Tm", i, "STD")] == pytest.approx(pyo.value(m.TARIFF_REVENUE[i, "STD"]) * local, rel=1e-12)
        assert out[("D", i, "STD")] == pytest.approx(
            sum(pyo.value(m.D[i, a, "STD"]) for a in m.A if (i, a, "STD") in m.USE), rel=1e-12)
        assert out[("Y", i, "STD")] == pytest.approx(pyo.value(m.QVA[i, "STD"]), rel=1e-12)


def test_from_sam_reads_every_cell_of_a_synthetic_sam():
    sam, accounts = synthetic_sam(12, seed=4)
    assert np.abs(sam.sum(axis=0) - sam.sum(axis=1)).max() < 1e-9 * sam.to_numpy().max()
    ds = from_sam(sam, accounts, region="SAM", rest_of_world="EXT")
    g = [a for a, t in accounts.items() if t == "good"]
    cell = sam.loc
    np.testing.assert_allclose(ds.intermediate.sum("source").isel(region=0).values, cell[g, g].values, rtol=1e-13)
    for agent, acc in (("household", "HOH"), ("government", "GOV"), ("investment", "INV")):
        np.testing.assert_allclose(ds.final_demand.sum("source").sel(agent=agent, region="SAM").values,
                                   cell[g, acc].values, rtol=1e-13)
    # imports (at world prices plus tariffs) are the same share of every user's purchases
    imported = ds.intermediate.sel(source="EXT").sum("sector") + ds.final_demand.sel(source="EXT").sum("agent")
    np.testing.assert_allclose(imported.isel(region=0).values, (cell["EXT", g] + cell["TRF", g]).values, rtol=1e-12)
    np.testing.assert_allclose(ds.import_tariff.sel(source="EXT", region="SAM").values, cell["TRF", g].values)
    np.testing.assert_allclose(ds.factor_payments.sel(factor="labour", region="SAM").values, cell["LAB", g].values)
    np.testing.assert_allclose(ds.production_tax.isel(region=0).values, cell["IDT", g].values)
    np.testing.assert_allclose(ds.exports_rest_of_world.isel(region=0).values, cell[g, "EXT"].values)
    np.testing.assert_allclose(ds.gross_output.isel(region=0).values,
                               (sam[g].sum(axis=0) - cell["EXT", g] - cell["TRF", g]).values, rtol=1e-13)
    assert float(ds.direct_tax.item()) == pytest.approx(cell["GOV", "HOH"])
    # the long layout gives the same table
    long = sam.stack().rename_axis(["row", "col"]).reset_index(name="value")
    long = long[long.value != 0]
    pd.testing.assert_frame_equal(read_sam(long).loc[sam.index, sam.columns], sam, check_exact=False, rtol=1e-15)


def test_synthetic_sam_calibrates_replicates_and_solves_a_tariff_abolition():
    sam, accounts = synthetic_sam(6, seed=1)
    ds = from_sam(sam, accounts, region="SAM", rest_of_world="EXT")
    closure = cgetrade.Closure(numeraire=("factor", "labour", "SAM"), final_demand="household_government",
                               foreign_saving="rest_of_world")
    model = cgetrade.CGEModel(cgetrade.calibrate(ds, reference.HGH_ELASTICITIES), closure)
    assert model.max_residual() < 1e-8
    before = reference.textbook_variables(model)
    reference.MODELS["STDCGE"].experiment.solve(model)
    after = reference.textbook_variables(model)
    assert all(after[("Tm", i, "SAM")] == pytest.approx(0, abs=1e-10) for i in ds.commodity.values)
    assert after[("UU", "SAM")] != pytest.approx(before[("UU", "SAM")], rel=1e-6)
