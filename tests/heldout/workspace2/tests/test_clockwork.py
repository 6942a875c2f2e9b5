from orrery.clockwork import Gear, ratio


class TestRatio:
    def test_equal_gears(self):
        assert ratio(Gear(10), Gear(10)) == 1

    def test_double(self):
        assert ratio(Gear(10), Gear(20)) == 2

    def test_half(self):
        assert ratio(Gear(20), Gear(10)) == 0.5
