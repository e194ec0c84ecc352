"""Measures: the numbers a requirement compares, computed from a profile.

A measure is the term ``m(Family, Key)`` that a ``cmp``/``ratio`` fact of the
knowledge base names, e.g. ``m(dept_form, "医学影像科")`` or
``m(exp_months, ("综合介入", asof))``.  The knowledge base decides *which*
measures exist and what they are compared with; this module only knows how to
read each family from a profile: durations against the as-of (or another
reference) date, windowed sums of annual case logs, ranks on a ladder, flags.

A reading is ``None`` when the profile does not say (the requirement is then
undetermined) and carries the profile path it came from, so an explanation can
point at the evidence and an undetermined verdict at the field that would
settle it.

Conventions (documented in the README and in the interpretation notes):
* durations are whole calendar months, 本 N 年 = N × 12 months ("5年以上" is met on
  the fifth anniversary);
* "近N年/N年内" is the N calendar years completed before the reference date,
  "每年" the last completed calendar year.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from clingo import Symbol, SymbolType
from zhunru.solver.kb import KnowledgeBase
from zhunru.solver.ladders import ROLE_LADDER, rank

from zhunru.profile import Assessment, Attestation, CaseRecord, Hospital, Period, Staff


@dataclass(frozen=True)
class Reading:
    value: int | None
    path: str
    detail: str = ""


@dataclass
class Subject:
    """Something requirements are evaluated on: the hospital, a unit, a staff member …"""

    symbol: Symbol
    cls: str  # hospital | unit | equipment | staff | training | recommendation | incident | support
    obj: Any
    path: str
    label: str
    owner: Staff | None = None


@dataclass
class Context:
    hospital: Hospital
    as_of: date
    kb: KnowledgeBase

    def ref_date(self, ref: Symbol) -> date:
        """Resolve a reference term: ``asof`` or ``Kind(Spec)`` (a date of the spec)."""
        if ref.type == SymbolType.Function and ref.name == "asof":
            return self.as_of
        spec = self.kb.specs[ref.arguments[0].name]
        return spec.dates[ref.name][0]


# --- date arithmetic -------------------------------------------------------------


def months_between(start: date, end: date) -> int:
    """Whole calendar months from ``start`` to ``end`` (0 if end is before start)."""
    months = (end.year - start.year) * 12 + (end.month - start.month)
    if end.day < start.day:
        months -= 1
    return max(months, 0)


def window_years(ref: date, years: int) -> range:
    """The ``years`` calendar years completed before ``ref``."""
    return range(ref.year - years, ref.year)


def _merged(periods: Iterable[Period], until: date) -> list[tuple[date, date]]:
    spans = sorted((p.start, min(p.end or until, until)) for p in periods if p.start <= until)
    merged: list[tuple[date, date]] = []
    for start, end in spans:
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


# --- helpers ------------------------------------------------------------------------


def _s(symbol: Symbol) -> str:
    return symbol.string if symbol.type == SymbolType.String else str(symbol)


def _join(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name


def _flag(value: bool | None, path: str) -> Reading:
    return Reading(None if value is None else int(value), path)


def _member_of(items: list[str] | None, name: str, path: str) -> Reading:
    if items is None:
        return Reading(None, path)
    return Reading(int(name in items), path)


def _rank(ladder: str, rung: str | None, path: str) -> Reading:
    return Reading(None if rung is None else rank(ladder, rung), path)


def _attestation(attestations: list[Attestation] | None, statement: str, path: str) -> Reading:
    """An attestation answers a statement; none recorded means undetermined, not false."""
    for i, item in enumerate(attestations or []):
        if item.statement == statement:
            when = f", {item.date.isoformat()}" if item.date else ""
            return Reading(int(item.holds), f"{path}.attestations[{i}]", f"{item.by}{when}")
    return Reading(None, f"{path}.attestations" if path else "attestations")


def _assessment_passed(items: list[Assessment] | None, key: tuple[Symbol, ...], path: str, as_of: date) -> Reading:
    topic, scope, authority = key
    if items is None:
        return Reading(None, path)
    unknown = False
    for i, item in enumerate(items):
        if item.technology != _s(topic) or not item.passed:
            continue
        if scope.type == SymbolType.String and item.scope != scope.string:
            continue
        if item.date is not None and item.date > as_of:
            continue
        if authority.type == SymbolType.String:
            if item.authority is None:
                unknown = True
                continue
            if rank("authority", item.authority) < rank("authority", authority.string):
                continue
        return Reading(1, f"{path}[{i}]")
    return Reading(None if unknown else 0, path)


def _case_sum(
    records: list[CaseRecord] | list[Any] | None, query: Symbol, ctx: Context, path: str, role_filter: bool
) -> Reading:
    """Windowed sum over annual case logs: q(Category, Kind, GradeMin, [Role,] Field, Window, Ref)."""
    args = query.arguments
    if role_filter:
        category, kind, grade_min, role, fld, window, ref = args
    else:
        category, kind, grade_min, fld, window, ref = args
        role = None
    if records is None:
        return Reading(None, path)
    years = window_years(ctx.ref_date(ref), window.number)
    total = 0
    for record in records:
        if record.category != category.string or record.year not in years:
            continue
        if role is not None and record.role != role.string:
            continue
        if kind.type == SymbolType.String and record.kind != kind.string:
            if record.kind is None:
                return Reading(None, path, "a record of the window does not say whether it is 诊断 or 治疗")
            continue
        if grade_min.number > 0 and (record.grade is None or record.grade < grade_min.number):
            if record.grade is None:
                return Reading(None, path, "a record of the window has no grade")
            continue
        amount = getattr(record, fld.name)
        if amount is None:
            return Reading(None, path, f"a record of the window has no {fld.name}")
        total += amount
    span = f"{years.start}–{years.stop - 1}" if len(years) > 1 else f"{years.start}"
    return Reading(total, path, span)


# --- families, by subject class -------------------------------------------------------

Family = Callable[[Subject, Symbol, Context], Reading]


def _hospital_level(s: Subject, key: Symbol, ctx: Context) -> Reading:
    return _rank("hospital_level", s.obj.level, "level")


def _hospital_grade(s: Subject, key: Symbol, ctx: Context) -> Reading:
    return _rank("hospital_grade", s.obj.grade, "grade")


def _county(s: Subject, key: Symbol, ctx: Context) -> Reading:
    return _flag(s.obj.location.county_level, "location.county_level")


def _subject_registered(s: Subject, key: Symbol, ctx: Context) -> Reading:
    return _member_of(s.obj.subjects, key.string, "subjects")


def _department(s: Subject, name: str) -> tuple[int, Any] | None:
    for i, dept in enumerate(s.obj.departments or []):
        if dept.name == name:
            return i, dept
    return None


def _dept_exists(s: Subject, key: Symbol, ctx: Context) -> Reading:
    if s.obj.departments is None:
        return Reading(None, "departments")
    found = _department(s, key.string)
    return Reading(int(found is not None), f"departments[{found[0]}]" if found else "departments")


def _dept_attribute(attribute: str, to_value: Callable[[Any], int | None]) -> Family:
    def family(s: Subject, key: Symbol, ctx: Context) -> Reading:
        name = key.string if key.type == SymbolType.String else key.arguments[0].string
        if s.obj.departments is None:
            return Reading(None, "departments")
        found = _department(s, name)
        if found is None:
            return Reading(0, "departments", f"no department {name}")
        i, dept = found
        return Reading(to_value(getattr(dept, attribute)), f"departments[{i}].{attribute}")

    return family


def _activity_months(s: Subject, key: Symbol, ctx: Context) -> Reading:
    name, ref = key.arguments
    if s.obj.activities is None:
        return Reading(None, "activities")
    for i, activity in enumerate(s.obj.activities):
        if activity.name == name.string:
            return Reading(
                months_between(activity.since, ctx.ref_date(ref)), f"activities[{i}].since", activity.since.isoformat()
            )
    return Reading(0, "activities", f"no activity {name.string}")


def _volume(s: Subject, key: Symbol, ctx: Context) -> Reading:
    return _case_sum(s.obj.volumes, key, ctx, "volumes", role_filter=False)


def _capability(s: Subject, key: Symbol, ctx: Context) -> Reading:
    return _member_of(s.obj.capabilities, key.string, "capabilities")


def _equipment_count(s: Subject, key: Symbol, ctx: Context) -> Reading:
    """Items of a kind in the hospital (any unit or none) or in one unit.

    A count found is a lower bound when some equipment list is undeclared, which
    is enough for "at least" requirements; zero with an undeclared list is unknown.
    """
    if s.cls == "unit":
        lists = [("equipment", s.obj.equipment)]
    else:
        lists = [("equipment", s.obj.equipment)]
        lists += [(f"units[{i}].equipment", u.equipment) for i, u in enumerate(s.obj.units or [])]
    total = sum(e.quantity for _, items in lists for e in items or [] if e.kind == key.string)
    undeclared = [path for path, items in lists if items is None]
    where = f"{s.path}.equipment" if s.cls == "unit" else "equipment"
    if total == 0 and undeclared:
        return Reading(None, where)
    return Reading(total, where)


def _region_providers(s: Subject, key: Symbol, ctx: Context) -> Reading:
    topic, scope = key.arguments
    for i, item in enumerate(s.obj.regional_providers or []):
        if item.technology == topic.string and (item.scope or "") == scope.string:
            return Reading(item.qualified_in_district, f"regional_providers[{i}].qualified_in_district")
    return Reading(None, "regional_providers")


def _filed(s: Subject, key: Symbol, ctx: Context) -> Reading:
    topic, scope = key.arguments
    if s.obj.filings is None:
        return Reading(None, "filings")
    for i, item in enumerate(s.obj.filings):
        if (
            item.technology == topic.string
            and item.scope == scope.string
            and (item.date is None or item.date <= ctx.as_of)
        ):
            return Reading(1, f"filings[{i}]")
    return Reading(0, "filings")


def _hospital_assessment(s: Subject, key: Symbol, ctx: Context) -> Reading:
    return _assessment_passed(s.obj.assessments, key.arguments, "assessments", ctx.as_of)


def _catalogue_items(ctx: Context, key: Symbol) -> list[str]:
    spec, grade_min = key.arguments
    return [p.name for p in ctx.kb.catalogue(spec.name) if p.grade >= grade_min.number and not p.open]


def _catalogue_covered(s: Subject, key: Symbol, ctx: Context) -> Reading:
    if s.obj.procedures is None:
        return Reading(None, "procedures")
    covered = set(_catalogue_items(ctx, key)) & set(s.obj.procedures)
    return Reading(len(covered), "procedures")


def _catalogue_reference(s: Subject, key: Symbol, ctx: Context) -> Reading:
    return Reading(len(_catalogue_items(ctx, key)), "(knowledge base: grade catalogue)")


def _attest(s: Subject, key: Symbol, ctx: Context) -> Reading:
    return _attestation(s.obj.attestations, key.name, s.path)


def _feature(s: Subject, key: Symbol, ctx: Context) -> Reading:
    value = s.obj.features.get(key.string)
    return Reading(None if value is None else int(value), f"{s.path}.features.{key.string}")


def _attribute(name: str, scale: int = 1) -> Family:
    def family(s: Subject, key: Symbol, ctx: Context) -> Reading:
        value = getattr(s.obj, name)
        if isinstance(value, bool):
            value = int(value)
        return Reading(None if value is None else round(value * scale), _join(s.path, name))

    return family


def _ranked(name: str, ladder: str) -> Family:
    def family(s: Subject, key: Symbol, ctx: Context) -> Reading:
        return _rank(ladder, getattr(s.obj, name), _join(s.path, name))

    return family


def _rating(s: Subject, key: Symbol, ctx: Context) -> Reading:
    value = s.obj.ratings.get(key.string)
    return Reading(value, f"{s.path}.ratings.{key.string}")


def _staff_scope(s: Subject, key: Symbol, ctx: Context) -> Reading:
    return _member_of(s.obj.scopes, key.string, f"{s.path}.scopes")


def _staff_category(s: Subject, key: Symbol, ctx: Context) -> Reading:
    category = s.obj.category
    return Reading(None if category is None else int(category == key.string), f"{s.path}.category")


def _staff_title(s: Subject, key: Symbol, ctx: Context) -> Reading:
    """The highest title held on the reference date (``none`` key: the current one)."""
    path = f"{s.path}.titles"
    if s.obj.titles is None:
        return Reading(None, path)
    ladder = ROLE_LADDER[s.obj.role]
    on = ctx.as_of if key.type == SymbolType.Function and key.name in ("none", "asof") else ctx.ref_date(key)
    held: list[int] = []
    undated_earlier: list[int] = []
    for record in s.obj.titles:
        value = rank(ladder, record.title)
        if record.obtained is not None:
            if record.obtained <= on:
                held.append(value)
        elif on >= ctx.as_of:
            held.append(value)  # a declared title without a date is held now
        else:
            undated_earlier.append(value)
    best = max(held, default=0)
    if any(value > best for value in undated_earlier):
        return Reading(None, path, "a title has no date obtained")
    return Reading(best, path, on.isoformat())


def _experience(longest: bool) -> Family:
    def family(s: Subject, key: Symbol, ctx: Context) -> Reading:
        fld, ref = key.arguments
        path = f"{s.path}.experience"
        if s.obj.experience is None:
            return Reading(None, path)
        on = ctx.ref_date(ref)
        spans = _merged((p for p in s.obj.experience if p.field == fld.string), on)
        months = [months_between(start, end) for start, end in spans]
        value = max(months, default=0) if longest else sum(months)
        return Reading(value, path, on.isoformat())

    return family


def _staff_cases(s: Subject, key: Symbol, ctx: Context) -> Reading:
    return _case_sum(s.obj.cases, key, ctx, f"{s.path}.cases", role_filter=True)


def _trained(s: Subject, key: Symbol, ctx: Context) -> Reading:
    path = f"{s.path}.trainings"
    if s.obj.trainings is None:
        return Reading(None, path)
    unknown = False
    for i, training in enumerate(s.obj.trainings):
        if training.topic != key.string:
            continue
        if training.passed:
            return Reading(1, f"{path}[{i}]")
        unknown = unknown or training.passed is None
    return Reading(None if unknown else 0, path)


def _staff_assessment(s: Subject, key: Symbol, ctx: Context) -> Reading:
    return _assessment_passed(s.obj.assessments, key.arguments, f"{s.path}.assessments", ctx.as_of)


def _training_topic(s: Subject, key: Symbol, ctx: Context) -> Reading:
    return Reading(int(s.obj.topic == key.string), f"{s.path}.topic")


def _training_scope(s: Subject, key: Symbol, ctx: Context) -> Reading:
    scope = s.obj.scope
    return Reading(None if scope is None else int(scope == key.string), f"{s.path}.scope")


def _training_months(s: Subject, key: Symbol, ctx: Context) -> Reading:
    if s.obj.months is not None:
        return Reading(s.obj.months, f"{s.path}.months")
    if s.obj.start and s.obj.end:
        return Reading(months_between(s.obj.start, s.obj.end), f"{s.path}.start", "from start and end")
    return Reading(None, f"{s.path}.months")


def _training_cases(s: Subject, key: Symbol, ctx: Context) -> Reading:
    role, grade_min = key.arguments
    if s.obj.cases is None:
        return Reading(None, f"{s.path}.cases")
    total = sum(c.count for c in s.obj.cases if c.role == role.string and c.min_grade >= grade_min.number)
    return Reading(total, f"{s.path}.cases")


def _incident_related(s: Subject, key: Symbol, ctx: Context) -> Reading:
    return Reading(int(key.string in s.obj.related), f"{s.path}.related")


def _incident_before(s: Subject, key: Symbol, ctx: Context) -> Reading:
    when = s.obj.date
    return Reading(None if when is None else int(when <= ctx.ref_date(key)), f"{s.path}.date")


def _support_topic(s: Subject, key: Symbol, ctx: Context) -> Reading:
    return Reading(int(s.obj.technology == key.string), f"{s.path}.technology")


def _support_months(s: Subject, key: Symbol, ctx: Context) -> Reading:
    until = min(s.obj.end or ctx.as_of, ctx.as_of)
    return Reading(
        months_between(s.obj.start, until),
        f"{s.path}.start",
        f"{s.obj.start.isoformat()}–{(s.obj.end or ctx.as_of).isoformat()}",
    )


def _support_assessed_after(s: Subject, key: Symbol, ctx: Context) -> Reading:
    """A passed assessment dated at least N months after this support began."""
    topic, scope, authority, months = key.arguments
    assessments = ctx.hospital.assessments
    if assessments is None:
        return Reading(None, "assessments")
    unknown = False
    for i, item in enumerate(assessments):
        if item.technology != topic.string or item.scope != scope.string or not item.passed:
            continue
        if item.date is None or item.authority is None:
            unknown = True
            continue
        if rank("authority", item.authority) < rank("authority", authority.string):
            continue
        if months_between(s.obj.start, item.date) >= months.number and item.date <= ctx.as_of:
            return Reading(1, f"assessments[{i}]", item.date.isoformat())
    return Reading(None if unknown else 0, "assessments")


FAMILIES: dict[str, dict[str, Family]] = {
    "hospital": {
        "level": _hospital_level,
        "grade": _hospital_grade,
        "county": _county,
        "subject": _subject_registered,
        "dept": _dept_exists,
        "dept_form": _dept_attribute("form", lambda form: 0 if form is None else rank("department_form", form)),
        "dept_beds": _dept_attribute("beds", lambda beds: beds),
        "activity_months": _activity_months,
        "volume": _volume,
        "capability": _capability,
        "equipment": _equipment_count,
        "region_providers": _region_providers,
        "newly_built": _attribute("newly_built"),
        "filed": _filed,
        "assessment_passed": _hospital_assessment,
        "catalogue_covered": _catalogue_covered,
        "catalogue_reference": _catalogue_reference,
        "attest": _attest,
    },
    "unit": {
        "feature": _feature,
        "clean_grade": _ranked("clean_grade", "clean_grade"),
        "beds": _attribute("beds"),
        "area_per_bed": _attribute("area_per_bed_m2", scale=100),
        "equipment": _equipment_count,
        "attest": _attest,
    },
    "equipment": {"feature": _feature, "rating": _rating},
    "staff": {
        "licence": _attribute("licence"),
        "in_service": _attribute("in_service"),
        "main_site_here": _attribute("main_site_here"),
        "registered_here": _attribute("registered_here"),
        "scope": _staff_scope,
        "category": _staff_category,
        "title": _staff_title,
        "exp_months": _experience(longest=False),
        "continuous_months": _experience(longest=True),
        "cases": _staff_cases,
        "trained": _trained,
        "assessment_passed": _staff_assessment,
        "attest": _attest,
    },
    "training": {
        "topic": _training_topic,
        "scope": _training_scope,
        "authority": _ranked("authority", "authority"),
        "months": _training_months,
        "theory_hours": _attribute("theory_hours"),
        "course_cases": _training_cases,
        "passed": _attribute("passed"),
        "certificate": _attribute("certificate"),
    },
    "recommendation": {
        "title": _ranked("title", "physician_title"),
        "same_specialty": _attribute("same_specialty"),
        "external": _attribute("external"),
    },
    "incident": {
        "grade": _ranked("grade", "malpractice_grade"),
        "related": _incident_related,
        "before": _incident_before,
    },
    "support": {
        "topic": _support_topic,
        "partner_level": _ranked("partner_level", "hospital_level"),
        "partner_grade": _ranked("partner_grade", "hospital_grade"),
        "partner_qualified": _attribute("partner_qualified"),
        "staff_qualified": _attribute("staff_qualified"),
        "months": _support_months,
        "assessed_after": _support_assessed_after,
    },
}

RANKED_FAMILIES: dict[tuple[str, str], str] = {
    ("hospital", "level"): "hospital_level",
    ("hospital", "grade"): "hospital_grade",
    ("hospital", "dept_form"): "department_form",
    ("unit", "clean_grade"): "clean_grade",
    ("training", "authority"): "authority",
    ("recommendation", "title"): "physician_title",
    ("incident", "grade"): "malpractice_grade",
    ("support", "partner_level"): "hospital_level",
    ("support", "partner_grade"): "hospital_grade",
}
"""Families whose value is a rank, with their ladder (staff titles use the role's ladder)."""


def read(subject: Subject, measure: Symbol, ctx: Context) -> Reading | None:
    """The reading of ``measure`` on ``subject``; ``None`` if the family does not apply to it."""
    family_name = measure.arguments[0].name
    family = FAMILIES.get(subject.cls, {}).get(family_name)
    if family is None:
        return None
    return family(subject, measure.arguments[1], ctx)


def ladder_of(subject: Subject, measure: Symbol) -> str | None:
    family = measure.arguments[0].name
    if subject.cls == "staff" and family == "title":
        return ROLE_LADDER[subject.obj.role]
    return RANKED_FAMILIES.get((subject.cls, family))


def known_families() -> set[str]:
    return {name for families in FAMILIES.values() for name in families}


__all__ = ["FAMILIES", "Context", "Reading", "Subject", "known_families", "ladder_of", "months_between", "read"]
