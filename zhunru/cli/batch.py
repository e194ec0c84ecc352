"""``zhunru batch``: every hospital of an input against every specification, with a table and a report."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

from zhunru import api
from zhunru.batch.run import RunOptions, run_batch
from zhunru.batch.sources import count_records
from zhunru.batch.worker import Settings
from zhunru.cli.common import choice, parse_as_of
from zhunru.errors import InputError, Problem


def command(
    source: Annotated[Path, typer.Argument(help="a directory of profiles, a .jsonl file, a SQLite or Parquet table")],
    out: Annotated[Path, typer.Option("--out", help="output directory")],
    as_of: Annotated[str | None, typer.Option("--as-of", help="evaluation date YYYY-MM-DD (default today)")] = None,
    tech: Annotated[list[str] | None, typer.Option("--tech", help="technology id (repeatable; default all)")] = None,
    spec: Annotated[list[str] | None, typer.Option("--spec", help="apply this specification as named")] = None,
    workers: Annotated[int, typer.Option(help="local worker processes")] = 1,
    executor: Annotated[str, typer.Option(help="local or dask")] = "local",
    scheduler: Annotated[str | None, typer.Option(help="Dask scheduler address, e.g. tcp://10.0.0.5:8786")] = None,
    resume: Annotated[bool, typer.Option("--resume", help="continue an interrupted run in --out")] = False,
    chunk_size: Annotated[int, typer.Option(help="hospitals per unit of work")] = 50,
    table: Annotated[str, typer.Option(help="SQLite table holding the profiles (column 'profile')")] = "profiles",
    lang: Annotated[str, typer.Option(help="language of the explanations: zh or en")] = "zh",
) -> None:
    """Run eligibility for every hospital: results.parquet, results.sqlite, explanations/, report/, errors.jsonl."""
    choice(executor, ("local", "dask"), "--executor")
    choice(lang, ("zh", "en"), "--lang")
    if workers < 1 or chunk_size < 1:
        raise InputError([Problem("--workers/--chunk-size", "", "expected a positive number", "invalid_number")])
    technologies = _technologies(tech)
    for ident in spec or []:
        if ident not in api.knowledge_base().specs:
            api.unknown_spec(ident)
    settings = Settings(parse_as_of(as_of), technologies, list(spec) if spec else None, lang)
    options = RunOptions(source, out, settings, workers, executor, scheduler, resume, chunk_size, table)
    if not source.exists():
        raise InputError([Problem(str(source), "", "no such file or directory", "not_found")])
    total = count_records(source, table)
    console = Console(stderr=True, highlight=False)
    columns = (
        TextColumn("[bold]batch"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=console, transient=False) as progress:
        task = progress.add_task("hospitals", total=total)
        summary = run_batch(options, lambda n: progress.advance(task, n))
    console.print(
        f"{summary.hospitals} hospitals, {summary.rows} verdicts, {summary.invalid_records} invalid records "
        f"({summary.chunks_run} chunks run, {summary.chunks_resumed} resumed) → {out}"
    )


def _technologies(tech: list[str] | None) -> list[str] | None:
    if not tech:
        return None
    kb = api.knowledge_base()
    for ident in tech:
        if ident not in kb.technologies:
            raise InputError(
                [
                    Problem(
                        "--tech",
                        ident,
                        f"unknown technology id; expected one of {sorted(kb.technologies)} (or --spec)",
                        "unknown_technology",
                    )
                ]
            )
    return list(tech)
