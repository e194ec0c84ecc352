"""``zhunru whatif``: what changes if the profile is edited."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer
import yaml

from zhunru.cli.common import choice, parse_as_of, print_json
from zhunru.edits import Edit
from zhunru.errors import InputError, Problem
from zhunru.planner.whatif import load_edits, parse_option, read_data, whatif

ARROW = {"gained": "↑", "lost": "↓", "changed": "→"}


def command(
    profile: Annotated[Path, typer.Argument(help="hospital profile (YAML or JSON)")],
    set_: Annotated[list[str] | None, typer.Option("--set", help="PATH=VALUE (VALUE read as YAML; repeatable)")] = None,
    add: Annotated[list[str] | None, typer.Option("--add", help="PATH=VALUE: add to a number or a list")] = None,
    remove: Annotated[list[str] | None, typer.Option("--remove", help="PATH: remove a field or element")] = None,
    edits: Annotated[Path | None, typer.Option("--edits", help="YAML/JSON edits, or a `zhunru plan` JSON")] = None,
    tech: Annotated[list[str] | None, typer.Option("--tech", help="technology or specification id")] = None,
    as_of: Annotated[str | None, typer.Option("--as-of", help="evaluation date YYYY-MM-DD (default today)")] = None,
    fmt: Annotated[str, typer.Option("--format", help="text or json")] = "text",
    lang: Annotated[str, typer.Option(help="zh or en")] = "zh",
    save: Annotated[Path | None, typer.Option("--save", help="write the edited profile here")] = None,
) -> None:
    """Verdicts before and after edits: what is gained and lost, with the clauses that made the difference."""
    choice(fmt, ("text", "json"), "--format")
    choice(lang, ("zh", "en"), "--lang")
    day = parse_as_of(as_of)
    data = read_data(profile)
    changes: list[Edit] = load_edits(edits) if edits else []
    changes += [parse_option("set", s) for s in set_ or []]
    changes += [parse_option("add", s) for s in add or []]
    changes += [parse_option("remove", s) for s in remove or []]
    if not changes:
        raise InputError([Problem("whatif", "", "give edits: --set, --add, --remove or --edits FILE", "no_edits")])
    document = whatif(data, changes, day, tech, lang)
    if save is not None:
        _save(save, data, changes)
    if fmt == "json":
        print_json(document)
    else:
        typer.echo(render(document, lang))


def _save(path: Path, data: dict[str, Any], edits: list[Edit]) -> None:
    from zhunru.planner.whatif import edited_profile

    edited = edited_profile(data, edits)
    if path.suffix.lower() == ".json":
        path.write_text(json.dumps(edited, ensure_ascii=False, indent=2, default=str) + "\n", encoding="utf-8")
    else:
        path.write_text(yaml.safe_dump(edited, allow_unicode=True, sort_keys=False), encoding="utf-8")


def render(document: dict[str, Any], lang: str) -> str:
    zh = lang == "zh"
    lines = [("编辑：" if zh else "edits:")]
    for edit in document["edits"]:
        value = "" if edit["op"] == "remove" else f" = {json.dumps(edit['value'], ensure_ascii=False, default=str)}"
        lines.append(f"  {edit['op']} {edit['path']}{value}")
    if not document["changed"]:
        lines.append("没有结论发生变化。" if zh else "No verdict changes.")
    for row in document["changed"]:
        who = f" [{row['staff']}]" if "staff" in row else ""
        lines.append(
            f"{ARROW[row['change']]} {row['technology']} {row['scope']}{who}: {row['before']} → {row['after']}"
        )
        for clause in row["clauses"]:
            text = clause.get("quote") or clause.get("fact") or ""
            lines.append(f"    {clause['side']} {clause['status']}: {clause.get('clause', '')} {text}")
    return "\n".join(lines)
