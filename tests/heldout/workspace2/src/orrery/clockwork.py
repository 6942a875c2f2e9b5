class Gear:
    def __init__(self, teeth: int) -> None:
        self.teeth = teeth


def ratio(driver: Gear, driven: Gear) -> float:
    return driven.teeth / driver.teeth
