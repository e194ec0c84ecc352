"""The ``zhunru`` command line: a thin layer over :mod:`zhunru.api`.

One module per subcommand.  Every input problem is printed as
``FILE: FIELD: message [code]`` on standard error with exit code 2; verdicts,
whatever they are, exit 0.
"""

from __future__ import annotations

import sys

import typer

from zhunru.cli import batch, check, explain, kb, plan, schema, synth, whatif
from zhunru.cli.common import run_guarded

app = typer.Typer(
    name="zhunru",
    help="准入 — decide, explain and repair hospital eligibility for restricted medical technologies.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
app.command("check")(check.command)
app.command("explain")(explain.command)
app.command("schema")(schema.command)
app.command("whatif")(whatif.command)
app.command("plan")(plan.command)
app.command("batch")(batch.command)
app.command("synth")(synth.command)
app.add_typer(kb.app, name="kb")


def main() -> None:
    sys.exit(run_guarded(app))
