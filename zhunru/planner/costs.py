"""The cost file: what a planner may change, at what price, and what only time changes.

The defaults ship as package data (``zhunru/data/costs.yaml``, documented there); a
user file given with ``--costs`` is validated with pydantic and merged over them entry
by entry.  Money is held internally in hundredths of the currency unit so that every
objective is an integer.
"""

from __future__ import annotations

import math
from functools import cache
from importlib.resources import files
from pathlib import Path
from typing import Annotated, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from zhunru.errors import InputError, Problem
from zhunru.profile import problems_from_validation

MONEY_SCALE = 100
"""Money is computed in hundredths of the currency unit (integers for the solvers)."""

Amount = Annotated[float, Field(ge=0, le=1_000_000)]


class Price(BaseModel):
    """The price of changing one measure."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    money: Amount = 0
    months: Annotated[int, Field(ge=0, le=600)] = 0
    per: Literal["change", "step", "unit"] = "change"
    scale: Annotated[int, Field(ge=1, le=1_000_000)] = 1
    months_scale: bool = Field(False, description="lead time grows with the amount (a month of training)")
    note: str = ""

    def of(self, old: int | None, new: int | None, base: int = 0) -> tuple[int, int]:
        """(money in hundredths, months) of going from ``old`` to ``new`` (``None``: unknown)."""
        if new == old or new is None:
            return 0, 0
        if self.per == "change":
            amount = 1
        else:
            start = base if old is None else old
            amount = math.ceil(abs(new - start) / self.scale)
        if amount == 0:
            return 0, 0
        return round(self.money * MONEY_SCALE * amount), self.months * amount if self.months_scale else self.months


class NewMember(Price):
    """The price of adding a member (a unit, a device, a hire, a training record)."""

    role: Literal["physician", "nurse", "technician"] | None = Field(
        None, description="role of a hire counted by a derived kind (other_technical, any)"
    )
    bundled: bool = Field(False, description="free when its owner is itself new")


class CostFile(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    currency: str = "万元"
    change: dict[str, Price] = Field(default_factory=dict)
    frozen: list[str] = Field(default_factory=list)
    wait: list[str] = Field(default_factory=list)
    new: dict[str, NewMember] = Field(default_factory=dict)
    new_attributes: dict[str, Price] = Field(default_factory=dict)
    max_new: Annotated[int, Field(ge=0, le=20)] = 4

    def merged(self, other: dict[str, object]) -> CostFile:
        data = self.model_dump()
        for key, value in other.items():
            if isinstance(value, dict) and isinstance(data.get(key), dict):
                data[key] = {**data[key], **value}
            else:
                data[key] = value
        return CostFile.model_validate(data)

    def new_member(self, cls: str, kind: str) -> NewMember | None:
        return self.new.get(f"{cls}.{kind}") or self.new.get(cls)


@cache
def default_costs() -> CostFile:
    text = files("zhunru").joinpath("data", "costs.yaml").read_text(encoding="utf-8")
    return CostFile.model_validate(yaml.safe_load(text))


def load_costs(path: str | Path | None) -> CostFile:
    """The defaults, overridden by ``path`` if given; :class:`InputError` names file and field."""
    if path is None:
        return default_costs()
    path = Path(path)
    if not path.is_file():
        raise InputError([Problem(str(path), "", "no such cost file", "not_found")])
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as error:
        raise InputError([Problem(str(path), "", f"malformed YAML: {error}", "syntax")]) from None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise InputError([Problem(str(path), "(cost file)", "expected a mapping of sections (change, new, …)")])
    try:
        CostFile.model_validate(data)  # the user's file alone must be well-formed
        return default_costs().merged(data)
    except ValidationError as error:
        raise InputError(problems_from_validation(error, str(path))) from None
