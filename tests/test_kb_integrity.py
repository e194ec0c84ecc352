"""The knowledge base is well formed and faithful to the printed text.

* every requirement has one kind, a clause, and only declared children;
* the requirement graph is acyclic and every node is reachable from a target;
* every quote is a verbatim fragment of its clause, and every clause a verbatim
  passage of the seed text (whitespace aside);
* the grade catalogue equals the one parsed independently from the seed;
* every measure the KB reads is one the profile layer can compute.
"""

from __future__ import annotations

import re
from pathlib import Path

import networkx as nx
import pytest
from zhunru.explain.graph import kb_graph
from zhunru.solver.kb import KnowledgeBase
from zhunru.solver.measures import known_families

SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"
CI = "cn_comprehensive_intervention"


@pytest.fixture(scope="module")
def kb() -> KnowledgeBase:
    return KnowledgeBase.load()


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def test_every_requirement_is_complete(kb: KnowledgeBase) -> None:
    for node in kb.requirements.values():
        assert node.kind, node.id
        assert (node.spec, node.clause) in kb.clauses, f"{node.id} cites unknown clause {node.clause}"
        for child in node.children:
            assert child in kb.requirements, f"{node.id} needs undeclared {child}"
        if node.kind in ("cmp", "cmp_rank", "ratio", "attest"):
            assert node.quote, f"leaf {node.id} must quote the law"
        assert node.gloss, f"{node.id} needs an English gloss"
        for note in node.notes:
            assert note in kb.notes, f"{node.id} cites unknown note {note}"


def test_requirement_graph_is_acyclic_and_reachable(kb: KnowledgeBase) -> None:
    graph = nx.DiGraph()
    for node in kb.requirements.values():
        graph.add_node(node.id)
        graph.add_edges_from((node.id, child) for child in node.children)
    assert nx.is_directed_acyclic_graph(graph)
    reachable = set()
    for target in kb.targets:
        reachable |= {target.root} | nx.descendants(graph, target.root)
    assert set(kb.requirements) == reachable, set(kb.requirements) - reachable


def test_quotes_are_verbatim_fragments_of_their_clause(kb: KnowledgeBase) -> None:
    for node in kb.requirements.values():
        if node.quote:
            clause = kb.clauses[(node.spec, node.clause)]
            assert squash(node.quote) in squash(clause.text), f"{node.id}: {node.quote!r} not in {clause.path}"


def test_every_measure_family_is_computable(kb: KnowledgeBase) -> None:
    families = {measure.arguments[0].name for measure in kb.measures}
    assert families <= known_families()


def test_ladder_rungs_used_by_the_kb_exist(kb: KnowledgeBase) -> None:
    from zhunru.solver.ladders import ladders

    for node in kb.requirements.values():
        if node.kind == "cmp_rank":
            assert node.rung in ladders()[node.ladder], node.id


def test_targets_and_grades(kb: KnowledgeBase) -> None:
    kinds = {t.kind for t in kb.targets_of(CI)}
    assert kinds == {"entry", "physician", "ongoing", "training_base", "procedure"}
    assert {kb.grade_targets[(CI, g)] for g in (1, 2)} == {"ci_entry_basic"}
    assert {kb.grade_targets[(CI, g)] for g in (3, 4)} == {"ci_entry_g3"}


def test_spec_metadata(kb: KnowledgeBase) -> None:
    spec = kb.specs[CI]
    assert spec.title == "综合介入诊疗技术管理规范"
    assert spec.jurisdiction == "全国"
    assert spec.dates["implemented"][1] == "assumed"


# --- against the seed text -------------------------------------------------------------

needs_seeds = pytest.mark.skipif(not SEEDS.is_dir(), reason="../shared/seeds is not beside the checkout")


@needs_seeds
def test_clauses_are_verbatim_passages_of_the_seed(kb: KnowledgeBase) -> None:
    for (spec, _), clause in kb.clauses.items():
        source = squash((SEEDS / kb.documents[spec].source).read_text(encoding="utf-8"))
        assert squash(clause.text) in source, f"{spec} {clause.path} is not printed as such"


NUMBERED = re.compile(r"^\s*(?:[一二三四五六七八九十]+、|（[一二三四五六七八九十]+）|\d+[.．、]|（\d+）)\s*(.*)$")


def test_every_specification_states_its_source_lines(kb: KnowledgeBase) -> None:
    for spec in kb.documents:
        assert spec in kb.source_lines, f"{spec}: add spec_lines({spec}, First, Last) for the clause inventory check"


@needs_seeds
@pytest.mark.parametrize("spec", sorted(KnowledgeBase.load().documents))
def test_clause_inventory_is_complete(kb: KnowledgeBase, spec: str) -> None:
    """Every numbered line the seed prints for the specification starts a clause (or a catalogue entry)."""
    first, last = kb.source_lines[spec]
    lines = (SEEDS / kb.documents[spec].source).read_text(encoding="utf-8").splitlines()[first - 1 : last]
    haystack = squash(
        "".join(c.text for (s, _), c in kb.clauses.items() if s == spec)
        + "".join(p.name for p in kb.procedures if p.spec == spec)
    )
    for number, line in enumerate(lines, start=first):
        numbered = NUMBERED.match(line)
        if numbered and squash(numbered.group(1)):
            head = squash(numbered.group(1))[:12]
            assert head in haystack, f"{spec}: seed line {number} ({line.strip()[:30]}…) is in no clause"


def parse_catalogue(seed: str) -> list[tuple[int, str, str]]:
    """(grade, number, name) for every line of the printed annex, parsed independently of the KB."""
    annex = seed[seed.rindex("综合介入诊疗手术分级目录") :]
    grade = 0
    entries = []
    for line in annex.splitlines():
        line = line.strip()
        heading = re.fullmatch(r"([一二三四])级手术", line)
        if heading:
            grade = "一二三四".index(heading.group(1)) + 1
            continue
        item = re.match(r"([一二三四五六七八九十]+、)(.+)", line)
        if item and grade:
            entries.append((grade, item.group(1), item.group(2).strip()))
    return entries


@needs_seeds
def test_catalogue_matches_the_printed_annex(kb: KnowledgeBase) -> None:
    seed = (SEEDS / kb.specs[CI].source).read_text(encoding="utf-8")
    printed = parse_catalogue(seed)
    encoded = [(p.grade, p.number, p.name) for p in kb.catalogue(CI)]
    assert len(printed) == 47
    assert sorted(encoded) == sorted(printed)
    assert [sum(1 for p in printed if p[0] == g) for g in (1, 2, 3, 4)] == [10, 9, 14, 14]


@needs_seeds
@pytest.mark.parametrize(
    ("name", "grade"),
    [
        ("经颈静脉肝内门体分流术（TIPS）", 4),
        ("腹腔置管引流术", 1),
        ("输卵管再通术", 2),
        ("肿瘤栓塞术", 3),
        ("经皮一般畸形血管硬化术", 1),
        ("其他准予临床应用的新技术", 4),
    ],
)
def test_named_procedures_have_their_printed_grade(kb: KnowledgeBase, name: str, grade: int) -> None:
    # TIPS stands in the 外周血管介入 catalogue too: look in the 综合介入 catalogue only
    [procedure] = [p for p in kb.find_procedures(name) if p.spec == CI]
    assert procedure.grade == grade


def test_kb_graph_links_procedures_to_requirements(kb: KnowledgeBase) -> None:
    graph = kb_graph(kb)
    tips = ("procedure", CI, "经颈静脉肝内门体分流术（TIPS）")
    reached = nx.descendants(graph, tips)
    assert ("req", "ci_entry_g3") in reached
    assert ("req", "ci_icu_beds") in reached
    assert ("clause", CI, "c1_5_3_2") in reached
    drainage = ("procedure", CI, "腹腔置管引流术")
    assert ("req", "ci_icu_beds") not in nx.descendants(graph, drainage)


def test_rate_multipliers_keep_products_inside_clingo_integers(kb: KnowledgeBase) -> None:
    """Rates compare Num*Q with P*Den; profile totals are capped so that products stay below 2**31."""
    from zhunru.profile import MAX_TOTAL

    for node in kb.requirements.values():
        if node.kind == "ratio":
            assert node.ratio is not None
            assert max(node.ratio) * MAX_TOTAL < 2**31, node.id


@pytest.mark.parametrize("spec", sorted(KnowledgeBase.load().documents))
def test_every_clause_is_mapped(kb: KnowledgeBase, spec: str) -> None:
    """`zhunru kb coverage`: each printed clause is a check, attestation, obligation, grouping or out of scope."""
    from zhunru.explain.coverage import clause_coverage

    unmapped = [item.clause.path for item in clause_coverage(kb, spec) if not item.mapped]
    assert unmapped == [], f"{spec}: unmapped clauses {unmapped}"


def test_coverage_statuses_follow_the_kb(kb: KnowledgeBase) -> None:
    from zhunru.explain.coverage import clause_coverage

    status = {item.clause.id: item for item in clause_coverage(kb, CI)}
    assert status["c1_5_3_2"].status == "check" and "ci_icu_beds" in status["c1_5_3_2"].requirements
    assert status["c1_1"].status == "attestation"
    assert status["c3_1"].status == "obligation"
    assert status["c0_1"].status == "out_of_scope" and status["c0_1"].reason
    assert status["c1_5_3"].status == "grouping" or status["c1_5_3"].status == "check"


@pytest.mark.parametrize("spec", sorted(KnowledgeBase.load().specs))
def test_a_specification_is_self_contained_in_its_files(kb: KnowledgeBase, spec: str) -> None:
    """The engine grounds only the files of the specifications asked (and shared files): every
    node a target of ``spec`` reaches must be defined there, with the same kind."""
    import clingo

    control = clingo.Control(["--warn=none"])
    control.add("base", [], kb.program_for([spec]))
    control.ground([("base", [])])
    defined = {atom.symbol.arguments[0].name for atom in control.symbolic_atoms.by_signature("req", 3)}
    graph = nx.DiGraph((node.id, child) for node in kb.requirements.values() for child in node.children)
    for target in kb.targets_of(spec):
        reached = {target.root} | (nx.descendants(graph, target.root) if target.root in graph else set())
        assert reached <= defined, f"{spec}: {sorted(reached - defined)} are defined in another specification's file"
