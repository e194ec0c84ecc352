"""Renderers of justification traces: plain text (Chinese or English), Markdown, JSON.

Renderers format a :class:`~zhunru.explain.trace.Trace`; they never consult the
solver or the profile.
"""

from __future__ import annotations

from typing import Any

from zhunru.explain.report import evidence_json, missing, notes_of, ratio_text, tally_text, unmet
from zhunru.explain.trace import Evidence, Trace
from zhunru.explain.vocabulary import STATUS, VERDICT
from zhunru.solver.kb import KnowledgeBase

MARKS = {"holds": "✓", "fails": "✗", "undetermined": "?"}


CONNECTIVES = {
    "zh": {"all_of": "同时满足下列各项", "any_of": "满足下列之一", "implies": "附条件的要求", "neg": "不得出现"},
    "en": {
        "all_of": "all of the following",
        "any_of": "one of the following",
        "implies": "a conditional requirement",
        "neg": "must not hold",
    },
}


def _label(trace: Trace, lang: str) -> str:
    node = trace.requirement
    if lang == "en":
        return node.gloss or node.quote or trace.clause_text
    if node.quote:
        return node.quote
    return CONNECTIVES["zh"].get(node.kind) or node.gloss or trace.clause_text


def _evidence_text(trace: Trace, item: Evidence, lang: str) -> str:
    """ "床位 5，要求 ≥ 6，差 1" / "beds 5, needs ≥ 6, short by 1"; attestations name who and when."""
    data = evidence_json(item, lang)
    zh = lang == "zh"
    sep = "，" if zh else ", "
    if item.measure.arguments[0].name == "attest":
        outcome = (
            ("认定成立" if item.value else "认定不成立") if zh else ("attested" if item.value else "attested false")
        )
        return outcome + (f"（{data['detail']}）" if zh else f" ({data['detail']})") if data.get("detail") else outcome
    text = f"{data['fact']} {data['shown']}" if zh else f"{data['fact']}: {data['shown']}"
    if data.get("detail"):
        text += f"（{data['detail']}）" if zh else f" ({data['detail']})"
    if "needs" in data and (item.op != "eq" or trace.status != "holds"):
        text += sep + ("要求 " if zh else "needs ") + data["needs"]
    if "margin" in data:
        text += sep + data["margin"]
    return text


def _facts(trace: Trace, lang: str) -> str:
    parts = []
    summary = ratio_text(trace, lang) or tally_text(trace, lang)
    if summary:
        parts.append(summary)
    elif trace.evidence:
        parts.extend(_evidence_text(trace, item, lang) for item in trace.evidence)
    for item in trace.missing:
        what = item.path or trace.subject_path
        parts.append(f"缺少 {what}" if lang == "zh" else f"missing {what}")
    return "；".join(parts) if lang == "zh" else "; ".join(parts)


ATTESTED = {"zh": {True: "认定成立", False: "认定不成立"}, "en": {True: "attested", False: "attested false"}}
OBLIGATIONS = {
    "zh": "开展后的义务与监管（不影响准入结论）：",
    "en": "Obligations and oversight after filing (they do not affect the verdict):",
}
NOT_APPLICABLE = {"zh": "条件不成立，本项不适用", "en": "condition does not hold, so this does not apply"}


def trace_lines(trace: Trace, lang: str, depth: int = 0, parent: Trace | None = None) -> list[str]:
    indent = "  " * depth
    subject = ""
    if parent is not None and trace.subject != parent.subject:
        subject = f"[{trace.subject_label}] "
    mark = MARKS[trace.status]
    facts = _facts(trace, lang)
    if _vacuous_condition(trace, parent):
        mark = "○"
        facts = f"{facts}；{NOT_APPLICABLE['zh']}" if lang == "zh" else f"{facts}; {NOT_APPLICABLE['en']}"
    line = f"{indent}{mark} {trace.clause_path} {subject}{_label(trace, lang)}"
    if facts:
        line += f" — {facts}"
    lines = [line]
    for child in trace.children:
        if trace.requirement.member_class in ("staff", "dedicated_staff") and child.subject != trace.subject:
            lines.append(_person_line(child, lang, depth + 1))
        else:
            lines.extend(trace_lines(child, lang, depth + 1, trace))
    return lines


def _vacuous_condition(trace: Trace, parent: Trace | None) -> bool:
    """The failing condition of a holding conditional requirement: shown as "not applicable"."""
    return (
        parent is not None
        and parent.requirement.kind == "implies"
        and parent.status == "holds"
        and trace.status == "fails"
        and parent.requirement.children[0] == trace.id
    )


def _person_line(trace: Trace, lang: str, depth: int) -> str:
    """One line per person counted; their own derivation is `explain --physician ID`."""
    status = STATUS[lang][trace.status]
    line = f"{'  ' * depth}{MARKS[trace.status]} [{trace.subject_label}] {status}"
    if trace.status == "fails":
        clauses = sorted({item["clause"] for item in unmet(trace, lang)})
        line += (" — 未满足 " if lang == "zh" else " — unmet: ") + ("、" if lang == "zh" else ", ").join(clauses)
    elif trace.status == "undetermined":
        paths = sorted({item["path"] for item in missing(trace, lang)})
        line += (" — 缺少 " if lang == "zh" else " — missing ") + ", ".join(paths)
    return line


def header(result: dict[str, Any], hospital: str, as_of: str, lang: str) -> list[str]:
    verdict = VERDICT[lang][result["verdict"]]
    who = f" · {result['name']} ({result['staff']})" if "staff" in result else ""
    filing = result.get("filing")
    if lang == "zh":
        lines = [
            f"{result['title']}（{result['jurisdiction']}，{result['version']}）· {result['scope']}{who}",
            f"医疗机构：{hospital} · 评估日期：{as_of}",
            f"结论：{verdict}",
            f"适用依据：{result['basis']}",
        ]
        if filing:
            lines.append(
                f"备案：由{filing['receives']}受理，{filing['reviews']}组织专家审查"
                f"（{filing['instrument']} {filing['clause']}）"
            )
        return lines
    lines = [
        f"{result['title']} — {result['technology_name']} ({result['jurisdiction_en']}, {result['version']})"
        f" · {result['target_gloss']}{who}",
        f"Hospital: {hospital} · as of {as_of}",
        f"Verdict: {verdict}",
        f"Why this specification: {result['basis']}",
    ]
    if filing:
        lines.append(
            f"Filing: received by {filing['receives']}, reviewed by {filing['reviews']}"
            f" ({filing['instrument']} {filing['clause']})"
        )
    return lines


def text(result: dict[str, Any], trace: Trace, kb: KnowledgeBase, hospital: str, as_of: str, lang: str) -> str:
    lines = header(result, hospital, as_of, lang)
    if "procedure" in result:
        lines.insert(
            1,
            (
                f"手术：{result['procedure']}（{result['catalogue_clause']}，{result['grade']}级）"
                if lang == "zh"
                else f"Procedure: {result['procedure']} ({result['catalogue_clause']}, grade {result['grade']})"
            ),
        )
    lines.append("")
    lines.append("推导：" if lang == "zh" else "Derivation:")
    lines.extend(trace_lines(trace, lang, 1))
    todo = missing(trace, lang) if trace.status == "undetermined" else []
    if todo:
        lines.append("")
        lines.append("可确定结论的事实：" if lang == "zh" else "Facts that would settle it:")
        lines.extend(f"  - {m['path']}: {m['fact']} ({m['clause']})" for m in todo)
    notes = notes_of(trace, kb, lang)
    if notes:
        lines.append("")
        lines.append("解释说明：" if lang == "zh" else "Interpretation notes:")
        lines.extend(f"  [{n['id']}] {n['text']}" for n in notes)
    if result.get("obligations") and result["verdict"] != "ineligible":
        lines.append("")
        lines.append(OBLIGATIONS[lang])
        lines.extend(f"  {o['clause']} " + o["text"].replace("\n", "\n    ") for o in result["obligations"])
    return "\n".join(lines) + "\n"


def markdown(result: dict[str, Any], trace: Trace, kb: KnowledgeBase, hospital: str, as_of: str, lang: str) -> str:
    head = header(result, hospital, as_of, lang)
    lines = [f"## {head[0]}", "", *(f"- {line}" for line in head[1:]), ""]
    for line in trace_lines(trace, lang, 0):
        stripped = line.lstrip(" ")
        depth = (len(line) - len(stripped)) // 2
        lines.append(f"{'  ' * depth}- {stripped}")
    notes = notes_of(trace, kb, lang)
    if notes:
        lines += ["", "### " + ("解释说明" if lang == "zh" else "Interpretation notes"), ""]
        lines += [f"- **{n['id']}**: {n['text']}" for n in notes]
    return "\n".join(lines) + "\n"


def trace_json(trace: Trace, lang: str) -> dict[str, Any]:
    data: dict[str, Any] = {
        "requirement": trace.id,
        "kind": trace.requirement.kind,
        "spec": trace.requirement.spec,
        "clause": trace.clause_path,
        "text": trace.clause_text,
        "status": trace.status,
        "status_text": STATUS[lang][trace.status],
        "subject": {"label": trace.subject_label, "path": trace.subject_path},
    }
    if trace.requirement.quote:
        data["quote"] = trace.requirement.quote
    if trace.requirement.gloss:
        data["gloss"] = trace.requirement.gloss
    if trace.evidence:
        data["evidence"] = [evidence_json(e, lang) for e in trace.evidence]
    summary = ratio_text(trace, lang) or tally_text(trace, lang)
    if summary:
        data["summary"] = summary
    if trace.missing:
        data["missing"] = [m.path for m in trace.missing]
    if trace.requirement.notes:
        data["notes"] = trace.requirement.notes
    if trace.children:
        data["because"] = [trace_json(child, lang) for child in trace.children]
    return data


def explanation_json(result: dict[str, Any], trace: Trace, lang: str) -> dict[str, Any]:
    data = dict(result)
    data["unmet"] = unmet(trace, lang)
    data["derivation"] = trace_json(trace, lang)
    return data
