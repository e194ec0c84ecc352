"""Hospital profiles: the typed input format, its JSON Schema, loading and validation.

A profile states facts about one hospital.  Two conventions matter for verdicts:

* **Absent is unknown.**  A field left out (``null``) is *unknown*: requirements that
  read it are *undetermined*, never silently met or failed.
* **A declared list is complete.**  When a list is given (``subjects``, ``staff``,
  ``units``, ``volumes`` …) anything not in it does not exist; ``[]`` declares "none".

All integers, and the sums the rules form over lists, are bounded (``MAX_COUNT``,
``MAX_TOTAL``) so that every product the rules form
(rates are compared as ``numerator × 100 < 5 × denominator``) stays inside clingo's
32-bit integers; a larger number is rejected here, before any fact is built.

This module checks form (types, ranges, ladders, references inside the file).
References to the knowledge base (technology ids, attestation statements) are
checked by :func:`zhunru.api.validate_against_kb`.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, Strict, ValidationError, model_validator
from pydantic_core import PydanticCustomError

from zhunru.errors import InputError, Problem
from zhunru.solver.ladders import ROLE_LADDER, rungs

MAX_COUNT = 1_000_000
"""Largest count, bed number or duration accepted (see module docstring)."""

MAX_TOTAL = 10 * MAX_COUNT
"""Largest sum of one count over a list (case logs, equipment); × 100 still fits clingo's integers."""

Count = Annotated[int, Strict(), Field(ge=0, le=MAX_COUNT)]
Year = Annotated[int, Strict(), Field(ge=1900, le=2200)]
Grade = Annotated[int, Strict(), Field(ge=1, le=4)]
Flag = Annotated[bool, Strict()]
Name = Annotated[str, Field(min_length=1, max_length=200)]
Area = Annotated[float, Field(ge=0, le=10_000)]

HospitalLevel = Literal[rungs("hospital_level")]  # type: ignore[valid-type]
HospitalGrade = Literal[rungs("hospital_grade")]  # type: ignore[valid-type]
DepartmentForm = Literal[rungs("department_form")]  # type: ignore[valid-type]
CleanGrade = Literal[rungs("clean_grade")]  # type: ignore[valid-type]
Authority = Literal[rungs("authority")]  # type: ignore[valid-type]
MalpracticeGrade = Literal[rungs("malpractice_grade")]  # type: ignore[valid-type]
PhysicianTitle = Literal[rungs("physician_title")]  # type: ignore[valid-type]
AnyTitle = Literal[rungs("physician_title") + rungs("nurse_title") + rungs("technician_title")]  # type: ignore[valid-type]


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Location(Model):
    province: Name = Field(description="省级行政区, e.g. 天津市, 吉林省")
    city: Name | None = Field(None, description="设区的市 or 地区")
    district: Name | None = Field(None, description="区 or 县")
    county_level: Flag | None = Field(
        None, description="True if the hospital is in a county (县域), False if in a district of a city"
    )


class Attestation(Model):
    """A qualitative statement attested by someone (技术水平领先, 相适应 …)."""

    statement: Name = Field(description="the requirement id the attestation answers, e.g. ci_fit")
    holds: Flag = Field(description="what was attested: true = the statement holds")
    by: Name = Field(description="who attested (person or body)")
    date: dt.date | None = Field(None, description="when it was attested")
    evidence: str | None = Field(None, max_length=2000, description="reference to supporting documents")


class Department(Model):
    name: Name = Field(description="department as set up (设有), e.g. 医学影像科")
    form: DepartmentForm | None = Field(None, description="organisational form: 独立 / 独立建制 / 相对固定")
    beds: Count | None = None
    open_beds: Count | None = Field(None, description="实际开放床位")
    since: dt.date | None = Field(None, description="date the department started clinical work")


class Activity(Model):
    """A line of clinical work and when it started (开展…工作 N 年以上)."""

    name: Name = Field(description="e.g. 综合介入, 妇产科超声检查")
    since: dt.date
    department: Name | None = Field(None, description="the department performing it")


class Document(Model):
    """A licence, permit or certificate (医用氧舱使用证, 放射工作人员证, 母婴保健技术服务执业许可证 …)."""

    name: Name
    level: Name | None = Field(None, description="grade printed on the document, e.g. 二级")
    issued_by: Name | None = None
    valid_until: dt.date | None = None


class Equipment(Model):
    id: Name
    kind: Name = Field(description="e.g. 血管造影机, CT, MRI, 呼吸机")
    quantity: Count = 1
    features: dict[Name, Flag] = Field(default_factory=dict, description="feature → present, e.g. 路图: true")
    ratings: dict[Name, Count] = Field(default_factory=dict, description="numeric ratings, e.g. mA: 800")
    status: Literal["正常运行", "停用", "维修"] | None = Field(None, description="operating status")
    certificates: list[Document] | None = Field(None, description="certificates of the device or its maker")


class Unit(Model):
    """A room or unit: 介入手术室, 重症监护室, 手术室 …"""

    id: Name
    kind: Name
    clean_grade: CleanGrade | None = None
    beds: Count | None = None
    area_per_bed_m2: Area | None = Field(None, description="net floor area per bed, m²")
    seats: Count | None = Field(None, description="seats of a chamber (高压氧舱)")
    features: dict[Name, Flag] = Field(default_factory=dict)
    equipment: list[Equipment] | None = None
    attestations: list[Attestation] | None = None


class TitleRecord(Model):
    title: AnyTitle
    obtained: dt.date | None = None


class Period(Model):
    """A period of work in a field; ``end`` null means ongoing."""

    field: Name = Field(description="e.g. 综合介入, 综合介入三级以上, 重症监护")
    start: dt.date
    end: dt.date | None = None


class CaseRecord(Model):
    """Cases one physician did in one calendar year, in one category, grade and role."""

    year: Year
    category: Name = Field(description="e.g. 综合介入")
    kind: Literal["诊断", "治疗"] | None = Field(None, description="diagnostic or therapeutic, if known")
    grade: Grade | None = Field(None, description="procedure grade 1–4 of the catalogue, if known")
    role: Name = Field(description="术者 / 独立完成 / 参与 …")
    cases: Count
    severe_complications: Count | None = None
    deaths: Count | None = None
    hospital_type: Literal["综合", "专科"] | None = Field(None, description="type of hospital where performed")
    sub_technique: Name | None = Field(None, description="e.g. 冠心病介入, 髋关节")


class TrainingCases(Model):
    role: Name
    category: Name | None = Field(None, description="case category, e.g. 冠状动脉造影")
    min_grade: Annotated[int, Strict(), Field(ge=0, le=4)] = Field(
        0, description="cases of at least this grade (0 = any)"
    )
    count: Count


class Training(Model):
    topic: Name = Field(description="technology id, e.g. comprehensive_intervention, or a field like 重症监护")
    path: Literal["base", "abroad", "cme", "exemption"] = Field(
        description="filed base / abroad + assessment / continuing education / exemption (免于培训)"
    )
    base: Name | None = Field(None, description="training base or institution")
    authority: Authority | None = Field(None, description="who recognised the base")
    scope: Name | None = Field(None, description="e.g. 三级以上")
    start: dt.date | None = None
    end: dt.date | None = None
    months: Count | None = Field(None, description="duration in months; computed from start/end if absent")
    theory_hours: Count | None = None
    credits: Count | None = Field(None, description="continuing-education credits (Ⅰ类学分)")
    disciplines: dict[Name, Count] = Field(default_factory=dict, description="months per discipline")
    cases: list[TrainingCases] | None = None
    certificate: Flag | None = None
    passed: Flag | None = None
    assessed_on: dt.date | None = None


class Recommendation(Model):
    recommender: Name
    title: PhysicianTitle
    same_specialty: Flag | None = None
    external: Flag | None = Field(None, description="works at another hospital (外院)")
    date: dt.date | None = None
    technology: Name | None = Field(None, description="technology id the recommendation is for")
    qualified: Flag | None = Field(None, description="the recommender holds the qualification for that technology")


class Incident(Model):
    type: Literal["医疗事故", "严重不良事件"]
    grade: MalpracticeGrade | None = None
    date: dt.date | None = None
    related: list[Name] = Field(default_factory=list, description="fields it relates to, e.g. 介入诊疗")


class Assessment(Model):
    technology: Name
    scope: Name | None = None
    authority: Authority | None = None
    date: dt.date | None = None
    passed: Flag


class Assignment(Model):
    unit: Name = Field(description="id of a unit of this hospital")
    dedicated: Flag = Field(False, description="专职")


class Staff(Model):
    id: Name
    name: Name
    role: Literal["physician", "nurse", "technician"]
    licence: Flag | None = Field(None, description="holds the practising certificate (执业证书)")
    category: Name | None = Field(None, description="执业类别, e.g. 临床")
    scopes: list[Name] | None = Field(None, description="执业范围, e.g. 医学影像和放射治疗专业")
    titles: list[TitleRecord] | None = None
    in_service: Flag | None = Field(None, description="在职 at this hospital")
    main_site_here: Flag | None = Field(None, description="主执业地点 is this hospital")
    registered_here: Flag | None = Field(None, description="registered (注册) at this hospital")
    experience: list[Period] | None = None
    trainings: list[Training] | None = None
    cases: list[CaseRecord] | None = None
    incidents: list[Incident] | None = None
    recommendations: list[Recommendation] | None = None
    attestations: list[Attestation] | None = None
    assessments: list[Assessment] | None = None
    assignments: list[Assignment] = Field(default_factory=list)
    specialty: Name | None = Field(None, description="clinical specialty, e.g. 心血管内科")
    roles: list[Name] = Field(default_factory=list, description="e.g. 技术负责人, 团队负责人")
    documents: list[Document] | None = None

    @model_validator(mode="after")
    def _titles_on_own_ladder(self) -> Staff:
        allowed = rungs(ROLE_LADDER[self.role])
        for i, record in enumerate(self.titles or []):
            if record.title not in allowed:
                # ``field`` points the error at the title itself, not the whole staff record
                raise PydanticCustomError(
                    "title_not_for_role",
                    f"title {record.title!r} is not a {self.role} title; expected one of {allowed}",
                    {"field": f"titles[{i}].title"},
                )
        return self


class AnnualVolume(Model):
    year: Year
    category: Name
    kind: Literal["诊断", "治疗"] | None = None
    grade: Grade | None = None
    cases: Count
    severe_complications: Count | None = None
    deaths: Count | None = None
    malpractice: Count | None = None
    complications: Count | None = Field(None, description="complications of any severity (并发症)")


class Filing(Model):
    technology: Name
    scope: Name | None = None
    date: dt.date | None = None
    authority: Authority | None = None
    last_performed: dt.date | None = Field(None, description="last time the technology was performed")


class Support(Model):
    """Dispatched long-term technical support from a partner hospital (技术帮扶)."""

    technology: Name
    scope: Name | None = None
    partner: Name
    partner_level: HospitalLevel | None = None
    partner_grade: HospitalGrade | None = None
    partner_qualified: Flag | None = Field(None, description="the partner holds the qualification")
    staff_qualified: Flag | None = Field(None, description="the dispatched staff are qualified")
    start: dt.date
    end: dt.date | None = None


class RegionalProviders(Model):
    technology: Name
    scope: Name | None = None
    qualified_in_district: Count = Field(description="qualified providers in the hospital's district")


class QualityIndicator(Model):
    """A rate as numerator and denominator, so that bounds are compared exactly."""

    year: Year
    name: Name = Field(description="e.g. 诊断符合率, 治愈率, 并发症发生率")
    numerator: Count
    denominator: Count


class Hospital(Model):
    """One hospital, as of the evaluation date."""

    id: Name
    name: Name
    location: Location
    level: HospitalLevel | None = None
    grade: HospitalGrade | None = None
    type: Literal["综合", "专科"] | None = None
    specialty: Name | None = None
    opened: dt.date | None = None
    newly_built: Flag | None = None
    subjects: list[Name] | None = Field(None, description="registered diagnosis and treatment subjects (诊疗科目)")
    departments: list[Department] | None = None
    activities: list[Activity] | None = None
    units: list[Unit] | None = None
    equipment: list[Equipment] | None = Field(None, description="equipment not inside a listed unit")
    capabilities: list[Name] | None = None
    attestations: list[Attestation] | None = None
    staff: list[Staff] | None = None
    volumes: list[AnnualVolume] | None = None
    incidents: list[Incident] | None = None
    filings: list[Filing] | None = None
    assessments: list[Assessment] | None = None
    supports: list[Support] | None = None
    regional_providers: list[RegionalProviders] | None = None
    procedures: list[Name] | None = Field(None, description="catalogue procedures the hospital performs independently")
    planned_scopes: list[Name] | None = Field(None, description="sub-techniques the hospital intends to perform")
    bed_pools: dict[Name, Count] | None = Field(None, description="functional bed pools, e.g. 肿瘤治疗床位")
    quality_indicators: list[QualityIndicator] | None = None
    documents: list[Document] | None = Field(None, description="permits and licences of the hospital")
    policies: list[Name] | None = Field(None, description="policies in place (知情同意, 随访制度 …)")

    @model_validator(mode="after")
    def _references_resolve(self) -> Hospital:
        _unique([s.id for s in self.staff or []], "staff id")
        unit_ids = [u.id for u in self.units or []]
        _unique(unit_ids, "unit id")
        equipment_ids = [e.id for e in self.equipment or []]
        equipment_ids += [e.id for u in self.units or [] for e in u.equipment or []]
        _unique(equipment_ids, "equipment id")
        for member in self.staff or []:
            for assignment in member.assignments:
                if assignment.unit not in unit_ids:
                    raise ValueError(
                        f"staff {member.id!r} is assigned to unit {assignment.unit!r}, "
                        f"which is not among the units {unit_ids}"
                    )
        return self

    @model_validator(mode="after")
    def _totals_bounded(self) -> Hospital:
        """Sums the rules form (case logs, equipment counts) stay within ``MAX_TOTAL``."""
        groups: list[tuple[str, list[Any], tuple[str, ...]]] = [
            ("volumes", self.volumes or [], ("cases", "severe_complications", "deaths", "malpractice", "complications"))
        ]
        for i, member in enumerate(self.staff or []):
            groups.append((f"staff[{i}].cases", member.cases or [], ("cases", "severe_complications", "deaths")))
            for j, training in enumerate(member.trainings or []):
                groups.append((f"staff[{i}].trainings[{j}].cases", training.cases or [], ("count",)))
        equipment = [*(self.equipment or []), *(e for u in self.units or [] for e in u.equipment or [])]
        groups.append(("equipment", equipment, ("quantity",)))
        for path, records, names in groups:
            for name in names:
                total = sum(getattr(record, name) or 0 for record in records)
                if total > MAX_TOTAL:
                    raise PydanticCustomError(
                        "total_too_large",
                        f"the {name} of these records add up to {total}; "
                        f"the total must be less than or equal to {MAX_TOTAL}",
                        {"field": path},
                    )
        return self


def _unique(ids: list[str], what: str) -> None:
    seen: set[str] = set()
    for item in ids:
        if item in seen:
            raise ValueError(f"duplicate {what} {item!r}")
        seen.add(item)


def json_schema() -> dict[str, Any]:
    """The JSON Schema of one hospital profile."""
    schema = Hospital.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "zhunru hospital profile"
    return schema


# --- loading -----------------------------------------------------------------------


def _field_path(loc: tuple[Any, ...]) -> str:
    path = ""
    for part in loc:
        if isinstance(part, int):
            path += f"[{part}]"
        else:
            path += f".{part}" if path else str(part)
    return path or "(profile)"


def problems_from_validation(error: ValidationError, file: str, prefix: str = "") -> list[Problem]:
    problems = []
    for item in error.errors():
        field = _field_path(tuple(item["loc"]))
        inner = (item.get("ctx") or {}).get("field")
        if inner:
            field = inner if field == "(profile)" else f"{field}.{inner}"
        message = item["msg"]
        if item["type"] == "extra_forbidden":
            message = "unknown field (not part of the profile format; see `zhunru schema`)"
        elif item["type"] == "missing":
            message = "required field is missing"
        elif "input" in item and item["type"] not in ("value_error",) and not inner:
            message += f" (got {item['input']!r:.60})"
        problems.append(Problem(file, prefix + field, message, item["type"]))
    return problems


def parse_profile(data: Any, file: str, prefix: str = "") -> Hospital:
    """Validate one decoded profile; raise :class:`InputError` listing every problem."""
    if not isinstance(data, dict):
        raise InputError([Problem(file, prefix or "(profile)", "expected a mapping (object) of profile fields")])
    try:
        return Hospital.model_validate(data)
    except ValidationError as error:
        raise InputError(problems_from_validation(error, file, prefix)) from None


def _decode(path: Path) -> Any:
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as error:
        raise InputError(
            [Problem(str(path), f"byte {error.start}", "not UTF-8 text; save the profile as UTF-8", "encoding")]
        ) from None
    if path.suffix.lower() == ".json":
        try:
            return json.loads(text)
        except json.JSONDecodeError as error:
            raise InputError(
                [
                    Problem(
                        str(path), f"line {error.lineno} column {error.colno}", f"malformed JSON: {error.msg}", "syntax"
                    )
                ]
            ) from None
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f"line {mark.line + 1} column {mark.column + 1}" if mark else ""
        problem = getattr(error, "problem", None) or str(error)
        raise InputError([Problem(str(path), where, f"malformed YAML: {problem}", "syntax")]) from None


def load_profile(path: str | Path) -> Hospital:
    """Load and validate one profile from a YAML or JSON file."""
    path = Path(path)
    if not path.is_file():
        raise InputError([Problem(str(path), "", "no such file", "not_found")])
    if path.suffix.lower() == ".jsonl":
        records = list(iter_profiles(path))
        if len(records) != 1:
            raise InputError([Problem(str(path), "", f"expected exactly one profile, found {len(records)}")])
        outcome = records[0][1]
        if isinstance(outcome, InputError):
            raise outcome
        return outcome
    return parse_profile(_decode(path), str(path))


def iter_profiles(path: str | Path) -> Iterator[tuple[str, Hospital | InputError]]:
    """Yield ``(position, profile or error)`` for each record of a JSON Lines file.

    A bad record yields its error and the rest go on, so a long batch is never lost
    to one bad line.
    """
    path = Path(path)
    with path.open("rb") as stream:
        for number, raw in enumerate(stream, start=1):
            position = f"line {number}"
            try:
                line = raw.decode("utf-8")
            except UnicodeDecodeError:
                yield position, InputError([Problem(str(path), position, "not UTF-8 text", "encoding")])
                continue
            if not line.strip():
                continue
            try:
                data = json.loads(line)
            except json.JSONDecodeError as error:
                yield position, InputError([Problem(str(path), position, f"malformed JSON: {error.msg}", "syntax")])
                continue
            try:
                yield position, parse_profile(data, str(path), prefix=f"{position}: ")
            except InputError as error:
                yield position, error
