"""Grounding hospitals together (a batch chunk) derives exactly what grounding each alone does.

The batch reads a chunk's model from atom text (:func:`zhunru.solver.atoms.read_models`),
the single evaluation through clingo's symbol API (:func:`~zhunru.solver.atoms.read_model`):
two readers of the same derivation, compared here field by field, order included.
"""

from __future__ import annotations

import random
from dataclasses import fields

import clingo
import pytest
from zhunru.solver import atoms
from zhunru.solver.atoms import Derivation
from zhunru.solver.engine import Engine

from tests.conftest import AS_OF, EXAMPLES, example_data, hospital_from

EXAMPLE_NAMES = sorted(path.stem for path in EXAMPLES.glob("*.yaml"))


def _plain(derivation: Derivation) -> dict[str, object]:
    return {item.name: dict(getattr(derivation, item.name)) for item in fields(derivation)}


@pytest.fixture(scope="module")
def hospitals() -> list:
    return [hospital_from(example_data(name)) for name in EXAMPLE_NAMES]


def test_a_chunk_of_every_example_derives_what_each_alone_derives(engine: Engine, hospitals: list) -> None:
    specs = sorted(engine.kb.specs)
    together = engine.evaluate_many([(hospital, AS_OF, specs) for hospital in hospitals])
    for name, hospital, evaluation in zip(EXAMPLE_NAMES, hospitals, together, strict=True):
        alone = engine.evaluate(hospital, AS_OF, specs)
        assert evaluation.derivation.status, name
        assert _plain(evaluation.derivation) == _plain(alone.derivation), name


def test_the_order_of_a_chunk_does_not_change_any_derivation(engine: Engine, hospitals: list) -> None:
    specs = sorted(engine.kb.specs)
    cases = [(hospital, AS_OF, specs) for hospital in hospitals[:5]]
    shuffled = list(range(len(cases)))
    random.Random(7).shuffle(shuffled)
    first = engine.evaluate_many(cases)
    second = engine.evaluate_many([cases[i] for i in shuffled])
    for position, i in enumerate(shuffled):
        assert _plain(second[position].derivation) == _plain(first[i].derivation)


@pytest.mark.parametrize("buffer", [1 << 16, 8], ids=["reused-buffer", "atoms-longer-than-buffer"])
def test_the_model_text_is_what_clingo_prints(buffer: int, monkeypatch: pytest.MonkeyPatch) -> None:
    control = clingo.Control(["--warn=none"])
    control.add("base", [], 'p(s(0,1),r1,m(beds,"心血管内科"),-3). q(a). #show p/4. #show q/1. #show r/0. r.')
    control.ground([("base", [])])
    monkeypatch.setattr(atoms, "_TEXT_BUFFER", buffer)
    seen: list[tuple[list[str], list[str]]] = []
    control.solve(
        on_model=lambda model: seen.append(
            (atoms.shown_atom_texts(model), [str(symbol) for symbol in model.symbols(shown=True)])
        )
    )
    [(texts, printed)] = seen
    assert texts == printed
    assert 'p(s(0,1),r1,m(beds,"心血管内科"),-3)' in texts and len(texts) == 3


def test_profile_text_cannot_break_out_of_a_chunk_fact(engine: Engine) -> None:
    """Kinds and ids are printed by clingo, so quotes, a full stop and a comment sign stay one string."""
    data = example_data("tertiary_compliant")
    hostile = 'x"). fails(s(0,0),ci). %\\'
    data["units"][0]["kind"] = hostile
    data["equipment"][0]["kind"] = hostile + "\n"
    hospital = hospital_from(data)
    specs = sorted(engine.kb.specs)
    [together] = engine.evaluate_many([(hospital, AS_OF, specs)])
    assert _plain(together.derivation) == _plain(engine.evaluate(hospital, AS_OF, specs).derivation)
    printed = f",{clingo.String(hostile)}).\n"
    assert sum(line.startswith("kind(") and line.endswith(printed) for line in together.facts.text) == 1
