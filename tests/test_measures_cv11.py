"""Measure families added for the national 心血管疾病介入诊疗技术管理规范（2011年版）.

Summed beds of named departments (床位总数), a recommendation's technology and the
recommender's qualification, support counted from a passed assessment (先评估、后帮扶),
and complications of any severity in the annual volumes (并发症发生率).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from clingo import Function, Number, String, Tuple_
from zhunru.solver.measures import Context, Subject, read

from zhunru import api
from zhunru.profile import Hospital, parse_profile

BASE = {"id": "h", "name": "测试医院", "location": {"province": "河北省"}}
AS_OF = date(2026, 11, 24)


def _hospital(**fields: Any) -> Hospital:
    return parse_profile({**BASE, **fields}, "test")


def _measure(family: str, key: Any) -> Any:
    return Function("m", [Function(family), key])


def _ctx(hospital: Hospital) -> Context:
    return Context(hospital, AS_OF, api.knowledge_base())


def _hospital_subject(hospital: Hospital) -> Subject:
    return Subject(Function("h"), "hospital", hospital, "", "h")


BEDS = _measure("dept_beds_total", Tuple_([String("心血管内科"), String("心脏大血管外科")]))


def test_beds_are_summed_over_the_named_departments_only() -> None:
    hospital = _hospital(
        departments=[
            {"name": "心血管内科", "beds": 60},
            {"name": "心脏大血管外科", "beds": 40},
            {"name": "胸外科", "beds": 200},
        ]
    )
    reading = read(_hospital_subject(hospital), BEDS, _ctx(hospital))
    assert reading is not None and reading.value == 100 and reading.path == "departments"


def test_beds_unknown_absent_or_undeclared() -> None:
    unknown = _hospital(departments=[{"name": "心血管内科", "beds": 60}, {"name": "心脏大血管外科"}])
    reading = read(_hospital_subject(unknown), BEDS, _ctx(unknown))
    assert reading is not None and reading.value is None and reading.path == "departments[1].beds"
    absent = _hospital(departments=[{"name": "心血管内科", "beds": 60}])
    reading = read(_hospital_subject(absent), BEDS, _ctx(absent))
    assert reading is not None and reading.value == 60
    undeclared = _hospital()
    reading = read(_hospital_subject(undeclared), BEDS, _ctx(undeclared))
    assert reading is not None and reading.value is None


def _recommendation(**fields: Any) -> tuple[Hospital, Subject]:
    rec = {"recommender": "甲", "title": "主任医师", **fields}
    hospital = _hospital(staff=[{"id": "D1", "name": "乙", "role": "physician", "recommendations": [rec]}])
    item = hospital.staff[0].recommendations[0]  # type: ignore[index]
    symbol = Function("rec", [Function("staff", [String("D1")]), Number(0)])
    return hospital, Subject(symbol, "recommendation", item, "staff[0].recommendations[0]", "甲")


def test_recommendation_technology_and_qualification() -> None:
    topic = _measure("topic", String("cardiovascular_intervention"))
    qualified = _measure("qualified", Function("none"))
    hospital, subject = _recommendation(technology="cardiovascular_intervention", qualified=True)
    assert read(subject, topic, _ctx(hospital)).value == 1  # type: ignore[union-attr]
    assert read(subject, qualified, _ctx(hospital)).value == 1  # type: ignore[union-attr]
    hospital, subject = _recommendation(technology="comprehensive_intervention", qualified=False)
    assert read(subject, topic, _ctx(hospital)).value == 0  # type: ignore[union-attr]
    assert read(subject, qualified, _ctx(hospital)).value == 0  # type: ignore[union-attr]
    hospital, subject = _recommendation()
    assert read(subject, topic, _ctx(hospital)).value is None  # type: ignore[union-attr]
    assert read(subject, qualified, _ctx(hospital)).value is None  # type: ignore[union-attr]


AFTER = _measure(
    "months_after_assessment",
    Tuple_([String("cardiovascular_intervention"), Function("any"), String("省级")]),
)


def _support(start: str, assessments: list[dict[str, Any]] | None) -> tuple[Hospital, Subject]:
    hospital = _hospital(
        assessments=assessments,
        supports=[{"technology": "cardiovascular_intervention", "partner": "省医院", "start": start}],
    )
    item = hospital.supports[0]  # type: ignore[index]
    return hospital, Subject(Function("sup", [Number(0)]), "support", item, "supports[0]", "省医院")


def _assessment(day: str, authority: str = "省级", passed: bool = True) -> dict[str, Any]:
    return {"technology": "cardiovascular_intervention", "authority": authority, "date": day, "passed": passed}


def test_support_counts_from_the_later_of_its_start_and_the_assessment() -> None:
    hospital, subject = _support("2020-01-01", [_assessment("2025-11-24")])
    reading = read(subject, AFTER, _ctx(hospital))
    assert reading is not None and reading.value == 12 and reading.path == "supports[0].start"
    hospital, subject = _support("2020-01-01", [_assessment("2025-11-25")])
    assert read(subject, AFTER, _ctx(hospital)).value == 11  # type: ignore[union-attr]
    hospital, subject = _support("2025-01-01", [_assessment("2024-01-01")])
    assert read(subject, AFTER, _ctx(hospital)).value == 22  # type: ignore[union-attr]


def test_support_without_a_qualifying_assessment() -> None:
    for assessments, expected in [
        ([], 0),
        ([_assessment("2024-01-01", authority="市级")], 0),
        ([_assessment("2024-01-01", passed=False)], 0),
        ([_assessment("2027-01-01")], 0),
        ([{"technology": "cardiovascular_intervention", "passed": True}], None),
        (None, None),
    ]:
        hospital, subject = _support("2024-01-01", assessments)
        assert read(subject, AFTER, _ctx(hospital)).value == expected, assessments  # type: ignore[union-attr]


def test_complications_of_any_severity_are_summed_over_the_window() -> None:
    query = Function(
        "q",
        [String("择期血管造影"), Function("any"), Number(0), Function("complications"), Number(1), Function("asof")],
    )
    hospital = _hospital(
        volumes=[
            {"year": 2025, "category": "择期血管造影", "cases": 600, "complications": 3},
            {"year": 2024, "category": "择期血管造影", "cases": 600, "complications": 9},
        ]
    )
    reading = read(_hospital_subject(hospital), _measure("volume", query), _ctx(hospital))
    assert reading is not None and reading.value == 3
    missing = _hospital(volumes=[{"year": 2025, "category": "择期血管造影", "cases": 600}])
    assert read(_hospital_subject(missing), _measure("volume", query), _ctx(missing)).value is None  # type: ignore[union-attr]
