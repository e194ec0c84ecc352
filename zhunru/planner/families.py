"""How each measure family can change: edits of what exists, fields of new members, growth.

Nothing here is written per specification.  A requirement compares a measure
``m(Family, Key)`` of a subject; this module knows, per (subject class, family):

* ``edit`` — the profile edits that give an existing subject a new value
  (register a subject, set ICU beds, add a training record to a physician …);
* ``build`` — how a new member's profile record gets a value (a hire's title,
  a new unit's beds, a training record's months …);
* ``grows`` — whether waiting increases the value by one per month (years of
  operation, experience in an ongoing post, duration of ongoing support).

Families without an entry cannot change: their value is what the profile says
(for a new member, what an empty record reads as).  Which changeable families a
plan may use, and at what price, is the cost file's business, not this module's.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from clingo import Function, Symbol, SymbolType
from zhunru.solver.ladders import rung_name
from zhunru.solver.measures import Context, Subject

from zhunru.edits import Edit, parse_path

PLANNED_BY = "（计划）planned"


@dataclass(frozen=True)
class Change:
    """Everything a family's editor needs: the decoded profile, the plan's date, fresh ids."""

    data: dict[str, Any]
    day: date
    ids: IdMaker


class IdMaker:
    """Fresh ids for new members, never clashing with the profile's own."""

    def __init__(self, data: dict[str, Any]) -> None:
        self.used = set(_ids(data))
        self.counters: dict[str, int] = {}

    def __call__(self, prefix: str) -> str:
        while True:
            self.counters[prefix] = self.counters.get(prefix, 0) + 1
            candidate = f"new-{prefix}-{self.counters[prefix]}"
            if candidate not in self.used:
                self.used.add(candidate)
                return candidate


def _ids(node: Any) -> list[str]:
    found: list[str] = []
    if isinstance(node, dict):
        if isinstance(node.get("id"), str):
            found.append(node["id"])
        for value in node.values():
            found.extend(_ids(value))
    elif isinstance(node, list):
        for item in node:
            found.extend(_ids(item))
    return found


# --- paths -----------------------------------------------------------------------------


def resolve(data: dict[str, Any], path: str) -> Any:
    """The node at an index path such as ``units[1].equipment[0]`` ("" is the profile)."""
    node: Any = data
    for part in parse_path(path) if path else []:
        node = node[part] if isinstance(part, int) or isinstance(node, dict) else None
    return node


def readable(data: dict[str, Any], path: str) -> str:
    """``units[1].equipment[0]`` → ``units[icu-1].equipment[mon-1]`` (elements by id or name)."""
    if not path:
        return ""
    node: Any = data
    out = ""
    for part in parse_path(path):
        if isinstance(part, int):
            item = node[part]
            label = item.get("id") or item.get("name") or item.get("statement") if isinstance(item, dict) else None
            out += f"[{label}]" if isinstance(label, str) and "]" not in label and "." not in label else f"[{part}]"
            node = item
        else:
            out += f".{part}" if out else part
            node = node.get(part) if isinstance(node, dict) else None
    return out


def join(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name


# --- editors of existing subjects ----------------------------------------------------------


def _text(symbol: Symbol) -> str:
    return symbol.string if symbol.type == SymbolType.String else str(symbol)


def _flag_list(attribute: str) -> Editor:
    """A name in a list (registered subjects, capabilities, practice scopes)."""

    def edit(c: Change, s: Subject, key: Symbol, value: int, path: str, ladder: str | None) -> list[Edit]:
        items = resolve(c.data, s.path).get(attribute) or []
        name = _text(key)
        if value and name not in items:
            return [Edit("add", join(path, attribute), name)]
        if not value and name in items:
            return [Edit("remove", join(path, f"{attribute}[{items.index(name)}]"))]
        return []

    return edit


def _set_field(attribute: str, convert: Callable[[int, str | None], Any]) -> Editor:
    def edit(c: Change, s: Subject, key: Symbol, value: int, path: str, ladder: str | None) -> list[Edit]:
        return [Edit("set", join(path, attribute), convert(value, ladder))]

    return edit


def _as_bool(value: int, ladder: str | None) -> bool:
    return bool(value)


def _as_int(value: int, ladder: str | None) -> int:
    return value


def _as_rung(value: int, ladder: str | None) -> str:
    assert ladder is not None
    return rung_name(ladder, value)


def _dict_entry(attribute: str, convert: Callable[[int, str | None], Any]) -> Editor:
    """A key of a mapping field (features, ratings)."""

    def edit(c: Change, s: Subject, key: Symbol, value: int, path: str, ladder: str | None) -> list[Edit]:
        current = resolve(c.data, s.path).get(attribute)
        if current is None:
            return [Edit("set", join(path, attribute), {_text(key): convert(value, ladder)})]
        return [Edit("set", join(path, f"{attribute}.{_text(key)}"), convert(value, ladder))]

    return edit


def _department(attribute: str | None, convert: Callable[[int, str | None], Any]) -> Editor:
    """A department's existence, form or beds: set the field, or set the department up."""

    def edit(c: Change, s: Subject, key: Symbol, value: int, path: str, ladder: str | None) -> list[Edit]:
        name = key.string if key.type == SymbolType.String else key.arguments[0].string
        departments = c.data.get("departments") or []
        found = [i for i, d in enumerate(departments) if d.get("name") == name]
        if attribute is None:
            if value and not found:
                return [Edit("add", "departments", {"name": name})]
            return [Edit("remove", f"departments[{found[0]}]")] if not value and found else []
        if found:
            return [Edit("set", f"departments[{name}].{attribute}", convert(value, ladder))]
        return [Edit("add", "departments", {"name": name, attribute: convert(value, ladder)})]

    return edit


def _attestation(c: Change, s: Subject, key: Symbol, value: int, path: str, ladder: str | None) -> list[Edit]:
    statement = key.name
    record = {"statement": statement, "holds": bool(value), "by": PLANNED_BY, "date": c.day.isoformat()}
    items = resolve(c.data, s.path).get("attestations") or []
    if any(item.get("statement") == statement for item in items):
        return [Edit("set", join(path, f"attestations[{statement}]"), record)]
    return [Edit("add", join(path, "attestations"), record)]


def _assessment_record(key: Symbol, day: date) -> dict[str, Any]:
    topic, scope, authority = key.arguments
    record: dict[str, Any] = {"technology": _text(topic), "date": day.isoformat(), "passed": True}
    if scope.type == SymbolType.String:
        record["scope"] = scope.string
    if authority.type == SymbolType.String:
        record["authority"] = authority.string
    return record


def _assessment(c: Change, s: Subject, key: Symbol, value: int, path: str, ladder: str | None) -> list[Edit]:
    return [Edit("add", join(path, "assessments"), _assessment_record(key, c.day))] if value else []


def _filing(c: Change, s: Subject, key: Symbol, value: int, path: str, ladder: str | None) -> list[Edit]:
    topic, scope = key.arguments
    record = {"technology": _text(topic), "scope": _text(scope), "date": c.day.isoformat()}
    return [Edit("add", join(path, "filings"), record)] if value else []


def _training(c: Change, s: Subject, key: Symbol, value: int, path: str, ladder: str | None) -> list[Edit]:
    record = {"topic": key.string, "path": "base", "passed": True, "assessed_on": c.day.isoformat()}
    return [Edit("add", join(path, "trainings"), record)] if value else []


Editor = Callable[[Change, Subject, Symbol, int, str, str | None], list[Edit]]

EDITORS: dict[tuple[str, str], Editor] = {
    ("hospital", "level"): _set_field("level", _as_rung),
    ("hospital", "grade"): _set_field("grade", _as_rung),
    ("hospital", "subject"): _flag_list("subjects"),
    ("hospital", "capability"): _flag_list("capabilities"),
    ("hospital", "dept"): _department(None, _as_int),
    ("hospital", "dept_form"): _department("form", lambda v, ladder: _as_rung(v, "department_form")),
    ("hospital", "dept_beds"): _department("beds", _as_int),
    ("hospital", "dept_open_beds"): _department("open_beds", _as_int),
    ("hospital", "filed"): _filing,
    ("hospital", "assessment_passed"): _assessment,
    ("hospital", "attest"): _attestation,
    ("unit", "feature"): _dict_entry("features", _as_bool),
    ("unit", "clean_grade"): _set_field("clean_grade", _as_rung),
    ("unit", "beds"): _set_field("beds", _as_int),
    ("unit", "area_per_bed"): _set_field("area_per_bed_m2", lambda v, ladder: v / 100),
    ("unit", "attest"): _attestation,
    ("equipment", "feature"): _dict_entry("features", _as_bool),
    ("equipment", "rating"): _dict_entry("ratings", _as_int),
    ("staff", "in_service"): _set_field("in_service", _as_bool),
    ("staff", "main_site_here"): _set_field("main_site_here", _as_bool),
    ("staff", "registered_here"): _set_field("registered_here", _as_bool),
    ("staff", "scope"): _flag_list("scopes"),
    ("staff", "trained"): _training,
    ("staff", "assessment_passed"): _assessment,
    ("staff", "attest"): _attestation,
}
"""(subject class, family) → the edits that give an existing subject a value.

Devices are not bought through a measure: ``m(equipment, K)`` counts equipment
members, and a plan adds devices as members (:data:`COUNTED_BY`), so that a device
bought for a count is also counted by every ``count``/``forall`` over its list.
"""

COUNTED_BY: dict[tuple[str, str], str] = {
    ("hospital", "equipment"): "equipment",
    ("unit", "equipment"): "equipment",
}
"""(subject class, family) → the member class whose members of kind ``Key`` the measure counts."""

RECORD_LISTS: dict[tuple[str, str], str] = {("staff", "trained"): "training"}
"""(subject class, family) → the member class of the record the family's editor adds (declaring its list)."""


def _trained_by(key: Symbol) -> list[Symbol]:
    return [Function("m", [Function("topic"), key]), Function("m", [Function("passed"), Function("none")])]


RAISED_BY: dict[tuple[str, str], tuple[str, Callable[[Symbol], list[Symbol]]]] = {
    ("staff", "trained"): ("training", _trained_by),
}
"""(holder class, flag family) → the class of the holder's members that raise the flag to 1, and, for a key,
the member measures that must all be 1 for it: a training record with topic T that was passed makes its
holder trained in T (``m(trained, T)``), whatever else the holder's records say."""


def _featured_by(key: Symbol) -> tuple[str, Symbol]:
    kind, feature = key.arguments
    return kind.string, Function("m", [Function("feature"), feature])


SUMMED_FLAGS: dict[tuple[str, str], tuple[str, Callable[[Symbol], tuple[str, Symbol]]]] = {
    ("hospital", "equipment_featured"): ("equipment", _featured_by),
}
"""(subject class, family) → the member class it sums over and, for a key, the members' kind and the
0/1 measure of a member whose 1 adds the member's quantity: ``m(equipment_featured, (K, F))`` sums the
devices of kind K with feature F (a device bought, or upgraded, with F counts)."""

_ADD_ONLY = {
    ("hospital", "filed"),
    ("hospital", "assessment_passed"),
    ("staff", "trained"),
    ("staff", "assessment_passed"),
}
_FLAG_LISTS = {("hospital", "subject"), ("hospital", "capability"), ("hospital", "dept"), ("staff", "scope")}
"""Names in a list: with the list undeclared the reading is unknown, and removing a name changes nothing."""


def reachable(cls: str, family: str, current: int | None, value: int | None) -> bool:
    """Whether the family's editor can bring the reading from ``current`` to ``value``.

    Editors that only add a record cannot make a reading 0 (or known 0); removing a name
    from an undeclared list leaves the reading unknown.
    """
    if value or value == current:
        return True
    if (cls, family) in _ADD_ONLY:
        return False
    return not ((cls, family) in _FLAG_LISTS and current is None)


# --- new members -----------------------------------------------------------------------------


def blank_member(cls: str, kind: str, ident: str, role: str | None) -> dict[str, Any] | None:
    """The profile record of a new member before any attribute is chosen (``None``: cannot add)."""
    if cls in ("staff", "dedicated_staff"):
        label = {"physician": "医师", "nurse": "护士", "technician": "技师"}[role or "physician"]
        return {
            "id": ident,
            "name": f"拟聘{label}{ident.rsplit('-', 1)[-1]}",
            "role": role or "physician",
            "licence": True,
            "in_service": True,
            "main_site_here": True,
            "registered_here": True,
            **{name: [] for name in _STAFF_LISTS},
        }
    if cls == "unit":
        return {"id": ident, "kind": kind, "equipment": [], "attestations": []}
    if cls == "equipment":
        return {"id": ident, "kind": kind, "quantity": 1}
    if cls == "training":  # passed: false until a plan passes it (never left unknown)
        return {"topic": "-", "path": kind, "cases": [], "passed": False}
    return None


_STAFF_LISTS = (
    "scopes",
    "titles",
    "experience",
    "trainings",
    "cases",
    "incidents",
    "recommendations",
    "attestations",
    "assessments",
    "assignments",
)


def _is_now(ref: Symbol) -> bool:
    return ref.type == SymbolType.Function and ref.name in ("asof", "none")


Builder = Callable[[dict[str, Any], Symbol, int, date, str | None], None]


def _b_list(attribute: str) -> Builder:
    def build(member: dict[str, Any], key: Symbol, value: int, day: date, ladder: str | None) -> None:
        if value:
            member.setdefault(attribute, []).append(_text(key))

    return build


def _b_equal(attribute: str) -> Builder:
    def build(member: dict[str, Any], key: Symbol, value: int, day: date, ladder: str | None) -> None:
        if value:
            member[attribute] = _text(key)

    return build


def _b_field(attribute: str, convert: Callable[[int, str | None], Any]) -> Builder:
    def build(member: dict[str, Any], key: Symbol, value: int, day: date, ladder: str | None) -> None:
        member[attribute] = convert(value, ladder)

    return build


def _b_title(member: dict[str, Any], key: Symbol, value: int, day: date, ladder: str | None) -> None:
    if value > 0:
        assert ladder is not None
        member["titles"] = [{"title": rung_name(ladder, value), "obtained": day.isoformat()}]


def _b_experience(member: dict[str, Any], key: Symbol, value: int, day: date, ladder: str | None) -> None:
    if value <= 0:
        return
    field = key.arguments[0].string
    start = _months_before(day, value)
    periods = member.setdefault("experience", [])
    for period in periods:
        if period["field"] == field:
            period["start"] = min(period["start"], start.isoformat())
            return
    periods.append({"field": field, "start": start.isoformat()})


def _months_before(day: date, months: int) -> date:
    total = day.year * 12 + day.month - 1 - months
    year, month = divmod(total, 12)
    return date(year, month + 1, 1) if day.day > 28 else date(year, month + 1, day.day)


def _b_trained(member: dict[str, Any], key: Symbol, value: int, day: date, ladder: str | None) -> None:
    if value:
        member.setdefault("trainings", []).append({"topic": key.string, "path": "base", "passed": True})


def _b_assessment(member: dict[str, Any], key: Symbol, value: int, day: date, ladder: str | None) -> None:
    if value:
        member.setdefault("assessments", []).append(_assessment_record(key, day))


def _b_attest(member: dict[str, Any], key: Symbol, value: int, day: date, ladder: str | None) -> None:
    record = {"statement": key.name, "holds": bool(value), "by": PLANNED_BY, "date": day.isoformat()}
    member.setdefault("attestations", []).append(record)


def _b_dict(attribute: str, convert: Callable[[int, str | None], Any]) -> Builder:
    def build(member: dict[str, Any], key: Symbol, value: int, day: date, ladder: str | None) -> None:
        member.setdefault(attribute, {})[_text(key)] = convert(value, ladder)

    return build


def _b_course_cases(member: dict[str, Any], key: Symbol, value: int, day: date, ladder: str | None) -> None:
    role, grade = key.arguments
    if value > 0:
        member.setdefault("cases", []).append({"role": role.string, "min_grade": grade.number, "count": value})


def _b_document(member: dict[str, Any], key: Symbol, value: int, day: date, ladder: str | None) -> None:
    documents = member.setdefault("certificates", [])  # declared: a document not chosen is not held
    if value:
        documents.append({"name": _text(key)})


@dataclass(frozen=True)
class Attribute:
    build: Builder
    settable: Callable[[Symbol], bool] = lambda key: True
    exclusive: bool = False  # at most one key of the family may hold (a record has one topic)


ATTRIBUTES: dict[tuple[str, str], Attribute] = {
    ("staff", "scope"): Attribute(_b_list("scopes")),
    ("staff", "category"): Attribute(_b_equal("category"), exclusive=True),
    ("staff", "title"): Attribute(_b_title, settable=_is_now),
    ("staff", "exp_months"): Attribute(_b_experience, settable=lambda key: _is_now(key.arguments[1])),
    ("staff", "continuous_months"): Attribute(_b_experience, settable=lambda key: _is_now(key.arguments[1])),
    ("staff", "trained"): Attribute(_b_trained),
    ("staff", "assessment_passed"): Attribute(_b_assessment),
    ("staff", "attest"): Attribute(_b_attest),
    ("training", "topic"): Attribute(_b_equal("topic"), exclusive=True),
    ("training", "scope"): Attribute(_b_equal("scope"), exclusive=True),
    ("training", "authority"): Attribute(_b_field("authority", _as_rung)),
    ("training", "months"): Attribute(_b_field("months", _as_int)),
    ("training", "theory_hours"): Attribute(_b_field("theory_hours", _as_int)),
    ("training", "course_cases"): Attribute(_b_course_cases),
    ("training", "passed"): Attribute(_b_field("passed", _as_bool)),
    ("training", "certificate"): Attribute(_b_field("certificate", _as_bool)),
    ("unit", "feature"): Attribute(_b_dict("features", _as_bool)),
    ("unit", "clean_grade"): Attribute(_b_field("clean_grade", _as_rung)),
    ("unit", "beds"): Attribute(_b_field("beds", _as_int)),
    ("unit", "area_per_bed"): Attribute(_b_field("area_per_bed_m2", lambda v, ladder: v / 100)),
    ("unit", "attest"): Attribute(_b_attest),
    ("equipment", "feature"): Attribute(_b_dict("features", _as_bool)),
    ("equipment", "rating"): Attribute(_b_dict("ratings", _as_int)),
    ("equipment", "document"): Attribute(_b_document),
}
"""(class of the new member, family) → how the member's record gets a value."""


# --- waiting ---------------------------------------------------------------------------------


def _activity_grows(s: Subject, key: Symbol, ctx: Context) -> bool:
    name, ref = key.arguments
    return _is_now(ref) and any(a.name == name.string for a in s.obj.activities or [])


def _experience_grows(s: Subject, key: Symbol, ctx: Context) -> bool:
    field, ref = key.arguments
    return _is_now(ref) and any(p.field == field.string and p.end is None for p in s.obj.experience or [])


def _support_grows(s: Subject, key: Symbol, ctx: Context) -> bool:
    return _is_now(key) and (s.obj.end is None or s.obj.end > ctx.as_of)


GROWS: dict[tuple[str, str], Callable[[Subject, Symbol, Context], bool]] = {
    ("hospital", "activity_months"): _activity_grows,
    ("staff", "exp_months"): _experience_grows,
    ("staff", "continuous_months"): _experience_grows,
    ("support", "months"): _support_grows,
}
"""(subject class, family) → whether the value grows by one each month from the as-of date."""
