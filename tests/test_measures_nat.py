"""Measure families added for the national specifications (neurovascular intervention, tumour ablation)."""

from __future__ import annotations

from datetime import date

from clingo import Function, Number, String
from zhunru.solver.measures import Context, Subject, read

from zhunru import api
from zhunru.profile import Incident, Staff, parse_profile

AS_OF = date(2026, 11, 24)


def _context() -> Context:
    hospital = parse_profile({"id": "h", "name": "h", "location": {"province": "河北省"}}, "test")
    return Context(hospital, AS_OF, api.knowledge_base())


def _staff(**fields: object) -> Subject:
    member = Staff.model_validate({"id": "D1", "name": "x", "role": "physician", **fields})
    return Subject(Function("staff", [String("D1")]), "staff", member, "staff[0]", "x")


def _q(role: str, window: int) -> object:
    return Function(
        "q",
        [
            String("神经血管介入"),
            String("治疗"),
            Number(0),
            String(role),
            Function("cases"),
            Number(window),
            Function("asof"),
        ],
    )


def test_discipline_months_sum_over_training_records() -> None:
    subject = _staff(
        trainings=[
            {"topic": "a", "path": "base", "disciplines": {"神经内科": 5}},
            {"topic": "b", "path": "abroad", "disciplines": {"神经内科": 4, "神经外科": 9}},
        ]
    )
    measure = Function("m", [Function("discipline_months"), String("神经内科")])
    assert read(subject, measure, _context()).value == 9
    assert read(_staff(), measure, _context()).value is None


def test_cases_each_year_is_the_lowest_year_of_the_window() -> None:
    records = [
        {"year": y, "category": "神经血管介入", "kind": "治疗", "role": "独立完成", "cases": n}
        for y, n in ((2023, 160), (2024, 150), (2025, 170), (2020, 1))
    ]
    measure = Function("m", [Function("cases_each_year"), _q("独立完成", 3)])
    assert read(_staff(cases=records), measure, _context()).value == 150
    # a year of the window without records counts as zero
    assert read(_staff(cases=records[:2]), measure, _context()).value == 0


def test_scaled_cases_multiply_the_windowed_sum() -> None:
    records = [{"year": 2025, "category": "神经血管介入", "kind": "治疗", "role": "术者", "cases": 7}]
    measure = Function("m", [Function("scaled_cases"), Function("", [_q("术者", 1), Number(10)])])
    assert read(_staff(cases=records), measure, _context()).value == 70


def test_incident_in_window_counts_completed_years_before_the_reference() -> None:
    key = Function("", [Number(3), Function("asof")])
    measure = Function("m", [Function("in_window"), key])
    for when, expected in (
        (date(2023, 1, 1), 1),
        (date(2025, 12, 31), 1),
        (date(2022, 12, 31), 0),
        (date(2026, 1, 1), 0),
    ):
        incident = Incident(type="医疗事故", date=when)
        subject = Subject(Function("inc", [Number(0)]), "incident", incident, "incidents[0]", "x")
        assert read(subject, measure, _context()).value == expected, when


def test_staff_specialty_flag() -> None:
    measure = Function("m", [Function("specialty"), String("神经外科")])
    assert read(_staff(specialty="神经外科"), measure, _context()).value == 1
    assert read(_staff(specialty="神经内科"), measure, _context()).value == 0
    assert read(_staff(), measure, _context()).value is None
