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


# --- families added for the Tianjin 2019 specifications (tj_dental_implant, tj_hyperbaric_oxygen) ---


def _equals(name: str) -> Family:
    """1 if the subject's attribute ``name`` equals the key (e.g. hospital type 专科), 0 if not, None if unknown."""

    def family(s: Subject, key: Symbol, ctx: Context) -> Reading:
        value = getattr(s.obj, name)
        return Reading(None if value is None else int(value == key.string), _join(s.path, name))

    return family


def _document(attribute: str) -> Family:
    """1 if a document of that name is held and valid on the as-of date (证件在有效期内)."""

    def family(s: Subject, key: Symbol, ctx: Context) -> Reading:
        items = getattr(s.obj, attribute)
        path = _join(s.path, attribute)
        if items is None:
            return Reading(None, path)
        for i, item in enumerate(items):
            if item.name == key.string:
                valid = item.valid_until is None or item.valid_until >= ctx.as_of
                until = item.valid_until.isoformat() if item.valid_until else ""
                return Reading(int(valid), f"{path}[{i}]", until)
        return Reading(0, path, f"no {key.string}")

    return family


def _document_level(s: Subject, key: Symbol, ctx: Context) -> Reading:
    """Rank (一级 < 二级 < 三级) of the level printed on a document of that name (许可证二级及以上).

    0 if the hospital holds no such document; unknown if the document prints no level
    or a level that is not one of those rungs.
    """
    items = s.obj.documents
    if items is None:
        return Reading(None, "documents")
    for i, item in enumerate(items):
        if item.name == key.string:
            if item.level is None or item.level not in ("一级", "二级", "三级"):
                return Reading(None, f"documents[{i}].level")
            return Reading(rank("hospital_level", item.level), f"documents[{i}].level", item.level)
    return Reading(0, "documents", f"no {key.string}")


def _staff_role(s: Subject, key: Symbol, ctx: Context) -> Reading:
    return Reading(int(key.string in s.obj.roles), f"{s.path}.roles")


def _cme_credits(s: Subject, key: Symbol, ctx: Context) -> Reading:
    """Class-I credits summed over the continuing-education records of a topic (累计获得Ⅰ类学分)."""
    path = f"{s.path}.trainings"
    if s.obj.trainings is None:
        return Reading(None, path)
    total = 0
    for training in s.obj.trainings:
        if training.path != "cme" or training.topic != key.string:
            continue
        if training.credits is None:
            return Reading(None, path, "a continuing-education record has no credits")
        total += training.credits
    return Reading(total, path)


def _training_weeks(s: Subject, key: Symbol, ctx: Context) -> Reading:
    """Whole weeks from start to end; else 4 per declared month (a calendar month has at least 4 weeks)."""
    if s.obj.start and s.obj.end:
        return Reading(max((s.obj.end - s.obj.start).days // 7, 0), f"{s.path}.start", "from start and end")
    if s.obj.months is not None:
        return Reading(s.obj.months * 4, f"{s.path}.months", "4 weeks per month")
    return Reading(None, f"{s.path}.months")


def _equipment_featured(s: Subject, key: Symbol, ctx: Context) -> Reading:
    """Items of a kind with a feature (e.g. 口腔综合治疗台 用于口腔种植治疗), quantities summed over the hospital."""
    kind, feature = key.arguments
    lists = [s.obj.equipment, *(u.equipment for u in s.obj.units or [])]
    total = 0
    unknown = any(items is None for items in lists)
    for items in lists:
        for item in items or []:
            if item.kind != kind.string:
                continue
            flag = item.features.get(feature.string)
            if flag is None:
                unknown = True
            elif flag:
                total += item.quantity
    return Reading(None if unknown and total == 0 else total, "equipment")


# --- families added for the Jilin 2022 specifications (jl_*) and the notice jl_notice_2022 ---


def _jl_hospital_specialty(s: Subject, key: Symbol, ctx: Context) -> Reading:
    """1 if a specialty hospital's specialty (专科医院的专科, e.g. 口腔) is the key."""
    if s.obj.type == "综合":
        return Reading(0, "type", "a general hospital")
    value = s.obj.specialty
    return Reading(None if value is None else int(value == key.string), "specialty")


def _jl_bed_pool(s: Subject, key: Symbol, ctx: Context) -> Reading:
    """Beds of a functional pool (bed_pools), e.g. 烧伤科和整形外科 or 颅颌面相关专科."""
    if s.obj.bed_pools is None:
        return Reading(None, "bed_pools")
    value = s.obj.bed_pools.get(key.string)
    return Reading(0 if value is None else value, f"bed_pools.{key.string}")


def _min_year(records: list[Any] | None, query: Symbol, ctx: Context, path: str, role_filter: bool) -> Reading:
    """The smallest yearly total over the window (近N年每年…以上): every year must reach the bound."""
    args = query.arguments
    window, ref = args[-2], args[-1]
    if records is None:
        return Reading(None, path)
    years = window_years(ctx.ref_date(ref), window.number)
    from clingo import Function, Number  # only here: one-year queries built from the windowed one

    lowest: int | None = None
    for year in years:
        one = Function("q", [*args[:-2], Number(1), Function("asof")])
        reading = _case_sum(records, one, Context(ctx.hospital, date(year + 1, 1, 1), ctx.kb), path, role_filter)
        if reading.value is None:
            return Reading(None, path, reading.detail)
        lowest = reading.value if lowest is None else min(lowest, reading.value)
    return Reading(lowest, path, f"{years.start}–{years.stop - 1}, lowest year")


def _jl_volume_min_year(s: Subject, key: Symbol, ctx: Context) -> Reading:
    return _min_year(s.obj.volumes, key, ctx, "volumes", role_filter=False)


def _jl_cases_min_year(s: Subject, key: Symbol, ctx: Context) -> Reading:
    return _min_year(s.obj.cases, key, ctx, f"{s.path}.cases", role_filter=True)


def _jl_quality(part: str) -> Family:
    """Numerator (× scale) or denominator of a quality indicator in the last completed year.

    Key ``(Name, Scale)`` for the numerator, ``Name`` for the denominator; the scale lets
    a bound like ≤0.1% be compared as ``numerator × 1000 ≤ 1 × denominator``.
    """

    def family(s: Subject, key: Symbol, ctx: Context) -> Reading:
        name, scale = (key.arguments[0].string, key.arguments[1].number) if part == "num" else (key.string, 1)
        if s.obj.quality_indicators is None:
            return Reading(None, "quality_indicators")
        year = ctx.as_of.year - 1
        for i, item in enumerate(s.obj.quality_indicators):
            if item.name == name and item.year == year:
                value = item.numerator * scale if part == "num" else item.denominator
                return Reading(value, f"quality_indicators[{i}]", str(year))
        return Reading(None, "quality_indicators", f"no {name} for {year}")

    return family


def _jl_filing(s: Subject, key: Symbol, ctx: Context) -> tuple[int, Any] | None:
    """The latest filing of the technology dated on or before the as-of date."""
    found = None
    for i, item in enumerate(s.obj.filings or []):
        if item.technology != key.string or (item.date is not None and item.date > ctx.as_of):
            continue
        if found is None or (item.date and found[1].date and item.date > found[1].date):
            found = (i, item)
    return found


def _jl_filed(s: Subject, key: Symbol, ctx: Context) -> Reading:
    """1 if the hospital holds a filing (备案) of the technology, whatever its scope."""
    if s.obj.filings is None:
        return Reading(None, "filings")
    found = _jl_filing(s, key, ctx)
    return Reading(int(found is not None), f"filings[{found[0]}]" if found else "filings")


def _jl_idle_months(s: Subject, key: Symbol, ctx: Context) -> Reading:
    """Whole months since the technology was last performed (未开展的时间), as of the as-of date.

    Unknown when there is no filing or the filing does not say when it was last performed.
    """
    if s.obj.filings is None:
        return Reading(None, "filings")
    found = _jl_filing(s, key, ctx)
    if found is None:
        return Reading(None, "filings", f"no filing of {key.string}")
    i, item = found
    if item.last_performed is None:
        return Reading(None, f"filings[{i}].last_performed")
    return Reading(
        months_between(item.last_performed, ctx.as_of), f"filings[{i}].last_performed", item.last_performed.isoformat()
    )


def _jl_exp_any(s: Subject, key: Symbol, ctx: Context) -> Reading:
    """Months of experience in any of a set of fields (耳鼻咽喉科、或神经外科…), overlaps counted once."""
    fields, ref = key.arguments
    names = {f.string for f in fields.arguments} if fields.type == SymbolType.Function else {fields.string}
    path = f"{s.path}.experience"
    if s.obj.experience is None:
        return Reading(None, path)
    on = ctx.ref_date(ref)
    spans = _merged((p for p in s.obj.experience if p.field in names), on)
    return Reading(sum(months_between(start, end) for start, end in spans), path, on.isoformat())


def _jl_dept_physicians(s: Subject, key: Symbol, ctx: Context) -> Reading:
    """Physicians whose specialty is the department, with at least the given title (none: all)."""
    dept, rung = key.arguments
    if s.obj.staff is None:
        return Reading(None, "staff")
    total = 0
    for member in s.obj.staff:
        if member.role != "physician" or member.specialty != dept.string:
            continue
        if rung.type == SymbolType.String:
            if member.titles is None:
                return Reading(None, "staff", f"{member.id} has no titles")
            best = max((rank("physician_title", t.title) for t in member.titles), default=0)
            if best < rank("physician_title", rung.string):
                continue
        total += 1
    return Reading(total, "staff", dept.string)


# --- families added for the Tianjin 2019 specifications (tj_cardiovascular_intervention …) ---


def _department_total(attribute: str, label: str) -> Family:
    """``attribute`` (床位 / 实际开放床位) summed over the named departments (a department not set up adds none)."""

    def family(s: Subject, key: Symbol, ctx: Context) -> Reading:
        names = [a.string for a in key.arguments] if key.type == SymbolType.Function else [key.string]
        if s.obj.departments is None:
            return Reading(None, "departments")
        total = 0
        for name in names:
            found = _department(s, name)
            if found is None:
                continue
            i, dept = found
            value = getattr(dept, attribute)
            if value is None:
                return Reading(None, f"departments[{i}].{attribute}")
            total += value
        return Reading(total, "departments", " + ".join(names))

    family.__doc__ = f"{label} summed over the named departments"
    return family


def _training_cases_in(s: Subject, key: Symbol, ctx: Context) -> Reading:
    """Cases of one role and one category during a training (e.g. 独立完成 冠状动脉造影)."""
    role, category = key.arguments
    if s.obj.cases is None:
        return Reading(None, f"{s.path}.cases")
    total = sum(c.count for c in s.obj.cases if c.role == role.string and c.category == category.string)
    return Reading(total, f"{s.path}.cases")


# --- families added for the national specifications (cn_neurovascular_intervention, cn_tumor_ablation) ---


def _discipline_months(s: Subject, key: Symbol, ctx: Context) -> Reading:
    """Months of training in one discipline (轮转培训), summed over the staff member's training records."""
    path = f"{s.path}.trainings"
    if s.obj.trainings is None:
        return Reading(None, path)
    return Reading(sum(t.disciplines.get(key.string, 0) for t in s.obj.trainings), path)


def _title_months(s: Subject, key: Symbol, ctx: Context) -> Reading:
    """Months a title (or a higher one) has been held on the reference date (取得…职称满N年)."""
    rung, ref = key.arguments
    path = f"{s.path}.titles"
    if s.obj.titles is None:
        return Reading(None, path)
    ladder = ROLE_LADDER[s.obj.role]
    try:
        bound = rank(ladder, rung.string)
    except KeyError:  # e.g. a physician title asked of a nurse: the measure does not apply
        return Reading(None, path, f"{rung.string} is not on the {ladder} ladder")
    on = ctx.ref_date(ref)
    dates = [t.obtained for t in s.obj.titles if rank(ladder, t.title) >= bound]
    if any(d is None for d in dates):
        return Reading(None, path, "a title has no date obtained")
    held = [d for d in dates if d is not None and d <= on]
    return Reading(months_between(min(held), on) if held else 0, path, on.isoformat())


def _cases_by_hospital_type(each_year: bool) -> Family:
    """A case query restricted to cases done in one type of hospital, key ``(Type, q(...))``.

    ``each_year``: the smallest yearly total over the window (近N年…每年不少于); else the sum.
    A record of the window without ``hospital_type`` leaves the reading unknown.
    """

    def family(s: Subject, key: Symbol, ctx: Context) -> Reading:
        kind, query = key.arguments
        path = f"{s.path}.cases"
        if s.obj.cases is None:
            return Reading(None, path)
        category = query.arguments[0].string
        years = window_years(ctx.ref_date(query.arguments[-1]), query.arguments[-2].number)
        records = [r for r in s.obj.cases if r.category == category and r.year in years]
        if any(r.hospital_type is None for r in records):
            return Reading(None, path, "a record of the window does not say in which type of hospital")
        records = [r for r in records if r.hospital_type == kind.string]
        if not each_year:
            return _case_sum(records, query, ctx, path, role_filter=True)
        return _lowest_year(records, query, ctx, path, years)

    return family


def _cases_each_year(s: Subject, key: Symbol, ctx: Context) -> Reading:
    """The smallest yearly total of a case query over its window (近N年来每年…不少于): every year must reach it."""
    path = f"{s.path}.cases"
    records = s.obj.cases
    if records is None:
        return Reading(None, path)
    years = window_years(ctx.ref_date(key.arguments[-1]), key.arguments[-2].number)
    return _lowest_year(records, key, ctx, path, years)


def _lowest_year(records: list[Any], query: Symbol, ctx: Context, path: str, years: range) -> Reading:
    """The smallest yearly case total over ``years`` (每年…不少于: every year must reach it)."""
    lowest: int | None = None
    for year in years:
        reading = _case_sum([r for r in records if r.year == year], query, ctx, path, role_filter=True)
        if reading.value is None:
            return Reading(None, path, reading.detail)
        lowest = reading.value if lowest is None else min(lowest, reading.value)
    return Reading(lowest, path, f"{years.start}–{years.stop - 1}, lowest year")


def _incident_in_window(s: Subject, key: Symbol, ctx: Context) -> Reading:
    """1 if the incident happened in the N calendar years completed before the reference date (近N年)."""
    years, ref = key.arguments
    when = s.obj.date
    if when is None:
        return Reading(None, f"{s.path}.date")
    return Reading(int(when.year in window_years(ctx.ref_date(ref), years.number)), f"{s.path}.date")


def _scaled(attribute: str, role_filter: bool) -> Family:
    """A windowed case sum times a scale, key ``(q(...), Scale)``.

    Lets a rate bound finer than 1% (低于0.3%) be compared as ``10 × events × 100 < 3 × cases``
    while the ratio multipliers stay small enough for clingo's integers.
    """

    def family(s: Subject, key: Symbol, ctx: Context) -> Reading:
        query, scale = key.arguments
        path = _join(s.path, attribute)
        reading = _case_sum(getattr(s.obj, attribute), query, ctx, path, role_filter)
        if reading.value is None:
            return reading
        return Reading(reading.value * scale.number, reading.path, f"{reading.detail} × {scale.number}")

    return family


# --- families added for the national 心血管疾病介入诊疗技术管理规范 (cn_cardiovascular_intervention_2011) ---


def _recommendation_topic(s: Subject, key: Symbol, ctx: Context) -> Reading:
    """1 if the recommendation is for the technology named by the key, None if it does not say."""
    technology = s.obj.technology
    return Reading(None if technology is None else int(technology == key.string), f"{s.path}.technology")


def _support_months_after_assessment(s: Subject, key: Symbol, ctx: Context) -> Reading:
    """Whole months of support given after a passed assessment (通过…评估后，由…派驻…时间至少1年).

    Key ``(Technology, Scope or any, Authority)``: the support counts from the later of its
    start and the date of the assessment; 0 when no such assessment was passed.
    """
    topic, scope, authority = key.arguments
    assessments = ctx.hospital.assessments
    if assessments is None:
        return Reading(None, "assessments")
    until = min(s.obj.end or ctx.as_of, ctx.as_of)
    best: tuple[int, date] | None = None
    unknown = False
    for item in assessments:
        if item.technology != topic.string or not item.passed:
            continue
        if scope.type == SymbolType.String and item.scope != scope.string:
            continue
        if item.date is None or item.authority is None:
            unknown = True
            continue
        if item.date > ctx.as_of or rank("authority", item.authority) < rank("authority", authority.string):
            continue
        begin = max(s.obj.start, item.date)
        months = months_between(begin, until)
        if best is None or months > best[0]:
            best = (months, begin)
    if best is None:
        return Reading(None if unknown else 0, "assessments")
    return Reading(best[0], f"{s.path}.start", f"{best[1].isoformat()}–{until.isoformat()}")


FAMILIES: dict[str, dict[str, Family]] = {
    "hospital": {
        "specialty_hospital": _jl_hospital_specialty,
        "bed_pool": _jl_bed_pool,
        "volume_min_year": _jl_volume_min_year,
        "quality_num": _jl_quality("num"),
        "quality_den": _jl_quality("den"),
        "filed_any": _jl_filed,
        "idle_months": _jl_idle_months,
        "dept_physicians": _jl_dept_physicians,
        "level": _hospital_level,
        "grade": _hospital_grade,
        "county": _county,
        "subject": _subject_registered,
        "dept": _dept_exists,
        "dept_form": _dept_attribute("form", lambda form: 0 if form is None else rank("department_form", form)),
        "dept_beds": _dept_attribute("beds", lambda beds: beds),
        "dept_open_beds": _dept_attribute("open_beds", lambda beds: beds),
        "dept_open_beds_total": _department_total("open_beds", "实际开放床位"),
        "dept_beds_total": _department_total("beds", "床位"),
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
        "hospital_type": _equals("type"),
        "hospital_specialty": _equals("specialty"),
        "equipment_featured": _equipment_featured,
        "document": _document("documents"),
        "scaled_volume": _scaled("volumes", role_filter=False),
        "document_level": _document_level,
    },
    "unit": {
        "feature": _feature,
        "clean_grade": _ranked("clean_grade", "clean_grade"),
        "beds": _attribute("beds"),
        "area_per_bed": _attribute("area_per_bed_m2", scale=100),
        "equipment": _equipment_count,
        "attest": _attest,
        "seats": _attribute("seats"),
    },
    "equipment": {
        "feature": _feature,
        "rating": _rating,
        "document": _document("certificates"),
        "status": _equals("status"),
    },
    "staff": {
        "cases_min_year": _jl_cases_min_year,
        "exp_any_months": _jl_exp_any,
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
        "document": _document("documents"),
        "role": _staff_role,
        "cme_credits": _cme_credits,
        "specialty": _equals("specialty"),
        "discipline_months": _discipline_months,
        "cases_each_year": _cases_each_year,
        "scaled_cases": _scaled("cases", role_filter=True),
        "title_months": _title_months,
        "cases_in_hospital_type": _cases_by_hospital_type(each_year=False),
        "cases_each_year_in_hospital_type": _cases_by_hospital_type(each_year=True),
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
        "weeks": _training_weeks,
        "course_cases_in": _training_cases_in,
    },
    "recommendation": {
        "title": _ranked("title", "physician_title"),
        "same_specialty": _attribute("same_specialty"),
        "external": _attribute("external"),
        "topic": _recommendation_topic,
        "qualified": _attribute("qualified"),
    },
    "incident": {
        "grade": _ranked("grade", "malpractice_grade"),
        "related": _incident_related,
        "before": _incident_before,
        "in_window": _incident_in_window,
    },
    "support": {
        "topic": _support_topic,
        "partner_level": _ranked("partner_level", "hospital_level"),
        "partner_grade": _ranked("partner_grade", "hospital_grade"),
        "partner_qualified": _attribute("partner_qualified"),
        "staff_qualified": _attribute("staff_qualified"),
        "months": _support_months,
        "assessed_after": _support_assessed_after,
        "months_after_assessment": _support_months_after_assessment,
    },
}

RANKED_FAMILIES: dict[tuple[str, str], str] = {
    ("hospital", "level"): "hospital_level",
    ("hospital", "grade"): "hospital_grade",
    ("hospital", "document_level"): "hospital_level",
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
