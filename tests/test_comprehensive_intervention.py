"""The national 综合介入诊疗技术管理规范, requirement by requirement.

Each case starts from the compliant example, breaks exactly one requirement and
asserts the verdict and the clause (and requirement id) cited as unmet.
Boundary cases put a number exactly at its threshold and one step past it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from tests.conftest import (
    Mutation,
    example_data,
    physician_verdicts,
    staff,
    unit,
    unmet_clauses,
    unmet_requirements,
    verdicts,
)

BASIC, G3, ONGOING, BASE = "ci_entry_basic", "ci_entry_g3", "ci_ongoing", "ci_training_base"


def compliant() -> dict[str, Any]:
    return example_data("tertiary_compliant")


def set_feature(unit_id: str, feature: str, value: bool = False) -> Mutation:
    return lambda d: unit(d, unit_id)["features"].__setitem__(feature, value)


def attest(statement: str, holds: bool) -> Mutation:
    def mutate(d: dict[str, Any]) -> None:
        d["attestations"] = [a for a in d["attestations"] if a["statement"] != statement]
        d["attestations"].append({"statement": statement, "holds": holds, "by": "test"})

    return mutate


def unit_attest(unit_id: str, statement: str, holds: bool) -> Mutation:
    def mutate(d: dict[str, Any]) -> None:
        items = [a for a in unit(d, unit_id)["attestations"] if a["statement"] != statement]
        unit(d, unit_id)["attestations"] = [*items, {"statement": statement, "holds": holds, "by": "test"}]

    return mutate


def drop_equipment(unit_id: str, kind: str) -> Mutation:
    def mutate(d: dict[str, Any]) -> None:
        unit(d, unit_id)["equipment"] = [e for e in unit(d, unit_id)["equipment"] if e["kind"] != kind]

    return mutate


def drop_hospital_equipment(kind: str) -> Mutation:
    return lambda d: d.__setitem__("equipment", [e for e in d["equipment"] if e["kind"] != kind])


def _step(node: Any, part: str) -> Any:
    if part.startswith("@"):  # the list element with this id
        return next(item for item in node if item["id"] == part[1:])
    return node[int(part)] if part.isdigit() else node[part]


def set_path(path: str, value: Any) -> Mutation:
    """Set a value at a dotted path; ``@ID`` selects a list element by id (``staff.@D003.licence``)."""

    def mutate(d: dict[str, Any]) -> None:
        node: Any = d
        parts = path.split(".")
        for part in parts[:-1]:
            node = _step(node, part)
        last = parts[-1]
        node[int(last) if last.isdigit() else last] = value

    return mutate


def all_of(*mutations: Mutation) -> Mutation:
    def mutate(d: dict[str, Any]) -> None:
        for mutation in mutations:
            mutation(d)

    return mutate


@dataclass(frozen=True)
class Break:
    name: str
    mutate: Mutation
    target: str
    requirements: frozenset[str]
    clause: str


def case(name: str, mutate: Mutation, target: str, clause: str, *requirements: str) -> Break:
    return Break(name, mutate, target, frozenset(requirements), clause)


ROOM, ICU = "ir-1", "icu-1"
HOSPITAL_BREAKS = [
    case("fit attested false", attest("ci_fit", False), BASIC, "一、（一）", "ci_fit"),
    case(
        "imaging subject not registered",
        set_path("subjects", ["内科", "外科", "麻醉科"]),
        BASIC,
        "一、（二）",
        "ci_subject_imaging",
    ),
    case("subjects not suitable", attest("ci_subjects_fit", False), BASIC, "一、（二）", "ci_subjects_fit"),
    case("no auxiliary departments", attest("ci_aux", False), BASIC, "一、（二）", "ci_aux"),
    case("no radiation protection", set_feature(ROOM, "放射防护"), BASIC, "一、（三）1", "ci_room_radiation"),
    case("not aseptic", set_feature(ROOM, "无菌操作"), BASIC, "一、（三）1", "ci_room_aseptic"),
    case(
        "zones not separated",
        set_feature(ROOM, "有菌区、缓冲区及无菌区分界清晰"),
        BASIC,
        "一、（三）1",
        "ci_room_zones",
    ),
    case("no changing area", set_feature(ROOM, "单独的更衣洗手区域"), BASIC, "一、（三）1", "ci_room_changing"),
    case(
        "angiography without subtraction",
        set_path("units.0.equipment.0.features.数字减影", False),
        BASIC,
        "一、（三）2",
        "ci_dsa_subtraction",
    ),
    case("no ECG monitor", drop_equipment(ROOM, "心电监护仪"), BASIC, "一、（三）2", "ci_room_ecg"),
    case(
        "no storage cabinet",
        set_feature(ROOM, "导管、导丝、造影剂、栓塞剂等存放柜"),
        BASIC,
        "一、（三）3",
        "ci_room_cabinet",
    ),
    case("no custodian", set_feature(ROOM, "专人负责登记保管"), BASIC, "一、（三）3", "ci_room_custodian"),
    case("no interventional room", set_path("units.0.kind", "手术室"), BASIC, "一、（三）", "ci_room"),
    case(
        "no in-service physician",
        lambda d: [s.__setitem__("in_service", False) for s in d["staff"]],
        BASIC,
        "一、（四）",
        "ci_physicians",
    ),
    case(
        "room nurse untrained",
        set_path("staff.@N002.trainings.0.passed", False),
        BASIC,
        "二、（二）",
        "ci_room_staff_trained",
        "ci_other_staff",
    ),
    case(
        "level two",
        all_of(set_path("level", "二级")),
        G3,
        "一、（五）1",
        "ci_g3_route",
        "ci_t_level",
        "ci_s_support",
        "ci_n_new",
    ),
    case(
        "imaging not independent, clinical dept refused",
        all_of(set_path("departments.0.form", "相对固定"), attest("ci_t_dept_clinical", False)),
        G3,
        "一、（五）1",
        "ci_g3_route",
        "ci_t_dept",
    ),
    case("not leading", attest("ci_t_leading", False), G3, "一、（五）1", "ci_g3_route", "ci_t_leading"),
    case(
        "only one senior g3 physician left",
        lambda d: [
            s.__setitem__("in_service", False) for s in d["staff"] if s["id"] in ("D002", "D003", "D004", "D005")
        ],
        G3,
        "一、（五）2",
        "ci_g3_physicians",
    ),
    case(
        "no senior g3 physician",
        lambda d: [
            s.__setitem__("in_service", False) for s in d["staff"] if s["id"] in ("D001", "D002", "D004", "D005")
        ],
        G3,
        "一、（五）2",
        "ci_g3_physicians",
        "ci_g3_senior",
    ),
    case(
        "no road map",
        set_path("units.0.equipment.0.features.路图", False),
        G3,
        "一、（五）3（1）",
        "ci_dsa_roadmap_feature",
    ),
    case(
        "image quality refused",
        unit_attest(ROOM, "ci_g3_image_quality", False),
        G3,
        "一、（五）3（1）",
        "ci_g3_image_quality",
    ),
    case("no intubation", set_feature(ROOM, "气管插管"), G3, "一、（五）3（1）", "ci_g3_intubation"),
    case("no general anaesthesia", set_feature(ROOM, "全身麻醉"), G3, "一、（五）3（1）", "ci_g3_anaesthesia_cond"),
    case("no resuscitation", set_feature(ROOM, "心、肺、脑抢救复苏"), G3, "一、（五）3（1）", "ci_g3_resuscitation"),
    case("no oxygen supply", drop_equipment(ROOM, "供氧系统"), G3, "一、（五）3（1）", "ci_g3_oxygen"),
    case("no anaesthesia machine", drop_equipment(ROOM, "麻醉机"), G3, "一、（五）3（1）", "ci_g3_anaesthesia_machine"),
    case("no defibrillator", drop_equipment(ROOM, "除颤器"), G3, "一、（五）3（1）", "ci_g3_defibrillator"),
    case("no suction", drop_equipment(ROOM, "吸引器"), G3, "一、（五）3（1）", "ci_g3_suction"),
    case("no oximeter", drop_equipment(ROOM, "血氧监测仪"), G3, "一、（五）3（1）", "ci_g3_oximeter"),
    case("no emergency drugs", set_feature(ROOM, "必要的急救设备和药品"), G3, "一、（五）3（1）", "ci_g3_drugs"),
    case(
        "no PACS",
        drop_hospital_equipment("医学影像图像管理系统"),
        G3,
        "一、（五）3（1）",
        "ci_g3_pacs",
        "ci_image_system",
    ),
    case("ICU not conforming", unit_attest(ICU, "ci_icu_conform", False), G3, "一、（五）3（2）", "ci_icu_conform"),
    case("ICU clean grade IV", set_path("units.1.clean_grade", "IV"), G3, "一、（五）3（2）", "ci_icu_clean"),
    case(
        "ICU monitor without blood pressure",
        set_path("units.1.equipment.0.features.血压", False),
        G3,
        "一、（五）3（2）",
        "ci_monitor_bp",
    ),
    case("ICU without ventilator", drop_equipment(ICU, "呼吸机"), G3, "一、（五）3（2）", "ci_icu_ventilator"),
    case("ICU without ICP monitoring", set_feature(ICU, "有创颅压监测"), G3, "一、（五）3（2）", "ci_icu_icp"),
    case(
        "ICU without invasive ventilation",
        set_feature(ICU, "有创呼吸机治疗"),
        G3,
        "一、（五）3（2）",
        "ci_icu_invasive_vent",
    ),
    case(
        "ICU without safe transport",
        set_feature(ICU, "院内安全转运重症患者的措施和设备"),
        G3,
        "一、（五）3（2）",
        "ci_icu_transport",
    ),
    case(
        "ICU physician not dedicated",
        set_path("staff.@D006.assignments.0.dedicated", False),
        G3,
        "一、（五）3（2）",
        "ci_icu_physician",
    ),
    case(
        "ICU nurse untrained", set_path("staff.@N001.trainings.0.passed", False), G3, "一、（五）3（2）", "ci_icu_nurse"
    ),
    case("ICU capacity refused", unit_attest(ICU, "ci_icu_capacity", False), G3, "一、（五）3（2）", "ci_icu_capacity"),
    case(
        "no anaesthesiology department",
        set_path("departments", [{"name": "医学影像科", "form": "独立"}]),
        G3,
        "一、（五）3",
        "ci_anaesthesia",
    ),
    case("no Doppler capability", set_path("capabilities", []), G3, "一、（五）3（3）", "ci_doppler"),
    case(
        "neither CT nor MRI",
        all_of(drop_hospital_equipment("CT"), drop_hospital_equipment("MRI")),
        G3,
        "一、（五）3（3）",
        "ci_ct_mri",
    ),
]


@pytest.mark.parametrize("broken", HOSPITAL_BREAKS, ids=lambda b: b.name)
def test_breaking_one_requirement_refuses_on_its_clause(broken: Break) -> None:
    data = compliant()
    broken.mutate(data)
    result = verdicts(data)[broken.target]
    assert result["verdict"] == "ineligible"
    assert broken.clause in unmet_clauses(result)
    assert unmet_requirements(result) >= broken.requirements
    assert result["unmet"], "a refusal must cite its clauses"
    for item in result["unmet"]:
        assert item["spec"] == "cn_comprehensive_intervention" and item["text"]


@pytest.mark.parametrize("broken", [b for b in HOSPITAL_BREAKS if b.target == BASIC], ids=lambda b: b.name)
def test_basic_breaks_also_refuse_grade_three(broken: Break) -> None:
    """三级以上 requires the basic conditions: 在满足以上基本条件的情况下."""
    data = compliant()
    broken.mutate(data)
    assert verdicts(data)[G3]["verdict"] == "ineligible"


def test_compliant_example_is_eligible_for_everything() -> None:
    results = verdicts(compliant())
    assert {root: r["verdict"] for root, r in results.items()} == {
        BASIC: "eligible",
        G3: "eligible",
        ONGOING: "eligible",
        BASE: "eligible",
    }


def test_grade_three_break_leaves_grades_one_two_eligible() -> None:
    data = compliant()
    set_path("units.1.beds", 5)(data)
    results = verdicts(data)
    assert results[BASIC]["verdict"] == "eligible"
    assert results[G3]["verdict"] == "ineligible"
    [item] = results[G3]["unmet"]
    assert item["requirement"] == "ci_icu_beds"
    assert item["evidence"][0]["value"] == 5
    assert item["evidence"][0]["margin"] == "差 1"


# --- boundaries: at the threshold and one step past it ----------------------------------


def set_volumes(total_by_year: dict[int, tuple[int, int]], **events: int) -> Mutation:
    """Replace the hospital's volumes with (non-grade-3, grade-3) cases per year."""

    def mutate(d: dict[str, Any]) -> None:
        volumes = []
        for year, (low, high) in sorted(total_by_year.items()):
            volumes.append(
                {
                    "year": year,
                    "category": "综合介入",
                    "grade": 2,
                    "cases": low,
                    "severe_complications": 0,
                    "deaths": 0,
                    "malpractice": 0,
                }
            )
            volumes.append(
                {
                    "year": year,
                    "category": "综合介入",
                    "grade": 3,
                    "cases": high,
                    "severe_complications": events.get("complications", 0) if year == 2025 else 0,
                    "deaths": events.get("deaths", 0) if year == 2025 else 0,
                    "malpractice": events.get("malpractice", 0) if year == 2025 else 0,
                }
            )
        d["volumes"] = volumes

    return mutate


FIVE_YEARS = (2021, 2022, 2023, 2024, 2025)


def spread(total: int, high: int) -> dict[int, tuple[int, int]]:
    """Five years whose sums are exactly ``total`` cases, ``high`` of them grade 3+ (2025 big enough)."""
    low = total - high
    years = {y: (low // 5, high // 5) for y in FIVE_YEARS}
    years[2025] = (low - 4 * (low // 5), high - 4 * (high // 5))
    return years


@dataclass(frozen=True)
class Boundary:
    name: str
    at: Mutation
    past: Mutation
    target: str
    requirement: str


BOUNDARIES = [
    Boundary("ICU beds 6 / 5", set_path("units.1.beds", 6), set_path("units.1.beds", 5), G3, "ci_icu_beds"),
    Boundary(
        "ICU area 15 / 14.99 m²",
        set_path("units.1.area_per_bed_m2", 15.0),
        set_path("units.1.area_per_bed_m2", 14.99),
        G3,
        "ci_icu_area",
    ),
    Boundary(
        "5 years of intervention",
        set_path("activities.0.since", "2021-11-24"),
        set_path("activities.0.since", "2021-11-25"),
        G3,
        "ci_t_years",
    ),
    Boundary(
        "2000 cases in 5 years", set_volumes(spread(2000, 1000)), set_volumes(spread(1999, 1000)), G3, "ci_t_cases"
    ),
    Boundary(
        "1000 grade-3 cases in 5 years",
        set_volumes(spread(2100, 1000)),
        set_volumes(spread(2100, 999)),
        G3,
        "ci_t_cases_g3",
    ),
    Boundary(
        "ongoing complication rate below 5%",
        set_volumes({2025: (500, 500)}, complications=49),
        set_volumes({2025: (500, 500)}, complications=50),
        ONGOING,
        "ci_on_complications",
    ),
    Boundary(
        "ongoing mortality below 1%",
        set_volumes({2025: (500, 500)}, deaths=9),
        set_volumes({2025: (500, 500)}, deaths=10),
        ONGOING,
        "ci_on_mortality",
    ),
    Boundary(
        "ongoing no malpractice",
        set_volumes({2025: (500, 500)}, malpractice=0),
        set_volumes({2025: (500, 500)}, malpractice=1),
        ONGOING,
        "ci_on_malpractice",
    ),
    Boundary(
        "ongoing 300 grade-3 cases",
        set_volumes({2025: (100, 300)}),
        set_volumes({2025: (100, 299)}),
        ONGOING,
        "ci_on_cases_g3",
    ),
    Boundary(
        "operator 30 cases a year",
        set_path("staff.@D004.cases.0.cases", 30),
        set_path("staff.@D004.cases.0.cases", 29),
        ONGOING,
        "ci_on_operator_cases",
    ),
    Boundary(
        "training base 1000 cases a year",
        set_volumes({2025: (500, 500)}),
        set_volumes({2025: (499, 500)}),
        BASE,
        "ci_tb_cases",
    ),
    Boundary(
        "training base 500 grade-3 cases a year",
        set_volumes({2025: (600, 500)}),
        set_volumes({2025: (601, 499)}),
        BASE,
        "ci_tb_cases_g3",
    ),
    Boundary(
        "training base covers 60% (17 of 27)",
        lambda d: d.__setitem__("procedures", d["procedures"][:17]),
        lambda d: d.__setitem__("procedures", d["procedures"][:16]),
        BASE,
        "ci_tb_coverage",
    ),
    Boundary(
        "training base 5 instructors",
        lambda d: None,
        set_path("staff.@D004.in_service", False),
        BASE,
        "ci_tb_instructors",
    ),
    Boundary(
        "training base 2 chief instructors",
        set_path("staff.@D001.titles", [{"title": "副主任医师"}]),
        lambda d: [set_path(f"staff.{i}.titles", [{"title": "副主任医师"}])(d) for i in (0, 1)],
        BASE,
        "ci_tb_chiefs",
    ),
]


@pytest.mark.parametrize("boundary", BOUNDARIES, ids=lambda b: b.name)
def test_threshold_is_met_at_and_failed_one_past(boundary: Boundary) -> None:
    at, past = compliant(), compliant()
    boundary.at(at)
    boundary.past(past)
    assert verdicts(at)[boundary.target]["verdict"] == "eligible"
    result = verdicts(past)[boundary.target]
    assert result["verdict"] == "ineligible"
    assert boundary.requirement in unmet_requirements(result)


# --- alternatives: 之一, 或者 -------------------------------------------------------------


def secondary() -> dict[str, Any]:
    return example_data("secondary_county")


def test_secondary_route_holds_with_need_support_and_assessment() -> None:
    data = secondary()
    set_path("units.1.beds", 6)(data)
    result = verdicts(data)[G3]
    assert result["verdict"] == "eligible"


@pytest.mark.parametrize(
    ("name", "mutate", "requirement"),
    [
        ("support shorter than a year", set_path("supports.0.end", "2025-08-31"), "ci_sup_months"),
        ("partner not 甲等", set_path("supports.0.partner_grade", "乙等"), "ci_sup_grade"),
        ("partner unqualified", set_path("supports.0.partner_qualified", False), "ci_sup_qualified"),
        ("assessment before one year of support", set_path("assessments.0.date", "2025-08-31"), "ci_sup_assessed"),
        ("emergency reach refused", attest("ci_s_unreachable", False), "ci_s_unreachable"),
        ("only 1499 cases", set_volumes(spread(1499, 800)), "ci_s_cases"),
        ("only 799 grade-3 cases", set_volumes(spread(1500, 799)), "ci_s_cases_g3"),
    ],
)
def test_secondary_route_conditions(name: str, mutate: Mutation, requirement: str) -> None:
    data = secondary()
    set_path("units.1.beds", 6)(data)
    mutate(data)
    result = verdicts(data)[G3]
    assert result["verdict"] == "ineligible", name
    route = next(item for item in result["unmet"] if item["requirement"] == "ci_g3_route")
    branch = next(b for b in route["branches"] if b["requirement"] == "ci_route_secondary")
    assert requirement in {u["requirement"] for u in branch["unmet"]} | {
        inner["requirement"] for u in branch["unmet"] for b2 in u.get("branches", []) for inner in b2["unmet"]
    } | {inner["requirement"] for u in branch["unmet"] for p in u.get("because", []) for inner in p["unmet"]}


def test_secondary_support_boundary_is_exactly_one_year() -> None:
    at, past = secondary(), secondary()
    for data in (at, past):
        set_path("units.1.beds", 6)(data)
    set_path("supports.0.end", "2025-09-01")(at)
    set_path("supports.0.end", "2025-08-31")(past)
    assert verdicts(at)[G3]["verdict"] == "eligible"
    assert verdicts(past)[G3]["verdict"] == "ineligible"


def test_district_route_needs_no_qualified_provider() -> None:
    data = secondary()
    set_path("units.1.beds", 6)(data)
    set_path("location.county_level", False)(data)
    data["regional_providers"] = [
        {"technology": "comprehensive_intervention", "scope": "三级以上", "qualified_in_district": 0}
    ]
    assert verdicts(data)[G3]["verdict"] == "eligible"
    data["regional_providers"][0]["qualified_in_district"] = 1
    result = verdicts(data)[G3]
    assert result["verdict"] == "ineligible"
    assert "ci_s_no_provider" in unmet_requirements(result)


def test_new_hospital_route_needs_provincial_assessment() -> None:
    data = example_data("new_hospital")
    result = verdicts(data)[G3]
    assert result["verdict"] == "undetermined"
    assert any(m["path"] == "assessments" for m in result["missing"])
    data["assessments"] = [
        {
            "technology": "comprehensive_intervention",
            "scope": "三级以上",
            "authority": "省级",
            "date": "2026-09-01",
            "passed": True,
        }
    ]
    assert verdicts(data)[G3]["verdict"] == "eligible"
    data["assessments"][0]["authority"] = "市级"
    result = verdicts(data)[G3]
    assert result["verdict"] == "ineligible"
    assert "ci_n_assessed" in unmet_requirements(result)


def test_clinical_department_alternative_replaces_independent_imaging() -> None:
    data = compliant()
    set_path("departments.0.form", "相对固定")(data)
    attest("ci_t_dept_clinical", True)(data)
    assert verdicts(data)[G3]["verdict"] == "eligible"


def test_ct_or_mri_either_suffices() -> None:
    for kind in ("CT", "MRI"):
        data = compliant()
        drop_hospital_equipment(kind)(data)
        assert verdicts(data)[G3]["verdict"] == "eligible", kind


# --- physicians: every path, pass and fail ------------------------------------------------


def physician(data: dict[str, Any], staff_id: str) -> dict[str, dict[str, Any]]:
    return physician_verdicts(data, staff_id)


def test_physician_paths_of_the_example() -> None:
    data = compliant()
    for staff_id in ("D001", "D002", "D003", "D004", "D005"):
        results = physician(data, staff_id)
        assert results["ci_physician_basic"]["verdict"] == "eligible", staff_id
        assert results["ci_physician_g3"]["verdict"] == "eligible", staff_id


@pytest.mark.parametrize(
    ("name", "staff_id", "mutate", "requirement"),
    [
        ("no licence", "D003", set_path("staff.@D003.licence", False), "ci_licence"),
        (
            "scope neither imaging nor attested",
            "D004",
            set_path("staff.@D004.attestations.0.holds", False),
            "ci_scope_clinical",
        ),
        (
            "4 years 11 months of experience",
            "D003",
            set_path("staff.@D003.experience.0.start", "2021-11-25"),
            "ci_exp5",
        ),
        ("resident title", "D003", set_path("staff.@D003.titles", [{"title": "住院医师"}]), "ci_title_attending"),
        ("abroad 5 months", "D003", set_path("staff.@D003.trainings.0.months", 5), "ci_ta_months"),
        (
            "abroad without certificate",
            "D003",
            set_path("staff.@D003.trainings.0.certificate", False),
            "ci_ta_certificate",
        ),
        ("abroad 49 grade-3 cases", "D003", set_path("staff.@D003.trainings.0.cases.1.count", 49), "ci_ta_cases_g3"),
        ("national base failed", "D002", set_path("staff.@D002.trainings.0.passed", False), "ci_tr_passed"),
        (
            "provincial-only base for grade 3",
            "D002",
            set_path("staff.@D002.trainings.0.authority", "省级"),
            "ci_tr_national",
        ),
        ("49 grade-3 training cases", "D002", set_path("staff.@D002.trainings.0.cases.1.count", 49), "ci_tr_cases_g3"),
        ("5 months at the base", "D002", set_path("staff.@D002.trainings.0.months", 5), "ci_tr_months"),
    ],
)
def test_physician_grade_three_refusals(name: str, staff_id: str, mutate: Mutation, requirement: str) -> None:
    data = compliant()
    mutate(data)
    result = physician(data, staff_id)["ci_physician_g3"]
    assert result["verdict"] == "ineligible", name
    assert requirement in unmet_requirements(result)
    route = next(item for item in result["unmet"] if item["requirement"] == "ci_physician_g3")
    assert {b["requirement"] for b in route["branches"]} == {"ci_phys_g3_std", "ci_gf_direct", "ci_gf_assess"}


def basic_physician(years_start: str = "2023-11-24", months: int = 6, cases: int = 100) -> dict[str, Any]:
    """A physician qualified for grades 1–2 only (provincial base)."""
    return {
        "id": "P100",
        "name": "测试医师",
        "role": "physician",
        "licence": True,
        "scopes": ["医学影像和放射治疗专业"],
        "titles": [{"title": "住院医师", "obtained": "2020-07-01"}],
        "in_service": True,
        "experience": [{"field": "综合介入", "start": years_start}],
        "trainings": [
            {
                "topic": "comprehensive_intervention",
                "path": "base",
                "authority": "省级",
                "months": months,
                "cases": [{"role": "术者", "count": cases}],
                "passed": True,
            }
        ],
        "recommendations": [],
        "incidents": [],
        "cases": [],
        "assessments": [],
    }


@pytest.mark.parametrize(
    ("name", "at", "past", "requirement"),
    [
        ("3 years of experience", {"years_start": "2023-11-24"}, {"years_start": "2023-11-25"}, "ci_exp3"),
        ("6 months of training", {"months": 6}, {"months": 5}, "ci_tr_months"),
        ("100 cases as operator", {"cases": 100}, {"cases": 99}, "ci_tr_cases"),
    ],
)
def test_basic_physician_boundaries(name: str, at: dict[str, Any], past: dict[str, Any], requirement: str) -> None:
    good, bad = compliant(), compliant()
    good["staff"].append(basic_physician(**at))
    bad["staff"].append(basic_physician(**past))
    assert physician(good, "P100")["ci_physician_basic"]["verdict"] == "eligible"
    assert physician(good, "P100")["ci_physician_g3"]["verdict"] == "ineligible"
    result = physician(bad, "P100")["ci_physician_basic"]
    assert result["verdict"] == "ineligible", name
    assert requirement in unmet_requirements(result)


def test_basic_qualification_also_through_abroad_training() -> None:
    data = compliant()
    member = basic_physician()
    member["trainings"] = [
        {
            "topic": "comprehensive_intervention",
            "path": "abroad",
            "months": 6,
            "certificate": True,
            "cases": [{"role": "术者", "count": 100}],
            "passed": True,
        }
    ]
    data["staff"].append(member)
    assert physician(data, "P100")["ci_physician_basic"]["verdict"] == "eligible"


# Grandfather path 五、（一）: D005 practises grade 3+ without training.
GRANDFATHER = "D005"


def gf_cases(other: list[int], grade3: list[int], complications: int = 0, deaths: int = 0) -> Mutation:
    """D005's independent cases in 2007–2011 (the 5 years before 2012-01-01), events in 2011."""

    def mutate(d: dict[str, Any]) -> None:
        records = []
        for year, low, high in zip(range(2007, 2012), other, grade3, strict=True):
            last = year == 2011
            records.append(
                {
                    "year": year,
                    "category": "综合介入",
                    "kind": "诊断",
                    "grade": 2,
                    "role": "独立完成",
                    "cases": low,
                    "severe_complications": 0,
                    "deaths": 0,
                }
            )
            records.append(
                {
                    "year": year,
                    "category": "综合介入",
                    "kind": "治疗",
                    "grade": 3,
                    "role": "独立完成",
                    "cases": high,
                    "severe_complications": complications if last else 0,
                    "deaths": deaths if last else 0,
                }
            )
        later = [r for r in staff(d, GRANDFATHER)["cases"] if r["year"] > 2011]
        staff(d, GRANDFATHER)["cases"] = records + later

    return mutate


@pytest.mark.parametrize(
    ("name", "at", "past", "requirement"),
    [
        (
            "10 continuous years before 2012-01-01",
            set_path("staff.@D005.experience.1.start", "2002-01-01"),
            set_path("staff.@D005.experience.1.start", "2002-01-02"),
            "ci_gd_years",
        ),
        (
            "副主任医师 by 2012-01-01",
            set_path("staff.@D005.titles", [{"title": "副主任医师", "obtained": "2012-01-01"}]),
            set_path(
                "staff.@D005.titles",
                [{"title": "主治医师", "obtained": "2000-01-01"}, {"title": "副主任医师", "obtained": "2012-01-02"}],
            ),
            "ci_gd_title",
        ),
        ("three chief recommendations", lambda d: None, lambda d: d["staff"][4]["recommendations"].pop(), "ci_gd_recs"),
        (
            "one external recommendation",
            lambda d: None,
            set_path("staff.@D005.recommendations.0.external", False),
            "ci_gd_recs_ext",
        ),
        (
            "500 independent cases in 2007–2011",
            gf_cases([60] * 5, [40] * 5),
            gf_cases([60] * 4 + [59], [40] * 5),
            "ci_gd_cases",
        ),
        (
            "200 grade-3 cases",
            gf_cases([70] * 5, [40] * 5),
            gf_cases([70] * 4 + [71], [40] * 4 + [39]),
            "ci_gd_cases_g3",
        ),
        (
            "complication rate below 5% (24 / 25 of 500)",
            gf_cases([60] * 5, [40] * 5, complications=24),
            gf_cases([60] * 5, [40] * 5, complications=25),
            "ci_gd_complications",
        ),
        (
            "mortality below 1% (4 / 5 of 500)",
            gf_cases([60] * 5, [40] * 5, deaths=4),
            gf_cases([60] * 5, [40] * 5, deaths=5),
            "ci_gd_mortality",
        ),
        (
            "no grade-2 malpractice",
            set_path(
                "staff.@D005.incidents",
                [{"type": "医疗事故", "grade": "三级", "date": "2010-01-01", "related": ["介入诊疗"]}],
            ),
            set_path(
                "staff.@D005.incidents",
                [{"type": "医疗事故", "grade": "二级", "date": "2010-01-01", "related": ["介入诊疗"]}],
            ),
            "ci_gd_no_malpractice",
        ),
        ("ethics attested", lambda d: None, set_path("staff.@D005.attestations.0.holds", False), "ci_gd_ethics"),
    ],
)
def test_grandfather_direct_path(name: str, at: Mutation, past: Mutation, requirement: str) -> None:
    good, bad = compliant(), compliant()
    at(good)
    past(bad)
    assert physician(good, GRANDFATHER)["ci_physician_g3"]["verdict"] == "eligible", name
    result = physician(bad, GRANDFATHER)["ci_physician_g3"]
    assert result["verdict"] == "ineligible", name
    assert requirement in unmet_requirements(result)


def test_malpractice_after_the_anchor_does_not_void_the_grandfather_path() -> None:
    data = compliant()
    set_path(
        "staff.@D005.incidents", [{"type": "医疗事故", "grade": "一级", "date": "2015-01-01", "related": ["介入诊疗"]}]
    )(data)
    assert physician(data, GRANDFATHER)["ci_physician_g3"]["verdict"] == "eligible"


def assessment_candidate() -> dict[str, Any]:
    """A physician on path 五、（二）: 8 continuous years and 主治医师 by 2012, then an assessment."""
    return {
        "id": "P200",
        "name": "考核医师",
        "role": "physician",
        "licence": True,
        "scopes": ["医学影像和放射治疗专业"],
        "titles": [{"title": "主治医师", "obtained": "2005-07-01"}],
        "in_service": True,
        "experience": [{"field": "综合介入", "start": "2004-01-01"}],
        "trainings": [],
        "incidents": [],
        "attestations": [
            {"statement": "ci_ga_ethics", "holds": True, "by": "伦理委员会"},
            {"statement": "ci_ga_peer", "holds": True, "by": "省介入学会"},
        ],
        "recommendations": [
            {"recommender": f"R{i}", "title": "主任医师", "same_specialty": True, "external": i == 0} for i in range(3)
        ],
        "cases": [
            {
                "year": y,
                "category": "综合介入",
                "kind": "治疗",
                "grade": 3,
                "role": "独立完成",
                "cases": 100,
                "severe_complications": 1,
                "deaths": 0,
            }
            for y in range(2007, 2012)
        ],
        "assessments": [
            {"technology": "comprehensive_intervention", "scope": "三级以上", "date": "2013-03-01", "passed": True}
        ],
    }


def test_assessment_path_pass_and_fail() -> None:
    data = compliant()
    data["staff"].append(assessment_candidate())
    assert physician(data, "P200")["ci_physician_g3"]["verdict"] == "eligible"
    data["staff"][-1]["assessments"][0]["passed"] = False
    result = physician(data, "P200")["ci_physician_g3"]
    assert result["verdict"] == "ineligible"
    assert "ci_ga_passed" in unmet_requirements(result)


def test_assessment_path_needs_eight_continuous_years() -> None:
    data = compliant()
    candidate = assessment_candidate()
    candidate["experience"] = [{"field": "综合介入", "start": "2004-01-02"}]
    data["staff"].append(candidate)
    result = physician(data, "P200")["ci_physician_g3"]
    assert result["verdict"] == "ineligible"
    assert "ci_ga_years" in unmet_requirements(result)


def test_assessment_path_counts_therapeutic_cases_only() -> None:
    data = compliant()
    candidate = assessment_candidate()
    for record in candidate["cases"]:
        record["kind"] = "诊断"
    data["staff"].append(candidate)
    result = physician(data, "P200")["ci_physician_g3"]
    assert result["verdict"] == "ineligible"
    assert "ci_ga_cases" in unmet_requirements(result)


# --- ongoing: conditional on filing --------------------------------------------------------


def test_volume_requirement_applies_only_to_hospitals_filed_for_grade_three() -> None:
    data = compliant()
    set_volumes({2025: (900, 100)})(data)
    assert verdicts(data)[ONGOING]["verdict"] == "ineligible"
    data["filings"] = []
    assert verdicts(data)[ONGOING]["verdict"] == "eligible"


def test_ongoing_rate_over_empty_year_is_not_exceeded() -> None:
    data = compliant()
    data["filings"] = []
    data["volumes"] = []
    assert verdicts(data)[ONGOING]["verdict"] == "eligible"
