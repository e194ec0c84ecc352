"""The measure families added for the Jilin 2022 specifications and notice (``jl_*``)."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from clingo import Function, String, parse_term
from zhunru.solver.kb import KnowledgeBase
from zhunru.solver.measures import Context, Subject, read

from zhunru.profile import parse_profile

AS_OF = date(2026, 11, 24)


@pytest.fixture(scope="module")
def kb() -> KnowledgeBase:
    return KnowledgeBase.load()


def hospital(**fields: Any) -> Any:
    base = {"id": "h", "name": "测试医院", "location": {"province": "吉林省"}}
    return parse_profile({**base, **fields}, "test")


def reading(kb: KnowledgeBase, profile: Any, measure: str, staff: int | None = None) -> int | None:
    ctx = Context(profile, AS_OF, kb)
    if staff is None:
        subject = Subject(Function("h"), "hospital", profile, "", profile.name)
    else:
        member = profile.staff[staff]
        subject = Subject(Function("staff", [String(member.id)]), "staff", member, f"staff[{staff}]", member.name)
    result = read(subject, parse_term(measure), ctx)
    assert result is not None
    return result.value


def test_hospital_type_and_specialty(kb: KnowledgeBase) -> None:
    general = hospital(type="综合")
    dental = hospital(type="专科", specialty="口腔")
    assert reading(kb, general, 'm(hospital_type, "综合")') == 1
    assert reading(kb, dental, 'm(hospital_type, "综合")') == 0
    assert reading(kb, hospital(), 'm(hospital_type, "综合")') is None
    assert reading(kb, dental, 'm(specialty_hospital, "口腔")') == 1
    assert reading(kb, general, 'm(specialty_hospital, "口腔")') == 0


def test_bed_pool(kb: KnowledgeBase) -> None:
    assert reading(kb, hospital(bed_pools={"烧伤科和整形外科": 30}), 'm(bed_pool, "烧伤科和整形外科")') == 30
    assert reading(kb, hospital(bed_pools={}), 'm(bed_pool, "烧伤科和整形外科")') == 0
    assert reading(kb, hospital(), 'm(bed_pool, "烧伤科和整形外科")') is None


def test_lowest_year_of_a_window(kb: KnowledgeBase) -> None:
    volumes = [{"year": y, "category": "肿瘤热疗", "cases": n} for y, n in [(2023, 240), (2024, 199), (2025, 300)]]
    measure = 'm(volume_min_year, q("肿瘤热疗", any, 0, cases, 3, asof))'
    assert reading(kb, hospital(volumes=volumes), measure) == 199
    assert reading(kb, hospital(volumes=volumes[1:]), measure) == 0  # 2023 has no cases
    assert reading(kb, hospital(), measure) is None
    staff = [
        {
            "id": "P1",
            "name": "甲",
            "role": "physician",
            "cases": [{"year": y, "category": "修复", "role": "术者", "cases": 150} for y in (2023, 2024, 2025)]
            + [{"year": 2024, "category": "修复", "role": "助手", "cases": 90}],
        }
    ]
    assert (
        reading(kb, hospital(staff=staff), 'm(cases_min_year, q("修复", any, 0, "术者", cases, 3, asof))', 0) == 150
    )


def test_quality_indicator_scaled_numerator(kb: KnowledgeBase) -> None:
    indicators = [
        {"year": 2025, "name": "麻醉开始后24小时内死亡率", "numerator": 2, "denominator": 2000},
        {"year": 2024, "name": "麻醉开始后24小时内死亡率", "numerator": 9, "denominator": 10},
    ]
    profile = hospital(quality_indicators=indicators)
    assert reading(kb, profile, 'm(quality_num, ("麻醉开始后24小时内死亡率", 1000))') == 2000
    assert reading(kb, profile, 'm(quality_den, "麻醉开始后24小时内死亡率")') == 2000
    assert reading(kb, profile, 'm(quality_den, "治愈率")') is None


def test_filing_and_idle_months(kb: KnowledgeBase) -> None:
    filed = hospital(filings=[{"technology": "x", "date": "2023-01-01", "last_performed": "2024-11-24"}])
    assert reading(kb, filed, 'm(filed_any, "x")') == 1
    assert reading(kb, filed, 'm(filed_any, "y")') == 0
    assert reading(kb, filed, 'm(idle_months, "x")') == 24
    unknown = hospital(filings=[{"technology": "x", "date": "2023-01-01"}])
    assert reading(kb, unknown, 'm(idle_months, "x")') is None
    assert reading(kb, hospital(filings=[]), 'm(idle_months, "x")') is None
    assert reading(kb, hospital(), 'm(filed_any, "x")') is None


def test_experience_in_any_of_several_fields_counts_overlaps_once(kb: KnowledgeBase) -> None:
    staff = [
        {
            "id": "P1",
            "name": "甲",
            "role": "physician",
            "experience": [
                {"field": "烧伤", "start": "2010-11-24", "end": "2016-11-24"},
                {"field": "整形", "start": "2014-11-24", "end": "2020-11-24"},
                {"field": "内科", "start": "2000-01-01"},
            ],
        }
    ]
    measure = 'm(exp_any_months, (("烧伤", "整形"), asof))'
    assert reading(kb, hospital(staff=staff), measure, 0) == 120


def test_staff_role_and_department_physicians(kb: KnowledgeBase) -> None:
    staff = [
        {
            "id": "P1",
            "name": "甲",
            "role": "physician",
            "roles": ["技术负责人"],
            "specialty": "口腔颌面外科",
            "titles": [{"title": "主治医师"}],
        },
        {"id": "P2", "name": "乙", "role": "physician", "specialty": "口腔颌面外科", "titles": [{"title": "住院医师"}]},
        {"id": "N1", "name": "丙", "role": "nurse", "specialty": "口腔颌面外科"},
    ]
    profile = hospital(staff=staff)
    assert reading(kb, profile, 'm(role, "技术负责人")', 0) == 1
    assert reading(kb, profile, 'm(role, "技术负责人")', 1) == 0
    assert reading(kb, profile, 'm(dept_physicians, ("口腔颌面外科", none))') == 2
    assert reading(kb, profile, 'm(dept_physicians, ("口腔颌面外科", "主治医师"))') == 1
