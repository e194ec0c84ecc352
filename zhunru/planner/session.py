"""A planning session: the request, its targets, and the engine calls every step shares.

:class:`Planner` is the public entry point for code that needs the pieces of ``zhunru
plan`` (the tests, the benchmark): the repair problem on a date, eligibility by the
clingo engine, and verification of a set of edits.

Dates after the as-of date read case logs as if the last recorded year repeated
(:func:`project`): waiting adds no cases, and the window does not silently empty.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from zhunru.solver.engine import Evaluation
from zhunru.solver.facts import HOSPITAL
from zhunru.solver.kb import KnowledgeBase, Target
from zhunru.solver.measures import Context

from zhunru import api
from zhunru.edits import Edit, apply_all
from zhunru.errors import EngineError, InputError, Problem
from zhunru.planner.costs import CostFile, default_costs
from zhunru.planner.problem import Phase
from zhunru.planner.problem import Problem as RepairProblem
from zhunru.planner.solve import DEFAULT
from zhunru.profile import Hospital, parse_profile

ROLE_KINDS = {"entry": "entry", "ongoing": "ongoing", "training-base": "training_base"}


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
    specs: list[str] | None = None  # --spec: applied as named, whatever the jurisdiction


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later (the last day of a shorter month)."""
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


def target_groups(hospital: Hospital, request: Request, kb: KnowledgeBase) -> tuple[list[str], list[list[Target]]]:
    """The specifications applied and the targets: every group must be met by one of its targets."""
    applied = api.resolve_specs(hospital, request.technologies, request.as_of, request.specs)
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
        asked = ",".join([*(request.technologies or []), *(request.specs or [])])
        raise InputError([Problem("--tech", asked, "no hospital target of that role to plan for", "no_target")])
    return specs, groups


@dataclass
class Planner:
    """One request with its specifications and target groups resolved."""

    request: Request
    kb: KnowledgeBase
    hospital: Hospital
    specs: list[str]
    groups: list[list[Target]]
    _evaluations: dict[date, Evaluation] = field(default_factory=dict, repr=False)

    @classmethod
    def start(cls, request: Request) -> Planner:
        kb = api.knowledge_base()
        hospital = parse_profile(request.data, "profile")
        specs, groups = target_groups(hospital, request, kb)
        return cls(request, kb, hospital, specs, groups)

    def problem(self, day: date, phase: Phase = "buy", track: bool = False) -> RepairProblem:
        """The repair problem on ``day`` (the profile projected to it)."""
        data = project(self.request.data, self.request.as_of, day)
        hospital = self._projected(day)
        facts = self._evaluation(day).facts
        return RepairProblem(
            self.kb,
            facts,
            Context(hospital, day, self.kb),
            data,
            [(HOSPITAL, t.root) for group in self.groups for t in group],
            self.request.costs,
            phase=phase,
            frozen_paths=self.request.freeze,
            unfrozen=self.request.unfreeze,
            formulation="int" if self.request.formulation == "int-lex" else "onehot",
            track=track,
            groups=[[(HOSPITAL, t.root) for t in group] for group in self.groups],
        )

    def eligible(self, data: dict[str, Any], day: date) -> bool:
        """Whether clingo finds the profile ``data`` eligible for every target group on ``day``."""
        if data is self.request.data:
            evaluation = self._evaluation(day)
        else:
            hospital = parse_profile(project(data, self.request.as_of, day), "profile")
            evaluation = api.engine().evaluate(hospital, day, self.specs)
        return all(any(evaluation.status(t.root) == "holds" for t in group) for group in self.groups)

    def _projected(self, day: date) -> Hospital:
        data = project(self.request.data, self.request.as_of, day)
        return self.hospital if data is self.request.data else parse_profile(data, "profile")

    def _evaluation(self, day: date) -> Evaluation:
        """The request's own profile evaluated on ``day`` (once per day)."""
        if day not in self._evaluations:
            self._evaluations[day] = api.engine().evaluate(self._projected(day), day, self.specs)
        return self._evaluations[day]

    def verify(self, edits: list[Edit], day: date) -> bool:
        """Apply ``edits`` and re-check with clingo; a plan that fails is a bug (:class:`EngineError`)."""
        try:
            edited = apply_all(self.request.data, edits)
            ok = self.eligible(edited, day)
        except InputError as error:
            raise EngineError(f"a plan produced an invalid profile: {error}") from None
        if not ok:
            raise EngineError(f"a plan failed verification by the clingo engine: {[e.path for e in edits]}")
        return True
