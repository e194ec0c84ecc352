"""Links in the planner model: what an edit changes beyond itself, modelled as clingo sees it after the edit.

* a device a plan buys is a member: every ``forall``/``count`` over its list checks it, and it raises
  ``m(equipment, K)`` of its unit and of the hospital;
* adding a member to a list the profile left undeclared declares the list (``known_population``);
* counts that already hold keep their pools of new members;
* editors that only add records cannot make a reading 0;
* property: for random sets of edits (not only optimal ones) the model's verdict on every hospital-level
  requirement is clingo's verdict on the edited profile.
"""

from __future__ import annotations

import random
from typing import Any

import z3
from hypothesis import given, settings
from hypothesis import strategies as st
from zhunru.solver.facts import HOSPITAL

from tests.conftest import AS_OF, example_data
from tests.milp_reference import Milp
from tests.test_plan_properties import SETTINGS
from zhunru import api
from zhunru.edits import apply_all
from zhunru.planner.families import reachable
from zhunru.planner.plan import Request, plan
from zhunru.planner.render import changes, edits_of
from zhunru.planner.session import Planner
from zhunru.planner.solve import optimise
from zhunru.profile import parse_profile

HBO = ["tj_hyperbaric_oxygen"]
CHAMBER = "医用高压氧舱"


def _optimum_and_plan(data: dict[str, Any], tech: list[str]) -> tuple[int | None, int | None, dict[str, Any]]:
    request = Request(data, AS_OF, tech, compare_wait=False)
    problem = Planner.start(request).problem(AS_OF)
    found = optimise(problem)
    return (found.money if found else None), Milp(problem).solve(), plan(request)


def _requirements(change: dict[str, Any]) -> set[str]:
    return {c["requirement"] for c in change["clauses"]}


def test_a_bought_device_is_a_member_every_forall_checks() -> None:
    """Bought as a bare record, the chamber made 'every chamber has a certified maker' undetermined."""
    data = example_data("tj_hyperbaric_oxygen")
    for unit in data["units"]:
        if unit.get("equipment"):
            unit["equipment"] = []
    money, milp, doc = _optimum_and_plan(data, HBO)
    assert doc["verified"] and money == milp == 8000 and doc["cost"]["money"] == 80
    (change,) = doc["changes"]
    device = change["edit"]["value"]
    assert device["kind"] == CHAMBER and {c["name"] for c in device["certificates"]} == {
        "A5级压力容器制造许可证",
        "医疗器械注册证",
    }
    # one device, counted by the forall and raising the hospital's chamber count
    assert {"tjho_chamber_makers", "tjho_chamber"} <= _requirements(change)


def test_adding_to_an_undeclared_list_declares_it() -> None:
    """With the hospital's own equipment list undeclared, 'every chamber …' needs the list declared."""
    data = example_data("tj_hyperbaric_oxygen")
    del data["equipment"]
    assert api.engine().evaluate(parse_profile(data, "t"), AS_OF, HBO).status("tjho_entry") != "holds"
    money, milp, doc = _optimum_and_plan(data, HBO)
    assert doc["verified"] and money == milp == 8000
    (change,) = doc["changes"]
    assert change["edit"]["op"] == "add" and change["edit"]["path"] == "equipment"


def test_counts_that_already_hold_keep_their_pools() -> None:
    planner = Planner.start(Request(example_data("tertiary_compliant"), AS_OF, ["comprehensive_intervention"]))
    evaluation = api.engine().evaluate(planner.hospital, AS_OF, planner.specs)
    problem = planner.problem(AS_OF)
    # new members whose every count already holds (the old shortcut added none of them)
    spare = [
        member
        for member, nodes in problem.counted.items()
        if nodes and all(evaluation.derivation.of(x, rid) == "holds" for x, rid in nodes)
    ]
    assert spare


def test_editors_that_only_add_cannot_make_a_reading_zero() -> None:
    assert not reachable("staff", "trained", None, 0) and not reachable("staff", "trained", 1, 0)
    assert not reachable("hospital", "subject", None, 0) and reachable("hospital", "subject", 1, 0)
    assert reachable("unit", "beds", None, 0) and reachable("staff", "trained", 0, 0)


CASES = [
    ("secondary_county", "comprehensive_intervention"),
    ("new_hospital", "comprehensive_intervention"),
    ("tj_hyperbaric_oxygen", "tj_hyperbaric_oxygen"),
    ("tj_ecmo", "tj_ecmo"),
    ("jl_tumor_hyperthermia", "jl_tumor_hyperthermia"),
    ("cn_tumor_ablation", "cn_tumor_ablation"),
    ("tj_dental_implant", "tj_dental_implant"),
]


def _status(model: z3.ModelRef, pair: tuple[z3.BoolRef, z3.BoolRef]) -> str:
    holds, fails = (z3.is_true(model.eval(t, model_completion=True)) for t in pair)
    return "holds" if holds else "fails" if fails else "undetermined"


@settings(max_examples=10, **SETTINGS)
@given(st.randoms(use_true_random=False), st.sampled_from(CASES))
def test_modelled_effect_of_random_edits_is_the_applied_effect(rnd: random.Random, case: tuple[str, str]) -> None:
    data = example_data(case[0])
    planner = Planner.start(Request(data, AS_OF, [case[1]]))
    problem = planner.problem(AS_OF)
    chooser = z3.Optimize()
    chooser.add(*problem.constraints)  # the edit space, not the goals
    literals = [m.exists for m in problem.members]
    literals += [s for ch in problem.choices if ch.phase == "buy" for s in ch.domain.selectors[1:]]
    for literal in literals:
        if rnd.random() < 0.15:
            chooser.add_soft(literal, 1)
    assert chooser.check() == z3.sat
    model = chooser.model()
    edited = apply_all(data, edits_of(changes(planner.kb, problem, model, AS_OF)))
    derivation = api.engine().evaluate(parse_profile(edited, "t"), AS_OF, planner.specs).derivation
    for (subject, rid), pair in problem.model.evaluated().items():
        if subject == HOSPITAL:
            assert _status(model, pair) == derivation.of(subject, rid), rid
