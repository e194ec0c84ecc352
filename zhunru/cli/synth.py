"""``zhunru synth``: write a synthetic province of hospital profiles."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import track

from zhunru.batch import synth
from zhunru.errors import InputError, Problem


def command(
    province: Annotated[str, typer.Option("--province", help="省级行政区, e.g. 吉林省, 天津市")],
    hospitals: Annotated[int, typer.Option("--hospitals", help="number of hospitals")],
    out: Annotated[Path, typer.Option("--out", help="a .jsonl file, or a directory (one JSON file per hospital)")],
    seed: Annotated[int, typer.Option("--seed", help="random seed: same seed, same data")] = 0,
) -> None:
    """Realistic, schema-valid profiles drawn from documented distributions (see zhunru.batch.synth)."""
    if hospitals < 1:
        raise InputError([Problem("--hospitals", str(hospitals), "expected a positive number", "invalid_number")])
    console = Console(stderr=True, highlight=False)
    profiles = track(synth.province(province, hospitals, seed), total=hospitals, description="synth", console=console)
    written = synth.write(iter(profiles), out)
    console.print(f"{written} profiles → {out}")
