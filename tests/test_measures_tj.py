"""Measure families added for the Tianjin 2019 specifications (dental implant, hyperbaric oxygen).

hospital_type / hospital_specialty, equipment_featured, document (hospital, staff,
equipment), seats (unit), role and cme_credits (staff), weeks (training).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from clingo import Function, String, Symbol
from zhunru.solver.measures import Context, Subject, read

from zhunru import api
from zhunru.profile import parse_profile

AS_OF = date(2026, 11, 24)


def measure(family: str, key: Symbol) -> Symbol:
    return Function("m", [Function(family), key])


def hospital(**fields: Any) -> Any:
    data = {"id": "h", "name": "h", "location": {"province": "天津市"}, **fields}
    return parse_profile(data, "<test>")


def reading(subject: Subject, family: str, key: Symbol, h: Any) -> int | None:
    result = read(subject, measure(family, key), Context(h, AS_OF, api.knowledge_base()))
    assert result is not None
    return result.value


def test_hospital_type_and_specialty() -> None:
    h = hospital(type="专科", specialty="口腔")
    s = Subject(Function("h"), "hospital", h, "", "h")
    assert reading(s, "hospital_type", String("专科"), h) == 1
    assert reading(s, "hospital_type", String("综合"), h) == 0
    assert reading(s, "hospital_specialty", String("口腔"), h) == 1
    unknown = hospital()
    s = Subject(Function("h"), "hospital", unknown, "", "h")
    assert reading(s, "hospital_type", String("专科"), unknown) is None


def test_equipment_featured_sums_quantities_of_the_kind_with_the_feature() -> None:
    chairs = String("口腔综合治疗台"), String("用于口腔种植治疗")
    key = Function("", list(chairs))
    h = hospital(
        equipment=[{"id": "a", "kind": "口腔综合治疗台", "quantity": 30, "features": {"用于口腔种植治疗": False}}],
        units=[
            {
                "id": "r",
                "kind": "口腔种植治疗间",
                "equipment": [
                    {"id": "b", "kind": "口腔综合治疗台", "quantity": 5, "features": {"用于口腔种植治疗": True}}
                ],
            }
        ],
    )
    s = Subject(Function("h"), "hospital", h, "", "h")
    assert reading(s, "equipment_featured", key, h) == 5
    undeclared = hospital(equipment=[{"id": "a", "kind": "口腔综合治疗台", "quantity": 3}])
    s = Subject(Function("h"), "hospital", undeclared, "", "h")
    assert reading(s, "equipment_featured", key, undeclared) is None


def test_documents_are_valid_through_their_last_day() -> None:
    h = hospital(documents=[{"name": "医用氧舱使用证", "valid_until": "2026-11-24"}])
    s = Subject(Function("h"), "hospital", h, "", "h")
    assert reading(s, "document", String("医用氧舱使用证"), h) == 1
    assert reading(s, "document", String("母婴保健技术服务执业许可证"), h) == 0
    expired = hospital(documents=[{"name": "医用氧舱使用证", "valid_until": "2026-11-23"}])
    s = Subject(Function("h"), "hospital", expired, "", "h")
    assert reading(s, "document", String("医用氧舱使用证"), expired) == 0
    s = Subject(Function("h"), "hospital", hospital(), "", "h")
    assert reading(s, "document", String("医用氧舱使用证"), hospital()) is None


def staff_subject(**fields: Any) -> tuple[Subject, Any]:
    member = {"id": "D1", "name": "d", "role": "physician", **fields}
    h = hospital(staff=[member])
    return Subject(Function("staff", [String("D1")]), "staff", h.staff[0], "staff[0]", "d"), h


def test_staff_role_document_and_cme_credits() -> None:
    s, h = staff_subject(
        roles=["使用射线装置"],
        documents=[{"name": "放射工作人员证", "valid_until": "2030-01-01"}],
        trainings=[
            {"topic": "口腔种植学", "path": "cme", "credits": 25},
            {"topic": "口腔种植学", "path": "cme", "credits": 15},
            {"topic": "口腔种植学", "path": "base", "credits": 99},
        ],
    )
    assert reading(s, "role", String("使用射线装置"), h) == 1
    assert reading(s, "role", String("技术负责人"), h) == 0
    assert reading(s, "document", String("放射工作人员证"), h) == 1
    assert reading(s, "cme_credits", String("口腔种植学"), h) == 40
    s, h = staff_subject(trainings=[{"topic": "口腔种植学", "path": "cme"}])
    assert reading(s, "cme_credits", String("口腔种植学"), h) is None
    s, h = staff_subject()
    assert reading(s, "cme_credits", String("口腔种植学"), h) is None
    assert reading(s, "document", String("放射工作人员证"), h) is None


def test_training_weeks_from_dates_or_months() -> None:
    s, h = staff_subject(
        trainings=[
            {"topic": "t", "path": "base", "start": "2022-05-02", "end": "2022-05-16"},
            {"topic": "t", "path": "base", "start": "2022-05-02", "end": "2022-05-15"},
            {"topic": "t", "path": "base", "months": 3},
            {"topic": "t", "path": "base"},
        ]
    )
    records = h.staff[0].trainings
    values = [
        reading(
            Subject(Function("train", [s.symbol, Function("", [])]), "training", t, "t", "t"),
            "weeks",
            Function("none"),
            h,
        )
        for t in records
    ]
    assert values == [2, 1, 12, None]


def test_unit_seats() -> None:
    h = hospital(units=[{"id": "c", "kind": "空气加压舱", "seats": 12}, {"id": "d", "kind": "空气加压舱"}])
    values = [
        reading(Subject(Function("unit", [String(u.id)]), "unit", u, "u", u.id), "seats", Function("none"), h)
        for u in h.units
    ]
    assert values == [12, None]
