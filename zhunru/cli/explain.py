"""``zhunru explain``: the justification of a verdict, clause by clause."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from zhunru import api
from zhunru.cli.common import choice, parse_as_of, print_json, roles
from zhunru.errors import InputError, Problem


def command(
    profile: Annotated[Path, typer.Argument(help="hospital profile (YAML or JSON)")],
    tech: Annotated[list[str] | None, typer.Option("--tech", help="technology or specification id")] = None,
    spec: Annotated[
        list[str] | None, typer.Option("--spec", help="apply this specification as named, whatever the jurisdiction")
    ] = None,
    role: Annotated[
        list[str] | None, typer.Option("--role", help="entry, ongoing, training-base or physician (repeatable)")
    ] = None,
    procedure: Annotated[str | None, typer.Option(help="a procedure by its printed catalogue name")] = None,
    physician: Annotated[str | None, typer.Option(help="a staff id of the profile")] = None,
    as_of: Annotated[str | None, typer.Option("--as-of", help="evaluation date YYYY-MM-DD (default today)")] = None,
    fmt: Annotated[str, typer.Option("--format", help="text, json or markdown")] = "text",
    lang: Annotated[str, typer.Option(help="zh or en")] = "zh",
) -> None:
    """Explain a verdict: the derivation with evidence, thresholds, margins and quoted clauses."""
    choice(fmt, ("text", "json", "markdown"), "--format")
    choice(lang, ("zh", "en"), "--lang")
    if not (tech or spec or procedure or physician):
        raise InputError(
            [
                Problem(
                    "explain",
                    "",
                    "name what to explain: --tech ID, --spec ID, --procedure NAME or --physician STAFF_ID",
                    "missing_option",
                )
            ]
        )
    day = parse_as_of(as_of)
    hospital = api.load_profile(profile)
    output = api.explain(
        hospital,
        day,
        technologies=tech,
        specs=spec,
        roles=roles(role),
        procedure=procedure,
        physician=physician,
        fmt=fmt,
        lang=lang,
    )
    if fmt == "json":
        print_json(output)
    else:
        typer.echo(output, nl=False)
