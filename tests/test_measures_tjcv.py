"""Measure families added for the Tianjin specifications: summed open beds, training cases by category."""

from __future__ import annotations

from datetime import date

from clingo import Function, String, Tuple_
from zhunru.solver.measures import Context, Subject, read

from zhunru import api
from zhunru.profile import parse_profile

BASE = {"id": "h", "name": "测试医院", "location": {"province": "天津市"}}


def _hospital(**fields: object):  # type: ignore[no-untyped-def]
    return parse_profile({**BASE, **fields}, "test")


def _measure(family: str, key):  # type: ignore[no-untyped-def]
    return Function("m", [Function(family), key])


def _ctx(hospital) -> Context:  # type: ignore[no-untyped-def]
    return Context(hospital, date(2026, 11, 24), api.knowledge_base())


def test_open_beds_are_summed_over_the_named_departments_only() -> None:
    hospital = _hospital(
        departments=[
            {"name": "心血管内科", "open_beds": 70},
            {"name": "心脏大血管外科", "open_beds": 30},
            {"name": "胸外科", "open_beds": 25},
        ]
    )
    subject = Subject(Function("h"), "hospital", hospital, "", "h")
    pair = _measure("dept_open_beds_total", Tuple_([String("心血管内科"), String("心脏大血管外科")]))
    reading = read(subject, pair, _ctx(hospital))
    assert reading is not None and reading.value == 100


def test_open_beds_unknown_or_department_absent() -> None:
    pair = _measure("dept_open_beds_total", Tuple_([String("心血管内科"), String("胸外科")]))
    unknown = _hospital(departments=[{"name": "心血管内科", "open_beds": 70}, {"name": "胸外科"}])
    reading = read(Subject(Function("h"), "hospital", unknown, "", "h"), pair, _ctx(unknown))
    assert reading is not None and reading.value is None and reading.path == "departments[1].open_beds"
    absent = _hospital(departments=[{"name": "心血管内科", "open_beds": 70}])
    reading = read(Subject(Function("h"), "hospital", absent, "", "h"), pair, _ctx(absent))
    assert reading is not None and reading.value == 70
    undeclared = _hospital()
    reading = read(Subject(Function("h"), "hospital", undeclared, "", "h"), pair, _ctx(undeclared))
    assert reading is not None and reading.value is None


def test_training_cases_are_counted_by_role_and_category() -> None:
    hospital = _hospital(
        staff=[
            {
                "id": "D1",
                "name": "甲",
                "role": "physician",
                "trainings": [
                    {
                        "topic": "cardiovascular_intervention",
                        "path": "base",
                        "cases": [
                            {"role": "独立完成", "category": "冠状动脉造影", "count": 30},
                            {"role": "独立完成", "category": "冠状动脉造影", "count": 20},
                            {"role": "参与", "category": "冠状动脉造影", "count": 99},
                            {"role": "独立完成", "count": 99},
                        ],
                    }
                ],
            }
        ]
    )
    training = hospital.staff[0].trainings[0]  # type: ignore[index]
    subject = Subject(Function("train"), "training", training, "staff[0].trainings[0]", "t")
    key = Tuple_([String("独立完成"), String("冠状动脉造影")])
    reading = read(subject, _measure("course_cases_in", key), _ctx(hospital))
    assert reading is not None and reading.value == 50
