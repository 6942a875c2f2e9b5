class UnknownStopError(Exception):
    pass


class FareZoneError(Exception):
    pass
