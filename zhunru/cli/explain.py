"""``zhunru explain``: the justification of a verdict, clause by clause."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

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
from zhunru.errors import InputError, Problem


def command(
    profile: Annotated[Path, typer.Argument(help="hospital profile (YAML or JSON)")],
    tech: TechOption = None,
    spec: SpecOption = None,
    role: RoleOption = None,
    procedure: ProcedureOption = None,
    physician: Annotated[str | None, typer.Option(help="a staff id of the profile")] = None,
    as_of: AsOfOption = None,
    fmt: Annotated[str, typer.Option("--format", help="text, json or markdown")] = "text",
    lang: LangOption = "zh",
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
