"""Break every requirement the compliant example meets, one at a time, and check the refusal.

For each leaf requirement (a comparison or an attestation) that holds in the
compliant example's justification, the value it reads is set just past its
threshold.  Then every target whose justification used that leaf must either be
refused with that very leaf cited among the unmet requirements (at any depth:
inside alternatives and counted persons), or still hold through another path that
no longer uses it.  Generic over specifications: it reads only the KB and facts.
"""

from __future__ import annotations

from typing import Any

import pytest
from clingo import Symbol
from zhunru.explain.report import Reporter
from zhunru.explain.trace import Trace
from zhunru.solver.kb import Requirement
from zhunru.solver.ladders import rank

from tests.conftest import AS_OF, CI, example_data, hospital_from, unmet_requirements
from zhunru import api

EXAMPLE = "tertiary_compliant"


def failing_value(node: Requirement, value: int) -> int | None:
    """A value just past the node's threshold, or None if there is none (e.g. ≥ 0)."""
    threshold = (
        rank(node.ladder, node.rung) if node.kind == "cmp_rank" and node.ladder and node.rung else node.threshold
    )
    assert threshold is not None and node.op is not None
    candidates = {"ge": threshold - 1, "gt": threshold, "le": threshold + 1, "lt": threshold}
    if node.op == "eq":
        return 0 if threshold != 0 else 1
    past = candidates[node.op]
    return past if past >= 0 else None


def leaves(trace: Trace, status: str = "holds") -> set[tuple[Symbol, str]]:
    """Comparison and attestation leaves of a justification with the given status."""
    return {
        (n.subject, n.id)
        for n in trace.walk()
        if n.requirement.kind in ("cmp", "cmp_rank", "attest") and n.status == status
    }


def targets_and_traces() -> list[tuple[str, Symbol, Trace]]:
    evaluation = api.engine().evaluate(hospital_from(example_data(EXAMPLE)), AS_OF, [CI])
    reporter = Reporter(evaluation)
    results = reporter.hospital_results() + reporter.physician_results()
    return [(r.target.root, r.subject, r.trace) for r in results if r.trace.status == "holds"]


BASELINE = targets_and_traces()
CASES = sorted(
    {(subject, leaf) for _, _, trace in BASELINE for subject, leaf in leaves(trace)}, key=lambda pair: str(pair)
)


def readable(pair: tuple[Symbol, str]) -> str:
    subject, leaf = pair
    return f"{leaf}@{subject}"


def test_sweep_covers_the_met_requirements() -> None:
    """Guard against a vacuous sweep: the compliant example meets well over 150 leaf requirements."""
    assert len(CASES) > 150


@pytest.mark.parametrize("pair", CASES, ids=readable)
def test_breaking_a_met_requirement_refuses_on_it_or_uses_another_path(pair: tuple[Symbol, str]) -> None:
    subject, leaf = pair
    kb = api.knowledge_base()
    node = kb.requirements[leaf]
    assert node.measure is not None
    data = example_data(EXAMPLE)
    baseline = api.engine().evaluate(hospital_from(data), AS_OF, [CI])
    value = baseline.facts.readings[(subject, node.measure)].value
    assert value is not None
    broken = failing_value(node, value)
    if broken is None:
        pytest.skip("no value fails this threshold")
    evaluation = api.engine().evaluate(hospital_from(data), AS_OF, [CI], overrides={(subject, node.measure): broken})
    assert evaluation.derivation.of(subject, leaf) == "fails"
    reporter = Reporter(evaluation)
    checked = 0
    refused: list[str] = []
    for root, root_subject, trace in BASELINE:
        if pair not in leaves(trace):
            continue
        checked += 1
        result = reporter.target_result(kb.target(root), root_subject)
        data_json: dict[str, Any] = reporter.result_json(result, "zh")
        if result.trace.status == "fails":
            # the broken value may fail several leaves that read it; one of them must be cited
            readers = {r.id for r in kb.requirements.values() if r.measure == node.measure}
            assert readers & unmet_requirements(data_json), f"{root} is refused without citing {leaf}"
            refused.append(root)
        elif result.trace.status == "undetermined":
            # another alternative is still open (e.g. an attestation not yet recorded)
            assert pair in leaves(result.trace, "fails"), f"{root} is undetermined without showing {leaf} failed"
        else:
            assert pair not in leaves(result.trace), f"{root} still rests on the broken {leaf}"
    assert checked
