"""The engine façade: one hospital in, one derivation out.

:class:`Engine` holds the knowledge base (parsed once) and evaluates a profile
on an as-of date: it builds the facts, grounds KB + interpreter + facts in a
fresh ``clingo.Control``, checks there is exactly one answer set (the program is
stratified, so there must be) and returns a :class:`Evaluation`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import TypeVar

import clingo
from clingo import Function, Symbol
from zhunru.solver.atoms import Derivation, read_model, read_models, shown_atom_texts
from zhunru.solver.facts import HOSPITAL, FactBase, build_facts
from zhunru.solver.kb import KnowledgeBase, Target
from zhunru.solver.measures import Context
from zhunru.solver.selection import Applied

from zhunru.errors import EngineError
from zhunru.profile import Hospital

T = TypeVar("T")


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
        facts = self.facts(hospital, as_of, chosen)
        if overrides:
            _apply_overrides(facts, overrides)
        symbols = self._solve(self.kb.program_for(chosen), [facts])
        subjects = {subject: subject for subject in facts.subjects}
        return Evaluation(hospital, as_of, chosen, facts, read_model(symbols, subjects), self.kb)

    def evaluate_many(self, cases: list[tuple[Hospital, date, list[str]]]) -> list[Evaluation]:
        """Evaluate several hospitals in one grounding (a batch chunk); same results as one by one.

        Each hospital's subjects are wrapped as ``s(I, Subject)`` with a chunk-local index
        ``I``, so the generic rules keep the hospitals apart; the model is split back by ``I``.
        One ``Control`` per chunk spares the fixed cost of a ``Control`` per hospital.
        """
        if not cases:
            return []
        union = sorted({spec for _, _, specs in cases for spec in specs})
        bases = [self.facts(hospital, as_of, specs, i) for i, (hospital, as_of, specs) in enumerate(cases)]
        texts = self._solve(self.kb.program_for(union), bases, shown_atom_texts)
        return [
            Evaluation(hospital, as_of, specs, facts, derivation, self.kb)
            for (hospital, as_of, specs), facts, derivation in zip(
                cases, bases, read_models(texts, [facts.local_subjects for facts in bases]), strict=True
            )
        ]

    def facts(self, hospital: Hospital, as_of: date, specs: list[str], index: int | None = None) -> FactBase:
        targets = [t for t in self.kb.targets if t.spec in specs]
        ctx = Context(hospital, as_of, self.kb)
        return build_facts(ctx, [(t.root, t.subject) for t in targets], self.kb.measures_for(specs), index)

    def _solve(
        self,
        program: str,
        fact_bases: list[FactBase],
        read: Callable[[clingo.Model], list[T]] = lambda model: model.symbols(shown=True),
    ) -> list[T]:
        control = clingo.Control(["--warn=none"])
        control.add("base", [], program)
        control.add("base", [], "".join(facts.program() for facts in fact_bases))
        control.ground([("base", [])])
        models: list[list[T]] = []
        control.solve(on_model=lambda model: models.append(read(model)))
        if len(models) != 1:
            raise EngineError(f"expected exactly one answer set, found {len(models)}")
        return models[0]

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
