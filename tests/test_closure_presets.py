"""Every closure preset replicates every shipped dataset (0 iterations, residual <= 1e-8) or
refuses it at build time with the reason."""
import warnings

import pytest

import cgetrade
from cgetrade import reference
from cgetrade.errors import ClosureError
from cgetrade.stress import closure_presets

DATASETS = {
    "default": cgetrade.data.load_default,
    "synthetic": lambda: cgetrade.data.synthetic_dataset(3, 4, seed=1),
    **{f"textbook {name}": model.dataset for name, model in reference.MODELS.items()},
}


@pytest.mark.parametrize("name", list(DATASETS))
def test_every_preset_replicates_or_refuses(name):
    ds = DATASETS[name]()
    params = cgetrade.calibrate(ds)
    outcomes = {}
    for preset, closure in closure_presets(params.regions).items():
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                model = cgetrade.CGEModel(params, closure)
        except ClosureError as err:
            assert str(err) and "\n" not in str(err)
            outcomes[preset] = "refused"
            continue
        res = max(abs(v) for v in model.residuals(include_walras=True).values())
        assert res <= 1e-8, (preset, res)
        assert model.solve().iterations == 0, preset
        outcomes[preset] = "replicates"
    assert outcomes["default"] == outcomes["global_bank"] == "replicates"
    if name == "default":
        assert outcomes["household_government"] == outcomes["rest_of_world"] == "refused"


def test_household_government_refusal_names_the_cause(default_dataset):
    params = cgetrade.calibrate(default_dataset)
    with pytest.raises(ClosureError) as err:
        cgetrade.CGEModel(params, cgetrade.Closure(final_demand="household_government"))
    msg = str(err.value)
    assert "USA: government saving rate s_g = -31.5" in msg and "JPN: government saving rate s_g = -37.7" in msg
    assert "ROW: government revenue" in msg and "not positive" in msg and "direct_tax" in msg


def test_household_government_with_direct_tax_replicates(default_dataset):
    """With a direct tax that balances each government budget the closure calibrates."""
    ds = default_dataset.copy(deep=True)
    p = cgetrade.calibrate(ds)
    gov = p.data.fd_exp.sel(final="government")
    indirect = p.data.income - p.data.factor_income
    ds["direct_tax"] = (gov - indirect).rename(None).drop_vars("final")
    params = cgetrade.calibrate(ds)
    model = cgetrade.CGEModel(params, cgetrade.Closure(final_demand="household_government"))
    assert model.max_residual() <= 1e-8 and model.solve().iterations == 0
