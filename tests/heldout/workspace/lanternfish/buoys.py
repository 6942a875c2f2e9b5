class Buoy:
    def __init__(self, code: str, colour: str) -> None:
        self.code = code
        self.colour = colour


def nearest_buoy(buoys: list[Buoy], code: str) -> Buoy | None:
    for buoy in buoys:
        if buoy.code == code:
            return buoy
    return None


def colours(buoys: list[Buoy]) -> set[str]:
    return {buoy.colour for buoy in buoys}
