"""``zhunru plan``: the cheapest verified set of edits that makes a hospital eligible.

1. The targets (entry targets of the technologies asked, a procedure's grade, or
   the training-base / ongoing targets) are compiled to a repair problem on the
   plan date (``--by`` or the as-of date) and optimised (money, then months, then
   the number of changes).
2. When nothing can be bought in time, waiting is added (:mod:`zhunru.planner.waiting`):
   time-only measures may grow by one per month; the cheapest plan fixes the earliest
   date, and the plan is made again on it.
3. "Wait" is compared with "buy": the earliest date on which waiting alone suffices.
4. Every plan is applied to the profile and re-checked by the clingo engine; one
   that is not eligible for every target is a bug (:class:`EngineError`).
5. With no plan, the answer is the minimal set of clauses whose fixed facts cannot
   be met together (an unsat core over tracked leaves).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from clingo import Symbol
from zhunru.solver.facts import HOSPITAL
from zhunru.solver.measures import months_between

from zhunru.errors import EngineError
from zhunru.planner.costs import MONEY_SCALE
from zhunru.planner.families import EDITORS, readable
from zhunru.planner.problem import Phase
from zhunru.planner.problem import Problem as RepairProblem
from zhunru.planner.render import changes, clause_json, edits_of
from zhunru.planner.session import ROLE_KINDS, Planner, Request, add_months
from zhunru.planner.solve import Solution, core, optimise
from zhunru.planner.waiting import CASES_NOTE, wait_alone, wait_then_buy

__all__ = ["ROLE_KINDS", "Request", "plan", "render_solution"]


def plan(request: Request) -> dict[str, Any]:
    """The ``zhunru plan --format json`` document."""
    planner = Planner.start(request)
    day = request.by or request.as_of
    if planner.eligible(request.data, day):
        return _already(planner, day)
    problem = planner.problem(day, "buy")
    lead_limit = _lead_limit(request, request.by)
    first = _optimise(planner, problem, lead_limit)
    both: RepairProblem | None = None
    if first is None and request.by is None:
        day, problem, first, both = wait_then_buy(planner)
    never = first is None and both is not None  # not even waiting and buying together
    wants_wait = request.compare_wait and not never and (first is None or first.money > 0)
    wait = wait_alone(planner, problem if day == request.as_of else None) if wants_wait else None
    document = _header(planner, waited=wait is not None or day != request.as_of)
    if first is None:
        document.update(_infeasible(planner, day, both))
        document["wait"] = wait
        return document
    strategy = "buy" if day == request.as_of else "wait+buy"
    buy_option = _option(strategy, max(day, add_months(request.as_of, first.months)), first.money, first.months)
    if _waiting_wins(request, wait, first):
        assert wait is not None
        day, strategy = date.fromisoformat(wait["date"]), "wait"
        problem = planner.problem(day, "buy")
        lead_limit = months_between(request.as_of, day)
        first = _optimise(planner, problem, lead_limit)
        if first is None:
            raise EngineError(f"waiting until {day} was confirmed by the engine but the model finds no plan")
    plans = _alternatives(planner, problem, first, day, lead_limit)
    document.update(plans[0])
    document.update({"strategy": strategy, "feasible": True, "wait": wait, "options": _options(buy_option, wait)})
    if request.alternatives > 1:
        document["alternatives"] = plans
    return document


def _lead_limit(request: Request, day: date | None) -> int | None:
    return months_between(request.as_of, day) if day else None


def _optimise(planner: Planner, problem: RepairProblem, lead_limit: int | None, **options: Any) -> Solution | None:
    request = planner.request
    return optimise(
        problem, formulation=request.formulation, timeout_ms=request.timeout_ms, lead_limit=lead_limit, **options
    )


def _waiting_wins(request: Request, wait: dict[str, Any] | None, first: Solution) -> bool:
    """Waiting is free and no slower than buying: plan on the wait date instead."""
    if not wait or not wait.get("possible") or request.by is not None or first.money == 0:
        return False
    return date.fromisoformat(wait["date"]) <= add_months(request.as_of, first.months)


def _alternatives(
    planner: Planner, problem: RepairProblem, first: Solution, day: date, lead_limit: int | None
) -> list[dict[str, Any]]:
    """The K cheapest distinct plans: each next one excludes the decisions of those before."""
    plans = [render_solution(planner, problem, first, day)]
    blocked = [problem.decisions(first.model)]
    while len(plans) < planner.request.alternatives and blocked[-1]:
        found = _optimise(planner, problem, lead_limit, blocked=blocked)
        if found is None:
            break
        plans.append(render_solution(planner, problem, found, day))
        blocked.append(problem.decisions(found.model))
    return plans


def render_solution(planner: Planner, problem: RepairProblem, solution: Solution, day: date) -> dict[str, Any]:
    """One plan: its changes, verified by clingo, its cost and dates."""
    entries = changes(planner.kb, problem, solution.model, day)
    verified = planner.verify(edits_of(entries), day)
    ready = add_months(planner.request.as_of, solution.months)
    return {
        "feasible": True,
        "cost": {"money": solution.money / MONEY_SCALE, "months": solution.months},
        "plan_date": day.isoformat(),
        "earliest_date": max(day, ready).isoformat(),
        "changes": entries,
        "verified": verified,
        "optimal": solution.optimal,
    }


def _already(planner: Planner, day: date) -> dict[str, Any]:
    """Eligible as it is (the engine says so): the empty plan, optimal by definition."""
    document = _header(planner, waited=day != planner.request.as_of)
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
    if planner.request.alternatives > 1:
        document["alternatives"] = [{k: document[k] for k in ("cost", "earliest_date", "changes", "verified")}]
    return document


def _header(planner: Planner, waited: bool) -> dict[str, Any]:
    request = planner.request
    return {
        "hospital": planner.hospital.id,
        "as_of": request.as_of.isoformat(),
        "by": request.by.isoformat() if request.by else None,
        "targets": [
            {"spec": t.spec, "target": t.root, "kind": t.kind, "scope": t.scope}
            for group in planner.groups
            for t in group
        ],
        "currency": request.costs.currency,
        "notes": [CASES_NOTE] if waited else [],
    }


def _option(strategy: str, day: date, money: int, months: int) -> dict[str, Any]:
    return {"strategy": strategy, "date": day.isoformat(), "cost": {"money": money / MONEY_SCALE, "months": months}}


def _options(buy: dict[str, Any], wait: dict[str, Any] | None) -> list[dict[str, Any]]:
    """Buy (possibly after some waiting) against waiting alone."""
    options = [buy]
    if wait and wait.get("possible"):
        options.append({"strategy": "wait", "date": wait["date"], "cost": {"money": 0, "months": wait["months"]}})
    return options


# --- infeasible ---------------------------------------------------------------------------------


def _infeasible(planner: Planner, day: date, tracked: RepairProblem | None) -> dict[str, Any]:
    request = planner.request
    phase: Phase = "buy" if request.by else "both"
    problem = tracked or planner.problem(day if request.by else request.as_of, phase, track=True)
    blockers = [_blocker(planner, problem, subject, rid) for subject, rid in core(problem, request.timeout_ms)]
    return {
        "feasible": False,
        "cost": None,
        "earliest_date": None,
        "changes": [],
        "verified": False,
        "optimal": True,
        "infeasible": {"clauses": blockers},
    }


def _blocker(planner: Planner, problem: RepairProblem, subject: Symbol, rid: str) -> dict[str, Any]:
    """A clause of the unsat core, with the value read, where, and why no plan changes it."""
    entry = clause_json(planner.kb, rid)
    info = problem.facts.subjects.get(subject)
    if info is not None and subject != HOSPITAL:
        entry["subject"] = {"label": info.label, "path": readable(problem.data, info.path)}
    node = planner.kb.requirements[rid]
    reading = problem.facts.readings.get((subject, node.measure)) if node.measure is not None else None
    entry["value"] = reading.value if reading else None
    entry["path"] = readable(problem.data, reading.path) if reading else None
    entry["why_fixed"] = _why_fixed(problem, subject, node.measure)
    return entry


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
