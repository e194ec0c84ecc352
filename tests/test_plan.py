"""``zhunru plan``: cheapest verified changes; waiting vs buying, frozen fields, infeasibility, sharing, K plans."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
from zhunru.solver.facts import HOSPITAL

from tests.conftest import AS_OF, CI, EXAMPLES, example_data, zhunru
from zhunru import api
from zhunru.edits import Edit
from zhunru.errors import EngineError
from zhunru.planner.costs import default_costs, load_costs
from zhunru.planner.plan import Request, plan
from zhunru.planner.session import Planner

TECH = ["comprehensive_intervention"]
OPTS = ("--as-of", "2026-11-24", "--tech", "comprehensive_intervention")


def run(data: dict[str, Any], **options: Any) -> dict[str, Any]:
    technologies = options.pop("technologies", TECH)
    return plan(Request(data, AS_OF, technologies, **options))


def paths(doc: dict[str, Any]) -> list[str]:
    return [c["edit"]["path"] for c in doc["changes"]]


def test_county_hospital_buys_one_icu_bed() -> None:
    doc = run(example_data("secondary_county"))
    assert doc["feasible"] and doc["verified"] and doc["optimal"]
    assert doc["cost"] == {"money": 8.0, "months": 1}
    assert doc["changes"][0]["edit"] == {"op": "set", "path": "units[icu-1].beds", "value": 6}
    assert doc["changes"][0]["clauses"][0] == {
        "spec": CI,
        "clause": "一、（五）3（2）",
        "requirement": "ci_icu_beds",
        "quote": "病床不少于6张",
    }
    assert doc["earliest_date"] == "2026-12-24"
    assert {t["target"] for t in doc["targets"]} == {"ci_entry_basic", "ci_entry_g3"}


def test_new_hospital_passes_the_provincial_assessment() -> None:
    doc = run(example_data("new_hospital"))
    assert paths(doc) == ["assessments"]
    value = doc["changes"][0]["edit"]["value"]
    assert value["scope"] == "三级以上" and value["authority"] == "省级" and value["passed"] is True
    assert [c["requirement"] for c in doc["changes"][0]["clauses"]] == ["ci_n_assessed"]


def test_compliant_hospital_needs_nothing() -> None:
    doc = run(example_data("tertiary_compliant"))
    assert doc["changes"] == [] and doc["cost"]["money"] == 0 and doc["wait"] is None


def _young(months_left: int) -> dict[str, Any]:
    """The compliant hospital, ``months_left`` months short of five years of 综合介入."""
    data = example_data("tertiary_compliant")
    year, month = divmod(2026 * 12 + 10 - (60 - months_left), 12)
    data["activities"][0]["since"] = date(year, month + 1, 24)
    return data


def test_buying_is_faster_than_waiting_and_both_are_shown() -> None:
    doc = run(_young(10))
    assert doc["strategy"] == "buy" and doc["cost"]["money"] > 0
    buy, wait = doc["options"]
    assert wait == {"strategy": "wait", "date": "2027-09-24", "cost": {"money": 0, "months": 10}}
    assert buy["date"] < wait["date"]


def test_waiting_wins_when_it_is_no_slower() -> None:
    doc = run(_young(2))
    assert doc["strategy"] == "wait" and doc["changes"] == [] and doc["earliest_date"] == "2027-01-24"
    assert doc["options"][0]["cost"]["money"] > 0 and doc["verified"]


def test_the_wait_date_is_exact_to_the_month() -> None:
    """综合介入 begun on 2022-03-10: its five years (60 whole months) are complete on 2027-03-10 and
    not a day earlier, so on the plan's monthly grid (the as-of date's day, the 24th) the earliest
    date is 2027-03-24 — the month before, 2027-02-24, is not eligible."""
    data = example_data("tertiary_compliant")
    data["activities"][0]["since"] = date(2022, 3, 10)
    planner = Planner.start(Request(data, AS_OF, TECH))
    evaluation = api.engine().evaluate(planner.hospital, AS_OF, planner.specs)
    assert not planner.eligible(data, AS_OF) and evaluation.derivation.of(HOSPITAL, "ci_t_years") == "fails"
    assert not planner.eligible(data, date(2027, 3, 9)) and planner.eligible(data, date(2027, 3, 10))
    doc = run(data)
    assert doc["wait"] == {"possible": True, "date": "2027-03-24", "months": 4}
    assert not planner.eligible(data, date(2027, 2, 24)) and planner.eligible(data, date(2027, 3, 24))
    frozen = run(data, freeze=("attestations", "assessments", "units", "staff"), compare_wait=False)
    assert frozen["strategy"] == "wait+buy" and frozen["changes"] == []
    assert frozen["earliest_date"] == "2027-03-24" and frozen["verified"]


def test_by_a_date_after_waiting_costs_nothing() -> None:
    doc = run(_young(10), by=date(2027, 9, 24))
    assert doc["changes"] == [] and doc["plan_date"] == "2027-09-24"
    early = run(_young(10), by=date(2027, 3, 1))
    assert early["cost"]["money"] > 0 and early["cost"]["months"] <= 3


def test_only_time_helps_when_buying_is_frozen() -> None:
    doc = run(_young(2), freeze=("attestations", "assessments"), compare_wait=False)
    assert doc["strategy"] == "wait+buy" and doc["changes"] == [] and doc["earliest_date"] == "2027-01-24"


def test_frozen_field_is_never_edited() -> None:
    doc = run(example_data("secondary_county"), freeze=("units[icu-1].beds",))
    assert doc["feasible"] and "units[icu-1].beds" not in paths(doc)
    assert doc["cost"]["money"] > 8


def test_infeasible_names_the_clauses_that_cannot_be_met_together() -> None:
    doc = run(example_data("secondary_county"), freeze=("units",))
    assert not doc["feasible"] and doc["changes"] == []
    blockers = doc["infeasible"]["clauses"]
    assert [b["requirement"] for b in blockers] == ["ci_icu_beds"]
    assert blockers[0]["clause"] == "一、（五）3（2）" and blockers[0]["value"] == 5


def test_level_is_frozen_unless_unfrozen() -> None:
    doc = run(example_data("secondary_county"), roles=("training-base",))
    assert not doc["feasible"]
    level = [b for b in doc["infeasible"]["clauses"] if b["requirement"] == "ci_tb_level"]
    assert level and "frozen" in level[0]["why_fixed"] and level[0]["quote"] == "三级甲等医院"
    unfrozen = run(example_data("secondary_county"), roles=("training-base",), unfreeze=("level", "grade"))
    assert "ci_tb_level" not in {b["requirement"] for b in unfrozen.get("infeasible", {}).get("clauses", [])}


def _procedure(grade: int) -> str:
    return next(p.name for p in api.knowledge_base().catalogue(CI) if p.grade == grade and not p.open)


def _cost(data: dict[str, Any], procedure: str | None = None) -> float:
    return run(data, procedure=procedure)["cost"]["money"]


def test_targets_share_resources() -> None:
    data = example_data("secondary_county")
    data["units"][0]["features"]["放射防护"] = False  # basic requirement, also needed by grade 3
    basic, g3, both = _cost(data, _procedure(1)), _cost(data, _procedure(3)), _cost(data)
    assert basic > 0 and both < basic + g3


def test_nothing_shared_costs_add_up() -> None:
    data = example_data("secondary_county")
    basic, g3, both = _cost(data, _procedure(1)), _cost(data, _procedure(3)), _cost(data)
    assert basic == 0 and both == basic + g3


def test_alternatives_are_distinct_verified_and_in_cost_order() -> None:
    doc = run(example_data("secondary_county"), alternatives=3)
    plans = doc["alternatives"]
    assert len(plans) >= 2
    costs = [p["cost"]["money"] for p in plans]
    assert costs == sorted(costs) and plans[0]["changes"] == doc["changes"]
    signatures = [sorted((c["edit"]["op"], c["edit"]["path"]) for c in p["changes"]) for p in plans]
    assert len({str(s) for s in signatures}) == len(plans)
    assert all(p["verified"] for p in plans)


def test_cost_file_overrides_the_defaults(tmp_path: Path) -> None:
    costs = tmp_path / "costs.yaml"
    costs.write_text("change:\n  unit.beds: {money: 1000, months: 1, per: unit}\n", encoding="utf-8")
    loaded = load_costs(costs)
    assert loaded.change["unit.beds"].money == 1000 and loaded.new == default_costs().new
    doc = run(example_data("secondary_county"), costs=loaded)
    assert "units[icu-1].beds" not in paths(doc) and doc["cost"]["money"] < 1000


def test_bad_cost_file_is_exit_2_naming_file_and_field(tmp_path: Path) -> None:
    costs = tmp_path / "costs.yaml"
    costs.write_text("change:\n  unit.beds: {money: -3}\nmax_new: lots\n", encoding="utf-8")
    result = zhunru("plan", EXAMPLES / "secondary_county.yaml", *OPTS, "--costs", costs)
    assert result.code == 2
    assert f"{costs}: change.unit.beds.money" in result.err and "max_new" in result.err


def test_cli_text_and_json() -> None:
    text = zhunru("plan", EXAMPLES / "secondary_county.yaml", *OPTS)
    assert text.code == 0, text.err
    assert "units[icu-1].beds" in text.out and "病床不少于6张" in text.out and "已复核" in text.out
    doc = zhunru("plan", EXAMPLES / "secondary_county.yaml", *OPTS, "--format", "json", "--lang", "en").json()
    assert set(doc) >= {"targets", "feasible", "cost", "earliest_date", "changes", "verified", "optimal"}
    assert zhunru("plan", EXAMPLES / "secondary_county.yaml", "--as-of", "2026-11-24").code == 2
    assert zhunru("plan", EXAMPLES / "secondary_county.yaml", *OPTS, "--by", "2020-01-01").code == 2


def test_a_plan_that_fails_verification_is_a_bug() -> None:
    planner = Planner.start(Request(example_data("secondary_county"), AS_OF, TECH))
    with pytest.raises(EngineError):
        planner.verify([Edit("set", "units[icu-1].beds", 5)], AS_OF)
