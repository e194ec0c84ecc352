"""Which specification judges a hospital: jurisdiction, version in force, or an explicit choice.

A technology may be specified more than once (心血管疾病介入诊疗: national 2011 and
Tianjin 2019).  A hospital is judged, per technology, by the specification in force
on the as-of date in its own province if there is one, else by the national one;
among several in force at the same level, the most recently implemented wins.  A
specification named explicitly (``--spec ID``) is applied as named.  Every choice
carries its reason, so that each verdict can say why the law it applies is the law.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from zhunru.solver.kb import KnowledgeBase, Spec


@dataclass(frozen=True)
class Applied:
    """A specification applied to a hospital, and why."""

    spec: str
    reason: str  # named | provincial | national
    province: str
    not_applied: tuple[str, ...] = field(default=())  # other specifications of the technology, set aside

    def basis(self, kb: KnowledgeBase, lang: str) -> str:
        others = [kb.specs[s] for s in self.not_applied]
        if self.reason == "named":
            return "按指定（--spec）适用" if lang == "zh" else "applied as named (--spec)"
        if lang == "zh":
            text = (
                f"本省规范：医院位于{self.province}"
                if self.reason == "provincial"
                else f"国家规范：医院位于{self.province}，本省无该技术的现行地方规范"
            )
            if others:
                text += "；不适用" + "、".join(f"{o.title}（{o.jurisdiction}，{o.version}）" for o in others)
            return text
        text = (
            f"provincial specification: the hospital is in {self.province}"
            if self.reason == "provincial"
            else f"national specification: the hospital is in {self.province}, which has none of its own in force"
        )
        if others:
            text += "; not applied: " + ", ".join(f"{o.title} ({_en(o)})" for o in others)
        return text


def _en(spec: Spec) -> str:
    where = "national" if spec.scope.name == "national" else spec.jurisdiction
    return f"{where}, {spec.version}"


def in_force(spec: Spec, as_of: date) -> bool:
    """In force on ``as_of``: implemented (printed or assumed) on or before it."""
    started = spec.dates.get("implemented")
    return started is None or started[0] <= as_of


def _implemented(spec: Spec) -> date:
    started = spec.dates.get("implemented")
    return started[0] if started else date.min


def choose(kb: KnowledgeBase, technology: str, province: str, as_of: date) -> Applied | None:
    """The specification of ``technology`` that judges a hospital in ``province`` on ``as_of``."""
    specs = [s for s in kb.specs.values() if s.technology == technology]
    usable = [s for s in specs if s.applies_to_province(province) and in_force(s, as_of)]
    if not usable:
        return None
    provincial = [s for s in usable if s.scope.name == "province"]
    pool = provincial or usable
    chosen = max(pool, key=lambda s: (_implemented(s), s.id))
    others = tuple(sorted(s.id for s in specs if s.id != chosen.id))
    return Applied(chosen.id, "provincial" if provincial else "national", province, others)


def select(
    kb: KnowledgeBase,
    province: str,
    as_of: date,
    technologies: list[str] | None = None,
    named: list[str] | None = None,
) -> list[Applied]:
    """The specifications applied: those named, those chosen for the technologies asked, or for all."""
    applied = [Applied(spec, "named", province) for spec in named or []]
    asked = technologies if technologies is not None else ([] if named else sorted(kb.technologies))
    for technology in asked:
        found = choose(kb, technology, province, as_of)
        if found is not None and all(a.spec != found.spec for a in applied):
            applied.append(found)
    return applied
