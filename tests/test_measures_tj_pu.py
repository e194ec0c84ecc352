"""The ``document_level`` measure family: the level printed on a hospital's permit.

Added for 天津市系统性产前超声检查技术管理规范 一、（三）
"《母婴保健技术服务执业许可证》或《助产技术许可证》二级及以上".
"""

from __future__ import annotations

from datetime import date
from typing import Any

from clingo import Function, String
from zhunru.solver.measures import FAMILIES, Context, Subject, ladder_of

from zhunru import api
from zhunru.profile import parse_profile


def subject(documents: list[dict[str, Any]] | None) -> tuple[Subject, Context]:
    data = {"id": "h", "name": "h", "location": {"province": "天津市"}, "documents": documents}
    hospital = parse_profile(data, "<test>")
    return Subject(Function("hospital"), "hospital", hospital, "", "h"), Context(
        hospital, date(2026, 11, 24), api.knowledge_base()
    )


def level(documents: list[dict[str, Any]] | None, name: str = "助产技术许可证") -> int | None:
    s, ctx = subject(documents)
    return FAMILIES["hospital"]["document_level"](s, String(name), ctx).value


def test_level_is_a_rank_on_the_hospital_level_ladder() -> None:
    assert level([{"name": "助产技术许可证", "level": "一级"}]) == 1
    assert level([{"name": "助产技术许可证", "level": "三级"}]) == 3
    s, _ = subject([])
    assert ladder_of(s, Function("m", [Function("document_level"), String("x")])) == "hospital_level"


def test_missing_document_is_zero_and_unknown_level_is_undetermined() -> None:
    assert level([{"name": "母婴保健技术服务执业许可证", "level": "二级"}]) == 0
    assert level([{"name": "助产技术许可证"}]) is None
    assert level([{"name": "助产技术许可证", "level": "甲类"}]) is None
    assert level(None) is None
