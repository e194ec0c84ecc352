"""kb/rules.lp on its own: clingo's verdicts against an independent reference evaluator.

The generic interpreter is the one place where the three-valued (Kleene) semantics
of requirements is encoded, and every specification relies on it.  These tests
ground ``kb/rules.lp`` with hand-built facts only (no knowledge base, no profile
code), so a regression in the interpreter cannot hide behind a particular
specification or profile reader:

* a reference evaluator, written from the semantics documented in rules.lp rather
  than from its rules, must agree with clingo on every evaluated (subject,
  requirement) pair of randomly generated requirement trees and profiles;
* the reasons clingo gives (support/4) must be complete: changing any value fact
  that no reason reaches never changes a decided verdict;
* explicit cases pin the edge semantics the wording of the law depends on;
* small worlds, tried exhaustively, check both properties on every comparison,
  bound, connective and population state, which random trees meet only thinly.

Facts are clingo symbols serialised by clingo itself, as in the engine.
"""

from __future__ import annotations

import itertools
import math
import operator
import random
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from enum import Enum
from fractions import Fraction
from pathlib import Path

import clingo
import pytest
from clingo import Function, Number, String, Symbol
from hypothesis import event, given, note, settings
from hypothesis import strategies as st

RULES = Path(__file__).parents[1] / "kb" / "rules.lp"

Pair = tuple[Symbol, Symbol]
"""(subject, requirement) or (subject, measure)."""

# --- vocabulary -------------------------------------------------------------------

H = Function("h")
ANY = Function("any")
STAFF, UNIT, INCIDENT = Function("staff"), Function("unit"), Function("incident")
CLASSES = (STAFF, UNIT)
PHYSICIAN, ROOM, MALPRACTICE = Function("physician"), String("介入手术室"), String("医疗事故")
KINDS = (PHYSICIAN, ROOM)
BEDS = Function("beds")
YEARS = Function("m", [Function("years"), String("综合介入")])
CASES = Function("m", [Function("cases"), String("综合介入")])
DEATHS = Function("m", [Function("deaths"), String("综合介入")])
MEASURES = (BEDS, YEARS, CASES, DEATHS)
VALUES = tuple(range(6))
ATTEST_VALUES = (0, 1)

COMPARE: dict[str, Callable[[object, object], bool]] = {
    "ge": operator.ge,
    "gt": operator.gt,
    "le": operator.le,
    "lt": operator.lt,
    "eq": operator.eq,
}
OPS = tuple(COMPARE)


def req(rid: int) -> Symbol:
    """The requirement constant of node ``rid``."""
    return Function("r", [Number(rid)])


def attest_measure(rid: int) -> Symbol:
    """The measure an attestation reads: ``m(attest, R)``."""
    return Function("m", [Function("attest"), req(rid)])


# --- requirement trees (ids are 0 while generated, then numbered) ----------------------


@dataclass(frozen=True)
class Cmp:
    """``cmp(R, Measure, Op, N)``."""

    measure: Symbol
    op: str
    n: int
    rid: int = 0


@dataclass(frozen=True)
class Ratio:
    """``ratio(R, Num, Den, Op, P, Q)``."""

    num: Symbol
    den: Symbol
    op: str
    p: int
    q: int
    rid: int = 0


@dataclass(frozen=True)
class Attest:
    """``attest(R)``."""

    rid: int = 0


@dataclass(frozen=True)
class AllOf:
    """``all_of(R)`` with ``child/3``."""

    children: tuple[Node, ...]
    rid: int = 0


@dataclass(frozen=True)
class AnyOf:
    """``any_of(R)`` with ``child/3``."""

    children: tuple[Node, ...]
    rid: int = 0


@dataclass(frozen=True)
class Implies:
    """``implies(R, If, Then)``."""

    cond: Node
    then: Node
    rid: int = 0


@dataclass(frozen=True)
class Neg:
    """``neg(R, C)``."""

    child: Node
    rid: int = 0


@dataclass(frozen=True)
class Count:
    """``count(R, Class, Filter, C, Op, N)``."""

    cls: Symbol
    only: Symbol
    cond: Node
    op: str
    n: int
    rid: int = 0


@dataclass(frozen=True)
class Forall:
    """``forall(R, Class, Filter, C)``."""

    cls: Symbol
    only: Symbol
    cond: Node
    rid: int = 0


Node = Cmp | Ratio | Attest | AllOf | AnyOf | Implies | Neg | Count | Forall
Leaf = Cmp | Ratio | Attest


@dataclass(frozen=True)
class Member:
    """``member(h, Class, Y)`` with one ``kind(Y, K)`` per kind."""

    symbol: Symbol
    cls: Symbol
    kinds: frozenset[Symbol]


@dataclass(frozen=True)
class Case:
    """One requirement tree evaluated on ``h``, with h's members and everybody's values."""

    root: Node
    members: tuple[Member, ...] = ()
    known: frozenset[Symbol] = field(default_factory=frozenset)
    values: Mapping[Pair, int] = field(default_factory=dict)


def children(node: Node) -> tuple[Node, ...]:
    """The sub-requirements of a node, member conditions included."""
    match node:
        case AllOf(children=kids) | AnyOf(children=kids):
            return kids
        case Implies():
            return (node.cond, node.then)
        case Neg():
            return (node.child,)
        case Count() | Forall():
            return (node.cond,)
    return ()


def walk(node: Node) -> Iterator[Node]:
    """Every node of the tree, preorder."""
    yield node
    for child in children(node):
        yield from walk(child)


def numbered(root: Node) -> Node:
    """A copy of a generated tree whose nodes have distinct ids (preorder, root is 0)."""
    counter = itertools.count()

    def renumber(node: Node) -> Node:
        rid = next(counter)
        match node:
            case AllOf() | AnyOf():
                return replace(node, rid=rid, children=tuple(renumber(c) for c in node.children))
            case Implies():
                return replace(node, rid=rid, cond=renumber(node.cond), then=renumber(node.then))
            case Neg():
                return replace(node, rid=rid, child=renumber(node.child))
            case Count() | Forall():
                return replace(node, rid=rid, cond=renumber(node.cond))
        return replace(node, rid=rid)

    return renumber(root)


def leaf_measures(root: Node) -> dict[Symbol, tuple[Symbol, ...]]:
    """The measures each leaf reads, by requirement symbol: a leaf depends on nothing else."""
    measures: dict[Symbol, tuple[Symbol, ...]] = {}
    for node in walk(root):
        match node:
            case Cmp():
                measures[req(node.rid)] = (node.measure,)
            case Ratio():
                measures[req(node.rid)] = (node.num, node.den)
            case Attest():
                measures[req(node.rid)] = (attest_measure(node.rid),)
    return measures


# --- facts --------------------------------------------------------------------------


def node_facts(node: Node) -> Iterator[Symbol]:
    """The KB facts of a tree, as symbols."""
    r = req(node.rid)
    match node:
        case Cmp():
            yield Function("cmp", [r, node.measure, Function(node.op), Number(node.n)])
        case Ratio():
            yield Function("ratio", [r, node.num, node.den, Function(node.op), Number(node.p), Number(node.q)])
        case Attest():
            yield Function("attest", [r])
        case AllOf() | AnyOf():
            yield Function("all_of" if isinstance(node, AllOf) else "any_of", [r])
            for order, child in enumerate(node.children):
                yield Function("child", [r, req(child.rid), Number(order)])
        case Implies():
            yield Function("implies", [r, req(node.cond.rid), req(node.then.rid)])
        case Neg():
            yield Function("neg", [r, req(node.child.rid)])
        case Count():
            yield Function("count", [r, node.cls, node.only, req(node.cond.rid), Function(node.op), Number(node.n)])
        case Forall():
            yield Function("forall", [r, node.cls, node.only, req(node.cond.rid)])
    for child in children(node):
        yield from node_facts(child)


def case_facts(case: Case) -> list[Symbol]:
    """KB and profile facts of a case, with ``evaluate(h, Root)``."""
    facts = [*node_facts(case.root), Function("evaluate", [H, req(case.root.rid)])]
    for member in case.members:
        facts.append(Function("member", [H, member.cls, member.symbol]))
        facts.extend(Function("kind", [member.symbol, k]) for k in sorted(member.kinds))
    facts.extend(Function("known_population", [H, cls]) for cls in sorted(case.known))
    facts.extend(Function("value", [x, m, Number(v)]) for (x, m), v in case.values.items())
    return facts


def program(facts: Iterable[Symbol]) -> str:
    """Program text made by clingo's own serialisation of each symbol."""
    return "".join(str(fact) + ".\n" for fact in facts)


# --- clingo -----------------------------------------------------------------------


class Status(Enum):
    """The three truth values, in Kleene's truth order fails < undetermined < holds."""

    FAILS = 0
    UNDETERMINED = 1
    HOLDS = 2


HOLDS, FAILS, UNDETERMINED = Status.HOLDS, Status.FAILS, Status.UNDETERMINED
STATUS_ATOMS = {"holds": Status.HOLDS, "fails": Status.FAILS, "undetermined": Status.UNDETERMINED}


@dataclass
class Answer:
    """The shown atoms of one answer set, indexed by (subject, requirement)."""

    statuses: dict[Pair, set[Status]] = field(default_factory=lambda: defaultdict(set))
    support: dict[Pair, set[Pair]] = field(default_factory=lambda: defaultdict(set))

    def status(self, pair: Pair) -> Status:
        """The single status of an evaluated pair."""
        (status,) = self.statuses[pair]
        return status


def answers(case: Case) -> list[Answer]:
    """Every answer set of rules.lp with the case's facts (a fresh Control each time)."""
    ctl = clingo.Control(["--models=0", "--warn=none"])
    ctl.load(str(RULES))
    ctl.add("base", [], program(case_facts(case)))
    ctl.ground([("base", [])])
    found: list[Answer] = []
    with ctl.solve(yield_=True) as handle:
        for model in handle:
            found.append(read_answer(model.symbols(shown=True)))
    return found


def read_answer(symbols: Iterable[Symbol]) -> Answer:
    """Index holds/fails/undetermined/2 and support/4; other shown atoms are not tested here."""
    answer = Answer()
    for symbol in symbols:
        args = symbol.arguments
        if symbol.name in STATUS_ATOMS and len(args) == 2:
            answer.statuses[(args[0], args[1])].add(STATUS_ATOMS[symbol.name])
        elif symbol.name == "support" and len(args) == 4:
            answer.support[(args[0], args[1])].add((args[2], args[3]))
    return answer


def solve(case: Case) -> Answer:
    """The one answer set (the program is stratified on acyclic trees, so there is exactly one)."""
    found = answers(case)
    assert len(found) == 1, f"{len(found)} answer sets"
    return found[0]


# --- reference evaluator -------------------------------------------------------------


def decide(truth: bool) -> Status:
    return Status.HOLDS if truth else Status.FAILS


def conj(statuses: Iterable[Status]) -> Status:
    """Kleene 'and': the least status; the empty conjunction holds."""
    return min(statuses, key=lambda s: s.value, default=Status.HOLDS)


def disj(statuses: Iterable[Status]) -> Status:
    """Kleene 'or': the greatest status; the empty disjunction fails."""
    return max(statuses, key=lambda s: s.value, default=Status.FAILS)


def negate(status: Status) -> Status:
    return Status(2 - status.value)


def count_status(low: int, high: float, op: str, n: int) -> Status:
    """Whether "the count is Op N" when all we know is low <= count <= high.

    It holds if every possible count satisfies it and fails if none does.  Counts
    above max(low, n + 1) compare with N like n + 1, so a finite range suffices even
    when the population is open (high is infinite).
    """
    top = min(high, max(low, n + 1))
    outcomes = {COMPARE[op](c, n) for c in range(low, int(top) + 1)}
    if outcomes == {True}:
        return Status.HOLDS
    if outcomes == {False}:
        return Status.FAILS
    return Status.UNDETERMINED


class Reference:
    """Direct recursive evaluation of the documented semantics, recording every evaluated pair.

    An open population (no known_population) is read as "the listed members plus any
    number of unlisted ones whose status is unknown", which is why a count over it can
    never become smaller than what is seen and a forall over it can never hold.
    """

    def __init__(self, case: Case) -> None:
        self.case = case
        self.seen: dict[Pair, Status] = {}

    def evaluate(self, subject: Symbol, node: Node) -> Status:
        status = self._evaluate(subject, node)
        self.seen[(subject, req(node.rid))] = status
        return status

    def _evaluate(self, subject: Symbol, node: Node) -> Status:
        match node:
            case Cmp() | Ratio() | Attest():
                return self._leaf(subject, node)
            case Count() | Forall():
                return self._quantifier(node)
        statuses = [self.evaluate(subject, child) for child in children(node)]
        match node:
            case AllOf():
                return conj(statuses)
            case AnyOf():
                return disj(statuses)
            case Implies():
                return disj([negate(statuses[0]), statuses[1]])
        return negate(statuses[0])

    def _leaf(self, subject: Symbol, node: Leaf) -> Status:
        def value(measure: Symbol) -> int | None:
            return self.case.values.get((subject, measure))

        match node:
            case Cmp():
                v = value(node.measure)
                return Status.UNDETERMINED if v is None else decide(COMPARE[node.op](v, node.n))
            case Attest():
                v = value(attest_measure(node.rid))
                return Status.UNDETERMINED if v is None else decide(v == 1)
        num, den = value(node.num), value(node.den)
        if den == 0:
            # an empty period is not a rate: an upper bound is not exceeded, a lower bound not reached
            return Status.HOLDS if node.op in ("le", "lt") else Status.FAILS
        if num is None or den is None:
            return Status.UNDETERMINED
        return decide(COMPARE[node.op](Fraction(num, den), Fraction(node.p, node.q)))

    def _quantifier(self, node: Count | Forall) -> Status:
        candidates = [m for m in self.case.members if m.cls == node.cls and (node.only == ANY or node.only in m.kinds)]
        statuses = [self.evaluate(m.symbol, node.cond) for m in candidates]
        closed = node.cls in self.case.known
        if isinstance(node, Forall):
            return conj(statuses if closed else [*statuses, Status.UNDETERMINED])
        low = statuses.count(Status.HOLDS)
        high = low + statuses.count(Status.UNDETERMINED) if closed else math.inf
        return count_status(low, high, node.op, node.n)


def reference(case: Case) -> dict[Pair, Status]:
    """Every (subject, requirement) pair evaluated from ``evaluate(h, Root)``, with its status."""
    evaluator = Reference(case)
    evaluator.evaluate(H, case.root)
    return evaluator.seen


# --- strategies ---------------------------------------------------------------------


def leaves() -> st.SearchStrategy[Node]:
    measures = st.sampled_from(MEASURES)
    return st.one_of(
        st.builds(Cmp, measures, st.sampled_from(OPS), st.integers(1, 4)),
        # Bounds with small denominators: a rate exactly at the bound is common.
        st.builds(Ratio, measures, measures, st.sampled_from(OPS), st.integers(0, 3), st.integers(1, 3)),
        st.just(Attest()),
    )


def trees(depth: int, quantifiers: bool = True) -> st.SearchStrategy[Node]:
    """Requirement trees at most ``depth`` levels below the root; member conditions are quantifier-free.

    Leaves appear only in the last two levels: hypothesis would otherwise favour
    one-leaf trees, which exercise little of the connectives and of support/4.
    """
    if depth == 0:
        return leaves()
    sub = trees(depth - 1, quantifiers)
    kids = st.lists(sub, min_size=2, max_size=3).map(tuple)
    options = [
        st.builds(AllOf, kids),
        st.builds(AnyOf, kids),
        st.builds(Implies, sub, sub),
        st.builds(Neg, sub),
    ]
    if quantifiers:
        cond = trees(min(depth - 1, 1), False)
        # Counts come in five comparisons and most of support/4 is about them: weight them up.
        options += [counts(cond), counts(cond), foralls(cond)]
    return st.one_of(options) if depth >= 2 else st.one_of([leaves(), *options])


def counts(cond: st.SearchStrategy[Node]) -> st.SearchStrategy[Node]:
    only = st.sampled_from((ANY, *KINDS))
    return st.builds(Count, st.sampled_from(CLASSES), only, cond, st.sampled_from(OPS), st.integers(0, 2))


def foralls(cond: st.SearchStrategy[Node]) -> st.SearchStrategy[Node]:
    return st.builds(Forall, st.sampled_from(CLASSES), st.sampled_from((ANY, *KINDS)), cond)


def powerset(items: tuple[Symbol, ...]) -> list[tuple[Symbol, ...]]:
    return [combo for size in range(len(items) + 1) for combo in itertools.combinations(items, size)]


def as_members(entries: list[tuple[Symbol, frozenset[Symbol]]]) -> tuple[Member, ...]:
    return tuple(Member(Function(cls.name, [Number(i)]), cls, kinds) for i, (cls, kinds) in enumerate(entries))


# A member has no kind, one kind or both, equally often; a kind-less member is
# still selected by the filter `any`.
KIND_SETS = st.sampled_from([frozenset(c) for c in powerset(KINDS)])
MEMBER = st.tuples(st.sampled_from(CLASSES), KIND_SETS)
# The number of members is drawn explicitly: hypothesis' own list sizes would
# leave most quantifiers with no candidate at all.
MEMBER_COUNT = st.integers(0, 8) | st.integers(3, 8)


def domain(measure: Symbol) -> tuple[int, ...]:
    """The values a measure can take: attestations are 0/1, everything else a small count."""
    return ATTEST_VALUES if measure.name == "m" and measure.arguments[0] == Function("attest") else VALUES


TREES = trees(3)
# Hypothesis favours False and small numbers; populations are drawn so that its
# favourite is "declared" and a middling number of members, where most is decided.
KNOWN = st.tuples(*(st.booleans() for _ in CLASSES)).map(
    lambda undeclared: frozenset(cls for cls, no in zip(CLASSES, undeclared, strict=True) if not no)
)
# Strategies are built once: hypothesis validates each new strategy object, which
# would otherwise dominate the run time.
SOME_VALUE = {values: st.sampled_from(values) for values in (VALUES, ATTEST_VALUES)}
MAYBE_VALUE = {values: st.sampled_from((None, None, *values)) for values in (VALUES, ATTEST_VALUES)}


@st.composite
def cases(draw: st.DrawFn) -> Case:
    """A tree, members with kinds, some populations declared, and values for every subject.

    Half of the cases leave about a quarter of the values absent; the others are complete,
    so that decided verdicts (and their reasons) are common too.
    """
    root = numbered(draw(TREES))
    members = as_members([draw(MEMBER) for _ in range(draw(MEMBER_COUNT))])
    known = draw(KNOWN)
    choices = MAYBE_VALUE if draw(st.booleans()) else SOME_VALUE
    measures = [*MEASURES, *(attest_measure(n.rid) for n in walk(root) if isinstance(n, Attest))]
    values: dict[Pair, int] = {}
    for subject in [H, *(m.symbol for m in members)]:
        for measure in measures:
            v = draw(choices[domain(measure)])
            if v is not None:
                values[(subject, measure)] = v
    return Case(root, members, known, values)


# --- properties -----------------------------------------------------------------------


@settings(max_examples=200, deadline=None)
@given(cases())
def test_clingo_agrees_with_reference(case: Case) -> None:
    """Exactly one model, the same evaluated pairs, and one status per pair equal to the reference's."""
    note(program(case_facts(case)))
    found = answers(case)
    assert len(found) == 1
    expected = reference(case)
    assert dict(found[0].statuses) == {pair: {status} for pair, status in expected.items()}
    event(f"root {expected[(H, req(case.root.rid))].name}")


def reached(answer: Answer, start: Pair) -> set[Pair]:
    """Every (subject, requirement) pair reachable from ``start`` through support/4 edges."""
    seen, todo = {start}, [start]
    while todo:
        for nxt in answer.support.get(todo.pop(), ()):
            if nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    return seen


def cited_values(case: Case, pairs: Iterable[Pair]) -> set[Pair]:
    """(subject, measure) pairs read by the cmp/ratio/attest leaves among ``pairs``."""
    measures = leaf_measures(case.root)
    return {(subject, m) for subject, r in pairs for m in measures.get(r, ())}


CHANGES = 2
"""Independent random changes of the uncited values tried per decided example."""


def other_value(rng: random.Random, values: tuple[int, ...], old: int) -> int:
    """A value of the domain other than ``old``."""
    return rng.choice([v for v in values if v != old])


def check_uncited_values(case: Case, answer: Answer, start: Pair, rng: random.Random) -> None:
    """Change every value no reason of ``start`` reaches; ``start`` and all it reaches keep their status.

    Every pair the reasons reach rests only on what it cites in turn, so each of
    them is checked, not only ``start``: a cited count whose own reasons are
    incomplete is caught even when ``start`` happens not to change.
    """
    cited_pairs = reached(answer, start)
    cited = cited_values(case, cited_pairs)
    before = {p: answer.status(p) for p in cited_pairs}
    for _ in range(CHANGES):
        changed = {key: v if key in cited else other_value(rng, domain(key[1]), v) for key, v in case.values.items()}
        mutated = replace(case, values=changed)
        note(f"changed values:\n{program(case_facts(mutated))}")
        again = solve(mutated)
        assert again.status(start) is before[start]
        assert {p: again.status(p) for p in cited_pairs} == before


@settings(max_examples=200, deadline=None)
@given(cases(), st.randoms(use_true_random=False))
def test_uncited_values_do_not_matter(case: Case, rng: random.Random) -> None:
    """Reasons are complete: a decided verdict survives any change to the values no reason reaches."""
    note(program(case_facts(case)))
    answer = solve(case)
    root = (H, req(case.root.rid))
    event(f"root {answer.status(root).name}")
    if answer.status(root) is not Status.UNDETERMINED:
        check_uncited_values(case, answer, root, rng)


# --- explicit edge semantics ------------------------------------------------------------

QUALIFIED = Cmp(YEARS, "ge", 5)
"""Five years or more: the usual condition on a staff member (also read on h in places)."""


def check(case: Case, expected: Status) -> None:
    """The root status, by the reference and by clingo (the reference is checked too, so both stay honest)."""
    case = replace(case, root=numbered(case.root))
    root = (H, req(case.root.rid))
    assert reference(case)[root] is expected
    assert solve(case).status(root) is expected


def member_case(root: Count | Forall, members: list[tuple[Symbol, Symbol, int | None]], known: bool) -> Case:
    """A case whose root quantifies over ``(class, kind, value of the condition's measure)`` members.

    The condition of the root is its only child and is numbered 1; a member value
    ``None`` leaves that member's condition undetermined.
    """
    numbered_root = numbered(root)
    assert isinstance(numbered_root, Count | Forall)
    (cond,) = children(numbered_root)
    (measure,) = leaf_measures(cond)[req(cond.rid)]
    entries = [(cls, frozenset([k])) for cls, k, _ in members]
    people = as_members(entries)
    values = {(p.symbol, measure): v for p, (_, _, v) in zip(people, members, strict=True) if v is not None}
    known_classes = frozenset([numbered_root.cls]) if known else frozenset()
    return Case(numbered_root, people, known_classes, values)


@pytest.mark.parametrize(("beds", "expected"), [(29, FAILS), (30, HOLDS), (31, HOLDS)])
def test_ge_is_inclusive(beds: int, expected: Status) -> None:
    """以上 / 不少于 include the threshold: 30 beds meet "30张以上"."""
    check(Case(Cmp(BEDS, "ge", 30), values={(H, BEDS): beds}), expected)


@pytest.mark.parametrize(("deaths", "expected"), [(5, FAILS), (4, HOLDS), (6, FAILS)])
def test_lt_ratio_is_strict(deaths: int, expected: Status) -> None:
    """低于 excludes the bound: 5 deaths in 100 cases is not "低于5%", 4 in 100 is."""
    case = Case(Ratio(DEATHS, CASES, "lt", 5, 100), values={(H, DEATHS): deaths, (H, CASES): 100})
    check(case, expected)


@pytest.mark.parametrize("op", OPS)
@pytest.mark.parametrize("deaths", [None, 0, 3])
def test_empty_denominator(op: str, deaths: int | None) -> None:
    """No cases: an upper bound (低于) is not exceeded, a lower bound (以上) or exact value not reached."""
    values = {(H, CASES): 0} | ({} if deaths is None else {(H, DEATHS): deaths})
    expected = HOLDS if op in ("le", "lt") else FAILS
    check(Case(Ratio(DEATHS, CASES, op, 1, 100), values=values), expected)


def test_absent_denominator_is_undetermined() -> None:
    """Without the denominator nothing is known, even if the numerator is 0."""
    check(Case(Ratio(DEATHS, CASES, "lt", 1, 100), values={(H, DEATHS): 0}), UNDETERMINED)


@pytest.mark.parametrize(("known", "expected"), [(False, UNDETERMINED), (True, FAILS)])
def test_count_ge_needs_known_population_to_fail(known: bool, expected: Status) -> None:
    """One qualified physician of the two required: undeclared staff might be the second."""
    root = Count(STAFF, PHYSICIAN, QUALIFIED, "ge", 2)
    check(member_case(root, [(STAFF, PHYSICIAN, 6), (STAFF, PHYSICIAN, 2)], known), expected)


@pytest.mark.parametrize("incidents", [[], [(INCIDENT, MALPRACTICE, 0)]])
@pytest.mark.parametrize(("known", "expected"), [(False, UNDETERMINED), (True, HOLDS)])
def test_count_le_zero_holds_only_with_known_population(
    incidents: list[tuple[Symbol, Symbol, int | None]], known: bool, expected: Status
) -> None:
    """ "未发生…医疗事故" holds only once the incident list is declared complete."""
    root = Count(INCIDENT, MALPRACTICE, Attest(), "le", 0)
    check(member_case(root, incidents, known), expected)


def test_count_le_with_too_many_holders_fails_without_known_population() -> None:
    """Unlisted members can only add holders, so "at most 0" is already refuted by one.

    Note: the header of rules.lp says "a count over an undeclared population cannot
    fail", which is literally true only of "at least" counts; this pins the (sound)
    behaviour of the rules for "at most" counts.
    """
    root = Count(INCIDENT, MALPRACTICE, Attest(), "le", 0)
    check(member_case(root, [(INCIDENT, MALPRACTICE, 1)], known=False), FAILS)


def test_any_selects_members_without_a_kind() -> None:
    """The filter `any` takes every member of the class, also one the profile gave no kind."""
    people = as_members([(STAFF, frozenset()), (UNIT, frozenset()), (STAFF, frozenset([ROOM]))])
    values = {(p.symbol, YEARS): 9 for p in people}
    check(Case(Count(STAFF, ANY, QUALIFIED, "eq", 2), people, frozenset(CLASSES), values), HOLDS)


@pytest.mark.parametrize(("known", "expected"), [(False, UNDETERMINED), (True, HOLDS)])
def test_forall_holds_only_with_known_population(known: bool, expected: Status) -> None:
    """Every listed physician qualifies, but an undeclared one might not."""
    root = Forall(STAFF, PHYSICIAN, QUALIFIED)
    check(member_case(root, [(STAFF, PHYSICIAN, 6), (STAFF, ROOM, 0)], known), expected)


@pytest.mark.parametrize("then_value", [None, 0, 9])
def test_implies_with_failing_condition_holds_vacuously(then_value: int | None) -> None:
    """A conditional requirement whose condition fails holds, whatever (if anything) is known of Then."""
    values = {(H, BEDS): 10} | ({} if then_value is None else {(H, YEARS): then_value})
    check(Case(Implies(Cmp(BEDS, "ge", 30), QUALIFIED), values=values), HOLDS)


def test_any_of_with_one_undetermined_branch_and_others_failing_is_undetermined() -> None:
    """The branch whose value is missing could still hold, so absent data is not a "no"."""
    root = AnyOf((Cmp(BEDS, "ge", 30), QUALIFIED, Cmp(CASES, "ge", 100)))
    check(Case(root, values={(H, BEDS): 10, (H, CASES): 99}), UNDETERMINED)


@pytest.mark.parametrize("failing_first", [True, False])
def test_all_of_with_one_failing_child_fails_despite_undetermined(failing_first: bool) -> None:
    """A failing child settles a conjunction whatever the undetermined one turns out to be."""
    failing, unknown = Cmp(BEDS, "ge", 30), QUALIFIED
    kids = (failing, unknown) if failing_first else (unknown, failing)
    check(Case(AllOf(kids), values={(H, BEDS): 10}), FAILS)


# --- every comparison on counts and ratios ------------------------------------------------


@pytest.mark.parametrize(("num", "den", "expected"), [(1, 2, HOLDS), (2, 4, HOLDS), (2, 2, FAILS)])
def test_ratio_eq_is_exact(num: int, den: int, expected: Status) -> None:
    """ "Exactly half" compares num/den with 1/2 exactly (2 of 4 is half), never by rounding."""
    check(Case(Ratio(DEATHS, CASES, "eq", 1, 2), values={(H, DEATHS): num, (H, CASES): den}), expected)


@pytest.mark.parametrize(
    ("op", "n", "if_declared", "if_undeclared"),
    [
        ("ge", 1, HOLDS, HOLDS),
        ("ge", 3, FAILS, UNDETERMINED),
        ("gt", 0, HOLDS, HOLDS),
        ("gt", 2, FAILS, UNDETERMINED),
        ("le", 0, FAILS, FAILS),
        ("le", 2, HOLDS, UNDETERMINED),
        ("lt", 1, FAILS, FAILS),
        ("lt", 3, HOLDS, UNDETERMINED),
        ("eq", 0, FAILS, FAILS),
        ("eq", 1, UNDETERMINED, UNDETERMINED),
        ("eq", 3, FAILS, UNDETERMINED),
    ],
)
def test_count_compares_every_possible_number(op: str, n: int, if_declared: Status, if_undeclared: Status) -> None:
    """One qualified physician and one of unknown qualification: the number is 1 or 2 if the list
    is declared, at least 1 if not; a count holds (fails) when every possible number does (does not).
    """
    root = Count(STAFF, PHYSICIAN, QUALIFIED, op, n)
    people = [(STAFF, PHYSICIAN, 6), (STAFF, PHYSICIAN, None)]
    check(member_case(root, people, known=True), if_declared)
    check(member_case(root, people, known=False), if_undeclared)


@pytest.mark.parametrize(("known", "expected"), [(True, HOLDS), (False, UNDETERMINED)])
def test_count_eq_holds_only_when_the_number_is_certain(known: bool, expected: Status) -> None:
    """ "Exactly 2" needs both an upper bound (a declared list) and a lower bound (two holders)."""
    root = Count(STAFF, PHYSICIAN, QUALIFIED, "eq", 2)
    check(member_case(root, [(STAFF, PHYSICIAN, 6), (STAFF, PHYSICIAN, 7), (STAFF, ROOM, 0)], known), expected)


# --- exhaustive small worlds ------------------------------------------------------------------
# The random trees are thin on any one configuration; these grids try every
# combination of a few values on "zoos" of nodes side by side, so each comparison,
# bound, connective and population state is met in every status.

CONDITION_VALUES = (None, 0, 9)
"""A staff member's condition QUALIFIED is undetermined, fails or holds."""

Grid = list[tuple[Case, Answer]]


def solved_grid(
    root: Node,
    members: tuple[Member, ...],
    knowns: Iterable[frozenset[Symbol]],
    domains: Mapping[Pair, tuple[int | None, ...]],
) -> Grid:
    """Every combination of the given values (``None``: the fact is absent), each solved by clingo."""
    solved = []
    for known in knowns:
        for combo in itertools.product(*domains.values()):
            values = {key: v for key, v in zip(domains, combo, strict=True) if v is not None}
            case = Case(root, members, known, values)
            solved.append((case, solve(case)))
    return solved


@pytest.fixture(scope="module")
def staff_grid() -> Grid:
    """Every count comparison with N = 0..3 and a forall, over three physicians in every combination
    of statuses, with the lists declared or not (54 cases)."""
    counts = [Count(STAFF, PHYSICIAN, QUALIFIED, op, n) for op in OPS for n in range(4)]
    root = numbered(AllOf((*counts, Forall(STAFF, PHYSICIAN, QUALIFIED))))
    # Three physicians, then a physician of another class and a staff member of
    # another kind, who qualify but must never be counted.
    people = as_members(
        [(STAFF, frozenset([PHYSICIAN]))] * 3 + [(UNIT, frozenset([PHYSICIAN])), (STAFF, frozenset([ROOM]))]
    )
    domains = {(p.symbol, YEARS): CONDITION_VALUES if i < 3 else (9,) for i, p in enumerate(people)}
    return solved_grid(root, people, (frozenset(), frozenset(CLASSES)), domains)


@pytest.fixture(scope="module")
def hospital_grid() -> Grid:
    """Every comparison of a cmp and a ratio at and around its bound, and every connective over a
    cmp and a ratio in each of their statuses (64 cases)."""
    a, b = Cmp(BEDS, "ge", 5), Ratio(DEATHS, CASES, "le", 1, 2)
    leaves = [Cmp(BEDS, op, 5) for op in OPS] + [Ratio(DEATHS, CASES, op, 1, 2) for op in OPS]
    connectives = [AllOf((a, b)), AnyOf((a, b)), Implies(a, b), Implies(b, a), Neg(a), Neg(b)]
    root = numbered(AllOf((*leaves, *connectives)))
    domains = {(H, BEDS): (None, 4, 5, 6), (H, DEATHS): (None, 0, 1, 2), (H, CASES): (None, 0, 2, 4)}
    return solved_grid(root, (), (frozenset(),), domains)


GRIDS = ["staff_grid", "hospital_grid"]


@pytest.mark.parametrize("grid_name", GRIDS)
def test_every_small_world_agrees_with_reference(grid_name: str, request: pytest.FixtureRequest) -> None:
    """Every evaluated pair of every world has the reference's status, and only that one."""
    for case, answer in request.getfixturevalue(grid_name):
        expected = {pair: {status} for pair, status in reference(case).items()}
        assert dict(answer.statuses) == expected, f"values {case.values}, declared {set(case.known)}"


@pytest.mark.parametrize("grid_name", GRIDS)
def test_reasons_are_complete_in_every_small_world(grid_name: str, request: pytest.FixtureRequest) -> None:
    """Two worlds that differ only in values a decided node does not cite give it the same verdict.

    A grid is closed under changing any present value, so comparing every pair of its
    worlds (same facts present, same declarations) tries every change of the uncited
    values; everything the node reaches must keep its status.
    """
    grid: Grid = request.getfixturevalue(grid_name)
    starts = [(H, req(node.rid)) for node in children(grid[0][0].root)]
    for case, answer in grid:
        for start in starts:
            if answer.status(start) is UNDETERMINED:
                continue
            pairs = reached(answer, start)
            cited = {key: case.values.get(key) for key in cited_values(case, pairs)}
            before = {p: answer.status(p) for p in pairs}
            for other, other_answer in grid:
                same_facts = other.known == case.known and other.values.keys() == case.values.keys()
                if same_facts and all(other.values.get(key) == v for key, v in cited.items()):
                    after = {p: other_answer.status(p) for p in pairs}
                    assert after == before, f"{start}: {case.values} -> {other.values}, declared {set(case.known)}"
