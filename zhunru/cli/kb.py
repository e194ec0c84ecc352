"""``zhunru kb``: what the knowledge base contains."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from zhunru import api
from zhunru.cli.common import choice, print_json
from zhunru.explain.coverage import STATUSES, coverage_report


def show(rows: list[dict[str, Any]], fmt: str, columns: dict[str, Callable[[dict[str, Any]], str]]) -> None:
    """Print rows as JSON, or as a table of the given columns."""
    if fmt == "json":
        print_json(rows)
        return
    table = Table()
    for column in columns:
        table.add_column(column)
    for row in rows:
        table.add_row(*(render(row) for render in columns.values()))
    Console(highlight=False).print(table)


app = typer.Typer(
    help="Inspect the knowledge base: specifications, catalogues, attestable statements.", no_args_is_help=True
)


@app.command("list")
def list_specs(fmt: Annotated[str, typer.Option("--format", help="table or json")] = "table") -> None:
    """List the specifications with their printed titles, jurisdiction and version."""
    choice(fmt, ("table", "json"), "--format")
    kb = api.knowledge_base()
    rows = [
        {
            "spec": s.id,
            "title": s.title,
            "jurisdiction": s.jurisdiction,
            "version": s.version,
            "technology": s.technology,
            "source": s.source,
            "dates": {k: {"date": d.isoformat(), "status": st} for k, (d, st) in sorted(s.dates.items())},
            "targets": [{"id": t.root, "kind": t.kind, "scope": t.scope} for t in kb.targets_of(s.id)],
        }
        for s in sorted(kb.specs.values(), key=lambda s: s.id)
    ]
    show(
        rows,
        fmt,
        {
            "spec": lambda r: r["spec"],
            "title": lambda r: r["title"],
            "jurisdiction": lambda r: r["jurisdiction"],
            "version": lambda r: r["version"],
            "technology": lambda r: r["technology"],
            "targets": lambda r: ", ".join(t["id"] for t in r["targets"]),
        },
    )


@app.command("procedures")
def procedures(
    spec: Annotated[str | None, typer.Option(help="only this specification")] = None,
    fmt: Annotated[str, typer.Option("--format", help="table or json")] = "table",
) -> None:
    """The grade catalogues: every procedure by its printed name and grade."""
    choice(fmt, ("table", "json"), "--format")
    kb = api.knowledge_base()
    rows = [
        {
            "spec": p.spec,
            "grade": p.grade,
            "number": p.number,
            "name": p.name,
            "clause": p.clause_path,
            "target": kb.grade_targets.get((p.spec, p.grade)),
        }
        for p in kb.procedures
        if spec is None or p.spec == spec
    ]
    show(
        rows,
        fmt,
        {
            "spec": lambda r: r["spec"],
            "grade": lambda r: str(r["grade"]),
            "clause": lambda r: r["clause"],
            "name": lambda r: r["name"],
        },
    )


@app.command("attestations")
def attestations(fmt: Annotated[str, typer.Option("--format", help="table or json")] = "table") -> None:
    """Statements that can only be attested, with the id a profile's attestation must name."""
    choice(fmt, ("table", "json"), "--format")
    kb = api.knowledge_base()
    rows = []
    for node in sorted(kb.requirements.values(), key=lambda r: (r.spec, r.id)):
        if node.kind == "attest":
            clause = kb.clauses[(node.spec, node.clause)]
            rows.append(
                {
                    "statement": node.id,
                    "spec": node.spec,
                    "clause": clause.path,
                    "quote": node.quote,
                    "gloss": node.gloss,
                }
            )
    show(
        rows,
        fmt,
        {"statement": lambda r: r["statement"], "clause": lambda r: r["clause"], "quote": lambda r: r["quote"] or ""},
    )


SHORT = {"attestation": "attest", "obligation": "duty", "out_of_scope": "out", "grouping": "group"}


@app.command("coverage")
def coverage(
    spec: Annotated[list[str] | None, typer.Option("--spec", help="only these specifications (repeatable)")] = None,
    fmt: Annotated[str, typer.Option("--format", help="table or json")] = "table",
    detail: Annotated[
        bool, typer.Option("--detail", help="one row per clause instead of one per specification")
    ] = False,
) -> None:
    """How every printed clause is mapped: check, attestation, obligation, out of scope, grouping — or unmapped."""
    choice(fmt, ("table", "json"), "--format")
    kb = api.knowledge_base()
    for ident in spec or []:
        if ident not in kb.documents:
            api.unknown_spec(ident)
    report = coverage_report(kb, spec)
    if fmt == "json":
        print_json(report)
        return
    if detail:
        rows = [{"spec": r["spec"], **item} for r in report["specs"] for item in r["items"]]
        show(
            rows,
            fmt,
            {
                "spec": lambda r: r["spec"],
                "clause": lambda r: r["clause"],
                "status": lambda r: r["status"],
                "by": lambda r: ", ".join(r.get("requirements", [])) or r.get("reason", ""),
            },
        )
        return
    columns: dict[str, Callable[[dict[str, Any]], str]] = {
        "spec": lambda r: r["spec"],
        "clauses": lambda r: str(r["clauses"]),
        "mapped": lambda r: f"{r['mapped']} ({100 * r['mapped'] // max(r['clauses'], 1)} %)",
    }
    for status in STATUSES:
        columns[SHORT.get(status, status)] = lambda r, status=status: str(r["by_status"].get(status, 0))
    show(report["specs"], fmt, columns)
