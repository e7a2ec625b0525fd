"""Build the data of the recursive-dynamic layer for a shipped dataset.

    python calibration/build_dynamics_data.py [--dataset NAME] [--shared ../shared/data] [--out PATH]

``--dataset wiod2011_6x8`` (the default) writes cgetrade/data/default/dynamics.toml for the
default dataset's 6 regions; ``--dataset wiod2011_13x8`` writes
cgetrade/data/default/wiod2011_13x8_dynamics.toml for the 13 regions of the emerging-economies
dataset (the file the dynamic layer reads beside it, cgetrade.dynamics.projections).

The default dataset's file:

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

The 13-region file: CHN, USA, EU, JPN and EAS exactly as in the default file; for IND, IDN,
BRA, MEX, RUS, TUR and ADV (Australia, Canada):

1. capital as above from their own socio-economic accounts; ROW (WIOD's rest of the world, no
   accounts) takes the capital-output ratio and depreciation rate of the default dataset's ROW
   countries (AUS, BRA, CAN, IDN, IND, MEX, RUS, TUR), the donors of its other cells;
2. working-age population growth (calibration/dynamics/working_age_population_emerging.csv);
3. real GDP growth (calibration/dynamics/gdp_growth_emerging.csv): IMF WEO October 2024 for
   2012-2025 and its medium-term projection for 2029, linear in between (2026-2028); ADV =
   Australia and Canada weighted by 2011 value added in USD (socio-economic accounts); from
   2030 the conditional-convergence rule (:func:`convergence`); ROW = world growth (the
   default file's ROW series): an assumption, WIOD's rest of the world mixing faster-growing
   developing economies with slower advanced ones.
"""
from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
REGIONS = ["CHN", "USA", "EU", "JPN", "EAS", "ROW"]
EMERGING = ["IND", "IDN", "BRA", "MEX", "RUS", "TUR", "ADV"]
REGIONS_13 = ["CHN", "USA", "EU", "JPN", "EAS"] + EMERGING + ["ROW"]
#: per dataset: regions, region concordance, output file
DATASETS = {
    "wiod2011_6x8": (REGIONS, "regions.csv", "dynamics.toml"),
    "wiod2011_13x8": (REGIONS_13, "regions_emerging.csv", "wiod2011_13x8_dynamics.toml"),
}
#: regions without socio-economic accounts: the countries whose capital data they take
CAPITAL_DONORS = {"wiod2011_13x8": {"ROW": ["AUS", "BRA", "CAN", "IDN", "IND", "MEX", "RUS", "TUR"]}}
#: convergence rule after the WEO horizon: rate at which the gap in labour-productivity growth
#: to the frontier (USA) closes, per year (Barro 2015)
BETA = 0.02
WEO_LAST = 2029
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


CITATIONS_13 = {
    "capital": CITATIONS["capital"] + " ROW (WIOD's rest of the world, without socio-economic "
               "accounts): the capital stock and value added of AUS, BRA, CAN, IDN, IND, MEX, RUS "
               "and TUR (the donors of its other cells in the dataset) - an assumption.",
    "labour_force": "United Nations, Department of Economic and Social Affairs, Population "
                    "Division (2024), World Population Prospects 2024, medium variant: population "
                    "aged 15-64, average annual growth by period in %, rounded to 0.1. CHN, USA, "
                    "EU, JPN, EAS as in the default dataset's file (EU = EU-27 plus the United "
                    "Kingdom; EAS = Republic of Korea and Taiwan Province of China); ADV = "
                    "Australia and Canada; ROW = world minus the 40 countries of the WIOD table. "
                    "IND, IDN, BRA, MEX, RUS, TUR, ADV and ROW were entered by hand (not read from "
                    "the WPP files) and are approximate, about +-0.3 percentage points per period; "
                    "ROW's are an estimate built up from its largest parts (Sub-Saharan Africa, "
                    "South Asia without India, South-East Asia without Indonesia, the Middle East, "
                    "Latin America without Brazil and Mexico).",
    "gdp": "CHN, USA, EU, JPN, EAS as in the default dataset's file: " + CITATIONS["gdp"]
           + " IND, IDN, BRA, MEX, RUS, TUR, ADV: IMF (2024), World Economic Outlook, October "
           "2024, real GDP growth (NGDP_RPCH; India by fiscal year), 2012-2025 and the "
           "medium-term projection for 2029, 2026-2028 linear between 2025 and 2029 (an "
           "approximation of the WEO's own 2026-2028 projections), entered by hand; ADV = "
           "Australia and Canada weighted by 2011 value added in USD (WIOD socio-economic "
           "accounts). 2030-2040: conditional convergence of labour productivity, "
           "g(t) = n(t) + p_F(t) + [p(2029) - p_F(2029)] exp(-0.02 (t - 2029)), with n the "
           "working-age population growth of the [labour_force] table, p = g - n labour "
           "productivity growth and p_F that of the frontier (the USA row of this table), the "
           "gap in productivity growth closing at 2 % a year (Barro, R. J. (2015), Convergence "
           "and Modernisation, Economic Journal 125: 911-942) - a rule, not a published "
           "projection. ROW: world real GDP growth (the default file's ROW series), an "
           "assumption.",
}


def capital(shared: Path, dataset: str = "wiod2011_6x8") -> pd.DataFrame:
    regions, concordance, _ = DATASETS[dataset]
    donors = CAPITAL_DONORS.get(dataset, {})
    reg = pd.read_csv(HERE / "concordances" / concordance)
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
    for r in regions:
        g = y[y.index.isin(donors[r])] if r in donors else y[y.region == r]
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


def convergence(g_last: pd.Series, n: pd.DataFrame, frontier_p: pd.Series, years) -> pd.DataFrame:
    """Real GDP growth after the WEO horizon (% a year) by conditional convergence:

        g_r(t) = n_r(t) + p_F(t) + [p_r(T) - p_F(T)] exp(-beta (t - T)),  p_r(T) = g_r(T) - n_r(T),

    T = 2029, n_r the working-age population growth, p_F labour productivity growth of the
    frontier (``frontier_p``, by year, including T), beta = 2 % a year."""
    T = WEO_LAST
    gap = g_last - n.loc[T] - frontier_p.loc[T]
    return pd.DataFrame({t: n.loc[t] + frontier_p.loc[t] + gap * np.exp(-BETA * (t - T)) for t in years}).T


def labour_by_year(lab: pd.DataFrame) -> pd.DataFrame:
    """Period table (first_year, last_year, regions...) -> one row per year."""
    rows = {y: row.drop(["first_year", "last_year"]) for _, row in lab.iterrows()
            for y in range(int(row.first_year), int(row.last_year) + 1)}
    return pd.DataFrame(rows).T.astype(float)


def gdp_growth_13(shared: Path, lab13: pd.DataFrame) -> pd.DataFrame:
    default = gdp_growth()
    e = pd.read_csv(HERE / "dynamics" / "gdp_growth_emerging.csv").set_index("year").drop(columns="source")
    s16 = pd.read_csv(shared / "wiod_sea2016" / "sea2016.csv.gz")
    va = s16[(s16.year == 2011) & s16.country.isin(["AUS", "CAN"])].groupby("country") \
        .agg(VA=("VA", "sum"), xr=("exchange_rate_nat_per_usd", "first"))
    w = va.VA / va.xr
    e["ADV"] = (w["AUS"] * e.AUS + w["CAN"] * e.CAN) / (w["AUS"] + w["CAN"])
    e = e[EMERGING]
    weo = e.reindex(range(2012, WEO_LAST + 1)).interpolate(method="index")
    n = labour_by_year(lab13)
    frontier = default.USA - n.USA
    later = convergence(weo.loc[WEO_LAST], n[EMERGING], frontier, list(range(WEO_LAST + 1, 2041)))
    out = default.copy()
    for r in EMERGING:
        out[r] = pd.concat([weo[r], later[r]])
    return out[REGIONS_13].round(3)


def write_toml(cap, gdp, lab, out: Path, regions=REGIONS, citations=CITATIONS,
               header="the default dataset."):
    lines = [f"# Data of the recursive-dynamic layer (cgetrade.dynamics) for {header}",
             "# Built by calibration/build_dynamics_data.py; see docs/dynamics.md.", "",
             "base_year = 2011", "", "[capital]",
             f'source = "{citations["capital"]}"',
             "# capital stock / value added (2011, USD) and geometric depreciation rate per year"]
    for r in regions:
        lines.append(f'{r} = {{ capital_output = {cap.loc[r, "capital_output"]:.4f}, '
                     f'delta = {cap.loc[r, "delta"]:.4f} }}  # {cap.loc[r, "countries"]}')
    lines += ["", "[labour_force]", f'source = "{citations["labour_force"]}"',
              "# average annual growth in % of the population aged 15-64, by period (first and last year)"]
    for row in lab.itertuples(index=False):
        vals = ", ".join(f"{r} = {getattr(row, r)}" for r in regions)
        lines.append(f'"{row.first_year}-{row.last_year}" = {{ {vals} }}')
    lines += ["", "[gdp]", f'source = "{citations["gdp"]}"',
              "# real GDP growth in % over the previous year"]
    for year, row in gdp.iterrows():
        vals = ", ".join(f"{r} = {row[r]:g}" for r in regions)
        lines.append(f'"{year}" = {{ {vals} }}')
    out.write_text("\n".join(lines) + "\n")


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--dataset", choices=list(DATASETS), default="wiod2011_6x8")
    ap.add_argument("--shared", default=str(REPO.parent / "shared" / "data"))
    ap.add_argument("--out", help="output TOML (default: the dataset's file in cgetrade/data/default/)")
    a = ap.parse_args(argv)
    regions, _, name = DATASETS[a.dataset]
    out = Path(a.out or REPO / "cgetrade" / "data" / "default" / name)
    cap = capital(Path(a.shared), a.dataset)
    print(cap.to_string())
    lab = pd.read_csv(HERE / "dynamics" / "working_age_population.csv")
    if a.dataset == "wiod2011_6x8":
        write_toml(cap, gdp_growth(), lab, out)
    else:
        e = pd.read_csv(HERE / "dynamics" / "working_age_population_emerging.csv")
        if not (e[["first_year", "last_year"]].values == lab[["first_year", "last_year"]].values).all():
            raise SystemExit("working-age population files: the periods differ")
        lab13 = pd.concat([lab.drop(columns="ROW"), e.drop(columns=["first_year", "last_year"])], axis=1)
        write_toml(cap, gdp_growth_13(Path(a.shared), lab13), lab13[["first_year", "last_year"] + regions],
                   out, regions, CITATIONS_13, "the 13-region dataset wiod2011_13x8 (emerging economies "
                   "separated).")
    print(f"written {out}")


if __name__ == "__main__":
    main()
