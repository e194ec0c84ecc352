"""Waiting: what only time changes (years of operation, experience, time since a title).

The repair problem with phase ``wait`` lets those measures grow by one per month; its
optimum is a lower bound on the months to wait.  The earliest date is then found
exactly, month by month, by the clingo engine: the first month from that bound on
(and no earlier one) on which the hospital is eligible, up to :data:`HORIZON_MONTHS`.
Dates keep the as-of date's day of the month.

Waiting never adds cases: on later dates the case logs are read as if the last
recorded year repeated (:func:`~zhunru.planner.session.project`), so a volume
requirement that is not met now is not met by waiting either (:data:`CASES_NOTE`).
"""

from __future__ import annotations

from datetime import date
from typing import Any

import z3

from zhunru.planner.families import GROWS
from zhunru.planner.problem import Choice
from zhunru.planner.problem import Problem as RepairProblem
from zhunru.planner.render import selected
from zhunru.planner.session import Planner, add_months
from zhunru.planner.solve import Solution, optimise

HORIZON_MONTHS = 120
"""How far ahead (months) the earliest date is searched for."""

CASES_NOTE = {
    "id": "cases_do_not_accrue",
    "en": "waiting adds no cases: on later dates the case logs are read as if the last recorded year repeated",
    "zh": "等待不会增加病例数：以后的日期按最近一个记录年度的病例数重复计算",
}


def waited(choice: Choice, model: z3.ModelRef) -> int:
    """Months a wait choice takes in a solution."""
    return choice.months[selected(choice, model)]


def lower_bound(problem: RepairProblem, solution: Solution) -> int:
    return max([waited(ch, solution.model) for ch in problem.choices if ch.phase == "wait"], default=0)


def first_eligible_month(planner: Planner, data: dict[str, Any], start: int) -> int | None:
    """The least month ``m`` ≤ the horizon with the profile eligible ``m`` months after the as-of date.

    Searched upwards from ``start`` (a lower bound from the model), then downwards while
    earlier months are eligible too, so the answer does not rest on the bound being tight.
    """
    as_of = planner.request.as_of
    found = next(
        (m for m in range(max(start, 0), HORIZON_MONTHS + 1) if planner.eligible(data, add_months(as_of, m))), None
    )
    if found is None:
        return None
    while found > 0 and planner.eligible(data, add_months(as_of, found - 1)):
        found -= 1
    return found


def time_can_help(problem: RepairProblem) -> bool:
    """Some requirement compares a measure that grows with time with a bound it has not reached."""
    for (x, measure), reads in problem.reads.items():
        subject = problem.facts.subjects.get(x)
        key = (subject.cls, measure.arguments[0].name) if subject else None
        if key is None or f"{key[0]}.{key[1]}" not in problem.costs.wait or key not in GROWS:
            continue
        reading = problem.facts.readings.get((x, measure))
        current = reading.value if reading else None
        bounds = [r.threshold + (r.op == "gt") for r in reads if r.op in ("ge", "gt", "eq")]
        if (
            current is not None
            and any(b > current for b in bounds)
            and GROWS[key](subject, measure.arguments[1], problem.ctx)
        ):
            return True
    return False


def wait_alone(planner: Planner, buy: RepairProblem | None = None) -> dict[str, Any]:
    """The earliest date on which waiting alone suffices (confirmed by clingo), within the horizon.

    ``buy``, the problem on the as-of date, lets the search be skipped when no time-only measure
    is below a bound (the wait problem would have nothing to choose).
    """
    request = planner.request
    if buy is not None and not time_can_help(buy):
        return {"possible": False, "date": None, "reason": "waiting alone never meets every target"}
    problem = planner.problem(request.as_of, "wait")
    found = optimise(problem, formulation=request.formulation, timeout_ms=request.timeout_ms)
    if found is None:
        return {"possible": False, "date": None, "reason": "waiting alone never meets every target"}
    months = first_eligible_month(planner, request.data, lower_bound(problem, found))
    if months is None:
        return {"possible": False, "date": None, "reason": f"not eligible within {HORIZON_MONTHS} months"}
    return {"possible": True, "date": add_months(request.as_of, months).isoformat(), "months": months}


def wait_then_buy(planner: Planner) -> tuple[date, RepairProblem, Solution | None, RepairProblem | None]:
    """Buying alone cannot do it now: wait as little as needed, then plan on that date.

    Returns the plan date, its problem and solution, and — when even waiting and buying
    together cannot do it — the problem with tracked leaves, for the unsat core.
    """
    request = planner.request
    both = planner.problem(request.as_of, "both", track=True)
    found = optimise(both, formulation=request.formulation, timeout_ms=request.timeout_ms)
    if found is None:
        return request.as_of, both, None, both
    for months in range(lower_bound(both, found), HORIZON_MONTHS + 1):
        day = add_months(request.as_of, months)
        problem = planner.problem(day, "buy")
        solution = optimise(problem, formulation=request.formulation, timeout_ms=request.timeout_ms)
        if solution is not None:
            return day, problem, solution, None
    return request.as_of, both, None, None
