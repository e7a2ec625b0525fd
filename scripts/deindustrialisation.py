"""Tables of docs/deindustrialisation.md: manufacturing employment shares of the emerging
economies in the data (WIOD Socio-Economic Accounts, 2016 release, 2000-2014) and what China's
process does to them in the model (the shipped 13-region dataset wiod2011_13x8).

    python scripts/deindustrialisation.py > block.md

tests/test_deindustrialisation.py checks that the page holds this output verbatim.
"""
from __future__ import annotations

from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd

import cgetrade
from cgetrade.data import sea
from cgetrade.results import collect
from cgetrade.scenario import Scenario

REPO = Path(__file__).resolve().parents[1]
EXP = Path(str(resources.files("cgetrade.experiments")))
YEARS = [2000, 2005, 2008, 2011, 2014]
MANUF = ["LMF", "CHM", "MAC", "ELE"]


def concordances():
    reg = pd.read_csv(REPO / "calibration" / "concordances" / "regions_emerging.csv")
    sec = pd.read_csv(REPO / "calibration" / "concordances" / "sectors_wiod2013.csv")
    return dict(zip(reg.country, reg.region)), dict(zip(sec.code, sec.sector))


def data_shares(regions) -> pd.DataFrame:
    """Manufacturing (the model's LMF, CHM, MAC, ELE) share of persons engaged, % by region
    and year: sum of EMP over the region's countries (WIOD SEA 2016 release)."""
    region_of, sector_of = concordances()
    s = sea._sea2016()
    s = s[s.year.isin(YEARS) & s.country.isin(region_of)]
    s = s.assign(region=s.country.map(region_of), manuf=s.wiod_code.map(sector_of).isin(MANUF))
    emp = s.groupby(["region", "year", "manuf"]).EMP.sum().unstack("manuf")
    share = (100 * emp[True] / emp.sum(axis=1)).unstack("year")
    return share.reindex([r for r in regions if r in share.index])


def model_shares():
    """(benchmark share %, change pp) of manufacturing in persons employed by region under
    china_process central on wiod2011_13x8, for the default and the long-run closures."""
    ds = cgetrade.data.load("wiod2011_13x8")
    out = {}
    for preset in ("medium_run", "long_run"):
        scen = Scenario.from_toml(EXP / "china_process.toml")
        model = cgetrade.CGEModel(cgetrade.calibrate(ds, **scen.calibration_options()),
                                  scen.make_closure(preset=preset))
        scen.prepare(model)
        model.solve()
        base = collect(model)
        scen = scen.implied(model)
        scen.solve(model)
        after = collect(model)
        share = lambda d: 100 * d.employment.sel(sector=MANUF).sum("sector") / d.employment.sum("sector")  # noqa: E731
        out[preset] = (share(base), share(after) - share(base))
    return out, list(ds.region.values)


def main():
    model, regions = model_shares()
    data = data_shares(regions)
    rows = ["| region | " + " | ".join(str(y) for y in YEARS) + " | change 2000-14, pp | "
            "model benchmark 2011 | china_process, pp (medium run) | (long run) |",
            "|---|" + "---|" * (len(YEARS) + 4)]
    for r in regions:
        d = data.loc[r] if r in data.index else None
        cells = [f"{d[y]:.1f}" for y in YEARS] if d is not None else ["n/a"] * len(YEARS)
        change = f"{d[YEARS[-1]] - d[YEARS[0]]:+.1f}" if d is not None else "n/a"
        base, mid = model["medium_run"]
        rows.append(f"| {r} | " + " | ".join(cells) + f" | {change} | {float(base.sel(region=r)):.1f} | "
                    f"{float(mid.sel(region=r)):+.2f} | {float(model['long_run'][1].sel(region=r)):+.2f} |")
    print("\n".join(rows))
    emerging = ["IND", "IDN", "BRA", "MEX", "RUS", "TUR"]
    mid = model["medium_run"][1]
    falls = [r for r in emerging if float(mid.sel(region=r)) < 0]
    print(f"\nEmerging regions whose manufacturing employment share falls under china_process "
          f"(medium run): {', '.join(falls) or 'none'} of {len(emerging)}; mean change "
          f"{np.mean([float(mid.sel(region=r)) for r in emerging]):+.2f} pp.")


if __name__ == "__main__":
    main()
