"""Reference suite: the Hosoe-Gasawa-Hashimoto textbook models against their published results."""
import numpy as np
import pytest
import xarray as xr

from cgetrade import CGEModel, calibrate, reference, results
from cgetrade.data.schema import DataValidationError, validate
from cgetrade.model import Closure
from cgetrade.scenario import Scenario, Shock, ShockError
from cgetrade.welfare import decompose_ev


@pytest.fixture(scope="module", params=list(reference.MODELS))
def rows(request):
    return reference.run(request.param)


def test_every_published_value_and_requirement_matches(rows):
    compared = [r for r in rows if r.published is not None]
    assert compared, "no published value compared"
    bad = [(r.quantity, r.case, r.published, r.ours) for r in compared if not r.passed]
    assert not bad, bad


def test_published_values_cover_utility_and_the_stdcge_listing():
    by_model = {}
    for pub in reference.PUBLISHED:
        by_model.setdefault(pub.model, set()).add(pub.quantity.split("(")[0])
    assert {"UU"} <= by_model["SPLCGE"]
    assert {"UU", "EV", "dE", "dM", "dZ", "dpq", "dpe", "dpm", "depsilon", "dXp"} <= by_model["STDCGE"]
    assert any(q.startswith("SW") for q in by_model["TWOCGE"])
    assert all(p.source in reference.SOURCES for p in reference.PUBLISHED)


def test_a_wrong_published_value_is_reported_as_different():
    row = reference.Row("X", "UU", "benchmark", 25.51, 25.5085, reference._sig(25.51, 5), "test")
    assert row.passed is False


@pytest.mark.parametrize("name", list(reference.MODELS))
def test_sam_datasets_validate_and_preserve_totals(name):
    spec = reference.MODELS[name]
    ds = spec.dataset()
    validate(ds)
    for region, f in spec.sams.items():
        sam = reference.read_sam(reference.TEXTBOOK / f)
        # gross output = SAM column of the good minus its imports and tariffs
        for g in reference.GOODS:
            col = float(sam.sel(col=g).sum())
            trade = sum(float(sam.sel(row=a, col=g)) for a in ("EXT", "TRF") if a in sam["row"])
            assert float(ds["gross_output"].sel(sector=g, region=region)) == pytest.approx(col - trade)
        fd = float(ds["final_demand"].sel(region=region).sum())
        assert fd == pytest.approx(float(sam.sel(row=list(reference.GOODS),
                                                 col=["HOH", "GOV", "INV"] if "GOV" in sam["col"] else ["HOH"]).sum()))


def test_unbalanced_sam_is_rejected():
    sam = reference.read_sam(reference.TEXTBOOK / "stdcge_sam.csv")
    before = sam.copy()
    bad = sam.copy()
    bad.loc["BRD", "HOH"] += 1.0
    with pytest.raises(DataValidationError, match="not balanced"):
        reference.sam_dataset({"STD": bad}, rest_of_world="EXT")
    xr.testing.assert_identical(sam, before)


def test_two_region_trade_must_match():
    jpn = reference.read_sam(reference.TEXTBOOK / "twocge_sam_jpn.csv")
    usa = reference.read_sam(reference.TEXTBOOK / "twocge_sam_usa.csv")
    jpn2 = jpn.copy()
    # JPN exports one more unit of BRD (less investment, less foreign saving): USA's imports differ
    jpn2.loc["BRD", "EXT"] += 1.0
    jpn2.loc["BRD", "INV"] -= 1.0
    jpn2.loc["INV", "EXT"] -= 1.0
    with pytest.raises(DataValidationError, match="differ from imports"):
        reference.sam_dataset({"JPN": jpn2, "USA": usa})


@pytest.fixture
def stdcge():
    spec = reference.MODELS["STDCGE"]
    return spec, spec.build()


def test_exchange_rate_numeraire_gives_the_same_real_equilibrium(stdcge):
    spec, model = stdcge
    spec.experiment.solve(model)
    a = reference.textbook_variables(model)
    other = CGEModel(model.params, Closure(numeraire=("exchange_rate",), final_demand="household_government",
                                           foreign_saving="rest_of_world", unemployment={"STD": 0.05}))
    spec.experiment.solve(other)
    assert other.pyomo.EXR["EXT"].value == pytest.approx(1.0, abs=1e-12)
    b = reference.textbook_variables(other)      # prices in labour units again
    for key in a:
        assert b[key] == pytest.approx(a[key], rel=1e-9, abs=1e-12), key


def test_foreign_saving_finances_imports_at_the_flexible_exchange_rate(stdcge):
    _, model = stdcge
    model.solve()
    base = results.collect(model)
    model.pyomo.fsav["STD"] = 0.0                     # balanced trade: exports rise, EXR depreciates
    model.solve()
    after = results.collect(model)
    assert float(after["exchange_rate_rest_of_world"]) > float(base["exchange_rate_rest_of_world"])
    assert float(after["exports"].sum()) > float(base["exports"].sum())
    assert float(after["trade_balance"].sum()) == pytest.approx(0.0, abs=1e-8)
    assert float(base["trade_balance"].sum()) == pytest.approx(-12.0, rel=1e-9)


def test_tariff_shock_on_the_rest_of_the_world(stdcge):
    _, model = stdcge
    Scenario("halve", [Shock("tariff", 0.0, source="EXT", sector="MLK", mode="set")]).apply(model)
    assert model.pyomo.tm_row["MLK", "STD"].value == 0.0
    assert model.pyomo.tm_row["BRD", "STD"].value == pytest.approx(1 / 13)
    with pytest.raises(ShockError, match="unknown source"):
        Scenario("x", [Shock("tariff", 0.1, source="MARS")]).apply(model)
    with pytest.raises(ShockError, match="mode"):
        Shock("tfp", 0.1, mode="set")


def test_options_that_need_a_rest_of_the_world_fail_clearly():
    params = reference.MODELS["TWOCGE"].build().params
    with pytest.raises(ValueError, match="rest of the world"):
        CGEModel(params, Closure(foreign_saving="rest_of_world", final_demand="household_government"))
    with pytest.raises(ValueError, match="invalid numeraire"):
        CGEModel(params, Closure(numeraire=("exchange_rate",)))
    with pytest.raises(ValueError, match="final_demand"):
        CGEModel(params, Closure(final_demand="ricardian"))


def test_household_government_ev_and_decomposition_guard():
    spec = reference.MODELS["TWOCGE"]
    model = spec.build()
    model.solve()
    with pytest.raises(ValueError, match="regional household"):
        decompose_ev(model, spec.experiment)
    spec.experiment.solve(model)
    ev = results.collect(model)["ev"].values
    tv = reference.textbook_variables(model)
    np.testing.assert_allclose(ev, [tv[("EV", r)] for r in model.params.regions], rtol=1e-12)


def test_default_structure_on_a_textbook_sam_is_a_different_model():
    """The regional household (GTAP) closure on the STDCGE data also replicates its benchmark
    but gives different welfare results: the closure matters and is not silently ignored."""
    spec = reference.MODELS["STDCGE"]
    params = calibrate(spec.dataset(), reference.HGH_ELASTICITIES)
    gtap = CGEModel(params, Closure(numeraire=("factor", "labour", "STD"), foreign_saving="rest_of_world",
                                    unemployment={"STD": 0.05}))
    assert gtap.max_residual() < 1e-12
    spec.experiment.solve(gtap)
    assert abs(reference.textbook_variables(gtap)[("UU", "STD")] - 26.092634381288686) > 1e-3
