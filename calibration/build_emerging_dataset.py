"""Build the shipped 13-region dataset (WIOD 2011, 13 regions x 8 sectors) that separates the
large emerging economies of the WIOD table from the advanced rest of the world.

    python calibration/build_emerging_dataset.py [--out PATH]

Regions (calibration/concordances/regions_emerging.csv): CHN, USA, EU, JPN, EAS (Korea,
Taiwan), IND, IDN, BRA, MEX, RUS, TUR, ADV (Australia, Canada) and ROW (WIOD's rest-of-world
model region: the countries outside the 40 of the table, mostly developing economies).
Sectors, the donors of cells without socio-economic accounts and every step: as the default
dataset (one call of
:func:`cgetrade.data.wiod.build_wiod` on the exact 2011 table).
"""
from __future__ import annotations

import argparse
from importlib import resources
from pathlib import Path

import pandas as pd

from cgetrade.data.wiod import build_wiod

HERE = Path(__file__).resolve().parent
REGIONS = ["CHN", "USA", "EU", "JPN", "EAS", "IND", "IDN", "BRA", "MEX", "RUS", "TUR", "ADV", "ROW"]
SECTORS = ["AGR", "ENE", "LMF", "CHM", "MAC", "ELE", "TTS", "SRV"]
NAMES = {"CHN": "China", "USA": "United States", "EU": "European Union (27 member states of 2011)",
         "JPN": "Japan", "EAS": "Other East Asia (Korea, Taiwan)", "IND": "India", "IDN": "Indonesia",
         "BRA": "Brazil", "MEX": "Mexico", "RUS": "Russia", "TUR": "Turkey",
         "ADV": "Other advanced economies (Australia, Canada)",
         "ROW": "Rest of the world (WIOD's rest-of-world region: the countries outside the table's 40)"}
OUT = Path(str(resources.files("cgetrade.data") / "default" / "wiod2011_13x8.nc"))


def build():
    reg = pd.read_csv(HERE / "concordances" / "regions_emerging.csv")
    sec = pd.read_csv(HERE / "concordances" / "sectors_wiod2013.csv")
    default = pd.read_csv(HERE / "concordances" / "regions.csv")
    # cells without accounts (WIOD's rest of the world) take the donors of the default
    # dataset (its ROW countries), so that both datasets describe the same world
    ds = build_wiod(2011, dict(zip(reg.country, reg.region)), dict(zip(sec.code, sec.sector)),
                    donors=dict(zip(default.country, default.region)))
    ds = ds.sel(region=REGIONS, source=REGIONS, sector=SECTORS, commodity=SECTORS)
    ds = ds.assign_coords(region_name=("region", [NAMES[r] for r in REGIONS]))
    ds.attrs.update({"title": "WIOD 2011 world input-output table, 13 regions x 8 sectors "
                              "(emerging economies separated)",
                     "build_script": "calibration/build_emerging_dataset.py"})
    return ds


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--out", default=str(OUT))
    args = ap.parse_args()
    ds = build()
    ds.to_netcdf(args.out, engine="h5netcdf")
    print(f"wrote {args.out}: {ds.sizes['region']} regions x {ds.sizes['sector']} sectors")


if __name__ == "__main__":
    main()
