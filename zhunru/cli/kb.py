"""``zhunru kb``: what the knowledge base contains."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from zhunru import api
from zhunru.cli.common import choice, print_json

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
    if fmt == "json":
        print_json(rows)
        return
    table = Table()
    for column in ("spec", "title", "jurisdiction", "version", "technology", "targets"):
        table.add_column(column)
    for row in rows:
        targets = ", ".join(t["id"] for t in row["targets"])
        table.add_row(row["spec"], row["title"], row["jurisdiction"], row["version"], row["technology"], targets)
    Console(highlight=False).print(table)


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
    if fmt == "json":
        print_json(rows)
        return
    table = Table()
    for column in ("spec", "grade", "clause", "name"):
        table.add_column(column)
    for row in rows:
        table.add_row(row["spec"], str(row["grade"]), row["clause"], row["name"])
    Console(highlight=False).print(table)


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
    if fmt == "json":
        print_json(rows)
        return
    table = Table()
    for column in ("statement", "clause", "quote"):
        table.add_column(column)
    for row in rows:
        table.add_row(row["statement"], row["clause"], row["quote"] or "")
    Console(highlight=False).print(table)
