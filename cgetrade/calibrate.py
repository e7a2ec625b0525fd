"""Calibration: benchmark dataset + elasticities -> labelled model parameters.

All prices are 1 at the benchmark and quantities are measured in benchmark value units, so
every CES share parameter is a benchmark value share (calibrated share form):

    theta_k = v_k / sum_k v_k,     P = [sum_k theta_k p_k^(1-sigma)]^(1/(1-sigma)).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

import numpy as np
import xarray as xr

from .data.schema import (AGENTS, DataValidationError, has_intra_regional_trade, margins, optional,
                          rest_of_world, validate)
from .errors import OptionsError, check_keys, read_toml, suggest


DEFAULT_ELASTICITIES = Path(str(resources.files("cgetrade.data") / "default" / "elasticities.toml"))


@dataclass
class Elasticities:
    """Substitution elasticities by sector label (GTAP-like defaults, see elasticities.toml).

    ``sector`` maps a sector label to any of sigma_d, sigma_m, sigma_va, sigma_top; labels not
    listed use ``default``. ``final_demand`` maps household/government/investment to the
    elasticity between commodities in that agent's basket.
    """
    default: dict = field(default_factory=dict)
    sector: dict = field(default_factory=dict)
    final_demand: dict = field(default_factory=dict)
    #: sector labels named in overrides; calibrate() refuses those the dataset does not have
    overridden: set = field(default_factory=set, repr=False, compare=False)

    KEYS = ("sigma_d", "sigma_m", "sigma_va", "sigma_top", "sigma_t", "sigma_kh", "sigma_o")
    #: keys with a built-in default when neither the sector nor the table's default sets them
    #: (sigma_t = inf: perfect transformation between domestic sales and exports, as in GTAP;
    #: sigma_kh, sigma_o: the capital-skill value-added nest, Krusell, Ohanian, Rios-Rull and
    #: Violante 2000, Econometrica 68(5): 1029-1053, table 3: capital-skill 1/(1+0.495) = 0.67,
    #: unskilled labour vs the capital-skill composite 1/(1-0.401) = 1.67)
    BUILTIN = {"sigma_t": float("inf"), "sigma_kh": 0.67, "sigma_o": 1.67}

    @classmethod
    def from_toml(cls, path: str | Path = DEFAULT_ELASTICITIES) -> "Elasticities":
        raw = read_toml(path, OptionsError)
        name = Path(path).name
        check_keys(raw, ("default", "sector", "final_demand"), f"elasticity file {name}", OptionsError)
        check_keys(raw.get("default", {}), cls.KEYS, f"[default] of {name}", OptionsError)
        for lab, table in raw.get("sector", {}).items():
            if not isinstance(table, dict):
                raise OptionsError(f"[sector.{lab}] of {name} must be a table of elasticities")
            check_keys(table, cls.KEYS, f"[sector.{lab}] of {name}", OptionsError)
        check_keys(raw.get("final_demand", {}), AGENTS, f"[final_demand] of {name}", OptionsError)
        return cls(default=dict(raw.get("default", {})),
                   sector={k: dict(v) for k, v in raw.get("sector", {}).items()},
                   final_demand=dict(raw.get("final_demand", {})))

    @classmethod
    def gtap_default(cls) -> "Elasticities":
        return cls.from_toml(DEFAULT_ELASTICITIES)

    def override(self, **by_key) -> "Elasticities":
        """New table with overrides, e.g. ``override(sigma_d={"ELE": 6.0}, sigma_top=0.5)``.

        A scalar sets the value for every sector (or every final agent for ``final_demand``).
        """
        new = Elasticities(dict(self.default), {k: dict(v) for k, v in self.sector.items()},
                           dict(self.final_demand), set(self.overridden))
        for key, val in by_key.items():
            if key == "final_demand":
                vals = val if isinstance(val, dict) else {a: val for a in AGENTS}
                check_keys(vals, AGENTS, "the final_demand elasticity override", OptionsError)
                new.final_demand.update(vals)
            elif key in self.KEYS:
                if isinstance(val, dict):
                    for lab, v in val.items():
                        new.sector.setdefault(lab, {})[key] = v
                        new.overridden.add(lab)
                else:
                    new.default[key] = val
                    for lab in new.sector:
                        new.sector[lab][key] = val
            else:
                raise OptionsError(f"unknown elasticity '{key}'{suggest(key, self.KEYS)}; "
                                   f"known: {self.KEYS + ('final_demand',)}")
        return new

    def value(self, key: str, sector: str) -> float:
        v = self.sector.get(sector, {}).get(key, self.default.get(key, self.BUILTIN.get(key)))
        if v is None:
            raise OptionsError(f"no value for elasticity {key} (sector {sector}) and no default")
        return float(v)

    def arrays(self, sectors) -> xr.Dataset:
        """Labelled elasticities for the given sectors; validates signs."""
        sectors = [str(x) for x in sectors]
        unknown = sorted(self.overridden - set(sectors))
        if unknown:
            raise OptionsError(f"unknown sector(s) {unknown} in an elasticity override"
                               f"{suggest(unknown[0], sectors)}; the dataset's sectors: {sectors}")
        values = [(k, lab, v) for k, table in [("default", self.default), ("final_demand", self.final_demand)]
                  + [(f"sector {lab}", t) for lab, t in self.sector.items()] for lab, v in table.items()]
        bad = [f"{k} {lab} = {v!r}" for k, lab, v in values
               if isinstance(v, (bool, str)) or not isinstance(v, (int, float, np.number))]
        if bad:
            raise OptionsError("elasticities must be numbers: " + ", ".join(bad))
        out = xr.Dataset(coords={"sector": list(sectors), "agent": list(AGENTS)})
        for key in self.KEYS:
            out[key] = ("sector", [self.value(key, s) for s in sectors])
        out["sigma_fd"] = ("agent", [float(self.final_demand.get(a, 1.0)) for a in AGENTS])
        bad = [f"{k}={float(v)} ({lab})" for k in list(self.KEYS) + ["sigma_fd"]
               for lab, v in zip(out[k][out[k].dims[0]].values, out[k].values)
               if v < 0 or np.isnan(v) or (np.isinf(v) and k != "sigma_t")]
        if bad:
            raise OptionsError("elasticities must be finite and >= 0: " + ", ".join(bad))
        return out


@dataclass
class Parameters:
    """Calibrated benchmark of a CGE model (labelled arrays in ``data``).

    Variables of ``data`` (values in benchmark value units, millions USD for WIOD):
    ``vom`` output (j,r); ``vfm`` factor payments (f,j,r); ``to`` production tax rate (j,r);
    ``use_dom``/``use_imp`` domestic / imported use of commodity i by agent a in r (i,a,r),
    agents = sectors + household, government, investment; ``vxmd`` bilateral trade
    (i,s,r) at exporter (world, fob) prices, ``tm0`` its benchmark tariff rates (on the cif
    value); the diagonal s = r is a region's trade with itself (datasets with
    ``intra_regional_*``, else zero), part of ``use_imp``; ``vtwr`` transport margins
    (m,i,s,r) and ``vst`` margin services sold to international transport (m,r), zero without margins; ``vxmd_row``,
    ``tm_row0``, ``x_row`` imports from / tariff rates on them / exports to an exogenous rest
    of the world (i,r); ``income`` regional household income (r); ``factor_income``,
    ``direct_tax``, ``household_saving``, ``government_saving`` (r, household-government
    option); ``saving``,
    ``foreign_saving`` (r); ``endowment`` (f,r); ``persons`` employment (j,r, thousand);
    elasticities sigma_d, sigma_m, sigma_va, sigma_top, sigma_t (CET; inf = none) (sector),
    sigma_fd (agent).
    """
    data: xr.Dataset
    dataset: xr.Dataset

    @property
    def regions(self) -> list[str]:
        return [str(x) for x in self.data["region"].values]

    @property
    def sectors(self) -> list[str]:
        return [str(x) for x in self.data["sector"].values]

    @property
    def factors(self) -> list[str]:
        return [str(x) for x in self.data["factor"].values]

    @property
    def labour_factors(self) -> list[str]:
        """The labour types: ["labour"], or ["labour_high", "labour_medium", "labour_low"]."""
        return [f for f, t in zip(self.factors, self.data["factor_type"].values) if t == "labour"]

    @property
    def va_nest(self) -> str:
        return str(self.data.attrs.get("va_nest", "flat"))

    @property
    def private_demand(self) -> str:
        return str(self.data.attrs.get("private_demand", "ces"))

    @property
    def final_agents(self) -> list[str]:
        return list(AGENTS)

    def __getitem__(self, key: str) -> np.ndarray:
        return self.data[key].values


VA_NESTS = ("flat", "capital_skill")
#: household demand over commodities: "ces" (the sigma_fd basket; Cobb-Douglas at the default
#: sigma_fd = 1) or "cde" (GTAP's constant difference of elasticities, cgetrade.model.demand)
PRIVATE_DEMAND = ("ces", "cde")


def cde_parameters(shares: np.ndarray, incpar: np.ndarray, subpar: np.ndarray) -> np.ndarray:
    """Distribution parameters B_i of the CDE at the benchmark (prices 1, expenditure index 1,
    utility 1) from budget shares s_i and SUBPAR b_i: the shares s_i = b_i B_i / sum_k b_k B_k
    and the implicit expenditure function sum_i B_i = 1 give B_i = (s_i / b_i) / sum_k (s_k / b_k)
    (axis 0 = commodities; zero where s_i = 0)."""
    q = np.divide(shares, subpar, out=np.zeros_like(shares, dtype=float), where=shares > 0)
    return q / q.sum(0, keepdims=True)
#: how persons follow efficiency units (docs/model.md "Persons"): "pooled_where_imputed" blends
#: a sector's persons per wage unit with the region's pooled ratio by the imputed share of its
#: employment; "sector" uses every sector's own benchmark ratio
HEADCOUNTS = ("pooled_where_imputed", "sector")


def skill_factor(skill: str) -> str:
    """Factor label of a labour type: ``labour_high`` etc."""
    return f"labour_{skill}"


def _split_labour(ds: xr.Dataset, vfm: np.ndarray, persons: np.ndarray, factors: list[str]):
    """Labour by skill: compensation V[labour_h,j,r] = V[labour,j,r] * comp_share[h,j,r] and
    persons N[labour_h,j,r] = N[j,r] * hours_share[h,j,r] (persons split like hours: every
    worker of a cell is counted once, in the skill group that supplies his hours)."""
    missing = [v for v in ("labour_skill_share", "hours_skill_share") if v not in ds]
    if missing:
        raise DataValidationError(f"skills=True needs the dataset variables {missing} "
                                  "(skill, sector, region); see docs/data.md")
    skills = [str(x) for x in ds["skill"].values]          # labels checked by validate()
    comp = ds["labour_skill_share"].transpose("skill", "sector", "region").values
    hours = ds["hours_skill_share"].transpose("skill", "sector", "region").values
    k = factors.index("labour")
    others = [f for f in factors if f != "labour"]
    vfm_s = np.concatenate([vfm[k][None] * comp, vfm[[factors.index(f) for f in others]]])
    pers_s = np.concatenate([persons[None] * hours, np.zeros((len(others),) + persons.shape)])
    return vfm_s, pers_s, [skill_factor(h) for h in skills] + others


def calibrate(dataset: xr.Dataset, elasticities: Elasticities | None = None, skills: bool = False,
              va_nest: str = "flat", headcount: str = "pooled_where_imputed",
              private_demand: str = "ces") -> Parameters:
    """Validate the benchmark and derive the model parameters (the input is not modified).

    ``skills=True`` splits labour into high-, medium- and low-skill factors (dataset
    variables ``labour_skill_share`` and ``hours_skill_share``); ``va_nest`` is the value-added
    technology: ``"flat"`` (one CES over all factors, sigma_va, GTAP) or ``"capital_skill"``
    (VA = CES(KH, L_medium, L_low; sigma_o), KH = CES(K, L_high; sigma_kh); needs skills).
    ``headcount``: persons per efficiency unit moved by a change of a sector's labour,
    ``"pooled_where_imputed"`` (the sector's benchmark ratio blended with the region's pooled
    ratio by the imputed share of the sector's persons, dataset variables
    ``employment_imputed`` and, with skills, ``skill_share_imputed``) or ``"sector"`` (every
    sector's own benchmark ratio).
    ``private_demand``: the household's demand over commodities, ``"ces"`` (elasticity
    sigma_fd of the household; Cobb-Douglas by default) or ``"cde"`` (GTAP's CDE with the
    dataset's ``cde_incpar`` and ``cde_subpar``, e.g. from default.prm via ``from_gtap``).
    """
    if private_demand not in PRIVATE_DEMAND:
        raise OptionsError(f"unknown private_demand {private_demand!r}; known: {PRIVATE_DEMAND}")
    if private_demand == "cde":
        missing = [v for v in ("cde_incpar", "cde_subpar") if v not in dataset]
        if missing:
            raise DataValidationError(f"private_demand='cde' needs the dataset variables {missing} "
                                      "(commodity, region): INCPAR and SUBPAR of GTAP's default.prm "
                                      "(cgetrade.data.gtap.from_gtap reads them)")
    if headcount not in HEADCOUNTS:
        raise OptionsError(f"unknown headcount {headcount!r}; known: {HEADCOUNTS}")
    if va_nest not in VA_NESTS:
        raise OptionsError(f"unknown va_nest {va_nest!r}; known: {VA_NESTS}")
    if va_nest == "capital_skill" and not skills:
        raise OptionsError("va_nest='capital_skill' needs labour by skill (skills=True)")
    validate(dataset)
    ds = dataset.copy(deep=True)
    el = (elasticities or Elasticities.gtap_default()).arrays(ds["sector"].values)
    regions = [str(x) for x in ds["region"].values]
    sectors = [str(x) for x in ds["sector"].values]
    clash = set(sectors) & set(AGENTS)
    if clash:
        raise DataValidationError(f"sector labels clash with final-agent labels: {sorted(clash)}")
    R = len(regions)
    row_label = rest_of_world(ds)
    src = [str(x) for x in ds["source"].values]
    order = regions + ([row_label] if row_label is not None else [])   # regions first, then RoW
    Zs = ds["intermediate"].sel(source=order).transpose("commodity", "source", "sector", "region").values
    Fs = ds["final_demand"].sel(source=order).transpose("commodity", "source", "agent", "region").values
    TM = optional(ds, "import_tariff").sel(source=order).transpose("commodity", "source", "region").values
    if sorted(order) != sorted(src):      # guarded by validate(); kept as an internal check
        raise DataValidationError(f"source labels {src} are not the regions {regions} "
                                  "plus the rest of the world")
    use = np.concatenate([Zs, Fs], axis=2)                         # (i, s, a, r) at agents' prices
    own = np.eye(R, dtype=bool)                                   # (s, r): s == r
    use_dom = np.einsum("isar,sr->iar", use[:, :R], own)
    intra = np.zeros_like(use_dom)                                 # (i, a, r) imports from own members
    if has_intra_regional_trade(ds):
        intra = np.concatenate([ds["intra_regional_intermediate"].transpose("commodity", "sector", "region").values,
                                ds["intra_regional_final_demand"].transpose("commodity", "agent", "region").values],
                               axis=1)
        dom = np.maximum(use_dom - intra, 0.0)                     # validated: intra <= diagonal
        use_dom, intra = dom, use_dom - dom
    use_imp = use.sum(1) - use_dom                                 # incl. tariffs, RoW and own-member imports
    world_value = use.sum(2) - TM                                  # (i, s, r) at world prices (cif)
    _, vst = margins(ds)                                           # margin services sold (zero if none)
    vtwr = np.zeros((len(sectors), len(sectors), R, R))            # (margin, i, s, r)
    if "transport_margins" in ds:
        vt = ds["transport_margins"].reindex(margin=sectors, fill_value=0.0)
        vtwr = vt.reindex(source=regions, fill_value=0.0).sel(region=regions).transpose(
            "margin", "commodity", "source", "region").values
    vtw = vtwr.sum(0)                                              # (i, s, r) margins by route
    vcif = world_value[:, :R] * ~own[None, :, :]                   # (i, s, r); diagonal: trade
    vcif += np.einsum("ir,sr->isr", intra.sum(1) - np.einsum("irr->ir", TM[:, :R]), own)   # within r
    vxmd = vcif - vtw                                              # exporter's receipts (fob)
    tm0 = np.divide(TM[:, :R], vcif, out=np.zeros_like(vcif), where=vcif > 0)
    if row_label is not None:
        vxmd_row, tm_row0 = world_value[:, R], np.divide(TM[:, R], world_value[:, R],
                                                         out=np.zeros_like(world_value[:, R]),
                                                         where=world_value[:, R] > 0)
    else:
        vxmd_row = tm_row0 = np.zeros((len(sectors), R))
    x_row = optional(ds, "exports_rest_of_world").transpose("commodity", "region").values

    vfm = ds["factor_payments"].transpose("factor", "sector", "region").values
    vom = ds["gross_output"].transpose("sector", "region").values
    ptax = ds["production_tax"].transpose("sector", "region").values
    tariff_revenue = TM.sum((0, 1))
    income = vfm.sum((0, 1)) + ptax.sum(0) + tariff_revenue
    fd_exp = Fs.sum((0, 1))                                        # (agent, r)
    saving = income - fd_exp[0] - fd_exp[1]
    if np.any(saving < -1e-9 * income):
        bad = [f"{regions[r]}: {saving[r]:.6g}" for r in np.flatnonzero(saving < 0)]
        raise DataValidationError("regional saving (income - household - government "
                                  "consumption) must not be negative; got " + ", ".join(bad))
    if np.any(income <= 0):
        raise DataValidationError("regional income must be positive")
    foreign_saving = fd_exp[2] - saving                           # = imports - exports
    # household-government split (HGH textbook structure): direct tax, private and public saving
    direct_tax = optional(ds, "direct_tax").transpose("region").values
    factor_income = vfm.sum((0, 1))
    hh_saving = factor_income - direct_tax - fd_exp[0]
    gov_saving = direct_tax + ptax.sum(0) + tariff_revenue - fd_exp[1]
    persons = ds["employment"].transpose("sector", "region").values
    factors = [str(f) for f in ds["factor"].values]
    persons_f = np.zeros((len(factors),) + persons.shape)
    persons_f[factors.index("labour")] = persons
    imputed = ds["employment_imputed"].transpose("sector", "region").values.astype(float) \
        if "employment_imputed" in ds else np.zeros_like(persons)
    if skills:
        vfm, persons_f, factors = _split_labour(ds, vfm, persons, factors)
        if "skill_share_imputed" in ds:
            imputed = np.maximum(imputed, ds["skill_share_imputed"].transpose("sector", "region").values.astype(float))
    if not (np.all(np.isfinite(imputed)) and np.all((imputed >= 0) & (imputed <= 1))):
        raise DataValidationError("employment_imputed / skill_share_imputed must be shares in [0, 1]")
    is_labour = np.array([f == "labour" or f.startswith("labour_") for f in factors])
    imputed_f = np.where(is_labour[:, None, None], imputed[None], 0.0) * (headcount != "sector")
    factor_type = ["labour" if f == "labour" or f.startswith("labour_") else f for f in factors]

    agents = sectors + list(AGENTS)
    coords = {"region": regions, "sector": sectors, "commodity": sectors, "source": regions,
              "margin": sectors,
              "agent": agents, "factor": factors,
              "final": list(AGENTS)}
    data = xr.Dataset(
        {
            "vom": (("sector", "region"), vom),
            "vfm": (("factor", "sector", "region"), vfm),
            "to": (("sector", "region"), ptax / vom),
            "use_dom": (("commodity", "agent", "region"), use_dom),
            "use_imp": (("commodity", "agent", "region"), use_imp),
            "vxmd": (("commodity", "source", "region"), vxmd),
            "tm0": (("commodity", "source", "region"), tm0),
            "vxmd_row": (("commodity", "region"), vxmd_row),
            "tm_row0": (("commodity", "region"), tm_row0),
            "x_row": (("commodity", "region"), x_row),
            "vtwr": (("margin", "commodity", "source", "region"), vtwr),
            "vst": (("commodity", "region"), vst.transpose("commodity", "region").values),
            "income": ("region", income),
            "factor_income": ("region", factor_income),
            "direct_tax": ("region", direct_tax),
            "household_saving": ("region", hh_saving),
            "government_saving": ("region", gov_saving),
            "fd_exp": (("final", "region"), fd_exp),
            "saving": ("region", saving),
            "foreign_saving": ("region", foreign_saving),
            "endowment": (("factor", "region"), vfm.sum(1)),
            "persons": (("sector", "region"), persons),
            "persons_by_factor": (("factor", "sector", "region"), persons_f),
            "persons_imputed": (("factor", "sector", "region"), imputed_f),
            "persons_imputed_share": (("factor", "sector", "region"),
                                      np.where(is_labour[:, None, None], imputed[None], 0.0)),
            "sigma_d": ("commodity", el["sigma_d"].values),
            "sigma_m": ("commodity", el["sigma_m"].values),
            "sigma_va": ("sector", el["sigma_va"].values),
            "sigma_top": ("sector", el["sigma_top"].values),
            "sigma_t": ("sector", el["sigma_t"].values),
            "sigma_kh": ("sector", el["sigma_kh"].values),
            "sigma_o": ("sector", el["sigma_o"].values),
            "sigma_fd": ("final", el["sigma_fd"].values),
        },
        coords=coords,
        attrs={**{k: v for k, v in ds.attrs.items() if isinstance(v, (str, int, float))},
               "va_nest": va_nest, "skills": int(skills), "headcount": headcount},
    )
    data = data.assign_coords(factor_type=("factor", factor_type))
    data.attrs["private_demand"] = private_demand
    if private_demand == "cde":
        hh = use_dom[:, len(sectors)] + use_imp[:, len(sectors)]          # (i, r) household use
        e = ds["cde_incpar"].transpose("commodity", "region").values
        b = ds["cde_subpar"].transpose("commodity", "region").values
        data["cde_e"] = (("commodity", "region"), e)
        data["cde_b"] = (("commodity", "region"), b)
        data["cde_B"] = (("commodity", "region"), cde_parameters(
            np.divide(hh, hh.sum(0, keepdims=True), out=np.zeros_like(hh), where=hh.sum(0, keepdims=True) > 0), e, b))
    for name in ("capital_stock", "depreciation", "rorflex"):          # the global bank's data
        if name in ds:
            data[name] = ds[name]
    if "rordelta" in ds.attrs:
        data.attrs["rordelta"] = int(ds.attrs["rordelta"])
    return Parameters(data=data, dataset=ds)
