from lanternfish.buoys import Buoy, colours


def test_colours_are_unique():
    assert colours([Buoy("a", "red"), Buoy("b", "red")]) == {"red"}


def test_a_buoy_keeps_its_code():
    assert Buoy("n1", "green").code == "n1"
