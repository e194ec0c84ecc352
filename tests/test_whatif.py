"""``zhunru whatif``: verdicts before and after edits, what changed and why; edits from options and files."""

from __future__ import annotations

import json
from pathlib import Path

import yaml

from tests.conftest import EXAMPLES, zhunru
from zhunru.planner.whatif import changed, load_edits, parse_option

AS_OF = ("--as-of", "2026-11-24", "--tech", "comprehensive_intervention")
COUNTY = EXAMPLES / "secondary_county.yaml"
TERTIARY = EXAMPLES / "tertiary_compliant.yaml"


def test_one_more_icu_bed_gains_grade_three_citing_the_clause() -> None:
    run = zhunru("whatif", COUNTY, "--add", "units[icu-1].beds=1", *AS_OF, "--format", "json")
    assert run.code == 0, run.err
    doc = run.json()
    assert set(doc) >= {"before", "after", "changed"}
    gained = [c for c in doc["changed"] if c["target"] == "ci_entry_g3"]
    assert gained and gained[0]["change"] == "gained"
    assert gained[0]["before"] == "ineligible" and gained[0]["after"] == "eligible"
    assert {c["requirement"] for c in gained[0]["clauses"]} == {"ci_icu_beds"}
    assert gained[0]["clauses"][0]["clause"] == "一、（五）3（2）"


def test_removing_the_icu_loses_grade_three_and_text_shows_it() -> None:
    run = zhunru("whatif", TERTIARY, "--set", "units[icu-1].kind=普通病房", *AS_OF)
    assert run.code == 0, run.err
    assert "↓" in run.out and "三级以上手术" in run.out and "eligible → ineligible" in run.out


def test_a_physician_losing_the_title_changes_their_own_verdict() -> None:
    doc = zhunru("whatif", TERTIARY, "--set", "staff[D001].in_service=false", *AS_OF, "--format", "json").json()
    before = {(r["staff"], r["target"]): r["verdict"] for r in doc["before"]["physicians"]}
    after = {(r["staff"], r["target"]): r["verdict"] for r in doc["after"]["physicians"]}
    assert before.keys() == after.keys()
    assert all(c["before"] != c["after"] for c in doc["changed"])


def test_no_change_says_so() -> None:
    run = zhunru("whatif", TERTIARY, "--set", "name=改名医院", *AS_OF)
    assert run.code == 0 and ("没有结论发生变化" in run.out)


def test_edits_file_and_save(tmp_path: Path) -> None:
    edits = tmp_path / "edits.yaml"
    edits.write_text(yaml.safe_dump([{"op": "set", "path": "units[icu-1].beds", "value": 6}]), encoding="utf-8")
    saved = tmp_path / "new.yaml"
    run = zhunru("whatif", COUNTY, "--edits", edits, *AS_OF, "--save", saved, "--format", "json")
    assert run.code == 0, run.err
    assert yaml.safe_load(saved.read_text(encoding="utf-8"))["units"][1]["beds"] == 6
    check = zhunru("check", saved, *AS_OF, "--format", "json").json()
    assert {r["target"]: r["verdict"] for r in check["results"]}["ci_entry_g3"] == "eligible"


def test_plan_output_is_accepted_as_edits(tmp_path: Path) -> None:
    plan = zhunru("plan", COUNTY, *AS_OF, "--format", "json")
    assert plan.code == 0, plan.err
    file = tmp_path / "plan.json"
    file.write_text(plan.out, encoding="utf-8")
    assert [e.path for e in load_edits(file)] == [c["edit"]["path"] for c in plan.json()["changes"]]
    doc = zhunru("whatif", COUNTY, "--edits", file, *AS_OF, "--format", "json").json()
    assert all(r["verdict"] == "eligible" for r in doc["after"]["results"] if r["kind"] == "entry")


def test_option_values_are_yaml() -> None:
    assert parse_option("set", "units[icu-1].beds=6").value == 6
    assert parse_option("add", "staff[D001].titles={title: 主任医师}").value == {"title": "主任医师"}
    assert parse_option("remove", "units[icu-1]").path == "units[icu-1]"


def test_bad_edits_are_exit_2_naming_the_path(tmp_path: Path) -> None:
    run = zhunru("whatif", COUNTY, "--set", "units[no-such].beds=3", *AS_OF)
    assert run.code == 2 and "units[no-such].beds" in run.err and "bad_edit" in run.err
    run = zhunru("whatif", COUNTY, "--set", "units[icu-1].beds=-3", *AS_OF)
    assert run.code == 2 and "units[1].beds" in run.err
    run = zhunru("whatif", COUNTY, "--set", "nonsense", *AS_OF)
    assert run.code == 2 and "PATH=VALUE" in run.err
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps([{"op": "explode", "path": "x"}]), encoding="utf-8")
    run = zhunru("whatif", COUNTY, "--edits", bad, *AS_OF)
    assert run.code == 2 and "edits[0].op" in run.err
    run = zhunru("whatif", COUNTY, *AS_OF)
    assert run.code == 2 and "no_edits" in run.err


def test_changed_compares_by_target_and_staff() -> None:
    row = {"technology": "t", "target": "r", "scope": "s", "verdict": "eligible", "unmet": [], "missing": []}
    lost = {**row, "verdict": "ineligible", "unmet": [{"clause": "一", "requirement": "x"}]}
    diff = changed({"results": [row], "physicians": []}, {"results": [lost], "physicians": []})
    assert diff[0]["change"] == "lost" and diff[0]["clauses"][0]["side"] == "after"
