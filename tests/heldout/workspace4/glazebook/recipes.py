"""Glaze recipes as lists of ingredients with their weights."""


def batch_weight(parts: dict[str, float], grams: float) -> dict[str, float]:
    total = sum(parts.values())
    return {name: grams * share / total for name, share in parts.items()}


def celadon() -> dict[str, float]:
    return {"feldspar": 40.0, "silica": 30.0, "whiting": 20.0, "kaolin": 10.0}


class Recipe:
    def __init__(self, name: str, parts: dict[str, float]) -> None:
        self.name = name
        self.parts = parts
