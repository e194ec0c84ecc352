"""``zhunru plan``: the cheapest verified changes that make a hospital eligible."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Annotated, Any

import typer

from zhunru.cli.common import SpecOption, TechOption, choice, parse_as_of, print_json
from zhunru.errors import InputError, Problem
from zhunru.planner.costs import load_costs
from zhunru.planner.plan import ROLE_KINDS, Request, plan
from zhunru.planner.solve import DEFAULT, FORMULATIONS
from zhunru.planner.whatif import read_data


def command(
    profile: Annotated[Path, typer.Argument(help="hospital profile (YAML or JSON)")],
    tech: TechOption = None,
    spec: SpecOption = None,
    procedure: Annotated[str | None, typer.Option(help="plan for one procedure's grade (printed name)")] = None,
    role: Annotated[
        list[str] | None, typer.Option("--role", help="entry (default), ongoing or training-base (repeatable)")
    ] = None,
    costs: Annotated[Path | None, typer.Option("--costs", help="cost file overriding the defaults")] = None,
    freeze: Annotated[list[str] | None, typer.Option("--freeze", help="profile path a plan may not change")] = None,
    unfreeze: Annotated[
        list[str] | None, typer.Option("--unfreeze", help="allow a family frozen by the cost file (level, grade)")
    ] = None,
    alternatives: Annotated[int, typer.Option("--alternatives", help="the K cheapest distinct plans")] = 1,
    by: Annotated[str | None, typer.Option("--by", help="be eligible by this date YYYY-MM-DD")] = None,
    as_of: Annotated[str | None, typer.Option("--as-of", help="evaluation date YYYY-MM-DD (default today)")] = None,
    timeout: Annotated[float, typer.Option("--timeout", help="seconds per solver query")] = 5.0,
    formulation: Annotated[str, typer.Option("--formulation", help=f"solver formulation ({DEFAULT})")] = DEFAULT,
    fmt: Annotated[str, typer.Option("--format", help="text or json")] = "text",
    lang: Annotated[str, typer.Option(help="zh or en")] = "zh",
) -> None:
    """Minimum-cost edits making the hospital eligible for every target at once, verified by the engine."""
    choice(fmt, ("text", "json"), "--format")
    choice(lang, ("zh", "en"), "--lang")
    choice(formulation, FORMULATIONS, "--formulation")
    for value in role or []:
        choice(value, tuple(ROLE_KINDS), "--role")
    if alternatives < 1 or alternatives > 20:
        raise InputError([Problem("--alternatives", str(alternatives), "expected 1 to 20", "invalid_choice")])
    day = parse_as_of(as_of)
    deadline = _date(by, "--by") if by else None
    if deadline is not None and deadline < day:
        raise InputError([Problem("--by", by or "", "the date is before the as-of date", "invalid_date")])
    if not tech and not spec and not procedure:
        raise InputError(
            [
                Problem(
                    "plan",
                    "",
                    "name the targets: --tech ID or --spec ID (repeatable), or --procedure NAME",
                    "missing_option",
                )
            ]
        )
    request = Request(
        read_data(profile),
        day,
        tech,
        procedure,
        tuple(role or ("entry",)),
        load_costs(costs),
        tuple(freeze or ()),
        tuple(unfreeze or ()),
        alternatives,
        deadline,
        formulation,
        round(timeout * 1000),
        specs=spec,
    )
    document = plan(request)
    if fmt == "json":
        print_json(document)
    else:
        typer.echo(render(document, lang))


def _date(value: str, option: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InputError([Problem(option, value, "expected a date as YYYY-MM-DD", "invalid_date")]) from None


def _plan_lines(doc: dict[str, Any], zh: bool, currency: str) -> list[str]:
    cost = doc["cost"]
    head = (
        f"费用 {cost['money']:g} {currency}，需 {cost['months']} 个月，最早 {doc['earliest_date']} 符合"
        if zh
        else f"cost {cost['money']:g} {currency}, {cost['months']} months, eligible from {doc['earliest_date']}"
    )
    flags = [("已复核" if zh else "verified") if doc["verified"] else "UNVERIFIED"]
    if not doc["optimal"]:
        flags.append("未证明最优（超时）" if zh else "not proven optimal (time limit)")
    lines = [f"{head} [{', '.join(flags)}]"]
    if not doc["changes"]:
        lines.append("  无需任何改变。" if zh else "  nothing to change.")
    for change in doc["changes"]:
        edit = change["edit"]
        value = json.dumps(edit["value"], ensure_ascii=False, default=str)
        lines.append(
            f"  {edit['op']} {edit['path']} {value}  ({change['cost']['money']:g} {currency}, "
            f"{change['cost']['months']} {'个月' if zh else 'months'})"
        )
        for clause in change["clauses"]:
            lines.append(f"      {clause['clause']} {clause.get('quote', '')}")
    return lines


def render(doc: dict[str, Any], lang: str) -> str:
    zh = lang == "zh"
    scopes = ", ".join(f"{t['spec']} {t['scope']}" for t in doc["targets"])
    lines = [f"{'目标' if zh else 'targets'}: {scopes}"]
    if not doc["feasible"]:
        lines.append("无可行方案：以下条款不能同时满足：" if zh else "No plan: these clauses cannot be met together:")
        for item in doc["infeasible"]["clauses"]:
            lines.append(f"  {item['clause']} {item.get('quote', '')} = {item.get('value')} ({item['why_fixed']})")
    else:
        plans = doc.get("alternatives") or [doc]
        for i, item in enumerate(plans, start=1):
            if len(plans) > 1:
                lines.append(f"{'方案' if zh else 'plan'} {i}:")
            lines += _plan_lines(item, zh, doc["currency"])
    wait = doc.get("wait")
    if wait is not None:
        if wait.get("possible"):
            lines.append(
                f"仅等待：{wait['date']} 起符合（{wait['months']} 个月）"
                if zh
                else f"waiting alone: eligible from {wait['date']} ({wait['months']} months)"
            )
        else:
            lines.append("仅等待不能满足。" if zh else "waiting alone does not suffice.")
    lines += [f"{'注' if zh else 'note'}: {note['zh' if zh else 'en']}" for note in doc.get("notes", [])]
    return "\n".join(lines)
