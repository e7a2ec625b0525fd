"""The array evaluation (equation families) equals the Pyomo declaration: residuals,
Jacobian and named expressions at random points, for every block, closure and option."""
import numpy as np
import pyomo.environ as pyo
import pytest
import scipy.sparse as sp

import cgetrade
from cgetrade.data import load_default, synthetic_dataset
from cgetrade.model.closures import Closure
from cgetrade.model.targets import add_target
from cgetrade.solve.bridge import CompiledNLP, residual_expr
from cgetrade.solve.families import CompiledFamilies, FamilyWalk, _first_occurrence


def _jacobian(nlp, x, p):
    rows, cols = nlp.jac_structure
    return sp.coo_matrix((nlp.jacobian_values(x, p), (rows, cols)), shape=(nlp.m, nlp.n)).tocsr()


def _pyomo_residuals(nlp, x, p):
    """Each equation's lhs - rhs evaluated by Pyomo itself at (x, p)."""
    saved = [v.value for v in nlp.variables], [q.value for q in nlp.param_data]
    try:
        for v, val in zip(nlp.variables, x):
            v.set_value(float(val), skip_validation=True)
        for q, val in zip(nlp.param_data, p):
            q.set_value(float(val))
        return np.array([pyo.value(residual_expr(c)) for c in nlp.constraints])
    finally:
        for v, val in zip(nlp.variables, saved[0]):
            v.set_value(val, skip_validation=True)
        for q, val in zip(nlp.param_data, saved[1]):
            q.set_value(val)


def _agree(model, seed=0, pyomo_check=True):
    """Families and the scalar graph (and Pyomo) agree at random points near the benchmark."""
    fam = model.nlp
    assert fam.backend == "families"
    scalar = CompiledNLP(model.pyomo, backend="scalar")
    assert scalar.variable_labels == fam.variable_labels and scalar.constraint_labels == fam.constraint_labels
    rng = np.random.default_rng(seed)
    p0 = fam.p_from_model()
    for k in range(2):
        x = fam.x_from_model() * (1 + 0.05 * rng.standard_normal(fam.n))
        p = p0 * (1 + 0.02 * rng.standard_normal(len(p0))) if k else p0
        r = fam.residuals(x, p)
        np.testing.assert_allclose(r, scalar.residuals(x, p), rtol=1e-12, atol=1e-12)
        if pyomo_check and k == 0:
            np.testing.assert_allclose(r, _pyomo_residuals(fam, x, p), rtol=1e-10, atol=1e-10)
        J, Js = _jacobian(fam, x, p), _jacobian(scalar, x, p)
        assert abs(J - Js).max() <= 1e-10 * max(1.0, abs(Js).max())
        names = list(fam._expr_layout)
        assert names == list(scalar._expr_layout)
        a, b = fam.component_values(names, x, p), scalar.component_values(names, x, p)
        for name in names:
            np.testing.assert_allclose(a[name][1], b[name][1], rtol=1e-12, atol=1e-12, err_msg=name)
    a = fam.component_values(names, x, p)       # the third call: the compiled expressions
    assert fam._f_exprs[tuple(names)][0].compiled is not None
    for name in names:
        np.testing.assert_allclose(a[name][1], b[name][1], rtol=1e-12, atol=1e-12, err_msg=name)
    rows, cols = fam.jac_structure
    assert np.all(np.diff(rows * fam.n + cols) > 0)          # row by row, sorted, no duplicates
    return fam


def test_first_occurrence_is_the_aliasing_pattern():
    A = np.array([[5, 7, 5, 9], [1, 2, 3, 1], [4, 4, 4, 4]])
    np.testing.assert_array_equal(_first_occurrence(A), [[0, 1, 0, 3], [0, 1, 2, 0], [0, 0, 0, 0]])


def test_families_group_equal_structures_and_keep_aliasing_apart(monkeypatch):
    monkeypatch.setattr(CompiledFamilies, "MIN_MEMBERS", 1)     # every family a template
    m = pyo.ConcreteModel()
    m.I = pyo.RangeSet(4)
    m.x = pyo.Var(m.I, initialize=2.0)
    m.a = pyo.Param(m.I, initialize=lambda m, i: float(i), mutable=True)
    m.e = pyo.Expression(m.I, rule=lambda m, i: m.a[i] * m.x[i] ** 0.5)
    m.s = pyo.Expression(expr=sum(m.x[i] for i in m.I))
    # members 1-3: x_i * x_{i+1}; member 4: x_4 * x_4 (the same variable twice)
    m.c = pyo.Constraint(m.I, rule=lambda m, i: m.x[i] * m.x[min(i + 1, 4)] + m.e[i] + m.s == 3.0 + i)
    nlp = CompiledNLP(m)
    # e_i, used once each, inlined; s, used by every equation, an intermediate array
    sizes = sorted(len(f.members) for f in nlp._families.families)
    assert sizes == [1, 1, 3]                          # s; c_4 (aliased); c_1..c_3
    x = np.array([1.3, 0.7, 2.1, 1.6])
    p = nlp.p_from_model()
    want = x * np.r_[x[1:], x[3]] + p * np.sqrt(x) + x.sum() - (3.0 + np.arange(1, 5))
    np.testing.assert_allclose(nlp.residuals(x, p), want, rtol=1e-14)
    J = _jacobian(nlp, x, p).toarray()
    dJ = np.diag(np.r_[x[1:], 0.0] + 0.5 * p / np.sqrt(x)) + 1.0
    dJ[[0, 1, 2], [1, 2, 3]] += x[:3]
    dJ[3, 3] = 2 * x[3] + 0.5 * p[3] / np.sqrt(x[3]) + 1.0
    np.testing.assert_allclose(J, dJ, rtol=1e-13)
    vals = nlp.component_values(["e", "s"], x, p)
    np.testing.assert_allclose(vals["e"][1], p * np.sqrt(x), rtol=1e-14)
    np.testing.assert_allclose(vals["s"][1], [x.sum()], rtol=1e-14)


def test_a_subtree_shared_in_one_member_and_not_in_the_others(monkeypatch):
    """Member 1 uses one subtree object twice (exp(3.5 x_1)); members 2-10 have two distinct
    subtrees of the same shape with different numbers. Whatever the walk remembers (the
    shared node, not the number inside it), every member's residual and Jacobian are its own."""
    monkeypatch.setattr(CompiledFamilies, "MIN_MEMBERS", 2)
    m = pyo.ConcreteModel()
    m.I = pyo.RangeSet(10)
    m.x = pyo.Var(m.I, initialize=1.0)

    def rule(m, i):
        first = pyo.exp(m.x[i] * (1.5 + 2 * i))
        second = first if i == 1 else pyo.exp(m.x[i] * (0.5 + i))
        return first * 2.0 + second == 1.0
    m.c = pyo.Constraint(m.I, rule=rule)
    nlp = CompiledNLP(m)
    x = np.linspace(0.4, 1.7, 10) / 10
    i = np.arange(1, 11)
    a, b = 1.5 + 2 * i, np.where(i == 1, 1.5 + 2 * i, 0.5 + i)
    p = nlp.p_from_model()
    np.testing.assert_allclose(nlp.residuals(x, p), 2 * np.exp(a * x) + np.exp(b * x) - 1.0, rtol=1e-14)
    np.testing.assert_allclose(np.diag(_jacobian(nlp, x, p).toarray()),
                               2 * a * np.exp(a * x) + b * np.exp(b * x), rtol=1e-14)


def test_unsupported_expressions_are_refused():
    m = pyo.ConcreteModel()
    m.x = pyo.Var(initialize=1.0)
    m.c = pyo.Constraint(expr=pyo.Expr_if(m.x >= 0, m.x, -m.x) == 1)
    with pytest.raises(TypeError, match="not supported"):
        CompiledNLP(m)


def test_walk_records_named_expressions_once():
    m = pyo.ConcreteModel()
    m.x = pyo.Var([1, 2], initialize=1.0)
    m.e = pyo.Expression(expr=m.x[1] + 2 * m.x[2])
    roots = [m.e * m.e - 1, m.e + m.x[1]]
    walk = FamilyWalk(2, {id(m.x[1]): 0, id(m.x[2]): 1})
    records = walk.walk(roots)
    assert len(walk.exprs) == 1
    e = walk.expr_extra[0]
    assert records[0][1].count(e) == 2 and records[1][1].count(e) == 1


@pytest.mark.parametrize("closure", [
    None,
    Closure.from_preset("long_run"),
    Closure.from_preset("short_run", labour="wage_curve"),
    Closure(labour="wage_curve", monetary={"*": "ngdp", "USA": "cpi"}),
    Closure(labour="wage_curve", monetary={"*": ("peg", "USA"), "USA": "cpi"}),
    Closure(supply_elasticity={"CHN": {"labour": 0.5, "capital": 1.0}}),
    Closure(labour="wage_curve", unemployment={"EU": 0.05}),
    Closure(mobility={"labour": "sluggish"}, foreign_saving_rule="global_bank"),
    Closure(labour={"CHN": "surplus_labour", "*": "flexible"}),
], ids=["default", "long_run", "short_run", "monetary", "peg", "supply", "unemployment", "sluggish",
        "surplus_labour"])
def test_default_data_every_closure(default_dataset, closure):
    model = cgetrade.CGEModel(cgetrade.calibrate(default_dataset), closure)
    _agree(model)


@pytest.mark.parametrize("min_members", [1, 10**9])
def test_every_family_a_template_or_every_equation_scalar(default_dataset, monkeypatch, min_members):
    """The two extremes of the split between templates and the scalar graph agree too."""
    monkeypatch.setattr(CompiledFamilies, "MIN_MEMBERS", min_members)
    model = cgetrade.CGEModel(cgetrade.calibrate(default_dataset), Closure(labour="wage_curve"))
    fam = _agree(model, seed=4)
    n_templates = len(fam._families.families)
    assert (n_templates > 0) if min_members == 1 else (n_templates == 0)


def test_skills_capital_skill_nest_and_a_target(default_dataset):
    params = cgetrade.calibrate(default_dataset, skills=True, va_nest="capital_skill")
    model = cgetrade.CGEModel(params, Closure(labour="wage_curve"))
    m = model.pyomo
    r0 = params.regions[0]
    add_target(m, "tfp_shift", {r0: [m.tfp[j, r0] for j in m.I]},
               lambda m, g: m.PY[params.sectors[0], r0] / m.PW)
    _agree(model, seed=1)


def test_synthetic_sizes_agree_and_solve_alike():
    for size in ((3, 4), (5, 7)):
        model = cgetrade.CGEModel(cgetrade.calibrate(synthetic_dataset(*size, seed=2)))
        _agree(model, pyomo_check=size == (3, 4))
    # a single-country SAM (from_sam) with the textbook's closure
    from cgetrade import reference
    from cgetrade.data import from_sam
    from cgetrade.data.synthetic import synthetic_sam
    table, accounts = synthetic_sam(6, seed=0)
    ds = from_sam(table, accounts, region="SAM", rest_of_world="EXT")
    closure = Closure(numeraire=("factor", "labour", "SAM"), final_demand="household_government",
                      foreign_saving="rest_of_world", unemployment={"SAM": 0.05})
    _agree(cgetrade.CGEModel(cgetrade.calibrate(ds, reference.HGH_ELASTICITIES), closure))
    # the same shock solved on both backends: identical equilibria
    ds = load_default()
    sols = []
    for backend in ("families", "scalar"):
        model = cgetrade.CGEModel(cgetrade.calibrate(ds))
        model._nlp = CompiledNLP(model.pyomo, backend=backend)
        model.pyomo.tfp["ELE", "CHN"] = 1.1
        model.solve(method="newton")
        sols.append(model.nlp.x_from_model())
    np.testing.assert_allclose(sols[0], sols[1], rtol=1e-10, atol=1e-12)


def test_gtap_data_cde_and_the_gtap7_closure(tmp_path):
    pytest.importorskip("harpy")
    from cgetrade.data.gtap import from_gtap
    from data_sources.samples import write_gtap
    write_gtap(tmp_path)
    ds, el = from_gtap(tmp_path / "basedata.har", tmp_path / "default.prm", tmp_path / "sets.har")
    params = cgetrade.calibrate(ds, el, private_demand="cde")
    _agree(cgetrade.CGEModel(params, Closure.from_preset("gtap7")), seed=3)
