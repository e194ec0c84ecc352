"""The ``dept_open_beds`` measure family: 实际开放床位 of a named department.

Added for 天津市经皮肾动脉射频消融去交感神经技术管理规范 四、（二）1（2）
"心血管内科实际开放床位数不少于100张", which counts open beds, not 床位.
"""

from __future__ import annotations

from datetime import date

from clingo import Function, String
from zhunru.solver.measures import FAMILIES, Context, Subject

from zhunru import api
from zhunru.profile import parse_profile

HOSPITAL = Function("hospital")


def reading(departments: list[dict[str, object]] | None, name: str) -> tuple[int | None, str]:
    data = {"id": "h", "name": "h", "location": {"province": "天津市"}, "departments": departments}
    hospital = parse_profile(data, "<test>")
    ctx = Context(hospital, date(2026, 11, 24), api.knowledge_base())
    subject = Subject(HOSPITAL, "hospital", hospital, "", "h")
    result = FAMILIES["hospital"]["dept_open_beds"](subject, String(name), ctx)
    return result.value, result.path


def test_open_beds_are_read_from_the_department() -> None:
    assert reading([{"name": "心血管内科", "beds": 60, "open_beds": 110}], "心血管内科") == (
        110,
        "departments[0].open_beds",
    )


def test_open_beds_are_not_the_beds() -> None:
    assert reading([{"name": "心血管内科", "beds": 120}], "心血管内科")[0] is None


def test_absent_department_has_no_open_beds_and_undeclared_list_is_unknown() -> None:
    assert reading([{"name": "内分泌科", "open_beds": 30}], "心血管内科")[0] == 0
    assert reading(None, "心血管内科")[0] is None
