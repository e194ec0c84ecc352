"""Verdicts, unmet requirements and missing facts, read off justification traces.

``check_report`` is the data behind ``zhunru check``: per specification and
target a three-valued verdict with the unmet clauses (each with its evidence)
and, for undetermined verdicts, exactly the facts that would settle it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from clingo import Symbol
from zhunru.explain.trace import Evidence, Missing, Trace, TraceBuilder
from zhunru.explain.vocabulary import OPS, format_margin, format_value, measure_label
from zhunru.solver.engine import Evaluation
from zhunru.solver.facts import HOSPITAL, MEMBER_LISTS
from zhunru.solver.kb import FilingRoute, KnowledgeBase, Procedure, Target

VERDICTS = {"holds": "eligible", "fails": "ineligible", "undetermined": "undetermined"}

# Counts over things (rooms, machines, training records, support arrangements) are
# existentials: when one fails, what the reviewer needs is why each candidate
# fails.  Counts over people are requirements of their own ("at least 2 …").
_THING_CLASSES = {"unit", "equipment", "training", "support"}


@dataclass
class TargetResult:
    target: Target
    subject: Symbol
    trace: Trace

    @property
    def verdict(self) -> str:
        return VERDICTS[self.trace.status]


def evidence_json(item: Evidence, lang: str) -> dict[str, Any]:
    data: dict[str, Any] = {
        "fact": measure_label(item.measure, lang),
        "value": item.value,
        "shown": format_value(item.measure, item.value, item.ladder, lang),
        "path": item.path,
    }
    if item.detail:
        data["detail"] = item.detail
    if item.role != "value":
        data["role"] = item.role
    if item.op and item.threshold is not None:
        shown = format_value(item.measure, item.threshold, item.ladder, lang)
        data["needs"] = shown if item.op == "eq" else f"{OPS[item.op]} {shown}"
        margin = format_margin(item.measure, item.value, item.op, item.threshold, lang)
        if margin:
            data["margin"] = margin
    return data


def ratio_text(trace: Trace, lang: str = "en") -> str | None:
    """ "4/400 = 1.00%, needs < 5%" — rates are shown with their counts."""
    if trace.requirement.kind != "ratio" or not trace.requirement.ratio:
        return None
    values = {e.role: e.value for e in trace.evidence}
    p, q = trace.requirement.ratio
    bound = f"{OPS[trace.requirement.op or 'lt']} {100 * p / q:g}%"
    zh = lang == "zh"
    if values.get("denominator"):
        rate = 100 * values.get("numerator", 0) / values["denominator"]
        shown = f"{values.get('numerator', 0)}/{values['denominator']} = {rate:.2f}%"
        return f"{shown}，要求 {bound}" if zh else f"{shown}, needs {bound}"
    if "denominator" in values:
        upper = trace.requirement.op in ("le", "lt")
        if zh:
            return f"期间无病例（{'未超过' if upper else '未达到'} {bound}）"
        return f"no cases in the period ({'does not exceed' if upper else 'does not reach'} {bound})"
    return None


def tally_text(trace: Trace, lang: str) -> str | None:
    if trace.tally is None:
        if trace.requirement.kind == "forall" and trace.candidates is not None:
            return (
                f"全部{trace.candidates}个对象须满足"
                if lang == "zh"
                else f"all {trace.candidates} members must satisfy it"
            )
        return None
    sure, maybe = trace.tally
    op = OPS[trace.requirement.op or "ge"]
    if lang == "zh":
        text = f"{trace.candidates}个候选中{sure}个满足，要求{op}{trace.requirement.threshold}"
        return text + (f"（另有{maybe - sure}个待定）" if maybe > sure else "")
    text = f"{sure} of {trace.candidates} candidates satisfy it, needs {op} {trace.requirement.threshold}"
    return text + (f" ({maybe - sure} undetermined)" if maybe > sure else "")


def requirement_json(trace: Trace, lang: str) -> dict[str, Any]:
    node = trace.requirement
    data: dict[str, Any] = {
        "spec": node.spec,
        "clause": trace.clause_path,
        "text": trace.clause_text,
        "requirement": node.id,
    }
    if node.quote:
        data["quote"] = node.quote
    if trace.subject != HOSPITAL:
        data["subject"] = {"label": trace.subject_label, "path": trace.subject_path}
    evidence = [evidence_json(e, lang) for e in trace.evidence]
    if evidence:
        data["evidence"] = evidence
    summary = ratio_text(trace, lang) or tally_text(trace, lang)
    if summary:
        data["summary"] = summary
    return data


def unmet(trace: Trace, lang: str = "zh", nested: bool = True) -> list[dict[str, Any]]:
    """The failing requirements a refusal rests on, as reviewers cite them.

    ``nested=False`` names the branches and candidates of an item without their own unmet
    requirements (what a batch table and hospital page show; the derivation beside them
    holds the rest).
    """
    if trace.status != "fails":
        return []
    node = trace.requirement
    descend = node.kind in ("all_of", "implies") or (
        node.kind == "count"
        and node.member_class in _THING_CLASSES
        and node.op == "ge"
        and node.threshold == 1
        and trace.children
    )
    if descend:
        return [item for child in trace.children for item in unmet(child, lang, nested)]
    item = requirement_json(trace, lang)
    if node.kind == "any_of":
        item["branches"] = [_branch(c, lang, nested) for c in trace.children]
    elif trace.children:
        item["because"] = [_candidate(c, lang, nested) for c in trace.children]
    return [item]


def _branch(branch: Trace, lang: str, nested: bool) -> dict[str, Any]:
    data = {"requirement": branch.id, "clause": branch.clause_path, "gloss": branch.requirement.gloss}
    if nested:
        data["unmet"] = unmet(branch, lang)
    return data


def _candidate(candidate: Trace, lang: str, nested: bool) -> dict[str, Any]:
    data: dict[str, Any] = {"subject": candidate.subject_label, "path": candidate.subject_path}
    if nested:
        data["unmet"] = unmet(candidate, lang)
    return data


def missing(trace: Trace, lang: str = "zh") -> list[dict[str, Any]]:
    """Exactly the facts that would settle an undetermined verdict (deduplicated)."""
    found: dict[tuple[str, str], dict[str, Any]] = {}
    for node in trace.walk():
        if node.status != "undetermined":
            continue
        for item in node.missing:
            entry = _missing_json(item, node, lang)
            found.setdefault((entry["path"], entry["fact"]), entry)
    return [found[key] for key in sorted(found)]


def _missing_json(item: Missing, node: Trace, lang: str) -> dict[str, Any]:
    path = item.path or node.subject_path
    if isinstance(item.what, str):
        attribute = MEMBER_LISTS.get(item.what, item.what)
        path = f"{node.subject_path}.{attribute}" if node.subject_path else attribute
        fact = f"the {attribute} list (not declared)" if lang == "en" else f"{attribute} 列表（未声明）"
    else:
        fact = measure_label(item.what, lang)
    entry = {
        "subject": node.subject_label,
        "path": path,
        "fact": fact,
        "requirement": node.id,
        "clause": node.clause_path,
        "spec": node.requirement.spec,
    }
    if item.detail:
        entry["detail"] = item.detail
    return entry


def notes_of(trace: Trace, kb: KnowledgeBase, lang: str) -> list[dict[str, str]]:
    ids = sorted(trace.notes_reached())
    return [{"id": i, "text": kb.notes[i].zh if lang == "zh" else kb.notes[i].en} for i in ids]


class Reporter:
    """Turns one evaluation into check results and explanations."""

    def __init__(self, evaluation: Evaluation) -> None:
        self.evaluation = evaluation
        self.kb = evaluation.kb
        self.builder = TraceBuilder(evaluation)

    def target_result(self, target: Target, subject: Symbol = HOSPITAL) -> TargetResult:
        return TargetResult(target, subject, self.builder.trace(subject, target.root))

    def hospital_results(self) -> list[TargetResult]:
        return [
            self.target_result(t)
            for spec in self.evaluation.specs
            for t in self.kb.targets_of(spec)
            if t.subject.name == "hospital" and t.kind != "procedure"
        ]

    def physician_results(self, staff_id: str | None = None) -> list[TargetResult]:
        results = []
        for member in self.evaluation.hospital.staff or []:
            if staff_id is not None and member.id != staff_id:
                continue
            for spec in self.evaluation.specs:
                for target in self.kb.targets_of(spec):
                    if target.role == member.role:
                        results.append(self.target_result(target, self.evaluation.staff_symbol(member.id)))
        return results

    def result_json(self, result: TargetResult, lang: str, nested: bool = True) -> dict[str, Any]:
        spec = self.kb.specs[result.target.spec]
        data: dict[str, Any] = {
            "spec": spec.id,
            "technology": spec.id,
            "title": spec.title,
            "jurisdiction": spec.jurisdiction,
            "version": spec.version,
            "basis": self.basis(spec.id, lang),
            "technology_name": self.kb.technologies[spec.technology][0 if lang == "zh" else 1],
            "jurisdiction_en": "national" if spec.scope.name == "national" else spec.jurisdiction,
            "target_gloss": self.kb.requirements[result.target.root].gloss,
            "target": result.target.root,
            "kind": result.target.kind,
            "scope": result.target.scope,
            "verdict": result.verdict,
            "unmet": unmet(result.trace, lang, nested),
            "missing": missing(result.trace, lang) if result.verdict == "undetermined" else [],
            "notes": notes_of(result.trace, self.kb, lang),
            "obligations": [
                {"clause": c.path, "text": c.text} for c in self.kb.obligations_of(spec.id, result.target.kind)
            ],
        }
        route = self.kb.filing_routes.get(spec.id)
        if route is not None and result.subject == HOSPITAL:
            data["filing"] = self.filing_json(route)
        if result.subject != HOSPITAL:
            info = self.evaluation.facts.subjects[result.subject]
            data["staff"] = info.obj.id
            data["name"] = info.obj.name
        return data

    def filing_json(self, route: FilingRoute) -> dict[str, str]:
        """Who receives and who reviews the filing, as the instrument prints it."""
        instrument = self.kb.instruments[route.instrument]
        return {
            "receives": route.intake[0],
            "reviews": route.review[0],
            "clause": self.kb.clauses[(route.instrument, route.review[1])].path,
            "instrument": instrument.title,
            "list": route.list,
        }

    def procedure_json(self, procedure: Procedure, lang: str) -> dict[str, Any]:
        root = self.kb.procedure_root(procedure)
        data = self.result_json(self.target_result(self.kb.target(root)), lang)
        data["procedure"] = procedure.name
        data["grade"] = procedure.grade
        data["catalogue_clause"] = procedure.clause_path
        return data

    def basis(self, spec_id: str, lang: str) -> str:
        applied = self.evaluation.applied.get(spec_id)
        if applied is not None:
            return applied.basis(self.kb, lang)
        spec = self.kb.specs[spec_id]
        province = self.evaluation.hospital.location.province
        if spec.scope.name == "national":
            return (
                f"国家规范，适用于{province}的医疗机构"
                if lang == "zh"
                else f"national specification, applies to hospitals in {province}"
            )
        return (
            f"{spec.jurisdiction}地方规范，医院位于{province}"
            if lang == "zh"
            else f"specification of {spec.jurisdiction}; the hospital is in {province}"
        )
