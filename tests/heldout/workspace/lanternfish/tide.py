"""Tide tables for small harbours."""


def high_water(hour: int, offset: int) -> int:
    return (hour + offset) % 24


def is_slack(speed: float) -> bool:
    return abs(speed) < 0.2
