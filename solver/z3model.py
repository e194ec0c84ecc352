"""The same requirements as Z3 formulas, compiled from the same KB records and facts.

Each evaluated (subject, requirement) becomes a pair of Z3 Booleans ``(holds,
fails)`` — Kleene's three values as in ``kb/rules.lp``.  A leaf reads its measure
either as a constant (the profile's value), as a free integer variable (what a
planner may change), or as nothing (unknown: neither holds nor fails).  Counts are
pseudo-Boolean constraints over the members in the facts.

Whatever no choice can change is folded to a Python ``bool`` while compiling (most
of a hospital's requirements are constants): Z3 terms are built only where a
planner's choice reaches, and :meth:`Z3Model.node` turns a folded constant back into
``BoolVal`` for its callers.

Nothing here is written per specification: the compiler walks the requirement
records of :class:`~zhunru.solver.kb.KnowledgeBase`, so the clingo program and this
model can only disagree through a bug, which ``tests/test_z3_agreement.py`` looks for.
"""

from __future__ import annotations

import ctypes
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import z3
from clingo import Symbol, SymbolType
from zhunru.solver.atoms import DecodedSymbol
from zhunru.solver.facts import FactBase
from zhunru.solver.kb import KnowledgeBase, Requirement
from zhunru.solver.ladders import rank

from zhunru.errors import EngineError

Pair = tuple[z3.BoolRef, z3.BoolRef]  # (holds, fails)
Term = z3.BoolRef | bool  # a Boolean folded to a Python constant when no choice reaches it
Folded = tuple[Term, Term]
Value = int | None


# --- building terms -----------------------------------------------------------------------
# The z3 Python wrappers (z3.And, z3.If, z3.PbEq …) coerce and sort-check every argument,
# about ten times the cost of the term itself; a repair model has thousands of them.  These
# build the same terms through the C API directly (arguments are Z3 Booleans already).


def _array(terms: list[z3.ExprRef]) -> ctypes.Array[z3.Ast]:
    array = (z3.Ast * len(terms))()
    for i, term in enumerate(terms):
        array[i] = term.as_ast()
    return array


def boolean(name: str) -> z3.BoolRef:
    """``z3.Bool(name)`` in the main context."""
    ctx = z3.main_ctx()
    symbol = z3.Z3_mk_string_symbol(ctx.ref(), name)
    return z3.BoolRef(z3.Z3_mk_const(ctx.ref(), symbol, z3.Z3_mk_bool_sort(ctx.ref())), ctx)


def conjunction(terms: list[z3.BoolRef]) -> z3.BoolRef:
    ctx = terms[0].ctx
    return z3.BoolRef(z3.Z3_mk_and(ctx.ref(), len(terms), _array(terms)), ctx)


def disjunction(terms: list[z3.BoolRef]) -> z3.BoolRef:
    ctx = terms[0].ctx
    return z3.BoolRef(z3.Z3_mk_or(ctx.ref(), len(terms), _array(terms)), ctx)


def negation(term: z3.BoolRef) -> z3.BoolRef:
    return z3.BoolRef(z3.Z3_mk_not(term.ctx.ref(), term.as_ast()), term.ctx)


def weighted_sum(terms: list[tuple[z3.BoolRef, int]]) -> z3.ArithRef:
    """``Σ If(literal, weight, 0)`` (0 when empty)."""
    if not terms:
        return z3.IntVal(0)
    ctx = terms[0][0].ctx
    zero = z3.IntVal(0, ctx)
    numerals: dict[int, z3.ArithRef] = {}
    parts = []
    for literal, weight in terms:
        numeral = numerals.get(weight)
        if numeral is None:
            numeral = numerals[weight] = z3.IntVal(weight, ctx)
        parts.append(z3.ArithRef(z3.Z3_mk_ite(ctx.ref(), literal.as_ast(), numeral.as_ast(), zero.as_ast()), ctx))
    if len(parts) == 1:
        return parts[0]
    return z3.ArithRef(z3.Z3_mk_add(ctx.ref(), len(parts), _array(parts)), ctx)


def exactly_one(terms: list[z3.BoolRef]) -> z3.BoolRef:
    """The pseudo-Boolean constraint ``Σ terms = 1``."""
    ctx = terms[0].ctx
    coefficients = (ctypes.c_int * len(terms))(*([1] * len(terms)))
    return z3.BoolRef(z3.Z3_mk_pbeq(ctx.ref(), len(terms), _array(terms), coefficients, 1), ctx)


# --- folding ---------------------------------------------------------------------------


def fold_and(terms: Iterable[Term]) -> Term:
    """Conjunction, folding constants (``True`` when empty)."""
    return _fold(terms, False, conjunction)


def fold_or(terms: Iterable[Term]) -> Term:
    """Disjunction, folding constants (``False`` when empty)."""
    return _fold(terms, True, disjunction)


def _fold(terms: Iterable[Term], absorbing: bool, combine: Callable[[list[z3.BoolRef]], Term]) -> Term:
    """``absorbing`` decides the whole (False for and, True for or); its negation is the identity."""
    rest: list[z3.BoolRef] = []
    for term in terms:
        if term is absorbing:
            return absorbing
        if term is not (not absorbing):
            rest.append(term)  # type: ignore[arg-type]
    if not rest:
        return not absorbing
    return rest[0] if len(rest) == 1 else combine(rest)


def fold_not(term: Term) -> Term:
    return (not term) if isinstance(term, bool) else negation(term)


def as_z3(term: Term) -> z3.BoolRef:
    return z3.BoolVal(term) if isinstance(term, bool) else term


def at_least(terms: list[Term], k: int) -> Term:
    """At least ``k`` of ``terms`` hold (a pseudo-Boolean constraint on the symbolic ones)."""
    symbolic: list[z3.BoolRef] = [t for t in terms if not isinstance(t, bool)]
    k -= sum(1 for t in terms if t is True)
    if k <= 0:
        return True
    if k > len(symbolic):
        return False
    if k == 1:
        return fold_or(symbolic)
    if k == len(symbolic):
        return fold_and(symbolic)
    ctx = symbolic[0].ctx
    return z3.BoolRef(z3.Z3_mk_atleast(ctx.ref(), len(symbolic), _array(symbolic), k), ctx)


def at_most(terms: list[Term], k: int) -> Term:
    """At most ``k`` of ``terms`` hold."""
    symbolic: list[z3.BoolRef] = [t for t in terms if not isinstance(t, bool)]
    k -= sum(1 for t in terms if t is True)
    if k < 0:
        return False
    if k >= len(symbolic):
        return True
    if k == 0:
        return fold_and(negation(t) for t in symbolic)
    ctx = symbolic[0].ctx
    return z3.BoolRef(z3.Z3_mk_atmost(ctx.ref(), len(symbolic), _array(symbolic), k), ctx)


def _holds(op: str, value: int, threshold: int) -> bool:
    if op == "ge":
        return value >= threshold
    if op == "gt":
        return value > threshold
    if op == "le":
        return value <= threshold
    if op == "lt":
        return value < threshold
    return value == threshold


def _compare(op: str, left: z3.ArithRef, right: z3.ArithRef | int) -> z3.BoolRef:
    return {
        "ge": left >= right,
        "gt": left > right,
        "le": left <= right,
        "lt": left < right,
        "eq": left == right,
    }[op]


# --- what depends only on the knowledge base ----------------------------------------------

_SYMBOLS: dict[Symbol, DecodedSymbol] = {}


def decoded(symbol: Symbol) -> DecodedSymbol:
    """One canonical symbol per measure, taken apart once (its hash, name and arguments are Python values)."""
    found = _SYMBOLS.get(symbol)
    if found is None:
        if len(_SYMBOLS) > _CACHE_LIMIT:
            _SYMBOLS.clear()
        found = _SYMBOLS[symbol] = symbol if isinstance(symbol, DecodedSymbol) else DecodedSymbol(symbol)
    return found


_TEXTS: dict[Symbol, str] = {}
_CACHE_LIMIT = 100_000


def text(symbol: Symbol) -> str:
    """``str(symbol)``, computed once per symbol (sort keys and variable names)."""
    found = _TEXTS.get(symbol)
    if found is None:
        if len(_TEXTS) > _CACHE_LIMIT:
            _TEXTS.clear()
        found = _TEXTS[symbol] = str(symbol)
    return found


@dataclass(frozen=True)
class Leaf:
    """A comparison leaf with its measure decoded and its threshold resolved."""

    measure: DecodedSymbol
    op: str
    threshold: int | None


_LEAVES: dict[int, tuple[Requirement, Leaf]] = {}


def leaf(node: Requirement) -> Leaf:
    """The decoded leaf of a ``cmp``/``cmp_rank``/``attest``/``ratio`` requirement (cached per record)."""
    found = _LEAVES.get(id(node))
    if found is None or found[0] is not node:
        assert node.measure is not None and node.op is not None
        threshold = rank(node.ladder, node.rung) if node.kind == "cmp_rank" else node.threshold  # type: ignore[arg-type]
        found = _LEAVES[id(node)] = (node, Leaf(decoded(node.measure), node.op, threshold))
    return found[1]


# --- what depends on one hospital's facts --------------------------------------------------


@dataclass
class FactIndex:
    """The facts of one hospital taken apart once: values, members, kinds, declared lists."""

    values: dict[tuple[Symbol, Symbol], int] = field(default_factory=dict)
    members: dict[tuple[Symbol, str], list[Symbol]] = field(default_factory=lambda: defaultdict(list))
    kinds: dict[Symbol, set[str]] = field(default_factory=lambda: defaultdict(set))
    closed: set[tuple[Symbol, str]] = field(default_factory=set)


_INDEXES: dict[int, tuple[FactBase, list[Symbol], FactIndex]] = {}
_INDEX_LIMIT = 8


def index(facts: FactBase) -> FactIndex:
    """The :class:`FactIndex` of ``facts`` (the last few are kept: a planner builds several models per hospital)."""
    found = _INDEXES.get(id(facts))
    if found is not None and found[0] is facts and found[1] is facts.facts:
        return found[2]
    subjects = {subject: subject for subject in facts.subjects}  # hash-cached keys of the fact base
    result = FactIndex()
    for fact in facts.facts:
        name = fact.name
        if name == "evaluate":
            continue
        args = fact.arguments
        subject = subjects.get(args[0], args[0])
        if name == "value":
            result.values[(subject, decoded(args[1]))] = args[2].number
        elif name == "member":
            member = args[2]
            result.members[(subject, args[1].name)].append(subjects.get(member, member))
        elif name == "kind":
            result.kinds[subject].add(args[1].string if args[1].type == SymbolType.String else args[1].name)
        elif name == "known_population":
            result.closed.add((subject, args[1].name))
    if len(_INDEXES) >= _INDEX_LIMIT:
        _INDEXES.pop(next(iter(_INDEXES)))
    _INDEXES[id(facts)] = (facts, facts.facts, result)
    return result


# --- the model ----------------------------------------------------------------------------------


@dataclass
class Domain:
    """A measure a planner may change: one of a few values (``None`` = left unknown).

    ``selectors[i]`` is true when the measure takes ``values[i]``; the planner asserts
    that exactly one is.  With ``term`` set (the integer formulation) leaves compare
    the integer variable instead of expanding into selectors.  A *derived* domain (a
    department's reading after the edits) has conditions, possibly constants, of which at
    most one holds: none holding leaves the reading unknown.
    """

    values: list[Value]
    selectors: list[z3.BoolRef]
    term: z3.ArithRef | None = None

    def test(self, op: str, threshold: int) -> Folded:
        """(holds, fails) of ``measure op threshold``."""
        known = [(v, s) for v, s in zip(self.values, self.selectors, strict=True) if v is not None]
        if self.term is not None:
            is_known = fold_or(s for _, s in known)
            test = _compare(op, self.term, threshold)
            return fold_and([is_known, test]), fold_and([is_known, z3.Not(test)])
        holds = [s for v, s in known if _holds(op, v, threshold)]
        fails = [s for v, s in known if not _holds(op, v, threshold)]
        return fold_or(holds), fold_or(fails)


@dataclass(frozen=True)
class Lift:
    """When ``literal`` holds, a measure grows by ``delta`` and is known (a member was added).

    A *raise* sets a 0/1 flag to 1 instead (a passed training record makes its holder trained).
    """

    literal: z3.BoolRef
    delta: int
    raises: bool = False


@dataclass
class Z3Model:
    """Z3 formulas for every requirement reachable from the evaluated roots of one hospital."""

    kb: KnowledgeBase
    facts: FactBase
    # measures a planner fixes (an int) or leaves to Z3 (an integer term)
    free: dict[tuple[Symbol, Symbol], z3.ArithRef | int] = field(default_factory=dict)
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
    _members: dict[tuple[Symbol, str], list[Symbol]] = field(init=False, default_factory=dict)
    _kinds: dict[Symbol, set[str]] = field(init=False, default_factory=dict)
    _closed: set[tuple[Symbol, str]] = field(init=False, default_factory=set)
    _memo: dict[tuple[Symbol, str], Folded] = field(init=False, default_factory=dict)

    def __post_init__(self) -> None:
        facts = index(self.facts)
        self._values, self._members, self._kinds = facts.values, facts.members, facts.kinds
        self._closed = set(facts.closed)

    def declare_closed(self, subject: Symbol, member_class: str) -> None:
        """The ``member_class`` list of ``subject`` is complete (a member a planner adds declares its lists)."""
        self._closed.add((subject, member_class))

    def declared(self) -> set[tuple[Symbol, str]]:
        """The (subject, member class) lists the profile (or a new member's own record) declares."""
        return set(self._closed)

    def closed(self, subject: Symbol, member_class: str) -> Term:
        """Whether the list is declared: by the profile, or by a member a plan adds to it."""
        if (subject, member_class) in self._closed:
            return True
        return fold_or(self.closers.get((subject, member_class), []))

    def roots(self) -> list[tuple[Symbol, str]]:
        return [(f.arguments[0], f.arguments[1].name) for f in self.facts.facts if f.name == "evaluate"]

    def node(self, subject: Symbol, requirement: str) -> Pair:
        """(holds, fails) of ``requirement`` on ``subject`` as Z3 terms."""
        holds, fails = self.folded(subject, requirement)
        return as_z3(holds), as_z3(fails)

    def folded(self, subject: Symbol, requirement: str) -> Folded:
        """(holds, fails), a Python ``bool`` where no choice reaches."""
        key = (subject, requirement)
        found = self._memo.get(key)
        if found is None:
            found = self._memo[key] = self._compile(subject, self.kb.requirements[requirement])
        return found

    def evaluated(self) -> dict[tuple[Symbol, str], Pair]:
        """Every pair compiled so far (call :meth:`node` on the roots first)."""
        return {key: (as_z3(h), as_z3(f)) for key, (h, f) in self._memo.items()}

    # -- compilation -----------------------------------------------------------------

    def _compile(self, x: Symbol, node: Requirement) -> Folded:
        kind = node.kind
        if kind in ("cmp", "cmp_rank", "attest"):
            return self._leaf(x, node)
        if kind == "ratio":
            return self._ratio(x, node)
        if kind in ("all_of", "any_of"):
            pairs = [self.folded(x, child) for child in node.children]
            holds, fails = [p[0] for p in pairs], [p[1] for p in pairs]
            if kind == "all_of":
                return fold_and(holds), fold_or(fails)
            return fold_or(holds), fold_and(fails)
        if kind == "implies":
            (if_holds, if_fails), (then_holds, then_fails) = (self.folded(x, c) for c in node.children)
            return fold_or([if_fails, then_holds]), fold_and([if_holds, then_fails])
        if kind == "neg":
            holds, fails = self.folded(x, node.children[0])
            return fails, holds
        if kind == "count":
            return self._count(x, node)
        if kind == "forall":
            return self._forall(x, node)
        raise EngineError(f"no Z3 translation for node kind {kind!r} ({node.id})")

    def _measure(self, x: Symbol, measure: Symbol) -> z3.ArithRef | int | None:
        found = self.free.get((x, measure))
        if found is not None:
            return found
        return self._values.get((x, measure))

    def _leaf(self, x: Symbol, node: Requirement) -> Folded:
        spec = leaf(node)
        threshold = spec.threshold
        assert threshold is not None
        key = (x, spec.measure)
        domain = self.domains.get(key)
        lifts = self.lifts.get(key)
        if lifts:
            return self._lifted(x, spec, domain, lifts, threshold)
        if domain is not None:
            return domain.test(spec.op, threshold)
        value = self._measure(x, spec.measure)
        if value is None:
            return self._constant(x, node, (False, False))
        if isinstance(value, int):
            holds = _holds(spec.op, value, threshold)
            return self._constant(x, node, (holds, not holds))
        test = _compare(spec.op, value, threshold)
        return test, z3.Not(test)

    def _lifted(self, x: Symbol, spec: Leaf, domain: Domain | None, lifts: list[Lift], threshold: int) -> Folded:
        """A leaf whose measure members added by a plan raise: base value plus the lifts that hold."""
        if domain is not None:
            known_values = [(v, s) for v, s in zip(domain.values, domain.selectors, strict=True) if v is not None]
            base: z3.ArithRef = weighted_sum([(as_z3(s), v) for v, s in known_values])
            known = fold_or(s for _, s in known_values)
        else:
            value = self._measure(x, spec.measure)
            base = z3.IntVal(0) if value is None else (z3.IntVal(value) if isinstance(value, int) else value)
            known = value is not None
        total = base + weighted_sum([(lift.literal, lift.delta) for lift in lifts if not lift.raises])
        raised = fold_or(lift.literal for lift in lifts if lift.raises)
        if raised is not False:
            total = z3.If(as_z3(raised), z3.IntVal(1), total)
        known = fold_or([known, *[lift.literal for lift in lifts]])
        test = _compare(spec.op, total, threshold)
        return fold_and([known, test]), fold_and([known, z3.Not(test)])

    def _constant(self, x: Symbol, node: Requirement, pair: Folded) -> Folded:
        """A leaf whose status no change can alter; tracked (for unsat cores) when asked."""
        if not self.track:
            return pair
        tag = f"{node.id}@{text(x)}"
        literals = boolean(f"holds:{tag}"), boolean(f"fails:{tag}")
        fixed = [literal if value else negation(literal) for literal, value in zip(literals, pair, strict=True)]
        self.tracked[(x, node.id)] = (conjunction(fixed), boolean(f"track:{tag}"))
        return literals

    def _ratio(self, x: Symbol, node: Requirement) -> Folded:
        assert node.measure is not None and node.denominator is not None and node.ratio and node.op
        numerator = self._measure(x, leaf(node).measure)
        denominator = self._measure(x, decoded(node.denominator))
        if denominator is None:
            return self._constant(x, node, (False, False))
        if isinstance(numerator, int | None) and isinstance(denominator, int):
            return self._constant(x, node, _ratio_constant(node, numerator, denominator))
        return self._ratio_terms(node, numerator, denominator)

    def _ratio_terms(
        self, node: Requirement, numerator: z3.ArithRef | int | None, denominator: z3.ArithRef | int
    ) -> Folded:
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
            return members
        return [m for m in members if node.member_kind in self._kinds_of(m)]

    def _kinds_of(self, member: Symbol) -> set[str]:
        return self.extra_kinds[member] if member in self.extra_kinds else self._kinds.get(member, set())

    def _member_pairs(self, x: Symbol, node: Requirement, universal: bool = False) -> list[Folded]:
        """(holds, fails) of the condition on each candidate.

        A member that may be added (``exists``) takes part only if it is added: for a
        count it then neither holds nor may hold; for a forall it holds vacuously.
        """
        assert node.condition
        pairs: list[Folded] = []
        for y in self._candidates(x, node):
            holds, fails = self.folded(y, node.condition)
            present = self.exists.get(y)
            if present is not None:
                if universal:
                    holds, fails = fold_or([negation(present), holds]), fold_and([present, fails])
                else:
                    holds, fails = fold_and([present, holds]), fold_or([negation(present), fails])
            pairs.append((holds, fails))
        return pairs

    def _count(self, x: Symbol, node: Requirement) -> Folded:
        assert node.condition and node.op and node.threshold is not None
        pairs = self._member_pairs(x, node)
        sure = [h for h, _ in pairs]  # members whose condition holds
        maybe = [fold_not(f) for _, f in pairs]  # members whose condition may hold (does not fail)
        closed = self.closed(x, node.member_class or "")
        n = node.threshold
        if node.op in ("ge", "gt"):
            bound = n if node.op == "ge" else n + 1
            return at_least(sure, bound), fold_and([closed, at_most(maybe, bound - 1)])
        if node.op in ("le", "lt"):
            bound = n if node.op == "le" else n - 1
            return fold_and([closed, at_most(maybe, bound)]), at_least(sure, bound + 1)
        holds = fold_and([closed, at_least(sure, n), at_most(maybe, n)])
        return holds, fold_or([at_least(sure, n + 1), fold_and([closed, at_most(maybe, n - 1)])])

    def _forall(self, x: Symbol, node: Requirement) -> Folded:
        pairs = self._member_pairs(x, node, universal=True)
        closed = self.closed(x, node.member_class or "")
        return fold_and([closed, *[h for h, _ in pairs]]), fold_or(f for _, f in pairs)


def _ratio_constant(node: Requirement, numerator: int | None, denominator: int) -> Folded:
    """A rate of two known counts (an empty period per note rate_empty_denominator)."""
    assert node.ratio and node.op
    upper = node.op in ("le", "lt")
    if denominator == 0:
        return upper, not upper
    if numerator is None or denominator < 0:
        return False, False
    p, q = node.ratio
    holds = _holds(node.op, numerator * q, p * denominator)
    return holds, not holds


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
