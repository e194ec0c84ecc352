"""An independent MILP of a repair problem (HiGHS through scipy), for differential tests of the Z3 planner.

It shares only the *instance* with the planner (which measures may change, to which
values, at what price; which members may be added) and compiles the requirement
records itself into linear constraints: a binary ``h``/``f`` per (subject,
requirement) that may be 1 only when the node provably holds / fails.

The beds of a department the profile has with known beds (``dept_beds``, ``dept_open_beds``) do
not share the planner's values: they are integers ``0..U`` (``U`` above every threshold and
reading), priced per bed from the cost file, so "planner cost == MILP cost" checks that the
planner's small domains (the values a bed total needs) hold the optimum.
"""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np
from clingo import Symbol, SymbolType
from scipy.optimize import Bounds, LinearConstraint, milp
from zhunru.solver.facts import HOSPITAL
from zhunru.solver.ladders import rank

from zhunru.planner.costs import MONEY_SCALE
from zhunru.planner.problem import Problem

_TESTS = {
    "ge": lambda v, t: v >= t,
    "gt": lambda v, t: v > t,
    "le": lambda v, t: v <= t,
    "lt": lambda v, t: v < t,
    "eq": lambda v, t: v == t,
}

_DEPT_BLANK: dict[str, int | None] = {"dept": 0, "dept_form": 0, "dept_beds": None, "dept_open_beds": None}
_DEPT_EDITED = ("dept", "dept_form", "dept_beds", "dept_open_beds")
_DEPT_TOTALS = {"dept_beds_total": "beds", "dept_open_beds_total": "open_beds"}
_DEPT_FIELDS = {"dept_beds": "beds", "dept_open_beds": "open_beds"}
_INT = -1  # the "changed" option of an integer department field in ``sel``


def _total_names(measure: Symbol) -> list[str]:
    key = measure.arguments[1]
    return [a.string for a in key.arguments] if key.type == SymbolType.Function else [key.string]


def _dept_name(measure: Symbol) -> str:
    key = measure.arguments[1]
    return key.string if key.type == SymbolType.String else key.arguments[0].string


class Milp:
    def __init__(self, problem: Problem) -> None:
        self.p = problem
        self.n = 0
        self.lower: list[float] = []
        self.upper: list[float] = []
        self.rows: list[tuple[dict[int, float], float, float]] = []
        self.cost: dict[int, float] = {}
        self.nodes: dict[tuple[Symbol, str], tuple[int, int]] = {}
        self.sel: dict[tuple[Symbol, Symbol], list[tuple[int | None, int]]] = {}
        self.exists: dict[Symbol, int] = {}
        self.closed_vars: dict[tuple[Symbol, str], int] = {}
        self.dept_options: dict[Symbol, list[tuple[int | None, int]]] = {}
        # bed total -> (Σ coefficient·var of the summed readings, one "known" binary per department)
        self.dept_totals: dict[Symbol, tuple[dict[int, float], list[int]]] = {}
        # department field as an integer: measure -> (b, changed, reading now); its reading after the edits
        self.ints: dict[Symbol, tuple[int, int, int]] = {}
        self.dept_linear: dict[Symbol, tuple[dict[int, float], int]] = {}
        self.top = self._top()
        self._instance()
        self._departments()

    def var(self, lo: float = 0, hi: float = 1) -> int:
        self.lower.append(lo)
        self.upper.append(hi)
        self.n += 1
        return self.n - 1

    def row(self, coefs: dict[int, float], lo: float, hi: float) -> None:
        self.rows.append((coefs, lo, hi))

    def _instance(self) -> None:
        for member in self.p.members:
            e = self.exists[member.symbol] = self.var()
            self.cost[e] = self.cost.get(e, 0) + member.cost()[0]
        for member in self.p.members:
            e = self.exists[member.symbol]
            if member.parent is not None:
                self.row({e: 1, self.exists[member.parent.symbol]: -1}, -np.inf, 0)
        for pool in self.p._pools.values():
            for a, b in itertools.pairwise(pool):
                self.row({self.exists[b.symbol]: 1, self.exists[a.symbol]: -1}, -np.inf, 0)
        for choice in self.p.choices:
            if self._integer(choice):
                continue
            vars_ = [self.var() for _ in choice.values]
            self.row(dict.fromkeys(vars_, 1), 1, 1)
            for v, m in zip(vars_, choice.money, strict=True):
                self.cost[v] = self.cost.get(v, 0) + m
            if choice.member is not None:  # a member not added keeps its blank values
                self.row({vars_[0]: 1, self.exists[choice.member.symbol]: 1}, 1, np.inf)
            self.sel[(choice.subject, choice.measure)] = list(zip(choice.values, vars_, strict=True))
        for member in self.p.members:  # a record a choice's edit adds exists exactly when the choice takes its value
            if member.record_of is not None:
                options = self.sel[(member.record_of.subject, member.record_of.measure)]
                (i,) = [i for value, i in options if value == member.record_value]
                self.row({self.exists[member.symbol]: 1, i: -1}, 0, 0)
        # exclusivity of categorical attributes of a new member is mirrored from the planner's constraints
        from zhunru.planner.families import ATTRIBUTES

        by_member: dict[tuple[Symbol, str], list[int]] = {}
        for choice in self.p.choices:
            attribute = ATTRIBUTES.get((choice.cls, choice.family))
            if choice.member is not None and attribute and attribute.exclusive:
                ones = [i for value, i in self.sel[(choice.subject, choice.measure)] if value]
                by_member.setdefault((choice.subject, choice.family), []).extend(ones)
        for ones in by_member.values():
            if len(ones) > 1:
                self.row(dict.fromkeys(ones, 1), -np.inf, 1)

    # -- department beds as integers -----------------------------------------------------------

    def _top(self) -> int:
        """Above every threshold a department leaf or bed total compares with and every department's beds now."""
        families = (*_DEPT_FIELDS, *_DEPT_TOTALS)
        thresholds = [
            r.threshold
            for (x, measure), reads in self.p.reads.items()
            if x == HOSPITAL and measure.arguments[0].name in families
            for r in reads
        ]
        beds = [getattr(d, f) or 0 for d in self.p.ctx.hospital.departments or [] for f in _DEPT_FIELDS.values()]
        return max([0, *thresholds, *beds]) + 1

    def _integer(self, choice: Any) -> bool:
        """A department of the profile with known beds: its new beds are any integer 0..U but the current."""
        field = _DEPT_FIELDS.get(choice.family)
        price = self.p.costs.change.get(f"hospital.{choice.family}")
        if choice.subject != HOSPITAL or field is None or choice.phase != "buy" or price is None:
            return False
        profile = {d.name: d for d in self.p.ctx.hospital.departments or []}
        now = getattr(profile[_dept_name(choice.measure)], field) if _dept_name(choice.measure) in profile else None
        if now is None or price.per != "unit" or price.scale != 1:
            return False
        top = self.top
        b, k, k0, up, down = self.var(0, top), self.var(), self.var(), self.var(), self.var()
        plus, minus = self.var(0, top), self.var(0, top)
        self.row({k: 1, k0: 1}, 1, 1)
        self.row({b: 1, plus: -1, minus: 1}, now, now)  # b − now = plus − minus, each bed priced
        per_bed = round(price.money * MONEY_SCALE)
        self.cost[plus], self.cost[minus] = per_bed, per_bed
        self.row({up: 1, down: 1, k: -1}, 0, 0)  # changed: up or down, never the same value
        self.row({b: 1, up: -(top + 1)}, now + 1 - (top + 1), np.inf)  # up → b ≥ now + 1
        self.row({b: 1, down: top + 1}, -np.inf, now - 1 + top + 1)  # down → b ≤ now − 1
        self.row({b: 1, k: -top}, -np.inf, now)  # not changed → b = now
        self.row({b: 1, k: top}, now, np.inf)
        self.sel[(HOSPITAL, choice.measure)] = [(choice.values[0], k0), (_INT, k)]
        self.ints[choice.measure] = (b, k, now)
        return True

    def _linear_reading(self, measure: Symbol, e: int, declared: int) -> tuple[dict[int, float], int]:
        """An integer department field after the edits: b when changed and there, the profile's value when
        not changed and there, 0 when not there (the list declared); a binary saying it is known."""
        b, k, now = self.ints[measure]
        top = self.top
        changed = self._and([(k, True), (e, True)])
        kept = self._and([(k, False), (e, True)])
        absent = self._and([(e, False), (declared, True)])
        r = self.var(0, top)  # r = b · changed
        self.row({r: 1, changed: -top}, -np.inf, 0)
        self.row({r: 1, b: -1}, -np.inf, 0)
        self.row({r: 1, b: -1, changed: -top}, -top, np.inf)
        known = self.var()
        self.row({known: 1, changed: -1, kept: -1, absent: -1}, 0, 0)
        return {r: 1, kept: now}, known

    # -- departments: one list ----------------------------------------------------------------

    def _departments(self) -> None:
        """Department readings after the edits.  ``ex`` (the department is there afterwards) is
        ``1 − removed`` for a department of the profile and ``OR(set up by dept = 1, a new form, new
        beds)`` for another; the list is declared by the profile or by any department set up.  A
        reading is then: a new value when set and there; the profile's value (or, for a department set
        up, the field's blank: form 0, beds unknown) when not set and there; 0 when not there and the
        list is declared; unknown otherwise."""
        measures = [m for x, m in self.p.reads if x == HOSPITAL and m.arguments[0].name in _DEPT_BLANK]
        if not any(self.sel.get((HOSPITAL, m)) for m in measures if m.arguments[0].name in _DEPT_EDITED):
            return
        names = {d.name for d in self.p.ctx.hospital.departments or []}
        ex: dict[str, int] = {}
        for measure in measures:
            name = _dept_name(measure)
            if name not in ex:
                ex[name] = self._dept_exists(name, name in names, measures)
        if self.p.ctx.hospital.departments is not None:
            declared = self.var(1, 1)
        else:
            declared = self.var()
            self._or(declared, [ex[name] for name in ex])
        for measure in measures:
            if measure in self.ints:
                self.dept_linear[measure] = self._linear_reading(measure, ex[_dept_name(measure)], declared)
            else:
                self.dept_options[measure] = self._dept_cases(measure, ex[_dept_name(measure)], declared, names)
        totals = [m for x, m in self.p.reads if x == HOSPITAL and m.arguments[0].name in _DEPT_TOTALS]
        for total in totals:
            self.dept_totals[total] = self._dept_total(total, ex, declared, measures)

    def _dept_total(
        self, total: Symbol, ex: dict[str, int], declared: int, measures: list[Symbol]
    ) -> tuple[dict[int, float], list[int]]:
        """A bed total as a linear sum of each department's reading (the read measure's cases when a
        requirement reads it, else the profile's field while the department is there, 0 when it is
        not and the list is declared); a department's reading known is one of its valued cases."""
        field = _DEPT_TOTALS[total.arguments[0].name]
        family = f"dept_{field}"
        profile = {d.name: d for d in self.p.ctx.hospital.departments or []}
        value: dict[int, float] = {}
        knowns: list[int] = []
        for name in _total_names(total):
            read = [m for m in measures if m.arguments[0].name == family and _dept_name(m) == name]
            if read and read[0] in self.dept_linear:
                linear, known = self.dept_linear[read[0]]
                for i, c in linear.items():
                    value[i] = value.get(i, 0) + c
                knowns.append(known)
                continue
            if read:
                cases = self.dept_options[read[0]]
            else:
                if name not in ex:
                    ex[name] = self._dept_exists(name, name in profile, measures)
                e = ex[name]
                kept = getattr(profile[name], field) if name in profile else None
                cases = [(kept, e), (0, self._and([(e, False), (declared, True)]))]
            k = self.var()
            self.row({k: 1, **{i: -1 for v, i in cases if v is not None}}, 0, 0)
            for v, i in cases:
                if v:
                    value[i] = value.get(i, 0) + v
            knowns.append(k)
        return value, knowns

    def _dept_exists(self, name: str, existed: bool, measures: list[Symbol]) -> int:
        e = self.var()
        if existed:
            removal = [
                i
                for m in measures
                if m.arguments[0].name == "dept" and _dept_name(m) == name
                for value, i in self.sel.get((HOSPITAL, m), [])[1:]
                if value == 0
            ]
            self.row({e: 1, **dict.fromkeys(removal, 1)}, 1, 1)
            return e
        setters = [
            i
            for m in measures
            if m.arguments[0].name in _DEPT_EDITED and _dept_name(m) == name
            for value, i in self.sel.get((HOSPITAL, m), [])[1:]
            if m.arguments[0].name != "dept" or value == 1
        ]
        self._or(e, setters)
        return e

    def _or(self, target: int, parts: list[int]) -> None:
        for part in parts:
            self.row({target: 1, part: -1}, 0, np.inf)
        self.row({target: 1, **{part: -1 for part in parts}}, -np.inf, 0)

    def _and(self, literals: list[tuple[int, bool]]) -> int:
        """A binary that is 1 exactly when every (var, positive) literal holds."""
        z = self.var()
        negatives = sum(1 for _, positive in literals if not positive)
        for var, positive in literals:
            self.row({z: 1, var: -1 if positive else 1}, -np.inf, 0 if positive else 1)
        coefs = {var: -1 if positive else 1 for var, positive in literals}
        self.row({z: 1, **coefs}, 1 - len(literals) + negatives, np.inf)
        return z

    def _dept_cases(self, measure: Symbol, e: int, declared: int, names: set[str]) -> list[tuple[int | None, int]]:
        family = measure.arguments[0].name
        absent = (0, self._and([(e, False), (declared, True)]))
        if family == "dept":
            return [(1, e), absent]
        options = self.sel.get((HOSPITAL, measure))
        kept = self._profile_value(measure) if _dept_name(measure) in names else _DEPT_BLANK[family]
        if options is None:
            return [(kept, e), absent]
        cases = [(value, self._and([(i, True), (e, True)])) for value, i in options[1:]]
        return [*cases, (kept, self._and([(options[0][1], True), (e, True)])), absent]

    def _profile_value(self, measure: Symbol) -> int | None:
        """A department field as the profile has it (a total's department no leaf reads alone has no fact)."""
        field = _DEPT_FIELDS.get(measure.arguments[0].name)
        if field is None:
            return self._constant(HOSPITAL, measure)
        (department,) = [d for d in self.p.ctx.hospital.departments or [] if d.name == _dept_name(measure)]
        return getattr(department, field)

    # -- requirement nodes --------------------------------------------------------------

    def node(self, x: Symbol, rid: str) -> tuple[int, int]:
        if (x, rid) not in self.nodes:
            h, f = self.var(), self.var()
            self.nodes[(x, rid)] = (h, f)
            self._compile(x, rid, h, f)
        return self.nodes[(x, rid)]

    def _fix(self, var: int, value: bool) -> None:
        self.upper[var] = 1 if value else 0

    def _compile(self, x: Symbol, rid: str, h: int, f: int) -> None:
        node = self.p.kb.requirements[rid]
        kind = node.kind
        if kind in ("cmp", "cmp_rank", "attest"):
            threshold = rank(node.ladder, node.rung) if kind == "cmp_rank" else node.threshold
            if x == HOSPITAL and node.measure in self.dept_totals:
                self._linear_test(*self.dept_totals[node.measure], node.op, threshold, h, f)
                return
            if x == HOSPITAL and node.measure in self.dept_linear:
                linear, known = self.dept_linear[node.measure]
                self._linear_test(linear, [known], node.op, threshold, h, f)
                return
            options = self.dept_options.get(node.measure) if x == HOSPITAL else None
            options = options if options is not None else self.sel.get((x, node.measure))
            lifts = self.p.links.lifts.get((x, node.measure), [])
            raises = self.p.links.raises.get((x, node.measure), [])
            sums = self.p.links.sums.get((x, node.measure), [])
            if lifts or raises or sums:
                self._lifted(x, node, options, lifts, threshold, h, f, raises, sums)
                return
            if options is None:
                value = self._constant(x, node.measure)
                self._fix(h, value is not None and _TESTS[node.op](value, threshold))
                self._fix(f, value is not None and not _TESTS[node.op](value, threshold))
                return
            self.row(
                {h: 1, **{i: -1 for v, i in options if v is not None and _TESTS[node.op](v, threshold)}}, -np.inf, 0
            )
            self.row(
                {f: 1, **{i: -1 for v, i in options if v is not None and not _TESTS[node.op](v, threshold)}}, -np.inf, 0
            )
        elif kind == "ratio":
            self._ratio(x, node, h, f)
        elif kind in ("all_of", "any_of"):
            kids = [self.node(x, c) for c in node.children]
            strong, weak = (0, 1) if kind == "all_of" else (1, 0)
            for kid in kids:  # all_of: h ≤ each h_c ; any_of: f ≤ each f_c
                self.row({(h, f)[strong]: 1, kid[strong]: -1}, -np.inf, 0)
            self.row({(h, f)[weak]: 1, **{kid[weak]: -1 for kid in kids}}, -np.inf, 0)
        elif kind == "implies":
            (ih, if_), (th, tf) = (self.node(x, c) for c in node.children)
            self.row({h: 1, if_: -1, th: -1}, -np.inf, 0)
            self.row({f: 1, ih: -1}, -np.inf, 0)
            self.row({f: 1, tf: -1}, -np.inf, 0)
        elif kind == "neg":
            ch, cf = self.node(x, node.children[0])
            self.row({h: 1, cf: -1}, -np.inf, 0)
            self.row({f: 1, ch: -1}, -np.inf, 0)
        else:
            self._quantifier(x, node, h, f)

    def _lifted(
        self, x: Symbol, node: Any, options: Any, lifts: Any, t: int, h: int, f: int, raises: Any, sums: Any
    ) -> None:
        """value = base + Σ delta·added + Σ weight·flag set (or 1 once a raise applies); known when the
        base is known or a lift, flag or raise applies (big-M rows)."""
        value: dict[int, float] = {}
        known: dict[int, float] = {}
        constant = 0
        if options is not None:
            for v, i in options:
                if v is not None:
                    value[i] = value.get(i, 0) + v
                    known[i] = 1
        else:
            base = self._constant(x, node.measure)
            constant = base or 0
            known_constant = base is not None
        for lift in lifts:
            e = self.exists[lift.member.symbol]
            value[e] = value.get(e, 0) + lift.delta
            known[e] = 1
        for choice, weight in sums:  # a member's flag set to 1 (a new member's flag needs the member)
            (i,) = [i for v, i in self.sel[(choice.subject, choice.measure)] if v == 1]
            value[i] = value.get(i, 0) + weight
            known[i] = 1
        if raises:  # a 0/1 flag: value' = max(value, r), r = OR over raisers of AND(added, attributes = 1)
            r, w = self.var(), self.var()
            ands = []
            for rise in raises:
                parts = [self.exists[rise.member.symbol]]
                for choice in rise.choices:
                    parts += [i for v, i in self.sel[(choice.subject, choice.measure)] if v == 1]
                a = self.var()
                for part in parts:
                    self.row({a: 1, part: -1}, -np.inf, 0)
                self.row({a: 1, **{part: -1 for part in parts}}, 1 - len(parts), np.inf)
                self.row({r: 1, a: -1}, 0, np.inf)
                ands.append(a)
            self.row({r: 1, **{a: -1 for a in ands}}, -np.inf, 0)
            self.row({w: 1, **{i: -c for i, c in value.items()}}, constant, np.inf)  # w ≥ value
            self.row({w: 1, r: -1}, 0, np.inf)  # w ≥ r
            self.row({w: 1, r: -1, **{i: -c for i, c in value.items()}}, -np.inf, constant)  # w ≤ value + r
            value, constant = {w: 1}, 0
            known[r] = 1
        if options is not None or not known_constant:
            self.row({h: 1, **{i: -c for i, c in known.items()}}, -np.inf, 0)
            self.row({f: 1, **{i: -c for i, c in known.items()}}, -np.inf, 0)
        big = 10_000
        lo, hi = {"ge": (t, None), "gt": (t + 1, None), "le": (None, t), "lt": (None, t - 1), "eq": (t, t)}[node.op]
        # h → lo ≤ value ≤ hi ;  f → value < lo or value > hi
        if lo is not None:
            self.row({**value, h: -big}, lo - constant - big, np.inf)
        if hi is not None:
            self.row({**value, h: big}, -np.inf, hi - constant + big)
        if lo is not None and hi is not None:
            z = self.var()  # f and z: value ≤ lo − 1 ; f and not z: value ≥ hi + 1
            self.row({**value, f: big, z: big}, -np.inf, lo - 1 - constant + 2 * big)
            self.row({**value, f: -big, z: big}, hi + 1 - constant - big, np.inf)
        elif lo is not None:
            self.row({**value, f: big}, -np.inf, lo - 1 - constant + big)
        else:
            self.row({**value, f: -big}, hi + 1 - constant - big, np.inf)

    def _linear_test(self, value: dict[int, float], knowns: list[int], op: str, t: int, h: int, f: int) -> None:
        """h / f need every summed reading known and the linear sum on the right side (big-M)."""
        for k in knowns:
            self.row({h: 1, k: -1}, -np.inf, 0)
            self.row({f: 1, k: -1}, -np.inf, 0)
        big = 100_000
        lo, hi = {"ge": (t, None), "gt": (t + 1, None), "le": (None, t), "lt": (None, t - 1), "eq": (t, t)}[op]
        if lo is not None:  # h → Σ ≥ lo
            self.row({**value, h: -big}, lo - big, np.inf)
        if hi is not None:  # h → Σ ≤ hi
            self.row({**value, h: big}, -np.inf, hi + big)
        if lo is not None and hi is not None:  # f and z: Σ ≤ lo − 1 ; f and not z: Σ ≥ hi + 1
            z = self.var()
            self.row({**value, f: big, z: big}, -np.inf, lo - 1 + 2 * big)
            self.row({**value, f: -big, z: big}, hi + 1 - big, np.inf)
        elif lo is not None:  # f → Σ ≤ lo − 1
            self.row({**value, f: big}, -np.inf, lo - 1 + big)
        else:  # f → Σ ≥ hi + 1
            self.row({**value, f: -big}, hi + 1 - big, np.inf)

    def _closed(self, x: Symbol, member_class: str) -> int:
        """1 when the list is declared by the profile or by a member (or record) a plan adds to it."""
        key = (x, member_class)
        if key not in self.closed_vars:
            c = self.closed_vars[key] = self.var()
            if key not in self.p.model.declared():
                closers = {self.exists[m.symbol]: -1 for m in self.p.links.closers.get(key, [])}
                for choice in self.p.closing_choices.get(key, []):
                    options = self.sel[(choice.subject, choice.measure)]
                    closers.update({i: -1 for value, i in options[1:] if value})
                self.row({c: 1, **closers}, -np.inf, 0)
        return self.closed_vars[key]

    def _constant(self, x: Symbol, measure: Symbol) -> int | None:
        if (x, measure) in self.p.model.free:
            value = self.p.model.free[(x, measure)]
            return value if isinstance(value, int) else value.as_long()
        return self.p.model._values.get((x, measure))

    def _ratio(self, x: Symbol, node: Any, h: int, f: int) -> None:
        num, den = self._constant(x, node.measure), self._constant(x, node.denominator)
        holds = fails = False
        upper = node.op in ("le", "lt")
        if den == 0:
            holds, fails = upper, not upper
        elif den is not None and num is not None:
            p, q = node.ratio
            holds = _TESTS[node.op](num * q, p * den)
            fails = not holds
        self._fix(h, holds)
        self._fix(f, fails)

    def _quantifier(self, x: Symbol, node: Any, h: int, f: int) -> None:
        closed = self._closed(x, node.member_class)
        sure: dict[int, float] = {}
        maybe: dict[int, float] = {}
        maybe_const = 0
        for y in self.p._candidates(x, node):
            yh, yf = self.node(y, node.condition)
            e = self.exists.get(y)
            a, b = self.var(), self.var()  # a: counted as holding; b: counted as failing (or absent)
            self.row({a: 1, yh: -1}, -np.inf, 0)
            if e is not None:
                self.row({a: 1, e: -1}, -np.inf, 0)
                self.row({b: 1, yf: -1, e: 1}, -np.inf, 1)  # b ≤ f_y + (1 − e)
            else:
                self.row({b: 1, yf: -1}, -np.inf, 0)
            sure[a] = 1
            maybe[b] = -1
            maybe_const += 1  # maybe = |candidates| − Σ b
            if node.kind == "forall":
                if e is not None:
                    self.row({h: 1, yh: -1, e: 1}, -np.inf, 1)  # h ≤ h_y + (1 − e)
                else:
                    self.row({h: 1, yh: -1}, -np.inf, 0)
        if node.kind == "forall":
            self.row({h: 1, closed: -1}, -np.inf, 0)
            fail_vars = []
            for y in self.p._candidates(x, node):
                yh, yf = self.node(y, node.condition)
                e = self.exists.get(y)
                c = self.var()
                self.row({c: 1, yf: -1}, -np.inf, 0)
                if e is not None:
                    self.row({c: 1, e: -1}, -np.inf, 0)
                fail_vars.append(c)
            self.row({f: 1, **{c: -1 for c in fail_vars}}, -np.inf, 0)
            return
        n, op, big = node.threshold, node.op, 1000
        low, high = {"ge": (n, None), "gt": (n + 1, None), "le": (None, n), "lt": (None, n - 1), "eq": (n, n)}[op]
        # holds: sure ≥ low and (closed and maybe ≤ high)
        if low is not None:
            self.row({**sure, h: -low}, 0, np.inf)
        if high is not None:
            self.row({h: 1, closed: -1}, -np.inf, 0)
            self.row({**maybe, h: big}, -np.inf, high - maybe_const + big)
        # fails: sure ≥ high + 1, or (closed and maybe ≤ low − 1)
        parts = []
        if high is not None:
            g = self.var()
            self.row({**sure, g: -(high + 1)}, 0, np.inf)
            parts.append(g)
        if low is not None:
            g = self.var()
            self.row({**maybe, g: big}, -np.inf, low - 1 - maybe_const + big)
            self.row({g: 1, closed: -1}, -np.inf, 0)
            parts.append(g)
        self.row({f: 1, **{g: -1 for g in parts}}, -np.inf, 0)

    # -- solving ------------------------------------------------------------------------------

    def solve(self) -> float | None:
        """The optimum money (in hundredths), or ``None`` when infeasible."""
        for group in self.p.groups:
            self.row({self.node(x, root)[0]: 1 for x, root in group}, 1, np.inf)
        matrix = np.zeros((len(self.rows), self.n))
        lows, highs = [], []
        for i, (coefs, lo, hi) in enumerate(self.rows):
            for j, c in coefs.items():
                matrix[i, j] += c
            lows.append(lo)
            highs.append(hi)
        c = np.zeros(self.n)
        for j, money in self.cost.items():
            c[j] = money
        result = milp(
            c,
            constraints=LinearConstraint(matrix, lows, highs),
            integrality=np.ones(self.n),
            bounds=Bounds(self.lower, self.upper),
        )
        return round(result.fun) if result.status == 0 else None
