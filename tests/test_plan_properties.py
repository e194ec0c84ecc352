"""Differential properties of the planner on random profiles.

* zero changes: the planner's Z3 model and clingo give every target the same verdict;
* small instances: the plan's cost is the optimum of a brute-force enumeration of edits (checked by clingo);
* larger instances: the plan's cost is the optimum of an independent MILP (HiGHS) of the same instance;
* every plan, applied, makes the hospital eligible (``plan`` verifies and raises otherwise).
"""

from __future__ import annotations

import itertools
import random
from typing import Any

import pytest
import z3
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from zhunru.solver.facts import HOSPITAL

from tests.conftest import AS_OF, example_data
from tests.milp_reference import Milp
from zhunru import api
from zhunru.edits import Edit, apply_all
from zhunru.planner.costs import CostFile, default_costs
from zhunru.planner.families import EDITORS, Change, IdMaker, readable
from zhunru.planner.plan import Request, plan
from zhunru.planner.session import Planner
from zhunru.planner.solve import optimise
from zhunru.profile import parse_profile

TECH = ["comprehensive_intervention"]
EXAMPLES = ["tertiary_compliant", "secondary_county", "new_hospital"]
SETTINGS = {"deadline": None, "suppress_health_check": [HealthCheck.too_slow], "derandomize": True}


ACTIONS = ("feature", "beds", "attest", "subject", "equipment", "service", "training", "form")


def _break(data: dict[str, Any], rnd: random.Random, count: int, actions: tuple[str, ...] = ACTIONS) -> dict[str, Any]:
    """Break ``count`` random things a plan can buy back (or not)."""
    for _ in range(count):
        units = data.get("units") or []
        staff = data.get("staff") or []
        action = rnd.choice(actions)
        if action == "feature" and units:
            unit = rnd.choice(units)
            if unit.get("features"):
                unit["features"][rnd.choice(sorted(unit["features"]))] = False
        elif action == "beds":
            for unit in units:
                if unit.get("beds") is not None:
                    unit["beds"] = rnd.randint(0, 12)
        elif action == "attest" and data.get("attestations"):
            rnd.choice(data["attestations"])["holds"] = False
        elif action == "subject" and data.get("subjects"):
            data["subjects"].remove(rnd.choice(data["subjects"]))
        elif action == "equipment" and units:
            unit = rnd.choice(units)
            if unit.get("equipment"):
                unit["equipment"].pop(rnd.randrange(len(unit["equipment"])))
        elif action == "service" and staff:
            rnd.choice(staff)["in_service"] = False
        elif action == "training" and staff:
            member = rnd.choice(staff)
            if member.get("trainings"):
                member["trainings"].pop(rnd.randrange(len(member["trainings"])))
        elif action == "form" and data.get("departments"):
            data["departments"][0]["form"] = "相对固定"
    return data


def _context(data: dict[str, Any], costs: CostFile, tech: list[str] = TECH) -> Planner:
    return Planner.start(Request(data, AS_OF, tech, costs=costs))


OTHER = [
    ("tj_ecmo", "tj_ecmo"),
    ("jl_tumor_hyperthermia", "jl_tumor_hyperthermia"),
    ("cn_tumor_ablation", "cn_tumor_ablation"),
]
"""One Tianjin, one Jilin and one national specification beside 综合介入, each on its example."""
FEW = {**SETTINGS, "max_examples": 5}


NOTHING = CostFile()  # no change priced: the model is the profile as it is


@settings(max_examples=100, **SETTINGS)
@given(st.randoms(use_true_random=False), st.sampled_from(EXAMPLES), st.integers(0, 4))
def test_zero_changes_z3_and_clingo_agree_on_every_target(rnd: random.Random, example: str, breaks: int) -> None:
    _zero_changes_agree(_break(example_data(example), rnd, breaks), TECH)


@settings(**FEW)
@given(st.randoms(use_true_random=False), st.sampled_from(OTHER), st.integers(0, 4))
def test_zero_changes_agree_on_other_specifications(rnd: random.Random, case: tuple[str, str], breaks: int) -> None:
    _zero_changes_agree(_break(example_data(case[0]), rnd, breaks), [case[1]])


def _zero_changes_agree(data: dict[str, Any], tech: list[str]) -> None:
    c = _context(data, NOTHING, tech)
    problem = c.problem(AS_OF)
    evaluation = api.engine().evaluate(parse_profile(data, "t"), AS_OF, c.specs)
    assert not problem.choices and not problem.members
    for group in c.groups:
        for target in group:
            holds, fails = (z3.simplify(t) for t in problem.pair(HOSPITAL, target.root))
            z3_status = "holds" if z3.is_true(holds) else "fails" if z3.is_true(fails) else "undetermined"
            assert z3_status == evaluation.status(target.root), target.root


SMALL_FAMILIES = ("unit.feature", "unit.beds", "hospital.subject")
SMALL = CostFile.model_validate({"change": {k: default_costs().change[k].model_dump() for k in SMALL_FAMILIES}})


def _brute_force(c: Planner) -> float | None:
    """Cheapest combination of value changes (clingo decides), over the measures some failing leaf reads."""
    problem = c.problem(AS_OF)
    evaluation = api.engine().evaluate(parse_profile(c.request.data, "t"), AS_OF, c.specs)
    relevant = [
        ch for ch in problem.choices if any(evaluation.derivation.of(ch.subject, r) != "holds" for r in ch.leaves)
    ]
    assume(len(relevant) <= 6)
    options = [[None, *range(1, len(ch.values))] for ch in relevant]
    best: float | None = None
    for combo in itertools.product(*options):
        money = sum(ch.money[i] for ch, i in zip(relevant, combo, strict=True) if i)
        if best is not None and money >= best:
            continue
        change = Change(c.request.data, AS_OF, IdMaker(c.request.data))
        edits: list[Edit] = []
        for ch, i in zip(relevant, combo, strict=True):
            if i:
                subject = problem.facts.subjects[ch.subject]
                path = readable(c.request.data, subject.path)
                editor = EDITORS[(ch.cls, ch.family)]
                edits += editor(change, subject, ch.key, ch.values[i], path, ch.ladder)  # type: ignore[arg-type]
        edited = parse_profile(apply_all(c.request.data, edits), "t")
        result = api.engine().evaluate(edited, AS_OF, c.specs)
        if all(any(result.status(t.root) == "holds" for t in group) for group in c.groups):
            best = money
    return best


@settings(max_examples=12, **SETTINGS)
@given(st.randoms(use_true_random=False), st.integers(1, 3))
def test_small_instances_cost_the_brute_force_optimum(rnd: random.Random, breaks: int) -> None:
    data = _break(example_data("tertiary_compliant"), rnd, breaks, ("feature", "beds", "subject"))
    _costs_the_brute_force_optimum(data, TECH)


@settings(**FEW)
@given(st.randoms(use_true_random=False), st.sampled_from(OTHER), st.integers(1, 3))
def test_other_specifications_cost_the_brute_force_optimum(
    rnd: random.Random, case: tuple[str, str], breaks: int
) -> None:
    data = _break(example_data(case[0]), rnd, breaks, ("feature", "beds", "subject"))
    _costs_the_brute_force_optimum(data, [case[1]])


def _costs_the_brute_force_optimum(data: dict[str, Any], tech: list[str]) -> None:
    c = _context(data, SMALL, tech)
    expected = _brute_force(c)
    found = optimise(c.problem(AS_OF))
    assert (found.money if found else None) == expected


@settings(max_examples=25, **SETTINGS)
@given(st.randoms(use_true_random=False), st.sampled_from(EXAMPLES), st.integers(0, 5))
def test_plan_cost_is_the_milp_optimum_and_every_plan_is_verified(
    rnd: random.Random, example: str, breaks: int
) -> None:
    _plan_is_the_milp_optimum_and_verified(_break(example_data(example), rnd, breaks), TECH)


@settings(**FEW)
@given(st.randoms(use_true_random=False), st.sampled_from(OTHER), st.integers(0, 5))
def test_other_specifications_plan_the_milp_optimum_verified(
    rnd: random.Random, case: tuple[str, str], breaks: int
) -> None:
    _plan_is_the_milp_optimum_and_verified(_break(example_data(case[0]), rnd, breaks), [case[1]])


def _plan_is_the_milp_optimum_and_verified(data: dict[str, Any], tech: list[str]) -> None:
    c = _context(data, default_costs(), tech)
    problem = c.problem(AS_OF)
    found = optimise(problem)
    assert (found.money if found else None) == Milp(problem).solve()
    if found is not None:
        doc = plan(Request(data, AS_OF, tech, compare_wait=False))
        assert doc["verified"] and doc["cost"]["money"] * 100 == pytest.approx(found.money)
