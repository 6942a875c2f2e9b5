from tramline.timetable import headway_minutes


def test_daytime_headway():
    assert headway_minutes(9) == 6


def test_night_headway():
    assert headway_minutes(22) == 12
