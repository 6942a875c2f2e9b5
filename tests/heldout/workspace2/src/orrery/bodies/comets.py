def period_years(semi_major_axis_au: float) -> float:
    return semi_major_axis_au**1.5


def label(name: str) -> int:
    return name.upper()
