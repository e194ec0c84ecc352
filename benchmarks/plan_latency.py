"""Median latency of `zhunru plan` on the example profiles, per solver formulation.

    .venv/bin/python benchmarks/plan_latency.py [--runs N]

Measures a single-target plan (综合介入) and a plan for every technology in force at
once, for each formulation of :mod:`zhunru.planner.solve`; writes
``benchmarks/results/plan_latency.json`` with the machine's load averages before and
after (run it on an idle machine: ``uptime`` below 0.5).  Targets: ≤ 0.3 s and ≤ 5 s on 2 cores.
The knowledge base is loaded (and one plan run) before timing.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import time
from datetime import date
from pathlib import Path
from typing import Any

import yaml

from zhunru import api
from zhunru.planner.plan import Request, plan
from zhunru.planner.solve import DEFAULT, FORMULATIONS

ROOT = Path(__file__).resolve().parents[1]
AS_OF = date(2026, 11, 24)
EXAMPLES = ["secondary_county", "new_hospital", "tertiary_compliant"]


def _time(request: Request, runs: int) -> tuple[float, dict[str, Any]]:
    times, doc = [], {}
    for _ in range(runs):
        start = time.perf_counter()
        doc = plan(request)
        times.append(time.perf_counter() - start)
    return statistics.median(times), doc


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results" / "plan_latency.json")
    args = parser.parse_args()
    api.knowledge_base()
    load_before = os.getloadavg()
    rows = []
    for name in EXAMPLES:
        data = yaml.safe_load((ROOT / "examples" / f"{name}.yaml").read_text(encoding="utf-8"))
        plan(Request(data, AS_OF, ["comprehensive_intervention"]))
        for formulation in FORMULATIONS:
            runs_all = 1 if formulation != DEFAULT else max(1, args.runs // 2)
            single, doc = _time(
                Request(data, AS_OF, ["comprehensive_intervention"], formulation=formulation), args.runs
            )
            every, all_doc = _time(Request(data, AS_OF, None, formulation=formulation), runs_all)
            rows.append(
                {
                    "profile": name,
                    "formulation": formulation,
                    "single_target_s": round(single, 4),
                    "single_cost": doc.get("cost"),
                    "all_technologies_s": round(every, 4),
                    "all_targets": len(all_doc["targets"]),
                    "all_feasible": all_doc["feasible"],
                    "all_cost": all_doc.get("cost"),
                }
            )
            print(json.dumps(rows[-1], ensure_ascii=False))
    summary = {
        f: {
            "single_target_median_s": round(
                statistics.median(r["single_target_s"] for r in rows if r["formulation"] == f), 4
            ),
            "all_technologies_median_s": round(
                statistics.median(r["all_technologies_s"] for r in rows if r["formulation"] == f), 4
            ),
        }
        for f in FORMULATIONS
    }
    result = {
        "as_of": AS_OF.isoformat(),
        "default_formulation": DEFAULT,
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform()},
        # 1-, 5- and 15-minute load averages before and after the run (other jobs skew the medians;
        # "after" includes this benchmark's own process, about 1)
        "load_average": {"before": _rounded(load_before), "after": _rounded(os.getloadavg())},
        "runs": args.runs,
        "targets_s": {"single_target": 0.3, "all_technologies": 5.0},
        "summary": summary,
        "rows": rows,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(summary, indent=2))


def _rounded(load: tuple[float, float, float]) -> list[float]:
    return [round(x, 2) for x in load]


if __name__ == "__main__":
    main()
