from orrery.gravity import attraction, escape_speed


def test_attraction_is_positive():
    assert attraction(1.0, 1.0, 1.0) > 0


def test_escape_speed_grows_with_mass():
    assert escape_speed(2.0, 1.0) > escape_speed(1.0, 1.0)
