"""Where a batch worker's time goes, per hospital: the floor under `batch_throughput.py`.

    .venv/bin/python benchmarks/batch_phases.py [--hospitals 200] [--seed 1]

Runs synthetic 吉林省 hospitals (``zhunru synth``, the same draw as the throughput benchmark)
through the batch worker in this process, every specification named, and measures the CPU
time of each phase with timers around the real code (nothing re-implemented here):
validation, facts, clingo (parse, ground, solve and model text), reading the model, and
collecting rows, explanation and page.  Also the size of a hospital's derivation: ground atoms
and shown atoms per hospital.  A first chunk warms the caches and is not counted.

The figure that matters is clingo's grounding: it is the full derivation every explanation
quotes, so no run with full explanations can be faster than it; at ``ground_ms`` per hospital,
1,000 hospitals on 2 cores take at least ``ground_ms`` seconds / 2.  For comparison the same
hospitals are also grounded with the interpreter stripped to verdicts (every rule whose head
is a reason — support, evidence, tally, missing … — removed): the floor even a run without
explanations would have.  Results go to ``benchmarks/results/batch_phases.json``.
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import platform
import re
import time
from collections import defaultdict
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import clingo
from zhunru.solver import atoms, engine

from zhunru import api
from zhunru.batch import synth, worker
from zhunru.batch.sources import Record

ROOT = Path(__file__).resolve().parents[1]
AS_OF = date(2026, 11, 24)
SPENT: dict[str, float] = defaultdict(float)
SIZES: dict[str, int] = defaultdict(int)


def timed(owner: Any, name: str, phase: str) -> None:
    """Charge the CPU time of ``owner.name`` to ``phase`` (outermost call only)."""
    original: Callable[..., Any] = getattr(owner, name)

    @functools.wraps(original)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        start = time.process_time()
        try:
            return original(*args, **kwargs)
        finally:
            SPENT[phase] += time.process_time() - start

    setattr(owner, name, wrapper)


def count_atoms() -> None:
    """Ground and shown atoms of every chunk's program, from clingo's statistics."""
    solve = clingo.Control.solve

    def counting(self: clingo.Control, *args: Any, **kwargs: Any) -> Any:
        result = solve(self, *args, **kwargs)
        problem = self.statistics["problem"]["lp"]
        SIZES["ground_atoms"] += int(problem["atoms"])
        return result

    clingo.Control.solve = counting  # type: ignore[method-assign]
    read = atoms.shown_atom_texts

    def shown(model: clingo.Model) -> list[str]:
        texts = read(model)
        SIZES["shown_atoms"] += len(texts)
        return texts

    engine.shown_atom_texts = shown  # type: ignore[assignment]


def instrument() -> None:
    timed(worker, "_parse", "validate")
    timed(engine.Engine, "facts", "facts")
    timed(clingo.Control, "add", "clingo_parse")
    timed(clingo.Control, "ground", "clingo_ground")
    timed(clingo.Control, "solve", "clingo_solve_and_model_text")
    timed(engine, "read_models", "read_model")
    timed(worker, "_collect", "collect_rows_explanation_page")
    count_atoms()


REASONS = ("support", "evidence", "tally", "sure", "maybe", "missing", "missing_population")


def verdicts_only(program: str) -> str:
    """The program without the rules that derive reasons (for this measurement only)."""
    rules = re.split(r"(?<=\.)\s*\n(?=\S)", program)
    kept = [rule for rule in rules if not re.match(rf"({'|'.join(REASONS)})\(", rule.lstrip())]
    return "\n".join(rule for rule in kept if not rule.startswith("#show"))


def verdict_ground_ms(records: list[Record], settings: worker.Settings) -> float:
    """CPU ms per hospital to ground the verdict-only program, 25 hospitals per Control as a worker does."""
    eng = api.engine()
    specs = settings.specs or []
    program = verdicts_only(eng.kb.program_for(specs))
    hospitals = [worker._parse(record) for record in records]
    spent = 0.0
    for start in range(0, len(hospitals), worker.GROUND_TOGETHER):
        group = hospitals[start : start + worker.GROUND_TOGETHER]
        facts = "".join(eng.facts(h, AS_OF, specs, i).program() for i, h in enumerate(group))
        control = clingo.Control(["--warn=none"])
        control.add("base", [], program)
        control.add("base", [], facts)
        begin = time.process_time()
        control.ground([("base", [])])
        spent += time.process_time() - begin
    return spent * 1000 / len(hospitals)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--hospitals", type=int, default=200)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results" / "batch_phases.json")
    args = parser.parse_args()
    settings = worker.Settings(AS_OF, None, sorted(api.knowledge_base().specs))
    drawn = synth.province("吉林省", args.hospitals + 5, args.seed)
    profiles = [json.dumps(profile, ensure_ascii=False, default=str) for profile in drawn]
    records = [Record(i, f"line {i + 1}", text, "json") for i, text in enumerate(profiles)]
    worker.run_job(worker.Job(0, records[:5], settings))  # warm-up, not counted
    verdict_ground = verdict_ground_ms(records[5:], settings)  # before the timers go in
    instrument()
    start = time.process_time()
    for index in range(5, len(records), 50):
        worker.run_job(worker.Job(index, records[index : index + 50], settings))
    total = time.process_time() - start
    n = args.hospitals
    per_hospital = {phase: round(seconds * 1000 / n, 1) for phase, seconds in sorted(SPENT.items())}
    per_hospital["other"] = round(total * 1000 / n - sum(per_hospital.values()), 1)
    document = {
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "load": os.getloadavg()},
        "date": date.today().isoformat(),
        "hospitals": n,
        "specifications": len(settings.specs or []),
        "cpu_ms_per_hospital": round(total * 1000 / n, 1),
        "phases_ms_per_hospital": per_hospital,
        "ground_atoms_per_hospital": round(SIZES["ground_atoms"] / n),
        "shown_atoms_per_hospital": round(SIZES["shown_atoms"] / n),
        "floor_1000_hospitals_2_cores_s": round(per_hospital["clingo_ground"] * 1000 / 1000 / 2, 1),
        "verdict_only_ground_ms_per_hospital": round(verdict_ground, 1),
        "verdict_only_floor_1000_hospitals_2_cores_s": round(verdict_ground * 1000 / 1000 / 2, 1),
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(document, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(document, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
