"""The unit of batch work: one chunk of records in, table rows and explanation files out.

A chunk runs anywhere (in-process, a local process pool, a Dask worker on another
machine): it needs only the records and the run's settings, reads no shared file but the
installed knowledge base, and returns everything it produced.  The coordinator writes
files, so workers never need a shared filesystem.

All hospitals of a chunk are grounded together in sub-chunks (one clingo ``Control``
each, :meth:`~zhunru.solver.engine.Engine.evaluate_many`); results are identical to
evaluating them one by one (``tests/test_batch.py``).
"""

from __future__ import annotations

import gc
import gzip
import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import orjson
import yaml

from zhunru import api
from zhunru.batch.report import hospital_page
from zhunru.batch.sources import Record
from zhunru.errors import EngineError, InputError, Problem
from zhunru.explain.graph import derivation_document
from zhunru.explain.report import VERDICTS, Reporter, TargetResult
from zhunru.profile import Hospital, parse_profile
from zhunru.solver import selection
from zhunru.solver.engine import Evaluation

GROUND_TOGETHER = 25
"""Hospitals grounded in one clingo Control (measured in benchmarks/batch_throughput.py)."""


@dataclass(frozen=True)
class Settings:
    as_of: date
    technologies: list[str] | None = None
    specs: list[str] | None = None
    lang: str = "zh"


@dataclass(frozen=True)
class Job:
    chunk: int
    records: list[Record]
    settings: Settings


@dataclass
class ChunkResult:
    chunk: int
    hospitals: list[dict[str, Any]] = field(default_factory=list)
    results: list[dict[str, Any]] = field(default_factory=list)
    physicians: list[dict[str, Any]] = field(default_factory=list)
    errors: list[dict[str, Any]] = field(default_factory=list)
    files: dict[str, str | bytes] = field(default_factory=dict)  # path relative to the output directory -> content


def slug(text: str) -> str:
    """A file-name-safe form of a hospital id (the ordinal prefix keeps names unique)."""
    return re.sub(r"[^A-Za-z0-9._-]+", "_", text)[:80] or "hospital"


def hospital_key(ordinal: int, hospital_id: str) -> str:
    return f"{ordinal:07d}-{slug(hospital_id)}"


@contextmanager
def _cyclic_gc_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector for one chunk, then collect once.

    A chunk allocates millions of small objects (atoms, derivation entries, trace nodes) that
    reference counting frees; the cyclic collector kept rescanning them, ~18 % of a chunk's
    time.  Whatever cycles a chunk leaves are collected when it ends, so memory stays bounded
    by one chunk.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
        gc.collect()


def run_job(job: Job) -> ChunkResult:
    """Validate, evaluate and explain every record of the chunk."""
    with _cyclic_gc_paused():
        return _run_job(job)


def _run_job(job: Job) -> ChunkResult:
    result = ChunkResult(job.chunk)
    valid: list[tuple[Record, Hospital, list[selection.Applied]]] = []
    for record in job.records:
        try:
            hospital = _parse(record)
            valid.append((record, hospital, _applicable(hospital, job.settings)))
        except InputError as error:
            result.errors.extend(_error_rows(record, error.problems))
    for start in range(0, len(valid), GROUND_TOGETHER):
        group = valid[start : start + GROUND_TOGETHER]
        for (record, hospital, applied), evaluation in zip(group, _evaluate(group, job.settings), strict=True):
            if isinstance(evaluation, EngineError):
                result.errors.append(_engine_error_row(record, evaluation))
                continue
            evaluation.applied = {a.spec: a for a in applied}
            _collect(result, record, hospital, evaluation, job.settings)
    return result


def _evaluate(
    group: list[tuple[Record, Hospital, list[selection.Applied]]], settings: Settings
) -> list[Evaluation | EngineError]:
    """The group's evaluations, grounded together; if that fails, one by one, so that a record that
    trips an engine error is reported alone and the others still complete."""
    cases = [(hospital, settings.as_of, [a.spec for a in applied]) for _, hospital, applied in group]
    engine = api.engine()
    try:
        return list(engine.evaluate_many(cases))
    except EngineError:
        pass
    evaluations: list[Evaluation | EngineError] = []
    for case in cases:
        try:
            evaluations.extend(engine.evaluate_many([case]))
        except EngineError as error:
            evaluations.append(error)
    return evaluations


def _engine_error_row(record: Record, error: EngineError) -> dict[str, Any]:
    return {
        "ordinal": record.ordinal,
        "position": record.position,
        "field": "(record)",
        "message": f"engine error, a bug in zhunru (please report it with this record): {error}",
        "code": "engine_error",
    }


def _parse(record: Record) -> Hospital:
    try:
        data = json.loads(record.text) if record.fmt == "json" else yaml.safe_load(record.text)
    except (json.JSONDecodeError, yaml.YAMLError) as error:
        raise InputError(
            [Problem(record.position, "(record)", f"not valid {record.fmt.upper()}: {error}", "syntax")]
        ) from None
    hospital = parse_profile(data, record.position)
    problems = api.validate_against_kb(hospital, api.knowledge_base(), record.position)
    if problems:
        raise InputError(problems)
    return hospital


def _applicable(hospital: Hospital, settings: Settings) -> list[selection.Applied]:
    """Specifications applied to this hospital (a technology with none in force here is skipped)."""
    kb = api.knowledge_base()
    return selection.select(kb, hospital.location.province, settings.as_of, settings.technologies, settings.specs)


def _error_rows(record: Record, problems: list[Problem]) -> list[dict[str, Any]]:
    return [
        {
            "ordinal": record.ordinal,
            "position": record.position,
            "field": problem.field,
            "message": problem.message,
            "code": problem.code,
        }
        for problem in problems
    ]


def _role(result: TargetResult) -> str:
    if result.target.subject.name == "staff":
        return "physician"
    kind = result.target.kind
    return "training-base" if kind == "training_base" else kind


def _collect(out: ChunkResult, record: Record, hospital: Hospital, evaluation: Evaluation, settings: Settings) -> None:
    """Rows for the tables, the explanation document and the hospital's page.

    The explanation holds each verdict as ``zhunru check`` reports it (unmet clauses with
    their evidence, missing facts, notes, obligations, why the specification applies) and
    the whole derivation as a graph (:func:`~zhunru.explain.graph.derivation_document`),
    every node once: what ``zhunru explain`` renders as trees, without the repetition.
    """
    reporter = Reporter(evaluation)
    lang = settings.lang
    key = hospital_key(record.ordinal, hospital.id)
    explanation_path = f"explanations/{key}.json.gz"
    page_path = f"report/hospitals/{key}.html"
    base = {"ordinal": record.ordinal, "hospital": hospital.id}
    results = []
    for target_result in reporter.hospital_results():
        data = reporter.result_json(target_result, lang, nested=False)
        results.append(data)
        out.results.append({**base, **_row(data, target_result, evaluation), "explanation": explanation_path})
    # Staff verdicts go to the table from the derivation itself; their justifications are
    # part of the derivation graph stored below, so no per-person trace is built here.
    physicians = _staff_verdicts(hospital, evaluation)
    out.physicians.extend({**base, **row} for row in physicians)
    out.hospitals.append(
        {
            **base,
            "position": record.position,
            "name": hospital.name,
            "province": hospital.location.province,
            "level": hospital.level or "",
            "grade": hospital.grade or "",
            "explanation": explanation_path,
            "page": page_path,
        }
    )
    document = {
        "hospital": hospital.id,
        "name": hospital.name,
        "as_of": settings.as_of.isoformat(),
        "position": record.position,
        "specifications": [
            {"spec": a.spec, "reason": a.reason, "basis": a.basis(evaluation.kb, lang)}
            for a in evaluation.applied.values()
        ],
        "results": [compact(result) for result in results],
        "physicians": physicians,
        "derivation": derivation_document(evaluation, lang),
    }
    out.files[explanation_path] = explanation_bytes(document)
    out.files[page_path] = hospital_page(hospital, record.position, results, physicians, settings, explanation_path)


def explanation_bytes(document: dict[str, Any]) -> bytes:
    """The explanation file: compact JSON, gzip-compressed.

    A hospital's derivation against every specification is ~0.5–2 MB of JSON, so a province
    of 40,000 would write tens of gigabytes; gzip at level 1 makes it ~9× smaller for ~3 ms.
    ``mtime=0`` keeps the bytes identical from run to run (``zcat FILE | jq`` reads one).
    """
    return gzip.compress(orjson.dumps(document), compresslevel=1, mtime=0)


def compact(result: dict[str, Any]) -> dict[str, Any]:
    """A verdict as stored per hospital: what ``check`` reports, without repeating what the KB and
    the derivation graph beside it hold (full clause texts, nested sub-derivations, note texts)."""
    kept = {k: v for k, v in result.items() if k not in ("unmet", "notes", "obligations", "target_gloss")}
    kept["unmet"] = [_compact_unmet(item) for item in result["unmet"]]
    kept["notes"] = [note["id"] for note in result["notes"]]
    kept["obligations"] = [item["clause"] for item in result["obligations"]]
    return kept


def _compact_unmet(item: dict[str, Any]) -> dict[str, Any]:
    kept = {k: v for k, v in item.items() if k not in ("text", "because")}
    if "because" in item:
        kept["because"] = [person["subject"] for person in item["because"]]
    return kept


def _staff_verdicts(hospital: Hospital, evaluation: Evaluation) -> list[dict[str, Any]]:
    kb = evaluation.kb
    rows = []
    for member in hospital.staff or []:
        subject = evaluation.staff_symbol(member.id)
        for spec in evaluation.specs:
            for target in kb.targets_of(spec):
                if target.role == member.role:
                    status = evaluation.status(target.root, subject) or "undetermined"
                    rows.append(
                        {
                            "staff": member.id,
                            "staff_name": member.name,
                            "spec": spec,
                            "target": target.root,
                            "scope": target.scope,
                            "verdict": VERDICTS[status],
                        }
                    )
    return rows


def _row(data: dict[str, Any], result: TargetResult, evaluation: Evaluation) -> dict[str, Any]:
    spec = evaluation.kb.specs[result.target.spec]
    applied = evaluation.applied.get(spec.id)
    return {
        "spec": spec.id,
        "technology": spec.technology,
        "title": spec.title,
        "jurisdiction": spec.jurisdiction,
        "version": spec.version,
        "applied_because": applied.reason if applied else "",
        "target": data["target"],
        "role": _role(result),
        "scope": data["scope"],
        "verdict": data["verdict"],
        "eligible": data["verdict"] == "eligible",
        "unmet_requirements": [item["requirement"] for item in data["unmet"]],
        "unmet_clauses": [item["clause"] for item in data["unmet"]],
        "missing": sorted({m["path"] for m in data["missing"]}),
    }
