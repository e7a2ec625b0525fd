"""Reshoring with its motives, sized by the Fraunhofer ISI evidence (experiments/reshoring.toml).

Kinkel (2017, "Industrie 4.0 und Rueckverlagerungen", after Kinkel and Jaeger 2017 and the survey
Modernisierung der Produktion 2015, Fraunhofer ISI): about one German manufacturer in ten
moves production abroad and one reshores for every three that offshore; reshoring firms name
losses of flexibility and delivery ability and quality problems, each more than half of them;
in 57 case studies (all phases) quality problems and delivery time, delivery ability and
flexibility are each named by about half, capacity utilisation at home by 18 %, automation
and digitalisation at home by 12 % (58 % of the cases after 2011, when flexibility rose from
16 % to 33 %). The motives become drivers (cgetrade.decompose) of the Western regions'
manufacturing:

    quality               trade_cost tau[i,s,r] *= 1 + m_q S   (offshore sources s: scrap,
                          rework, returns and inspections, resources used per unit delivered)
    flexibility_delivery  home_bias b[i,r] *= 1 + m_f S        (proximity: delivery times and
                          individualised production that buyers value in the domestic variety)
    capacity              home_bias b[i,r] *= 1 + m_c S        (insourcing to fill the home
                          plants, from every source: a third of reshoring to Germany comes
                          from the EU15)
    automation            the west_automation shocks (sized by robot densities, cgetrade.robots)

m_k are the case studies' shares of mentions (MOTIVE_SHARES) and S, the import-price
equivalent per unit of mention share, is one number: the cost equivalents of the three
motives are in proportion to how often firms name them. S is calibrated (calibrate_scale) so
that the whole scenario, automation included, lowers the West's manufacturing imports from
the offshore sources by RESHORED_SHARE in the medium-run closure: the survey's share of
manufacturers that reshore (OFFSHORING_FIRMS x RESHORERS_PER_OFFSHORER = 1/30), read as the
share of offshore-sourced manufactures that comes home. That reading assumes reshoring firms
source from abroad like the average firm and bring their foreign production home whole; it is
an order of magnitude, not an estimate.
"""
from __future__ import annotations

from dataclasses import replace
from importlib import resources

import xarray as xr

from .model import CGEModel, Closure
from .results import collect, compare
from .scenario import Scenario

MANUFACTURING = ["LMF", "CHM", "MAC", "ELE"]
WEST = ["USA", "EU", "JPN"]
#: the sources of offshore production: the regions outside the West
OFFSHORE = ["CHN", "EAS", "ROW"]
SKILLS = ["labour_high", "labour_medium", "labour_low"]
PRESETS = ("short_run", "medium_run", "long_run")

#: Kinkel (2017) from Kinkel and Jaeger (2017), Modernisierung der Produktion 2015: share of
#: German manufacturers that offshore production, reshorers per offshorer
OFFSHORING_FIRMS = 0.10
RESHORERS_PER_OFFSHORER = 1.0 / 3.0
#: share of the West's manufacturing imports from offshore sources that comes home (module doc)
RESHORED_SHARE = OFFSHORING_FIRMS * RESHORERS_PER_OFFSHORER
#: share of the 57 case studies naming each motive, all phases (quality and delivery /
#: flexibility "each about half"; capacity utilisation 18 %, automation / digitalisation 12 %)
MOTIVE_SHARES = {"quality": 0.50, "flexibility_delivery": 0.50, "capacity": 0.18, "automation": 0.12}
#: the same after 2011 where the essay gives them (automation 58 %, flexibility 33 %)
MOTIVE_SHARES_AFTER_2011 = {"automation": 0.58, "flexibility": 0.33}
#: the closure the size is calibrated in
CALIBRATION_PRESET = "medium_run"
SCENARIO = resources.files("cgetrade.experiments") / "reshoring.toml"


def scenario(variant: str | None = None, scale: float | None = None, drivers=None) -> Scenario:
    """The shipped reshoring scenario; with ``scale`` = S the three cost-equivalent motives
    are set to m_k S (automation unchanged); ``drivers``: only the shocks of those drivers."""
    scen = Scenario.from_toml(SCENARIO, variant=variant)
    shocks = [s for s in scen.shocks if drivers is None or s.driver in drivers]
    if scale is not None:
        shocks = [replace(s, value=MOTIVE_SHARES[s.driver] * scale) if s.driver != "automation" else s
                  for s in shocks]
    return replace(scen, shocks=shocks)


def implied_scale(scen: Scenario) -> dict:
    """{driver: value / m_k} of the cost-equivalent motives of ``scen`` (all equal to S when
    the file follows the mention shares)."""
    return {s.driver: s.value / MOTIVE_SHARES[s.driver] for s in scen.shocks if s.driver != "automation"}


def model(preset: str, variant: str | None = None, dataset=None):
    """Calibrated model of the scenario's [model] options under a closure preset, solved at
    its benchmark."""
    import cgetrade
    scen = scenario(variant)
    data = cgetrade.data.load_default() if dataset is None else dataset
    mdl = CGEModel(cgetrade.calibrate(data, **scen.calibration_options()), Closure.from_preset(preset))
    mdl.solve()
    return mdl


def _share(use_d, use_m):
    return 100 * use_d / (use_d + use_m)


def outcome(base: xr.Dataset, now: xr.Dataset) -> xr.Dataset:
    """The reshoring numbers of a solution ``now`` against ``base`` (both from results.collect):
    domestic share of manufacturing absorption (pp change; domestic / (domestic + imported)
    use of LMF-ELE), manufacturing imports from China and from the offshore sources (% change
    of volumes), the manufacturing producer price (%), persons employed in manufacturing by skill and the unemployed attached to
    manufacturing by skill (thousand persons), for each Western region and the West."""
    regions = xr.DataArray(WEST + ["West"], dims="region", name="region")

    def by_region(f):
        return xr.concat([f([r]) for r in WEST] + [f(WEST)], dim=regions)

    def dom(d, r):
        return _share(d.domestic_use.sel(region=r, commodity=MANUFACTURING).sum(),
                      d.imported_use.sel(region=r, commodity=MANUFACTURING).sum())

    def imports(d, r, src):
        return d.bilateral_trade.sel(region=r, source=src, commodity=MANUFACTURING).sum()

    def jobs(d, r, var):
        return d[var].sel(region=r, sector=MANUFACTURING, labour=SKILLS).sum(["region", "sector"])

    def producer_price(r):
        w = base.output.sel(region=r, sector=MANUFACTURING)
        rel = now.producer_price.sel(region=r, sector=MANUFACTURING) / base.producer_price.sel(
            region=r, sector=MANUFACTURING)
        return 100 * ((w * rel).sum() / w.sum() - 1)

    out = xr.Dataset({
        "domestic_share": by_region(lambda r: dom(now, r) - dom(base, r)).assign_attrs(
            units="pp", long_name="change of the domestic share of manufacturing absorption"),
        "imports_china": by_region(lambda r: 100 * (imports(now, r, "CHN") / imports(base, r, "CHN") - 1)
                                   ).assign_attrs(units="%", long_name="manufacturing imports from China"),
        "imports_offshore": by_region(lambda r: 100 * (imports(now, r, OFFSHORE) / imports(base, r, OFFSHORE) - 1)
                                      ).assign_attrs(units="%", long_name="manufacturing imports from "
                                                     "the offshore sources (CHN, EAS, ROW)"),
        "producer_price": by_region(producer_price).assign_attrs(
            units="%", long_name="manufacturing producer price (benchmark output weights) relative "
                                 "to the numeraire"),
        "jobs": by_region(lambda r: jobs(now, r, "persons") - jobs(base, r, "persons")).assign_attrs(
            units="thousand persons", long_name="change of persons employed in manufacturing"),
        "unemployed": by_region(lambda r: jobs(now, r, "unemployed_by_skill_sector")
                                - jobs(base, r, "unemployed_by_skill_sector")).assign_attrs(
            units="thousand persons", long_name="change of the unemployed attached to manufacturing"),
    })
    return out


def solve(preset: str, variant: str | None = None, scale: float | None = None, mdl=None,
          drivers=None) -> xr.Dataset:
    """outcome of the scenario (or of the shocks of ``drivers``) under a closure preset, from
    the model's benchmark (the model is left shocked)."""
    mdl = mdl or model(preset, variant)
    base = collect(mdl)
    scenario(variant, scale, drivers).solve(mdl)
    return outcome(base, collect(mdl))


def offshore_change(preset: str = CALIBRATION_PRESET, variant: str | None = None,
                    scale: float | None = None, mdl=None) -> float:
    """% change of the West's manufacturing imports from the offshore sources."""
    return float(solve(preset, variant, scale, mdl).imports_offshore.sel(region="West"))


def calibrate_scale(target: float = -100 * RESHORED_SHARE, preset: str = CALIBRATION_PRESET,
                    variant: str | None = None, tol: float = 1e-4) -> float:
    """S such that the West's manufacturing imports from the offshore sources change by
    ``target`` % (secant iterations on the solved model, each from the benchmark)."""
    mdl = model(preset, variant)
    x0 = mdl.nlp.x_from_model()

    def f(scale):
        mdl.nlp.to_model(x0)
        start, _ = scenario(variant, scale).endpoints(mdl)
        try:
            return offshore_change(preset, variant, scale, mdl) - target
        finally:
            Scenario.move(mdl, start, start, 0.0)
            mdl.nlp.to_model(x0)
    a, b = 0.0, 0.05
    fa, fb = f(a), f(b)
    for _ in range(30):
        c = b - fb * (b - a) / (fb - fa)
        a, fa, b, fb = b, fb, c, f(c)
        if abs(fb) < tol:
            return b
    raise RuntimeError(f"calibrate_scale: no convergence (last S = {b}, gap {fb} %)")


def decompose(preset: str, variant: str | None = None) -> xr.Dataset:
    """Shapley decomposition of outcome over the four motives under a closure preset, with the
    benchmark persons employed in Western manufacturing by skill (``benchmark_jobs``) and the
    number of those cells whose persons per wage unit are imputed (attribute ``imputed_cells``)."""
    from .decompose import shapley
    mdl = model(preset, variant)
    base = collect(mdl)
    out = shapley(mdl, scenario(variant), lambda m: outcome(base, collect(m)))
    cells = dict(region=WEST, sector=MANUFACTURING, labour=SKILLS)
    out["benchmark_jobs"] = base.persons.sel(**cells).sum(["region", "sector"]).assign_attrs(
        units="thousand persons", long_name="persons employed in Western manufacturing at the benchmark")
    out.attrs["imputed_cells"] = int(base.persons_imputed.sel(**cells).sum()) if "persons_imputed" in base else 0
    return out
