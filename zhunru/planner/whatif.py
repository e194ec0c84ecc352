"""``zhunru whatif``: verdicts before and after a set of edits, and what changed.

Edits come from the command line (``--set PATH=VALUE``, ``--add PATH=VALUE``,
``--remove PATH``; VALUE is read as YAML, so ``10``, ``true`` and ``{title: 主治医师}``
all work) or from a file: a list of ``{op, path, value}`` objects, a mapping with an
``edits`` list, or a ``zhunru plan`` JSON document (its ``changes[].edit`` objects).
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError

from zhunru import api
from zhunru.edits import Edit, apply_all
from zhunru.errors import InputError, Problem
from zhunru.profile import parse_profile, problems_from_validation


class EditRecord(BaseModel):
    model_config = ConfigDict(extra="forbid")

    op: Literal["set", "add", "remove"]
    path: str
    value: Any = None


def read_data(path: str | Path) -> dict[str, Any]:
    """The decoded profile (validated first, so decoding cannot fail here)."""
    api.load_profile(path)
    text = Path(path).read_text(encoding="utf-8")
    data = json.loads(text) if str(path).lower().endswith(".json") else yaml.safe_load(text)
    assert isinstance(data, dict)
    return data


def parse_option(op: Literal["set", "add", "remove"], text: str) -> Edit:
    """``PATH=VALUE`` (or ``PATH`` for remove) → an edit."""
    if op == "remove":
        return Edit("remove", text)
    path, sep, raw = text.partition("=")
    if not sep or not path:
        raise InputError([Problem(f"--{op}", text, "expected PATH=VALUE, e.g. units[icu-1].beds=6", "bad_edit")])
    try:
        value = yaml.safe_load(raw)
    except yaml.YAMLError:
        value = raw
    return Edit(op, path, value)


def load_edits(path: str | Path) -> list[Edit]:
    """Edits from a YAML/JSON file: a list, ``{edits: [...]}`` or a plan document (``changes[].edit``)."""
    file = Path(path)
    if not file.is_file():
        raise InputError([Problem(str(file), "", "no such edits file", "not_found")])
    try:
        data = yaml.safe_load(file.read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as error:
        raise InputError([Problem(str(file), "", f"malformed YAML/JSON: {error}", "syntax")]) from None
    prefix = ""
    if isinstance(data, dict) and "changes" in data:
        data, prefix = [c.get("edit") if isinstance(c, dict) else c for c in data["changes"] or []], "changes[].edit"
    elif isinstance(data, dict) and "edits" in data:
        data, prefix = data["edits"], "edits"
    if not isinstance(data, list):
        raise InputError([Problem(str(file), "(edits)", "expected a list of {op, path, value} edits", "bad_edit")])
    edits = []
    for i, item in enumerate(data):
        try:
            record = EditRecord.model_validate(item)
        except ValidationError as error:
            raise InputError(problems_from_validation(error, str(file), f"{prefix or 'edits'}[{i}].")) from None
        edits.append(Edit(record.op, record.path, record.value))
    return edits


def edited_profile(data: dict[str, Any], edits: list[Edit]) -> dict[str, Any]:
    """The profile with the edits applied, validated like any profile (problems name the file ``edits``)."""
    edited = apply_all(data, edits)
    hospital = parse_profile(edited, "edits")
    problems = api.validate_against_kb(hospital, api.knowledge_base(), "edits")
    if problems:
        raise InputError(problems)
    return edited


def whatif(
    data: dict[str, Any],
    edits: list[Edit],
    as_of: date,
    technologies: list[str] | None = None,
    lang: str = "zh",
) -> dict[str, Any]:
    """``{"before": <check>, "after": <check>, "changed": [...], "edits": [...]}``."""
    edited = edited_profile(data, edits)
    before = api.check(parse_profile(data, "profile"), as_of, technologies, lang=lang)
    after = api.check(parse_profile(edited, "edits"), as_of, technologies, lang=lang)
    return {
        "edits": [{"op": e.op, "path": e.path, "value": e.value} for e in edits],
        "before": before,
        "after": after,
        "changed": changed(before, after),
    }


def _key(row: dict[str, Any]) -> tuple[str, str, str]:
    return row["technology"], row["target"], row.get("staff", "")


def changed(before: dict[str, Any], after: dict[str, Any]) -> list[dict[str, Any]]:
    """Every verdict that differs, with the clauses (or missing facts) that made the difference."""
    out = []
    for section in ("results", "physicians"):
        old = {_key(r): r for r in before[section]}
        new = {_key(r): r for r in after[section]}
        for key in sorted(set(old) | set(new)):
            was, now = old.get(key), new.get(key)
            verdict_was = was["verdict"] if was else None
            verdict_now = now["verdict"] if now else None
            if verdict_was == verdict_now:
                continue
            row = was or now
            assert row is not None
            entry: dict[str, Any] = {
                "technology": row["technology"],
                "target": row["target"],
                "scope": row["scope"],
                "before": verdict_was,
                "after": verdict_now,
                "change": "gained" if verdict_now == "eligible" else "lost" if verdict_was == "eligible" else "changed",
            }
            if "staff" in row:
                entry["staff"] = row["staff"]
            entry["clauses"] = _difference(was, now)
            out.append(entry)
    return out


def _difference(was: dict[str, Any] | None, now: dict[str, Any] | None) -> list[dict[str, Any]]:
    """What decided the change: the clauses unmet (or facts missing) on the side that is not eligible."""
    cited: list[dict[str, Any]] = []
    for side, label in ((was, "before"), (now, "after")):
        if side is None:
            continue
        for item in side["unmet"]:
            cited.append({"side": label, "status": "unmet", **_brief(item)})
        for item in side["missing"]:
            cited.append({"side": label, "status": "missing", **_brief(item)})
    return cited


def _brief(item: dict[str, Any]) -> dict[str, Any]:
    keys = ("spec", "clause", "requirement", "quote", "path", "fact", "evidence", "subject")
    return {k: item[k] for k in keys if k in item}
