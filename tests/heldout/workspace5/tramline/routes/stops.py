from tramline.errors import UnknownStopError

STOPS = ["Harrow Gate", "Fenwick", "Old Mill", "Quayside"]


def stop_index(name: str) -> int:
    if name not in STOPS:
        raise UnknownStopError(name)
    return STOPS.index(name)
