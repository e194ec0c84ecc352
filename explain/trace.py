"""Justification traces: walks of the derivation graph.

A :class:`Trace` is the part of the solver's derivation a verdict rests on: the
requirement (with its clause and quoted text), its status, the evidence values
it read (with thresholds and margins), what is missing, and the traces of the
sub-requirements it was derived from.  It contains nothing the solver did not
derive; renderers in :mod:`zhunru.explain.render` only format it.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from clingo import Symbol
from zhunru.solver.engine import Evaluation
from zhunru.solver.kb import Requirement
from zhunru.solver.ladders import rank
from zhunru.solver.measures import ladder_of


@dataclass
class Evidence:
    subject: Symbol
    measure: Symbol
    value: int
    op: str | None
    threshold: int | None
    ladder: str | None
    path: str
    detail: str
    role: str = "value"  # value | numerator | denominator


@dataclass
class Missing:
    subject: Symbol
    path: str
    what: Symbol | str  # a measure, or a population class name
    detail: str = ""


@dataclass(eq=False)
class Trace:
    """One evaluated (subject, requirement) and, on first access, what it rests on.

    ``children``, ``evidence`` and ``missing`` are read from the derivation only when asked
    for: a check of 70 targets needs the sub-derivations of its refusals, not of every
    requirement that holds, and expanding all of them was most of a batch run's time.
    """

    requirement: Requirement
    subject: Symbol
    subject_label: str
    subject_path: str
    status: str
    clause_path: str
    clause_text: str
    tally: tuple[int, int] | None = None
    candidates: int | None = None
    _builder: TraceBuilder | None = field(default=None, repr=False)
    _parts: tuple[list[Evidence], list[Missing], list[Trace]] | None = field(default=None, repr=False)

    @property
    def id(self) -> str:
        return self.requirement.id

    @property
    def evidence(self) -> list[Evidence]:
        return self._expanded()[0]

    @property
    def missing(self) -> list[Missing]:
        return self._expanded()[1]

    @property
    def children(self) -> list[Trace]:
        return self._expanded()[2]

    def _expanded(self) -> tuple[list[Evidence], list[Missing], list[Trace]]:
        if self._parts is None:
            self._parts = self._builder.expand(self) if self._builder else ([], [], [])
        return self._parts

    def walk(self) -> Iterator[Trace]:
        yield self
        for child in self.children:
            yield from child.walk()

    def notes_reached(self) -> frozenset[str]:
        """The interpretation notes on every node of :meth:`walk`, without building the subtrees."""
        if self._builder is None:
            return frozenset(note for node in self.walk() for note in node.requirement.notes)
        return self._builder.notes_reached(self.subject, self.requirement.id)


class TraceBuilder:
    """Builds traces for one evaluation by walking its derivation.

    The derivation is a graph: a node per evaluated (subject, requirement), an edge per
    ``support`` atom, evidence and missing facts on the leaves
    (:func:`~zhunru.explain.graph.derivation_graph` is the same graph in networkx).  A
    trace follows those edges and nothing else, so it holds only what the solver derived.
    """

    def __init__(self, evaluation: Evaluation) -> None:
        self.evaluation = evaluation
        self.kb = evaluation.kb
        self.derivation = evaluation.derivation
        self._names: dict[Any, str] = {}  # str() of clingo symbols is slow: each is computed once
        self._notes: dict[tuple[Symbol, str], frozenset[str]] = {}

    def _name(self, item: Any) -> str:
        found = self._names.get(item)
        if found is None:
            found = self._names[item] = str(item)
        return found

    def trace(self, subject: Symbol, requirement: str) -> Trace:
        if (subject, requirement) not in self.derivation.status:
            raise KeyError(f"{requirement} was not evaluated on {subject}")
        return self._trace(subject, requirement)

    def _trace(self, subject: Symbol, rid: str) -> Trace:
        requirement = self.kb.requirements[rid]
        clause = self.kb.clauses[(requirement.spec, requirement.clause)]
        info = self.evaluation.facts.subjects.get(subject)
        node = (subject, rid)
        return Trace(
            requirement=requirement,
            subject=subject,
            subject_label=info.label if info else str(subject),
            subject_path=info.path if info else "",
            status=self.derivation.status[node],
            clause_path=clause.path,
            clause_text=clause.text,
            tally=self.derivation.tally.get(node),
            candidates=self.derivation.candidates.get(node),
            _builder=self,
        )

    def expand(self, trace: Trace) -> tuple[list[Evidence], list[Missing], list[Trace]]:
        """The evidence, missing facts and sub-derivations a node rests on, in print order."""
        subject, requirement = trace.subject, trace.requirement
        node = (subject, requirement.id)
        supports = self.derivation.support.get(node, ())
        if len(supports) > 1:
            supports = sorted(supports, key=lambda child: self._child_order(requirement, child))
        children = [self._trace(child_subject, child) for child_subject, child in supports]
        measures = self.derivation.evidence.get(node, ())
        if len(measures) > 1:
            measures = sorted(measures, key=lambda item: self._name(item[0]))
        evidence = [self._evidence(requirement, subject, measure, value) for measure, value in measures]
        missing = [self._missing(subject, measure) for measure in self.derivation.missing.get(node, ())]
        if len(missing) > 1:
            missing.sort(key=lambda item: self._name(item.what))
        missing.extend(
            Missing(subject, "", cls, "") for cls in sorted(self.derivation.missing_population.get(node, ()))
        )
        return evidence, missing, children

    def notes_reached(self, subject: Symbol, requirement: str) -> frozenset[str]:
        """Notes of the node and of everything it rests on, each node computed once per evaluation
        (targets share sub-derivations: the same physician is cited by many counts)."""
        node = (subject, requirement)
        found = self._notes.get(node)
        if found is None:
            own = frozenset(self.kb.requirements[requirement].notes)
            below = [self.notes_reached(*child) for child in self.derivation.support.get(node, ())]
            found = own.union(*below) if below else own
            self._notes[node] = found
        return found

    def _child_order(self, parent: Requirement, child: tuple[Symbol, str]) -> tuple[int, str]:
        order = parent.children.index(child[1]) if child[1] in parent.children else 0
        return order, self._name(child[0])

    def _missing(self, subject: Symbol, measure: Symbol) -> Missing:
        reading = self.evaluation.facts.readings.get((subject, measure))
        return Missing(subject, reading.path if reading else "", measure, reading.detail if reading else "")

    def _evidence(self, requirement: Requirement, subject: Symbol, measure: Symbol, value: int) -> Evidence:
        reading = self.evaluation.facts.readings.get((subject, measure))
        info = self.evaluation.facts.subjects.get(subject)
        ladder = ladder_of(info, measure) if info else None
        threshold = requirement.threshold
        if requirement.kind == "cmp_rank" and requirement.ladder and requirement.rung:
            threshold = rank(requirement.ladder, requirement.rung)
            ladder = ladder or requirement.ladder
        role = "value"
        if requirement.kind == "ratio":
            role = "numerator" if measure == requirement.measure else "denominator"
            threshold = None
        return Evidence(
            subject,
            measure,
            value,
            requirement.op,
            threshold,
            ladder,
            reading.path if reading else "",
            reading.detail if reading else "",
            role,
        )
