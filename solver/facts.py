"""Profile → clingo facts, built from symbols.

Every term that carries profile data is a ``clingo.Symbol`` made with
``Function``/``String``/``Number`` and turned into program text by clingo's own
serialisation, which escapes quotes, backslashes and newlines: a hospital called
``x"). eligible(1). %`` stays one string constant.  No profile string is ever
formatted into program text by hand (a batch chunk joins clingo-printed terms with
chunk-local subject numbers and integers, see :class:`_TextFacts`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from clingo import Function, Number, String, Symbol
from zhunru.solver.atoms import DecodedSymbol, KeySymbol
from zhunru.solver.measures import FAMILIES, Context, Reading, Subject

from zhunru.errors import EngineError
from zhunru.profile import Hospital, Staff

CLINGO_MIN, CLINGO_MAX = -(2**31), 2**31 - 1


HOSPITAL = KeySymbol(Function("h"))


@dataclass
class FactBase:
    """The facts of one hospital and the provenance of every value."""

    facts: list[Symbol] = field(default_factory=list)
    text: list[str] = field(default_factory=list)  # batch: the facts as program text, one per line
    subjects: dict[Symbol, Subject] = field(default_factory=dict)
    readings: dict[tuple[Symbol, Symbol], Reading] = field(default_factory=dict)
    local_subjects: list[Symbol] = field(default_factory=list)  # batch: local number -> subject

    def program(self) -> str:
        return "".join(f"{fact}.\n" for fact in self.facts) + "".join(self.text)


def _subjects(ctx: Context) -> Iterator[tuple[Subject, Symbol | None, str | None]]:
    """Every subject with its parent symbol and the class it belongs to in the parent."""
    hospital = ctx.hospital
    yield Subject(HOSPITAL, "hospital", hospital, "", hospital.name), None, None
    for i, unit in enumerate(hospital.units or []):
        symbol = Function("unit", [String(unit.id)])
        yield Subject(symbol, "unit", unit, f"units[{i}]", unit.id), HOSPITAL, "unit"
        for j, item in enumerate(unit.equipment or []):
            equipment = Subject(
                Function("equip", [String(item.id)]), "equipment", item, f"units[{i}].equipment[{j}]", item.id
            )
            yield equipment, symbol, "equipment"
            yield equipment, HOSPITAL, "equipment"
    for i, item in enumerate(hospital.equipment or []):
        yield (
            Subject(Function("equip", [String(item.id)]), "equipment", item, f"equipment[{i}]", item.id),
            HOSPITAL,
            "equipment",
        )
    for i, support in enumerate(hospital.supports or []):
        yield (
            Subject(Function("sup", [Number(i)]), "support", support, f"supports[{i}]", support.partner),
            HOSPITAL,
            "support",
        )
    for i, incident in enumerate(hospital.incidents or []):
        yield (
            Subject(
                Function("inc", [HOSPITAL, Number(i)]),
                "incident",
                incident,
                f"incidents[{i}]",
                f"{incident.type} #{i + 1}",
            ),
            HOSPITAL,
            "incident",
        )
    for i, member in enumerate(hospital.staff or []):
        yield from _staff_subjects(i, member)


def _staff_subjects(i: int, member: Staff) -> Iterator[tuple[Subject, Symbol | None, str | None]]:
    symbol = Function("staff", [String(member.id)])
    path = f"staff[{i}]"
    yield Subject(symbol, "staff", member, path, member.name), HOSPITAL, "staff"
    for assignment in member.assignments:
        unit = Function("unit", [String(assignment.unit)])
        yield Subject(symbol, "staff", member, path, member.name), unit, "staff"
        if assignment.dedicated:
            yield Subject(symbol, "staff", member, path, member.name), unit, "dedicated_staff"
    children = (
        ("training", "trainings", "train", lambda t: f"{t.topic} ({t.path})"),
        ("recommendation", "recommendations", "rec", lambda r: r.recommender),
        ("incident", "incidents", "inc", lambda n: n.type),
    )
    for cls, attribute, functor, label in children:
        for j, item in enumerate(getattr(member, attribute) or []):
            child = Function(functor, [symbol, Number(j)])
            yield Subject(child, cls, item, f"{path}.{attribute}[{j}]", label(item), owner=member), symbol, cls


def _kinds(subject: Subject) -> list[Symbol]:
    """Kinds a count can select members by.

    Roles, training paths and derived kinds come from closed enumerations and are
    names in the KB (``physician``, ``base``); unit, equipment and incident kinds
    are printed Chinese names and always strings.
    """
    obj = subject.obj
    if subject.cls == "staff":
        derived = ["other_technical"] if obj.role in ("nurse", "technician") else []
        return [Function(name) for name in [obj.role, *derived]]
    if subject.cls in ("unit", "equipment"):
        return [String(obj.kind)]
    if subject.cls == "training":
        return [Function(obj.path)]
    if subject.cls == "incident":
        return [String(obj.type)]
    return []


MEMBER_LISTS = {
    # member class -> the profile list whose declaration makes that population known
    "staff": "staff",
    "dedicated_staff": "staff",
    "unit": "units",
    "equipment": "equipment",
    "support": "supports",
    "incident": "incidents",
    "training": "trainings",
    "recommendation": "recommendations",
}
_POPULATIONS = {
    # (subject class, member class) -> attribute of the subject that lists the members
    (owner, member): MEMBER_LISTS[member]
    for owner, member in [
        ("hospital", "staff"),
        ("hospital", "unit"),
        ("hospital", "support"),
        ("hospital", "incident"),
        ("unit", "equipment"),
        ("staff", "training"),
        ("staff", "recommendation"),
        ("staff", "incident"),
    ]
}


def _known_populations(subject: Subject, hospital: Hospital) -> Iterator[str]:
    for (cls, member_class), attribute in _POPULATIONS.items():
        if cls == subject.cls and getattr(subject.obj, attribute) is not None:
            yield member_class
    if (
        subject.cls == "hospital"
        and hospital.equipment is not None
        and all(u.equipment is not None for u in hospital.units or [])
    ):
        yield "equipment"
    if subject.cls == "unit" and hospital.staff is not None:
        yield "staff"
        yield "dedicated_staff"


def build_facts(
    ctx: Context,
    evaluate: list[tuple[str, Symbol]],
    measures: list[Symbol] | None = None,
    index: int | None = None,
) -> FactBase:
    """All facts for one hospital: members, kinds, populations, values and what to evaluate.

    ``evaluate`` lists ``(requirement root, subject selector)`` pairs, the selector
    being ``hospital`` or ``staff(Role)``; ``measures`` the measures to read (default:
    every measure of the KB).  With an ``index`` (a batch chunk), every subject in the
    facts is ``s(index, Number)`` so that hospitals grounded together stay apart, and the
    facts are program text (``FactBase.text``) rather than symbols; ``subjects`` and
    ``readings`` keep the plain symbols.
    """
    base = FactBase()
    plan = _measure_plan(measures if measures is not None else sorted(ctx.kb.measures))
    emit: _SymbolFacts | _TextFacts = _SymbolFacts(base) if index is None else _TextFacts(base, index)
    canonical: dict[Symbol, KeySymbol] = {HOSPITAL: HOSPITAL}
    for subject, parent, member_class in _subjects(ctx):
        subject.symbol = canonical.setdefault(subject.symbol, KeySymbol(subject.symbol))
        if parent is not None:
            emit.member(parent, member_class or "", subject.symbol)
        if subject.symbol in base.subjects:
            continue
        base.subjects[subject.symbol] = subject
        for kind in _kinds(subject):
            emit.kind(subject.symbol, kind)
        for member in _known_populations(subject, ctx.hospital):
            emit.population(subject.symbol, member)
        _add_values(base, emit, subject, ctx, plan.get(subject.cls, []))
    by_selector: dict[tuple[str, str], list[Symbol]] = {}
    for subject in base.subjects.values():
        if subject.cls in ("hospital", "staff"):
            role = subject.obj.role if subject.cls == "staff" else ""
            by_selector.setdefault((subject.cls, role), []).append(subject.symbol)
    for root, selector in evaluate:
        for symbol in by_selector.get(_selector(selector), ()):
            emit.evaluate(symbol, root)
    base.facts.sort()
    return base


class _SymbolFacts:
    """Facts as clingo symbols (one hospital alone: what-if overrides and the planner edit them)."""

    def __init__(self, base: FactBase) -> None:
        self.facts = base.facts

    def member(self, parent: Symbol, member_class: str, symbol: Symbol) -> None:
        self.facts.append(Function("member", [parent, Function(member_class), symbol]))

    def kind(self, symbol: Symbol, kind: Symbol) -> None:
        self.facts.append(Function("kind", [symbol, kind]))

    def population(self, symbol: Symbol, member_class: str) -> None:
        self.facts.append(Function("known_population", [symbol, Function(member_class)]))

    def value(self, symbol: Symbol, measure: Symbol, value: int) -> None:
        self.facts.append(Function("value", [symbol, measure, Number(value)]))

    def evaluate(self, symbol: Symbol, root: str) -> None:
        self.facts.append(Function("evaluate", [symbol, Function(root)]))


class _TextFacts:
    """Facts as program text, for a batch chunk: a hospital has ~2,000 facts, and making each a
    clingo symbol and printing it back was a tenth of a batch run.

    Still nothing of the profile is formatted into the text by hand: subjects are
    chunk-local ``s(Index, Number)`` (clingo interns every symbol it sees for good, so terms
    built from each hospital's own ids would make a long-running worker grow without bound);
    measures and kinds are clingo's own serialisation of their symbols (which escapes quotes,
    backslashes and newlines), cached; classes and requirement ids are KB identifiers;
    values are integers.
    """

    def __init__(self, base: FactBase, index: int) -> None:
        self.base, self.index = base, index
        self.text = base.text
        self.local: dict[Symbol, str] = {}

    def term(self, symbol: Symbol) -> str:
        found = self.local.get(symbol)
        if found is None:
            found = self.local[symbol] = f"s({self.index},{len(self.local)})"
            self.base.local_subjects.append(symbol)
        return found

    def member(self, parent: Symbol, member_class: str, symbol: Symbol) -> None:
        self.text.append(f"member({self.term(parent)},{member_class},{self.term(symbol)}).\n")

    def kind(self, symbol: Symbol, kind: Symbol) -> None:
        self.text.append(f"kind({self.term(symbol)},{_printed(kind)}).\n")

    def population(self, symbol: Symbol, member_class: str) -> None:
        self.text.append(f"known_population({self.term(symbol)},{member_class}).\n")

    def value(self, symbol: Symbol, measure: Symbol, value: int) -> None:
        self.text.append(f"value({self.term(symbol)},{_printed(measure)},{value}).\n")

    def evaluate(self, symbol: Symbol, root: str) -> None:
        self.text.append(f"evaluate({self.term(symbol)},{root}).\n")


_PRINTED: dict[Symbol, str] = {}


def _printed(symbol: Symbol) -> str:
    """clingo's text of a measure or kind symbol, printed once per worker."""
    found = _PRINTED.get(symbol)
    if found is None:
        found = _PRINTED[symbol] = str(symbol)
    return found


_PLANS: dict[tuple[Symbol, ...], dict[str, list[tuple[Symbol, Callable[..., Reading | None], Symbol]]]] = {}


def _measure_plan(
    measures: list[Symbol],
) -> dict[str, list[tuple[Symbol, Callable[..., Reading | None], Symbol]]]:
    """Per subject class, the measures that apply to it with their family function and key.

    Taking clingo symbols apart is slow; a plan is computed once per set of measures.
    """
    key = tuple(measures)
    if key not in _PLANS:
        plan: dict[str, list[tuple[Symbol, Callable[..., Reading | None], Symbol]]] = {}
        for measure in measures:
            measure = DecodedSymbol(measure)
            family_name, measure_key = measure.arguments[0].name, measure.arguments[1]
            for cls, families in FAMILIES.items():
                if family_name in families:
                    plan.setdefault(cls, []).append((measure, families[family_name], measure_key))
        _PLANS[key] = plan
    return _PLANS[key]


_SELECTORS: dict[Symbol, tuple[str, str]] = {}


def _selector(selector: Symbol) -> tuple[str, str]:
    """``hospital`` -> ("hospital", ""), ``staff(Role)`` -> ("staff", Role); decoded once."""
    found = _SELECTORS.get(selector)
    if found is None:
        found = ("hospital", "") if selector.name == "hospital" else ("staff", selector.arguments[0].name)
        _SELECTORS[selector] = found
    return found


def _add_values(
    base: FactBase,
    emit: _SymbolFacts | _TextFacts,
    subject: Subject,
    ctx: Context,
    plan: list[tuple[Symbol, Callable[..., Reading | None], Symbol]],
) -> None:
    for measure, family, key in plan:
        reading = family(subject, key, ctx)
        if reading is None:
            continue
        base.readings[(subject.symbol, measure)] = reading
        if reading.value is None:
            continue
        if not CLINGO_MIN <= reading.value <= CLINGO_MAX:
            raise EngineError(f"{subject.path}: value {reading.value} of {measure} exceeds clingo's integers")
        emit.value(subject.symbol, measure, reading.value)
