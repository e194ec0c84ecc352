"""tj_ecmo: what the case format cannot express.

Section 一 of the printed ECMO specification repeats its numbers (（六）急诊医学科,
（七）手术室, then （六）导管室, （七）重症监护室).  The clause inventory must keep every
printed number, tell the repeated items apart by their heading, and keep print order.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from zhunru.explain.coverage import clause_coverage, print_order
from zhunru.solver.kb import KnowledgeBase

SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"
SPEC = "tj_ecmo"


@pytest.fixture(scope="module")
def kb() -> KnowledgeBase:
    return KnowledgeBase.load()


def printed_items_of_section_one(kb: KnowledgeBase) -> list[tuple[str, str]]:
    """(number, heading or first words) of every （N） item of 一、, read from the seed."""
    first, last = kb.source_lines[SPEC]
    lines = (SEEDS / kb.documents[SPEC].source).read_text(encoding="utf-8").splitlines()[first - 1 : last]
    start = next(i for i, line in enumerate(lines) if line.startswith("一、"))
    end = next(i for i, line in enumerate(lines) if line.startswith("二、"))
    items = []
    for line in lines[start:end]:
        found = re.match(r"（([一二三四五六七八九十]+)）(.*)", line.strip())
        if found:
            items.append((found.group(1), found.group(2)))
    return items


@pytest.mark.skipif(not SEEDS.is_dir(), reason="../shared/seeds is not beside the checkout")
def test_repeated_numbers_are_told_apart_by_their_heading(kb: KnowledgeBase) -> None:
    items = printed_items_of_section_one(kb)
    numbers = [number for number, _ in items]
    repeated = {number for number in numbers if numbers.count(number) > 1}
    assert repeated == {"六", "七"}
    clauses = sorted(
        (c for (s, _), c in kb.clauses.items() if s == SPEC and re.fullmatch(r"c1_\d+", c.id)), key=print_order
    )
    assert len(clauses) == len(items)
    for clause, (number, heading) in zip(clauses, items, strict=True):
        assert clause.path.startswith(f"一、（{number}）")
        if number in repeated:
            assert clause.path == f"一、（{number}）{heading}"


def test_clause_paths_are_unique_and_every_clause_is_mapped(kb: KnowledgeBase) -> None:
    paths = [c.path for (s, _), c in kb.clauses.items() if s == SPEC and c.path != "前言"]
    assert len(paths) == len(set(paths))
    assert all(item.mapped for item in clause_coverage(kb, SPEC))


def test_the_team_leader_is_first_a_qualified_team_member(kb: KnowledgeBase) -> None:
    leader = kb.requirements["tjec_leader"]
    assert "tjec_physician" in leader.children
