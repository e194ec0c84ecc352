"""The measure family added for the Jilin 2022 S05 颅颌面畸形颅面外科矫治 (``status``)."""

from __future__ import annotations

from datetime import date

from clingo import Function, String, parse_term
from zhunru.solver.kb import KnowledgeBase
from zhunru.solver.measures import Context, Subject, read

from zhunru.profile import parse_profile

AS_OF = date(2026, 11, 24)


def status_reading(status: str | None) -> int | None:
    item = {"id": "saw-1", "kind": "微动力截骨系统"}
    if status is not None:
        item["status"] = status
    profile = parse_profile(
        {"id": "h", "name": "测试医院", "location": {"province": "吉林省"}, "equipment": [item]}, "test"
    )
    equipment = profile.equipment[0]
    subject = Subject(Function("equip", [String("saw-1")]), "equipment", equipment, "equipment[0]", "saw-1")
    result = read(subject, parse_term('m(status, "正常运行")'), Context(profile, AS_OF, KnowledgeBase.load()))
    assert result is not None
    return result.value


def test_equipment_status_running() -> None:
    assert status_reading("正常运行") == 1


def test_equipment_status_out_of_use_or_under_repair() -> None:
    assert status_reading("停用") == 0
    assert status_reading("维修") == 0


def test_equipment_status_undeclared_is_unknown() -> None:
    assert status_reading(None) is None
