"""The same requirements as Z3 formulas, compiled from the same KB records and facts.

Each evaluated (subject, requirement) becomes a pair of Z3 Booleans ``(holds,
fails)`` — Kleene's three values as in ``kb/rules.lp``.  A leaf reads its measure
either as a constant (the profile's value), as a free integer variable (what a
planner may change), or as nothing (unknown: neither holds nor fails).  Counts are
pseudo-Boolean sums over the members in the facts.

Nothing here is written per specification: the compiler walks the requirement
records of :class:`~zhunru.solver.kb.KnowledgeBase`, so the clingo program and this
model can only disagree through a bug, which ``tests/test_z3_agreement.py`` looks for.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

import z3
from clingo import Symbol
from zhunru.solver.facts import FactBase
from zhunru.solver.kb import KnowledgeBase, Requirement
from zhunru.solver.ladders import rank

from zhunru.errors import EngineError

Pair = tuple[z3.BoolRef, z3.BoolRef]  # (holds, fails)
Value = int | None


@dataclass
class Domain:
    """A measure a planner may change: one of a few values (``None`` = left unknown).

    ``selectors[i]`` is true when the measure takes ``values[i]``; the planner asserts
    that exactly one is.  With ``term`` set (the integer formulation) leaves compare
    the integer variable instead of expanding into selectors.
    """

    values: list[Value]
    selectors: list[z3.BoolRef]
    term: z3.ArithRef | None = None

    def test(self, op: str, threshold: int) -> Pair:
        """(holds, fails) of ``measure op threshold``."""
        if self.term is not None:
            known = z3.Or(*[s for v, s in zip(self.values, self.selectors, strict=True) if v is not None])
            test = _compare(op, self.term, threshold)
            return z3.And(known, test), z3.And(known, z3.Not(test))
        known = [(v, s) for v, s in zip(self.values, self.selectors, strict=True) if v is not None]
        holds = [s for v, s in known if _holds(op, v, threshold)]
        fails = [s for v, s in known if not _holds(op, v, threshold)]
        return _any(holds), _any(fails)


def _any(terms: list[z3.BoolRef]) -> z3.BoolRef:
    if not terms:
        return z3.BoolVal(False)
    return terms[0] if len(terms) == 1 else z3.Or(*terms)


def _holds(op: str, value: int, threshold: int) -> bool:
    return {
        "ge": value >= threshold,
        "gt": value > threshold,
        "le": value <= threshold,
        "lt": value < threshold,
        "eq": value == threshold,
    }[op]


def _compare(op: str, left: z3.ArithRef, right: z3.ArithRef | int) -> z3.BoolRef:
    return {
        "ge": left >= right,
        "gt": left > right,
        "le": left <= right,
        "lt": left < right,
        "eq": left == right,
    }[op]


@dataclass(frozen=True)
class Lift:
    """When ``literal`` holds, a measure grows by ``delta`` and is known (a member was added)."""

    literal: z3.BoolRef
    delta: int


@dataclass
class Z3Model:
    """Z3 formulas for every requirement reachable from the evaluated roots of one hospital."""

    kb: KnowledgeBase
    facts: FactBase
    free: dict[tuple[Symbol, Symbol], z3.ArithRef] = field(default_factory=dict)
    # planning: measures chosen among a few values, members that may be added (with the
    # literal saying they exist), and constant leaves turned into tracked literals so an
    # unsat core can name the clauses that cannot be met together
    domains: dict[tuple[Symbol, Symbol], Domain] = field(default_factory=dict)
    extra_members: dict[tuple[Symbol, str], list[Symbol]] = field(default_factory=lambda: defaultdict(list))
    extra_kinds: dict[Symbol, set[str]] = field(default_factory=dict)
    exists: dict[Symbol, z3.BoolRef] = field(default_factory=dict)
    # links: a measure raised by members a plan adds, a member list declared by them
    lifts: dict[tuple[Symbol, Symbol], list[Lift]] = field(default_factory=dict)
    closers: dict[tuple[Symbol, str], list[z3.BoolRef]] = field(default_factory=dict)
    track: bool = False
    tracked: dict[tuple[Symbol, str], tuple[z3.BoolRef, z3.BoolRef]] = field(default_factory=dict)
    _values: dict[tuple[Symbol, Symbol], int] = field(init=False, default_factory=dict)
    _members: dict[tuple[Symbol, str], list[Symbol]] = field(init=False, default_factory=lambda: defaultdict(list))
    _kinds: dict[Symbol, set[str]] = field(init=False, default_factory=lambda: defaultdict(set))
    _closed: set[tuple[Symbol, str]] = field(init=False, default_factory=set)
    _memo: dict[tuple[Symbol, str], Pair] = field(init=False, default_factory=dict)

    def __post_init__(self) -> None:
        for fact in self.facts.facts:
            args = fact.arguments
            if fact.name == "value":
                self._values[(args[0], args[1])] = args[2].number
            elif fact.name == "member":
                self._members[(args[0], args[1].name)].append(args[2])
            elif fact.name == "kind":
                self._kinds[args[0]].add(args[1].string if args[1].type.name == "String" else args[1].name)
            elif fact.name == "known_population":
                self._closed.add((args[0], args[1].name))

    def declare_closed(self, subject: Symbol, member_class: str) -> None:
        """The ``member_class`` list of ``subject`` is complete (a member a planner adds declares its lists)."""
        self._closed.add((subject, member_class))

    def declared(self) -> set[tuple[Symbol, str]]:
        """The (subject, member class) lists the profile (or a new member's own record) declares."""
        return set(self._closed)

    def closed(self, subject: Symbol, member_class: str) -> z3.BoolRef:
        """Whether the list is declared: by the profile, or by a member a plan adds to it."""
        if (subject, member_class) in self._closed:
            return z3.BoolVal(True)
        return _any(self.closers.get((subject, member_class), []))

    def roots(self) -> list[tuple[Symbol, str]]:
        return [(f.arguments[0], f.arguments[1].name) for f in self.facts.facts if f.name == "evaluate"]

    def node(self, subject: Symbol, requirement: str) -> Pair:
        key = (subject, requirement)
        if key not in self._memo:
            self._memo[key] = self._compile(subject, self.kb.requirements[requirement])
        return self._memo[key]

    def evaluated(self) -> dict[tuple[Symbol, str], Pair]:
        """Every pair compiled so far (call :meth:`node` on the roots first)."""
        return dict(self._memo)

    # -- compilation -----------------------------------------------------------------

    def _compile(self, x: Symbol, node: Requirement) -> Pair:
        kind = node.kind
        if kind in ("cmp", "cmp_rank", "attest"):
            return self._leaf(x, node)
        if kind == "ratio":
            return self._ratio(x, node)
        if kind in ("all_of", "any_of"):
            pairs = [self.node(x, child) for child in node.children]
            holds, fails = [p[0] for p in pairs], [p[1] for p in pairs]
            if kind == "all_of":
                return z3.And(*holds) if holds else z3.BoolVal(True), z3.Or(*fails) if fails else z3.BoolVal(False)
            return z3.Or(*holds) if holds else z3.BoolVal(False), z3.And(*fails) if fails else z3.BoolVal(True)
        if kind == "implies":
            (if_holds, if_fails), (then_holds, then_fails) = (self.node(x, c) for c in node.children)
            return z3.Or(if_fails, then_holds), z3.And(if_holds, then_fails)
        if kind == "neg":
            holds, fails = self.node(x, node.children[0])
            return fails, holds
        if kind == "count":
            return self._count(x, node)
        if kind == "forall":
            return self._forall(x, node)
        raise EngineError(f"no Z3 translation for node kind {kind!r} ({node.id})")

    def _measure(self, x: Symbol, measure: Symbol) -> z3.ArithRef | int | None:
        if (x, measure) in self.free:
            return self.free[(x, measure)]
        return self._values.get((x, measure))

    def _leaf(self, x: Symbol, node: Requirement) -> Pair:
        assert node.measure is not None and node.op is not None
        threshold = rank(node.ladder, node.rung) if node.kind == "cmp_rank" else node.threshold
        assert threshold is not None
        domain = self.domains.get((x, node.measure))
        lifts = self.lifts.get((x, node.measure))
        if lifts:
            return self._lifted(x, node, domain, lifts, threshold)
        if domain is not None:
            return domain.test(node.op, threshold)
        value = self._measure(x, node.measure)
        if value is None:
            return self._constant(x, node, (z3.BoolVal(False), z3.BoolVal(False)))
        test = _compare(node.op, z3.IntVal(value) if isinstance(value, int) else value, threshold)
        if isinstance(value, int):
            return self._constant(x, node, (z3.simplify(test), z3.simplify(z3.Not(test))))
        return test, z3.Not(test)

    def _lifted(self, x: Symbol, node: Requirement, domain: Domain | None, lifts: list[Lift], threshold: int) -> Pair:
        """A leaf whose measure members added by a plan raise: base value plus the lifts that hold."""
        assert node.op is not None
        if domain is not None:
            known_values = [(v, s) for v, s in zip(domain.values, domain.selectors, strict=True) if v is not None]
            base: z3.ArithRef = z3.Sum([z3.If(s, v, 0) for v, s in known_values]) if known_values else z3.IntVal(0)
            known = _any([s for _, s in known_values])
        else:
            value = self._measure(x, node.measure)  # type: ignore[arg-type]
            base = z3.IntVal(0) if value is None else (z3.IntVal(value) if isinstance(value, int) else value)
            known = z3.BoolVal(value is not None)
        total = base + z3.Sum([z3.If(lift.literal, lift.delta, 0) for lift in lifts])
        known = z3.Or(known, *[lift.literal for lift in lifts])
        test = _compare(node.op, total, threshold)
        return z3.And(known, test), z3.And(known, z3.Not(test))

    def _constant(self, x: Symbol, node: Requirement, pair: Pair) -> Pair:
        """A leaf whose status no change can alter; tracked (for unsat cores) when asked."""
        if not self.track:
            return pair
        tag = f"{node.id}@{x}"
        literals = z3.Bool(f"holds:{tag}"), z3.Bool(f"fails:{tag}")
        self.tracked[(x, node.id)] = (
            z3.And(literals[0] == pair[0], literals[1] == pair[1]),
            z3.Bool(f"track:{tag}"),
        )
        return literals

    def _ratio(self, x: Symbol, node: Requirement) -> Pair:
        assert node.measure is not None and node.denominator is not None and node.ratio and node.op
        numerator, denominator = self._measure(x, node.measure), self._measure(x, node.denominator)
        if denominator is None:
            return self._constant(x, node, (z3.BoolVal(False), z3.BoolVal(False)))
        if isinstance(numerator, int | None) and isinstance(denominator, int):
            return self._constant(x, node, self._ratio_terms(node, numerator, denominator))
        return self._ratio_terms(node, numerator, denominator)

    def _ratio_terms(
        self, node: Requirement, numerator: z3.ArithRef | int | None, denominator: z3.ArithRef | int
    ) -> Pair:
        assert node.ratio and node.op
        den = z3.IntVal(denominator) if isinstance(denominator, int) else denominator
        empty = den == 0
        # an empty period cannot exceed an upper bound, nor reach a lower bound (note rate_empty_denominator)
        empty_holds, empty_fails = (empty, z3.BoolVal(False)) if node.op in ("le", "lt") else (z3.BoolVal(False), empty)
        if numerator is None:
            return empty_holds, empty_fails
        num = z3.IntVal(numerator) if isinstance(numerator, int) else numerator
        p, q = node.ratio
        test = _compare(node.op, num * q, p * den)
        holds = z3.Or(empty_holds, z3.And(den > 0, test))
        fails = z3.Or(empty_fails, z3.And(den > 0, z3.Not(test)))
        return z3.simplify(holds), z3.simplify(fails)

    def _candidates(self, x: Symbol, node: Requirement) -> list[Symbol]:
        key = (x, node.member_class or "")
        members = [*self._members.get(key, []), *self.extra_members.get(key, [])]
        if node.member_kind == "any":
            return list(members)
        return [m for m in members if node.member_kind in self._kinds_of(m)]

    def _kinds_of(self, member: Symbol) -> set[str]:
        return self.extra_kinds[member] if member in self.extra_kinds else self._kinds.get(member, set())

    def _member_pairs(self, x: Symbol, node: Requirement, universal: bool = False) -> list[Pair]:
        """(holds, fails) of the condition on each candidate.

        A member that may be added (``exists``) takes part only if it is added: for a
        count it then neither holds nor may hold; for a forall it holds vacuously.
        """
        assert node.condition
        pairs = []
        for y in self._candidates(x, node):
            holds, fails = self.node(y, node.condition)
            if y in self.exists:
                present = self.exists[y]
                if universal:
                    holds, fails = z3.Or(z3.Not(present), holds), z3.And(present, fails)
                else:
                    holds, fails = z3.And(present, holds), z3.Or(z3.Not(present), fails)
            pairs.append((holds, fails))
        return pairs

    def _count(self, x: Symbol, node: Requirement) -> Pair:
        assert node.condition and node.op and node.threshold is not None
        pairs = self._member_pairs(x, node)
        sure = z3.Sum([z3.If(h, 1, 0) for h, _ in pairs]) if pairs else z3.IntVal(0)
        maybe = z3.Sum([z3.If(f, 0, 1) for _, f in pairs]) if pairs else z3.IntVal(0)
        closed = self.closed(x, node.member_class or "")
        n = node.threshold
        if node.op in ("ge", "gt"):
            bound = n if node.op == "ge" else n + 1
            return sure >= bound, z3.And(closed, maybe < bound)
        if node.op in ("le", "lt"):
            bound = n if node.op == "le" else n - 1
            return z3.And(closed, maybe <= bound), sure > bound
        return z3.And(closed, sure >= n, maybe <= n), z3.Or(sure > n, z3.And(closed, maybe < n))

    def _forall(self, x: Symbol, node: Requirement) -> Pair:
        pairs = self._member_pairs(x, node, universal=True)
        closed = self.closed(x, node.member_class or "")
        holds = z3.And(closed, *[h for h, _ in pairs]) if pairs else closed
        fails = z3.Or(*[f for _, f in pairs]) if pairs else z3.BoolVal(False)
        return holds, fails


def status(pair: Pair) -> str:
    """The status of a pair whose leaves are all constants."""
    holds, fails = (z3.simplify(term) for term in pair)
    if z3.is_true(holds):
        return "holds"
    if z3.is_true(fails):
        return "fails"
    if z3.is_false(holds) and z3.is_false(fails):
        return "undetermined"
    raise EngineError(f"pair did not simplify to constants: {holds}, {fails}")


def statuses(kb: KnowledgeBase, facts: FactBase) -> dict[tuple[Symbol, str], str]:
    """Z3's verdict on every pair reachable from the evaluated roots (no free variables)."""
    model = Z3Model(kb, facts)
    for subject, root in model.roots():
        model.node(subject, root)
    return {key: status(pair) for key, pair in model.evaluated().items()}
