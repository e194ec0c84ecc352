"""The typed boundary to clingo's output.

Every predicate the interpreter shows (``#show`` in ``kb/rules.lp``) is declared
here once, as a record; :func:`read_model` is the only place that takes clingo
symbols apart.  Input predicates are built in :mod:`zhunru.solver.facts`.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Literal

from clingo import Model, Symbol, SymbolType, parse_term

try:  # clingo's own foreign-function binding, for reading a large model as text
    from clingo._internal import _ffi, _lib
except ImportError:  # pragma: no cover - a clingo build without the cffi binding
    _ffi = _lib = None


class KeySymbol(Symbol):
    """A clingo symbol whose hash is computed once.

    Derivations, readings and traces are dictionaries keyed by subjects and measures;
    clingo's ``Symbol`` asks the C library for its hash on every lookup, which was a tenth
    of a batch run.  Equal to, and hashing like, the plain symbol, so either finds the
    other in a dict.
    """

    __slots__ = ("_hash",)

    def __init__(self, symbol: Symbol) -> None:
        super().__init__(symbol._rep)
        self._hash = Symbol.__hash__(symbol)

    def __hash__(self) -> int:
        return self._hash


class DecodedSymbol(KeySymbol):
    """A symbol taken apart once: name, arguments, string and number read without foreign calls.

    For the measure keys the profile is read by (``m(beds, "ICU")``), which every hospital's
    facts consult thousands of times.
    """

    __slots__ = ("_arguments", "_name", "_number", "_string", "_type")

    def __init__(self, symbol: Symbol) -> None:
        super().__init__(symbol)
        self._type = symbol.type
        is_function = self._type == SymbolType.Function
        self._name = symbol.name if is_function else ""
        self._arguments = [DecodedSymbol(a) for a in symbol.arguments] if is_function else []
        self._string = symbol.string if self._type == SymbolType.String else ""
        self._number = symbol.number if self._type == SymbolType.Number else 0

    @property
    def type(self) -> SymbolType:
        return self._type

    @property
    def name(self) -> str:
        return self._name

    @property
    def arguments(self) -> list[Symbol]:
        return self._arguments

    @property
    def string(self) -> str:
        return self._string

    @property
    def number(self) -> int:
        return self._number


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


def read_model(symbols: list[Symbol], subjects: dict[Symbol, Symbol] | None = None) -> Derivation:
    """One hospital's derivation; ``subjects`` maps each subject to the object to key it by
    (the fact base's own, whose hash is cached)."""
    derivation = Derivation()
    atoms = [(symbol.name, symbol.arguments) for symbol in symbols]
    for name, args in sorted(atoms, key=_order):
        if subjects is not None:
            args = [subjects.get(args[0], args[0]), *args[1:]]
            if name == "support":
                args[2] = subjects.get(args[2], args[2])
        _read_atom(derivation, name, args)
    return derivation


def _order(atom: tuple[str, list[Symbol]]) -> tuple[str, tuple[str, ...]]:
    """One order for single and batch reading (by text: sorting symbols would make batch reading
    create, and clingo intern for good, a plain symbol for every atom)."""
    return atom[0], tuple(str(a) for a in atom[1])


_TEXT_BUFFER = 1 << 16  # bytes; an atom's text is a few hundred at most


def shown_atom_texts(model: Model) -> list[str]:
    """The text of every shown atom of ``model``, in the order ``model.symbols(shown=True)`` gives.

    ``str()`` on each symbol goes through clingo's Python wrapper, which allocates two
    buffers and asks for the size first: ~3 µs an atom, a tenth of a batch run at
    ~15,000 atoms a hospital.  Here the symbols are fetched as one array and each written
    into one reused buffer (~0.8 µs).  Falls back to ``str()`` where the binding is not
    available or an atom does not fit the buffer.
    """
    show = _lib.clingo_show_type_shown if _lib is not None else None
    size = _ffi.new("size_t*") if _ffi is not None else None
    if show is None or not _lib.clingo_model_symbols_size(model._rep, show, size):
        return _printed_by_python(model)
    symbols = _ffi.new("clingo_symbol_t[]", size[0])
    if not _lib.clingo_model_symbols(model._rep, show, symbols, size[0]):
        return _printed_by_python(model)
    buffer = _ffi.new("char[]", _TEXT_BUFFER)
    write, text = _lib.clingo_symbol_to_string, _ffi.string
    texts = [text(buffer).decode() if write(symbol, buffer, _TEXT_BUFFER) else "" for symbol in symbols]
    return _printed_by_python(model) if "" in texts else texts  # "": an atom longer than the buffer


def _printed_by_python(model: Model) -> list[str]:
    return [str(symbol) for symbol in model.symbols(shown=True)]


def read_models(texts: list[str], subjects: list[list[Symbol]]) -> list[Derivation]:
    """Split the model of a batch chunk: subjects are ``s(I, N)``, ``I`` the hospital's index in the
    chunk and ``N`` the subject's number in ``subjects[I]``.

    A chunk's model holds ~13,000 atoms per hospital; taking each symbol apart through clingo's
    Python API costs about ten foreign calls per atom, so atoms are read from their text
    (:func:`shown_atom_texts`) instead.  Every shown atom of a chunk starts with its ``s(I, N)``
    subject, so the text has one fixed shape per predicate; measures, the only nested
    terms, are parsed back once per distinct text.
    """
    derivations = [Derivation() for _ in subjects]
    for text in texts:
        match = _ATOM.match(text)
        if match is None:
            raise ValueError(f"unexpected atom in a batch model: {text}")
        name, index, number, requirement, rest = match.groups()
        i = int(index)
        _read_text_atom(derivations[i], subjects[i], name, (subjects[i][int(number)], requirement), rest)
    for derivation, local in zip(derivations, subjects, strict=True):
        _canonical_order(derivation, {id(subject): str(subject) for subject in local})
    return derivations


_ATOM = re.compile(r"(\w+)\(s\((\d+),(\d+)\),([\w']+)(?:,(.*))?\)$")
_LOCAL_SUBJECT = re.compile(r"s\(\d+,(\d+)\),([\w']+)$")
_MEASURES: dict[str, Symbol] = {}
_MEASURE_TEXT: dict[int, str] = {}  # id of a cached measure symbol -> its text


def _measure(text: str) -> Symbol:
    found = _MEASURES.get(text)
    if found is None:
        found = _MEASURES[text] = DecodedSymbol(parse_term(text))
        _MEASURE_TEXT[id(found)] = text
    return found


def _read_text_atom(derivation: Derivation, subjects: list[Symbol], name: str, node: Node, rest: str) -> None:
    if name in ("holds", "fails", "undetermined"):
        derivation.status[node] = name  # type: ignore[assignment]
    elif name == "support":
        match = _LOCAL_SUBJECT.match(rest)
        assert match is not None, rest
        derivation.support[node].append((subjects[int(match.group(1))], match.group(2)))
    elif name == "evidence":
        measure, value = rest.rsplit(",", 1)
        derivation.evidence[node].append((_measure(measure), int(value)))
    elif name == "tally":
        sure, maybe = rest.split(",")
        derivation.tally[node] = (int(sure), int(maybe))
    elif name == "candidates":
        derivation.candidates[node] = int(rest)
    elif name == "missing":
        derivation.missing[node].append(_measure(rest))
    elif name == "missing_population":
        derivation.missing_population[node].append(rest)
    else:
        raise ValueError(f"unexpected predicate in a batch model: {name}")


def _canonical_order(derivation: Derivation, subject_text: dict[int, str]) -> None:
    """The order :func:`read_model` gives (by text), whatever order clingo listed the atoms in."""
    for items in derivation.evidence.values():
        if len(items) > 1:
            items.sort(key=lambda item: (_MEASURE_TEXT[id(item[0])], str(item[1])))
    for measures in derivation.missing.values():
        if len(measures) > 1:
            measures.sort(key=lambda measure: _MEASURE_TEXT[id(measure)])
    for classes in derivation.missing_population.values():
        classes.sort()
    for children in derivation.support.values():
        if len(children) > 1:
            children.sort(key=lambda child: (subject_text[id(child[0])], child[1]))


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
