"""``zhunru check``: verdicts for a hospital, per specification and scope."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from zhunru import api
from zhunru.cli.common import (
    AsOfOption,
    LangOption,
    ProcedureOption,
    RoleOption,
    SpecOption,
    TechOption,
    choice,
    parse_as_of,
    print_json,
    roles,
)
from zhunru.explain.vocabulary import VERDICT

STYLE = {"eligible": "green", "ineligible": "red", "undetermined": "yellow"}


def command(
    profile: Annotated[Path, typer.Argument(help="hospital profile (YAML or JSON)")],
    tech: TechOption = None,
    spec: SpecOption = None,
    role: RoleOption = None,
    procedure: ProcedureOption = None,
    as_of: AsOfOption = None,
    fmt: Annotated[str, typer.Option("--format", help="table or json")] = "table",
    lang: LangOption = "zh",
) -> None:
    """Decide eligibility: eligible, ineligible (with the unmet clauses) or undetermined (with the missing facts)."""
    choice(fmt, ("table", "json"), "--format")
    choice(lang, ("zh", "en"), "--lang")
    day = parse_as_of(as_of)
    hospital = api.load_profile(profile)
    report = api.check(hospital, day, tech, procedure, lang, specs=spec, roles=roles(role))
    if fmt == "json":
        print_json(report)
    else:
        render_table(report, lang)


def _reason(row: dict[str, Any], lang: str) -> str:
    if row["verdict"] == "ineligible":
        return "\n".join(f"{u['clause']} {u.get('quote') or u['text']}"[:80] for u in row["unmet"])
    if row["verdict"] == "undetermined":
        label = "缺少" if lang == "zh" else "missing"
        return "\n".join(f"{label} {m['path']} ({m['clause']})" for m in row["missing"][:6])
    return ""


def render_table(report: dict[str, Any], lang: str) -> None:
    console = Console(highlight=False)
    zh = lang == "zh"
    console.print(
        f"[bold]{report['name']}[/bold] ({report['hospital']}) · {'评估日期' if zh else 'as of'} {report['as_of']}"
    )
    table = Table(show_lines=True)
    for column in (
        ("规范" if zh else "specification"),
        ("范围" if zh else "scope"),
        ("结论" if zh else "verdict"),
        ("未满足条款 / 待补事实" if zh else "unmet clauses / missing facts"),
    ):
        table.add_column(column)
    for row in report["results"]:
        scope = row["scope"] if "procedure" not in row else f"{row['procedure']} ({row['grade']}级)"
        verdict = f"[{STYLE[row['verdict']]}]{VERDICT[lang][row['verdict']]}[/]"
        table.add_row(row["title"], scope, verdict, _reason(row, lang))
    console.print(table)
    if report["physicians"]:
        people = Table(title="医师资格" if zh else "physician qualification")
        for column in ("ID", "姓名" if zh else "name", "范围" if zh else "scope", "结论" if zh else "verdict"):
            people.add_column(column)
        for row in report["physicians"]:
            verdict = f"[{STYLE[row['verdict']]}]{VERDICT[lang][row['verdict']]}[/]"
            people.add_row(row["staff"], row["name"], row["scope"], verdict)
        console.print(people)
