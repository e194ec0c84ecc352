"""Synthetic province data: realistic, schema-valid hospital profiles, deterministic per seed.

Every synthetic hospital is built from the bundled example profiles (``examples/``, one
or more compliant hospitals per specification), so that it speaks the vocabulary of the
knowledge base, then shaped and perturbed:

* **Level mix** — China's hospitals by level, from the 2023 national statistical bulletin
  on health (《2023年我国卫生健康事业发展统计公报》: 38,355 hospitals; 三级 3,855, 二级 11,690,
  一级 13,252, the rest 未定级 ≈ 9,558).  Grades within a level (甲/乙/丙) are ASSUMED
  (三级 70/25/5 %, 二级 55/40/5 %, 一级 40/50/10 %).
* **Breadth** — how many archetypes a hospital merges (the technologies it prepares for)
  and the share of their staff, units and equipment it keeps are ASSUMED by level:
  三级 3–6 archetypes, everything kept; 二级 1–3, 70 %; 一级 1, 35 %; 未定级 1, 30 %.
* **Near the thresholds** — each count (beds, cases, quantities, months, hours …) is
  multiplied, with probability ½, by a log-normal factor (σ = 0.25): most land within
  ±30 % of the compliant value, i.e. around the thresholds, so verdicts are mixed.  Dates
  move by up to ±36 months with probability 0.3; an attestation is denied with
  probability 0.05 and left unrecorded with probability 0.03 (→ undetermined).

Each hospital ``i`` draws from its own generator seeded by ``(seed, i)``, so the output
does not depend on how the work is split.  Every profile is validated before it is
written; one that fails validation is re-drawn.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import math
import random
from collections.abc import Iterator
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from zhunru.errors import InputError
from zhunru.profile import parse_profile

LEVEL_MIX = (("三级", 3855), ("二级", 11690), ("一级", 13252), (None, 9558))
GRADE_MIX = {
    "三级": (("甲等", 70), ("乙等", 25), ("丙等", 5)),
    "二级": (("甲等", 55), ("乙等", 40), ("丙等", 5)),
    "一级": (("甲等", 40), ("乙等", 50), ("丙等", 10)),
}
BREADTH = {"三级": (3, 6, 1.0), "二级": (1, 3, 0.7), "一级": (1, 1, 0.35), None: (1, 1, 0.3)}
COUNT_KEYS = frozenset(
    {
        "beds",
        "open_beds",
        "seats",
        "quantity",
        "cases",
        "count",
        "months",
        "theory_hours",
        "credits",
        "numerator",
        "denominator",
        "qualified_in_district",
    }
)
JITTER_SIGMA = 0.25
CITIES = ("市辖区", "东城", "西城", "南区", "北区", "开发区", "高新区", "新区")


@cache
def archetypes() -> tuple[dict[str, Any], ...]:
    """The bundled example profiles (package data ``zhunru.examples``)."""
    found = []
    for entry in sorted(resources.files("zhunru.examples").iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".yaml"):
            found.append(yaml.safe_load(entry.read_text(encoding="utf-8")))
    return tuple(found)


def _weighted(rng: random.Random, table: tuple[tuple[Any, int], ...]) -> Any:
    return rng.choices([value for value, _ in table], weights=[weight for _, weight in table])[0]


def _prefixed(profile: dict[str, Any], tag: str) -> dict[str, Any]:
    """The archetype with its staff, unit and equipment ids made unique for merging."""
    data = copy.deepcopy(profile)
    for unit in data.get("units") or []:
        unit["id"] = f"{tag}{unit['id']}"
        for item in unit.get("equipment") or []:
            item["id"] = f"{tag}{item['id']}"
    for item in data.get("equipment") or []:
        item["id"] = f"{tag}{item['id']}"
    for member in data.get("staff") or []:
        member["id"] = f"{tag}{member['id']}"
        for assignment in member.get("assignments") or []:
            assignment["unit"] = f"{tag}{assignment['unit']}"
    return data


def _merge(base: dict[str, Any], other: dict[str, Any]) -> None:
    """Fold another archetype into ``base``: lists united (by statement/name/value), scalars kept."""
    for key, value in other.items():
        if key in ("id", "name", "location", "level", "grade", "type", "specialty", "opened", "newly_built"):
            continue
        if key not in base or base[key] is None:
            base[key] = copy.deepcopy(value)
        elif isinstance(value, list) and isinstance(base[key], list):
            base[key] = _united(base[key], value)
        elif isinstance(value, dict) and isinstance(base[key], dict):
            for k, v in value.items():
                base[key][k] = max(base[key].get(k, v), v) if isinstance(v, int) else base[key].get(k, v)


def _identity(item: Any) -> Any:
    if isinstance(item, dict):
        for key in ("statement", "id"):
            if key in item:
                return (key, item[key])
        if "name" in item and "year" not in item:
            return ("name", item["name"], item.get("scope"))
        return json.dumps(item, sort_keys=True, ensure_ascii=False, default=str)
    return item


def _united(left: list[Any], right: list[Any]) -> list[Any]:
    seen = {_identity(item) for item in left}
    merged = list(left)
    for item in right:
        if _identity(item) not in seen:
            seen.add(_identity(item))
            merged.append(copy.deepcopy(item))
    return merged


def _thin(rng: random.Random, data: dict[str, Any], keep: float) -> None:
    """Keep a share of staff, units and loose equipment (assignments to dropped units go too)."""
    if keep >= 1:
        return
    for key in ("staff", "units", "equipment"):
        items = data.get(key)
        if items:
            kept = [item for item in items if rng.random() < keep]
            data[key] = kept or items[:1]
    unit_ids = {u["id"] for u in data.get("units") or []}
    for member in data.get("staff") or []:
        member["assignments"] = [a for a in member.get("assignments") or [] if a["unit"] in unit_ids]


def _perturb(rng: random.Random, node: Any) -> Any:
    """Counts jittered around their value, dates shifted, attestations sometimes denied or missing."""
    if isinstance(node, dict):
        out = {}
        for key, value in node.items():
            if key in COUNT_KEYS and isinstance(value, int) and not isinstance(value, bool) and rng.random() < 0.5:
                out[key] = max(0, round(value * math.exp(rng.gauss(0, JITTER_SIGMA))))
            elif isinstance(value, (dt.date, str)) and key in ("since", "start", "end", "obtained", "date", "opened"):
                out[key] = _shift(rng, value)
            else:
                out[key] = _perturb(rng, value)
        return out
    if isinstance(node, list):
        items = [_perturb(rng, item) for item in node]
        return [
            item
            for item in items
            if not (isinstance(item, dict) and "statement" in item and _drop_attestation(rng, item))
        ]
    return node


def _drop_attestation(rng: random.Random, item: dict[str, Any]) -> bool:
    draw = rng.random()
    if draw < 0.03:
        return True
    if draw < 0.08:
        item["holds"] = False
    return False


def _shift(rng: random.Random, value: Any) -> Any:
    if rng.random() >= 0.3:
        return value
    day = value if isinstance(value, dt.date) else _parse_date(value)
    if day is None:
        return value
    months = rng.randint(-36, 36)
    total = day.year * 12 + day.month - 1 + months
    shifted = dt.date(total // 12, total % 12 + 1, min(day.day, 28))
    return shifted if isinstance(value, dt.date) else shifted.isoformat()


def _parse_date(text: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        return None


def hospital(province: str, seed: int, index: int) -> dict[str, Any]:
    """The ``index``-th synthetic hospital of a province, schema-valid."""
    for attempt in range(8):
        rng = random.Random(f"{seed}:{index}:{attempt}")
        data = _draw(rng, province, seed, index)
        try:
            parse_profile(data, f"synthetic #{index}")
            return data
        except InputError:
            continue
    raise RuntimeError(f"could not draw a valid profile for hospital {index}")  # pragma: no cover


def _draw(rng: random.Random, province: str, seed: int, index: int) -> dict[str, Any]:
    level = _weighted(rng, LEVEL_MIX)
    low, high, keep = BREADTH[level]
    pool = archetypes()
    chosen = rng.sample(range(len(pool)), k=min(len(pool), rng.randint(low, high)))
    data = _prefixed(pool[chosen[0]], "a0-")
    for n, which in enumerate(chosen[1:], start=1):
        _merge(data, _prefixed(pool[which], f"a{n}-"))
    _thin(rng, data, keep)
    data = _perturb(rng, data)
    data["id"] = f"syn-{seed}-{index:06d}"
    data["name"] = f"{province}合成医院{index + 1:05d}"
    data["level"] = level
    data["grade"] = _weighted(rng, GRADE_MIX[level]) if level else None
    county = (level in ("一级", None) and rng.random() < 0.6) or (level == "二级" and rng.random() < 0.4)
    data["location"] = {"province": province, "city": rng.choice(CITIES), "county_level": county}
    return {k: v for k, v in data.items() if v is not None}


def province(province: str, hospitals: int, seed: int) -> Iterator[dict[str, Any]]:
    for index in range(hospitals):
        yield hospital(province, seed, index)


def write(profiles: Iterator[dict[str, Any]], out: Path) -> int:
    """JSON Lines if ``out`` ends in .jsonl, else one JSON file per hospital in the directory."""
    written = 0
    if out.suffix.lower() == ".jsonl":
        out.parent.mkdir(parents=True, exist_ok=True)
        with out.open("w", encoding="utf-8") as handle:
            for data in profiles:
                handle.write(json.dumps(data, ensure_ascii=False, default=str) + "\n")
                written += 1
        return written
    out.mkdir(parents=True, exist_ok=True)
    for data in profiles:
        (out / f"{data['id']}.json").write_text(
            json.dumps(data, ensure_ascii=False, default=str, indent=1), encoding="utf-8"
        )
        written += 1
    return written
