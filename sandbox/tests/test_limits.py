"""The worker's rlimits never ask for more than the limit already in force."""

import resource

from punie_sandbox.worker import clamped


def test_limits_below_the_current_hard_limit_are_kept():
    assert clamped(100, 100, resource.RLIM_INFINITY) == (100, 100)
    assert clamped(5, 6, 1000) == (5, 6)


def test_a_stricter_inherited_hard_limit_wins():
    assert clamped(16_000_000, 16_000_000, 50_000) == (50_000, 50_000)
    assert clamped(10, 11, 10) == (10, 10)
