"""GTAP data bases (header array files) -> benchmark dataset and elasticities.

Reads ``basedata.har`` (flows), ``default.prm`` (parameters) and optionally ``sets.har``
with the header-array library ``harpy3``. Headers used (GTAP 10/11 data base, model v7
names; dimensions in brackets, (s, d) = source, destination):

=======================  =================================================================
VDFB VDFP VMFB VMFP      domestic / imported purchases by firms at basic / purchaser prices
                         [COMM, ACTS, REG]
VDPB VDPP VMPB VMPP      private household purchases [COMM, REG]; VDG*/VMG* government,
VDGB ... VMIP            VDI*/VMI* investment
EVFB EVFP EVOS           factor payments at basic / producer prices / after income tax
                         [ENDW, ACTS, REG]
MAKB MAKS                make matrix at basic / supply prices [COMM, ACTS, REG]
VXSB VFOB VCIF VMSB      bilateral trade at exporter's basic prices, fob, cif and importer's
                         basic prices [COMM, REG(s), REG(d)]
VST                      exports of margin services to international transport [MARG, REG]
VTWR                     margins by route [MARG, COMM, REG(s), REG(d)]
ESBD ESBM                Armington elasticities domestic/imported and among sources [COMM, REG]
ESBV ESBT                value added and top-level (value added/intermediates) [ACTS, REG]
ESBG ESBI                government and investment baskets [REG] (optional)
=======================  =================================================================

Mapping to the dataset (all flows at basic prices, US dollars million):

* sectors = activities = commodities: the make matrix must be diagonal, or, with
  ``make="industry_technology"``, activities that make several commodities (or several
  activities that make one commodity, e.g. GTAP-Power's electricity technologies) become
  commodity sectors under the industry technology assumption (Eurostat, Manual of Supply, Use
  and Input-Output Tables, 2008, ch. 11): an activity's inputs, factor payments and taxes go to
  its products in proportion to their shares of its output, w[c,a,r] = MAKB[c,a,r] / sum_k
  MAKB[k,a,r], so commodity c's technology is sum_a w[c,a,r] x (activity a's) and its output
  sum_a MAKB[c,a,r]; ESBV and ESBT become value-added resp. output-weighted means. The
  benchmark is exact; each commodity then has one technology (GTAP v7's transformation
  ETRQ and sourcing ESBQ between activities and commodities are not represented);
* factors: endowments mapped by ``factors`` (default: capital -> capital, land -> land,
  natural resources -> natural_resources, every other endowment -> labour);
* imported purchases of each agent are split by source in proportion to VMSB (GTAP's
  sourcing at the border), valued cif + tariff (tariff revenue = VMSB - VCIF). With
  ``margins="route"`` (default) the margins on trade between regions (VTWR) are the
  dataset's ``transport_margins`` and the margin services sold (VST, scaled to the margins
  kept) its ``margin_exports``: the model carries them as a per-unit requirement of each
  route met by a global transport pool (cgetrade.model.trade). With
  ``margins="purchases"`` the agent buys the margins as margin services from the supplying
  regions in proportion to VST;
* trade within an aggregated region (VMSB[i,r,r] > 0: imports of r's members from the
  others) is the region's trade with itself (``intra_regional=True``, default, as in GTAP):
  the dataset variables ``intra_regional_intermediate`` / ``intra_regional_final_demand``
  (each agent's imports x the source share of r, valued cif + tariff), with its tariffs
  VMSB - VCIF as import_tariff[i,r,r] and its margins VTWR[m,i,r,r] carried by route like
  any other; the model sources it in the import nest like any partner. With
  ``intra_regional=False`` it is folded into the region's domestic use: its tariffs are
  left out (attribute ``intra_regional_tariffs``) and its margins bought as services;
* gross output = the row total (domestic sales + fob exports + margin services), which is
  MAKB + export taxes: export taxes (VFOB - VXSB) are folded into the exporter's production
  tax; net production tax = gross output - intermediate inputs - factor payments (output
  taxes, taxes on intermediate inputs and on factor use, export taxes);
* final demand at basic prices: taxes on final purchases are left out of spending and of
  regional income alike (totals in the attribute ``final_demand_taxes``);
* direct tax = income taxes on factors (EVFB - EVOS);
* employment: ``employment`` if given (persons, thousands), else labour payments (labour
  units).

Elasticities: sigma_d = ESBD, sigma_m = ESBM (averaged over regions with absorption weights),
sigma_va = ESBV (value-added weights), sigma_top = ESBT (output weights), government and
investment baskets ESBG/ESBI (spending weights); GTAP's household demand (CDE) is not a CES,
so the household basket keeps the given default; sigma_t = inf (no CET in GTAP).
"""
from __future__ import annotations

import re
import warnings
from pathlib import Path

import numpy as np
import xarray as xr

from .schema import AGENTS, DataValidationError, validate

FLOWS = {
    "VDFB": ("COMM", "ACTS", "REG"), "VDFP": ("COMM", "ACTS", "REG"),
    "VMFB": ("COMM", "ACTS", "REG"), "VMFP": ("COMM", "ACTS", "REG"),
    **{f"V{d}{a}{p}": ("COMM", "REG") for d in "DM" for a in "PGI" for p in "BP"},
    "EVFB": ("ENDW", "ACTS", "REG"), "EVFP": ("ENDW", "ACTS", "REG"), "EVOS": ("ENDW", "ACTS", "REG"),
    "MAKB": ("COMM", "ACTS", "REG"), "MAKS": ("COMM", "ACTS", "REG"),
    "VXSB": ("COMM", "REG", "REG"), "VFOB": ("COMM", "REG", "REG"),
    "VCIF": ("COMM", "REG", "REG"), "VMSB": ("COMM", "REG", "REG"),
    "VST": ("MARG", "REG"), "VTWR": ("MARG", "COMM", "REG", "REG"),
}
PARAMETERS = {"ESBD": ("COMM", "REG"), "ESBM": ("COMM", "REG"), "ESBV": ("ACTS", "REG"),
              "ESBT": ("ACTS", "REG")}
OPTIONAL_PARAMETERS = {"ESBG": ("REG",), "ESBI": ("REG",)}
#: GTAP standard-model parameters (default.prm), read when present: CDE household demand
#: (INCPAR, SUBPAR), transformation of sluggish endowments (ETRAE; SLUG = 1 sluggish, 0
#: mobile), the global bank (RORFLEX, RORDELTA); and capital data in basedata.har
GTAP7_PARAMETERS = {"INCP": (("COMM", "REG"),), "SUBP": (("COMM", "REG"),),
                    "ETRE": (("ENDW", "REG"), ("ENDW",)), "SLUG": (("ENDW",),),
                    "RFLX": (("REG",),), "RDLT": ((),)}
GTAP7_BASEDATA = {"VKB": (("REG",),), "VDEP": (("REG",),)}
#: largest relative gap between GTAP's own accounts (supply = sales) the loader accepts
#: (HAR files store single precision: about 1e-7)
TOLERANCE = 1e-4


def default_factor(endowment: str) -> str:
    e = endowment.lower()
    if re.search(r"cap", e):
        return "capital"
    if re.search(r"land", e):
        return "land"
    if re.search(r"nat|res", e):
        return "natural_resources"
    return "labour"


class _Har:
    """Header arrays of one HAR file, with their set labels (read by harpy3)."""

    def __init__(self, path: Path):
        try:
            from harpy import HarFileObj
        except ImportError as err:  # pragma: no cover
            raise ImportError("reading GTAP header array files needs the package harpy3 "
                              "(pip install harpy3)") from err
        if not path.exists():
            raise FileNotFoundError(f"GTAP file not found: {path}")
        self.path = path
        with warnings.catch_warnings():          # harpy3 uses numpy's deprecated chararray
            warnings.simplefilter("ignore", DeprecationWarning)
            self.har = HarFileObj.loadFromDisk(str(path))
        self.names = [n.strip() for n in self.har.getHeaderArrayNames()]

    def get_any(self, name: str, options: tuple) -> xr.DataArray:
        """A header with any of the set tuples in ``options``; ``()`` = a scalar (a header
        of one element, whatever its set)."""
        obj = self.har.getHeaderArrayObj(self.har.getHeaderArrayNames()[self.names.index(name)])
        arr = np.asarray(obj["array"], dtype=float)
        if () in options and arr.size == 1:
            if not np.all(np.isfinite(arr)):
                raise DataValidationError(f"{self.path.name}: header {name} is not finite")
            return xr.DataArray(float(arr.ravel()[0]), attrs={"long_name": str(obj.get("long_name", "")).strip()})
        hsets = tuple(s["name"] for s in (obj.get("sets") or []))
        for sets in options:
            if len(sets) == arr.ndim and (hsets == sets or len(hsets) == len(sets)):
                return self.get(name, sets)
        raise DataValidationError(f"{self.path.name}: header {name} has shape {arr.shape} (sets "
                                  f"{list(hsets)}), expected sets " + " or ".join(map(str, map(list, options))))

    def get(self, name: str, sets: tuple) -> xr.DataArray:
        if name not in self.names:
            raise DataValidationError(f"{self.path.name}: header {name} is missing (needed with "
                                      f"sets {list(sets)}); headers present: {self.names}")
        obj = self.har.getHeaderArrayObj(self.har.getHeaderArrayNames()[self.names.index(name)])
        arr = np.asarray(obj["array"], dtype=float)
        hsets = obj.get("sets") or []
        if arr.ndim != len(sets) or len(hsets) != len(sets):
            raise DataValidationError(f"{self.path.name}: header {name} has shape {arr.shape} "
                                      f"(sets {[s['name'] for s in hsets]}), expected sets {list(sets)}")
        labels = [[str(x).strip() for x in s["dim_desc"]] for s in hsets]
        dims = [f"{s}{k}" if sets.count(s) > 1 else s for k, s in enumerate(sets)]
        if not np.all(np.isfinite(arr)):
            raise DataValidationError(f"{self.path.name}: header {name} has NaN or infinite values")
        return xr.DataArray(arr, dims=dims, coords={d: lab for d, lab in zip(dims, labels)},
                            attrs={"long_name": str(obj.get("long_name", "")).strip()})


def _check_sets(arrays: dict, sets_file: _Har | None) -> dict:
    """One label list per GTAP set, the same in every header (and in sets.har if given)."""
    labels: dict[str, list] = {}
    for name, da in arrays.items():
        for dim in da.dims:
            s = re.sub(r"\d$", "", dim)
            lab = [str(x) for x in da[dim].values]
            if s in labels and labels[s] != lab:
                raise DataValidationError(f"header {name}: set {s} has elements {lab}, other headers {labels[s]}")
            labels.setdefault(s, lab)
    if sets_file is not None:
        for s, lab in labels.items():
            if s in sets_file.names:
                obj = sets_file.har.getHeaderArrayObj(sets_file.har.getHeaderArrayNames()[sets_file.names.index(s)])
                listed = [str(x).strip() for x in np.asarray(obj["array"]).ravel()]
                if listed != lab:
                    raise DataValidationError(f"{sets_file.path.name}: set {s} is {listed}, the data's {lab}")
    return labels


def read_gtap(basedata, parameters=None, sets=None) -> dict[str, xr.DataArray]:
    """The GTAP headers this library uses, as labelled arrays (see the module doc)."""
    base = _Har(Path(basedata))
    arrays = {k: base.get(k, d) for k, d in FLOWS.items()}
    if parameters is not None:
        prm = _Har(Path(parameters))
        arrays.update({k: prm.get(k, d) for k, d in PARAMETERS.items()})
        arrays.update({k: prm.get(k, d) for k, d in OPTIONAL_PARAMETERS.items() if k in prm.names})
        arrays.update({k: prm.get_any(k, d) for k, d in GTAP7_PARAMETERS.items() if k in prm.names})
    arrays.update({k: base.get_any(k, d) for k, d in GTAP7_BASEDATA.items() if k in base.names})
    _check_sets({k: v for k, v in arrays.items() if v.ndim}, _Har(Path(sets)) if sets is not None else None)
    for name in FLOWS:
        v = arrays[name]
        if bool((v < 0).any()) and name not in ("MAKS",):
            k = np.unravel_index(int(np.argmin(v.values)), v.shape)
            raise DataValidationError(f"header {name}: negative flow {float(v.values[k]):.6g} at "
                                      + ", ".join(f"{d}={v[d].values[i]}" for d, i in zip(v.dims, k)))
    return arrays


MAKE = ("diagonal", "industry_technology")


def _industry_technology(h: dict) -> dict:
    """Headers by activity -> by commodity under the industry technology assumption (module
    doc): X[..., c, r] = sum_a w[c,a,r] X[..., a, r], w = MAKB / sum_c MAKB; the make matrices
    become diagonal."""
    comm = [str(x) for x in h["VDFB"]["COMM"].values]
    mak = h["MAKB"]
    total = mak.sum("COMM")                                             # (ACTS, REG)
    idle = (total <= 0)
    for name in ("VDFB", "VMFB", "EVFB"):
        used = (h[name].sum([d for d in h[name].dims if d not in ("ACTS", "REG")]) > 0) & idle
        if bool(used.any()):
            a = used.where(used, drop=True).stack(k=used.dims)
            raise DataValidationError(f"activity {str(a['ACTS'].values[0])} in {str(a['REG'].values[0])} "
                                      f"has inputs ({name}) but makes nothing (MAKB)")
    w = (mak / total.where(total > 0)).fillna(0.0).rename(COMM="PROD")  # (PROD, ACTS, REG)
    out = dict(h)

    def by_commodity(x):
        dims = [d if d != "ACTS" else "PROD" for d in x.dims]
        y = (x * w).sum("ACTS").transpose(*dims).rename(PROD="ACTS")
        return y.assign_coords(ACTS=comm).assign_attrs(x.attrs)
    for name, da in h.items():
        if "ACTS" in da.dims and name not in ("MAKB", "MAKS", "ESBV", "ESBT"):
            out[name] = by_commodity(da)
    eye = xr.DataArray(np.eye(len(comm)), dims=("COMM", "ACTS"), coords={"COMM": comm, "ACTS": comm})
    supply = mak.sum("ACTS")                                            # (COMM, REG)
    out["MAKB"] = (eye * supply).transpose("COMM", "ACTS", "REG").assign_attrs(mak.attrs)
    maks = by_commodity(h["MAKS"].sum("COMM"))                         # (ACTS=c, REG)
    out["MAKS"] = (eye * maks.rename(ACTS="COMM")).transpose("COMM", "ACTS", "REG").assign_attrs(h["MAKS"].attrs)
    weights = {"ESBV": h["EVFB"].sum("ENDW"), "ESBT": total}
    for name, wt in weights.items():
        if name in h:
            num, den = by_commodity(h[name] * wt), by_commodity(wt)
            out[name] = (num / den.where(den > 0)).fillna(float(h[name].mean())).assign_attrs(h[name].attrs)
    return out


def from_gtap(basedata, parameters=None, sets=None, factors=None, employment=None,
              elasticities=None, margins: str = "route",
              intra_regional: bool = True, make: str = "diagonal") -> tuple[xr.Dataset, object]:
    """Benchmark dataset and elasticities from a GTAP data base (mapping in the module doc).

    ``basedata``/``parameters``/``sets``: paths of basedata.har, default.prm (optional:
    without it the elasticities are ``elasticities`` or the library's defaults) and sets.har
    (optional, checked against the data). ``factors``: {endowment: factor}. ``margins``:
    ``"route"`` (margins travel with the good: imports valued cif + tariff, the model's
    global transport pool) or ``"purchases"`` (margins bought by the good's users as margin
    services). ``intra_regional``: trade within an aggregated region as its trade with
    itself (default) or folded into domestic use. ``make``: ``"diagonal"`` (one commodity per
    activity, else refused) or ``"industry_technology"`` (multi-product activities mapped to
    commodity sectors, module doc). Returns (dataset, :class:`cgetrade.Elasticities`).
    """
    if margins not in ("route", "purchases"):
        raise ValueError(f"margins must be 'route' or 'purchases', got {margins!r}")
    if make not in MAKE:
        raise ValueError(f"make must be one of {MAKE}, got {make!r}")
    from ..calibrate import Elasticities
    h = read_gtap(basedata, parameters, sets)
    n_acts = h["VDFB"].sizes["ACTS"]
    if make == "industry_technology":
        h = _industry_technology(h)
    comm = [str(x) for x in h["VDFB"]["COMM"].values]
    acts = [str(x) for x in h["VDFB"]["ACTS"].values]
    regs = [str(x) for x in h["VDFB"]["REG"].values]
    endw = [str(x) for x in h["EVFB"]["ENDW"].values]
    marg = [str(x) for x in h["VST"]["MARG"].values]
    if acts != comm:
        raise DataValidationError(f"activities {acts} differ from commodities {comm}: each activity "
                                  "must make one commodity, or read with make='industry_technology'")
    mak = h["MAKB"].values
    off = mak * (1 - np.eye(len(comm)))[:, :, None]
    if float(np.abs(off).sum()) > TOLERANCE * float(mak.sum()):
        raise DataValidationError("the make matrix MAKB is not diagonal (multi-product activities): "
                                  "read with make='industry_technology' to map activities to "
                                  "commodity sectors")
    unknown_m = [m for m in marg if m not in comm]
    if unknown_m:
        raise DataValidationError(f"margin commodities {unknown_m} are not commodities")
    fmap = {e: (factors or {}).get(e, default_factor(e)) for e in endw}
    flist = list(dict.fromkeys(fmap.values()))
    if not {"labour", "capital"} <= set(flist):
        raise DataValidationError(f"endowments {endw} map to factors {flist}; labour and capital are needed "
                                  "(give factors={endowment: factor})")
    I, R, N = len(comm), len(regs), len(AGENTS)
    g = {k: v.values for k, v in h.items()}
    # uses at basic prices by agent: (i, a, r), agents = activities + household, government, investment
    dom = np.concatenate([g["VDFB"], np.stack([g["VDPB"], g["VDGB"], g["VDIB"]], axis=1)], axis=1)
    imp = np.concatenate([g["VMFB"], np.stack([g["VMPB"], g["VMGB"], g["VMIB"]], axis=1)], axis=1)
    vmsb, vcif, vfob, vxsb = g["VMSB"], g["VCIF"], g["VFOB"], g["VXSB"]   # (i, s, d)
    vtwr, vst = g["VTWR"], g["VST"]                                        # (m, i, s, d), (m, r)
    # GTAP's own identities: agents' imports = bilateral imports at basic prices; margins
    tot_imp = imp.sum(1)
    gap = np.abs(tot_imp - vmsb.sum(1)) / np.maximum(tot_imp, 1e-300)
    _tolerate(gap, "agents' imports (VM*B) = bilateral imports (VMSB)", (comm, regs))
    gap_m = np.abs(vtwr.sum(0) - (vcif - vfob)) / np.maximum(vcif, 1e-300)
    _tolerate(gap_m, "margins by route (VTWR) = cif - fob", (comm, regs, regs))
    pool = vst.sum(1)
    gap_p = np.abs(vtwr.sum((1, 2, 3)) - pool) / np.maximum(pool, 1e-300)
    _tolerate(gap_p, "world margin demand (VTWR) = supply (VST)", (marg,))
    # split imports by source and into fob + tariff and margins
    src_share = np.divide(vmsb, vmsb.sum(1, keepdims=True), out=np.zeros_like(vmsb),
                          where=vmsb.sum(1, keepdims=True) > 0)                   # (i, s, d)
    def per_vmsb(x):
        """x per unit of imports at the importer's basic prices (route by route)."""
        b = np.broadcast_to(vmsb, x.shape)
        return np.divide(x, b, out=np.zeros(x.shape), where=b > 0)
    fob_part, tar_part = per_vmsb(vfob), per_vmsb(vmsb - vcif)
    own = np.eye(R, dtype=bool)[None, :, :]
    intra_tariff = float(((vmsb - vcif) * own).sum())
    if not intra_regional:
        tar_part = np.where(own, 0.0, tar_part)    # tariffs within a region are not kept
    use = np.zeros((I, R, I + N, R))                # (i, s, a, r) at importer's prices, basic
    for r in range(R):
        use[:, r, :, r] += dom[:, :, r]
    # imported i from s by agent a in r: imp[i,a,r] * share[i,s,r] * (fob + tariff)/vmsb
    use += np.einsum("iar,isr->isar", imp, src_share * (fob_part + tar_part))
    # margins on those imports: on routes between regions carried with the good (cif) when
    # margins="route" (within a region too, with intra_regional); otherwise bought from the
    # margin suppliers k
    by_route = per_vmsb(vtwr) * src_share[None]                                    # (m, i, s, d)
    routes = np.ones_like(own) if intra_regional else ~own
    on_route = np.where(routes[None], by_route, 0.0) if margins == "route" else np.zeros_like(by_route)
    route_margins = np.einsum("iar,misr->misr", imp, on_route)                      # VTWR carried
    use += np.einsum("iar,isr->isar", imp, on_route.sum(0))
    margin_demand = np.einsum("iar,misr->mar", imp, by_route - on_route)           # (m, a, r)
    supplier = np.divide(vst, pool[:, None], out=np.zeros_like(vst), where=pool[:, None] > 0)  # (m, k)
    for mi, m in enumerate(marg):
        use[comm.index(m)] += np.einsum("ar,k->kar", margin_demand[mi], supplier[mi])
    margin_supply = supplier * route_margins.sum((1, 2, 3))[:, None]               # (m, k)
    TM = np.einsum("iar,isr->isr", imp, src_share * tar_part)           # tariff revenue
    # imports of each agent from the other members of its region (zero for one-country regions)
    within = np.einsum("iar,ir->iar", imp, np.einsum("irr->ir", src_share * (fob_part + tar_part)
                                                      + on_route.sum(0)))
    Z, F = use[:, :, :I, :], use[:, :, I:, :]
    # gross output: the row total (domestic sales + fob exports + margin services)
    fob = use.sum(2) - TM - route_margins.sum(0)                       # (i, s, r)
    X = fob.sum(2)                                                      # (i, s)
    for mi, m in enumerate(marg):
        X[comm.index(m)] += margin_supply[mi]
    xtax = (vfob - vxsb).sum(2)                                         # export taxes by exporter
    makb = np.einsum("iir->ir", mak)
    _tolerate(np.abs(X - makb - xtax) / np.maximum(makb, 1e-300),
              "supply (MAKB + export taxes) = sales (domestic + fob exports + VST)", (comm, regs))
    V = np.zeros((len(flist), I, R))
    for e, f in fmap.items():
        V[flist.index(f)] += g["EVFB"][endw.index(e)]
    T = X - Z.sum((0, 1)) - V.sum(0)
    gtap_tax = (makb - np.einsum("iir->ir", g["MAKS"])) + (g["VDFP"] - g["VDFB"] + g["VMFP"] - g["VMFB"]).sum(0) \
        + (g["EVFP"] - g["EVFB"]).sum(0) + xtax
    tax_dev = float(np.max(np.abs(T - gtap_tax) / X))
    fd_taxes = float(sum((g[f"V{d}{a}P"] - g[f"V{d}{a}B"]).sum() for d in "DM" for a in "PGI"))
    direct = (g["EVFB"] - g["EVOS"]).sum((0, 1))
    if employment is None:
        emp = V[flist.index("labour")]
        emp_attrs = {"units": "labour units (benchmark wage = 1): GTAP has no persons", "long_name": "employment"}
    else:
        emp = xr.DataArray(employment).transpose("sector", "region").sel(sector=comm, region=regs).values
        emp_attrs = {"units": "thousand persons", "long_name": "employment"}
    u = "USD million"
    ds = xr.Dataset(
        {
            "intermediate": (("commodity", "source", "sector", "region"), Z,
                             {"units": u, "long_name": "intermediate use at basic prices (imports: fob + tariff; margins as purchases of margin services)"}),
            "final_demand": (("commodity", "source", "agent", "region"), F,
                             {"units": u, "long_name": "final use at basic prices"}),
            "factor_payments": (("factor", "sector", "region"), V, {"units": u, "long_name": "factor payments at basic prices (EVFB)"}),
            "production_tax": (("sector", "region"), T, {"units": u, "long_name": "net output, input, factor-use and export taxes"}),
            "gross_output": (("sector", "region"), X, {"units": u, "long_name": "gross output (MAKB + export taxes)"}),
            "employment": (("sector", "region"), emp, emp_attrs),
            "import_tariff": (("commodity", "source", "region"), TM, {"units": u, "long_name": "tariff revenue (VMSB - VCIF)"}),
            "direct_tax": ("region", direct, {"units": u, "long_name": "income taxes on factors (EVFB - EVOS)"}),
        },
        coords={"commodity": comm, "sector": comm, "source": regs, "region": regs,
                "agent": list(AGENTS), "factor": flist, "margin": marg},
        attrs={"title": f"GTAP data base {Path(basedata).parent.name or Path(basedata).name}: "
                        f"{R} regions x {I} sectors",
               "source": f"GTAP header arrays {Path(basedata).name}"
                         + (f", {Path(parameters).name}" if parameters else ""),
               "currency": "USD million",
               "licence": "GTAP data base licence (not redistributable)",
               "citation": "Aguiar, A., Chepeliev, M., Corong, E. and van der Mensbrugghe, D. (2022), "
                           "The Global Trade Analysis Project (GTAP) Data Base: Version 11, Journal of "
                           "Global Economic Analysis 7(2): 1-37",
               "factors": "; ".join(f"{e} -> {f}" for e, f in fmap.items()),
               "final_demand_taxes": f"{fd_taxes:.6g} USD million of taxes on final purchases "
                                     "left out of spending and income",
               "intra_regional_tariffs": f"{intra_tariff:.6g} USD million of tariffs on trade within "
                                         "regions" + (" (kept: import_tariff[i,r,r])" if intra_regional
                                                      else " (in the users' production tax or left out)"),
               "production_tax_vs_gtap": f"largest difference between the residual production tax and "
                                         f"GTAP's taxes: {tax_dev:.3g} of output (single precision)"},
    )
    if intra_regional:
        ds["intra_regional_intermediate"] = (("commodity", "sector", "region"), within[:, :I], {
            "units": u, "long_name": "intermediate use bought from the other members of the region "
                                    "(its imports from itself, VMSB[i,r,r])"})
        ds["intra_regional_final_demand"] = (("commodity", "agent", "region"), within[:, I:], {
            "units": u, "long_name": "final use bought from the other members of the region"})
    if margins == "route":
        ds["transport_margins"] = (("margin", "commodity", "source", "region"), route_margins,
                                   {"units": u, "long_name": "international transport margins by route (VTWR)"})
        ds["margin_exports"] = (("margin", "region"), margin_supply,
                                {"units": u, "long_name": "exports of margin services (VST)"})
    else:
        ds = ds.drop_vars("margin")
    ds = ds.assign(_gtap7_parameters(h, ds, fmap, flist))
    ds.attrs["make"] = ("diagonal" if make == "diagonal" else
                        f"industry technology: {n_acts} activities -> {I} commodity sectors")
    if "RDLT" in h:
        ds.attrs["rordelta"] = int(round(float(h["RDLT"])))
    validate(ds)
    el = _elasticities(h, ds, elasticities) if parameters is not None else \
        (elasticities or Elasticities.gtap_default())
    return ds, el


def _gtap7_parameters(h, ds, fmap, flist) -> dict:
    """Dataset variables of GTAP's standard model from the headers present (schema.GTAP_VARS):
    CDE parameters by commodity and region; ETRAE and SLUG by factor (endowments merged into one
    factor: |ETRAE| weighted by their payments EVFB over regions; their SLUG must agree);
    capital stock VKB, depreciation VDEP and RORFLEX by region."""
    comm, regs = [str(x) for x in ds.commodity.values], [str(x) for x in ds.region.values]
    out = {}
    for key, name, what in (("INCP", "cde_incpar", "CDE expansion parameter INCPAR"),
                            ("SUBP", "cde_subpar", "CDE substitution parameter SUBPAR")):
        if key in h:
            out[name] = (("commodity", "region"), h[key].values, {"units": "1", "long_name": what + f" ({key})"})
    endw = [str(x) for x in h["EVFB"]["ENDW"].values]
    pay = h["EVFB"].values.sum(1)                                          # (e, r)
    if "ETRE" in h or "SLUG" in h:
        etre = np.abs(h["ETRE"].values) if "ETRE" in h else np.ones(len(endw))
        etre = np.broadcast_to(etre[:, None] if etre.ndim == 1 else etre, pay.shape)
        if "SLUG" in h:
            slug = h["SLUG"].values > 0.5
        else:                             # GTAP's default sets: labour and capital mobile
            slug = np.array([fmap[e] not in ("labour", "capital") for e in endw])
        eta, sluggish = np.full(len(flist), np.nan), np.zeros(len(flist))
        for k, f in enumerate(flist):
            members = [n for n, e in enumerate(endw) if fmap[e] == f]
            kinds = {bool(slug[n]) for n in members}
            if len(kinds) > 1:
                raise DataValidationError(f"endowments {[endw[n] for n in members]} map to factor {f} but "
                                          "are not all sluggish or all mobile (SLUG): map them to "
                                          "different factors (factors={endowment: factor})")
            sluggish[k] = float(kinds.pop())
            w = pay[members]
            eta[k] = float(np.average(etre[members], weights=w)) if w.sum() > 0 else float(etre[members].mean())
        out["etrae"] = ("factor", eta, {"units": "1", "long_name": "transformation elasticity of a "
                                        "sluggish endowment across sectors |ETRAE| (0: sector-specific)"})
        out["sluggish"] = ("factor", sluggish, {"units": "1", "long_name": "1: sluggish endowment (SLUG)"})
    for key, name, what, u in (("VKB", "capital_stock", "capital stock at the start of the year (VKB)", "USD million"),
                               ("VDEP", "depreciation", "capital depreciation (VDEP)", "USD million"),
                               ("RFLX", "rorflex", "flexibility of the expected rate of return (RORFLEX)", "1")):
        if key in h:
            out[name] = ("region", h[key].sel(REG=regs).values, {"units": u, "long_name": what})
    return out


def _tolerate(rel: np.ndarray, what: str, labels) -> None:
    if rel.size and float(np.max(rel)) > TOLERANCE:
        k = np.unravel_index(int(np.argmax(rel)), rel.shape)
        where = ", ".join(str(lab[i]) for lab, i in zip(labels, k))
        raise DataValidationError(f"GTAP data do not satisfy {what}: relative gap {float(np.max(rel)):.3g} "
                                  f"at ({where}); tolerance {TOLERANCE:g}")


def _elasticities(h, ds, base):
    from ..calibrate import Elasticities
    base = base or Elasticities.gtap_default()
    absorption = (ds["intermediate"].sum(("source", "sector")) + ds["final_demand"].sum(("source", "agent"))).values
    va = ds["factor_payments"].sum("factor").values
    out = ds["gross_output"].values

    def avg(x, w):
        return np.array([np.average(x[k], weights=w[k]) if w[k].sum() > 0 else x[k].mean()
                         for k in range(x.shape[0])])
    sectors = [str(x) for x in ds["sector"].values]
    table = {"sigma_d": avg(h["ESBD"].values, absorption), "sigma_m": avg(h["ESBM"].values, absorption),
             "sigma_va": avg(h["ESBV"].values, va), "sigma_top": avg(h["ESBT"].values, out)}
    fd = dict(base.final_demand)
    spend = ds["final_demand"].sum(("commodity", "source")).values            # (agent, region)
    for key, agent in (("ESBG", "government"), ("ESBI", "investment")):
        if key in h:
            w = spend[list(AGENTS).index(agent)]
            fd[agent] = float(np.average(h[key].values, weights=w)) if w.sum() > 0 else float(h[key].values.mean())
    return Elasticities(default={**base.default, "sigma_t": float("inf")},
                        sector={s: {k: float(v[n]) for k, v in table.items()} for n, s in enumerate(sectors)},
                        final_demand=fd)
