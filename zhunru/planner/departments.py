"""Departments as one list: what a department edit changes beyond its own reading.

``m(dept, X)``, ``m(dept_form, X)``, ``m(dept_beds, X)`` and ``m(dept_open_beds, X)`` all read
the hospital's ``departments`` list (:mod:`zhunru.solver.measures`), and their editors
(:mod:`zhunru.planner.families`) set a missing department up, or (``dept`` made 0) remove one.  After the
edits clingo reads:

* a department exists when the profile had it and no edit removed it, or when an edit set it up
  (``dept`` made 1, or any new form, beds or open beds);
* the list is declared when the profile declared it or an edit set a department up; a department
  missing from a declared list reads 0 in every family;
* a department set up without a field reads that field's blank: form 0, beds and open beds unknown;
* a removed department reads 0 in every family, whatever else an edit set on it;
* a bed total over several departments (``m(dept_beds_total, K)``, ``m(dept_open_beds_total, K)``)
  is the sum of those departments' readings of the family it sums: unknown when any is unknown
  (an undeclared list, a department there without the field), a department not there adds 0.

Each reading becomes a derived :class:`~zhunru.solver.z3model.Domain` of cases (value, condition):
at most one condition holds, and none holding leaves the reading unknown.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from clingo import Symbol, SymbolType
from zhunru.solver.facts import HOSPITAL
from zhunru.solver.z3model import Domain, Term, fold_and, fold_not, fold_or

FAMILIES = ("dept", "dept_form", "dept_beds", "dept_open_beds")
EDITED = ("dept", "dept_form", "dept_beds", "dept_open_beds")
BLANK: dict[str, int | None] = {"dept_form": 0, "dept_beds": None, "dept_open_beds": None}
"""What a department set up without the field reads (``measures``: no form is rank 0, no beds unknown)."""
TOTALS = {"dept_beds_total": "dept_beds", "dept_open_beds_total": "dept_open_beds"}
"""Bed totals over several departments and the per-department family each sums."""
_FIELD = {"dept_beds": "beds", "dept_open_beds": "open_beds"}

Case = tuple[int | None, Term]


def department_name(measure: Symbol) -> str:
    key = measure.arguments[1]
    return key.string if key.type == SymbolType.String else key.arguments[0].string


def total_names(measure: Symbol) -> list[str]:
    """The departments a bed total sums (``measures._department_total``)."""
    key = measure.arguments[1]
    return [a.string for a in key.arguments] if key.type == SymbolType.Function else [key.string]


@dataclass(frozen=True)
class Department:
    """One department after the edits: whether the profile had it, set up or removed by an edit."""

    existed: bool
    created: Term
    removed: Term

    @property
    def exists(self) -> Term:
        return fold_or([fold_and([self.existed, fold_not(self.removed)]), self.created])


def department_domains(
    hospital: Any,
    measures: Iterable[Symbol],
    choice_of: Callable[[Symbol], Any],
    current: Callable[[Symbol], int | None],
) -> dict[Symbol, Domain]:
    """The derived domain of every department measure some change reaches (``{}`` when none does).

    ``measures`` are the hospital's measures the requirements read, ``choice_of`` gives the
    :class:`~zhunru.planner.problem.Choice` of one (or ``None``), ``current`` its reading now.
    """
    measures = list(measures)
    read = [m for m in measures if m.arguments[0].name in FAMILIES]
    totals = [m for m in measures if m.arguments[0].name in TOTALS]
    by_name: dict[str, dict[str, Symbol]] = {}
    for measure in read:
        by_name.setdefault(department_name(measure), {})[measure.arguments[0].name] = measure
    for measure in totals:
        for name in total_names(measure):
            by_name.setdefault(name, {})
    choices = {
        name: {family: choice_of(m) for family, m in found.items() if family in EDITED}
        for name, found in by_name.items()
    }
    if not any(c is not None for found in choices.values() for c in found.values()):
        return {}
    existing = {d.name for d in hospital.departments or []}
    departments = {name: _department(name in existing, choices[name]) for name in by_name}
    declared = hospital.departments is not None or fold_or(d.created for d in departments.values())
    domains: dict[Symbol, Domain] = {}
    for measure in read:
        department = departments[department_name(measure)]
        cases = _cases(measure.arguments[0].name, department, choice_of(measure), current(measure), declared)
        _derived(domains, measure, cases)
    fields = {d.name: d for d in hospital.departments or []}
    for measure in totals:
        family = TOTALS[measure.arguments[0].name]
        per: list[list[Case]] = []
        for name in total_names(measure):
            summed = by_name[name].get(family)
            choice = choice_of(summed) if summed is not None else None
            now = getattr(fields[name], _FIELD[family]) if name in fields else None
            per.append(_cases(family, departments[name], choice, now, declared))
        _derived(domains, measure, _summed(per))
    return domains


def total_values(
    totals: list[tuple[list[Symbol], str, int]],
    base: Callable[[Symbol], list[int | None]],
    current: Callable[[Symbol], int | None],
) -> dict[Symbol, set[int]]:
    """The values a total's departments may be given beyond those their own leaves compare with.

    ``totals`` are (the per-department measures a total sums, op, threshold); ``base`` gives a
    department measure's own domain (current value first, then the values its own leaves compare
    with), ``current`` its reading now.  For each total and each department ``d`` it sums: the bound
    (``>= t``: t, ``> t``: t + 1, ``<= t``: t, ``< t``: t - 1) minus the sum of the other departments'
    *base values* (their known base values; 0, what a field set costs nothing to give, when the
    reading is unknown), kept when it moves ``d`` the way the total wants (up for a lower bound,
    down for an upper one; any value ≥ 0 when ``d`` reads unknown).  The failing side of a total is not
    offered: no requirement needs a bed total to fail.

    Why this holds the optimum over integer beds (money, the first objective).  A total sums one family,
    priced by one cost entry (``hospital.dept_beds``, ``hospital.dept_open_beds``), so a bed costs the
    same in every department, and a
    department's price is ``c·|b − b0|`` (``b0`` the reading now, 0 when unknown or absent): convex,
    piecewise linear, its breakpoint a base value.  Fix everything else an optimal plan does (other
    edits; which of each department's own leaves hold or fail).  What is left is to minimise
    ``Σ c·|b_d − b0_d|`` under one interval per department (its own leaves: bounds at base values)
    and one per total; the bounds are integers and the totals sum consecutive departments (one total
    of 2 or 3, or two totals sharing one department), an interval matrix, so an optimal vertex is
    integral and every ``b_d`` there is pinned by a tight constraint.  With one tight total the other
    departments sit at base values and ``d`` is the bound minus their sum: offered.  Two tight totals
    sharing ``s`` (``{s, a} >= T1``, ``{s, b} >= T2``): if ``s`` is at a base value, ``a`` and ``b``
    are each offered; else, say, ``a`` is at a base value, ``s = T1 − a`` (offered) and ``b`` above its
    base: moving a bed from ``b`` to ``s`` costs nothing more (same price, both raised), keeps the
    second total and only raises the first (a lower bound), and ``s`` has no upper bound of its own
    (the KB's department leaves are lower bounds), so repeat until ``b`` reaches a base value: then
    ``s = T2 − b`` is offered.  The same argument mirrored holds for upper bounds.  A department's own
    thresholds interact only through its base values (``d`` raised to 70 for the total also meets its
    own ``>= 40``; a plan needing it below a threshold pins it at a base value).  A cost file pricing
    per ``scale`` beds only rounds up: raising one department by the whole deficit costs no more than
    splitting it (argued, not checked).  ``tests/milp_reference.py`` treats these beds as integers
    (per-bed prices, ``scale`` 1), so "Z3 cost == MILP cost" checks that the domain suffices.
    """
    extra: dict[Symbol, set[int]] = {}
    for parts, op, threshold in totals:
        if op not in ("ge", "gt", "le", "lt"):
            continue
        up = op in ("ge", "gt")
        bound = threshold + (op == "gt") - (op == "lt")
        options = {m: _known_base(base(m)) for m in parts}
        for part in parts:
            now = current(part)
            others = [options[m] for m in parts if m != part]
            for combination in itertools.product(*others):
                value = bound - sum(combination)
                if value >= 0 and (now is None or (value > now if up else value < now)):
                    extra.setdefault(part, set()).add(value)
    return extra


def _known_base(values: list[int | None]) -> list[int]:
    known = sorted({v for v in values if v is not None})
    return known if values and values[0] is not None else sorted({0, *known})


def _derived(domains: dict[Symbol, Domain], measure: Symbol, cases: list[Case]) -> None:
    if any(not isinstance(condition, bool) for _, condition in cases):
        domains[measure] = Domain([v for v, _ in cases], [c for _, c in cases])  # type: ignore[misc]


def _summed(per: list[list[Case]]) -> list[Case]:
    """The cases of a sum: one per combination of the summands' cases, merged by value (unknown dropped)."""
    merged: dict[int, list[Term]] = {}
    for combination in itertools.product(*per):
        values = [value for value, _ in combination]
        if None in values:
            continue
        condition = fold_and([c for _, c in combination])
        if condition is not False:
            merged.setdefault(sum(v for v in values if v is not None), []).append(condition)
    return _live([(value, fold_or(conditions)) for value, conditions in merged.items()])


def _department(existed: bool, choices: dict[str, Any]) -> Department:
    """Set up by any new value of ``dept`` (1), form, beds or open beds; removed by ``dept`` made 0."""
    setters: list[Term] = []
    removed: Term = False
    for family, choice in choices.items():
        if choice is None:
            continue
        for value, selector in zip(choice.values[1:], choice.domain.selectors[1:], strict=True):
            if family == "dept" and value == 0 and existed:
                removed = selector
            elif not existed and (family != "dept" or value == 1):
                setters.append(selector)
    return Department(existed, fold_or(setters), removed)


def _cases(family: str, department: Department, choice: Any, now: int | None, declared: Term) -> list[Case]:
    exists = department.exists
    if family == "dept":
        return _live([(1, exists), (0, fold_and([declared, fold_not(exists)]))])
    kept = fold_not(department.removed)
    cases: list[Case] = []
    untouched: Term = True
    if choice is not None:
        cases += [(v, fold_and([s, kept])) for v, s in zip(choice.values[1:], choice.domain.selectors[1:], strict=True)]
        untouched = choice.domain.selectors[0]
    if department.existed:
        cases += [(0, department.removed), (now, fold_and([untouched, kept]))]
    else:
        created = department.created
        cases += [(BLANK[family], fold_and([untouched, created]))]
        cases += [(0, fold_and([untouched, fold_not(created), declared]))]
    return _live(cases)


def _live(cases: list[Case]) -> list[Case]:
    return [(value, condition) for value, condition in cases if condition is not False]


def hospital_measures(reads: Iterable[tuple[Symbol, Symbol]]) -> list[Symbol]:
    return [measure for subject, measure in reads if subject == HOSPITAL]
