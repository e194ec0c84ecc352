"""Batch runs: outputs equal the one-hospital engine, whatever the input form, executor, worker count
or interruption; invalid records are reported while the rest complete; the report's links resolve."""

from __future__ import annotations

import gzip
import json
import shutil
import sqlite3
from datetime import date
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import yaml
from zhunru.solver.engine import Engine

from tests.conftest import AS_OF, EXAMPLES, hospital_from, zhunru
from zhunru import api
from zhunru.batch import synth
from zhunru.batch.run import RunOptions, run_batch
from zhunru.batch.worker import Settings
from zhunru.errors import EngineError, InputError

TECH = "comprehensive_intervention"
EXAMPLE_NAMES = ("tertiary_compliant", "secondary_county", "new_hospital")


def profiles() -> list[dict[str, Any]]:
    """The three foundation examples and five synthetic hospitals (all judged for 综合介入)."""
    examples = [yaml.safe_load((EXAMPLES / f"{n}.yaml").read_text(encoding="utf-8")) for n in EXAMPLE_NAMES]
    return examples + list(synth.province("河北省", 5, seed=7))


INVALID = [
    ("not json at all", "syntax"),
    (json.dumps({"id": "x", "name": "缺位置医院"}), "missing"),
    (
        json.dumps(
            {
                "id": "y",
                "name": "坏床位",
                "location": {"province": "河北省"},
                "units": [{"id": "u", "kind": "ICU", "beds": -1}],
            }
        ),
        "greater_than_equal",
    ),
]


@pytest.fixture(scope="module")
def jsonl(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("input") / "province.jsonl"
    lines = [json.dumps(p, ensure_ascii=False, default=str) for p in profiles()]
    lines[4:4] = [text for text, _ in INVALID]  # invalid records in the middle of the input
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def options(source: Path, out: Path, **changes: Any) -> RunOptions:
    settings = Settings(AS_OF, [TECH])
    changes.setdefault("in_process", changes.get("workers", 1) == 1 and changes.get("executor") != "dask")
    return RunOptions(source=source, out=out, settings=settings, chunk_size=3, **changes)


def table(out: Path, name: str = "results") -> list[tuple[Any, ...]]:
    with sqlite3.connect(out / "results.sqlite") as db:
        return db.execute(f"SELECT * FROM {name} ORDER BY 1, 2, 3, 4, 5").fetchall()


def snapshot(out: Path) -> dict[str, Any]:
    """Everything a run produces, comparable across runs."""
    return {
        "parquet": pq.read_table(out / "results.parquet").to_pylist(),
        "sqlite": {name: table(out, name) for name in ("hospitals", "results", "unmet", "physicians", "errors")},
        "errors": (out / "errors.jsonl").read_text(encoding="utf-8"),
        "files": {
            str(p.relative_to(out)): p.read_bytes()
            for p in sorted(out.rglob("*"))
            if p.is_file() and ".parts" not in p.parts and p.suffix in (".json", ".gz", ".html")
        },
    }


@pytest.fixture(scope="module")
def reference(jsonl: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("reference")
    run_batch(options(jsonl, out))
    return out


# --- what the tables say ---------------------------------------------------------------------------------


def test_rows_are_hospitals_times_applicable_verdicts_and_equal_the_engine(reference: Path) -> None:
    rows = pq.read_table(reference / "results.parquet").to_pylist()
    hospitals = profiles()
    assert {r["hospital"] for r in rows} == {p["id"] for p in hospitals}
    expected_rows = 0
    for data in hospitals:
        report = api.check(hospital_from(data), AS_OF, [TECH])
        expected = {(r["target"], r["verdict"], tuple(u["clause"] for u in r["unmet"])) for r in report["results"]}
        got = {(r["target"], r["verdict"], tuple(r["unmet_clauses"])) for r in rows if r["hospital"] == data["id"]}
        assert got == expected, data["id"]
        expected_rows += len(report["results"])
        with sqlite3.connect(reference / "results.sqlite") as db:
            staff = set(db.execute("SELECT staff, target, verdict FROM physicians WHERE hospital = ?", (data["id"],)))
        assert staff == {(p["staff"], p["target"], p["verdict"]) for p in report["physicians"]}, data["id"]
    assert len(rows) == expected_rows


def test_every_row_names_the_specification_version_and_its_explanation(reference: Path) -> None:
    for row in pq.read_table(reference / "results.parquet").to_pylist():
        assert row["spec"] == "cn_comprehensive_intervention" and row["version"] and row["applied_because"]
        document = json.loads(gzip.decompress((reference / row["explanation"]).read_bytes()))
        [result] = [r for r in document["results"] if r["target"] == row["target"]]
        assert result["verdict"] == row["verdict"]
        assert document["derivation"]["nodes"]


def test_the_secondary_county_example_is_refused_on_its_icu_beds(reference: Path) -> None:
    with sqlite3.connect(reference / "results.sqlite") as db:
        clauses = db.execute(
            "SELECT clause FROM unmet WHERE hospital = 'jl-example-002' AND target = 'ci_entry_g3'"
        ).fetchall()
    assert clauses == [("一、（五）3（2）",)]


def test_invalid_records_are_reported_with_position_and_message_while_the_rest_complete(reference: Path) -> None:
    errors = [json.loads(line) for line in (reference / "errors.jsonl").read_text(encoding="utf-8").splitlines()]
    positions = {e["position"] for e in errors}
    assert positions == {"line 5", "line 6", "line 7"}
    codes = {e["code"] for e in errors}
    assert {"syntax", "missing"} <= codes
    beds = [e for e in errors if e["position"] == "line 7"]
    assert beds and beds[0]["field"] == "units[0].beds"
    assert len(table(reference, "hospitals")) == len(profiles())


def test_a_record_that_trips_an_engine_error_is_reported_alone_while_the_rest_complete(
    jsonl: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An engine error is a bug, but one record must not sink a province: its group is evaluated
    again one by one, the record is reported with code engine_error, and the others complete."""
    broken = "jl-example-002"
    evaluate_many = Engine.evaluate_many

    def failing(self: Engine, cases: list[Any]) -> list[Any]:
        if any(hospital.id == broken for hospital, _, _ in cases):
            raise EngineError("simulated")
        return evaluate_many(self, cases)

    monkeypatch.setattr(Engine, "evaluate_many", failing)
    out = tmp_path / "out"
    run_batch(options(jsonl, out))
    errors = [json.loads(line) for line in (out / "errors.jsonl").read_text(encoding="utf-8").splitlines()]
    engine_errors = [e for e in errors if e["code"] == "engine_error"]
    assert len(engine_errors) == 1 and "simulated" in engine_errors[0]["message"]
    hospitals = {row[1] for row in table(out, "hospitals")}
    assert broken not in hospitals and len(hospitals) == len(profiles()) - 1


# --- determinism ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("workers", [1, 2])
def test_local_worker_processes_give_identical_outputs(
    jsonl: Path, reference: Path, tmp_path: Path, workers: int
) -> None:
    """The reference ran in process; worker processes (forked from the preloaded server, recycled
    after every chunk) give the same."""
    run_batch(options(jsonl, tmp_path / "pool", workers=workers, in_process=False, tasks_per_worker=1))
    assert snapshot(tmp_path / "pool") == snapshot(reference)


def test_the_fork_server_warm_up_evaluates_a_bundled_example() -> None:
    """The fork server ignores a failing warm-up (workers would only start cold), so check it here."""
    from zhunru.batch import preload

    warmed = preload._warm_up()
    assert not warmed.errors and len(warmed.hospitals) == 1 and warmed.results


def test_a_dask_cluster_gives_identical_outputs(jsonl: Path, reference: Path, tmp_path: Path) -> None:
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        run_batch(options(jsonl, tmp_path / "dask", executor="dask", scheduler=cluster.scheduler_address))
    assert snapshot(tmp_path / "dask") == snapshot(reference)


class Interrupted(Exception):
    pass


def test_an_interrupted_run_resumed_ends_with_identical_outputs(jsonl: Path, reference: Path, tmp_path: Path) -> None:
    out = tmp_path / "resumed"
    done = []

    def interrupt(size: int) -> None:
        done.append(size)
        if len(done) == 2:
            raise Interrupted

    with pytest.raises(Interrupted):
        run_batch(options(jsonl, out), interrupt)
    assert not (out / "results.parquet").exists()
    committed = sorted((out / ".parts").glob("chunk-*.json"))
    assert len(committed) == 2
    summary = run_batch(options(jsonl, out, resume=True))
    assert summary.chunks_resumed == 2 and summary.chunks_run > 0
    assert snapshot(out) == snapshot(reference)


def test_an_earlier_run_is_not_overwritten_without_resume(jsonl: Path, reference: Path, tmp_path: Path) -> None:
    out = tmp_path / "copy"
    shutil.copytree(reference, out)
    with pytest.raises(InputError, match="--resume"):
        run_batch(options(jsonl, out))
    changed = RunOptions(jsonl, out, Settings(date(2025, 1, 1), [TECH]), chunk_size=3, resume=True, in_process=True)
    with pytest.raises(InputError, match="as_of"):
        run_batch(changed)


# --- input forms ----------------------------------------------------------------------------------------


def test_directory_sqlite_and_parquet_inputs_give_the_same_rows(tmp_path: Path, reference: Path) -> None:
    hospitals = profiles()
    texts = [json.dumps(p, ensure_ascii=False, default=str) for p in hospitals]
    directory = tmp_path / "dir"
    directory.mkdir()
    for i, text in enumerate(texts):
        (directory / f"{i:03d}.json").write_text(text, encoding="utf-8")
    database = tmp_path / "in.sqlite"
    with sqlite3.connect(database) as db:
        db.execute("CREATE TABLE profiles (profile TEXT)")
        db.executemany("INSERT INTO profiles VALUES (?)", [(t,) for t in texts])
    parquet = tmp_path / "in.parquet"
    pq.write_table(pa.table({"profile": texts}), parquet)

    def verdicts(out: Path) -> set[tuple[str, str, str]]:
        return {(r["hospital"], r["target"], r["verdict"]) for r in pq.read_table(out / "results.parquet").to_pylist()}

    expected = verdicts(reference)
    for source in (directory, database, parquet):
        out = tmp_path / f"out-{source.name}"
        run_batch(options(source, out))
        assert verdicts(out) == expected, source.name


# --- the report -----------------------------------------------------------------------------------------


VOID = ("br", "meta", "rect", "img")


class Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []
        self.stack: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in VOID:
            self.stack.append(tag)
        self.links += [v for k, v in attrs if k == "href" and v]

    def handle_endtag(self, tag: str) -> None:
        if tag in VOID:
            return
        assert self.stack and self.stack[-1] == tag, f"</{tag}> closes <{self.stack[-1] if self.stack else None}>"
        self.stack.pop()


def test_the_report_renders_and_every_link_resolves(reference: Path) -> None:
    report = reference / "report"
    pages = [
        report / "index.html",
        *sorted(report.glob("matrix-*.html")),
        *sorted((report / "hospitals").glob("*.html")),
    ]
    assert len(pages) == 2 + len(profiles())
    for page in pages:
        parser = Links()
        parser.feed(page.read_text(encoding="utf-8"))
        parser.close()
        assert parser.stack == [], f"{page.name}: unclosed {parser.stack}"
        for link in parser.links:
            if link.startswith("#"):
                continue
            assert not link.startswith(("http:", "https:", "//")), f"{page.name} needs the network: {link}"
            assert (page.parent / link).exists(), f"{page.name}: broken link {link}"
    index = (report / "index.html").read_text(encoding="utf-8")
    assert "一、（五）3（2）" in index  # the clause that blocks the county hospital is among the top blockers
    assert "<svg" in index


# --- synthetic data -----------------------------------------------------------------------------------


def test_synth_is_deterministic_schema_valid_and_mixed() -> None:
    first = list(synth.province("吉林省", 40, seed=3))
    assert first == list(synth.province("吉林省", 40, seed=3))
    assert first != list(synth.province("吉林省", 40, seed=4))
    for data in first:
        hospital_from(data)
        assert data["location"]["province"] == "吉林省"
    assert len({d.get("level") for d in first}) >= 3
    assert len({d["id"] for d in first}) == 40


def test_synthetic_hospitals_get_mixed_verdicts(tmp_path: Path) -> None:
    """Hospitals are drawn near the thresholds: a province is neither all yes nor all no."""
    source = tmp_path / "p.jsonl"
    synth.write(synth.province("吉林省", 12, seed=11), source)
    run_batch(
        RunOptions(source, tmp_path / "o", Settings(AS_OF, ["tumor_hyperthermia", TECH]), chunk_size=6, in_process=True)
    )
    verdicts = {r["verdict"] for r in pq.read_table(tmp_path / "o" / "results.parquet").to_pylist()}
    assert {"eligible", "ineligible"} <= verdicts


def test_synth_hospital_i_does_not_depend_on_how_many_are_drawn() -> None:
    assert list(synth.province("天津市", 10, seed=1))[7] == synth.hospital("天津市", 1, 7)


def test_synth_cli_writes_json_lines_and_directories(tmp_path: Path) -> None:
    run = zhunru("synth", "--province", "吉林省", "--hospitals", "4", "--seed", "2", "--out", str(tmp_path / "p.jsonl"))
    assert run.code == 0, run.err
    lines = (tmp_path / "p.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(lines) == 4
    run = zhunru("synth", "--province", "吉林省", "--hospitals", "4", "--seed", "2", "--out", str(tmp_path / "d"))
    assert run.code == 0, run.err
    assert sorted(json.loads(p.read_text(encoding="utf-8"))["id"] for p in (tmp_path / "d").iterdir()) == sorted(
        json.loads(line)["id"] for line in lines
    )


def test_batch_cli_runs_and_rejects_bad_options(jsonl: Path, tmp_path: Path) -> None:
    run = zhunru("batch", str(jsonl), "--out", str(tmp_path / "o"), "--tech", TECH, "--as-of", AS_OF.isoformat())
    assert run.code == 0, run.err
    assert (tmp_path / "o" / "report" / "index.html").exists()
    again = zhunru("batch", str(jsonl), "--out", str(tmp_path / "o"), "--tech", TECH, "--as-of", AS_OF.isoformat())
    assert again.code == 2 and "--resume" in again.err
    bad = zhunru("batch", str(jsonl), "--out", str(tmp_path / "p"), "--executor", "spark")
    assert bad.code == 2 and "--executor" in bad.err
    missing = zhunru("batch", str(tmp_path / "nothing.jsonl"), "--out", str(tmp_path / "q"))
    assert missing.code == 2 and "no such file" in missing.err
