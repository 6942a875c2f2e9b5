"""When the next tram leaves."""


def headway_minutes(hour: int) -> int:
    return 6 if 7 <= hour < 19 else 12


def next_departure(now: int, first: int) -> str:
    gap = headway_minutes(now // 60)
    return first + ((now - first) // gap + 1) * gap


class Departure:
    def __init__(self, stop: str, minute: int) -> None:
        self.stop = stop
        self.minute = minute
