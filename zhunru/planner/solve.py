"""Optimising a repair problem with Z3, and explaining why none exists.

Objectives, in order: money, then months (the longest lead time of any change),
then the number of changes (so nothing useless is bought for free).  Several
formulations of the same objectives are available; ``benchmarks/plan_latency.py``
measures them and the fastest is the default (:data:`DEFAULT`):

* ``lex`` — arithmetic objectives with lexicographic priority;
* ``weighted`` — one arithmetic objective, money ≫ months ≫ changes;
* ``maxsat`` — weighted soft constraints (Z3's MaxSAT engine), months as indicator literals;
* ``int-lex`` — as ``lex`` but measures as integer variables with a domain constraint.

Every query has a time limit; when it is hit the best model found (if any) is
returned with ``optimal=False``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import z3
from zhunru.solver.z3model import disjunction, negation, weighted_sum

from zhunru.planner.problem import Problem

Objective = Literal["lex", "weighted", "maxsat"]
FORMULATIONS = ("lex", "weighted", "maxsat", "int-lex")
DEFAULT = "lex"


@dataclass
class Solution:
    model: z3.ModelRef
    money: int
    months: int
    optimal: bool


def objective_of(formulation: str) -> Objective:
    return "lex" if formulation == "int-lex" else formulation  # type: ignore[return-value]


def optimise(
    problem: Problem,
    *,
    formulation: str = DEFAULT,
    timeout_ms: int = 5000,
    lead_limit: int | None = None,
    blocked: list[list[z3.BoolRef]] | None = None,
) -> Solution | None:
    """The cheapest solution, ``None`` if there is none (or none was found in time)."""
    opt = z3.Optimize()
    opt.set("timeout", timeout_ms)
    opt.add(*problem.constraints, *problem.goals)
    opt.add(*[constraint for constraint, _ in problem.model.tracked.values()])
    for decisions in blocked or []:
        opt.add(z3.Or(*[z3.Not(d) for d in decisions]))
    leads = problem.lead_terms()
    if lead_limit is not None:
        for literal, months in leads:
            if months > lead_limit:
                opt.add(z3.Not(literal))
    money = problem.money()
    months = z3.Int("plan_months")
    opt.add(months >= 0, *[disjunction([negation(literal), months >= m]) for literal, m in leads])
    changes = problem.change_literals()
    objective = objective_of(formulation)
    if objective == "lex":
        opt.set("priority", "lex")
        opt.minimize(money)
        opt.minimize(months)
        opt.minimize(weighted_sum([(c, 1) for c in changes]))
    elif objective == "weighted":
        span = len(changes) + 1
        horizon = max([m for _, m in leads], default=0) + 1
        opt.minimize(money * horizon * span + months * span + weighted_sum([(c, 1) for c in changes]))
    else:
        _soft(opt, problem, leads)
    result = opt.check()
    if result == z3.unsat:
        return None
    try:
        model = opt.model()
    except z3.Z3Exception:
        return None
    required = [*problem.constraints, *problem.goals]
    if result != z3.sat and not all(z3.is_true(model.eval(c, model_completion=True)) for c in required):
        return None  # the time limit hit before any plan was found
    spent = model.eval(money, model_completion=True).as_long()
    lead = max([m for literal, m in leads if z3.is_true(model.eval(literal, model_completion=True))], default=0)
    return Solution(model, spent, lead, result == z3.sat)


def _soft(opt: z3.Optimize, problem: Problem, leads: list[tuple[z3.BoolRef, int]]) -> None:
    """MaxSAT: every priced choice is a soft 'do not', weighted by its price; months as steps."""
    opt.set("priority", "lex")
    for choice in problem.choices:
        for selector, money in zip(choice.domain.selectors, choice.money, strict=True):
            if money:
                opt.add_soft(z3.Not(selector), money, id="money")
    for member in problem.members:
        if member.cost()[0]:
            opt.add_soft(z3.Not(member.exists), member.cost()[0], id="money")
    steps = sorted({m for _, m in leads})
    previous = 0
    for step in steps:
        late = z3.Bool(f"takes>={step}")
        opt.add(*[z3.Implies(literal, late) for literal, m in leads if m >= step])
        opt.add_soft(z3.Not(late), step - previous, id="months")
        previous = step
    for literal in problem.change_literals():
        opt.add_soft(z3.Not(literal), 1, id="changes")
    if not any(choice.money for choice in problem.choices) and not problem.members:
        opt.add_soft(z3.BoolVal(True), 1, id="money")


def core(problem: Problem, timeout_ms: int = 5000) -> list[tuple[object, str]]:
    """A minimal set of fixed leaves (subject, requirement) that no plan can get around.

    ``problem`` must be built with ``track=True``: each leaf whose status no change
    can alter is a literal tied to its status by a tracked assertion; an unsat core
    over those assertions, shrunk until every element is needed, is the answer.
    """
    solver = z3.Solver()
    solver.set("timeout", timeout_ms)
    solver.add(*problem.constraints, *problem.goals)
    trackers = {}
    for key, (constraint, tracker) in problem.model.tracked.items():
        solver.add(z3.Implies(tracker, constraint))
        trackers[tracker.get_id()] = (key, tracker)
    if solver.check(*[t for _, t in trackers.values()]) != z3.unsat:
        return []
    needed = [t for t in solver.unsat_core()]
    i = 0
    while i < len(needed):
        trial = needed[:i] + needed[i + 1 :]
        if solver.check(*trial) == z3.unsat:
            needed = [t for t in solver.unsat_core()]
            needed = [t for t in trial if any(t.eq(u) for u in needed)]
        else:
            i += 1
    return [trackers[t.get_id()][0] for t in needed]
