"""Bad input: exit code 2, no traceback, and a message naming file, field and expectation.

Each case writes a mutated copy of the example profile into ``tmp_path`` and runs
the CLI in-process through :func:`zhunru.cli.common.run_guarded`, the error
boundary of the ``zhunru`` console script.  A few cases run ``python -m zhunru``
in a subprocess to check the real entry point end to end.
"""

from __future__ import annotations

import copy
import json
import re
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.conftest import Run, zhunru
from zhunru.errors import InputError
from zhunru.profile import MAX_COUNT, Hospital, iter_profiles

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "tertiary_compliant.yaml"
AS_OF = "2026-11-24"
CLINGO_OVERFLOW = 2**31  # one more than clingo's largest integer

_EXAMPLE: dict[str, Any] = yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))


# --- helpers ---------------------------------------------------------------------------


def check(profile: Path, *extra: str) -> Run:
    return zhunru("check", profile, "--as-of", AS_OF, "--format", "json", *extra)


def example() -> dict[str, Any]:
    """A fresh, mutable copy of the example profile."""
    return copy.deepcopy(_EXAMPLE)


def write_yaml(tmp_path: Path, data: Any, name: str = "profile.yaml") -> Path:
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def write_json(tmp_path: Path, data: Any, name: str = "profile.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(data, ensure_ascii=False, default=str), encoding="utf-8")
    return path


def assert_rejected(run: Run, *fragments: str) -> list[str]:
    """Exit 2, nothing on stdout, no traceback; stderr holds every fragment.  Returns the error lines."""
    assert run.code == 2, f"exit {run.code}\n{run.out}\n{run.err}"
    assert "Traceback" not in run.out + run.err
    assert run.out == ""
    for fragment in fragments:
        assert fragment in run.err, f"{fragment!r} not in\n{run.err}"
    return [line for line in run.err.splitlines() if line.strip()]


Path_ = tuple[str | int, ...]


def set_at(data: dict[str, Any], path: Path_, value: Any) -> None:
    *parents, last = path
    for key in parents:
        data = data[key]
    data[last] = value


def field(path: Path_) -> str:
    """The field path as the CLI prints it: ``staff[0].titles[0].title``."""
    text = ""
    for key in path:
        text += f"[{key}]" if isinstance(key, int) else (f".{key}" if text else key)
    return text


# --- syntax ----------------------------------------------------------------------------


def test_malformed_yaml_names_file_and_position(tmp_path: Path) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text(EXAMPLE.read_text(encoding="utf-8") + "\nextra: [1, 2\nmore: 3\n", encoding="utf-8")
    lines = assert_rejected(check(path), str(path), "malformed YAML")
    assert re.search(r"line \d+ column \d+", lines[0])


def test_malformed_json_names_file_and_position(tmp_path: Path) -> None:
    path = tmp_path / "broken.json"
    path.write_text(json.dumps(_EXAMPLE, ensure_ascii=False, default=str, indent=2)[:-1], encoding="utf-8")
    lines = assert_rejected(check(path), str(path), "malformed JSON")
    assert re.search(r"line \d+ column \d+", lines[0])


def test_non_utf8_file(tmp_path: Path) -> None:
    path = tmp_path / "latin1.yaml"
    path.write_bytes("name: Zürich\n".encode("latin-1"))
    assert_rejected(check(path), str(path), "UTF-8")


@pytest.mark.parametrize("content", ["", "- just\n- a list\n", "42\n"])
def test_profile_that_is_not_a_mapping(tmp_path: Path, content: str) -> None:
    path = tmp_path / "odd.yaml"
    path.write_text(content, encoding="utf-8")
    assert_rejected(check(path), str(path), "expected a mapping")


def test_nonexistent_file(tmp_path: Path) -> None:
    path = tmp_path / "nowhere.yaml"
    assert_rejected(check(path), str(path), "no such file")


# --- schema: one wrong value, one message naming its field -------------------------------


@dataclass(frozen=True)
class Bad:
    """Setting ``path`` to ``value`` must be rejected with ``expected`` in the message."""

    path: Path_
    value: Any
    expected: str


SCHEMA_CASES = {
    "unknown top-level field": Bad(("favourite_colour",), "blue", "unknown field"),
    "unknown nested field": Bad(("staff", 0, "favourite_colour"), "blue", "unknown field"),
    "wrong type": Bad(("units", 1, "beds"), "forty", "valid integer"),
    "negative count": Bad(("units", 1, "beds"), -1, "greater than or equal to 0"),
    "float for a count": Bad(("units", 1, "beds"), 12.5, "valid integer"),
    "unknown title": Bad(("staff", 0, "titles", 0, "title"), "院长", "'主任医师'"),
    "nurse title on a physician": Bad(("staff", 0, "titles", 0, "title"), "主管护师", "not a physician title"),
    "unknown hospital level": Bad(("level",), "四级", "'三级'"),
    "bad date": Bad(("opened",), "yesterday", "valid date"),
    "string for a flag": Bad(("units", 0, "features", "放射防护"), "yes", "valid boolean"),
    "beds beyond clingo": Bad(("units", 1, "beds"), CLINGO_OVERFLOW, "less than or equal to"),
    "volume beyond clingo": Bad(("volumes", 0, "cases"), CLINGO_OVERFLOW, "less than or equal to"),
    "physician cases beyond clingo": Bad(("staff", 0, "cases", 0, "cases"), CLINGO_OVERFLOW, "less than or equal to"),
    "rating beyond clingo": Bad(
        ("units", 0, "equipment", 0, "ratings", "mA"), CLINGO_OVERFLOW, f"less than or equal to {MAX_COUNT}"
    ),
    "unknown technology in a filing": Bad(("filings", 0, "technology"), "no_such_tech", "comprehensive_intervention"),
    "unknown attestation statement": Bad(("attestations", 0, "statement"), "no_such_statement", "unknown statement"),
    "unknown procedure": Bad(("procedures", 0), "不存在的手术", "not a procedure of any grade catalogue"),
}


@pytest.mark.parametrize("case", SCHEMA_CASES.values(), ids=SCHEMA_CASES.keys())
def test_bad_value_names_file_field_and_expectation(tmp_path: Path, case: Bad) -> None:
    data = example()
    set_at(data, case.path, case.value)
    path = write_yaml(tmp_path, data)
    (line,) = assert_rejected(check(path), case.expected)
    assert line.startswith(f"error: {path}: {field(case.path)}: "), line


def test_same_problems_from_a_json_profile(tmp_path: Path) -> None:
    data = example()
    set_at(data, ("staff", 0, "favourite_colour"), "blue")
    path = write_json(tmp_path, data)
    assert_rejected(check(path), f"{path}: staff[0].favourite_colour: unknown field")


def test_missing_required_field(tmp_path: Path) -> None:
    data = example()
    del data["name"]
    path = write_yaml(tmp_path, data)
    assert_rejected(check(path), f"{path}: name: required field is missing")


@pytest.mark.parametrize(
    ("records", "field_path"),
    [("volumes", "volumes"), ("cases", "staff[0].cases")],
)
def test_sums_beyond_clingo_are_rejected(tmp_path: Path, records: str, field_path: str) -> None:
    """Each record is within bounds, but the rules sum them (and multiply the sum by 100)."""
    data = example()
    holder = data if records == "volumes" else data["staff"][0]
    template = holder[records][0]
    holder[records] = [{**template, "cases": MAX_COUNT, "severe_complications": MAX_COUNT} for _ in range(11)]
    path = write_yaml(tmp_path, data)
    assert_rejected(check(path), f"{path}: {field_path}: ", "less than or equal to")


def test_several_problems_are_each_reported(tmp_path: Path) -> None:
    data = example()
    data["favourite_colour"] = "blue"
    data["units"][1]["beds"] = -1
    data["staff"][0]["titles"][0]["title"] = "院长"
    path = write_yaml(tmp_path, data)
    lines = assert_rejected(check(path), "favourite_colour", "units[1].beds", "staff[0].titles[0].title")
    assert len(lines) >= 3
    assert all(line.startswith(f"error: {path}: ") for line in lines)


def test_several_knowledge_base_problems_are_each_reported(tmp_path: Path) -> None:
    data = example()
    data["filings"][0]["technology"] = "no_such_tech"
    data["attestations"][0]["statement"] = "no_such_statement"
    path = write_yaml(tmp_path, data)
    lines = assert_rejected(check(path), "filings[0].technology", "attestations[0].statement")
    assert len(lines) >= 2


# --- command-line options ----------------------------------------------------------------


OPTION_CASES = {
    "unknown --tech": (["check", "--tech", "no_such_tech"], ["--tech: no_such_tech: ", "comprehensive_intervention"]),
    "bad --as-of": (["check", "--as-of", "2026-13-01"], ["--as-of: 2026-13-01: ", "YYYY-MM-DD"]),
    "check --format xml": (["check", "--format", "xml"], ["--format: xml: ", "table, json"]),
    "explain --format xml": (["explain", "--tech", "comprehensive_intervention", "--format", "xml"], ["text, json"]),
    "bad --lang": (["check", "--lang", "fr"], ["--lang: fr: ", "zh, en"]),
    "unknown --procedure": (["check", "--procedure", "不存在的手术"], ["--procedure: 不存在的手术: "]),
    "unknown --physician": (["explain", "--physician", "D999"], ["--physician: D999: ", "no staff member"]),
    "explain without a question": (["explain"], ["--tech", "--procedure", "--physician"]),
    "unknown option": (["check", "--bogus"], ["No such option", "--bogus"]),
}


@pytest.mark.parametrize(("args", "expected"), OPTION_CASES.values(), ids=OPTION_CASES.keys())
def test_bad_option(args: list[str], expected: list[str]) -> None:
    command, *options = args
    as_of = [] if "--as-of" in options else ["--as-of", AS_OF]
    assert_rejected(zhunru(command, EXAMPLE, *as_of, *options), *expected)


@pytest.mark.parametrize("args", [["check"], ["no-such-command"], ["kb", "list", "--format", "xml"]])
def test_bad_command_line(args: list[str]) -> None:
    assert_rejected(zhunru(*args))


# --- ASP injection -----------------------------------------------------------------------


EVIL = 'x"). eligible(1). %'
EVIL_MULTILINE = 'y").\n:- .\nholds(X, R) :- eval(X, R). % "'


def verdicts(report: dict[str, Any]) -> list[tuple[str, ...]]:
    hospital = [(r["technology"], r["target"], r["verdict"]) for r in report["results"]]
    physicians = [(r["staff"], r["target"], r["verdict"]) for r in report["physicians"]]
    return hospital + physicians


def poisoned() -> dict[str, Any]:
    """The example with ASP syntax in free-text names, keys and ids."""
    data = example()
    data["name"] = EVIL
    data["staff"][0]["name"] = EVIL_MULTILINE
    data["units"][0]["features"][EVIL_MULTILINE] = True
    data["subjects"].append(EVIL)
    old_id = data["units"][0]["id"]
    data["units"][0]["id"] = EVIL
    for member in data["staff"]:
        for assignment in member.get("assignments", []):
            if assignment["unit"] == old_id:
                assignment["unit"] = EVIL
    return data


def test_asp_syntax_in_names_changes_no_verdict(tmp_path: Path) -> None:
    clean = check(EXAMPLE)
    dirty = check(write_yaml(tmp_path, poisoned()))
    assert clean.code == dirty.code == 0, dirty.err
    assert verdicts(dirty.json()) == verdicts(clean.json())


def test_asp_syntax_in_names_is_echoed_unchanged(tmp_path: Path) -> None:
    report = check(write_yaml(tmp_path, poisoned())).json()
    assert report["name"] == EVIL
    assert {p["name"] for p in report["physicians"] if p["staff"] == _EXAMPLE["staff"][0]["id"]} == {EVIL_MULTILINE}


def test_asp_syntax_in_names_survives_explain(tmp_path: Path) -> None:
    run = zhunru("explain", write_yaml(tmp_path, poisoned()), "--as-of", AS_OF, "--tech", "comprehensive_intervention")
    assert run.code == 0, run.err
    assert EVIL in run.out


# --- JSON Lines ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("bad_line", "expected"),
    [
        (lambda data: {**data, "units": [*data["units"][:1], {**data["units"][1], "beds": -1}]}, "units[1].beds"),
        (lambda data: "{not json", "malformed JSON"),
    ],
    ids=["invalid record", "malformed line"],
)
def test_json_lines_keep_good_records_and_report_bad_ones(
    tmp_path: Path, bad_line: Callable[[dict[str, Any]], Any], expected: str
) -> None:
    good = example()
    bad = bad_line(example())
    path = tmp_path / "batch.jsonl"
    lines = [json.dumps(good, ensure_ascii=False, default=str)]
    lines.append(bad if isinstance(bad, str) else json.dumps(bad, ensure_ascii=False, default=str))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")

    (first, hospital), (second, error) = iter_profiles(path)

    assert (first, second) == ("line 1", "line 2")
    assert isinstance(hospital, Hospital)
    assert hospital.id == good["id"]
    assert isinstance(error, InputError)
    assert all(problem.file == str(path) for problem in error.problems)
    assert "line 2" in str(error)
    assert expected in str(error)


def test_json_lines_file_with_one_bad_record_via_cli(tmp_path: Path) -> None:
    data = example()
    data["units"][1]["beds"] = -1
    path = tmp_path / "one.jsonl"
    path.write_text(json.dumps(data, ensure_ascii=False, default=str) + "\n", encoding="utf-8")
    assert_rejected(check(path), f"{path}: line 1: units[1].beds: ")


# --- the real entry point ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "args",
    [["check", str(EXAMPLE), "--bogus"], ["check", str(EXAMPLE), "--as-of", "2026-13-01"]],
    ids=["usage error", "input error"],
)
def test_entry_point_exits_2_without_traceback(args: list[str]) -> None:
    done = subprocess.run([sys.executable, "-m", "zhunru", *args], capture_output=True, text=True, check=False)
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr + done.stdout
    assert done.stderr.strip()
