"""benchmarks/peers.py writes the SAM each peer reads: balanced, and the same economy as
cgetrade's HGH SAM account by account (the benchmark itself needs the peers from PyPI and
runs outside the suite)."""
import importlib.util
from pathlib import Path

import numpy as np
import pandas as pd

from cgetrade.data.synthetic import synthetic_sam

ROOT = Path(__file__).resolve().parents[1]
spec = importlib.util.spec_from_file_location("peers", ROOT / "benchmarks" / "peers.py")
peers = importlib.util.module_from_spec(spec)
spec.loader.exec_module(peers)


def _square(long: pd.DataFrame) -> pd.DataFrame:
    return long.pivot_table(index="row", columns="col", values="value", aggfunc="sum", fill_value=0.0)


def test_the_peers_sams_balance_and_hold_the_same_flows():
    table, types = synthetic_sam(5, seed=3)
    goods = peers.goods_of(table)
    assert goods == [a for a, kind in types.items() if kind == "good"]
    cg = _square(peers.cgelab_entries(table))
    accounts = sorted(set(cg.index) | set(cg.columns))
    cg = cg.reindex(index=accounts, columns=accounts, fill_value=0.0)
    np.testing.assert_allclose(cg.sum(axis=1), cg.sum(axis=0), rtol=1e-12)
    ps = peers.pystdcge_sam(table)
    np.testing.assert_allclose(ps.sum(axis=1), ps.sum(axis=0), rtol=1e-12)
    for i in goods:
        for j in goods:                          # intermediates
            assert cg.loc[f"c_{i}", f"a_{j}"] == ps.loc[f"c-{i}", f"a-{j}"] == table.loc[i, j]
        for acc, c_col, p_col in (("HOH", "hh", "hhd"), ("GOV", "gov", "gov"), ("INV", "s_i", "s-i"),
                                  ("EXT", "row", "row")):
            assert cg.loc[f"c_{i}", c_col] == ps.loc[f"c-{i}", p_col] == table.loc[i, acc]
        assert cg.loc["idt", f"c_{i}"] == ps.loc["atax", f"a-{i}"] == table.loc["IDT", i]
        assert cg.loc["trf", f"c_{i}"] == ps.loc["mtax", f"c-{i}"] == table.loc["TRF", i]
        assert cg.loc["row", f"c_{i}"] == ps.loc["row", f"c-{i}"] == table.loc["EXT", i]
        # gross output: cgelab's activity output excludes the production tax, pystdcge's includes it
        va_int = table.loc[goods + ["CAP", "LAB"], i].sum()
        np.testing.assert_allclose(cg.loc[f"a_{i}", f"c_{i}"], va_int, rtol=1e-14)
        np.testing.assert_allclose(ps.loc[f"a-{i}", f"c-{i}"], va_int + table.loc["IDT", i], rtol=1e-14)
    assert ps.loc["hhd", "ent"] == ps.loc["ent", "fcap"] == table.loc["HOH", "CAP"]
    assert cg.loc["s_i", "row"] == ps.loc["s-i", "row"] == table.loc["INV", "EXT"]
    assert set(peers.CHILD) == {"cgetrade", *peers.PEERS}
