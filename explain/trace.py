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

import networkx as nx
from clingo import Symbol
from zhunru.explain.graph import derivation_graph, dnode
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


@dataclass
class Trace:
    requirement: Requirement
    subject: Symbol
    subject_label: str
    subject_path: str
    status: str
    clause_path: str
    clause_text: str
    evidence: list[Evidence] = field(default_factory=list)
    missing: list[Missing] = field(default_factory=list)
    tally: tuple[int, int] | None = None
    candidates: int | None = None
    children: list[Trace] = field(default_factory=list)

    @property
    def id(self) -> str:
        return self.requirement.id

    def walk(self) -> Iterator[Trace]:
        yield self
        for child in self.children:
            yield from child.walk()


class TraceBuilder:
    """Builds traces for one evaluation (the derivation graph is built once)."""

    def __init__(self, evaluation: Evaluation) -> None:
        self.evaluation = evaluation
        self.kb = evaluation.kb
        self.graph: nx.DiGraph = derivation_graph(evaluation)
        self._names: dict[Any, str] = {}  # str() of clingo symbols is slow: each is computed once

    def _name(self, item: Any) -> str:
        found = self._names.get(item)
        if found is None:
            found = self._names[item] = str(item)
        return found

    def trace(self, subject: Symbol, requirement: str) -> Trace:
        node = dnode(subject, requirement)
        if node not in self.graph:
            raise KeyError(f"{requirement} was not evaluated on {subject}")
        return self._build(node, depth=0)

    def _build(self, node: tuple[str, Symbol, str], depth: int) -> Trace:
        _, subject, rid = node
        requirement = self.kb.requirements[rid]
        clause = self.kb.clauses[(requirement.spec, requirement.clause)]
        info = self.evaluation.facts.subjects.get(subject)
        trace = Trace(
            requirement=requirement,
            subject=subject,
            subject_label=info.label if info else str(subject),
            subject_path=info.path if info else "",
            status=self.graph.nodes[node]["status"],
            clause_path=clause.path,
            clause_text=clause.text,
            tally=self.evaluation.derivation.tally.get((subject, rid)),
        )
        trace.candidates = self.evaluation.derivation.candidates.get((subject, rid))
        for _, target, data in sorted(self.graph.out_edges(node, data=True), key=self._edge_order):
            relation = data["relation"]
            if relation == "because":
                trace.children.append(self._build(target, depth + 1))
            elif relation == "evidence":
                trace.evidence.append(self._evidence(requirement, subject, target))
            elif relation == "missing":
                attributes = self.graph.nodes[target]
                trace.missing.append(
                    Missing(subject, attributes.get("path", ""), target[2], attributes.get("detail", ""))
                )
        return trace

    def _edge_order(self, edge: tuple[Any, ...]) -> tuple[Any, ...]:
        source, target = edge[0], edge[1]
        parent = self.kb.requirements[source[2]]
        if target[0] == "eval":
            order = parent.children.index(target[2]) if target[2] in parent.children else 0
            return (0, order, self._name(target[1]))
        return (1, 0, self._name(target))

    def _evidence(self, requirement: Requirement, subject: Symbol, node: tuple[Any, ...]) -> Evidence:
        measure = node[2]
        attributes = self.graph.nodes[node]
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
            attributes["value"],
            requirement.op,
            threshold,
            ladder,
            attributes.get("path", ""),
            attributes.get("detail", ""),
            role,
        )
