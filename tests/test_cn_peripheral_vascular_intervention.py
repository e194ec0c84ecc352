"""The national 外周血管介入诊疗技术管理规范: what the case format cannot express.

* the grade catalogue equals the annex parsed independently from the seed (names
  broken over two lines joined, extraction spaces dropped);
* procedures standing in both grade catalogues (综合介入 and 外周血管介入) keep each
  catalogue's own name and grade, and a query over both specifications gets both;
* every catalogued procedure follows its grade's entry target;
* the secondary-hospital route is encoded as printed (no regional need, no support).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from zhunru.solver.kb import KnowledgeBase

from tests.conftest import AS_OF, example_data, hospital_from
from zhunru import api

SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"
PV = "cn_peripheral_vascular_intervention"
CI = "cn_comprehensive_intervention"
EXAMPLE = PV

needs_seeds = pytest.mark.skipif(not SEEDS.is_dir(), reason="../shared/seeds is not beside the checkout")


@pytest.fixture(scope="module")
def kb() -> KnowledgeBase:
    return api.knowledge_base()


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def parse_catalogue(seed: str) -> list[tuple[int, str, str]]:
    """(grade, number, name) of the printed annex, parsed without the KB.

    The annex starts at the title line "外周血管介入诊疗手术分级目录" standing alone and
    ends where the next specification's title begins; a line that is neither a grade
    heading nor a numbered item continues the name of the item before it.
    """
    lines = seed.splitlines()
    start = next(i for i, line in enumerate(lines) if line.strip() == "外周血管介入诊疗手术分级目录")
    grade = 0
    entries: list[list[Any]] = []
    for raw in lines[start + 1 :]:
        line = raw.strip()
        if not line:
            continue
        if line.startswith("心血管疾病介入诊疗技术管理规范"):
            break
        heading = re.fullmatch(r"([一二三四])级手术", line)
        if heading:
            grade = "一二三四".index(heading.group(1)) + 1
            continue
        item = re.match(r"([一二三四五六七八九十]+、)(.+)", line)
        if item:
            entries.append([grade, item.group(1), squash(item.group(2))])
        else:
            entries[-1][2] += squash(line)
    return [(g, n, name) for g, n, name in entries]


@needs_seeds
def test_catalogue_matches_the_printed_annex(kb: KnowledgeBase) -> None:
    seed = (SEEDS / kb.specs[PV].source).read_text(encoding="utf-8")
    printed = parse_catalogue(seed)
    encoded = [(p.grade, p.number, squash(p.name)) for p in kb.catalogue(PV)]
    assert len(printed) == 46
    assert sorted(encoded) == sorted(printed)
    assert [sum(1 for p in printed if p[0] == g) for g in (1, 2, 3, 4)] == [9, 6, 22, 9]
    # names the seed breaks over two lines are whole
    assert (3, "十九、", "下肢浅静脉腔内激光闭合术、射频消融术、硬化术") in printed


def test_the_catalogue_has_no_open_item(kb: KnowledgeBase) -> None:
    """Unlike 综合介入 (四级 十四、), this annex prints no "其他准予临床应用的新技术"."""
    assert not any(p.open for p in kb.catalogue(PV))
    assert all(p.spec != PV for p in kb.find_procedures("其他准予临床应用的新技术"))
    assert {kb.grade_targets[(PV, g)] for g in (1, 2)} == {"pv_entry_basic"}
    assert {kb.grade_targets[(PV, g)] for g in (3, 4)} == {"pv_entry_g3"}


def test_dual_catalogue_procedures_keep_their_own_name_and_grade(kb: KnowledgeBase) -> None:
    tips = {p.spec: (p.grade, p.number) for p in kb.find_procedures("经颈静脉肝内门体分流术（TIPS）")}
    assert tips == {CI: (4, "五、"), PV: (4, "八、")}
    # the same vessel-malformation sclerotherapy is printed differently, and graded differently
    [ci_sclero] = kb.find_procedures("经皮一般畸形血管硬化术")
    [pv_sclero] = kb.find_procedures("经皮体表一般畸形血管硬化术")
    assert (ci_sclero.spec, ci_sclero.grade) == (CI, 1)
    assert (pv_sclero.spec, pv_sclero.grade) == (PV, 2)


def test_a_query_over_both_specifications_gets_both_answers() -> None:
    hospital = hospital_from(example_data(EXAMPLE))
    results = api.check(hospital, AS_OF, [PV, CI], procedure="经颈静脉肝内门体分流术（TIPS）")["results"]
    by_spec = {r["spec"]: r for r in results}
    assert set(by_spec) == {PV, CI}
    assert by_spec[PV]["grade"] == by_spec[CI]["grade"] == 4
    assert by_spec[PV]["catalogue_clause"] == "附件 四级手术 八、"
    assert by_spec[CI]["catalogue_clause"] == "附件 四级手术 五、"
    assert by_spec[PV]["verdict"] == "eligible"


CATALOGUE = [(p.name, p.grade) for p in api.knowledge_base().catalogue(PV)]


def procedure_verdict(data: dict[str, Any], name: str) -> dict[str, Any]:
    [result] = api.check(hospital_from(data), AS_OF, [PV], procedure=name)["results"]
    return result


@pytest.mark.parametrize(("name", "grade"), CATALOGUE)
def test_every_procedure_follows_its_grade(name: str, grade: int) -> None:
    """Compliant: every procedure allowed.  ICU of 5 beds: grades 1–2 allowed, 3–4 refused on 一、（五）3（2）."""
    result = procedure_verdict(example_data(EXAMPLE), name)
    assert (result["procedure"], result["grade"], result["verdict"]) == (name, grade, "eligible")
    data = example_data(EXAMPLE)
    next(u for u in data["units"] if u["id"] == "icu-1")["beds"] = 5
    result = procedure_verdict(data, name)
    if grade <= 2:
        assert (result["verdict"], result["target"]) == ("eligible", "pv_entry_basic")
    else:
        assert (result["verdict"], result["target"]) == ("ineligible", "pv_entry_g3")
        assert "一、（五）3（2）" in {item["clause"] for item in result["unmet"]}


def _reads(kb: KnowledgeBase, root: str) -> set[str]:
    """Measure families read anywhere below a requirement node."""
    seen, stack, families = set(), [root], set()
    while stack:
        node = kb.requirements[stack.pop()]
        if node.id in seen:
            continue
        seen.add(node.id)
        stack.extend(node.children)
        for measure in (node.measure, node.denominator):
            if measure is not None:
                families.add(measure.arguments[0].name)
    return families


def test_secondary_route_is_encoded_as_printed(kb: KnowledgeBase) -> None:
    """No regional need, district registry, county tier or support arrangement (note pv_secondary_as_printed)."""
    route = kb.requirements["pv_route_secondary"]
    assert "pv_secondary_as_printed" in route.notes
    families = _reads(kb, "pv_route_secondary")
    assert families.isdisjoint({"region_providers", "county", "partner_level", "months", "assessed_after"})
    assert {r.id for r in kb.requirements.values() if r.spec == PV and r.member_class == "support"} == set()


def test_page_broken_clauses_join_into_the_printed_sentence(kb: KnowledgeBase) -> None:
    """The two passages of a page-broken clause share its path and read as one sentence."""
    for first, second in (("c1_5_1_1", "c1_5_1_1b"), ("c4_2_3", "c4_2_3b")):
        a, b = kb.clauses[(PV, first)], kb.clauses[(PV, second)]
        assert a.path == b.path
    joined = kb.clauses[(PV, "c1_5_1_1")].text + kb.clauses[(PV, "c1_5_1_1b")].text
    assert "5年内累计完成外周血管介入诊疗手术病例不少于500例" in joined
