from glazebook import firing


def test_cone_six_is_hotter_than_cone_four():
    assert firing.cone_temperature("6") > firing.cone_temperature("04")


def test_cone_ten_temperature():
    assert firing.cone_temperature("10") == 1305
