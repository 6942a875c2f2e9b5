from tramline.fares import day_ticket, fare_for_zones


def test_one_zone():
    assert fare_for_zones(1) == 180


def test_many_zones_cost_as_three():
    assert fare_for_zones(5) == 310


def test_day_ticket_is_capped():
    assert day_ticket(10) == 650


def test_two_trips():
    assert day_ticket(2) == 360
