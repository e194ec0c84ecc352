"""``zhunru schema``: print the JSON Schema of hospital profiles."""

from __future__ import annotations

from zhunru.cli.common import print_json
from zhunru.profile import json_schema


def command() -> None:
    """Print the JSON Schema of a hospital profile (YAML and JSON files, JSON Lines records)."""
    print_json(json_schema())
