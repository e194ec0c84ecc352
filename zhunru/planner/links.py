"""Links: what adding a member changes beyond the member itself.

A member a plan adds (a device, a unit, a hire, a training record) is counted by the
``count``/``forall`` nodes over its list, but applying the edit also changes what
clingo reads elsewhere:

* **measures** that aggregate the list — ``m(equipment, K)`` of the unit and of the
  hospital count the devices of kind K, a department's physicians count hires …;
* **populations** — a list the profile left undeclared becomes declared (the edit
  creates it), so ``known_population`` holds and "at most"/"every" requirements over
  it can hold, "at least" ones can fail.

Nothing here is written per family: the profile records are rebuilt with the member
added, and every measure the requirements read on the records that changed is read
again (:func:`zhunru.solver.measures.read`), as are the declared populations
(:func:`zhunru.solver.facts._known_populations`).  A difference is a link.  Members of
one pool differ only by id, so each pool is read once; readings of the profile's own
subjects come from the fact base.

Links that depend on a member's chosen attributes are built by the problem from two
tables of :mod:`zhunru.planner.families` and recorded here for the reference MILP:
:data:`~zhunru.planner.families.RAISED_BY` (:attr:`Links.raises`: a training record with
topic T, passed, makes its holder's ``m(trained, T)`` 1) and
:data:`~zhunru.planner.families.SUMMED_FLAGS` (:attr:`Links.sums`: a device with feature
F, new or upgraded, adds its quantity to ``m(equipment_featured, (K, F))``).  A reading
a member would make unknown is reported in :attr:`Links.unmodelled`.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from clingo import Symbol
from zhunru.solver.facts import HOSPITAL, FactBase, _known_populations
from zhunru.solver.measures import Context, Subject, read

_LISTS = {"unit": "units", "equipment": "equipment", "staff": "staff", "training": "trainings"}
_INDEX = re.compile(r"^(units|staff)\[(\d+)\]$")


@dataclass(frozen=True)
class Lift:
    """Adding ``member`` raises the reading of ``measure`` on ``subject`` by ``delta`` (and makes it known)."""

    subject: Symbol
    measure: Symbol
    member: Any  # problem.Member
    delta: int


@dataclass(frozen=True)
class Raise:
    """Adding ``member`` with each of ``choices`` (its attributes) set to 1 raises its holder's flag to 1."""

    member: Any  # problem.Member
    choices: list[Any]  # problem.Choice


@dataclass
class Links:
    lifts: dict[tuple[Symbol, Symbol], list[Lift]] = field(default_factory=dict)
    closers: dict[tuple[Symbol, str], list[Any]] = field(default_factory=dict)  # (subject, class) -> members
    raises: dict[tuple[Symbol, Symbol], list[Raise]] = field(default_factory=dict)  # (holder, flag) -> raisers
    # (subject, summed measure) -> (choice of a member's flag, weight): the flag chosen 1 adds the weight
    sums: dict[tuple[Symbol, Symbol], list[tuple[Any, int]]] = field(default_factory=dict)
    unmodelled: list[tuple[Symbol, Symbol, Any]] = field(default_factory=list)


def find_links(
    members: Iterable[Any],
    facts: FactBase,
    ctx: Context,
    reads: dict[Symbol, list[Symbol]],
    closed: set[tuple[Symbol, str]],
) -> Links:
    """Every measure read in ``reads`` (subject → measures) and every population each member changes.

    Members of one pool (same place, class and kind) have the same record but for their
    id, so the effects of the first are those of every other: each pool (``template``) is read once.
    """
    links = Links()
    before: dict[tuple[Symbol, Symbol], int | None] = {}
    effects_of: dict[tuple[Any, ...], Effects] = {}
    for member in members:
        effects = effects_of.get(member.template)
        if effects is None:
            effects = effects_of[member.template] = _effects(member, facts, ctx, reads, closed, before)
        for subject, measure, delta in effects.lifts:
            if delta is None:
                links.unmodelled.append((subject, measure, member))
            else:
                links.lifts.setdefault((subject, measure), []).append(Lift(subject, measure, member, delta))
        for key in effects.closers:
            links.closers.setdefault(key, []).append(member)
    return links


@dataclass
class Effects:
    """What adding one member changes: (subject, measure, delta or ``None`` = made unknown), lists declared."""

    lifts: list[tuple[Symbol, Symbol, int | None]] = field(default_factory=list)
    closers: list[tuple[Symbol, str]] = field(default_factory=list)


def _effects(
    member: Any,
    facts: FactBase,
    ctx: Context,
    reads: dict[Symbol, list[Symbol]],
    closed: set[tuple[Symbol, str]],
    before: dict[tuple[Symbol, Symbol], int | None],
) -> Effects:
    effects = Effects()
    hospital, changed = _with_member(ctx, facts, member)
    for subject, obj in changed.values():
        after_subject = dataclasses.replace(subject, obj=obj)
        for measure in reads.get(subject.symbol, []):
            old = _before(before, facts, subject, measure, ctx)
            after = read(after_subject, measure, ctx)
            new = after.value if after else None
            if new != old:
                effects.lifts.append((subject.symbol, measure, None if new is None else new - (old or 0)))
    for subject in _population_subjects(facts, hospital, changed):
        for cls in _known_populations(subject, hospital):
            if (subject.symbol, cls) not in closed:
                effects.closers.append((subject.symbol, cls))
    return effects


def _before(
    cache: dict[tuple[Symbol, Symbol], int | None], facts: FactBase, subject: Subject, measure: Symbol, ctx: Context
) -> int | None:
    """The reading without the member: the fact base's for a subject of the profile, else read once."""
    key = (subject.symbol, measure)
    if key not in cache:
        found = facts.readings.get(key) if subject.symbol in facts.subjects else read(subject, measure, ctx)
        cache[key] = found.value if found else None
    return cache[key]


Changed = dict[Symbol, tuple[Subject, Any]]


def _with_member(ctx: Context, facts: FactBase, member: Any) -> tuple[Any, Changed]:
    """The hospital with ``member`` (inside its new ancestors) added, and the records that changed."""
    changed: Changed = {}
    obj = member.subject.obj
    node = member
    while node.parent is not None and node.cls != "staff":  # a hire's training, a new unit's device
        parent = node.parent
        attribute = _LISTS[node.cls]
        parent_obj = parent.subject.obj.model_copy(update={attribute: [*_items(parent.subject.obj, attribute), obj]})
        changed[parent.symbol] = (parent.subject, parent_obj)
        obj, node = parent_obj, parent
    hospital = ctx.hospital
    top = facts.subjects.get(node.pool[0])
    if node.cls == "staff" or top is None or top.symbol == HOSPITAL:
        attribute = _LISTS[node.cls]
        hospital = hospital.model_copy(update={attribute: [*_items(hospital, attribute), obj]})
    else:
        attribute = _LISTS[node.cls]
        owner = top.obj.model_copy(update={attribute: [*_items(top.obj, attribute), obj]})
        changed[top.symbol] = (top, owner)
        hospital = _replace_in(hospital, top.path, owner)
    changed[HOSPITAL] = (facts.subjects[HOSPITAL], hospital)
    return hospital, changed


def _items(obj: Any, attribute: str) -> list[Any]:
    return list(getattr(obj, attribute) or [])


def _replace_in(hospital: Any, path: str, obj: Any) -> Any:
    """The hospital with the unit or staff record at ``path`` (``units[2]``, ``staff[0]``) replaced."""
    match = _INDEX.match(path)
    assert match is not None, path
    attribute, index = match.group(1), int(match.group(2))
    items = _items(hospital, attribute)
    items[index] = obj
    return hospital.model_copy(update={attribute: items})


def _population_subjects(facts: FactBase, hospital: Any, changed: Changed) -> list[Subject]:
    """The existing subjects whose declared populations an addition may change (units: through staff)."""
    subjects = {symbol: dataclasses.replace(s, obj=obj) for symbol, (s, obj) in changed.items()}
    for symbol, subject in facts.subjects.items():
        match = _INDEX.match(subject.path) if subject.cls == "unit" else None
        if match is not None and symbol not in subjects:
            subjects[symbol] = dataclasses.replace(subject, obj=hospital.units[int(match.group(2))])
    return list(subjects.values())
