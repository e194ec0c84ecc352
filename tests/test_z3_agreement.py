"""clingo and Z3 agree: the same KB records and facts, two solvers, the same verdicts.

With no free variables the Z3 model must give every evaluated (subject, requirement)
the status clingo derived — on the examples and on randomly perturbed profiles.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from zhunru.solver import z3model
from zhunru.solver.facts import HOSPITAL

from tests.conftest import AS_OF, CI, example_data, hospital_from
from zhunru import api


def agree(data: dict[str, Any], overrides: dict | None = None) -> dict[str, str]:  # type: ignore[type-arg]
    evaluation = api.engine().evaluate(hospital_from(data), AS_OF, [CI], overrides=overrides)
    by_z3 = z3model.statuses(evaluation.kb, evaluation.facts)
    by_clingo = evaluation.derivation.status
    assert set(by_z3) == set(by_clingo), "both solvers evaluate the same pairs"
    disagreements = {key: (by_clingo[key], by_z3[key]) for key in by_clingo if by_clingo[key] != by_z3[key]}
    assert not disagreements
    return {root: by_clingo[(HOSPITAL, root)] for s, root in by_z3 if s == HOSPITAL}


@pytest.mark.parametrize("example", ["tertiary_compliant", "secondary_county", "new_hospital"])
def test_examples_agree(example: str) -> None:
    agree(example_data(example))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.randoms(use_true_random=False), st.sampled_from(["tertiary_compliant", "secondary_county", "new_hospital"]))
def test_perturbed_profiles_agree(seed: Any, example: str) -> None:
    data = example_data(example)
    evaluation = api.engine().evaluate(hospital_from(data), AS_OF, [CI])
    readings = sorted(evaluation.facts.readings, key=str)
    chosen = seed.sample(readings, k=min(len(readings), seed.randint(1, 30)))
    overrides = {pair: seed.choice([None, 0, 1, 2, 3, 6, 12, 60, 100, 1000, 3000]) for pair in chosen}
    agree(data, overrides)
