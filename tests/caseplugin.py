"""Tests as data: ``tests/cases/*.yaml``.

Each file names a profile (an example), an as-of date and technologies, and a list
of cases; a case applies edits (``zhunru.edits``: set / add / remove at a field path)
and states what must follow.  Unknown keys are rejected, so a typo in a case file is
an error, not a test that silently checks nothing::

    profile: tertiary_compliant
    as_of: 2026-11-24
    technologies: [comprehensive_intervention]
    cases:
      - name: ICU with 5 beds
        edits: [{op: set, path: "units[icu-1].beds", value: 5}]
        expect:
          ci_entry_g3: {verdict: ineligible, unmet: [ci_icu_beds], clauses: ["一、（五）3（2）"]}
          ci_entry_basic: {verdict: eligible}
        staff:
          D003: {ci_physician_g3: {verdict: eligible}}
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Literal

import pytest
import yaml
from pydantic import BaseModel, ConfigDict, Field

from zhunru import api
from zhunru.edits import Edit, apply_all
from zhunru.profile import parse_profile

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class EditSpec(Strict):
    op: Literal["set", "add", "remove"]
    path: str
    value: Any = None


class Expectation(Strict):
    verdict: Literal["eligible", "ineligible", "undetermined"]
    unmet: list[str] = Field(default_factory=list, description="requirement ids that must be cited as unmet")
    clauses: list[str] = Field(default_factory=list, description="clause paths that must be cited as unmet")
    missing: list[str] = Field(default_factory=list, description="requirement ids whose facts must be missing")


class Case(Strict):
    name: str
    edits: list[EditSpec] = Field(default_factory=list)
    as_of: dt.date | None = None
    expect: dict[str, Expectation] = Field(default_factory=dict)
    staff: dict[str, dict[str, Expectation]] = Field(default_factory=dict)
    procedures: dict[str, Expectation] = Field(default_factory=dict)


class CaseFileModel(Strict):
    profile: str
    as_of: dt.date
    technologies: list[str]
    cases: list[Case]


def _cited_requirements(items: list[dict[str, Any]]) -> set[str]:
    found: set[str] = set()
    for item in items:
        found.add(item["requirement"])
        for branch in item.get("branches", []):
            found |= _cited_requirements(branch["unmet"])
        for person in item.get("because", []):
            found |= _cited_requirements(person["unmet"])
    return found


def check_expectation(result: dict[str, Any], expected: Expectation, where: str) -> None:
    assert result["verdict"] == expected.verdict, f"{where}: verdict {result['verdict']}, expected {expected.verdict}"
    cited = _cited_requirements(result["unmet"])
    missing_ids = {m["requirement"] for m in result["missing"]}
    clauses = {item["clause"] for item in result["unmet"]}
    assert set(expected.unmet) <= cited, f"{where}: unmet {sorted(cited)} lacks {sorted(set(expected.unmet) - cited)}"
    assert set(expected.clauses) <= clauses, f"{where}: clauses {sorted(clauses)}"
    assert set(expected.missing) <= missing_ids, f"{where}: missing {sorted(missing_ids)}"


class CaseItem(pytest.Item):
    def __init__(self, *, case: Case, spec: CaseFileModel, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.case = case
        self.spec = spec

    def runtest(self) -> None:
        data = yaml.safe_load((EXAMPLES / f"{self.spec.profile}.yaml").read_text(encoding="utf-8"))
        data = apply_all(data, [Edit(e.op, e.path, e.value) for e in self.case.edits])
        hospital = parse_profile(data, self.name)
        as_of = self.case.as_of or self.spec.as_of
        # Staff verdicts are built only when the case states some (they are the costly part).
        roles = None if self.case.staff else ["entry", "ongoing", "training-base"]
        report = api.check(hospital, as_of, self.spec.technologies, roles=roles)
        by_target = {r["target"]: r for r in report["results"]}
        for target, expected in self.case.expect.items():
            assert target in by_target, f"unknown target {target}; have {sorted(by_target)}"
            check_expectation(by_target[target], expected, target)
        people = {(r["staff"], r["target"]): r for r in report["physicians"]}
        for staff_id, targets in self.case.staff.items():
            for target, expected in targets.items():
                assert (staff_id, target) in people, f"no verdict for {staff_id} / {target}"
                check_expectation(people[(staff_id, target)], expected, f"{staff_id} {target}")
        for name, expected in self.case.procedures.items():
            results = api.check(hospital, as_of, self.spec.technologies, procedure=name, roles=["entry"])["results"]
            assert len(results) == 1, f"{name} is in {len(results)} catalogues: name the specification"
            check_expectation(results[0], expected, name)

    def reportinfo(self) -> tuple[Path, int, str]:
        return self.path, 0, f"case: {self.case.name}"


class CaseFile(pytest.File):
    def collect(self) -> Iterator[CaseItem]:
        raw = yaml.safe_load(self.path.read_text(encoding="utf-8"))
        spec = CaseFileModel.model_validate(raw)
        for case in spec.cases:
            yield CaseItem.from_parent(self, name=case.name, case=case, spec=spec)


def collect_case_file(parent: pytest.Collector, file_path: Path) -> CaseFile | None:
    if file_path.suffix == ".yaml" and file_path.parent.name == "cases":
        return CaseFile.from_parent(parent, path=file_path)
    return None
