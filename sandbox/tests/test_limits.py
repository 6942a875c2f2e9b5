"""Limits: the worker's rlimits never ask for more than the limit already in force, and
only positive, finite limits are accepted."""

import resource

import pytest
from pydantic import ValidationError

from punie_sandbox.models import Limits
from punie_sandbox.worker import clamped


def test_limits_below_the_current_hard_limit_are_kept():
    assert clamped(100, 100, resource.RLIM_INFINITY) == (100, 100)
    assert clamped(5, 6, 1000) == (5, 6)


def test_a_stricter_inherited_hard_limit_wins():
    assert clamped(16_000_000, 16_000_000, 50_000) == (50_000, 50_000)
    assert clamped(10, 11, 10) == (10, 10)


@pytest.mark.parametrize(
    "field", [{"timeoutS": float("nan")}, {"timeoutS": -1}, {"memoryMb": 0}, {"maxOutputBytes": -5}]
)
def test_nan_zero_and_negative_limits_are_refused(field: dict[str, float]):
    with pytest.raises(ValidationError):
        Limits.model_validate(field)
