"""The command-line contract: subcommands, output formats, exit codes.

The CLI runs in-process through :func:`zhunru.cli.common.run_guarded` (what the
``zhunru`` console script calls), so exit codes and stderr are the real ones.
"""

from __future__ import annotations

import copy
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.conftest import Run, zhunru
from zhunru import api

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "tertiary_compliant.yaml"
AS_OF = "2026-11-24"
SPEC = "cn_comprehensive_intervention"
TECH = "comprehensive_intervention"
TIPS = "经颈静脉肝内门体分流术（TIPS）"  # 附件 四级手术 五、
DRAINAGE = "腹腔置管引流术"  # 附件 一级手术
VERDICTS = {"eligible", "ineligible", "undetermined"}
RESULT_KEYS = {"technology", "title", "jurisdiction", "scope", "target", "verdict", "unmet", "missing"}


# --- helpers ---------------------------------------------------------------------------


def example() -> dict[str, Any]:
    """A fresh, mutable copy of the example profile."""
    return copy.deepcopy(_EXAMPLE)


_EXAMPLE: dict[str, Any] = yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))


def write_profile(tmp_path: Path, data: dict[str, Any], name: str = "profile.yaml") -> Path:
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def check_json(profile: Path, *extra: str) -> dict[str, Any]:
    run = zhunru("check", profile, "--as-of", AS_OF, "--format", "json", *extra)
    assert run.code == 0, run.err
    return run.json()


def requirement_nodes(tree: Any) -> Iterator[dict[str, Any]]:
    """Every node of a derivation tree (a dict naming a requirement), at any depth."""
    if isinstance(tree, dict):
        if "requirement" in tree:
            yield tree
        for value in tree.values():
            yield from requirement_nodes(value)
    elif isinstance(tree, list):
        for value in tree:
            yield from requirement_nodes(value)


def staff_name(staff_id: str) -> str:
    return next(s["name"] for s in _EXAMPLE["staff"] if s["id"] == staff_id)


# --- check -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def example_run() -> Run:
    """``zhunru check EXAMPLE --tech comprehensive_intervention --format json``, run once for the module.

    (Without --tech every technology is judged: the example is compliant for 综合介入 only.)"""
    return zhunru("check", EXAMPLE, "--as-of", AS_OF, "--tech", TECH, "--format", "json")


@pytest.fixture
def report(example_run: Run) -> dict[str, Any]:
    assert example_run.code == 0, example_run.err
    return example_run.json()


def test_check_json_has_the_documented_shape(report: dict[str, Any]) -> None:
    assert report["hospital"] == _EXAMPLE["id"]
    assert report["as_of"] == AS_OF
    assert isinstance(report["physicians"], list)
    assert report["results"]
    for result in report["results"]:
        assert result.keys() >= RESULT_KEYS
        assert result["technology"] == SPEC
        assert result["verdict"] in VERDICTS
        assert isinstance(result["unmet"], list)
        assert isinstance(result["missing"], list)


def test_check_finds_the_example_eligible_for_everything(report: dict[str, Any]) -> None:
    assert {(r["scope"], r["verdict"]) for r in report["results"]} == {
        (r["scope"], "eligible") for r in report["results"]
    }
    assert all(not r["unmet"] and not r["missing"] for r in report["results"])


def test_check_reports_physicians_by_staff_id(report: dict[str, Any]) -> None:
    physicians = report["physicians"]
    assert physicians
    assert {p["staff"] for p in physicians} <= {s["id"] for s in _EXAMPLE["staff"]}
    by_id = {(p["staff"], p["name"]) for p in physicians}
    assert ("D001", staff_name("D001")) in by_id
    assert all(p["verdict"] in VERDICTS for p in physicians)


def verdicts_of(document: dict[str, Any]) -> list[tuple[str, str, str]]:
    rows = document["results"] + document["physicians"]
    return [(r.get("staff", ""), r["target"], r["verdict"]) for r in rows]


@pytest.mark.parametrize(
    ("option", "ident", "reason"), [("--tech", TECH, "national"), ("--tech", SPEC, "named"), ("--spec", SPEC, "named")]
)
def test_check_accepts_technology_or_specification_id(
    report: dict[str, Any], option: str, ident: str, reason: str
) -> None:
    document = check_json(EXAMPLE, option, ident)
    assert verdicts_of(document) == verdicts_of(report)
    [applied] = document["specifications"]
    assert (applied["spec"], applied["reason"]) == (SPEC, reason)
    assert all(r["basis"] == applied["basis"] for r in document["results"])


@pytest.mark.parametrize(
    ("role", "kinds"),
    [("entry", {"entry"}), ("ongoing", {"ongoing"}), ("training-base", {"training_base"})],
)
def test_check_role_keeps_only_that_kind_of_verdict(role: str, kinds: set[str]) -> None:
    document = check_json(EXAMPLE, "--tech", TECH, "--role", role)
    assert document["results"] and {r["kind"] for r in document["results"]} == kinds
    assert document["physicians"] == []


def test_check_role_physician_keeps_staff_verdicts_only() -> None:
    document = check_json(EXAMPLE, "--tech", TECH, "--role", "physician")
    assert document["results"] == [] and document["physicians"]


def test_check_rejects_an_unknown_role() -> None:
    run = zhunru("check", str(EXAMPLE), "--role", "director", "--as-of", AS_OF)
    assert run.code == 2 and "--role: director" in run.err


@pytest.mark.parametrize(("procedure", "grade", "clause"), [(TIPS, 4, "附件 四级手术"), (DRAINAGE, 1, "附件 一级手术")])
def test_check_procedure_adds_procedure_and_grade(procedure: str, grade: int, clause: str) -> None:
    # TIPS stands in the 外周血管介入 catalogue too: name the 综合介入 catalogue
    results = check_json(EXAMPLE, "--tech", TECH, "--procedure", procedure)["results"]
    assert results
    for result in results:
        assert result["procedure"] == procedure
        assert result["grade"] == grade
        assert result["catalogue_clause"].startswith(clause)
        assert result["verdict"] == "eligible"


def test_check_table_shows_the_hospital() -> None:
    run = zhunru("check", EXAMPLE, "--as-of", AS_OF)
    assert run.code == 0, run.err
    assert _EXAMPLE["name"] in run.out
    assert AS_OF in run.out
    assert "符合" in run.out


def test_check_table_in_english() -> None:
    run = zhunru("check", EXAMPLE, "--as-of", AS_OF, "--lang", "en")
    assert run.code == 0, run.err
    assert "as of" in run.out
    assert "eligible" in run.out


def test_check_json_is_deterministic(example_run: Run) -> None:
    again = zhunru("check", EXAMPLE, "--as-of", AS_OF, "--tech", TECH, "--format", "json")
    assert example_run.code == again.code == 0
    assert again.out == example_run.out


def test_check_json_is_identical_across_processes(tmp_path: Path) -> None:
    """Set and dict ordering must not leak into the output (different hash seeds)."""
    outputs = []
    for seed in ("1", "2"):
        done = subprocess.run(
            [sys.executable, "-m", "zhunru", "check", str(EXAMPLE), "--as-of", AS_OF, "--format", "json"],
            capture_output=True,
            text=True,
            env={**os.environ, "PYTHONHASHSEED": seed},
            cwd=tmp_path,
            check=False,
        )
        assert done.returncode == 0, done.stderr
        outputs.append(done.stdout)
    assert outputs[0] == outputs[1]


def test_ineligible_verdict_still_exits_zero(tmp_path: Path) -> None:
    data = example()
    data["level"] = "二级"
    run = zhunru("check", write_profile(tmp_path, data), "--as-of", AS_OF, "--tech", TECH, "--format", "json")
    assert run.code == 0, run.err
    verdicts = {r["scope"]: r for r in run.json()["results"]}
    assert verdicts["三级以上手术"]["verdict"] == "ineligible"
    assert verdicts["三级以上手术"]["unmet"], "an ineligible verdict names its unmet clauses"
    assert verdicts["一级、二级手术"]["verdict"] == "eligible"


# --- explain ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("lang", "expected"),
    [("zh", ["结论：符合", "推导：", "一、（一）"]), ("en", ["Verdict: eligible", "Derivation:", "一、（一）"])],
)
def test_explain_text(lang: str, expected: list[str]) -> None:
    run = zhunru("explain", EXAMPLE, "--as-of", AS_OF, "--tech", TECH, "--lang", lang)
    assert run.code == 0, run.err
    assert _EXAMPLE["name"] in run.out
    for fragment in expected:
        assert fragment in run.out


def test_explain_text_is_chinese_by_default() -> None:
    default = zhunru("explain", EXAMPLE, "--as-of", AS_OF, "--tech", TECH)
    chinese = zhunru("explain", EXAMPLE, "--as-of", AS_OF, "--tech", TECH, "--lang", "zh")
    assert default.code == chinese.code == 0
    assert default.out == chinese.out


def test_explain_markdown() -> None:
    run = zhunru("explain", EXAMPLE, "--as-of", AS_OF, "--tech", TECH, "--format", "markdown")
    assert run.code == 0, run.err
    assert run.out.startswith("## ")
    assert "- ✓ 一、（一）" in run.out
    assert _EXAMPLE["name"] in run.out


def test_explain_json_carries_a_derivation_tree() -> None:
    run = zhunru("explain", EXAMPLE, "--as-of", AS_OF, "--tech", TECH, "--format", "json")
    assert run.code == 0, run.err
    documents = run.json()
    assert documents
    for document in documents:
        root = document["derivation"]
        assert root["status"] == "holds"  # every target of the example is eligible
        nodes = list(requirement_nodes(root))
        assert len(nodes) > 1, "the derivation explains its root by its parts"
        for node in nodes:
            assert node["clause"], node["requirement"]
            assert node["status"] in {"holds", "fails", "unknown"}, node


def test_explain_physician() -> None:
    run = zhunru("explain", EXAMPLE, "--as-of", AS_OF, "--physician", "D001")
    assert run.code == 0, run.err
    assert f"{staff_name('D001')} (D001)" in run.out
    assert "二、（一）" in run.out  # the physician clauses of the specification


def test_explain_physician_json_is_about_that_physician() -> None:
    run = zhunru("explain", EXAMPLE, "--as-of", AS_OF, "--physician", "D001", "--format", "json")
    assert run.code == 0, run.err
    documents = run.json()
    assert documents
    assert {d["staff"] for d in documents} == {"D001"}


def test_explain_procedure_shows_the_chain() -> None:
    """procedure → its grade in the catalogue → the requirements of that grade."""
    run = zhunru("explain", EXAMPLE, "--as-of", AS_OF, "--procedure", TIPS)
    assert run.code == 0, run.err
    text = run.out
    assert "附件 四级手术 五、" in text
    assert "4级" in text
    procedure_at, derivation_at = text.index(TIPS), text.index("推导")
    requirement_at = text.index("一、（五）", derivation_at)  # requirements of 三级以上手术
    assert procedure_at < derivation_at < requirement_at
    assert "三级以上手术" in text


def test_explain_procedure_json() -> None:
    run = zhunru("explain", EXAMPLE, "--as-of", AS_OF, "--tech", TECH, "--procedure", TIPS, "--format", "json")
    assert run.code == 0, run.err
    (document,) = run.json()
    assert document["procedure"] == TIPS
    assert document["grade"] == 4
    assert document["catalogue_clause"] == "附件 四级手术 五、"
    assert document["derivation"]["status"] == "holds"


# --- kb and schema ---------------------------------------------------------------------


def test_kb_list() -> None:
    run = zhunru("kb", "list", "--format", "json")
    assert run.code == 0, run.err
    specs = {row["spec"]: row for row in run.json()}
    assert specs[SPEC]["technology"] == TECH
    assert specs[SPEC]["jurisdiction"] == "全国"
    assert specs[SPEC]["targets"]


def test_kb_procedures() -> None:
    run = zhunru("kb", "procedures", "--format", "json")
    assert run.code == 0, run.err
    rows = [row for row in run.json() if row["spec"] == SPEC]
    assert len(rows) == 47
    assert {row["grade"] for row in rows} == {1, 2, 3, 4}
    assert all(row["clause"].startswith("附件 ") for row in rows)
    assert {row["name"]: row["grade"] for row in rows}[TIPS] == 4


def test_kb_procedures_filtered_by_spec() -> None:
    everything = zhunru("kb", "procedures", "--format", "json").json()
    only = zhunru("kb", "procedures", "--spec", SPEC, "--format", "json").json()
    assert only == [row for row in everything if row["spec"] == SPEC]


def test_kb_attestations_cover_the_example() -> None:
    run = zhunru("kb", "attestations", "--format", "json")
    assert run.code == 0, run.err
    statements = {row["statement"] for row in run.json()}
    holders = [_EXAMPLE, *_EXAMPLE["units"], *_EXAMPLE["staff"]]
    used = {a["statement"] for holder in holders for a in holder.get("attestations", [])}
    assert used
    assert used <= statements


def test_kb_coverage_json_shape() -> None:
    run = zhunru("kb", "coverage", "--format", "json")
    assert run.code == 0, run.err
    rows = {row["spec"]: row for row in run.json()["specs"]}
    assert set(rows) == set(api.knowledge_base().documents)
    row = rows[SPEC]
    assert row["title"] == "综合介入诊疗技术管理规范"
    assert row["clauses"] == len(row["items"]) == sum(row["by_status"].values())
    assert row["mapped"] == row["clauses"] - row["by_status"].get("unmapped", 0)
    assert row["unmapped"] == [item["clause"] for item in row["items"] if item["status"] == "unmapped"]


def test_kb_coverage_filters_and_rejects_unknown_specs() -> None:
    only = zhunru("kb", "coverage", "--spec", SPEC, "--format", "json").json()
    assert [row["spec"] for row in only["specs"]] == [SPEC]
    bad = zhunru("kb", "coverage", "--spec", "no_such_spec")
    assert bad.code == 2
    assert "--spec: no_such_spec" in bad.err and "unknown_spec" in bad.err


@pytest.mark.parametrize(
    "command",
    [["kb", "list"], ["kb", "procedures"], ["kb", "attestations"], ["kb", "coverage"], ["kb", "coverage", "--detail"]],
)
def test_kb_tables_run(command: list[str]) -> None:
    run = zhunru(*command)
    assert run.code == 0, run.err
    assert run.out.strip()


def test_schema_is_json_schema_of_profiles() -> None:
    run = zhunru("schema")
    assert run.code == 0, run.err
    schema = run.json()
    assert {"id", "name", "location", "staff", "units"} <= schema["properties"].keys()
    assert set(schema["required"]) >= {"id", "name", "location"}


def test_kb_list_holds_the_22_specifications_of_the_seeds() -> None:
    rows = zhunru("kb", "list", "--format", "json").json()
    assert len(rows) == 22
    assert all({"spec", "title", "jurisdiction", "version", "technology"} <= row.keys() for row in rows)
    by_place: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        by_place.setdefault(row["jurisdiction"], []).append(row)
    assert {place: len(items) for place, items in by_place.items()} == {"天津市": 12, "全国": 5, "吉林省": 5}
    assert all(r["version"] == "2019" and r["title"].startswith("天津市") for r in by_place["天津市"])
    assert all(r["version"] == "2022" for r in by_place["吉林省"])
    assert all(r["title"].endswith("管理规范") or r["title"].endswith("年版）") for r in rows)
    technologies = [r["technology"] for r in rows]
    assert technologies.count("cardiovascular_intervention") == 2  # national 2011 and Tianjin 2019


def test_kb_coverage_maps_every_clause_of_every_specification() -> None:
    report = zhunru("kb", "coverage", "--format", "json").json()
    assert len(report["specs"]) == 23  # 22 specifications and the Jilin notice
    for row in report["specs"]:
        assert row["unmapped"] == [] and row["mapped"] == row["clauses"] > 10, row["spec"]
