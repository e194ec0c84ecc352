"""Explanations are the derivation: they cite exactly what the verdict depends on.

* Changing any *uncited* value never changes the verdict (property test).
* Removing a *cited* value changes the verdict or the trace.
* "Yes" is justified like "no": an eligible verdict has a full derivation with
  evidence, thresholds and margins.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import networkx as nx
import pytest
from clingo import Symbol
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from zhunru.explain import render
from zhunru.explain.graph import derivation_graph, dnode
from zhunru.explain.report import Reporter
from zhunru.explain.trace import Trace
from zhunru.solver.facts import HOSPITAL

from tests.conftest import AS_OF, CI, example_data, hospital_from
from zhunru import api

Pair = tuple[Symbol, Symbol]


def cited(trace: Trace) -> set[Pair]:
    """(subject, measure) pairs the trace reads, as evidence or as missing facts."""
    pairs: set[Pair] = set()
    for node in trace.walk():
        pairs |= {(e.subject, e.measure) for e in node.evidence}
        pairs |= {(m.subject, m.what) for m in node.missing if not isinstance(m.what, str)}
    return pairs


def signature(trace: Trace) -> set[tuple[Any, ...]]:
    """Everything a reader sees of a trace: nodes with status, evidence with values, missing facts."""
    seen: set[tuple[Any, ...]] = set()
    for node in trace.walk():
        seen.add((node.subject, node.id, node.status))
        seen |= {(e.subject, e.measure, e.value) for e in node.evidence}
        seen |= {(m.subject, str(m.what), "missing") for m in node.missing}
    return seen


def verdict_and_trace(
    data: dict[str, Any], root: str, overrides: dict[Pair, int | None] | None = None, subject: Symbol = HOSPITAL
) -> tuple[str, Trace, Any]:
    evaluation = api.engine().evaluate(hospital_from(data), AS_OF, [CI], overrides=overrides)
    trace = Reporter(evaluation).builder.trace(subject, root)
    return trace.status, trace, evaluation


def broken_icu(data: dict[str, Any]) -> None:
    data["units"][1]["beds"] = 5


def no_leading(data: dict[str, Any]) -> None:
    data["attestations"] = [a for a in data["attestations"] if a["statement"] != "ci_t_leading"]


SCENARIOS = {
    "eligible": ("tertiary_compliant", None, "ci_entry_g3"),
    "ineligible": ("tertiary_compliant", broken_icu, "ci_entry_g3"),
    "undetermined": ("tertiary_compliant", no_leading, "ci_entry_g3"),
    "secondary": ("secondary_county", None, "ci_entry_g3"),
    "ongoing": ("tertiary_compliant", None, "ci_ongoing"),
    "training base": ("new_hospital", None, "ci_training_base"),
}


def scenario(name: str) -> tuple[dict[str, Any], str]:
    example, mutate, root = SCENARIOS[name]
    data = example_data(example)
    if mutate:
        mutate(data)
    return data, root


@pytest.mark.parametrize("name", ["eligible", "ineligible", "secondary", "ongoing", "training base"])
@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.randoms(use_true_random=False))
def test_uncited_values_do_not_matter(name: str, seed: Any) -> None:
    data, root = scenario(name)
    status, trace, evaluation = verdict_and_trace(data, root)
    assert status in ("holds", "fails")
    uncited = sorted(
        (
            pair
            for pair, reading in evaluation.facts.readings.items()
            if reading.value is not None and pair not in cited(trace)
        ),
        key=str,
    )
    chosen = seed.sample(uncited, k=min(len(uncited), seed.randint(1, 40)))
    overrides = {pair: seed.choice([0, 1, 2, 5, 30, 120, 5000, None]) for pair in chosen}
    perturbed, _, _ = verdict_and_trace(data, root, overrides)
    assert perturbed == status


@pytest.mark.parametrize("name", ["eligible", "ineligible", "undetermined"])
def test_removing_cited_evidence_changes_outcome_or_trace(name: str) -> None:
    data, root = scenario(name)
    status, trace, _ = verdict_and_trace(data, root)
    evidence = sorted(cited(trace), key=str)
    assert evidence
    for pair in evidence[:: max(1, len(evidence) // 25)]:
        changed_status, changed_trace, _ = verdict_and_trace(data, root, {pair: None})
        assert changed_status != status or signature(changed_trace) != signature(trace), pair


def test_refusal_cites_the_failing_value_with_threshold_and_margin() -> None:
    data, root = scenario("ineligible")
    status, trace, _ = verdict_and_trace(data, root)
    assert status == "fails"
    failing = [node for node in trace.walk() if node.status == "fails" and node.evidence]
    assert [node.id for node in failing] == ["ci_icu_beds"]
    [evidence] = failing[0].evidence
    assert (evidence.value, evidence.op, evidence.threshold) == (5, "ge", 6)
    assert evidence.path == "units[1].beds"


def test_eligible_verdict_has_a_full_derivation() -> None:
    data, root = scenario("eligible")
    _, trace, _ = verdict_and_trace(data, root)
    leaves = [node for node in trace.walk() if node.requirement.kind in ("cmp", "cmp_rank", "ratio", "attest")]
    assert leaves and all(node.status == "holds" and node.evidence for node in leaves)
    assert {node.clause_path for node in trace.walk()} >= {"一、（五）1（1）", "一、（五）2", "一、（五）3（2）"}


def test_alternative_explains_which_branch_held() -> None:
    data, root = scenario("secondary")
    data["units"][1]["beds"] = 6
    _, trace, _ = verdict_and_trace(data, root)
    route = next(node for node in trace.walk() if node.id == "ci_g3_route")
    assert route.status == "holds"
    assert [child.id for child in route.children] == ["ci_route_secondary"]


def test_failed_alternative_explains_every_branch() -> None:
    data = example_data("tertiary_compliant")
    data["level"] = "二级"
    status, trace, _ = verdict_and_trace(data, "ci_entry_g3")
    assert status == "fails"
    route = next(node for node in trace.walk() if node.id == "ci_g3_route")
    assert route.status == "fails"
    assert [child.id for child in route.children] == ["ci_route_tertiary", "ci_route_secondary", "ci_route_new"]


def test_undetermined_lists_exactly_the_settling_facts() -> None:
    data, _ = scenario("undetermined")
    report = api.check(hospital_from(data), AS_OF, ["comprehensive_intervention"])
    g3 = next(r for r in report["results"] if r["target"] == "ci_entry_g3")
    assert g3["verdict"] == "undetermined"
    assert [(m["path"], m["requirement"]) for m in g3["missing"]] == [("attestations", "ci_t_leading")]
    data["attestations"].append({"statement": "ci_t_leading", "holds": True, "by": "专家组"})
    report = api.check(hospital_from(data), AS_OF, ["comprehensive_intervention"])
    assert next(r for r in report["results"] if r["target"] == "ci_entry_g3")["verdict"] == "eligible"


def test_procedure_explanation_walks_procedure_grade_requirements() -> None:
    hospital = hospital_from(example_data("secondary_county"))
    text = api.explain(hospital, AS_OF, procedure="经颈静脉肝内门体分流术（TIPS）", lang="zh")
    assert "附件 四级手术 五、" in text
    assert "结论：不符合" in text
    assert "一、（五）3（2）" in text and "病床不少于6张" in text
    english = api.explain(hospital, AS_OF, procedure="腹腔置管引流术", lang="en")
    assert "grade 1" in english and "Verdict: eligible" in english


def test_text_renders_margins_in_both_languages() -> None:
    data = example_data("tertiary_compliant")
    broken_icu(data)
    hospital = hospital_from(data)
    zh = api.explain(hospital, AS_OF, technologies=["comprehensive_intervention"], lang="zh")
    en = api.explain(hospital, AS_OF, technologies=["comprehensive_intervention"], lang="en")
    assert "床位 5，要求 ≥ 6，差 1" in zh
    assert "beds: 5, needs ≥ 6, short by 1" in en
    assert "at least 6 beds" in en


def test_notes_are_shown_where_the_verdict_depends_on_them() -> None:
    hospital = hospital_from(example_data("tertiary_compliant"))
    [physician_g3] = [
        r for r in api.explain(hospital, AS_OF, physician="D005", fmt="json") if r["target"] == "ci_physician_g3"
    ]
    assert "ci_anchor_assumed" in {note["id"] for note in physician_g3["notes"]}


def test_json_and_markdown_renderers_agree_on_the_tree() -> None:
    data, root = scenario("ineligible")
    _, trace, evaluation = verdict_and_trace(data, root)
    tree = render.trace_json(trace, "zh")

    def count(node: dict[str, Any]) -> int:
        return 1 + sum(count(child) for child in node.get("because", []))

    result = Reporter(evaluation).result_json(Reporter(evaluation).target_result(evaluation.kb.target(root)), "zh")
    markdown = render.markdown(result, trace, evaluation.kb, "h", "2026-11-24", "zh")
    marked = [line for line in markdown.splitlines() if line.lstrip().startswith(("- ✓", "- ✗", "- ?"))]
    assert count(tree) == sum(1 for _ in trace.walk()) == len(marked)


def test_as_of_pins_durations() -> None:
    data = example_data("new_hospital")
    early = api.check(hospital_from(data), date(2025, 6, 1), ["comprehensive_intervention"])
    late = api.check(hospital_from(data), AS_OF, ["comprehensive_intervention"])
    assert early == api.check(hospital_from(data), date(2025, 6, 1), ["comprehensive_intervention"])
    assert early["as_of"] == "2025-06-01" and late["as_of"] == "2026-11-24"


@pytest.mark.parametrize("example", ["tertiary_compliant", "secondary_county", "new_hospital"])
def test_a_trace_is_a_walk_of_the_networkx_derivation_graph(example: str) -> None:
    """Traces read the derivation's support relation lazily; the networkx graph built from the
    same atoms must have exactly the edges every trace node shows, and reach the same nodes."""
    evaluation = api.engine().evaluate(hospital_from(example_data(example)), AS_OF, [CI])
    graph = derivation_graph(evaluation)
    reporter = Reporter(evaluation)
    noted = 0
    for result in reporter.hospital_results():
        root = result.trace
        reached = {node[2] for node in nx.descendants(graph, dnode(root.subject, root.id)) if node[0] == "eval"}
        notes = {note for rid in reached | {root.id} for note in evaluation.kb.requirements[rid].notes}
        assert root.notes_reached() == notes
        noted += bool(notes)
        for node in root.walk():
            edges = graph.out_edges(dnode(node.subject, node.id), data="relation")
            because = [target for _, target, relation in edges if relation == "because"]
            assert sorted((c.subject, c.id) for c in node.children) == sorted((t[1], t[2]) for t in because)
            evidence = {target[2] for _, target, relation in edges if relation == "evidence"}
            assert {e.measure for e in node.evidence} == evidence
            assert graph.nodes[dnode(node.subject, node.id)]["status"] == node.status
    assert noted, "no target reached an interpretation note: the comparison would be vacuous"
