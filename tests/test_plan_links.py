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


def test_a_passed_training_record_makes_its_holder_trained() -> None:
    """A new training record with topic T, passed, raises its holder's m(trained, T): one record per
    physician meets both the training clause and 'trained and assessed' (no separate staff.trained)."""
    data = example_data("tj_hyperbaric_oxygen")
    trained = [m["id"] for m in data["staff"] if m["role"] == "physician" and m.get("trainings")]
    for member in data["staff"]:
        if member["id"] in trained:
            member["trainings"] = []
    money, milp, doc = _optimum_and_plan(data, HBO)
    assert doc["verified"] and money == milp
    assert sorted(c["edit"]["path"] for c in doc["changes"]) == [f"staff[{i}].trainings" for i in sorted(trained)]
    for change in doc["changes"]:
        record = change["edit"]["value"]
        assert record["topic"] == "hyperbaric_oxygen" and record["passed"] is True and "months" in record
        assert {"tjho_tr_record", "tjho_crew_trained"} <= _requirements(change)


def test_the_record_staff_trained_adds_is_a_training_member() -> None:
    """Training a physician (staff.trained) adds a training record that the physician's training counts
    see: its months are unknown, so 'a record with 3+ months' goes from fails to undetermined in clingo,
    and the model must say the same for every requirement of the hospital and the physician."""
    data = example_data("tj_hyperbaric_oxygen")
    holder = next(m for m in data["staff"] if m["role"] == "physician" and m.get("trainings"))
    holder["trainings"] = []
    planner = Planner.start(Request(data, AS_OF, HBO))
    problem = planner.problem(AS_OF)
    (choice,) = [
        ch
        for ch in problem.choices
        if ch.family == "trained" and ch.phase == "buy" and str(ch.subject).endswith(f'"{holder["id"]}")')
    ]
    assert any(m.record_of is choice for m in problem.members)
    solver = z3.Solver()
    solver.add(*problem.constraints, choice.domain.selectors[choice.values.index(1)])
    solver.add(*[z3.Not(s) for ch in problem.choices if ch is not choice for s in ch.domain.selectors[1:]])
    solver.add(*[z3.Not(m.exists) for m in problem.members if m.record_of is None])
    assert solver.check() == z3.sat
    model = solver.model()
    edits = edits_of(changes(planner.kb, problem, model, AS_OF))
    assert [e.path for e in edits] == [f"staff[{holder['id']}].trainings"]
    derivation = api.engine().evaluate(parse_profile(apply_all(data, edits), "t"), AS_OF, planner.specs).derivation
    subject = choice.subject
    assert derivation.of(subject, "tjho_tr_record") == "undetermined"
    for (x, rid), pair in problem.model.evaluated().items():
        if x in (HOSPITAL, subject):
            assert _status(model, pair) == derivation.of(x, rid), (x, rid)


def _implant_chairs(quantity: int) -> dict[str, Any]:
    """The dental example with ``quantity`` chairs used for implants (the training base needs 5)."""
    data = example_data("tj_dental_implant")
    chairs = next(e for e in data["units"][0]["equipment"] if e["id"] == "chairs-implant")
    chairs["quantity"] = quantity
    return data


def _training_base_plan(data: dict[str, Any], **options: Any) -> tuple[int | None, int | None, dict[str, Any]]:
    request = Request(data, AS_OF, ["tj_dental_implant"], roles=("training-base",), compare_wait=False, **options)
    problem = Planner.start(request).problem(AS_OF)
    found = optimise(problem)
    return (found.money if found else None), Milp(problem).solve(), plan(request)


def test_a_device_upgraded_or_bought_with_a_feature_counts_in_the_featured_total() -> None:
    """m(equipment_featured, (chair, for implants)) sums the chairs with the feature: upgrading the
    34 general chairs is cheapest; with them frozen, two new chairs bought with the feature."""
    money, milp, doc = _training_base_plan(_implant_chairs(3))
    assert doc["verified"] and money == milp == 2000
    (change,) = doc["changes"]
    assert change["edit"] == {"op": "set", "path": "equipment[chairs-general].features.用于口腔种植治疗", "value": True}
    assert _requirements(change) == {"tjdi_tb_implant_chairs"}
    money, milp, doc = _training_base_plan(_implant_chairs(3), freeze=("equipment[chairs-general]",))
    assert doc["verified"] and money == milp == 2 * 8000
    assert [c["edit"]["value"]["features"] for c in doc["changes"]] == [{"用于口腔种植治疗": True}] * 2


def test_a_bought_device_declares_the_features_a_total_reads() -> None:
    """A chair bought without the implant feature says so: the featured total stays a known 0 (it was
    left unknown by a chair record without features), in the model as in clingo."""
    data = _implant_chairs(3)
    data["units"][0]["equipment"] = [e for e in data["units"][0]["equipment"] if e["id"] != "chairs-implant"]
    planner = Planner.start(Request(data, AS_OF, ["tj_dental_implant"], roles=("training-base",)))
    problem = planner.problem(AS_OF)
    chair = next(m for m in problem.members if m.cls == "equipment" and m.record["kind"] == "口腔综合治疗台")
    (flag,) = [ch for ch in problem.choices if ch.member is chair]
    solver = z3.Solver()
    solver.add(*problem.constraints, chair.exists, flag.domain.selectors[flag.values.index(0)])
    solver.add(*[z3.Not(s) for ch in problem.choices if ch is not flag for s in ch.domain.selectors[1:]])
    solver.add(*[z3.Not(m.exists) for m in problem.members if m is not chair and m.record_of is None])
    assert solver.check() == z3.sat
    model = solver.model()
    edits = edits_of(changes(planner.kb, problem, model, AS_OF))
    assert [e.value["features"] for e in edits] == [{"用于口腔种植治疗": False}]
    derivation = api.engine().evaluate(parse_profile(apply_all(data, edits), "t"), AS_OF, planner.specs).derivation
    pair = problem.pair(HOSPITAL, "tjdi_tb_implant_chairs")
    assert _status(model, pair) == derivation.of(HOSPITAL, "tjdi_tb_implant_chairs") == "fails"


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
    # no department list: "no department X" is no edit, the reading stays unknown
    assert not reachable("hospital", "dept", None, 0) and reachable("hospital", "dept", 1, 0)


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
