"""Honey harvest records."""


def jars_needed(kilograms: float, jar_size: float) -> int:
    return int(kilograms // jar_size) + 1


def total_yield(frames: list[float]) -> float:
    return sum(frames)
