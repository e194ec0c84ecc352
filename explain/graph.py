"""NetworkX graphs derived from the knowledge base and from a derivation.

* :func:`kb_graph` — the static dependency graph: technology → specification →
  targets; procedure → grade → entry target; requirement → sub-requirements →
  the resources they read (departments, units, equipment, staff roles …) and the
  clause each cites.  Built from KB facts only.
* :func:`derivation_graph` — one hospital's derivation: a node per evaluated
  (subject, requirement) with its status, an edge per ``support`` atom the solver
  derived, and evidence / missing-fact nodes.  Explanations are walks of this
  graph (:mod:`zhunru.explain.trace`); nothing is re-decided outside the solver.
"""

from __future__ import annotations

from typing import Any

import networkx as nx
from clingo import Symbol
from zhunru.explain.vocabulary import key_text, measure_label
from zhunru.solver.engine import Evaluation
from zhunru.solver.kb import KnowledgeBase

_RESOURCE_FAMILIES = {
    "subject": "诊疗科目",
    "dept": "科室",
    "dept_form": "科室",
    "dept_beds": "科室",
    "equipment": "设备",
    "feature": "设施/功能",
    "capability": "能力",
    "activity_months": "业务",
    "volume": "病例量",
    "exp_months": "人员经历",
    "continuous_months": "人员经历",
    "title": "职称",
    "scope": "执业/培训范围",
    "trained": "培训",
    "attest": "认定",
}


def req_node(requirement: str) -> tuple[str, str]:
    return ("req", requirement)


def kb_graph(kb: KnowledgeBase) -> nx.DiGraph:
    """The dependency graph of the whole knowledge base."""
    graph = nx.DiGraph()
    for tech, (zh, en) in kb.technologies.items():
        graph.add_node(("tech", tech), kind="technology", zh=zh, en=en)
    for spec in kb.specs.values():
        graph.add_node(("spec", spec.id), kind="spec", title=spec.title, jurisdiction=spec.jurisdiction)
        graph.add_edge(("tech", spec.technology), ("spec", spec.id), relation="specified_by")
    for target in kb.targets:
        graph.add_edge(("spec", target.spec), req_node(target.root), relation=target.kind, scope=target.scope)
    for (spec, grade), root in kb.grade_targets.items():
        grade_node = ("grade", spec, grade)
        graph.add_node(grade_node, kind="grade", grade=grade)
        graph.add_edge(grade_node, req_node(root), relation="requires")
    for procedure in kb.procedures:
        node = ("procedure", procedure.spec, procedure.name)
        graph.add_node(node, kind="procedure", grade=procedure.grade, clause=procedure.clause_path)
        graph.add_edge(node, ("grade", procedure.spec, procedure.grade), relation="graded")
        own = kb.procedure_targets.get((procedure.spec, procedure.grade, procedure.number))
        if own:
            graph.add_edge(node, req_node(own), relation="requires")
    for node in kb.requirements.values():
        clause = kb.clauses[(node.spec, node.clause)]
        graph.add_node(req_node(node.id), kind="requirement", requirement=node.kind, spec=node.spec, clause=clause.path)
        graph.add_edge(req_node(node.id), ("clause", node.spec, node.clause), relation="cites")
        for child in node.children:
            graph.add_edge(req_node(node.id), req_node(child), relation="needs")
        if node.member_class:
            member = ("resource", node.member_class, node.member_kind or "any")
            graph.add_edge(req_node(node.id), member, relation="counts")
        for measure in (node.measure, node.denominator):
            if measure is not None:
                family = measure.arguments[0].name
                resource = ("resource", _RESOURCE_FAMILIES.get(family, family), key_text(measure.arguments[1]))
                graph.add_edge(req_node(node.id), resource, relation="reads", measure=str(measure))
    return graph


def dependents(kb: KnowledgeBase, resource_key: str) -> list[str]:
    """Requirements that (directly or through sub-requirements) read a resource whose key is given."""
    graph = kb_graph(kb)
    found: set[str] = set()
    for node in graph.nodes:
        if node[0] == "resource" and node[2] == resource_key:
            for ancestor in nx.ancestors(graph, node):
                if ancestor[0] == "req":
                    found.add(ancestor[1])
    return sorted(found)


def dnode(subject: Symbol, requirement: str) -> tuple[str, Symbol, str]:
    return ("eval", subject, requirement)


def derivation_graph(evaluation: Evaluation) -> nx.DiGraph:
    """The solver's derivation for one hospital as a graph."""
    graph = nx.DiGraph()
    derivation = evaluation.derivation
    for (subject, requirement), status in derivation.status.items():
        graph.add_node(dnode(subject, requirement), status=status, subject=subject, requirement=requirement)
    for (subject, requirement), supports in derivation.support.items():
        for child_subject, child in supports:
            graph.add_edge(dnode(subject, requirement), dnode(child_subject, child), relation="because")
    for (subject, requirement), items in derivation.evidence.items():
        for measure, value in items:
            node = ("value", subject, measure)
            reading = evaluation.facts.readings.get((subject, measure))
            graph.add_node(
                node, value=value, path=reading.path if reading else "", detail=reading.detail if reading else ""
            )
            graph.add_edge(dnode(subject, requirement), node, relation="evidence")
    for (subject, requirement), measures in derivation.missing.items():
        for measure in measures:
            node = ("missing", subject, measure)
            reading = evaluation.facts.readings.get((subject, measure))
            graph.add_node(node, path=reading.path if reading else "", detail=reading.detail if reading else "")
            graph.add_edge(dnode(subject, requirement), node, relation="missing")
    for (subject, requirement), classes in derivation.missing_population.items():
        for cls in classes:
            graph.add_edge(dnode(subject, requirement), ("missing_population", subject, cls), relation="missing")
    return graph


def derivation_document(evaluation: Evaluation, lang: str = "zh") -> dict[str, Any]:
    """The whole derivation of one hospital as JSON: every evaluated (subject, requirement) with its
    status, the support edges between them, and the evidence each leaf read.

    Unlike a trace, which expands the graph into a tree per target (repeating, e.g., each
    physician's qualification under every count that uses it), every node appears once, so
    the document stays linear in the size of the derivation — what a batch run stores.
    """

    derivation = evaluation.derivation
    subjects = evaluation.facts.subjects
    labels: dict[Symbol, str] = {}
    for subject, _ in derivation.status:
        if subject not in labels:
            info = subjects.get(subject)
            labels[subject] = info.path or "hospital" if info else str(subject)
    clause_paths = evaluation.kb.clause_paths
    keys = sorted(derivation.status, key=lambda node: (labels[node[0]], node[1]))
    index = {node: i for i, node in enumerate(keys)}
    nodes: list[dict[str, Any]] = [
        {
            "subject": labels[node[0]],
            "requirement": node[1],
            "status": derivation.status[node],
            "clause": clause_paths[node[1]],
        }
        for node in keys
    ]
    # One pass per relation, in the order the keys of an entry are printed.
    for node, children in derivation.support.items():
        if node in index:
            nodes[index[node]]["because"] = sorted(index[child] for child in children if child in index)
    for node, items in derivation.evidence.items():
        if node in index:
            nodes[index[node]]["evidence"] = [
                {"fact": measure_label(measure, lang), "value": value} for measure, value in items
            ]
    for node, measures in derivation.missing.items():
        if node in index:
            nodes[index[node]]["missing"] = [measure_label(measure, lang) for measure in measures]
    for node, classes in derivation.missing_population.items():
        if node in index:
            nodes[index[node]]["missing_lists"] = list(classes)
    for node, (sure, maybe) in derivation.tally.items():
        if node in index:
            nodes[index[node]]["tally"] = [sure, maybe]
    return {"nodes": nodes}
