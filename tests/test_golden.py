"""Golden explanations: every change to what a reviewer reads shows up in the diff.

Regenerate with ``pytest tests/test_golden.py --update-golden`` and review the diff.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import AS_OF, EXAMPLES
from zhunru import api

GOLDEN = Path(__file__).parent / "golden"
# The three examples of the foundation, explained for 综合介入; other specifications are covered by their case files.
GOLDEN_EXAMPLES = ("new_hospital", "secondary_county", "tertiary_compliant")
CASES = [
    (example.stem, lang, fmt)
    for example in (EXAMPLES / f"{name}.yaml" for name in GOLDEN_EXAMPLES)
    for lang, fmt in (("zh", "text"), ("en", "text"), ("zh", "markdown"))
]


@pytest.mark.parametrize(("example", "lang", "fmt"), CASES)
def test_explanation_matches_golden(example: str, lang: str, fmt: str, update_golden: bool) -> None:
    hospital = api.load_profile(EXAMPLES / f"{example}.yaml")
    output = api.explain(hospital, AS_OF, technologies=["comprehensive_intervention"], fmt=fmt, lang=lang)
    assert isinstance(output, str)
    path = GOLDEN / f"{example}.{lang}.{'md' if fmt == 'markdown' else 'txt'}"
    if update_golden:
        path.parent.mkdir(exist_ok=True)
        path.write_text(output, encoding="utf-8")
    assert path.exists(), f"{path} is missing: run pytest tests/test_golden.py --update-golden"
    assert output == path.read_text(encoding="utf-8")
