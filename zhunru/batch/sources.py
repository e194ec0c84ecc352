"""Batch input: hospital profiles streamed from a directory, JSON Lines, SQLite or Parquet.

Records are yielded one at a time as undecoded text with their position in the input
(``line 17``, ``hospital-3.yaml``, ``row 5``), so that the input is never held in
memory whole and a bad record is reported where it is, while the others go on.

Tables (SQLite, Parquet) hold one profile per row, as JSON text in a column named
``profile`` (``--table`` names the SQLite table; default ``profiles``).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from zhunru.errors import InputError, Problem

PROFILE_SUFFIXES = (".yaml", ".yml", ".json")


@dataclass(frozen=True)
class Record:
    """One input record: its ordinal in the input, where it is, and its undecoded text."""

    ordinal: int
    position: str
    text: str
    fmt: str  # json | yaml


def kind_of(path: Path) -> str:
    if path.is_dir():
        return "directory"
    suffix = path.suffix.lower()
    if suffix == ".jsonl":
        return "jsonl"
    if suffix in (".sqlite", ".sqlite3", ".db"):
        return "sqlite"
    if suffix == ".parquet":
        return "parquet"
    raise InputError(
        [
            Problem(
                str(path),
                "",
                "expected a directory of profiles, a .jsonl file, a SQLite database (.sqlite/.db) "
                "or a Parquet file (.parquet)",
                "unknown_input",
            )
        ]
    )


def read_records(path: Path, table: str = "profiles") -> Iterator[Record]:
    """Every record of the input, in a deterministic order."""
    if not path.exists():
        raise InputError([Problem(str(path), "", "no such file or directory", "not_found")])
    kind = kind_of(path)
    if kind == "directory":
        yield from _directory(path)
    elif kind == "jsonl":
        yield from _jsonl(path)
    elif kind == "sqlite":
        yield from _sqlite(path, table)
    else:
        yield from _parquet(path)


def count_records(path: Path, table: str = "profiles") -> int:
    """The number of records (a cheap pass: for the progress bar)."""
    kind = kind_of(path)
    if kind == "directory":
        return sum(1 for _ in _profile_files(path))
    if kind == "jsonl":
        with path.open("rb") as handle:
            return sum(1 for line in handle if line.strip())
    if kind == "sqlite":
        with _connect(path) as connection:
            return int(connection.execute(f'SELECT count(*) FROM "{_table_name(table)}"').fetchone()[0])
    import pyarrow.parquet as pq

    return int(pq.ParquetFile(path).metadata.num_rows)


def _profile_files(path: Path) -> Iterator[Path]:
    return (p for p in sorted(path.iterdir()) if p.is_file() and p.suffix.lower() in PROFILE_SUFFIXES)


def _directory(path: Path) -> Iterator[Record]:
    for ordinal, file in enumerate(_profile_files(path)):
        text = file.read_bytes().decode("utf-8", errors="replace")
        yield Record(ordinal, file.name, text, "json" if file.suffix.lower() == ".json" else "yaml")


def _jsonl(path: Path) -> Iterator[Record]:
    ordinal = 0
    with path.open("rb") as handle:
        for number, raw in enumerate(handle, start=1):
            if not raw.strip():
                continue
            yield Record(ordinal, f"line {number}", raw.decode("utf-8", errors="replace"), "json")
            ordinal += 1


def _table_name(table: str) -> str:
    if not table.replace("_", "").isalnum():
        raise InputError([Problem("--table", table, "expected a table name of letters, digits and _", "bad_table")])
    return table


def _connect(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(f"file:{path}?mode=ro", uri=True)


def _sqlite(path: Path, table: str) -> Iterator[Record]:
    name = _table_name(table)
    with _connect(path) as connection:
        try:
            cursor = connection.execute(f'SELECT rowid, profile FROM "{name}" ORDER BY rowid')
        except sqlite3.Error as error:
            raise InputError(
                [Problem(str(path), name, f"expected a table {name!r} with a column 'profile' ({error})", "bad_table")]
            ) from None
        for ordinal, (rowid, text) in enumerate(cursor):
            yield Record(ordinal, f"row {rowid}", _as_text(text), "json")


def _parquet(path: Path) -> Iterator[Record]:
    import pyarrow.parquet as pq

    handle = pq.ParquetFile(path)
    if "profile" not in handle.schema_arrow.names:
        raise InputError([Problem(str(path), "profile", "expected a column 'profile' of JSON text", "bad_table")])
    ordinal = 0
    for batch in handle.iter_batches(columns=["profile"], batch_size=1024):
        for text in batch.column(0).to_pylist():
            yield Record(ordinal, f"row {ordinal + 1}", _as_text(text), "json")
            ordinal += 1


def _as_text(value: object) -> str:
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="replace")
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False)
