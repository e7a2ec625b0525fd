import cgetrade, xarray as xr
from cgetrade.scenario import Scenario
from cgetrade.results import collect
from pathlib import Path
ds = xr.load_dataset("tests/data/wiod2011_6x8_v0.nc")
out = {}
for name in ["west_automation", "china_ai"]:
    model = cgetrade.CGEModel(cgetrade.calibrate(ds))
    model.solve()
    Scenario.from_toml(Path("experiments")/f"{name}.toml").solve(model)
    res = collect(model)
    keep = ["producer_price", "real_gdp", "employment", "wage" if "wage" in res else None]
    sel = res[[k for k in ["producer_price","real_gdp","employment","factor_price","X","cpi","Y","activity"] if k in res]]
    print(name, list(sel.data_vars))
    sel.attrs = {}
    sel.to_netcdf(f"tests/data/golden_{name}_v0.nc")
