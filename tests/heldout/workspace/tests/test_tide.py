from lanternfish.tide import high_water, is_slack


def test_high_water_wraps_at_midnight():
    assert high_water(23, 2) == 1


def test_high_water_without_offset():
    assert high_water(5, 0) == 5


def test_slack_water_is_slow():
    assert is_slack(0.1)
