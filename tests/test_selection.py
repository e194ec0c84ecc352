"""Which specification judges a hospital: jurisdiction, version in force, explicit choice.

The rules are tested on a small KB of three versions of one technology, so that the
tests do not depend on which real specifications exist; the real national/Tianjin pair
is tested in tests/test_jurisdictions.py.
"""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest
from zhunru.solver.kb import KnowledgeBase
from zhunru.solver.ladders import kb_path
from zhunru.solver.selection import choose, in_force, select

VERSIONS = {
    "t_national_2011": ("national", "全国", "2011", 20110101),
    "t_tianjin_2019": ('province("天津市")', "天津市", "2019", 20190101),
    "t_tianjin_2030": ('province("天津市")', "天津市", "2030", 20300101),
    "t_jilin_2022": ('province("吉林省")', "吉林省", "2022", 20221122),
}


@pytest.fixture(scope="module")
def kb(tmp_path_factory: pytest.TempPathFactory) -> KnowledgeBase:
    base: Path = tmp_path_factory.mktemp("kb")
    (base / "facts").mkdir()
    shutil.copy(kb_path("common.lp"), base / "common.lp")
    for spec, (scope, jurisdiction, version, day) in VERSIONS.items():
        technology = "other" if spec == "t_jilin_2022" else "t"
        (base / "facts" / f"{spec}.lp").write_text(
            f'technology({technology}, "技术", "technology").\n'
            f'spec({spec}, {technology}, "规范", "{jurisdiction}", "{version}").\n'
            f"spec_in({spec}, {scope}).\n"
            f"spec_date({spec}, implemented, {day}, printed).\n",
            encoding="utf-8",
        )
    return KnowledgeBase.load(base)


def test_a_provincial_version_in_force_supersedes_the_national_one(kb: KnowledgeBase) -> None:
    applied = choose(kb, "t", "天津市", date(2026, 11, 24))
    assert applied is not None
    assert (applied.spec, applied.reason) == ("t_tianjin_2019", "provincial")
    assert set(applied.not_applied) == {"t_national_2011", "t_tianjin_2030"}


def test_elsewhere_the_national_version_applies(kb: KnowledgeBase) -> None:
    applied = choose(kb, "t", "河北省", date(2026, 11, 24))
    assert applied is not None
    assert (applied.spec, applied.reason) == ("t_national_2011", "national")


def test_before_the_provincial_version_took_effect_the_national_one_applies(kb: KnowledgeBase) -> None:
    applied = choose(kb, "t", "天津市", date(2018, 12, 31))
    assert applied is not None and applied.spec == "t_national_2011"
    on_the_day = choose(kb, "t", "天津市", date(2019, 1, 1))
    assert on_the_day is not None and on_the_day.spec == "t_tianjin_2019"


def test_the_latest_provincial_version_in_force_wins(kb: KnowledgeBase) -> None:
    applied = choose(kb, "t", "天津市", date(2031, 1, 1))
    assert applied is not None and applied.spec == "t_tianjin_2030"


def test_nothing_applies_before_any_version_or_outside_its_province(kb: KnowledgeBase) -> None:
    assert choose(kb, "t", "河北省", date(2010, 6, 1)) is None
    assert choose(kb, "other", "天津市", date(2026, 11, 24)) is None
    assert not in_force(kb.specs["t_jilin_2022"], date(2022, 11, 21))
    assert in_force(kb.specs["t_jilin_2022"], date(2022, 11, 22))


def test_a_named_specification_applies_whatever_the_jurisdiction(kb: KnowledgeBase) -> None:
    applied = select(kb, "天津市", date(2026, 11, 24), technologies=[], named=["t_national_2011"])
    assert [(a.spec, a.reason) for a in applied] == [("t_national_2011", "named")]


def test_by_default_every_technology_is_judged_once(kb: KnowledgeBase) -> None:
    tianjin = select(kb, "天津市", date(2026, 11, 24))
    assert [a.spec for a in tianjin] == ["t_tianjin_2019"]
    jilin = select(kb, "吉林省", date(2026, 11, 24))
    assert sorted(a.spec for a in jilin) == ["t_jilin_2022", "t_national_2011"]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_basis_says_why(kb: KnowledgeBase, lang: str) -> None:
    applied = choose(kb, "t", "天津市", date(2026, 11, 24))
    assert applied is not None
    basis = applied.basis(kb, lang)
    assert "天津市" in basis
    assert ("不适用" if lang == "zh" else "not applied") in basis
    national = choose(kb, "t", "河北省", date(2026, 11, 24))
    assert national is not None
    assert ("国家规范" if lang == "zh" else "national specification") in national.basis(kb, lang)


def test_a_jilin_listed_specification_names_who_receives_and_reviews_its_filing() -> None:
    from tests.conftest import AS_OF, EXAMPLES
    from zhunru import api

    kb = api.knowledge_base()
    listed = sorted(spec for spec, route in kb.filing_routes.items() if spec in kb.specs)
    assert "jl_tumor_hyperthermia" in listed
    hospital = api.load_profile(EXAMPLES / "jl_tumor_hyperthermia.yaml")
    report = api.check(hospital, AS_OF, ["tumor_hyperthermia"], roles=["entry"])
    for result in report["results"]:
        assert result["filing"]["reviews"] == "市州级卫生健康行政部门"
        assert result["filing"]["clause"] == "三、"
    text = api.explain(hospital, AS_OF, technologies=["tumor_hyperthermia"], roles=["entry"])
    assert "市州级卫生健康行政部门组织专家审查" in text
