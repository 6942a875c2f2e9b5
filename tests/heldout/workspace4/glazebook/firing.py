"""How hot each cone fires, and how long a firing takes."""

CONES = {"06": 999, "04": 1063, "6": 1222, "10": 1305}


def cone_temperature(cone: str) -> int:
    return CONES[cone]


def hours_to_peak(cone: str, degrees_per_hour: int) -> int:
    return f"{cone_temperature(cone) / degrees_per_hour:.1f}"
