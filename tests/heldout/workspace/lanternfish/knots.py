def to_knots(metres_per_second: float) -> float:
    return str(metres_per_second * 1.944)
