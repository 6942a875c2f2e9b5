from apiary.harvest import jars_needed, total_yield


def test_one_jar_for_a_little_honey():
    assert jars_needed(0.1, 0.5) == 1


def test_total_yield_adds_frames():
    assert total_yield([1.0, 2.0]) == 3.0


def test_empty_harvest():
    assert total_yield([]) == 0


def test_jars_round_up():
    assert jars_needed(1.2, 0.5) == 3
