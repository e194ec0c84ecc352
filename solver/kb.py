"""The knowledge base, loaded once and read through typed records.

``KnowledgeBase.load()`` grounds ``kb/common.lp`` and every ``kb/facts/*.lp`` once
(without any hospital) and reads the declarations back into the dataclasses
below: specifications, targets, requirement nodes with their clause and quote,
the grade catalogue, interpretation notes, and the set of measures the
requirements read.  Every other module works from these records; nothing else
parses knowledge-base files.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from pathlib import Path

import clingo
from clingo import Symbol, SymbolType
from zhunru.solver.ladders import kb_path

from zhunru.errors import EngineError

NODE_KINDS = ("all_of", "any_of", "implies", "neg", "count", "forall", "cmp", "cmp_rank", "ratio", "attest")


def py(symbol: Symbol) -> object:
    """A plain Python value of a symbol (strings, numbers, names; tuples/functions as text)."""
    if symbol.type == SymbolType.String:
        return symbol.string
    if symbol.type == SymbolType.Number:
        return symbol.number
    if symbol.type == SymbolType.Function and not symbol.arguments and symbol.name:
        return symbol.name
    return str(symbol)


@dataclass(frozen=True)
class Spec:
    id: str
    technology: str
    title: str
    jurisdiction: str
    version: str
    source: str
    scope: Symbol  # national | province("天津市")
    dates: dict[str, tuple[date, str]] = field(default_factory=dict)  # kind -> (date, printed|assumed)

    def applies_to_province(self, province: str) -> bool:
        if self.scope.name == "national":
            return True
        return self.scope.name == "province" and self.scope.arguments[0].string == province


@dataclass(frozen=True)
class Target:
    spec: str
    root: str
    kind: str  # entry | ongoing | training_base | procedure | physician | nurse | technician (staff targets)
    subject: Symbol  # hospital | staff(physician)
    scope: str

    @property
    def role(self) -> str | None:
        return self.subject.arguments[0].name if self.subject.name == "staff" else None


@dataclass(frozen=True)
class Clause:
    spec: str
    id: str
    path: str
    text: str


@dataclass(frozen=True)
class Procedure:
    spec: str
    grade: int
    number: str
    name: str
    open: bool = False

    @property
    def clause_path(self) -> str:
        return f"附件 {'一二三四'[self.grade - 1]}级手术 {self.number}"


@dataclass(frozen=True)
class Note:
    id: str
    scope: str
    zh: str
    en: str


@dataclass
class Requirement:
    id: str
    spec: str
    clause: str
    kind: str = ""
    quote: str | None = None
    gloss: str | None = None
    children: list[str] = field(default_factory=list)
    # kind-specific parameters, as symbols
    measure: Symbol | None = None
    op: str | None = None
    threshold: int | None = None
    ladder: str | None = None
    rung: str | None = None
    denominator: Symbol | None = None
    ratio: tuple[int, int] | None = None
    member_class: str | None = None
    member_kind: str | None = None
    condition: str | None = None
    notes: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class FilingRoute:
    """Where a hospital files a listed technology: who receives the filing and who reviews it."""

    instrument: str
    list: str  # e.g. provincial_list
    intake: tuple[str, str]  # (authority, clause id of the instrument)
    review: tuple[str, str]


@dataclass
class KnowledgeBase:
    """Everything the engine knows, parsed once per process."""

    files: list[Path]
    specs: dict[str, Spec] = field(default_factory=dict)
    # Instruments: legal texts that are not specifications of a technology but whose clauses
    # requirements may cite (e.g. a provincial notice's filing and revocation rules).
    instruments: dict[str, Spec] = field(default_factory=dict)
    technologies: dict[str, tuple[str, str]] = field(default_factory=dict)
    targets: list[Target] = field(default_factory=list)
    clauses: dict[tuple[str, str], Clause] = field(default_factory=dict)
    requirements: dict[str, Requirement] = field(default_factory=dict)
    procedures: list[Procedure] = field(default_factory=list)
    grade_targets: dict[tuple[str, int], str] = field(default_factory=dict)
    procedure_targets: dict[tuple[str, int, str], str] = field(default_factory=dict)
    obligations: list[tuple[str, str, str]] = field(default_factory=list)  # (spec, clause id, target kind)
    out_of_scope: dict[tuple[str, str], str] = field(default_factory=dict)  # (spec, clause id) -> reason
    source_lines: dict[str, tuple[int, int]] = field(default_factory=dict)  # spec -> first, last seed line
    filing_routes: dict[str, FilingRoute] = field(default_factory=dict)  # spec -> who receives and reviews
    notes: dict[str, Note] = field(default_factory=dict)
    measures: set[Symbol] = field(default_factory=set)
    _programs: dict[frozenset[str], str] = field(default_factory=dict, repr=False)
    _measures_for: dict[frozenset[str], list[Symbol]] = field(default_factory=dict, repr=False)

    @classmethod
    def load(cls, directory: Path | None = None) -> KnowledgeBase:
        base = directory or kb_path()
        facts = sorted((base / "facts").glob("*.lp"))
        kb = cls(files=[base / "common.lp", *facts])
        control = clingo.Control(["--warn=none"])
        for path in kb.files:
            control.load(str(path))
        control.ground([("base", [])])
        kb._read(control)
        return kb

    @cached_property
    def clause_paths(self) -> dict[str, str]:
        """Requirement id -> the printed path of the clause it cites."""
        return {rid: self.clauses[(r.spec, r.clause)].path for rid, r in self.requirements.items()}

    @cached_property
    def program(self) -> str:
        """The whole KB and the interpreter as one program text."""
        return self.program_for(sorted(self.specs))

    @cached_property
    def _file_specs(self) -> dict[Path, set[str]]:
        """The specifications each fact file declares (none: shared files such as instruments)."""
        declared = re.compile(r"^spec\(\s*([a-z][A-Za-z0-9_]*)\s*,", re.M)
        return {path: set(declared.findall(path.read_text(encoding="utf-8"))) for path in self.files}

    def program_for(self, specs: list[str]) -> str:
        """The interpreter with only the files needed for ``specs`` (and every shared file).

        Requirement trees never cross specification files, so grounding the others would
        only cost time: with every specification loaded, parsing dominated an evaluation.
        """
        wanted = frozenset(specs)
        if wanted in self._programs:
            return self._programs[wanted]
        parts = [
            path.read_text(encoding="utf-8")
            for path, declared in self._file_specs.items()
            if not declared or declared & wanted
        ]
        parts.append(kb_path("rules.lp").read_text(encoding="utf-8"))
        self._programs[wanted] = "\n".join(parts)
        return self._programs[wanted]

    # -- reading -----------------------------------------------------------------

    def _read(self, control: clingo.Control) -> None:
        def atoms(name: str, arity: int) -> list[list[Symbol]]:
            found = [a.symbol.arguments for a in control.symbolic_atoms.by_signature(name, arity)]
            return sorted(found, key=lambda args: [str(a) for a in args])

        for tech, zh, en in atoms("technology", 3):
            self.technologies[tech.name] = (zh.string, en.string)
        sources = {s.name: f.string for s, f in atoms("spec_source", 2)}
        scopes = {s.name: scope for s, scope in atoms("spec_in", 2)}
        dates: dict[str, dict[str, tuple[date, str]]] = {}
        for s, kind, day, status in atoms("spec_date", 4):
            dates.setdefault(s.name, {})[kind.name] = (_date(day.number), status.name)
        for s, tech, title, jurisdiction, version in atoms("spec", 5):
            self.specs[s.name] = Spec(
                s.name,
                tech.name,
                title.string,
                jurisdiction.string,
                version.string,
                sources.get(s.name, ""),
                scopes[s.name],
                dates.get(s.name, {}),
            )
        for s, title, jurisdiction, version in atoms("instrument", 4):
            scope = scopes.get(s.name, clingo.Function("national"))
            self.instruments[s.name] = Spec(
                s.name,
                "",
                title.string,
                jurisdiction.string,
                version.string,
                sources.get(s.name, ""),
                scope,
                dates.get(s.name, {}),
            )
        order = {root.name: n.number for root, n in atoms("target_order", 2)}
        for s, root, kind, subject, scope in atoms("target", 5):
            self.targets.append(Target(s.name, root.name, kind.name, subject, scope.string))
        kinds = ("entry", "ongoing", "training_base", "procedure", "physician", "nurse", "technician")
        self.targets.sort(
            key=lambda t: (t.spec, kinds.index(t.kind) if t.kind in kinds else 9, order.get(t.root, 99), t.root)
        )
        for s, cid, path, text in atoms("clause", 4):
            self.clauses[(s.name, cid.name)] = Clause(s.name, cid.name, path.string, text.string)
        for s, grade, number, name in atoms("procedure", 4):
            self.procedures.append(Procedure(s.name, grade.number, number.string, name.string))
        opens = {(s.name, g.number, n.string) for s, g, n in atoms("open_procedure", 3)}
        self.procedures = [
            Procedure(p.spec, p.grade, p.number, p.name, (p.spec, p.grade, p.number) in opens)
            for p in sorted(self.procedures, key=lambda p: (p.spec, p.grade, _cn_number(p.number)))
        ]
        for s, grade, root in atoms("grade_target", 3):
            self.grade_targets[(s.name, grade.number)] = root.name
        for s, cid, kind in atoms("obligation", 3):
            self.obligations.append((s.name, cid.name, kind.name))
        for s, cid, reason in atoms("out_of_scope", 3):
            self.out_of_scope[(s.name, cid.name)] = reason.string
        self._read_filing_routes(atoms)
        for s, first, last in atoms("spec_lines", 3):
            self.source_lines[s.name] = (first.number, last.number)
        for s, grade, number, root in atoms("procedure_target", 4):
            self.procedure_targets[(s.name, grade.number, number.string)] = root.name
        for note_id, scope, zh, en in atoms("note", 4):
            self.notes[note_id.name] = Note(note_id.name, scope.name, zh.string, en.string)
        self._read_requirements(atoms)

    def _read_filing_routes(self, atoms: Callable[[str, int], list[list[Symbol]]]) -> None:
        """on_list/3 with filing_intake/4 and filing_review/4: where a filing of a listed spec goes."""
        intake = {(i.name, lst.name): (who.string, cid.name) for i, lst, who, cid in atoms("filing_intake", 4)}
        review = {(i.name, lst.name): (who.string, cid.name) for i, lst, who, cid in atoms("filing_review", 4)}
        for instrument, listed, spec in atoms("on_list", 3):
            key = (instrument.name, listed.name)
            if key in intake and key in review:
                self.filing_routes[spec.name] = FilingRoute(instrument.name, listed.name, intake[key], review[key])

    def _read_requirements(self, atoms: Callable[[str, int], list[list[Symbol]]]) -> None:
        for r, s, cid in atoms("req", 3):
            if r.name in self.requirements:
                raise EngineError(f"requirement {r.name} is declared twice")
            self.requirements[r.name] = Requirement(r.name, s.name, cid.name)
        req = self.requirement
        for r, text in atoms("quote", 2):
            req(r).quote = text.string
        for r, text in atoms("gloss", 2):
            req(r).gloss = text.string
        for r, note in atoms("note_on", 2):
            req(r).notes.append(note.name)
        for (r,) in atoms("all_of", 1):
            req(r).kind = "all_of"
        for (r,) in atoms("any_of", 1):
            req(r).kind = "any_of"
        for r, child, _order in sorted(atoms("child", 3), key=lambda a: (a[0].name, a[2].number)):
            req(r).children.append(child.name)
        for r, cond, then in atoms("implies", 3):
            node = req(r, "implies")
            node.children = [cond.name, then.name]
        for r, child in atoms("neg", 2):
            req(r, "neg").children = [child.name]
        for r, cls, kind, cond, op, n in atoms("count", 6):
            node = req(r, "count")
            node.member_class, node.member_kind = cls.name, str(py(kind))
            node.condition, node.op, node.threshold = cond.name, op.name, n.number
            node.children = [cond.name]
        for r, cls, kind, cond in atoms("forall", 4):
            node = req(r, "forall")
            node.member_class, node.member_kind, node.condition = cls.name, str(py(kind)), cond.name
            node.children = [cond.name]
        for r, measure, op, n in atoms("cmp", 4):
            node = req(r, "cmp")
            node.measure, node.op, node.threshold = measure, op.name, n.number
        for r, measure, op, ladder, rung in atoms("cmp_rank", 5):
            node = req(r, "cmp_rank")
            node.measure, node.op, node.ladder, node.rung = measure, op.name, ladder.name, rung.string
        for r, num, den, op, p, q in atoms("ratio", 6):
            node = req(r, "ratio")
            node.measure, node.denominator, node.op, node.ratio = num, den, op.name, (p.number, q.number)
        for (r,) in atoms("attest", 1):
            node = req(r, "attest")
            node.measure = clingo.Function("m", [clingo.Function("attest"), r])
            node.op, node.threshold = "eq", 1
        for node in self.requirements.values():
            if not node.kind:
                raise EngineError(f"requirement {node.id} has no kind ({', '.join(NODE_KINDS)})")
            for measure in (node.measure, node.denominator):
                if measure is not None:
                    self.measures.add(measure)

    def measures_for(self, specs: list[str]) -> list[Symbol]:
        """The measures read by the requirements that targets of ``specs`` reach (sorted)."""
        wanted = frozenset(specs)
        if wanted not in self._measures_for:
            stack = [t.root for t in self.targets if t.spec in wanted]
            seen: set[str] = set()
            while stack:
                node_id = stack.pop()
                if node_id in seen or node_id not in self.requirements:
                    continue
                seen.add(node_id)
                stack.extend(self.requirements[node_id].children)
            found = {
                measure
                for node_id in seen
                for measure in (self.requirements[node_id].measure, self.requirements[node_id].denominator)
                if measure is not None
            }
            self._measures_for[wanted] = sorted(found)
        return self._measures_for[wanted]

    @property
    def documents(self) -> dict[str, Spec]:
        """Every legal text whose clauses the KB holds: specifications and instruments."""
        return {**self.specs, **self.instruments}

    def requirement(self, symbol: Symbol | str, kind: str | None = None) -> Requirement:
        name = symbol if isinstance(symbol, str) else symbol.name
        try:
            node = self.requirements[name]
        except KeyError:
            raise EngineError(f"{name} is used but has no req/3 declaration") from None
        if kind is not None:
            if node.kind and node.kind != kind:
                raise EngineError(f"requirement {name} has two kinds: {node.kind} and {kind}")
            node.kind = kind
        return node

    # -- queries -----------------------------------------------------------------

    def obligations_of(self, spec: str, kind: str) -> list[Clause]:
        """Duties a hospital takes on with a verdict of this kind (listed, never blocking)."""
        return [self.clauses[(s, cid)] for s, cid, k in self.obligations if s == spec and k == kind]

    def clause_of(self, requirement_id: str) -> Clause:
        node = self.requirements[requirement_id]
        return self.clauses[(node.spec, node.clause)]

    def targets_of(self, spec: str) -> list[Target]:
        return [t for t in self.targets if t.spec == spec]

    def target(self, root: str) -> Target:
        for t in self.targets:
            if t.root == root:
                return t
        raise KeyError(root)

    def procedure_root(self, procedure: Procedure) -> str:
        """The requirement a procedure needs: its own, else its grade's entry target."""
        own = self.procedure_targets.get((procedure.spec, procedure.grade, procedure.number))
        return own or self.grade_targets[(procedure.spec, procedure.grade)]

    def catalogue(self, spec: str) -> list[Procedure]:
        return [p for p in self.procedures if p.spec == spec]

    def find_procedures(self, name: str) -> list[Procedure]:
        """Catalogue entries whose printed name is ``name`` (or contains it, if none is exact)."""
        exact = [p for p in self.procedures if p.name == name]
        return exact or [p for p in self.procedures if name in p.name]

    def resolve_spec(self, ident: str) -> list[str]:
        """Spec ids named by a spec id or a technology id."""
        if ident in self.specs:
            return [ident]
        return sorted(s.id for s in self.specs.values() if s.technology == ident)


def _date(yyyymmdd: int) -> date:
    return date(yyyymmdd // 10000, yyyymmdd // 100 % 100, yyyymmdd % 100)


_CN_DIGITS = {c: i for i, c in enumerate("零一二三四五六七八九")}


def _cn_number(text: str) -> int:
    """The value of a printed Chinese item number such as "十四、"."""
    digits = text.rstrip("、")
    if digits.startswith("十"):
        digits = "一" + digits
    if "十" in digits:
        tens, _, ones = digits.partition("十")
        return _CN_DIGITS.get(tens, 1) * 10 + (_CN_DIGITS.get(ones, 0) if ones else 0)
    return _CN_DIGITS.get(digits, 0)
