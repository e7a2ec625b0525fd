"""Stored results of a uniform tariff on the EU's imports in the WIOD 2011 table aggregated to
4 regions x 3 sectors, trade inside the EU folded into domestic use (build_wiod's default),
computed with the model as it was before trade within a region could be kept bilateral.
tests/test_intra_regional.py checks that the option off reproduces them.

    python tests/data/make_golden_intra_off.py
"""
from pathlib import Path

import pandas as pd

import cgetrade
from cgetrade.data.wiod import build_wiod
from cgetrade.results import collect
from cgetrade.scenario import Scenario, Shock

HERE = Path(__file__).resolve().parent
CONC = HERE.parents[1] / "calibration" / "concordances"
VARIABLES = ["producer_price", "import_price", "bilateral_trade", "exports", "imports",
             "terms_of_trade", "ev", "cpi", "real_gdp", "activity"]


def concordances():
    """WIOD countries -> CHN, USA, EU (27 members), ROW; industries -> PRIM, MAN, SRV."""
    reg = pd.read_csv(CONC / "regions.csv")
    sec = pd.read_csv(CONC / "sectors_wiod2013.csv")
    regions = {c: r if r in ("CHN", "USA", "EU") else "ROW" for c, r in zip(reg.country, reg.region)}
    group = {"AGR": "PRIM", "ENE": "PRIM", "LMF": "MAN", "CHM": "MAN", "MAC": "MAN", "ELE": "MAN",
             "TTS": "SRV", "SRV": "SRV"}
    return regions, {c: group[s] for c, s in zip(sec.code, sec.sector)}


SHOCK = Scenario("EU tariff", [Shock("tariff", 0.10, region="EU")])


def main():
    ds = build_wiod(2011, *concordances())
    model = cgetrade.CGEModel(cgetrade.calibrate(ds))
    model.solve()
    SHOCK.solve(model)
    res = collect(model)[VARIABLES]
    res.attrs = {}
    res.to_netcdf(HERE / "golden_intra_off_4x3.nc", engine="h5netcdf")
    print("wrote", HERE / "golden_intra_off_4x3.nc")


if __name__ == "__main__":
    main()
