"""A solution of a repair problem as profile edits, each with the clauses it satisfies and its cost.

The edits are the same objects ``zhunru whatif --edits`` reads: a value change of an
existing subject comes from its family's editor (:data:`~zhunru.planner.families.EDITORS`),
a new member is one ``add`` of its record with the attributes chosen and its nested
records (a hire's training).
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from datetime import date
from typing import Any

import z3
from clingo import Function, String, Symbol
from zhunru.solver.facts import HOSPITAL
from zhunru.solver.kb import KnowledgeBase

from zhunru.edits import Edit, parse_path
from zhunru.planner.costs import MONEY_SCALE
from zhunru.planner.departments import EDITED as SETS_UP
from zhunru.planner.departments import department_name
from zhunru.planner.families import ATTRIBUTES, EDITORS, Change, IdMaker, readable
from zhunru.planner.problem import Choice, Member, Problem


def true(model: z3.ModelRef, literal: z3.BoolRef) -> bool:
    return z3.is_true(model.eval(literal, model_completion=True))


def selected(choice: Choice, model: z3.ModelRef) -> int:
    """The index of the value a solution gives ``choice``."""
    for i, selector in enumerate(choice.domain.selectors):
        if true(model, selector):
            return i
    return 0


def changes(kb: KnowledgeBase, problem: Problem, model: z3.ModelRef, day: date) -> list[dict[str, Any]]:
    """The ``changes`` of a plan: ``{"edit", "clauses", "cost"}`` per edit."""
    change = Change(problem.data, day, IdMaker(problem.data))
    out = [entry for choice in problem.choices for entry in _choice_changes(kb, problem, model, change, choice)]
    for member in problem.members:
        if member.list_path and true(model, member.exists):
            record, money, months = member_record(problem, member, model, day)
            clauses = _member_clauses(kb, problem, model, member)
            cost = {"money": money / MONEY_SCALE, "months": months}
            out.append(_entry(Edit("add", member.list_path, record), clauses, cost))
    return _removals_last(_merge(out))


def _removals_last(entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Removals by index after every other edit, the highest index first, so no index shifts under another."""
    removals = [e for e in entries if e["edit"]["op"] == "remove"]
    removals.sort(
        key=lambda e: [(p if isinstance(p, int) else -1) for p in parse_path(e["edit"]["path"])], reverse=True
    )
    return [e for e in entries if e["edit"]["op"] != "remove"] + removals


def edits_of(entries: list[dict[str, Any]]) -> list[Edit]:
    return [Edit(e["edit"]["op"], e["edit"]["path"], e["edit"]["value"]) for e in entries]


def _choice_changes(
    kb: KnowledgeBase, problem: Problem, model: z3.ModelRef, change: Change, choice: Choice
) -> list[dict[str, Any]]:
    index = selected(choice, model)
    if index == 0 or choice.phase != "buy":
        return []
    subject = problem.facts.subjects[choice.subject]
    value = choice.values[index]
    assert value is not None
    path = readable(problem.data, subject.path)
    edits = EDITORS[(choice.cls, choice.family)](change, subject, choice.key, value, path, choice.ladder)
    nodes = [(choice.subject, r) for r in choice.leaves] + _summing(problem, lambda c: c is choice)
    nodes += _set_up(problem, choice, value)
    for record in problem.members:  # the record the edit adds, where it is counted
        if record.record_of is choice and record.record_value == value:
            nodes += _counted(kb, problem, model, record)
    clauses = cited(kb, problem, model, nodes)
    cost = {"money": choice.money[index] / MONEY_SCALE, "months": choice.months[index]}
    free = {"money": 0, "months": 0}
    return [_entry(edit, clauses, cost if i == 0 else free) for i, edit in enumerate(edits)]


def _set_up(problem: Problem, choice: Choice, value: int) -> list[tuple[Symbol, str]]:
    """The "department set up" leaves a new form or new beds of a department the profile lacks meet."""
    if choice.subject != HOSPITAL or choice.family not in SETS_UP or (choice.family == "dept" and value != 1):
        return []
    name = department_name(choice.measure)
    if any(d.name == name for d in problem.ctx.hospital.departments or []):
        return []
    dept = Function("m", [Function("dept"), String(name)])
    return [(HOSPITAL, read.requirement) for read in problem.reads.get((HOSPITAL, dept), [])]


def member_record(problem: Problem, member: Member, model: z3.ModelRef, day: date) -> tuple[dict[str, Any], int, int]:
    """A new member's profile record with the attribute values chosen, its children, and its cost."""
    record = copy.deepcopy(member.record)
    money, months = member.cost()
    for choice in problem.choices:
        if choice.member is not member:
            continue
        index = selected(choice, model)
        value = choice.values[index]
        if index and value is not None:
            ATTRIBUTES[(member.cls, choice.family)].build(record, choice.key, value, day, choice.ladder)
            money += choice.money[index]
            months = max(months, choice.months[index])
    lists = {"training": "trainings", "equipment": "equipment"}
    for child in problem.members:
        if child.parent is member and not child.list_path and child.record_of is None and true(model, child.exists):
            sub, child_money, child_months = member_record(problem, child, model, day)
            record.setdefault(lists.get(child.cls, child.cls), []).append(sub)
            money, months = money + child_money, max(months, child_months)
    return record, money, months


def _member_clauses(kb: KnowledgeBase, problem: Problem, model: z3.ModelRef, member: Member) -> list[dict[str, Any]]:
    """The counts a new member (or a record nested in it) is counted in, and the measures it raises."""
    nodes = []
    for m in [member, *(ch for ch in problem.members if ch.parent is member and not ch.list_path)]:
        nodes += _counted(kb, problem, model, m) + _summing(problem, lambda c, m=m: c.member is m)
        for (x, measure), lifts in [*problem.links.lifts.items(), *problem.links.raises.items()]:
            if any(lift.member is m for lift in lifts):
                nodes += [(x, read.requirement) for read in problem.reads.get((x, measure), [])]
    return cited(kb, problem, model, nodes)


def _counted(kb: KnowledgeBase, problem: Problem, model: z3.ModelRef, member: Member) -> list[tuple[Symbol, str]]:
    """The count/forall nodes ``member`` is counted in whose condition it meets."""
    nodes = []
    for x, rid in problem.counted.get(member.symbol, []):
        condition = kb.requirements[rid].condition
        if condition and true(model, problem.pair(member.symbol, condition)[0]):
            nodes.append((x, rid))
    return nodes


def _summing(problem: Problem, chosen: Callable[[Choice], bool]) -> list[tuple[Symbol, str]]:
    """The leaves reading a sum a chosen member flag adds to (a chair's feature, the hospital's total)."""
    nodes = []
    for key, summands in problem.links.sums.items():
        if any(chosen(choice) for choice, _ in summands):
            nodes += [(key[0], read.requirement) for read in problem.reads.get(key, [])]
    return nodes


def cited(kb: KnowledgeBase, problem: Problem, model: z3.ModelRef, nodes: list[tuple[Symbol, str]]) -> list[dict]:
    """The clauses of the requirements among ``nodes`` that hold in the solution (each once)."""
    seen: set[str] = set()
    out = []
    for subject, rid in nodes:
        holds, _ = problem.pair(subject, rid)
        if rid in seen or not true(model, holds):
            continue
        seen.add(rid)
        out.append(clause_json(kb, rid))
    return out


def clause_json(kb: KnowledgeBase, rid: str) -> dict[str, Any]:
    node = kb.requirements[rid]
    clause = kb.clause_of(rid)
    data: dict[str, Any] = {"spec": node.spec, "clause": clause.path, "requirement": rid}
    if node.quote:
        data["quote"] = node.quote
    return data


def _entry(edit: Edit, clauses: list[dict[str, Any]], cost: dict[str, Any]) -> dict[str, Any]:
    return {"edit": {"op": edit.op, "path": edit.path, "value": edit.value}, "clauses": clauses, "cost": cost}


def _twin(out: list[dict[str, Any]], edit: dict[str, Any]) -> dict[str, Any] | None:
    """An earlier addition of the same named record to the same list."""
    value = edit["value"]
    if edit["op"] != "add" or not isinstance(value, dict) or value.get("name") is None:
        return None
    for other in out:
        o = other["edit"]
        same_list = o["op"] == "add" and o["path"] == edit["path"] and isinstance(o["value"], dict)
        if same_list and o["value"].get("name") == value["name"]:
            return other
    return None


def _merge(entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Two additions of the same named record (a department set up and given a form) become one."""
    out: list[dict[str, Any]] = []
    for entry in entries:
        twin = _twin(out, entry["edit"])
        if twin is None:
            out.append(entry)
            continue
        twin["edit"]["value"].update(entry["edit"]["value"])
        twin["clauses"] += [cl for cl in entry["clauses"] if cl not in twin["clauses"]]
        twin["cost"] = {
            "money": twin["cost"]["money"] + entry["cost"]["money"],
            "months": max(twin["cost"]["months"], entry["cost"]["months"]),
        }
    return out
