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
(:func:`zhunru.solver.facts._known_populations`).  A difference is a link.

Not modelled (documented in the README): a change that depends on the member's chosen
attributes (a new training record with topic T and passed raises its holder's
``m(trained, T)``), and a reading that a member makes unknown (a device with no
features in ``m(equipment_featured, …)``); both are reported in
:attr:`Links.unmodelled`.
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


@dataclass
class Links:
    lifts: dict[tuple[Symbol, Symbol], list[Lift]] = field(default_factory=dict)
    closers: dict[tuple[Symbol, str], list[Any]] = field(default_factory=dict)  # (subject, class) -> members
    unmodelled: list[tuple[Symbol, Symbol, Any]] = field(default_factory=list)


def find_links(
    members: Iterable[Any],
    facts: FactBase,
    ctx: Context,
    reads: dict[Symbol, list[Symbol]],
    closed: set[tuple[Symbol, str]],
) -> Links:
    """Every measure read in ``reads`` (subject → measures) and every population each member changes."""
    links = Links()
    for member in members:
        hospital, changed = _with_member(ctx, facts, member)
        for subject, obj in changed.values():
            _measures(links, member, subject, obj, reads.get(subject.symbol, []), ctx)
        for subject in _population_subjects(facts, hospital, changed):
            for cls in _known_populations(subject, hospital):
                if (subject.symbol, cls) not in closed:
                    links.closers.setdefault((subject.symbol, cls), []).append(member)
    return links


def _measures(links: Links, member: Any, subject: Subject, obj: Any, measures: list[Symbol], ctx: Context) -> None:
    after_subject = dataclasses.replace(subject, obj=obj)
    for measure in measures:
        before, after = read(subject, measure, ctx), read(after_subject, measure, ctx)
        old = before.value if before else None
        new = after.value if after else None
        if new == old:
            continue
        if new is None:
            links.unmodelled.append((subject.symbol, measure, member))
            continue
        lift = Lift(subject.symbol, measure, member, new - (old or 0))
        links.lifts.setdefault((subject.symbol, measure), []).append(lift)


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
