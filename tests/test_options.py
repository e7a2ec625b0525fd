"""Model options: CET between domestic sales and exports, CES special cases."""
import numpy as np
import pyomo.environ as pyo
import pytest

import cgetrade
from cgetrade import Elasticities, checks
from cgetrade.results import collect
from cgetrade.scenario import Scenario, Shock

CN = Scenario("cn", [Shock("tfp", 0.1, region="CHN", sector="manufacturing")])


def _model(ds, **override):
    return cgetrade.CGEModel(cgetrade.calibrate(ds, Elasticities.gtap_default().override(**override)))


@pytest.mark.parametrize("override", [{"sigma_t": 2.0}, {"sigma_t": 0.0},
                                      {"sigma_top": 1.0, "sigma_va": 0.0, "final_demand": 0.5},
                                      {"sigma_d": 1.0, "sigma_m": 0.0, "final_demand": 0.0}])
def test_options_pass_all_checks(default_dataset, override):
    model = _model(default_dataset, **override)
    results = checks.run_all(model, CN)
    assert all(r.passed for r in results), checks.format_table(results)


def test_cet_converges_to_perfect_transformation(default_dataset):
    """Chinese electronics exports after the shock rise with the CET elasticity and approach
    the no-CET (GTAP) value as psi grows."""
    def exports(model):
        model.solve()
        CN.solve(model)
        return float(collect(model).exports.sel(commodity="ELE", region="CHN"))
    values = [exports(_model(default_dataset, sigma_t=psi)) for psi in (0.5, 2.0, 50.0)]
    limit = exports(cgetrade.CGEModel(cgetrade.calibrate(default_dataset)))
    assert values[0] < values[1] < values[2] < limit
    assert values[2] == pytest.approx(limit, rel=0.01)


def test_cet_prices_split_and_welfare_adds_up(default_dataset):
    from cgetrade.welfare import COMPONENTS, decompose_ev
    model = _model(default_dataset, sigma_t={"ELE": 1.0, "MAC": 1.0})
    assert set(i for i, _ in model.pyomo.CET) == {"ELE", "MAC"}
    model.solve()
    d = decompose_ev(model, CN, steps=8)
    np.testing.assert_allclose(sum(d[c] for c in COMPONENTS), d.ev, rtol=1e-5, atol=0.1)
    res = collect(model)
    # with a finite CET the domestic and export varieties have different prices, and the
    # producer price is their CET revenue index (psi = 1: exponent 1 + psi = 2)
    assert abs(float(res.export_price.sel(sector="ELE", region="CHN") -
                     res.domestic_price.sel(sector="ELE", region="CHN"))) > 1e-3
    m = model.pyomo
    assert pyo.value(m.PY["ELE", "CHN"]) == pytest.approx(
        (float(model.params.data.use_dom.sel(commodity="ELE", region="CHN").sum()
               / model.params.data.vom.sel(sector="ELE", region="CHN"))
         * pyo.value(m.PD["ELE", "CHN"]) ** 2
         + float(model.params.data.vxmd.sel(commodity="ELE", source="CHN").sum()
                 / model.params.data.vom.sel(sector="ELE", region="CHN"))
         * pyo.value(m.PE["ELE", "CHN"]) ** 2) ** 0.5, rel=1e-9)


def test_negative_or_nan_elasticities_are_rejected(small_dataset):
    with pytest.raises(ValueError, match=">= 0"):
        cgetrade.calibrate(small_dataset, Elasticities.gtap_default().override(sigma_t=-1.0))
    with pytest.raises(ValueError, match=">= 0"):
        cgetrade.calibrate(small_dataset, Elasticities.gtap_default().override(sigma_d=float("inf")))
