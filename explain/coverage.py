"""Clause coverage: how each printed clause of a specification is mapped in the KB.

Every clause of the inventory (``clause/4``) gets exactly one status, the first
that applies:

* ``check``        — a requirement node that is decided from profile facts cites it;
* ``attestation``  — only attestation nodes cite it (a statement a reviewer confirms);
* ``obligation``   — ``obligation/3``: a duty the hospital takes on, listed with verdicts;
* ``out_of_scope`` — ``out_of_scope/3`` with the reason it is not a condition of eligibility;
* ``grouping``     — a heading whose every sub-clause is mapped (its content lives there);
* ``unmapped``     — none of the above: a gap in the knowledge base.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from typing import Any

from zhunru.solver.kb import Clause, KnowledgeBase

STATUSES = ("check", "attestation", "obligation", "out_of_scope", "grouping", "unmapped")


@dataclass(frozen=True)
class ClauseCoverage:
    clause: Clause
    status: str
    requirements: tuple[str, ...] = ()
    reason: str | None = None

    @property
    def mapped(self) -> bool:
        return self.status != "unmapped"


def _citing_nodes(kb: KnowledgeBase, spec: str) -> dict[str, list[tuple[str, str]]]:
    cited: dict[str, list[tuple[str, str]]] = {}
    for node in kb.requirements.values():
        if node.spec == spec:
            cited.setdefault(node.clause, []).append((node.id, node.kind))
    return cited


def _sub_clauses(clause_ids: list[str], cid: str) -> list[str]:
    return [other for other in clause_ids if other.startswith(f"{cid}_")]


def print_order(clause: Clause) -> list[tuple[int, str]]:
    """Natural order of clause ids (c0 preamble, c1_2 before c1_10, annex last)."""
    return [(int(part), "") if part.isdigit() else (10**6, part) for part in re.findall(r"\d+|[a-z]+", clause.id[1:])]


def clause_coverage(kb: KnowledgeBase, spec: str) -> list[ClauseCoverage]:
    """The status of every clause of ``spec``, in print order."""
    clauses = sorted((c for (s, _), c in kb.clauses.items() if s == spec), key=print_order)
    ids = [c.id for c in clauses]
    cited = _citing_nodes(kb, spec)
    obliged = {cid for s, cid, _ in kb.obligations if s == spec}
    statuses: dict[str, ClauseCoverage] = {}
    # Deepest clauses first, so a heading sees the final status of its sub-clauses.
    for clause in sorted(clauses, key=lambda c: -c.id.count("_")):
        nodes = cited.get(clause.id, [])
        ids_citing = tuple(sorted(node_id for node_id, _ in nodes))
        if any(kind != "attest" for _, kind in nodes):
            status = ClauseCoverage(clause, "check", ids_citing)
        elif nodes:
            status = ClauseCoverage(clause, "attestation", ids_citing)
        elif clause.id in obliged:
            status = ClauseCoverage(clause, "obligation")
        elif (spec, clause.id) in kb.out_of_scope:
            status = ClauseCoverage(clause, "out_of_scope", reason=kb.out_of_scope[(spec, clause.id)])
        else:
            subs = _sub_clauses(ids, clause.id)
            grouped = bool(subs) and all(statuses[sub].mapped for sub in subs)
            status = ClauseCoverage(clause, "grouping" if grouped else "unmapped")
        statuses[clause.id] = status
    return [statuses[cid] for cid in ids]


def coverage_report(kb: KnowledgeBase, specs: list[str] | None = None) -> dict[str, Any]:
    """The ``zhunru kb coverage --format json`` document."""
    rows = []
    for spec_id in specs or sorted(kb.documents):
        spec = kb.documents[spec_id]
        items = clause_coverage(kb, spec_id)
        counts = Counter(item.status for item in items)
        rows.append(
            {
                "spec": spec_id,
                "title": spec.title,
                "clauses": len(items),
                "mapped": sum(item.mapped for item in items),
                "by_status": {status: counts[status] for status in STATUSES if counts[status]},
                "unmapped": [item.clause.path for item in items if not item.mapped],
                "items": [
                    {
                        "clause": item.clause.path,
                        "status": item.status,
                        **({"requirements": list(item.requirements)} if item.requirements else {}),
                        **({"reason": item.reason} if item.reason else {}),
                    }
                    for item in items
                ],
            }
        )
    return {"specs": rows}
