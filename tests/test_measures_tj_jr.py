"""Measure families added for 天津市人工关节置换技术管理规范 四、（一）5.

* ``title_months``: "取得副主任医师专业技术职务任职资格满5年" — months a title (or a higher
  one) has been held on a reference date;
* ``cases_in_hospital_type`` / ``cases_each_year_in_hospital_type``: "近3年在综合医院…每年
  不少于50例或近3年在肿瘤专科医院…不少于10例" — case sums restricted to the type of
  hospital where the cases were done.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from clingo import Function, Number, String
from zhunru.solver.measures import FAMILIES, Context, Subject

from zhunru import api
from zhunru.profile import parse_profile

AS_OF = date(2026, 11, 24)


def staff_reading(family: str, key: Any, **member: Any) -> int | None:
    person = {"id": "D1", "name": "x", "role": member.pop("role", "physician"), **member}
    data = {"id": "h", "name": "h", "location": {"province": "天津市"}, "staff": [person]}
    hospital = parse_profile(data, "<test>")
    ctx = Context(hospital, AS_OF, api.knowledge_base())
    subject = Subject(Function("staff", [String("D1")]), "staff", hospital.staff[0], "staff[0]", "x")
    return FAMILIES["staff"][family](subject, key, ctx).value


def title_key(rung: str, ref: str = "asof") -> Any:
    return Function("", [String(rung), Function(ref)])


def test_title_months_counts_from_the_first_rung_at_or_above() -> None:
    titles = [{"title": "副主任医师", "obtained": "2021-11-24"}, {"title": "主任医师", "obtained": "2024-01-01"}]
    assert staff_reading("title_months", title_key("副主任医师"), titles=titles) == 60
    assert staff_reading("title_months", title_key("主任医师"), titles=titles) == 34
    assert staff_reading("title_months", title_key("副主任医师"), titles=[{"title": "主治医师"}]) == 0


def test_title_months_unknown_without_dates_or_for_another_ladder() -> None:
    assert staff_reading("title_months", title_key("副主任医师"), titles=[{"title": "副主任医师"}]) is None
    assert staff_reading("title_months", title_key("副主任医师"), titles=None) is None
    nurse = {"role": "nurse", "titles": [{"title": "主管护师", "obtained": "2010-01-01"}]}
    assert staff_reading("title_months", title_key("副主任医师"), **nurse) is None


def query(window: int) -> Any:
    return Function(
        "q",
        [
            String("人工关节置换"),
            Function("any"),
            Number(0),
            String("独立完成"),
            Function("cases"),
            Number(window),
            Function("asof"),
        ],
    )


def cases(*rows: tuple[int, str | None, int]) -> list[dict[str, Any]]:
    return [
        {"year": year, "category": "人工关节置换", "role": "独立完成", "hospital_type": kind, "cases": n}
        for year, kind, n in rows
    ]


def test_cases_are_restricted_to_the_type_of_hospital() -> None:
    log = cases((2023, "综合", 60), (2024, "综合", 55), (2025, "综合", 70), (2024, "专科", 9))
    general = Function("", [String("综合"), query(3)])
    special = Function("", [String("专科"), query(3)])
    assert staff_reading("cases_in_hospital_type", general, cases=log) == 185
    assert staff_reading("cases_in_hospital_type", special, cases=log) == 9
    assert staff_reading("cases_each_year_in_hospital_type", general, cases=log) == 55
    assert staff_reading("cases_each_year_in_hospital_type", special, cases=log) == 0


def test_a_record_without_hospital_type_is_unknown() -> None:
    log = cases((2023, "综合", 60), (2024, None, 55), (2025, "综合", 70))
    general = Function("", [String("综合"), query(3)])
    assert staff_reading("cases_in_hospital_type", general, cases=log) is None
    assert staff_reading("cases_each_year_in_hospital_type", general, cases=log) is None
