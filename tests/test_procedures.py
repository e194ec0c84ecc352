"""Procedure-level verdicts: a procedure is allowed when the hospital holds its grade's qualification."""

from __future__ import annotations

import pytest

from tests.conftest import AS_OF, CI, example_data, hospital_from
from zhunru import api
from zhunru.errors import InputError

CATALOGUE = [(p.name, p.grade) for p in api.knowledge_base().catalogue(CI)]
NEW_TECHNIQUE = "其他准予临床应用的新技术"


def procedure_verdict(example: str, name: str, **changes: object) -> dict:  # type: ignore[type-arg]
    data = example_data(example)
    data.update(changes)
    [result] = api.check(hospital_from(data), AS_OF, ["comprehensive_intervention"], procedure=name)["results"]
    return result


@pytest.mark.parametrize(("name", "grade"), [c for c in CATALOGUE if c[0] != NEW_TECHNIQUE])
def test_compliant_hospital_may_perform_every_catalogued_procedure(name: str, grade: int) -> None:
    result = procedure_verdict("tertiary_compliant", name)
    assert (result["procedure"], result["grade"], result["verdict"]) == (name, grade, "eligible")


@pytest.mark.parametrize(("name", "grade"), CATALOGUE)
def test_secondary_hospital_by_grade(name: str, grade: int) -> None:
    """Its ICU has 5 beds: grades 1–2 are allowed, grades 3–4 refused on 一、（五）3（2）."""
    result = procedure_verdict("secondary_county", name)
    if grade <= 2:
        assert result["verdict"] == "eligible"
        assert result["target"] == "ci_entry_basic"
    else:
        assert result["verdict"] == "ineligible"
        assert "一、（五）3（2）" in {item["clause"] for item in result["unmet"]}


def test_open_item_needs_its_own_approval() -> None:
    result = procedure_verdict("tertiary_compliant", NEW_TECHNIQUE)
    assert result["verdict"] == "undetermined"
    assert [m["requirement"] for m in result["missing"]] == ["ci_new_technique_approved"]
    data = example_data("tertiary_compliant")
    data["attestations"].append({"statement": "ci_new_technique_approved", "holds": True, "by": "省卫生健康委"})
    [approved] = api.check(hospital_from(data), AS_OF, ["comprehensive_intervention"], procedure=NEW_TECHNIQUE)[
        "results"
    ]
    assert approved["verdict"] == "eligible"


def test_partial_name_finds_the_catalogue_entry() -> None:
    result = procedure_verdict("tertiary_compliant", "TIPS")
    assert result["procedure"] == "经颈静脉肝内门体分流术（TIPS）" and result["grade"] == 4
    assert result["catalogue_clause"] == "附件 四级手术 五、"


def test_unknown_procedure_is_an_input_error() -> None:
    with pytest.raises(InputError) as error:
        procedure_verdict("tertiary_compliant", "心脏移植术")
    assert error.value.problems[0].field == "心脏移植术"
