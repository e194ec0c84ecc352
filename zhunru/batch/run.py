"""Run a batch: stream records in chunks to an executor, commit each chunk, then build the outputs.

Durability and determinism rest on one rule: a chunk is *committed* when its part file
``.parts/chunk-NNNNNN.json`` appears (written atomically, after the chunk's explanation
and page files).  Final outputs are built only from committed parts, in chunk order, so
an interrupted run resumed with ``--resume`` — which skips committed chunks — ends with the
same outputs as an uninterrupted one, whatever the executor or the number of workers.

Memory stays bounded: records are read lazily, at most ``2 × workers`` chunks are in
flight, and the outputs are written part by part.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import math
import os
import sqlite3
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

from zhunru import __version__, api
from zhunru.batch import report
from zhunru.batch.sources import Record, kind_of, read_records
from zhunru.batch.worker import ChunkResult, Job, Settings, run_job
from zhunru.errors import InputError, Problem

PARTS = ".parts"
MANIFEST = "manifest.json"


@dataclass(frozen=True)
class RunOptions:
    source: Path
    out: Path
    settings: Settings
    workers: int = 1
    executor: str = "local"  # local | dask
    scheduler: str | None = None
    resume: bool = False
    chunk_size: int = 50
    table: str = "profiles"
    tasks_per_worker: int = 1  # chunks a worker process runs before it is recycled (bounds its memory)
    in_process: bool = False  # run chunks in this process (small inputs, tests): no recycling


@dataclass(frozen=True)
class RunSummary:
    hospitals: int
    invalid_records: int
    rows: int
    chunks_run: int
    chunks_resumed: int


# --- files -------------------------------------------------------------------------------


def write_atomic(path: Path, content: str | bytes) -> None:
    """Write via a temporary file and rename, so that a reader never sees half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    if isinstance(content, str):
        tmp.write_text(content, encoding="utf-8")
    else:
        tmp.write_bytes(content)
    os.replace(tmp, path)


def part_path(out: Path, chunk: int) -> Path:
    return out / PARTS / f"chunk-{chunk:06d}.json"


def commit(out: Path, result: ChunkResult) -> None:
    for relative, content in sorted(result.files.items()):
        write_atomic(out / relative, content)
    part = {
        "chunk": result.chunk,
        "hospitals": result.hospitals,
        "results": result.results,
        "physicians": result.physicians,
        "errors": result.errors,
    }
    write_atomic(part_path(out, result.chunk), orjson.dumps(part))


def committed_parts(out: Path) -> Iterator[dict[str, Any]]:
    for path in sorted((out / PARTS).glob("chunk-*.json")):
        yield orjson.loads(path.read_bytes())


# --- the manifest: a resumed run must be the same run ------------------------------------------


def manifest_of(options: RunOptions) -> dict[str, Any]:
    kb = api.knowledge_base()
    settings = options.settings
    return {
        "input": str(options.source.resolve()),
        "table": options.table,
        "as_of": settings.as_of.isoformat(),
        "technologies": settings.technologies,
        "specs": settings.specs,
        "lang": settings.lang,
        "chunk_size": options.chunk_size,
        "knowledge_base": hashlib.sha256(kb.program.encode("utf-8")).hexdigest(),
        "zhunru": __version__,
    }


def prepare(options: RunOptions) -> None:
    parts = options.out / PARTS
    manifest = manifest_of(options)
    existing = parts / MANIFEST
    if existing.exists():
        if not options.resume:
            raise InputError(
                [
                    Problem(
                        str(options.out),
                        "--out",
                        "this directory holds an earlier run; pass --resume to continue it, or use another directory",
                        "run_exists",
                    )
                ]
            )
        before = json.loads(existing.read_text(encoding="utf-8"))
        changed = sorted(k for k in manifest if before.get(k) != manifest[k])
        if changed:
            raise InputError(
                [
                    Problem(
                        str(existing),
                        ", ".join(changed),
                        "--resume continues the same run; these settings differ from the interrupted run's",
                        "resume_mismatch",
                    )
                ]
            )
        return
    parts.mkdir(parents=True, exist_ok=True)
    write_atomic(existing, json.dumps(manifest, ensure_ascii=False, indent=1))


# --- execution ------------------------------------------------------------------------------


def chunks(records: Iterable[Record], size: int) -> Iterator[tuple[int, list[Record]]]:
    iterator = iter(records)
    for index in itertools.count():
        chunk = list(itertools.islice(iterator, size))
        if not chunk:
            return
        yield index, chunk


class Executor:
    """Submit jobs, get futures; local processes or a Dask cluster."""

    def __init__(self, options: RunOptions) -> None:
        self.options = options
        self.pool: ProcessPoolExecutor | None = None
        self.client: Any = None
        if options.executor == "dask":
            self.client = _dask_client(options.scheduler)
        elif not options.in_process:
            # Worker processes, even for one worker: clingo never frees the symbols it interns,
            # so a long-lived process grows; recycling after each chunk bounds its memory.
            self.pool = ProcessPoolExecutor(
                max_workers=options.workers,
                mp_context=_worker_context(),
                max_tasks_per_child=options.tasks_per_worker,
            )

    @property
    def window(self) -> int:
        if self.client is not None:
            return 2 * max(1, sum(self.client.nthreads().values()))
        return 2 * self.options.workers

    def submit(self, job: Job) -> Future[ChunkResult] | Any:
        if self.client is not None:
            return self.client.submit(run_job, job, pure=False)
        if self.pool is not None:
            return self.pool.submit(run_job, job)
        done: Future[ChunkResult] = Future()
        done.set_result(run_job(job))
        return done

    def wait(self, pending: set[Any]) -> tuple[set[Any], set[Any]]:
        if self.client is not None:
            from distributed import wait as dask_wait

            finished, rest = dask_wait(list(pending), return_when="FIRST_COMPLETED")
            return set(finished), set(rest)
        finished, rest = wait(pending, return_when=FIRST_COMPLETED)
        return set(finished), set(rest)

    def close(self) -> None:
        if self.pool is not None:
            self.pool.shutdown(cancel_futures=True)
        if self.client is not None:
            self.client.close()


def _worker_context() -> Any:
    """Workers forked from a server that has imported zhunru and parsed the KB once
    (:mod:`zhunru.batch.preload`), so recycling a worker costs milliseconds, not a second;
    where there is no fork server (Windows), spawned."""
    import multiprocessing

    if "forkserver" not in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("spawn")
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["zhunru.batch.preload"])
    return context


def _dask_client(address: str | None) -> Any:
    try:
        from distributed import Client
    except ImportError:
        raise InputError(
            [Problem("--executor", "dask", "needs Dask: pip install 'zhunru[dask]'", "missing_dependency")]
        ) from None
    if not address:
        raise InputError(
            [Problem("--scheduler", "", "--executor dask needs --scheduler tcp://HOST:PORT", "missing_option")]
        )
    try:
        return Client(address, timeout="10s")
    except OSError as error:
        raise InputError(
            [Problem("--scheduler", address, f"cannot reach the Dask scheduler ({error})", "unreachable")]
        ) from None


def execute(
    options: RunOptions,
    on_chunk: Callable[[int], None] | None = None,
) -> tuple[int, int]:
    """Run every uncommitted chunk; returns (chunks run, chunks already committed)."""
    executor = Executor(options)
    ran = resumed = 0
    pending: dict[Any, int] = {}
    try:
        for index, records in chunks(read_records(options.source, options.table), options.chunk_size):
            if part_path(options.out, index).exists():
                resumed += 1
                if on_chunk:
                    on_chunk(len(records))
                continue
            while len(pending) >= executor.window:
                ran += _drain(executor, pending, options.out, on_chunk)
            pending[executor.submit(Job(index, records, options.settings))] = len(records)
        while pending:
            ran += _drain(executor, pending, options.out, on_chunk)
    finally:
        executor.close()
    return ran, resumed


def _drain(executor: Executor, pending: dict[Any, int], out: Path, on_chunk: Callable[[int], None] | None) -> int:
    finished, _ = executor.wait(set(pending))
    for future in finished:  # parts are keyed by chunk index: commit order does not matter
        size = pending.pop(future)
        commit(out, future.result())
        if on_chunk:
            on_chunk(size)
    return len(finished)


# --- outputs ------------------------------------------------------------------------------------

RESULT_COLUMNS: dict[str, str] = {
    "ordinal": "int64",
    "hospital": "string",
    "spec": "string",
    "technology": "string",
    "title": "string",
    "jurisdiction": "string",
    "version": "string",
    "applied_because": "string",
    "target": "string",
    "role": "string",
    "scope": "string",
    "verdict": "string",
    "eligible": "bool",
    "unmet_requirements": "list",
    "unmet_clauses": "list",
    "missing": "list",
    "explanation": "string",
}


def _arrow_schema() -> Any:
    import pyarrow as pa

    types = {"int64": pa.int64(), "string": pa.string(), "bool": pa.bool_(), "list": pa.list_(pa.string())}
    return pa.schema([(name, types[kind]) for name, kind in RESULT_COLUMNS.items()])


SQL_SCHEMA = """
CREATE TABLE hospitals (ordinal INTEGER PRIMARY KEY, hospital TEXT, position TEXT, name TEXT, province TEXT,
                        level TEXT, grade TEXT, explanation TEXT, page TEXT);
CREATE TABLE results (ordinal INTEGER, hospital TEXT, spec TEXT, technology TEXT, title TEXT, jurisdiction TEXT,
                      version TEXT, applied_because TEXT, target TEXT, role TEXT, scope TEXT, verdict TEXT,
                      eligible INTEGER, unmet_requirements TEXT, unmet_clauses TEXT, missing TEXT, explanation TEXT);
CREATE TABLE unmet (ordinal INTEGER, hospital TEXT, spec TEXT, target TEXT, requirement TEXT, clause TEXT);
CREATE TABLE physicians (ordinal INTEGER, hospital TEXT, staff TEXT, staff_name TEXT, spec TEXT, target TEXT,
                         scope TEXT, verdict TEXT);
CREATE TABLE errors (ordinal INTEGER, position TEXT, field TEXT, message TEXT, code TEXT);
CREATE INDEX results_by_spec ON results (spec, verdict);
CREATE INDEX unmet_by_clause ON unmet (spec, clause);
"""


def build_outputs(options: RunOptions) -> RunSummary:
    """results.parquet, results.sqlite, errors.jsonl and the report, from the committed parts."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    out = options.out
    summary = report.Summary()
    specs: set[str] = set()
    for part in committed_parts(out):
        summary.add(part["hospitals"], part["results"], len(part["errors"]))
        specs.update(row["spec"] for row in part["results"])
    spec_order = sorted(specs)
    pages = max(1, math.ceil(summary.hospitals / report.MATRIX_PAGE))

    tmp = {name: out / f".{name}.tmp" for name in ("results.parquet", "results.sqlite", "errors.jsonl")}
    for path in tmp.values():
        path.unlink(missing_ok=True)
    schema = _arrow_schema()
    database = sqlite3.connect(tmp["results.sqlite"])
    database.executescript(SQL_SCHEMA)
    matrix: list[dict[str, Any]] = []
    page = 0
    with (
        pq.ParquetWriter(tmp["results.parquet"], schema) as parquet,
        tmp["errors.jsonl"].open("w", encoding="utf-8") as errors,
    ):
        for part in committed_parts(out):
            rows = [{name: row[name] for name in RESULT_COLUMNS} for row in part["results"]]
            parquet.write_table(pa.Table.from_pylist(rows, schema=schema))
            _insert(database, part)
            for error in part["errors"]:
                errors.write(json.dumps(error, ensure_ascii=False) + "\n")
            matrix.extend(report.matrix_rows(part["hospitals"], part["results"], spec_order))
            while len(matrix) >= report.MATRIX_PAGE:
                page += 1
                _write_matrix(out, matrix[: report.MATRIX_PAGE], spec_order, summary, page, pages)
                matrix = matrix[report.MATRIX_PAGE :]
    if matrix or page == 0:
        page += 1
        _write_matrix(out, matrix, spec_order, summary, page, pages)
    database.commit()
    database.close()
    for name, path in tmp.items():
        os.replace(path, out / name)
    index = report.index_page(summary, options.settings, spec_order, pages, str(options.source))
    write_atomic(out / "report" / "index.html", index)
    return RunSummary(summary.hospitals, summary.errors, summary.rows, 0, 0)


def _write_matrix(
    out: Path, rows: list[dict[str, Any]], specs: list[str], summary: report.Summary, page: int, pages: int
) -> None:
    write_atomic(
        out / "report" / f"matrix-{page:04d}.html", report.matrix_page(rows, specs, summary.titles, page, pages)
    )


def _insert(database: sqlite3.Connection, part: dict[str, Any]) -> None:
    database.executemany(
        "INSERT INTO hospitals VALUES (?,?,?,?,?,?,?,?,?)",
        [
            (
                h["ordinal"],
                h["hospital"],
                h["position"],
                h["name"],
                h["province"],
                h["level"],
                h["grade"],
                h["explanation"],
                h["page"],
            )
            for h in part["hospitals"]
        ],
    )
    database.executemany(
        f"INSERT INTO results VALUES ({','.join('?' * len(RESULT_COLUMNS))})",
        [
            tuple(
                json.dumps(row[name], ensure_ascii=False) if kind == "list" else row[name]
                for name, kind in RESULT_COLUMNS.items()
            )
            for row in part["results"]
        ],
    )
    database.executemany(
        "INSERT INTO unmet VALUES (?,?,?,?,?,?)",
        [
            (row["ordinal"], row["hospital"], row["spec"], row["target"], requirement, clause)
            for row in part["results"]
            for requirement, clause in zip(row["unmet_requirements"], row["unmet_clauses"], strict=True)
        ],
    )
    database.executemany(
        "INSERT INTO physicians VALUES (?,?,?,?,?,?,?,?)",
        [
            (p["ordinal"], p["hospital"], p["staff"], p["staff_name"], p["spec"], p["target"], p["scope"], p["verdict"])
            for p in part["physicians"]
        ],
    )
    database.executemany(
        "INSERT INTO errors VALUES (?,?,?,?,?)",
        [(e["ordinal"], e["position"], e["field"], e["message"], e["code"]) for e in part["errors"]],
    )


def run_batch(options: RunOptions, on_chunk: Callable[[int], None] | None = None) -> RunSummary:
    if not options.source.exists():
        raise InputError([Problem(str(options.source), "", "no such file or directory", "not_found")])
    kind_of(options.source)
    prepare(options)
    ran, resumed = execute(options, on_chunk)
    built = build_outputs(options)
    return RunSummary(built.hospitals, built.invalid_records, built.rows, ran, resumed)
