"""Errors that reach the user.

Every problem with input is reported as a :class:`Problem` naming the file, the
field path inside it and what was expected; the CLI prints one line per problem
and exits with code 2.  Nothing here is ever shown as a traceback.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One thing wrong with one input file."""

    file: str
    field: str
    message: str
    code: str = "invalid"

    def render(self) -> str:
        where = f"{self.file}: {self.field}" if self.field else self.file
        return f"{where}: {self.message} [{self.code}]"


class InputError(Exception):
    """Bad input: one or more problems, each naming file, field and expectation."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(p.render() for p in problems))


class EngineError(Exception):
    """An internal inconsistency (a bug), never a user error."""
