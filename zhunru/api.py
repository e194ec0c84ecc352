"""The Python API: load a profile, evaluate it, explain a verdict.

The CLI is a thin layer over these functions; an analyst can call them from a
notebook.  The knowledge base is parsed once per process and reused.

>>> from datetime import date
>>> from zhunru import api
>>> hospital = api.load_profile("examples/tertiary_compliant.yaml")
>>> report = api.check(hospital, date(2026, 11, 24), technologies=["comprehensive_intervention"])
>>> [(r["scope"], r["verdict"]) for r in report["results"]][:2]
[('一级、二级手术', 'eligible'), ('三级以上手术', 'eligible')]
"""

from __future__ import annotations

from datetime import date
from functools import cache
from pathlib import Path
from typing import Any, NoReturn

from zhunru.errors import InputError, Problem
from zhunru.explain import render
from zhunru.explain.report import Reporter, TargetResult
from zhunru.explain.vocabulary import VERDICT
from zhunru.profile import Attestation, Hospital
from zhunru.profile import load_profile as _load_profile
from zhunru.solver import selection
from zhunru.solver.engine import Engine, Evaluation
from zhunru.solver.kb import KnowledgeBase, Procedure
from zhunru.solver.selection import Applied

__all__ = ["check", "engine", "evaluate", "explain", "load_profile", "resolve_specs", "validate_against_kb"]


@cache
def engine() -> Engine:
    """The process-wide engine (the knowledge base is loaded on first use)."""
    return Engine()


def knowledge_base() -> KnowledgeBase:
    return engine().kb


def load_profile(path: str | Path) -> Hospital:
    """Load a profile and check it against the schema and the knowledge base."""
    hospital = _load_profile(path)
    problems = validate_against_kb(hospital, knowledge_base(), str(path))
    if problems:
        raise InputError(problems)
    return hospital


def validate_against_kb(hospital: Hospital, kb: KnowledgeBase, file: str) -> list[Problem]:
    """Problems with references from a profile into the knowledge base."""
    problems: list[Problem] = []
    technologies = set(kb.technologies)
    attestable = {r.id for r in kb.requirements.values() if r.kind == "attest"}
    procedures = {p.name for p in kb.procedures}

    def check_tech(value: str, field: str) -> None:
        if value not in technologies:
            problems.append(
                Problem(
                    file,
                    field,
                    f"unknown technology {value!r}; expected one of {sorted(technologies)} (see `zhunru kb list`)",
                    "unknown_technology",
                )
            )

    def check_attestations(items: list[Attestation] | None, prefix: str) -> None:
        for i, item in enumerate(items or []):
            if item.statement not in attestable:
                problems.append(
                    Problem(
                        file,
                        f"{prefix}attestations[{i}].statement",
                        f"unknown statement {item.statement!r}; expected the id of an attested "
                        f"requirement (see `zhunru kb attestations`)",
                        "unknown_statement",
                    )
                )

    for name, items in (
        ("filings", hospital.filings),
        ("assessments", hospital.assessments),
        ("supports", hospital.supports),
        ("regional_providers", hospital.regional_providers),
    ):
        for i, item in enumerate(items or []):
            check_tech(item.technology, f"{name}[{i}].technology")
    check_attestations(hospital.attestations, "")
    for i, unit in enumerate(hospital.units or []):
        check_attestations(unit.attestations, f"units[{i}].")
    for i, member in enumerate(hospital.staff or []):
        check_attestations(member.attestations, f"staff[{i}].")
        for j, item in enumerate(member.assessments or []):
            check_tech(item.technology, f"staff[{i}].assessments[{j}].technology")
    for i, name in enumerate(hospital.procedures or []):
        if name not in procedures:
            problems.append(
                Problem(
                    file,
                    f"procedures[{i}]",
                    f"{name!r} is not a procedure of any grade catalogue (use the printed name)",
                    "unknown_procedure",
                )
            )
    return problems


def unknown_spec(ident: str) -> NoReturn:
    kb = knowledge_base()
    raise InputError(
        [Problem("--spec", ident, f"unknown specification id; expected one of {sorted(kb.specs)}", "unknown_spec")]
    )


def resolve_specs(
    hospital: Hospital,
    technologies: list[str] | None,
    as_of: date | None = None,
    specs: list[str] | None = None,
) -> list[Applied]:
    """The specifications that judge the hospital, each with the reason it applies.

    ``specs`` (``--spec``) are applied as named.  A ``--tech`` value may be a technology id
    (the specification in force in the hospital's jurisdiction is chosen) or a specification
    id (applied as named).  Neither given: every technology, each by its specification in force.
    """
    kb = knowledge_base()
    day = as_of or date.today()
    named = list(specs or [])
    for ident in named:
        if ident not in kb.specs:
            unknown_spec(ident)
    asked: list[str] | None = None
    if technologies:
        asked = []
        for ident in technologies:
            if ident in kb.specs:
                named.append(ident)
            elif ident in kb.technologies:
                asked.append(ident)
            else:
                raise InputError(
                    [
                        Problem(
                            "--tech",
                            ident,
                            "unknown technology or specification id; expected one of "
                            f"{sorted(kb.specs) + sorted(kb.technologies)}",
                            "unknown_technology",
                        )
                    ]
                )
    province = hospital.location.province
    applied = selection.select(kb, province, day, asked, named)
    for technology in asked or []:
        if all(kb.specs[a.spec].technology != technology for a in applied):
            versions = sorted(s.id for s in kb.specs.values() if s.technology == technology)
            raise InputError(
                [
                    Problem(
                        "--tech",
                        technology,
                        f"no specification of this technology is in force for a hospital in {province} on "
                        f"{day.isoformat()}; name one explicitly with --spec (one of {versions})",
                        "no_specification_in_force",
                    )
                ]
            )
    return applied


def evaluate(
    hospital: Hospital, as_of: date, technologies: list[str] | None = None, specs: list[str] | None = None
) -> Evaluation:
    applied = resolve_specs(hospital, technologies, as_of, specs)
    evaluation = engine().evaluate(hospital, as_of, [a.spec for a in applied])
    evaluation.applied = {a.spec: a for a in applied}
    return evaluation


ROLES = ("entry", "ongoing", "training-base", "physician")


def _role_of(result: TargetResult) -> str:
    kind = result.target.kind
    if result.target.subject.name == "staff":
        return "physician"
    return "training-base" if kind == "training_base" else kind


def check(
    hospital: Hospital,
    as_of: date,
    technologies: list[str] | None = None,
    procedure: str | None = None,
    lang: str = "zh",
    specs: list[str] | None = None,
    roles: list[str] | None = None,
) -> dict[str, Any]:
    """The ``zhunru check --format json`` document.

    ``roles`` keeps only verdicts of those roles: entry, ongoing, training-base (may the hospital be a
    training base) and physician (staff qualifications).
    """
    evaluation = evaluate(hospital, as_of, technologies, specs)
    reporter = Reporter(evaluation)
    wanted = set(ROLES if roles is None else roles)
    document: dict[str, Any] = {"hospital": hospital.id, "name": hospital.name, "as_of": as_of.isoformat()}
    if procedure is not None:
        found = _procedures(procedure, evaluation.specs)
        results = [reporter.procedure_json(p, lang) for p in found]
        document["procedure"] = procedure_verdict(procedure, results)
    else:
        results = [reporter.result_json(r, lang) for r in reporter.hospital_results() if _role_of(r) in wanted]
    physicians = [reporter.result_json(r, lang) for r in reporter.physician_results()] if "physician" in wanted else []
    document["specifications"] = [
        {"spec": a.spec, "reason": a.reason, "basis": a.basis(evaluation.kb, lang), "not_applied": list(a.not_applied)}
        for a in evaluation.applied.values()
    ]
    document["results"] = results
    document["physicians"] = physicians
    return document


def procedure_verdict(name: str, results: list[dict[str, Any]]) -> dict[str, Any]:
    """A procedure printed in several grade catalogues is allowed when any of them allows it."""
    verdicts = [r["verdict"] for r in results]
    verdict = "eligible" if "eligible" in verdicts else ("undetermined" if "undetermined" in verdicts else "ineligible")
    return {
        "name": name,
        "verdict": verdict,
        "allowed_by": [r["spec"] for r in results if r["verdict"] == "eligible"],
        "catalogues": [
            {"spec": r["spec"], "grade": r["grade"], "clause": r["catalogue_clause"], "verdict": r["verdict"]}
            for r in results
        ],
    }


def _procedures(name: str, specs: list[str]) -> list[Procedure]:
    found = [p for p in knowledge_base().find_procedures(name) if p.spec in specs]
    if not found:
        raise InputError(
            [
                Problem(
                    "--procedure",
                    name,
                    "no procedure of that name in the grade catalogues of the "
                    "selected specifications (see `zhunru kb procedures`)",
                    "unknown_procedure",
                )
            ]
        )
    return found


def explain(
    hospital: Hospital,
    as_of: date,
    *,
    technologies: list[str] | None = None,
    procedure: str | None = None,
    physician: str | None = None,
    fmt: str = "text",
    lang: str = "zh",
    specs: list[str] | None = None,
    roles: list[str] | None = None,
) -> str | list[dict[str, Any]]:
    """Explanations (text/markdown strings joined, or JSON documents) for the question asked."""
    evaluation = evaluate(hospital, as_of, technologies, specs)
    reporter = Reporter(evaluation)
    pairs: list[tuple[dict[str, Any], TargetResult]] = []
    if physician is not None:
        if physician not in {s.id for s in hospital.staff or []}:
            raise InputError(
                [Problem("--physician", physician, "no staff member with this id in the profile", "unknown_staff")]
            )
        for result in reporter.physician_results(physician):
            pairs.append((reporter.result_json(result, lang), result))
    elif procedure is not None:
        for item in _procedures(procedure, evaluation.specs):
            root = evaluation.kb.procedure_root(item)
            result = reporter.target_result(evaluation.kb.target(root))
            pairs.append((reporter.procedure_json(item, lang), result))
    else:
        wanted = set(ROLES if roles is None else roles)
        for result in reporter.hospital_results():
            if _role_of(result) in wanted:
                pairs.append((reporter.result_json(result, lang), result))
    combined = procedure_verdict(procedure, [data for data, _ in pairs]) if procedure is not None else None
    if fmt == "json":
        documents = [render.explanation_json(data, result.trace, lang) for data, result in pairs]
        if combined is not None and len(pairs) > 1:
            for document in documents:
                document["procedure_verdict"] = combined
        return documents
    renderer = render.markdown if fmt == "markdown" else render.text
    text = "\n".join(
        renderer(data, result.trace, evaluation.kb, hospital.name, as_of.isoformat(), lang) for data, result in pairs
    )
    if combined is not None and len(pairs) > 1:
        text = _procedure_summary(combined, evaluation.kb, lang) + "\n\n" + text
    return text


def _procedure_summary(combined: dict[str, Any], kb: KnowledgeBase, lang: str) -> str:
    """A procedure in several catalogues: allowed when any qualification allows it — say which."""
    verdicts = VERDICT[lang]
    catalogues = "; ".join(
        f"{kb.specs[c['spec']].title} {c['clause']}: {verdicts[c['verdict']]}" for c in combined["catalogues"]
    )
    allowed = "、".join(kb.specs[s].title for s in combined["allowed_by"])
    count = len(combined["catalogues"])
    if lang == "zh":
        head = f"{combined['name']}：见于{count}个分级目录，任一资质允许即可开展。"
        tail = f"结论：{verdicts[combined['verdict']]}" + (f"（依据{allowed}）" if allowed else "")
    else:
        head = f"{combined['name']}: printed in {count} grade catalogues; allowed when any of them allows it."
        tail = f"Verdict: {verdicts[combined['verdict']]}" + (f" (allowed by {allowed})" if allowed else "")
    return f"{head}\n{catalogues}\n{tail}"
