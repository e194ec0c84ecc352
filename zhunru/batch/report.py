"""The batch report: self-contained HTML pages that open offline (no scripts, no fonts, no CDN).

``report/index.html`` holds the counts by technology × hospital level, the clauses that
most often block eligibility (overall and per technology) with bar charts drawn as inline
SVG, and links to the hospital × technology matrix (paged, so that a province of 40,000
hospitals stays readable) and to one page per hospital.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape

from zhunru.profile import Hospital

MATRIX_PAGE = 500
"""Hospitals per page of the hospital × technology matrix."""

LEVEL_ORDER = ("三级", "二级", "一级", "未定级", "")

_env = Environment(
    loader=PackageLoader("zhunru.batch", "templates"),
    autoescape=select_autoescape(["j2", "html"]),
    keep_trailing_newline=True,
)


def _template(name: str) -> Any:
    return _env.get_template(name)


def hospital_page(
    hospital: Hospital,
    position: str,
    results: list[dict[str, Any]],
    physicians: list[dict[str, Any]],
    settings: Any,
    explanation: str,
) -> str:
    """One hospital: its verdicts, each with the clauses it rests on and their evidence, and a link
    to its explanation file (``explanation``, relative to the output directory)."""
    return str(
        _template("hospital.html.j2").render(
            hospital=hospital,
            position=position,
            as_of=settings.as_of.isoformat(),
            results=results,
            physicians=physicians,
            explanation=explanation,
        )
    )


@dataclass
class Summary:
    """Aggregates over the whole run, built one chunk at a time (memory independent of size)."""

    hospitals: int = 0
    errors: int = 0
    rows: int = 0
    by_level: Counter[str] = field(default_factory=Counter)
    by_tech_level: dict[tuple[str, str], Counter[str]] = field(default_factory=lambda: defaultdict(Counter))
    titles: dict[str, str] = field(default_factory=dict)
    blocking: Counter[tuple[str, str]] = field(default_factory=Counter)
    blocking_by_spec: dict[str, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))
    verdicts: Counter[str] = field(default_factory=Counter)

    def add(self, hospitals: list[dict[str, Any]], results: list[dict[str, Any]], errors: int) -> None:
        self.errors += errors
        levels = {h["ordinal"]: h["level"] for h in hospitals}
        self.hospitals += len(hospitals)
        self.by_level.update(h["level"] for h in hospitals)
        for hospital_ordinal, per_spec in _best_entry_verdicts(results).items():
            for spec, verdict in per_spec.items():
                self.by_tech_level[(spec, levels[hospital_ordinal])][verdict] += 1
        for row in results:
            self.rows += 1
            self.titles[row["spec"]] = row["title"]
            self.verdicts[row["verdict"]] += 1
            if row["verdict"] == "ineligible":
                for clause in dict.fromkeys(row["unmet_clauses"]):
                    self.blocking[(row["spec"], clause)] += 1
                    self.blocking_by_spec[row["spec"]][clause] += 1


def _best_entry_verdicts(results: list[dict[str, Any]]) -> dict[int, dict[str, str]]:
    """Per hospital and specification: eligible for at least one entry scope, else the best verdict."""
    rank = {"eligible": 0, "undetermined": 1, "ineligible": 2}
    best: dict[int, dict[str, str]] = defaultdict(dict)
    for row in results:
        if row["role"] != "entry":
            continue
        current = best[row["ordinal"]].get(row["spec"])
        if current is None or rank[row["verdict"]] < rank[current]:
            best[row["ordinal"]][row["spec"]] = row["verdict"]
    return best


def matrix_rows(
    hospitals: list[dict[str, Any]], results: list[dict[str, Any]], specs: list[str]
) -> list[dict[str, Any]]:
    best = _best_entry_verdicts(results)
    return [
        {
            **h,
            "link": h["page"].removeprefix("report/"),
            "cells": [best.get(h["ordinal"], {}).get(spec, "") for spec in specs],
        }
        for h in hospitals
    ]


def matrix_page(rows: list[dict[str, Any]], specs: list[str], titles: dict[str, str], page: int, pages: int) -> str:
    return str(_template("matrix.html.j2").render(rows=rows, specs=specs, titles=titles, page=page, pages=pages))


def bar_chart(items: list[tuple[str, int]], width: int = 640) -> str:
    """A horizontal bar chart as inline SVG (labels escaped by the template)."""
    return str(_template("bars.svg.j2").render(items=items, width=width, top=max((n for _, n in items), default=1)))


def index_page(summary: Summary, settings: Any, specs: list[str], pages: int, source: str) -> str:
    levels = [level for level in LEVEL_ORDER if summary.by_level.get(level)] + sorted(
        level for level in summary.by_level if level not in LEVEL_ORDER
    )
    top = summary.blocking.most_common(20)
    charts = {
        "overall": bar_chart([(f"{summary.titles.get(spec, spec)} {clause}", n) for (spec, clause), n in top]),
        "verdicts": bar_chart(sorted(summary.verdicts.items())),
    }
    per_spec = {
        spec: summary.blocking_by_spec[spec].most_common(8) for spec in specs if summary.blocking_by_spec.get(spec)
    }
    return str(
        _template("index.html.j2").render(
            summary=summary,
            settings=settings,
            specs=specs,
            levels=levels,
            pages=pages,
            top=top,
            per_spec=per_spec,
            charts=charts,
            source=source,
        )
    )
