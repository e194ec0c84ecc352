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
from zhunru.profile import Attestation, Hospital
from zhunru.profile import load_profile as _load_profile
from zhunru.solver.engine import Engine, Evaluation
from zhunru.solver.kb import KnowledgeBase, Procedure

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


def resolve_specs(hospital: Hospital, technologies: list[str] | None) -> list[str]:
    """Specification ids to apply: those named, else every one in force for the hospital."""
    kb = knowledge_base()
    if not technologies:
        return sorted(s.id for s in kb.specs.values() if s.applies_to_province(hospital.location.province))
    chosen: list[str] = []
    for ident in technologies:
        found = kb.resolve_spec(ident)
        if not found:
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
        chosen.extend(s for s in found if s not in chosen)
    return chosen


def evaluate(hospital: Hospital, as_of: date, technologies: list[str] | None = None) -> Evaluation:
    return engine().evaluate(hospital, as_of, resolve_specs(hospital, technologies))


def check(
    hospital: Hospital,
    as_of: date,
    technologies: list[str] | None = None,
    procedure: str | None = None,
    lang: str = "zh",
) -> dict[str, Any]:
    """The ``zhunru check --format json`` document."""
    evaluation = evaluate(hospital, as_of, technologies)
    reporter = Reporter(evaluation)
    if procedure is not None:
        results = [reporter.procedure_json(p, lang) for p in _procedures(procedure, evaluation.specs)]
    else:
        results = [reporter.result_json(r, lang) for r in reporter.hospital_results()]
    physicians = [reporter.result_json(r, lang) for r in reporter.physician_results()]
    return {
        "hospital": hospital.id,
        "name": hospital.name,
        "as_of": as_of.isoformat(),
        "results": results,
        "physicians": physicians,
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
) -> str | list[dict[str, Any]]:
    """Explanations (text/markdown strings joined, or JSON documents) for the question asked."""
    evaluation = evaluate(hospital, as_of, technologies)
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
        for result in reporter.hospital_results():
            pairs.append((reporter.result_json(result, lang), result))
    if fmt == "json":
        return [render.explanation_json(data, result.trace, lang) for data, result in pairs]
    renderer = render.markdown if fmt == "markdown" else render.text
    return "\n".join(
        renderer(data, result.trace, evaluation.kb, hospital.name, as_of.isoformat(), lang) for data, result in pairs
    )
