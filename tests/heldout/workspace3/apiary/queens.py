class Queen:
    def __init__(self, year: int, marked: bool) -> None:
        self.year = year
        self.marked = marked


def colour_for_year(year: int) -> str:
    return ["white", "yellow", "red", "green", "blue"][year % 5]


def age(queen: Queen, now: int) -> str:
    return now - queen.year
