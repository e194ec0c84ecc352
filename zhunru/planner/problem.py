"""A repair problem: the Z3 model of the targets with the changes a plan may make.

Built from the same knowledge-base records and hospital facts as the clingo
evaluation (through :class:`~zhunru.solver.z3model.Z3Model`), plus:

* **choices** — measures of existing subjects that may be bought (cost file
  ``change``) or waited for (cost file ``wait``), each with a small domain: the
  current value and the values the requirements reading it compare with;
* **new members** — units, devices, hires and training records that lower-bound
  counts may need (cost file ``new``), each with a literal saying it is added and
  its own attribute choices (cost file ``new_attributes``).  A pool holds at most
  as many members as the largest count over it needs (and ``max_new``).

Nothing is written per specification: pools come from ``count`` nodes, domains from
the thresholds of the leaves, edits and records from :mod:`zhunru.planner.families`.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any, Literal

import z3
from clingo import Function, String, Symbol
from zhunru.solver.facts import HOSPITAL, FactBase, _known_populations
from zhunru.solver.kb import KnowledgeBase, Requirement
from zhunru.solver.ladders import ladders
from zhunru.solver.measures import Context, Subject, ladder_of, read
from zhunru.solver.z3model import (
    Domain,
    Lift,
    Pair,
    Z3Model,
    as_z3,
    boolean,
    conjunction,
    decoded,
    disjunction,
    exactly_one,
    fold_or,
    index,
    leaf,
    negation,
    text,
    weighted_sum,
)

from zhunru.planner.costs import MONEY_SCALE, CostFile, NewMember, Price
from zhunru.planner.departments import TOTALS, department_domains, hospital_measures, total_names, total_values
from zhunru.planner.families import (
    ATTRIBUTES,
    COUNTED_BY,
    EDITORS,
    GROWS,
    RAISED_BY,
    RECORD_LISTS,
    SUMMED_FLAGS,
    Change,
    IdMaker,
    blank_member,
    join,
    reachable,
    readable,
)
from zhunru.planner.links import Links, Raise, find_links
from zhunru.profile import Equipment, Staff, Training, Unit

Phase = Literal["buy", "wait", "both"]
Formulation = Literal["onehot", "int"]
LEAVES = ("cmp", "cmp_rank", "attest")
_MODELS: dict[str, Any] = {"staff": Staff, "unit": Unit, "equipment": Equipment, "training": Training}
_ROLES = ("physician", "nurse", "technician")


@dataclass
class Member:
    """A member a plan may add: a unit, a device, a hire, a training record."""

    symbol: Symbol
    cls: str  # subject class of the member (staff, unit, equipment, training)
    pool: tuple[Symbol, str, str]  # (parent, class in the parent, kind counted)
    index: int
    exists: z3.BoolRef
    price: NewMember
    parent: Member | None
    subject: Subject
    record: dict[str, Any]
    list_path: str  # readable profile path of the list it is added to ("" when inside a new parent)
    memberships: list[tuple[Symbol, str]]
    # the record a choice's edit adds (staff.trained adds a training record): present when the choice
    # takes ``record_value``, priced and rendered by the choice, its attributes fixed
    record_of: Choice | None = None
    record_value: int | None = None

    @property
    def template(self) -> tuple[Any, ...]:
        """Members with the same template have the same record but for their id (one pool)."""
        return (*self.pool, self.record_of.measure if self.record_of else None, self.record_value)

    @property
    def free(self) -> bool:
        """Bundled with a new owner (a hire's own training record): costs nothing."""
        return self.price.bundled and self.parent is not None

    def cost(self) -> tuple[int, int]:
        if self.free:
            return 0, 0
        return round(self.price.money * MONEY_SCALE), self.price.months


@dataclass
class Choice:
    """A measure that may take one of a few values; ``values[0]`` is the current (or blank) one."""

    subject: Symbol
    measure: Symbol
    cls: str
    phase: Literal["buy", "wait", "attr"]
    values: list[int | None]
    money: list[int]
    months: list[int]
    domain: Domain
    ladder: str | None
    member: Member | None = None
    leaves: list[str] = field(default_factory=list)

    @property
    def family(self) -> str:
        return self.measure.arguments[0].name

    @property
    def key(self) -> Symbol:
        return self.measure.arguments[1]

    @property
    def key_of(self) -> tuple[Symbol, Symbol]:
        return self.subject, self.measure

    def adds(self) -> z3.BoolRef:
        """True when a value is chosen whose edit adds a record (any truthy value but the current one)."""
        return z3.Or(
            z3.BoolVal(False), *[s for v, s in zip(self.values[1:], self.domain.selectors[1:], strict=True) if v]
        )


@dataclass
class Read:
    """A leaf reading a measure of a subject, with the comparison it makes."""

    requirement: str
    op: str
    threshold: int


class Problem:
    """The Z3 repair model of one hospital, date, set of targets and cost file."""

    def __init__(
        self,
        kb: KnowledgeBase,
        facts: FactBase,
        ctx: Context,
        data: dict[str, Any],
        roots: list[tuple[Symbol, str]],
        costs: CostFile,
        *,
        phase: Phase = "buy",
        frozen_paths: tuple[str, ...] = (),
        unfrozen: tuple[str, ...] = (),
        formulation: Formulation = "onehot",
        track: bool = False,
        groups: list[list[tuple[Symbol, str]]] | None = None,
    ) -> None:
        self.kb, self.facts, self.ctx, self.data, self.roots, self.costs = kb, facts, ctx, data, roots, costs
        self.groups = groups if groups is not None else [[root] for root in roots]
        self.phase, self.frozen_paths, self.formulation = phase, frozen_paths, formulation
        self.frozen_families = {f for f in costs.frozen if not _unfrozen(f, unfrozen)}
        self.members: list[Member] = []
        self.choices: list[Choice] = []
        self._choices: dict[tuple[Symbol, Symbol], Choice] = {}
        self.constraints: list[z3.BoolRef] = []
        self.goals: list[z3.BoolRef] = []  # every target group met (the constraints are the edit space)
        self.links = Links()
        self.departments: dict[Symbol, Domain] = {}  # department readings as clingo sees them after the edits
        self.closing_choices: dict[tuple[Symbol, str], list[Choice]] = {}
        self.reads: dict[tuple[Symbol, Symbol], list[Read]] = defaultdict(list)
        self.counted: dict[Symbol, list[tuple[Symbol, str]]] = defaultdict(list)  # member -> count nodes
        self._real: dict[tuple[Symbol, str], list[Symbol]] = {}
        self._kinds: dict[Symbol, set[str]] = {}
        self._virtual: dict[tuple[Symbol, str], list[Member]] = defaultdict(list)
        self._by_symbol: dict[Symbol, Member] = {}
        self._pools: dict[tuple[Symbol, str, str], list[Member]] = {}
        self._visits: dict[tuple[Symbol, str], list[Requirement]] = defaultdict(list)
        self._seen: set[tuple[Symbol, str]] = set()
        self._declared: set[tuple[Symbol, str]] = set()
        self._read_facts()
        for subject, root in roots:
            self._walk(subject, root)
        self.raisers: dict[tuple[Symbol, Symbol], list[tuple[Member, list[Symbol]]]] = defaultdict(list)
        self._raise_reads()
        self.summands: dict[tuple[Symbol, Symbol], list[tuple[Symbol, Symbol, int]]] = defaultdict(list)
        self._only_up: set[tuple[Symbol, Symbol]] = set()
        self._summed_reads()
        self._extra: dict[Symbol, set[int]] = {}  # department measure -> values a bed total needs
        self._parts: set[Symbol] = set()  # department measures a bed total sums
        self._total_reads()
        self.model = Z3Model(kb, facts, track=track)
        self._build()

    # -- discovery: which measures are read, which members may be added --------------------

    def _read_facts(self) -> None:
        facts = index(self.facts)
        self._real, self._kinds, self._declared = facts.members, facts.kinds, facts.closed

    def _candidates(self, x: Symbol, node: Requirement) -> list[Symbol]:
        key = (x, node.member_class or "")
        found = [*self._real.get(key, []), *(m.symbol for m in self._virtual.get(key, []))]
        if node.member_kind == "any":
            return found
        return [y for y in found if node.member_kind in self._kinds_of(y)]

    def _kinds_of(self, y: Symbol) -> set[str]:
        member = self._by_symbol.get(y)
        if member is None:
            return self._kinds.get(y, set())
        kinds = {member.pool[2]}
        if member.cls == "staff":
            kinds = {member.record["role"]} | ({"other_technical"} if member.record["role"] != "physician" else set())
        return kinds

    def _walk(self, x: Symbol, rid: str) -> None:
        if (x, rid) in self._seen:
            return
        self._seen.add((x, rid))
        node = self.kb.requirements[rid]
        if node.kind in LEAVES:
            spec = leaf(node)
            threshold = spec.threshold
            self.reads[(x, spec.measure)].append(Read(rid, spec.op, threshold if threshold is not None else 1))
            if threshold is not None and spec.op in ("ge", "gt", "eq"):
                self._measure_pool(x, spec.measure, threshold + (spec.op == "gt"))
        elif node.kind in ("count", "forall"):
            self._visits[(x, node.member_class or "")].append(node)
            if node.kind == "count" and node.op in ("ge", "gt", "eq"):
                needed = (node.threshold or 0) + (1 if node.op == "gt" else 0)
                self._pool(x, node.member_class or "", node.member_kind or "any", needed)
            for y in self._candidates(x, node):
                self._visit_member(x, node, y)
        elif node.kind != "ratio":
            for child in node.children:
                self._walk(x, child)

    def _raise_reads(self) -> None:
        """New members that may raise a flag their holder reads get read the measures that raise it.

        A new training record of a physician whose ``m(trained, T)`` a requirement reads may be
        given topic T and passed (:data:`~zhunru.planner.families.RAISED_BY`).
        """
        for (x, measure), reads in list(self.reads.items()):
            member = self._by_symbol.get(x)
            subject = member.subject if member else self.facts.subjects.get(x)
            entry = RAISED_BY.get((subject.cls, measure.arguments[0].name)) if subject else None
            if entry is None:
                continue
            member_class, needed = entry
            wanted = [decoded(m) for m in needed(measure.arguments[1])]
            for raiser in self._virtual.get((x, member_class), []):
                self.raisers[(x, measure)].append((raiser, wanted))
                for m in wanted:
                    self.reads[(raiser.symbol, m)].append(Read(reads[0].requirement, "eq", 1))

    def _summed_reads(self) -> None:
        """Members a summed flag counts (devices of kind K with feature F) get read the flag.

        A new device declares the flag (false until a plan sets it), so it never makes the sum
        unknown; an existing device whose flag is false or missing may be upgraded to true only.
        """
        for (x, measure), reads in list(self.reads.items()):
            subject = self.facts.subjects.get(x)
            entry = SUMMED_FLAGS.get((subject.cls, measure.arguments[0].name)) if subject else None
            if entry is None:
                continue
            member_class, summed = entry
            kind, flag = summed(measure.arguments[1])
            flag = decoded(flag)
            for y in self._real.get((x, member_class), []):
                item = self.facts.subjects.get(y)
                reading = read(item, flag, self.ctx) if item and kind in self._kinds.get(y, set()) else None
                if item is None or reading is None or reading.value == 1:
                    continue
                self._only_up.add((y, flag))
                self._add_summand(x, measure, y, flag, item.obj.quantity, reads[0].requirement)
            for member in self._virtual.get((x, member_class), []):
                if member.pool[2] == kind:
                    member.record.setdefault("features", {})[flag.arguments[1].string] = False
                    member.subject.obj = _MODELS[member.cls].model_validate(member.record)
                    self._add_summand(x, measure, member.symbol, flag, 1, reads[0].requirement)

    def _total_reads(self) -> None:
        """The departments a bed total sums get read the family it sums, with the values the total needs.

        A plan meets ``m(dept_beds_total, (A, B)) >= 100`` by changing A's or B's beds, so each is read
        (a ``sum`` read: no threshold of its own) and offered the values of :func:`total_values`.
        """
        totals: list[tuple[list[Symbol], str, int]] = []
        for (x, measure), reads in list(self.reads.items()):
            if x != HOSPITAL or measure.arguments[0].name not in TOTALS:
                continue
            family = TOTALS[measure.arguments[0].name]
            parts = [Function("m", [Function(family), String(name)]) for name in total_names(measure)]
            self._parts.update(parts)
            for part in parts:
                self.reads[(HOSPITAL, part)] += [Read(r.requirement, "sum", r.threshold) for r in reads]
            totals += [(parts, r.op, r.threshold) for r in reads]
        if totals:
            self._extra = total_values(totals, self._base_values, self._now)

    def _base_values(self, measure: Symbol) -> list[int | None]:
        """A department measure's values from the leaves reading it alone (current first)."""
        return _domain(self._now(measure), self.reads.get((HOSPITAL, measure), []), None, wait=False)

    def _add_summand(self, x: Symbol, measure: Symbol, y: Symbol, flag: Symbol, weight: int, rid: str) -> None:
        self.summands[(x, measure)].append((y, flag, weight))
        self.reads[(y, flag)].append(Read(rid, "eq", 1))

    def _visit_member(self, x: Symbol, node: Requirement, y: Symbol) -> None:
        if y in self._by_symbol:
            self.counted[y].append((x, node.id))
        assert node.condition
        self._walk(y, node.condition)

    def _measure_pool(self, x: Symbol, measure: Symbol, bound: int) -> None:
        """Devices (members) a measure counts, e.g. ``m(equipment, K)``: enough to reach ``bound``."""
        member = self._by_symbol.get(x)
        subject = member.subject if member else self.facts.subjects.get(x)
        family = measure.arguments[0].name
        if subject is not None and (subject.cls, family) in SUMMED_FLAGS:
            cls, summed = SUMMED_FLAGS[(subject.cls, family)]
            kind = summed(measure.arguments[1])[0]
        else:
            cls = COUNTED_BY.get((subject.cls, family)) if subject else None
            kind = measure.arguments[1].string if cls else ""
        if subject is None or cls is None:
            return
        reading = read(subject, measure, self.ctx)
        current = reading.value if reading and reading.value is not None else 0
        # one device even when enough are there, if its list is undeclared: adding it declares the list
        undeclared = member is None and (x, cls) not in self._declared
        self._pool(x, cls, kind, max(bound - current, int(undeclared)))

    def _pool(self, x: Symbol, cls: str, kind: str, needed: int) -> None:
        size = min(needed, self.costs.max_new)
        price = self.costs.new_member(cls, kind)
        if price is None or size <= 0 or self.phase == "wait":
            return
        parent = self._by_symbol.get(x)
        if parent is not None and parent.parent is not None:
            return  # two levels of new members at most (a hire and their training)
        list_path = self._list_path(x, cls)
        if list_path is None or self._frozen_path(list_path):
            return
        pool = self._pools.setdefault((x, cls, kind), [])
        while len(pool) < size:
            member = self._new_member(x, cls, kind, price, parent, list_path, len(pool))
            if member is None:
                return
            pool.append(member)
            self._register(member)

    def _list_path(self, x: Symbol, cls: str) -> str | None:
        """Where a new member of class ``cls`` under ``x`` is added to the profile."""
        if x in self._by_symbol:
            return "staff" if cls in ("staff", "dedicated_staff") else ""
        subject = self.facts.subjects.get(x)
        if subject is None:
            return None
        path = readable(self.data, subject.path)
        if cls in ("staff", "dedicated_staff"):
            return "staff" if subject.cls in ("hospital", "unit") else None
        lists = {"unit": "units", "equipment": "equipment", "training": "trainings"}
        if cls not in lists or (cls == "unit" and subject.cls != "hospital"):
            return None
        return join(path, lists[cls])

    def _new_member(
        self, x: Symbol, cls: str, kind: str, price: NewMember, parent: Member | None, list_path: str, index: int
    ) -> Member | None:
        staff_like = cls in ("staff", "dedicated_staff")
        role = kind if kind in _ROLES else price.role
        if staff_like and role is None:
            return None
        member_cls = "staff" if staff_like else cls
        name = role if staff_like else cls
        ident = f"new-{name}-{len(self.members) + 1}"
        record = blank_member(cls, kind, ident, role)
        if record is None or (kind == "any" and not staff_like):
            return None
        memberships = [(x, cls)]
        if staff_like:
            unit = self.facts.subjects.get(x) or (parent.subject if parent else None)
            if unit is not None and unit.cls == "unit":
                record["assignments"] = [{"unit": unit.obj.id, "dedicated": cls == "dedicated_staff"}]
                memberships = [(HOSPITAL, "staff"), (x, "staff")]
                memberships += [(x, "dedicated_staff")] if cls == "dedicated_staff" else []
            else:
                memberships = [(HOSPITAL, "staff")]
        elif cls == "equipment" and x != HOSPITAL:
            memberships.append((HOSPITAL, "equipment"))
        symbol = Function("new", [String(ident)])
        obj = _MODELS[member_cls].model_validate(record)
        owner = parent.subject.obj if parent and member_cls == "training" else None
        if owner is None and member_cls == "training":
            existing = self.facts.subjects.get(x)
            owner = existing.obj if existing else None
        subject = Subject(symbol, member_cls, obj, ident, record.get("name") or ident, owner=owner)
        exists = boolean(f"add:{ident}")
        return Member(
            symbol, member_cls, (x, cls, kind), index, exists, price, parent, subject, record, list_path, memberships
        )

    def _register(self, member: Member) -> None:
        self.members.append(member)
        self._by_symbol[member.symbol] = member
        for key in member.memberships:
            self._virtual[key].append(member)
        for key in member.memberships:
            for node in list(self._visits.get(key, [])):
                if node.member_kind == "any" or node.member_kind in self._kinds_of(member.symbol):
                    self._visit_member(key[0], node, member.symbol)

    def _frozen_path(self, path: str) -> bool:
        return any(path == f or path.startswith((f + ".", f + "[")) for f in self.frozen_paths)

    # -- the model ------------------------------------------------------------------------------

    def _build(self) -> None:
        model = self.model
        done: set[tuple[Symbol, Symbol]] = set()
        while len(done) < len(self.reads):  # a record member (see _records) brings reads of its own
            pending = [item for item in self.reads.items() if item[0] not in done]
            for (x, measure), reads in sorted(pending, key=lambda item: f"({text(item[0][0])}, {text(item[0][1])})"):
                done.add((x, measure))
                self._measure(x, measure, reads)
        for member in self.members:
            model.exists[member.symbol] = member.exists
            for cls in _known_populations(member.subject, self.ctx.hospital):
                model.declare_closed(member.symbol, cls)
            model.extra_kinds[member.symbol] = self._kinds_of(member.symbol)
            for key in member.memberships:
                model.extra_members[key].append(member.symbol)
        self._link()
        self._departments()
        self._member_constraints()
        self.goals = [as_z3(fold_or(model.folded(x, root)[0] for x, root in group)) for group in self.groups]

    def _link(self) -> None:
        """What members and record-adding edits change beyond themselves (:mod:`zhunru.planner.links`)."""
        by_subject: dict[Symbol, list[Symbol]] = defaultdict(list)
        for x, measure in self.reads:
            by_subject[x].append(measure)
        self.links = find_links(self.members, self.facts, self.ctx, by_subject, self.model.declared())
        for key, lifts in self.links.lifts.items():
            own = [lift for lift in lifts if lift.member.record_of is not None and lift.member.record_of.key_of == key]
            for lift in own:  # the record's effect on its own choice's measure is the choice itself
                lifts.remove(lift)
            self.model.lifts[key] = [Lift(lift.member.exists, lift.delta) for lift in lifts]
        for key, members in self.links.closers.items():
            self.model.closers.setdefault(key, []).extend(m.exists for m in members)
        self._raises()
        self._summed()
        for choice in self.choices:
            member_class = RECORD_LISTS.get((choice.cls, choice.family))
            if choice.phase == "buy" and member_class and (choice.subject, member_class) not in self.model.declared():
                self.closing_choices.setdefault((choice.subject, member_class), []).append(choice)
                self.model.closers.setdefault((choice.subject, member_class), []).append(choice.adds())

    def _departments(self) -> None:
        """Departments as one list (:mod:`zhunru.planner.departments`): read as clingo reads them after the edits."""
        self.departments = department_domains(
            self.ctx.hospital, hospital_measures(self.reads), lambda m: self._choices.get((HOSPITAL, m)), self._now
        )
        for measure, domain in self.departments.items():
            self.model.domains[(HOSPITAL, measure)] = domain

    def _now(self, measure: Symbol) -> int | None:
        reading = self._reading(HOSPITAL, measure)
        return reading.value if reading else None

    def _reading(self, x: Symbol, measure: Symbol) -> Any:
        """The fact base's reading; a department a bed total sums, which no leaf reads alone, is read here."""
        reading = self.facts.readings.get((x, measure))
        if reading is None and x == HOSPITAL and measure in self._parts:
            reading = read(self.facts.subjects[HOSPITAL], measure, self.ctx)
        return reading

    def _raises(self) -> None:
        """A member raises its holder's flag when it is added with every raising measure chosen 1."""
        for key, raisers in self.raisers.items():
            for member, wanted in raisers:
                choices = [self._choices.get((member.symbol, m)) for m in wanted]
                if any(c is None or 1 not in c.values for c in choices):
                    continue  # an attribute it cannot be given (frozen): it never raises the flag
                found = [c for c in choices if c is not None]
                literal = conjunction([member.exists, *[c.domain.selectors[c.values.index(1)] for c in found]])
                self.model.lifts.setdefault(key, []).append(Lift(literal, 1, raises=True))
                self.links.raises.setdefault(key, []).append(Raise(member, found))

    def _summed(self) -> None:
        """A summed flag grows by a member's weight when the member exists with its flag chosen 1."""
        for key, summands in self.summands.items():
            for y, flag, weight in summands:
                choice = self._choices.get((y, flag))
                if choice is None or 1 not in choice.values:
                    continue  # frozen or unpriced: the member never adds to the sum
                literal = choice.domain.selectors[choice.values.index(1)]
                member = self._by_symbol.get(y)
                if member is not None:
                    literal = conjunction([member.exists, literal])
                self.model.lifts.setdefault(key, []).append(Lift(literal, weight))
                self.links.sums.setdefault(key, []).append((choice, weight))

    def _measure(self, x: Symbol, measure: Symbol, reads: list[Read]) -> None:
        member = self._by_symbol.get(x)
        family = measure.arguments[0].name
        if member is not None:
            reading = read(member.subject, measure, self.ctx)
            current = reading.value if reading else None
            attribute = ATTRIBUTES.get((member.cls, family)) if member.record_of is None else None
            key = f"{member.cls}.{family}"
            if attribute and attribute.settable(measure.arguments[1]) and key not in self.frozen_families:
                price = self.costs.new_attributes.get(key, Price())
                self._choice(x, measure, member.cls, "attr", current, reads, price, member, member.subject)
            elif current is not None:
                self.model.free[(x, measure)] = current
            return
        subject = self.facts.subjects.get(x)
        if subject is None:
            return
        reading = self._reading(x, measure)
        current = reading.value if reading else None
        key = f"{subject.cls}.{family}"
        path = readable(self.data, reading.path) if reading else ""
        if self._frozen_path(path) or self._frozen_path(readable(self.data, subject.path)):
            return
        if self.phase in ("buy", "both") and key in self.costs.change and key not in self.frozen_families:
            if (subject.cls, family) in EDITORS:
                self._choice(x, measure, subject.cls, "buy", current, reads, self.costs.change[key], None, subject)
        elif self.phase in ("wait", "both") and key in self.costs.wait and current is not None:
            grows = GROWS.get((subject.cls, family))
            if grows and grows(subject, measure.arguments[1], self.ctx):
                self._choice(x, measure, subject.cls, "wait", current, reads, None, None, subject)

    def _choice(
        self,
        x: Symbol,
        measure: Symbol,
        cls: str,
        phase: Literal["buy", "wait", "attr"],
        current: int | None,
        reads: list[Read],
        price: Price | None,
        member: Member | None,
        subject: Subject,
    ) -> None:
        ladder = ladder_of(subject, measure)
        values = _domain(current, reads, ladder, wait=phase == "wait")
        if phase == "buy" and x == HOSPITAL and measure in self._extra:
            values += sorted(self._extra[measure] - set(values))
        if phase == "buy":
            values = [v for v in values if reachable(cls, measure.arguments[0].name, current, v)]
        if (x, measure) in self._only_up:  # a flag a summed measure reads: set, never cleared
            values = [v for v in values if v in (current, 1)]
        if len(values) < 2:
            return
        costs = [_cost(price, phase, current, v, ladder) for v in values]
        if member is not None and member.free:
            costs = [(0, 0)] * len(values)
        name = f"{text(x)}|{text(measure)}"
        if self.formulation == "int" and None not in values:
            term = z3.Int(f"v:{name}")
            selectors = [term == v for v in values]
            self.constraints.append(z3.Or(*selectors))
            domain = Domain(list(values), selectors, term)
        elif len(values) == 2:  # one literal: changed or not
            changed = boolean(f"s:{name}={values[1]}")
            domain = Domain(list(values), [negation(changed), changed])
        else:
            selectors = [boolean(f"s:{name}={v}") for v in values]
            self.constraints.append(exactly_one(selectors))
            domain = Domain(list(values), selectors)
        self.model.domains[(x, measure)] = domain
        choice = Choice(
            x,
            measure,
            cls,
            phase,
            values,
            [c[0] for c in costs],
            [c[1] for c in costs],
            domain,
            ladder,
            member,
            sorted({r.requirement for r in reads}),
        )
        self.choices.append(choice)
        self._choices[(x, measure)] = choice
        if (cls, choice.family) in RECORD_LISTS and phase in ("buy", "attr"):
            self._records(choice, subject)

    def _records(self, choice: Choice, subject: Subject) -> None:
        """The record a choice's edit adds (a training record for staff.trained) is a member too.

        Counts and foralls over the holder's list see it as clingo will after the edit; it exists
        exactly when the choice takes the value whose edit adds it.
        """
        member_class = RECORD_LISTS[(choice.cls, choice.family)]
        for position, value in enumerate(choice.values):
            if position == 0 or not value:
                continue
            record = self._added_record(choice, subject, value)
            if record is None:
                continue
            holder = self._by_symbol.get(choice.subject)
            ident = f"new-record-{len(self.members) + 1}"
            symbol = Function("new", [String(ident)])
            obj = _MODELS[member_class].model_validate(record)
            owner = holder.subject.obj if holder else subject.obj
            member = Member(
                symbol,
                member_class,
                (choice.subject, member_class, record.get("path", member_class)),
                0,
                choice.domain.selectors[position],
                NewMember(),
                holder,
                Subject(symbol, member_class, obj, ident, ident, owner=owner),
                record,
                "",
                [(choice.subject, member_class)],
                record_of=choice,
                record_value=value,
            )
            self._register(member)

    def _added_record(self, choice: Choice, subject: Subject, value: int) -> dict[str, Any] | None:
        """The record the choice's editor (existing subject) or builder (new member) adds for ``value``."""
        if choice.phase == "attr":
            scratch: dict[str, Any] = {}
            ATTRIBUTES[(choice.cls, choice.family)].build(scratch, choice.key, value, self.ctx.as_of, choice.ladder)
            added = [item for items in scratch.values() if isinstance(items, list) for item in items]
        else:
            change = Change(self.data, self.ctx.as_of, IdMaker(self.data))
            editor = EDITORS[(choice.cls, choice.family)]
            edits = editor(change, subject, choice.key, value, readable(self.data, subject.path), choice.ladder)
            added = [e.value for e in edits if e.op == "add" and isinstance(e.value, dict)]
        return dict(added[0]) if len(added) == 1 else None

    def _member_constraints(self) -> None:
        by_member: dict[Symbol, list[Choice]] = defaultdict(list)
        for choice in self.choices:
            if choice.member is not None:
                by_member[choice.member.symbol].append(choice)
        for member in self.members:
            for choice in by_member.get(member.symbol, []):
                self.constraints.append(disjunction([member.exists, choice.domain.selectors[0]]))
            if member.parent is not None:
                self.constraints.append(disjunction([negation(member.exists), member.parent.exists]))
        for pool in self._pools.values():
            for earlier, later in itertools.pairwise(pool):
                self.constraints.append(disjunction([negation(later.exists), earlier.exists]))
        for symbol, choices in by_member.items():
            member = self._by_symbol[symbol]
            exclusive: dict[str, list[z3.BoolRef]] = defaultdict(list)
            for choice in choices:
                attribute = ATTRIBUTES.get((member.cls, choice.family))
                if attribute and attribute.exclusive:
                    exclusive[choice.family] += [
                        s for v, s in zip(choice.values, choice.domain.selectors, strict=True) if v
                    ]
            for selectors in exclusive.values():
                if len(selectors) > 1:
                    self.constraints.append(z3.AtMost(*selectors, 1))

    # -- objectives -------------------------------------------------------------------------------

    def money(self) -> z3.ArithRef:
        terms = [(s, c) for ch in self.choices for s, c in zip(ch.domain.selectors, ch.money, strict=True) if c]
        terms += [(m.exists, m.cost()[0]) for m in self.members if m.cost()[0]]
        return weighted_sum(terms)

    def lead_terms(self) -> list[tuple[z3.BoolRef, int]]:
        """(literal, months): the plan takes at least ``months`` when the literal holds."""
        terms = [(s, m) for ch in self.choices for s, m in zip(ch.domain.selectors, ch.months, strict=True) if m]
        terms += [(m.exists, m.cost()[1]) for m in self.members if m.cost()[1]]
        return terms

    def change_literals(self) -> list[z3.BoolRef]:
        literals = [s for ch in self.choices for s in ch.domain.selectors[1:]]
        return literals + [m.exists for m in self.members if m.record_of is None]

    def decisions(self, model: z3.ModelRef) -> list[z3.BoolRef]:
        """The priced decisions a solution made (what makes two plans different)."""
        chosen: list[z3.BoolRef] = []
        for ch in self.choices:
            for s, money, months in zip(ch.domain.selectors[1:], ch.money[1:], ch.months[1:], strict=True):
                if (money or months or ch.phase != "attr") and z3.is_true(model.eval(s, model_completion=True)):
                    chosen.append(s)
        chosen += [
            m.exists
            for m in self.members
            if m.record_of is None and z3.is_true(model.eval(m.exists, model_completion=True))
        ]
        return chosen

    def pair(self, x: Symbol, requirement: str) -> Pair:
        return self.model.node(x, requirement)

    def member(self, symbol: Symbol) -> Member | None:
        return self._by_symbol.get(symbol)


def _unfrozen(entry: str, unfrozen: tuple[str, ...]) -> bool:
    family = entry.split(".", 1)[-1]
    return any(u in (entry, family) for u in unfrozen)


def _domain(current: int | None, reads: list[Read], ladder: str | None, wait: bool) -> list[int | None]:
    """The current value first, then every value that makes a reading leaf hold (or fail)."""
    wanted: set[int] = set()
    for r in reads:
        t = r.threshold
        wanted.update({"ge": [t, t - 1], "gt": [t + 1, t], "le": [t, t + 1], "lt": [t - 1, t]}.get(r.op, []))
        if r.op == "eq":
            wanted.add(t)
            if t in (0, 1):
                wanted.add(1 - t)
    top = max(ladders()[ladder].values()) if ladder else None
    values = sorted(v for v in wanted if v >= 0 and (top is None or 1 <= v <= top))
    if wait:
        values = [v for v in values if current is not None and v > current]
    return [current, *(v for v in values if v != current)]


def _cost(
    price: Price | None, phase: str, current: int | None, value: int | None, ladder: str | None
) -> tuple[int, int]:
    if phase == "wait":
        return 0, (value or 0) - (current or 0) if value != current else 0
    if price is None:
        return 0, 0
    return price.of(current, value, base=0)
