"""Throughput of `zhunru batch` on synthetic provinces, against every specification of the KB.

    .venv/bin/python benchmarks/batch_throughput.py [--sizes 1000,40000] [--workers 1,2] [--chunk-size 50]

For each size, draws a synthetic province (``zhunru synth``, seed 1) and runs the batch with
every specification named (``--spec`` for all 22, so each hospital is judged by all of
them whatever its province) for each worker count; records wall time, hospitals per
second and the peak memory of the whole process tree (sampled every 0.2 s with psutil: the
sum of PSS, and of RSS, see ``PeakMemory``), then the 2-worker speed-up and the scaling
ratio time(largest)/time(smallest).
Results go to ``benchmarks/results/batch_throughput.json``.

Targets on a 2-core machine: 1,000 hospitals ≤ 10 s, 40,000 ≤ 5 min, peak memory ≤ 2 GB,
scaling ratio ≤ 45, 2-worker speed-up ≥ 1.7.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import tempfile
import threading
import time
from datetime import date
from pathlib import Path
from typing import Any

import psutil

from zhunru import api
from zhunru.batch import synth
from zhunru.batch.run import RunOptions, run_batch
from zhunru.batch.worker import GROUND_TOGETHER, Settings

ROOT = Path(__file__).resolve().parents[1]
AS_OF = date(2026, 11, 24)


class PeakMemory:
    """Peak memory of this process and all its children, sampled in a thread.

    Two sums over the process tree: resident set sizes (RSS), which count a page shared by
    several processes once in each — workers forked from the batch's fork server share the
    parsed knowledge base — and proportional set sizes (PSS, Linux), which split a shared
    page between its sharers: the memory the run actually occupies.
    """

    def __init__(self) -> None:
        self.peak = 0  # PSS where the system reports it, else RSS
        self.peak_rss = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        me = psutil.Process()
        while not self._stop.is_set():
            rss = pss = 0
            for process in [me, *me.children(recursive=True)]:
                try:
                    info = process.memory_full_info()
                except psutil.Error:
                    continue
                rss += info.rss
                pss += getattr(info, "pss", info.rss)
            self.peak = max(self.peak, pss)
            self.peak_rss = max(self.peak_rss, rss)
            time.sleep(0.2)

    def __enter__(self) -> PeakMemory:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()


def run(source: Path, workers: int, chunk_size: int, scratch: Path) -> dict[str, Any]:
    out = scratch / f"out-{source.stem}-{workers}"
    shutil.rmtree(out, ignore_errors=True)
    settings = Settings(AS_OF, None, sorted(api.knowledge_base().specs))
    options = RunOptions(source, out, settings, workers=workers, chunk_size=chunk_size)
    with PeakMemory() as memory:
        start = time.perf_counter()
        summary = run_batch(options)
        wall = time.perf_counter() - start
    written = sum(path.stat().st_size for path in out.rglob("*") if path.is_file())
    shutil.rmtree(out, ignore_errors=True)
    return {
        "workers": workers,
        "hospitals": summary.hospitals,
        "verdicts": summary.rows,
        "wall_s": round(wall, 2),
        "hospitals_per_s": round(summary.hospitals / wall, 2),
        "peak_memory_mb": round(memory.peak / 2**20),
        "peak_rss_sum_mb": round(memory.peak_rss / 2**20),
        "tasks_per_worker": options.tasks_per_worker,
        "hospitals_per_control": GROUND_TOGETHER,
        "output_mb_per_hospital": round(written / 2**20 / max(1, summary.hospitals), 3),
    }


def summarise(results: list[dict[str, Any]], chunk_size: int) -> dict[str, Any]:
    """The runs with the 2-worker speed-up (at the smallest size run with 1 and 2 workers) and the
    scaling ratio time(largest)/time(smallest) at the largest worker count."""
    by = {(r["size"], r["workers"]): r["wall_s"] for r in results}
    most = max(r["workers"] for r in results)
    sizes = sorted({r["size"] for r in results if r["workers"] == most})
    both = sorted(size for size in {r["size"] for r in results} if (size, 1) in by and (size, 2) in by)
    return {
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "load_at_end": os.getloadavg()},
        "specifications": len(api.knowledge_base().specs),
        "chunk_size": chunk_size,
        "runs": results,
        "speedup_2_workers": round(by[(both[0], 1)] / by[(both[0], 2)], 2) if both else None,
        "scaling_ratio": {
            "sizes": [sizes[0], sizes[-1]],
            "ratio": round(by[(sizes[-1], most)] / by[(sizes[0], most)], 2),
        }
        if len(sizes) > 1
        else None,
        "targets": {
            "1000_s": 10,
            "40000_s": 300,
            "peak_memory_mb": 2048,
            "scaling_ratio": 45,
            "speedup_2_workers": 1.7,
        },
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="1000,40000")
    parser.add_argument("--workers", default="1,2")
    parser.add_argument("--chunk-size", type=int, default=50)
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results" / "batch_throughput.json")
    parser.add_argument(
        "--fresh", action="store_true", help="discard earlier runs in --out (default: merge, newest wins)"
    )
    args = parser.parse_args()
    sizes = [int(n) for n in args.sizes.split(",")]
    worker_counts = [int(n) for n in args.workers.split(",")]
    api.knowledge_base()
    results: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory() as tmp:
        scratch = Path(tmp)
        for size in sizes:
            source = scratch / f"province-{size}.jsonl"
            synth.write(synth.province("吉林省", size, seed=1), source)
            # the largest size only with the most workers: it is the scaling run
            for workers in worker_counts if size == min(sizes) else [max(worker_counts)]:
                row = {"size": size, "date": date.today().isoformat(), **run(source, workers, args.chunk_size, scratch)}
                print(json.dumps(row, ensure_ascii=False), flush=True)
                results.append(row)
    if args.out.exists() and not args.fresh:
        earlier = json.loads(args.out.read_text(encoding="utf-8")).get("runs", [])
        fresh = {(r["size"], r["workers"]) for r in results}
        results = [r for r in earlier if (r["size"], r["workers"]) not in fresh] + results
    document = summarise(sorted(results, key=lambda r: (r["size"], r["workers"])), args.chunk_size)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(document, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(f"→ {args.out}")


if __name__ == "__main__":
    main()
