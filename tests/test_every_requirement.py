"""Break every requirement the compliant example meets, one at a time, and check the refusal.

For each leaf requirement (a comparison or an attestation) that holds in the
compliant example's justification, the value it reads is set just past its
threshold.  Then every target whose justification used that leaf must either be
refused with that very leaf cited among the unmet requirements (at any depth:
inside alternatives and counted persons), or still hold through another path that
no longer uses it.  Generic over specifications: it reads only the KB and facts, and sweeps the example
and specifications of every case file in ``tests/cases/`` (each case file's profile is a
compliant example of its specifications).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from clingo import Symbol
from zhunru.explain.report import Reporter
from zhunru.explain.trace import Trace
from zhunru.solver.engine import Evaluation
from zhunru.solver.kb import Requirement
from zhunru.solver.ladders import rank

from tests.conftest import AS_OF, example_data, hospital_from, unmet_requirements
from zhunru import api

CASE_FILES = Path(__file__).parent / "cases"


def swept() -> dict[str, tuple[str, list[str]]]:
    """Case file stem -> (example profile, specification ids)."""
    found = {}
    for path in sorted(CASE_FILES.glob("*.yaml")):
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
        specs = [spec for ident in raw["technologies"] for spec in api.knowledge_base().resolve_spec(ident)]
        found[path.stem] = (raw["profile"], specs)
    return found


SWEPT = swept()


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


def baseline_of(stem: str) -> Evaluation:
    profile, specs = SWEPT[stem]
    return api.engine().evaluate(hospital_from(example_data(profile)), AS_OF, specs)


_BASELINE_CACHE: dict[str, Evaluation] = {}


def cached_baseline(stem: str) -> Evaluation:
    if stem not in _BASELINE_CACHE:
        _BASELINE_CACHE[stem] = baseline_of(stem)
    return _BASELINE_CACHE[stem]


def targets_and_traces(stem: str) -> list[tuple[str, Symbol, Trace]]:
    reporter = Reporter(baseline_of(stem))
    results = reporter.hospital_results() + reporter.physician_results()
    return [(r.target.root, r.subject, r.trace) for r in results if r.trace.status == "holds"]


BASELINES = {stem: targets_and_traces(stem) for stem in SWEPT}
CASES = sorted(
    {
        (stem, subject, leaf)
        for stem, baseline in BASELINES.items()
        for _, _, trace in baseline
        for subject, leaf in leaves(trace)
    },
    key=str,
)


def readable(case: tuple[str, Symbol, str]) -> str:
    stem, subject, leaf = case
    return f"{stem}:{leaf}@{subject}"


@pytest.mark.parametrize("stem", sorted(SWEPT))
def test_sweep_covers_the_met_requirements(stem: str) -> None:
    """Guard against a vacuous sweep: each example meets many leaf requirements of its specifications."""
    assert sum(1 for case in CASES if case[0] == stem) >= 20


@pytest.mark.parametrize("case", CASES, ids=readable)
def test_breaking_a_met_requirement_refuses_on_it_or_uses_another_path(case: tuple[str, Symbol, str]) -> None:
    stem, subject, leaf = case
    pair = (subject, leaf)
    profile, specs = SWEPT[stem]
    kb = api.knowledge_base()
    node = kb.requirements[leaf]
    assert node.measure is not None
    data = example_data(profile)
    baseline = cached_baseline(stem)
    value = baseline.facts.readings[(subject, node.measure)].value
    assert value is not None
    broken = failing_value(node, value)
    if broken is None:
        pytest.skip("no value fails this threshold")
    evaluation = api.engine().evaluate(hospital_from(data), AS_OF, specs, overrides={(subject, node.measure): broken})
    assert evaluation.derivation.of(subject, leaf) == "fails"
    reporter = Reporter(evaluation)
    checked = 0
    refused: list[str] = []
    for root, root_subject, trace in BASELINES[stem]:
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
