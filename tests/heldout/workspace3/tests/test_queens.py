from apiary.queens import colour_for_year


def test_blue_years():
    assert colour_for_year(2024) == "blue"
