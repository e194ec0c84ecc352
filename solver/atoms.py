"""The typed boundary to clingo's output.

Every predicate the interpreter shows (``#show`` in ``kb/rules.lp``) is declared
here once, as a record; :func:`read_model` is the only place that takes clingo
symbols apart.  Input predicates are built in :mod:`zhunru.solver.facts`.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Literal

from clingo import Symbol

Status = Literal["holds", "fails", "undetermined"]
Node = tuple[Symbol, str]  # (subject, requirement id)


@dataclass
class Derivation:
    """What the solver derived for one hospital: statuses, reasons and evidence."""

    status: dict[Node, Status] = field(default_factory=dict)
    support: dict[Node, list[Node]] = field(default_factory=lambda: defaultdict(list))
    evidence: dict[Node, list[tuple[Symbol, int]]] = field(default_factory=lambda: defaultdict(list))
    tally: dict[Node, tuple[int, int]] = field(default_factory=dict)
    candidates: dict[Node, int] = field(default_factory=dict)
    missing: dict[Node, list[Symbol]] = field(default_factory=lambda: defaultdict(list))
    missing_population: dict[Node, list[str]] = field(default_factory=lambda: defaultdict(list))

    def of(self, subject: Symbol, requirement: str) -> Status | None:
        return self.status.get((subject, requirement))


def read_model(symbols: list[Symbol]) -> Derivation:
    derivation = Derivation()
    for symbol in sorted(symbols):
        _read_atom(derivation, symbol.name, symbol.arguments)
    return derivation


def read_models(symbols: list[Symbol], count: int) -> list[Derivation]:
    """Split the model of a batch chunk: subjects are ``s(I, Subject)``, ``I`` the hospital's index."""
    derivations = [Derivation() for _ in range(count)]
    for symbol in sorted(symbols):
        name, args = symbol.name, symbol.arguments
        wrapped = args[0].arguments
        plain = [wrapped[1], *args[1:]]
        if name == "support":
            plain[2] = args[2].arguments[1]
        _read_atom(derivations[wrapped[0].number], name, plain)
    return derivations


def _read_atom(derivation: Derivation, name: str, args: list[Symbol]) -> None:
    if name in ("holds", "fails", "undetermined"):
        derivation.status[(args[0], args[1].name)] = name  # type: ignore[assignment]
    elif name == "support":
        derivation.support[(args[0], args[1].name)].append((args[2], args[3].name))
    elif name == "evidence":
        derivation.evidence[(args[0], args[1].name)].append((args[2], args[3].number))
    elif name == "tally":
        derivation.tally[(args[0], args[1].name)] = (args[2].number, args[3].number)
    elif name == "candidates":
        derivation.candidates[(args[0], args[1].name)] = args[2].number
    elif name == "missing":
        derivation.missing[(args[0], args[1].name)].append(args[2])
    elif name == "missing_population":
        derivation.missing_population[(args[0], args[1].name)].append(args[2].name)
