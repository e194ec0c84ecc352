"""Shared CLI plumbing: option parsing helpers and the error boundary."""

from __future__ import annotations

import importlib
import json
import sys
from datetime import date
from typing import Annotated, Any

import typer
from rich.console import Console

from zhunru.errors import EngineError, InputError, Problem

err = Console(stderr=True, highlight=False, soft_wrap=True)

# Options several commands share, declared once.
TechOption = Annotated[list[str] | None, typer.Option("--tech", help="technology or specification id (repeatable)")]
SpecOption = Annotated[
    list[str] | None, typer.Option("--spec", help="apply this specification as named, whatever the jurisdiction")
]
RoleOption = Annotated[
    list[str] | None, typer.Option("--role", help="entry, ongoing, training-base or physician (repeatable)")
]
ProcedureOption = Annotated[str | None, typer.Option(help="a procedure by its printed catalogue name")]
AsOfOption = Annotated[str | None, typer.Option("--as-of", help="evaluation date YYYY-MM-DD (default today)")]
LangOption = Annotated[str, typer.Option(help="zh or en")]


def parse_as_of(value: str | None) -> date:
    """``--as-of``: an ISO date, default today."""
    if value is None:
        return date.today()
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InputError([Problem("--as-of", value, "expected a date as YYYY-MM-DD", "invalid_date")]) from None


def choice(value: str, allowed: tuple[str, ...], option: str) -> str:
    if value not in allowed:
        raise InputError([Problem(option, value, f"expected one of {', '.join(allowed)}", "invalid_choice")])
    return value


def print_json(data: Any) -> None:
    typer.echo(json.dumps(data, ensure_ascii=False, indent=2, sort_keys=False))


def run_guarded(app: typer.Typer) -> int:
    """Run the app; input problems become messages and exit code 2, never tracebacks."""
    try:
        app(standalone_mode=False)
    except InputError as error:
        for problem in error.problems:
            err.print(f"error: {problem.render()}", markup=False)
        return 2
    except EngineError as error:
        err.print(f"internal error (please report): {error}", markup=False)
        return 3
    except (typer.Exit, SystemExit) as done:
        return int(getattr(done, "exit_code", getattr(done, "code", 0)) or 0)
    except typer.Abort:
        return 1
    except Exception as error:  # click usage errors (unknown option, missing argument …)
        if isinstance(error, _usage_errors()):
            error.show(file=sys.stderr)  # type: ignore[attr-defined]
            return 2
        raise
    return 0


def _usage_errors() -> tuple[type[Exception], ...]:
    """Click's exception base: typer ≥ 0.2x vendors click as ``typer._click``, older typer imports ``click``."""
    found: list[type[Exception]] = []
    for module in ("typer._click.exceptions", "click"):
        try:
            found.append(importlib.import_module(module).ClickException)
        except (ImportError, AttributeError):
            continue
    return tuple(found)


def roles(values: list[str] | None) -> list[str] | None:
    """``--role``: entry, ongoing, training-base or physician (repeatable)."""
    from zhunru.api import ROLES

    for value in values or []:
        choice(value, ROLES, "--role")
    return values or None
