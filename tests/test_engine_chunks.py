"""Grounding hospitals together (a batch chunk) derives exactly what grounding each alone does.

The batch reads a chunk's model from atom text (:func:`zhunru.solver.atoms.read_models`),
the single evaluation through clingo's symbol API (:func:`~zhunru.solver.atoms.read_model`):
two readers of the same derivation, compared here field by field, order included.
"""

from __future__ import annotations

import random
from dataclasses import fields

import pytest
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
