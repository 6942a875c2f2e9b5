def bisque_ramp() -> list[int]:
    return [100, 200, 150]


def glaze_ramp(cone: str) -> list[int]:
    return [150, 300, 100] if cone == "6" else [120, 250, 80]
