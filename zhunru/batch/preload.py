"""Imported once by the batch's fork server, before it forks any worker.

A worker process is recycled after each chunk, because clingo never frees the symbols it
interns (see :mod:`zhunru.batch.run`).  A freshly *spawned* worker would import zhunru, parse
the knowledge base and fill its caches (measure plans, printed terms, templates) again —
about a second, every chunk of 50 hospitals.  Workers forked from a server that has done so
once start with all of it in place (copy-on-write).
"""

from __future__ import annotations

from contextlib import suppress
from datetime import date
from importlib import resources

from zhunru import api
from zhunru.batch import worker
from zhunru.batch.sources import Record


def _warm_up() -> worker.ChunkResult:
    """Evaluate a bundled example against every specification, as a worker would."""
    text = resources.files("zhunru.examples").joinpath("tertiary_compliant.yaml").read_text(encoding="utf-8")
    settings = worker.Settings(date.today(), None, sorted(api.knowledge_base().specs))
    return worker.run_job(worker.Job(0, [Record(0, "warm-up", text, "yaml")], settings))


# Only a warm-up: should it fail, workers start with cold caches and the run is unchanged.
with suppress(Exception):
    _warm_up()
