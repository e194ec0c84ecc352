"""The engine façade: one hospital in, one derivation out.

:class:`Engine` holds the knowledge base (parsed once) and evaluates a profile
on an as-of date: it builds the facts, grounds KB + interpreter + facts in a
fresh ``clingo.Control``, checks there is exactly one answer set (the program is
stratified, so there must be) and returns a :class:`Evaluation`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import clingo
from clingo import Function, Symbol
from zhunru.solver.atoms import Derivation, read_model
from zhunru.solver.facts import HOSPITAL, FactBase, build_facts
from zhunru.solver.kb import KnowledgeBase, Target
from zhunru.solver.measures import Context
from zhunru.solver.selection import Applied

from zhunru.errors import EngineError
from zhunru.profile import Hospital


@dataclass
class Evaluation:
    """A hospital evaluated on a date against some specifications."""

    hospital: Hospital
    as_of: date
    specs: list[str]
    facts: FactBase
    derivation: Derivation
    kb: KnowledgeBase
    applied: dict[str, Applied] = field(default_factory=dict)  # why each specification applies

    def status(self, root: str, subject: Symbol = HOSPITAL) -> str | None:
        return self.derivation.of(subject, root)

    def staff_symbol(self, staff_id: str) -> Symbol:
        return Function("staff", [clingo.String(staff_id)])


class Engine:
    """Evaluates profiles against the knowledge base; load once, call many times."""

    def __init__(self, kb: KnowledgeBase | None = None) -> None:
        self.kb = kb or KnowledgeBase.load()

    def evaluate(
        self,
        hospital: Hospital,
        as_of: date,
        specs: list[str] | None = None,
        overrides: dict[tuple[Symbol, Symbol], int | None] | None = None,
    ) -> Evaluation:
        """Evaluate ``hospital`` on ``as_of`` for ``specs`` (default: all).

        ``overrides`` replaces measured values (``None`` removes one); it exists for
        differential and sensitivity tests and for what-if analysis.
        """
        chosen = specs if specs is not None else sorted(self.kb.specs)
        targets = [t for t in self.kb.targets if t.spec in chosen]
        ctx = Context(hospital, as_of, self.kb)
        facts = build_facts(ctx, [(t.root, t.subject) for t in targets])
        if overrides:
            _apply_overrides(facts, overrides)
        derivation = self._solve(self.kb.program_for(chosen), facts)
        return Evaluation(hospital, as_of, chosen, facts, derivation, self.kb)

    def _solve(self, program: str, facts: FactBase) -> Derivation:
        control = clingo.Control(["--warn=none"])
        control.add("base", [], program)
        control.add("base", [], facts.program())
        control.ground([("base", [])])
        models: list[list[Symbol]] = []
        control.solve(on_model=lambda model: models.append(model.symbols(shown=True)))
        if len(models) != 1:
            raise EngineError(f"expected exactly one answer set, found {len(models)}")
        return read_model(models[0])

    def targets(self, specs: list[str]) -> list[Target]:
        return [t for t in self.kb.targets if t.spec in specs]


def _apply_overrides(facts: FactBase, overrides: dict[tuple[Symbol, Symbol], int | None]) -> None:
    replaced = {(subject, measure) for subject, measure in overrides}
    kept = [
        fact
        for fact in facts.facts
        if not (fact.name == "value" and (fact.arguments[0], fact.arguments[1]) in replaced)
    ]
    for (subject, measure), value in sorted(overrides.items()):
        if value is not None:
            kept.append(Function("value", [subject, measure, clingo.Number(value)]))
    facts.facts = sorted(kept)
