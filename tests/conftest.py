"""Shared fixtures: the engine (KB loaded once), example profiles and profile mutation."""

from __future__ import annotations

import copy
import io
import json
import sys
from collections.abc import Callable
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
import yaml
from zhunru.explain.report import Reporter
from zhunru.solver.engine import Engine, Evaluation

from zhunru import api
from zhunru.cli import app
from zhunru.cli.common import run_guarded
from zhunru.profile import Hospital, parse_profile

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
AS_OF = date(2026, 11, 24)
CI = "cn_comprehensive_intervention"


@pytest.fixture(scope="session")
def engine() -> Engine:
    return api.engine()


def example_data(name: str) -> dict[str, Any]:
    """A fresh, mutable copy of an example profile."""
    return copy.deepcopy(_example_cache(name))


_CACHE: dict[str, dict[str, Any]] = {}


def _example_cache(name: str) -> dict[str, Any]:
    if name not in _CACHE:
        _CACHE[name] = yaml.safe_load((EXAMPLES / f"{name}.yaml").read_text(encoding="utf-8"))
    return _CACHE[name]


def hospital_from(data: dict[str, Any]) -> Hospital:
    return parse_profile(data, "<test>")


def evaluate(data: dict[str, Any], as_of: date = AS_OF) -> Evaluation:
    return api.engine().evaluate(hospital_from(data), as_of, [CI])


def verdicts(data: dict[str, Any], as_of: date = AS_OF) -> dict[str, dict[str, Any]]:
    """``{target root: result json}`` for the hospital targets of the 综合介入 spec."""
    evaluation = evaluate(data, as_of)
    reporter = Reporter(evaluation)
    return {r.target.root: reporter.result_json(r, "zh") for r in reporter.hospital_results()}


def physician_verdicts(data: dict[str, Any], staff_id: str, as_of: date = AS_OF) -> dict[str, dict[str, Any]]:
    evaluation = evaluate(data, as_of)
    reporter = Reporter(evaluation)
    return {r.target.root: reporter.result_json(r, "zh") for r in reporter.physician_results(staff_id)}


def unmet_requirements(result: dict[str, Any]) -> set[str]:
    """Every requirement id cited as unmet, including inside alternatives and counted people."""
    found: set[str] = set()

    def walk(items: list[dict[str, Any]]) -> None:
        for item in items:
            found.add(item["requirement"])
            for branch in item.get("branches", []):
                walk(branch["unmet"])
            for person in item.get("because", []):
                walk(person["unmet"])

    walk(result["unmet"])
    return found


def unmet_clauses(result: dict[str, Any]) -> set[str]:
    return {item["clause"] for item in result["unmet"]}


def staff(data: dict[str, Any], staff_id: str) -> dict[str, Any]:
    return next(s for s in data["staff"] if s["id"] == staff_id)


def unit(data: dict[str, Any], unit_id: str) -> dict[str, Any]:
    return next(u for u in data["units"] if u["id"] == unit_id)


Mutation = Callable[[dict[str, Any]], None]


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--update-golden", action="store_true", help="rewrite tests/golden/* from current output")


@pytest.fixture
def update_golden(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--update-golden"))


def pytest_collect_file(parent: pytest.Collector, file_path: Path) -> pytest.Collector | None:
    from tests.caseplugin import collect_case_file

    return collect_case_file(parent, file_path)


# --- running the CLI in-process -------------------------------------------------------------


@dataclass(frozen=True)
class Run:
    code: int
    out: str
    err: str

    def json(self) -> Any:
        return json.loads(self.out)


def zhunru(*args: str | Path) -> Run:
    """Run ``zhunru ARGS…`` in-process; return exit code, stdout and stderr."""
    out, err = io.StringIO(), io.StringIO()
    with mock.patch.object(sys, "argv", ["zhunru", *map(str, args)]), redirect_stdout(out), redirect_stderr(err):
        code = run_guarded(app)
    return Run(code, out.getvalue(), err.getvalue())
