"""``zhunru plan``: the cheapest verified set of edits that makes a hospital eligible.

1. The targets (entry targets of the technologies asked, a procedure's grade, or
   the training-base / ongoing targets) are compiled to a :class:`Problem` on the
   plan date (``--by`` or the as-of date) and optimised (money, then months, then
   the number of changes).
2. When nothing can be bought in time, waiting is added: time-only measures (years
   of operation, experience, support duration) may grow by one per month; the
   cheapest plan then fixes the earliest date, and the plan is made again on it.
3. "Wait" is compared with "buy": the earliest date on which waiting alone suffices.
4. Every plan is applied to the profile and re-checked by the clingo engine; one
   that is not eligible for every target is a bug (:class:`EngineError`).
5. With no plan, the answer is the minimal set of clauses whose fixed facts cannot
   be met together (an unsat core over tracked leaves).

Dates after the as-of date read case logs as if the last recorded year repeated
(waiting adds no cases, and the window does not silently empty).
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import z3
from clingo import Symbol
from zhunru.solver.facts import HOSPITAL
from zhunru.solver.kb import KnowledgeBase, Target
from zhunru.solver.measures import Context, months_between

from zhunru import api
from zhunru.edits import Edit, apply_all
from zhunru.errors import EngineError, InputError, Problem
from zhunru.planner.costs import MONEY_SCALE, CostFile, default_costs
from zhunru.planner.families import ATTRIBUTES, EDITORS, Change, IdMaker, readable
from zhunru.planner.problem import Choice, Member, Phase
from zhunru.planner.problem import Problem as RepairProblem
from zhunru.planner.solve import DEFAULT, Solution, core, optimise
from zhunru.profile import Hospital, parse_profile

ROLE_KINDS = {"entry": "entry", "ongoing": "ongoing", "training-base": "training_base"}
HORIZON_MONTHS = 120


@dataclass
class Request:
    data: dict[str, Any]
    as_of: date
    technologies: list[str] | None = None
    procedure: str | None = None
    roles: tuple[str, ...] = ("entry",)
    costs: CostFile = field(default_factory=default_costs)
    freeze: tuple[str, ...] = ()
    unfreeze: tuple[str, ...] = ()
    alternatives: int = 1
    by: date | None = None
    formulation: str = DEFAULT
    timeout_ms: int = 5000
    compare_wait: bool = True


# --- dates and projection ------------------------------------------------------------------


def add_months(day: date, months: int) -> date:
    total = day.year * 12 + day.month - 1 + months
    year, month = divmod(total, 12)
    for d in (day.day, 30, 29, 28):
        try:
            return date(year, month + 1, d)
        except ValueError:
            continue
    raise AssertionError("unreachable")


def project(data: dict[str, Any], as_of: date, day: date) -> dict[str, Any]:
    """The profile as read on a later ``day``: case logs continue at the last recorded year's level."""
    if day.year <= as_of.year:
        return data
    result = copy.deepcopy(data)
    logs = [result.get("volumes")] + [member.get("cases") for member in result.get("staff") or []]
    for log in logs:
        if not log:
            continue
        last = max(record["year"] for record in log)
        repeated = [r for r in log if r["year"] == last]
        for year in range(last + 1, day.year):
            log.extend({**r, "year": year} for r in repeated)
    return result


# --- targets ----------------------------------------------------------------------------------


def target_groups(hospital: Hospital, request: Request, kb: KnowledgeBase) -> tuple[list[str], list[list[Target]]]:
    """The specifications applied and the targets: every group must be met by one of its targets."""
    applied = api.resolve_specs(hospital, request.technologies, request.as_of)
    specs = [a.spec for a in applied]
    if request.procedure is not None:
        found = [p for p in kb.find_procedures(request.procedure) if p.spec in specs]
        if not found:
            raise InputError(
                [
                    Problem(
                        "--procedure",
                        request.procedure,
                        "no procedure of that name in the selected catalogues",
                        "unknown_procedure",
                    )
                ]
            )
        return specs, [[kb.target(kb.procedure_root(p)) for p in found]]
    kinds = {ROLE_KINDS[r] for r in request.roles if r in ROLE_KINDS}
    groups = [[t] for t in kb.targets if t.spec in specs and t.kind in kinds and t.subject.name == "hospital"]
    if not groups:
        raise InputError(
            [
                Problem(
                    "--tech",
                    ",".join(request.technologies or []),
                    "no hospital target of that role to plan for",
                    "no_target",
                )
            ]
        )
    return specs, groups


# --- the plan -----------------------------------------------------------------------------------


@dataclass
class Context2:
    request: Request
    kb: KnowledgeBase
    specs: list[str]
    groups: list[list[Target]]


def plan(request: Request) -> dict[str, Any]:
    """The ``zhunru plan --format json`` document."""
    kb = api.knowledge_base()
    hospital = parse_profile(request.data, "profile")
    specs, groups = target_groups(hospital, request, kb)
    c = Context2(request, kb, specs, groups)
    day = request.by or request.as_of
    lead_limit = months_between(request.as_of, request.by) if request.by else None
    if _eligible(c, request.data, day):
        return _already(c, hospital, day)
    problem = _problem(c, day, "buy")
    first = optimise(problem, formulation=request.formulation, timeout_ms=request.timeout_ms, lead_limit=lead_limit)
    both: RepairProblem | None = None
    if first is None and request.by is None:
        day, problem, first, both = _later(c)
    document = _header(c, hospital)
    never = first is None and both is not None  # not even waiting and buying together
    wait = _wait(c) if request.compare_wait and not never and (first is None or first.money > 0) else None
    if first is None:
        document.update(_infeasible(c, day, both))
        document["wait"] = wait
        return document
    strategy = "buy" if day == request.as_of else "wait+buy"
    buy_option = {
        "strategy": strategy,
        "date": max(day, add_months(request.as_of, first.months)).isoformat(),
        "cost": {"money": first.money / MONEY_SCALE, "months": first.months},
    }
    if wait and wait.get("possible") and request.by is None and first.money > 0:
        waited = date.fromisoformat(wait["date"])
        if waited <= add_months(request.as_of, first.months):
            # waiting is free and no slower: plan on that date instead
            day, strategy = waited, "wait"
            problem = _problem(c, day, "buy")
            lead_limit = months_between(request.as_of, day)
            first = optimise(
                problem, formulation=request.formulation, timeout_ms=request.timeout_ms, lead_limit=lead_limit
            )
            if first is None:
                raise EngineError(f"waiting until {day} was confirmed by the engine but the model finds no plan")
    plans = [_render(c, problem, first, day)]
    blocked = [problem.decisions(first.model)]
    while len(plans) < request.alternatives and blocked[-1]:
        found = optimise(
            problem,
            formulation=request.formulation,
            timeout_ms=request.timeout_ms,
            lead_limit=lead_limit,
            blocked=blocked,
        )
        if found is None:
            break
        plans.append(_render(c, problem, found, day))
        blocked.append(problem.decisions(found.model))
    document.update(plans[0])
    document["strategy"] = strategy
    document["feasible"] = True
    document["wait"] = wait
    document["options"] = _options(buy_option, wait)
    if request.alternatives > 1:
        document["alternatives"] = plans
    return document


def _problem(c: Context2, day: date, phase: Phase, track: bool = False) -> RepairProblem:
    data = project(c.request.data, c.request.as_of, day)
    hospital = parse_profile(data, "profile")
    evaluation = api.engine().evaluate(hospital, day, c.specs)
    facts = evaluation.facts
    settled = {key for key, status in evaluation.derivation.status.items() if status == "holds"}
    roots = [(HOSPITAL, t.root) for group in c.groups for t in group]
    problem = RepairProblem(
        c.kb,
        facts,
        Context(hospital, day, c.kb),
        data,
        roots,
        c.request.costs,
        phase=phase,
        frozen_paths=c.request.freeze,
        unfrozen=c.request.unfreeze,
        formulation="int" if c.request.formulation == "int-lex" else "onehot",
        track=track,
        groups=[[(HOSPITAL, t.root) for t in group] for group in c.groups],
        settled=settled,
    )
    return problem


def _later(c: Context2) -> tuple[date, RepairProblem, Solution | None, RepairProblem | None]:
    """Buying alone cannot do it now: wait as little as the cheapest plan needs, then plan on that date.

    The problem with waiting is built with tracked leaves, so that when even it has no
    solution the same model yields the unsat core.
    """
    both = _problem(c, c.request.as_of, "both", track=True)
    found = optimise(both, formulation=c.request.formulation, timeout_ms=c.request.timeout_ms)
    if found is None:
        return c.request.as_of, both, None, both
    waited = max([_waited(ch, found.model) for ch in both.choices if ch.phase == "wait"], default=0)
    for extra in range(4):
        day = add_months(c.request.as_of, waited + extra)
        problem = _problem(c, day, "buy")
        solution = optimise(problem, formulation=c.request.formulation, timeout_ms=c.request.timeout_ms)
        if solution is not None:
            return day, problem, solution, None
    return c.request.as_of, both, None, None


def _waited(choice: Choice, model: z3.ModelRef) -> int:
    index = _selected(choice, model)
    return choice.months[index]


def _selected(choice: Choice, model: z3.ModelRef) -> int:
    for i, selector in enumerate(choice.domain.selectors):
        if z3.is_true(model.eval(selector, model_completion=True)):
            return i
    return 0


def _wait(c: Context2) -> dict[str, Any] | None:
    """The earliest date on which waiting alone suffices (verified by clingo), if within the horizon."""
    problem = _problem(c, c.request.as_of, "wait")
    found = optimise(problem, formulation=c.request.formulation, timeout_ms=c.request.timeout_ms)
    if found is None:
        return {"possible": False, "date": None, "reason": "waiting alone never meets every target"}
    months = max([_waited(ch, found.model) for ch in problem.choices if ch.phase == "wait"], default=0)
    for extra in (0, 1, 2, 12):
        day = add_months(c.request.as_of, months + extra)
        if months + extra <= HORIZON_MONTHS and _eligible(c, c.request.data, day):
            return {"possible": True, "date": day.isoformat(), "months": months + extra}
    return {"possible": False, "date": None, "reason": f"not confirmed within {months + 12} months"}


def _eligible(c: Context2, data: dict[str, Any], day: date) -> bool:
    hospital = parse_profile(project(data, c.request.as_of, day), "profile")
    evaluation = api.engine().evaluate(hospital, day, c.specs)
    return all(any(evaluation.status(t.root) == "holds" for t in group) for group in c.groups)


def _already(c: Context2, hospital: Hospital, day: date) -> dict[str, Any]:
    """Eligible as it is (the engine says so): the empty plan, optimal by definition."""
    document = _header(c, hospital)
    document.update(
        {
            "feasible": True,
            "strategy": "none",
            "cost": {"money": 0, "months": 0},
            "plan_date": day.isoformat(),
            "earliest_date": day.isoformat(),
            "changes": [],
            "verified": True,
            "optimal": True,
            "wait": None,
            "options": [],
        }
    )
    if c.request.alternatives > 1:
        document["alternatives"] = [{k: document[k] for k in ("cost", "earliest_date", "changes", "verified")}]
    return document


def _header(c: Context2, hospital: Hospital) -> dict[str, Any]:
    return {
        "hospital": hospital.id,
        "as_of": c.request.as_of.isoformat(),
        "by": c.request.by.isoformat() if c.request.by else None,
        "targets": [
            {"spec": t.spec, "target": t.root, "kind": t.kind, "scope": t.scope} for group in c.groups for t in group
        ],
        "currency": c.request.costs.currency,
    }


# --- a solution as edits -------------------------------------------------------------------------


def _render(c: Context2, problem: RepairProblem, solution: Solution, day: date) -> dict[str, Any]:
    changes = _changes(c, problem, solution.model, day)
    edits = [Edit(ch["edit"]["op"], ch["edit"]["path"], ch["edit"]["value"]) for ch in changes]
    verified = _verify(c, edits, day)
    ready = add_months(c.request.as_of, solution.months)
    return {
        "feasible": True,
        "cost": {"money": solution.money / MONEY_SCALE, "months": solution.months},
        "plan_date": day.isoformat(),
        "earliest_date": max(day, ready).isoformat(),
        "changes": changes,
        "verified": verified,
        "optimal": solution.optimal,
    }


def _verify(c: Context2, edits: list[Edit], day: date) -> bool:
    try:
        edited = apply_all(c.request.data, edits)
        ok = _eligible(c, edited, day)
    except InputError as error:
        raise EngineError(f"a plan produced an invalid profile: {error}") from None
    if not ok:
        raise EngineError(f"a plan failed verification by the clingo engine: {[e.path for e in edits]}")
    return True


def _changes(c: Context2, problem: RepairProblem, model: z3.ModelRef, day: date) -> list[dict[str, Any]]:
    change = Change(problem.data, day, IdMaker(problem.data))
    out: list[dict[str, Any]] = []
    for choice in problem.choices:
        index = _selected(choice, model)
        if index == 0 or choice.phase != "buy":
            continue
        subject = problem.facts.subjects[choice.subject]
        path = readable(problem.data, subject.path)
        value = choice.values[index]
        assert value is not None
        edits = EDITORS[(choice.cls, choice.family)](change, subject, choice.key, value, path, choice.ladder)
        clauses = _cited(c, problem, model, [(choice.subject, r) for r in choice.leaves])
        cost = {"money": choice.money[index] / MONEY_SCALE, "months": choice.months[index]}
        for i, edit in enumerate(edits):
            out.append(_entry(edit, clauses, cost if i == 0 else {"money": 0, "months": 0}))
    for member in problem.members:
        if member.list_path and _true(model, member.exists):
            record, money, months = _record(problem, member, model, day)
            clauses = _member_clauses(c, problem, model, member)
            out.append(
                _entry(Edit("add", member.list_path, record), clauses, {"money": money / MONEY_SCALE, "months": months})
            )
    return _merge(out)


def _true(model: z3.ModelRef, literal: z3.BoolRef) -> bool:
    return z3.is_true(model.eval(literal, model_completion=True))


def _record(problem: RepairProblem, member: Member, model: z3.ModelRef, day: date) -> tuple[dict[str, Any], int, int]:
    """A new member's profile record with the attribute values chosen, its children, and its cost."""
    record = copy.deepcopy(member.record)
    money, months = member.cost()
    for choice in problem.choices:
        if choice.member is not member:
            continue
        index = _selected(choice, model)
        value = choice.values[index]
        if index and value is not None:
            ATTRIBUTES[(member.cls, choice.family)].build(record, choice.key, value, day, choice.ladder)
            money += choice.money[index]
            months = max(months, choice.months[index])
    lists = {"training": "trainings", "equipment": "equipment"}
    for child in problem.members:
        if child.parent is member and not child.list_path and _true(model, child.exists):
            sub, child_money, child_months = _record(problem, child, model, day)
            record.setdefault(lists.get(child.cls, child.cls), []).append(sub)
            money, months = money + child_money, max(months, child_months)
    return record, money, months


def _member_clauses(c: Context2, problem: RepairProblem, model: z3.ModelRef, member: Member) -> list[dict[str, Any]]:
    """The counts a new member (or a record nested in it) is counted in, where it meets the condition."""
    nodes = []
    for m in [member, *(ch for ch in problem.members if ch.parent is member and not ch.list_path)]:
        for x, rid in problem.counted.get(m.symbol, []):
            condition = c.kb.requirements[rid].condition
            if condition and _true(model, problem.pair(m.symbol, condition)[0]):
                nodes.append((x, rid))
    return _cited(c, problem, model, nodes)


def _cited(c: Context2, problem: RepairProblem, model: z3.ModelRef, nodes: list[tuple[Symbol, str]]) -> list[dict]:
    seen: set[str] = set()
    out = []
    for subject, rid in nodes:
        holds, _ = problem.pair(subject, rid)
        if rid in seen or not _true(model, holds):
            continue
        seen.add(rid)
        out.append(clause_json(c.kb, rid))
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


def _merge(changes: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Two additions of the same named record (a department set up and given a form) become one."""
    out: list[dict[str, Any]] = []
    for change in changes:
        edit = change["edit"]
        value = edit["value"]
        twin = next(
            (
                o
                for o in out
                if o["edit"]["op"] == "add" == edit["op"]
                and o["edit"]["path"] == edit["path"]
                and isinstance(value, dict)
                and isinstance(o["edit"]["value"], dict)
                and value.get("name") is not None
                and o["edit"]["value"].get("name") == value.get("name")
            ),
            None,
        )
        if twin is None:
            out.append(change)
            continue
        twin["edit"]["value"].update(value)
        twin["clauses"] += [cl for cl in change["clauses"] if cl not in twin["clauses"]]
        twin["cost"] = {
            "money": twin["cost"]["money"] + change["cost"]["money"],
            "months": max(twin["cost"]["months"], change["cost"]["months"]),
        }
    return out


def _options(buy: dict[str, Any], wait: dict[str, Any] | None) -> list[dict[str, Any]]:
    """Buy (possibly after some waiting) against waiting alone."""
    options = [buy]
    if wait and wait.get("possible"):
        options.append({"strategy": "wait", "date": wait["date"], "cost": {"money": 0, "months": wait["months"]}})
    return options


# --- infeasible ---------------------------------------------------------------------------------


def _infeasible(c: Context2, day: date, tracked: RepairProblem | None) -> dict[str, Any]:
    phase: Phase = "buy" if c.request.by else "both"
    problem = tracked or _problem(c, day if c.request.by else c.request.as_of, phase, track=True)
    blockers = []
    for subject, rid in core(problem, c.request.timeout_ms):
        entry = clause_json(c.kb, rid)
        info = problem.facts.subjects.get(subject)
        if info is not None and subject != HOSPITAL:
            entry["subject"] = {"label": info.label, "path": readable(problem.data, info.path)}
        node = c.kb.requirements[rid]
        reading = problem.facts.readings.get((subject, node.measure)) if node.measure is not None else None
        entry["value"] = reading.value if reading else None
        entry["path"] = readable(problem.data, reading.path) if reading else None
        entry["why_fixed"] = _why_fixed(problem, subject, node.measure)
        blockers.append(entry)
    return {
        "feasible": False,
        "cost": None,
        "earliest_date": None,
        "changes": [],
        "verified": False,
        "optimal": True,
        "infeasible": {"clauses": blockers},
    }


def _why_fixed(problem: RepairProblem, subject: Symbol, measure: Symbol | None) -> str:
    if measure is None:
        return "fixed"
    info = problem.facts.subjects.get(subject)
    key = f"{info.cls if info else '?'}.{measure.arguments[0].name}"
    if key in problem.frozen_families:
        return f"frozen ({key}; unfreeze to allow)"
    if key in problem.costs.wait:
        return "only time changes it"
    if key in problem.costs.change:
        return "frozen by --freeze" if (info and info.cls, measure.arguments[0].name) in EDITORS else "no edit for it"
    return "cannot be changed by a plan"
