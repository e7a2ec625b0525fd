"""Build the data of the recursive-dynamic layer for the default dataset's 6 regions.

    python calibration/build_dynamics_data.py [--shared ../shared/data] [--out PATH]

Writes cgetrade/data/default/dynamics.toml:

1. capital: the capital-value added ratio K/VA by region from the WIOD Socio-Economic
   Accounts 2016 release (nominal capital stock K and value added VA, 2011, converted to
   USD with the file's exchange rates (Taiwan's, missing there, from its central bank) and summed over the region's countries with data;
   Taiwan as well, whose K and VA are consistent although its labour compensation is not);
   the depreciation rate delta by region from the 2013 release: real capital stock K_GFCF
   and real investment GFCF / GFCF_P, delta_t = 1 - (K_t - I_t) / K_(t-1), averaged over
   2001-2009 by country and weighted by the 2011 USD capital stock. China's SEA estimate
   (0.19, standard deviation 0.05 across years) is not consistent with its investment
   series and is replaced by 9.6 % (Zhang, Wu and Zhang 2004);
2. working-age population growth (calibration/dynamics/working_age_population.csv);
3. real GDP growth (calibration/dynamics/gdp_growth.csv): EU = EU-27 and the United
   Kingdom weighted by 2011 GDP, EAS = Korea and Taiwan weighted by 2011 GDP, ROW = world.
"""
from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
REGIONS = ["CHN", "USA", "EU", "JPN", "EAS", "ROW"]
#: 2011 GDP, USD bn (IMF WEO Oct 2024): weights of the aggregated GDP growth series
GDP_2011 = {"EU27": 15_170.0, "GBR": 2_663.0, "KOR": 1_253.0, "TWN": 484.0}
DELTA_CHN = 0.096
#: exchange rates missing from the 2016 file: Taiwan 2011 annual average, TWD per USD
#: (Central Bank of the Republic of China (Taiwan), 29.464)
EXCHANGE_RATE_2011 = {"TWN": 29.464}

CITATIONS = {
    "capital": "Timmer, M. P., Dietzenbacher, E., Los, B., Stehrer, R. and de Vries, G. J. (2015), "
               "An Illustrated User Guide to the World Input-Output Database: the Case of Global "
               "Automotive Production, Review of International Economics 23: 575-605; WIOD "
               "Socio-Economic Accounts, 2013 and 2016 releases (CC BY 4.0). China's depreciation "
               "rate: Zhang, J., Wu, G. and Zhang, J. (2004), The Estimation of China's Provincial "
               "Capital Stock: 1952-2000, Economic Research Journal 10: 35-44 (9.6 %).",
    "labour_force": "United Nations, Department of Economic and Social Affairs, Population "
                    "Division (2024), World Population Prospects 2024, medium variant: population "
                    "aged 15-64, average annual growth by period in %, rounded to 0.1 (EU = EU-27 "
                    "plus the United Kingdom; EAS = Republic of Korea and Taiwan Province of China; "
                    "ROW = world minus the other regions).",
    "gdp": "IMF (2024), World Economic Outlook, October 2024, real GDP growth (NGDP_RPCH), "
           "2012-2029 (2024-2029 projections); 2030-2040: SSP2 real GDP growth (OECD ENV-Growth "
           "model, 2023 update; Koch, J. and Leimbach, M. (2023), SSP economic growth projections: "
           "major changes of key drivers in integrated assessment modelling, Ecological Economics "
           "206: 107751), five-year averages rounded to 0.1. EU = EU-27 and the United Kingdom, "
           "EAS = Korea and Taiwan (2011 GDP weights), ROW = world (IMF, PPP weights).",
}


def capital(shared: Path) -> pd.DataFrame:
    reg = pd.read_csv(HERE / "concordances" / "regions.csv")
    region_of = dict(zip(reg.country.replace({"ROM": "ROU"}), reg.region))
    s16 = pd.read_csv(shared / "wiod_sea2016" / "sea2016.csv.gz")
    y = s16[s16.year == 2011].groupby("country")[["K", "VA", "exchange_rate_nat_per_usd"]] \
        .agg({"K": "sum", "VA": "sum", "exchange_rate_nat_per_usd": "first"})
    y = y[y.index.isin(region_of)]
    for c, xr_ in EXCHANGE_RATE_2011.items():
        if c in y.index and not y.loc[c, "exchange_rate_nat_per_usd"] > 0:
            y.loc[c, "exchange_rate_nat_per_usd"] = xr_
    y["K_usd"] = y.K / y.exchange_rate_nat_per_usd
    y["VA_usd"] = y.VA / y.exchange_rate_nat_per_usd
    y["region"] = [region_of[c] for c in y.index]

    s13 = pd.read_csv(shared / "wiod_sea2013" / "sea2013.csv.gz")
    t = s13[s13.industry == "total industries"].pivot_table(
        index=["country", "year"], columns="variable", values="value").reset_index().sort_values(["country", "year"])
    t["I_real"] = t.GFCF / t.GFCF_P * 100
    t["K_lag"] = t.groupby("country").K_GFCF.shift(1)
    t["delta"] = 1 - (t.K_GFCF - t.I_real) / t.K_lag
    d = t[(t.year >= 2001) & (t.year <= 2009)].dropna(subset=["delta"]).groupby("country").delta.mean()
    d.index = d.index.str.replace("ROM", "ROU")
    y["delta"] = d.reindex(y.index)
    if "CHN" in y.index:
        y.loc["CHN", "delta"] = DELTA_CHN
    rows = []
    for r in REGIONS:
        g = y[y.region == r]
        w = g.dropna(subset=["delta"])
        rows.append({"region": r, "capital_output": g.K_usd.sum() / g.VA_usd.sum(),
                     "delta": float(np.average(w.delta, weights=w.K_usd)),
                     "countries": ",".join(sorted(g.index))})
    return pd.DataFrame(rows).set_index("region")


def gdp_growth() -> pd.DataFrame:
    g = pd.read_csv(HERE / "dynamics" / "gdp_growth.csv").set_index("year")
    w = GDP_2011
    out = pd.DataFrame(index=g.index)
    out["CHN"], out["USA"], out["JPN"], out["ROW"] = g.CHN, g.USA, g.JPN, g.WORLD
    out["EU"] = (w["EU27"] * g.EU27 + w["GBR"] * g.GBR) / (w["EU27"] + w["GBR"])
    out["EAS"] = (w["KOR"] * g.KOR + w["TWN"] * g.TWN) / (w["KOR"] + w["TWN"])
    return out[REGIONS].round(3)


def write_toml(cap, gdp, lab, out: Path):
    lines = ["# Data of the recursive-dynamic layer (cgetrade.dynamics) for the default dataset.",
             "# Built by calibration/build_dynamics_data.py; see docs/dynamics.md.", "",
             "base_year = 2011", "", "[capital]",
             f'source = "{CITATIONS["capital"]}"',
             "# capital stock / value added (2011, USD) and geometric depreciation rate per year"]
    for r in REGIONS:
        lines.append(f'{r} = {{ capital_output = {cap.loc[r, "capital_output"]:.4f}, '
                     f'delta = {cap.loc[r, "delta"]:.4f} }}  # {cap.loc[r, "countries"]}')
    lines += ["", "[labour_force]", f'source = "{CITATIONS["labour_force"]}"',
              "# average annual growth in % of the population aged 15-64, by period (first and last year)"]
    for row in lab.itertuples(index=False):
        vals = ", ".join(f"{r} = {getattr(row, r)}" for r in REGIONS)
        lines.append(f'"{row.first_year}-{row.last_year}" = {{ {vals} }}')
    lines += ["", "[gdp]", f'source = "{CITATIONS["gdp"]}"',
              "# real GDP growth in % over the previous year"]
    for year, row in gdp.iterrows():
        vals = ", ".join(f"{r} = {row[r]:g}" for r in REGIONS)
        lines.append(f'"{year}" = {{ {vals} }}')
    out.write_text("\n".join(lines) + "\n")


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--shared", default=str(REPO.parent / "shared" / "data"))
    ap.add_argument("--out", default=str(REPO / "cgetrade" / "data" / "default" / "dynamics.toml"))
    a = ap.parse_args(argv)
    cap = capital(Path(a.shared))
    print(cap.to_string())
    lab = pd.read_csv(HERE / "dynamics" / "working_age_population.csv")
    write_toml(cap, gdp_growth(), lab, Path(a.out))
    print(f"written {a.out}")


if __name__ == "__main__":
    main()
