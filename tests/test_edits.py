"""Profile edits at field paths (used by case files, and by what-if and planning)."""

from __future__ import annotations

import pytest

from tests.conftest import example_data, hospital_from
from zhunru.edits import Edit, apply, apply_all, parse_path
from zhunru.errors import InputError


def test_paths_select_by_index_id_name_and_statement() -> None:
    assert parse_path("units[1].beds") == ["units", 1, "beds"]
    assert parse_path("units[icu-1].features.路图") == ["units", "icu-1", "features", "路图"]
    data = example_data("tertiary_compliant")
    assert apply(data, Edit("set", "units[icu-1].beds", 7))["units"][1]["beds"] == 7
    assert apply(data, Edit("set", "departments[麻醉科].beds", 3))["departments"][1]["beds"] == 3
    assert apply(data, Edit("set", "attestations[ci_fit].holds", False))["attestations"][0]["holds"] is False


def test_add_to_numbers_and_lists_and_remove() -> None:
    data = example_data("tertiary_compliant")
    edited = apply_all(
        data,
        [
            Edit("add", "units[icu-1].beds", 3),
            Edit("add", "subjects", "肿瘤科"),
            Edit("remove", "units[ir-1].equipment[ecg-1]"),
        ],
    )
    assert edited["units"][1]["beds"] == 15
    assert edited["subjects"][-1] == "肿瘤科"
    assert "ecg-1" not in {e["id"] for e in edited["units"][0]["equipment"]}
    assert data["units"][1]["beds"] == 12, "edits never change their input"
    hospital_from(edited)


@pytest.mark.parametrize(
    "edit",
    [
        Edit("set", "units[no-such-unit].beds", 1),
        Edit("add", "name", 3),
        Edit("remove", "staff[D999]"),
        Edit("set", "units[.beds", 1),
    ],
)
def test_bad_edits_are_input_errors_naming_the_path(edit: Edit) -> None:
    with pytest.raises(InputError) as error:
        apply(example_data("tertiary_compliant"), edit)
    assert error.value.problems[0].field == edit.path
