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
    atoms = [(symbol.name, symbol.arguments) for symbol in symbols]
    for name, args in sorted(atoms, key=_order):
        _read_atom(derivation, name, args)
    return derivation


def _order(atom: tuple[str, list[Symbol]]) -> tuple[str, tuple[str, ...]]:
    """One order for single and batch reading (by text: sorting symbols would make batch reading
    create, and clingo intern for good, a plain symbol for every atom)."""
    return atom[0], tuple(str(a) for a in atom[1])


def read_models(symbols: list[Symbol], subjects: list[list[Symbol]]) -> list[Derivation]:
    """Split the model of a batch chunk: subjects are ``s(I, N)``, ``I`` the hospital's index in the
    chunk and ``N`` the subject's number in ``subjects[I]``."""
    derivations = [Derivation() for _ in subjects]
    split: list[list[tuple[str, list[Symbol]]]] = [[] for _ in subjects]
    for symbol in symbols:
        name, args = symbol.name, symbol.arguments
        index, number = (a.number for a in args[0].arguments)
        plain = [subjects[index][number], *args[1:]]
        if name == "support":
            plain[2] = subjects[index][args[2].arguments[1].number]
        split[index].append((name, plain))
    for derivation, atoms in zip(derivations, split, strict=True):
        for name, args in sorted(atoms, key=_order):
            _read_atom(derivation, name, args)
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
