"""Automation sized by evidence: industrial robot densities mapped into the task model.

Robots per worker in manufacturing rise by d rho (IFR World Robotics). Each robot takes over
the tasks of kappa workers, so a share

    A_r = kappa d rho_r

of the (compensation-weighted) tasks of manufacturing labour moves to capital: medium-skill
(routine) tasks at the share a_M and low-skill tasks at half of it (Autor, Levy and Murnane
2003; Acemoglu and Restrepo 2022), w_M a_M + w_L a_M / 2 = A_r with w the skills' shares of
manufacturing labour compensation in region r. The automated tasks are performed at a cost
saving c (COST_SAVING) relative to capital's own tasks (docs/model.md, "Automation with a cost
saving").

kappa is calibrated, not assumed: in the short-run closure (workers attached to their
sectors, sector wage curves, so displacement shows up as unemployment) one more robot per
thousand US workers (economy-wide, i.e. 1000 / manufacturing share of persons more per
thousand manufacturing workers) lowers the US employment rate by Acemoglu and Restrepo's
(2020) 0.2 percentage points. Checks of the calibrated model against the studies: the wage
effect of that robot (Acemoglu and Restrepo: -0.42 %) and the annual growth of manufacturing
labour productivity (real output per person) from a decade of densification at the US pace of
2011-2022 (Graetz and Michaels 2018: +0.36 pp a year from robots).
"""
from __future__ import annotations

from dataclasses import dataclass

from .model import CGEModel, Closure
from .results import collect, compare
from .scenario import Scenario, Shock

MANUFACTURING = ("LMF", "CHM", "MAC", "ELE")

#: robots per 10,000 employees in manufacturing, 2011 and 2022 (IFR, World Robotics 2012 and
#: 2023, Industrial Robots; 2022 values as published in World Robotics 2023: Korea 1,012,
#: Germany 415, Japan 397, China 392, United States 285). The EU region takes Germany's values
#: (the EU's largest and most robot-dense manufacturer; the EU average is lower, so the EU
#: shocks are an upper bound); EAS takes Korea's.
IFR_DENSITY = {"USA": (100.0, 285.0), "EU": (250.0, 415.0), "JPN": (340.0, 397.0),
               "EAS": (350.0, 1012.0), "CHN": (10.0, 392.0)}
IFR_SOURCE = ("International Federation of Robotics (2023), World Robotics 2023: Industrial Robots "
              "(robot density in manufacturing, 2022); IFR (2012), World Robotics 2012 (2011); "
              "summary in IFR (2024), World Robotics 2024")
IFR_YEARS = (2011, 2022)

#: Acemoglu, D. and Restrepo, P. (2020), "Robots and Jobs: Evidence from US Labor Markets",
#: Journal of Political Economy 128(6): 2188-2244: one more robot per thousand workers lowers
#: the employment-to-population ratio by about 0.2 percentage points and wages by about 0.42 %
#: (US commuting zones, 1990-2007).
AR2020 = {"employment_pp": -0.2, "wage_pct": -0.42}
#: Graetz, G. and Michaels, G. (2018), "Robots at Work", Review of Economics and Statistics
#: 100(5): 753-768: robot densification raised annual labour productivity growth by about
#: 0.36 percentage points (14 industries in 17 countries, 1993-2007).
GM2018 = {"productivity_pp": 0.36}

#: cost saving of automated tasks relative to capital's own tasks (an assumption, stated as
#: such in experiments/west_automation.toml)
COST_SAVING = 0.3
#: share of low-skill tasks automated relative to medium-skill tasks
LOW_TO_MEDIUM = 0.5

#: what "a decade" of densification means in each variant of west_automation: the
#: increase of robots per 10,000 manufacturing employees over ten years
DECADES = {
    "low": "ten years at half the region's 2011-2022 pace (diffusion slowing down)",
    "central": "ten years at the region's 2011-2022 pace (IFR)",
    "high": "ten years at Korea's 2011-2022 pace, the frontier (+60 robots per 10,000 a year)",
}


def decade_density(region: str, variant: str) -> float:
    """Increase of robots per 10,000 manufacturing employees over the variant's decade."""
    years = IFR_YEARS[1] - IFR_YEARS[0]
    pace = {r: (b - a) / years for r, (a, b) in IFR_DENSITY.items()}
    if variant not in DECADES:
        raise ValueError(f"unknown variant {variant!r}; known: {list(DECADES)}")
    if variant == "high":
        return 10 * max(pace[region], pace["EAS"])
    return 10 * pace[region] * (0.5 if variant == "low" else 1.0)


def skill_weights(params, region: str, sectors=MANUFACTURING) -> dict:
    """Shares of manufacturing labour compensation by labour type in ``region``."""
    vfm = params.data["vfm"].sel(factor=params.labour_factors, sector=list(sectors), region=region).sum("sector")
    w = vfm / vfm.sum()
    return {str(h): float(w.sel(factor=h)) for h in params.labour_factors}


def displaced_shares(params, region: str, tasks: float) -> dict:
    """Task shares a_h moved to capital for a compensation-weighted displaced share ``tasks`` of
    manufacturing labour: {labour_medium: a_M, labour_low: a_M LOW_TO_MEDIUM}."""
    w = skill_weights(params, region)
    a_m = tasks / (w["labour_medium"] + LOW_TO_MEDIUM * w["labour_low"])
    return {"labour_medium": a_m, "labour_low": LOW_TO_MEDIUM * a_m}


def shocks(params, region: str, tasks: float, cost_saving: float = COST_SAVING) -> list:
    """Automation shocks in ``region``'s manufacturing for a displaced task share ``tasks``."""
    return [Shock("automation", a, region=region, sector=list(MANUFACTURING), factor=h, cost_saving=cost_saving)
            for h, a in displaced_shares(params, region, tasks).items()]


def manufacturing_share(params, region: str) -> float:
    """Share of manufacturing in the region's benchmark persons employed."""
    pers = params.data["persons_by_factor"].sel(factor=params.labour_factors, region=region)
    return float(pers.sel(sector=list(MANUFACTURING)).sum() / pers.sum())


@dataclass
class Effects:
    """Effects of an automation shock on a region: employment rate (pp), real wage per person
    employed (%), manufacturing real output per person employed in manufacturing (%)."""
    employment_pp: float
    wage_pct: float
    productivity_pct: float


def effects(model: CGEModel, region: str, scenario_shocks: list) -> Effects:
    """Solve ``scenario_shocks`` from the benchmark and measure the region's effects."""
    model.reset()
    model.solve()
    base = collect(model)
    Scenario("robots", scenario_shocks).solve(model)
    res = compare(base, collect(model)).sel(region=region)
    L = list(res.labour.values)
    pay = (res.sector_wage * res.factor_demand.sel(factor=L).rename(factor="labour")).sum(("labour", "sector"))
    wage = pay / res.persons.sum(("labour", "sector")) / res.cpi
    prod = (res.output.sel(sector=list(MANUFACTURING)).sum("sector")
            / res.persons.sel(sector=list(MANUFACTURING)).sum(("labour", "sector")))
    change = lambda x: 100.0 * float(x.sel(case="scenario") / x.sel(case="baseline") - 1.0)  # noqa: E731
    return Effects(employment_pp=-float(res.unemployment_rate_change), wage_pct=change(wage),
                   productivity_pct=change(prod))


def robots_per_manufacturing_worker(params, region: str, per_thousand_workers: float = 1.0) -> float:
    """Robots per manufacturing worker of ``per_thousand_workers`` robots per thousand workers
    of the whole economy."""
    return per_thousand_workers / 1000.0 / manufacturing_share(params, region)


def calibrate_kappa(params, region: str = "USA", target: float = AR2020["employment_pp"],
                    model: CGEModel | None = None) -> tuple[float, Effects]:
    """Worker-equivalents of tasks per robot, kappa, such that one more robot per thousand
    workers changes the region's employment rate by ``target`` pp in the short run (secant
    steps from kappa = 1; the response is close to linear). Returns kappa and the effects of
    the calibration run."""
    model = model or CGEModel(params, Closure.from_preset("short_run"))
    rho = robots_per_manufacturing_worker(params, region)
    k0, e0 = 0.0, 0.0
    k1 = 1.0
    e1 = effects(model, region, shocks(params, region, k1 * rho)).employment_pp
    for _ in range(4):
        k0, e0, k1 = k1, e1, k1 + (target - e1) * (k1 - k0) / (e1 - e0)
        eff = effects(model, region, shocks(params, region, k1 * rho))
        e1 = eff.employment_pp
        if abs(e1 - target) < 1e-6:
            break
    return k1, eff


def calibration(params, region: str = "USA") -> dict:
    """The calibration run and its checks: kappa, the short-run effects of one more robot per
    thousand workers (vs Acemoglu and Restrepo 2020), and the annual growth of manufacturing
    labour productivity from a decade at the region's 2011-2022 pace in the medium and the
    long run (vs Graetz and Michaels 2018)."""
    kappa, short = calibrate_kappa(params, region)
    decade = kappa * decade_density(region, "central") / 1e4
    growth = {}
    for preset in ("medium_run", "long_run"):
        eff = effects(CGEModel(params, Closure.from_preset(preset)), region, shocks(params, region, decade))
        growth[preset] = 100.0 * ((1 + eff.productivity_pct / 100.0) ** 0.1 - 1.0)
    return {"region": region, "kappa": kappa, "short_run": short,
            "robots_per_manufacturing_worker": robots_per_manufacturing_worker(params, region),
            "decade_tasks": decade, "productivity_growth_pp": growth}


def variant_shares(params, kappa: float, regions=("USA", "EU", "JPN")) -> dict:
    """Displaced task shares {variant: {region: {labour type: a_h}}} of west_automation."""
    return {v: {r: displaced_shares(params, r, kappa * decade_density(r, v) / 1e4) for r in regions}
            for v in DECADES}


def effects_table(params, kappa: float, variants=("central",), regions=("USA", "EU", "JPN")):
    """Rows (variant, region, tasks %, a_M, a_L) of the mapping."""
    rows = []
    for v in variants:
        for r in regions:
            tasks = kappa * decade_density(r, v) / 1e4
            a = displaced_shares(params, r, tasks)
            rows.append((v, r, decade_density(r, v), 100 * tasks, a["labour_medium"], a["labour_low"]))
    return rows


__all__ = ["IFR_DENSITY", "AR2020", "GM2018", "DECADES", "calibration", "calibrate_kappa",
           "variant_shares", "decade_density", "displaced_shares", "shocks"]
