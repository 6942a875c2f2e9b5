from glazebook import recipes


def test_batch_weight_adds_up():
    assert sum(recipes.batch_weight({"a": 1.0, "b": 3.0}, 100.0).values()) == 100.0


def test_celadon_has_four_parts():
    assert len(recipes.celadon()) == 4


def test_recipe_keeps_its_name():
    assert recipes.Recipe("tenmoku", {}).name == "tenmoku"
