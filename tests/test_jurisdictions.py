"""The real jurisdictions: 心血管疾病介入诊疗 exists as national 2011 and Tianjin 2019; TIPS stands in
two grade catalogues.  (The selection rules themselves are tested on a small KB in test_selection.py.)"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from tests.conftest import AS_OF, example_data, hospital_from, zhunru
from zhunru import api

TIANJIN = "tj_cardiovascular_intervention"
NATIONAL = "cn_cardiovascular_intervention_2011"
CARDIO = "cardiovascular_intervention"
TIPS = "经颈静脉肝内门体分流术（TIPS）"


def in_province(example: str, province: str) -> dict[str, Any]:
    data = example_data(example)
    data["location"] = {**data["location"], "province": province}
    return data


def applied(report: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {row["spec"]: row for row in report["specifications"]}


def test_a_tianjin_hospital_is_judged_by_the_tianjin_version() -> None:
    report = api.check(hospital_from(example_data(TIANJIN)), AS_OF, [CARDIO])
    assert list(applied(report)) == [TIANJIN]
    assert applied(report)[TIANJIN]["reason"] == "provincial"
    assert applied(report)[TIANJIN]["not_applied"] == [NATIONAL]
    assert {r["spec"] for r in report["results"]} == {TIANJIN}
    assert all("天津市" in r["basis"] and r["version"] == "2019" for r in report["results"])


@pytest.mark.parametrize("province", ["河北省", "吉林省"])
def test_any_other_hospital_is_judged_by_the_national_version(province: str) -> None:
    report = api.check(hospital_from(in_province(TIANJIN, province)), AS_OF, [CARDIO])
    assert list(applied(report)) == [NATIONAL]
    assert applied(report)[NATIONAL]["reason"] == "national"
    assert {r["version"] for r in report["results"]} == {"2011"}
    assert all("国家规范" in r["basis"] for r in report["results"])


def test_spec_overrides_the_jurisdiction() -> None:
    report = api.check(hospital_from(example_data(TIANJIN)), AS_OF, specs=[NATIONAL])
    assert applied(report)[NATIONAL]["reason"] == "named"
    assert {r["spec"] for r in report["results"]} == {NATIONAL}
    run = zhunru(
        "check",
        "examples/tj_cardiovascular_intervention.yaml",
        "--spec",
        NATIONAL,
        "--as-of",
        "2026-11-24",
        "--format",
        "json",
    )
    assert run.code == 0, run.err
    assert {r["spec"] for r in run.json()["results"]} == {NATIONAL}


def test_before_the_tianjin_version_took_effect_the_national_one_applies() -> None:
    started = api.knowledge_base().specs[TIANJIN].dates["implemented"][0]
    report = api.check(hospital_from(example_data(TIANJIN)), date.fromordinal(started.toordinal() - 1), [CARDIO])
    assert list(applied(report)) == [NATIONAL]


def test_by_default_each_technology_is_judged_once_by_the_law_of_the_place() -> None:
    tianjin = api.check(hospital_from(example_data(TIANJIN)), AS_OF)
    specs = {r["spec"] for r in tianjin["results"]}
    assert TIANJIN in specs and NATIONAL not in specs
    assert not any(s.startswith("jl_") for s in specs)
    jilin = api.check(hospital_from(example_data("jl_tumor_hyperthermia")), AS_OF)
    specs = {r["spec"] for r in jilin["results"]}
    assert NATIONAL in specs and TIANJIN not in specs
    assert "jl_tumor_hyperthermia" in specs and not any(s.startswith("tj_") for s in specs)


def test_a_technology_with_no_version_in_force_here_is_refused_with_a_hint() -> None:
    run = zhunru("check", "examples/jl_tumor_hyperthermia.yaml", "--tech", "hemodialysis", "--as-of", "2026-11-24")
    assert run.code == 2
    assert "no_specification_in_force" in run.err and "tj_hemodialysis" in run.err


# --- a procedure in two grade catalogues ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("example", "allowed_by"),
    [
        ("tertiary_compliant", ["cn_comprehensive_intervention"]),
        ("cn_peripheral_vascular_intervention", ["cn_peripheral_vascular_intervention"]),
    ],
)
def test_tips_is_allowed_when_either_qualification_allows_it(example: str, allowed_by: list[str]) -> None:
    report = api.check(hospital_from(example_data(example)), AS_OF, procedure=TIPS)
    verdict = report["procedure"]
    assert {c["spec"] for c in verdict["catalogues"]} == {
        "cn_comprehensive_intervention",
        "cn_peripheral_vascular_intervention",
    }
    assert all(c["grade"] == 4 for c in verdict["catalogues"])
    assert verdict["verdict"] == "eligible"
    assert verdict["allowed_by"] == allowed_by


def test_tips_is_refused_when_neither_allows_it_and_the_explanation_says_which() -> None:
    data = example_data("secondary_county")  # refused grade 3+ of 综合介入 on its ICU beds
    report = api.check(hospital_from(data), AS_OF, procedure=TIPS)
    assert report["procedure"]["verdict"] != "eligible"
    assert report["procedure"]["allowed_by"] == []
    text = api.explain(hospital_from(example_data("cn_peripheral_vascular_intervention")), AS_OF, procedure=TIPS)
    assert isinstance(text, str)
    assert text.startswith(f"{TIPS}：见于2个分级目录")
    assert "依据外周血管介入诊疗技术管理规范" in text
