"""Where each line's trams are kept overnight."""

DEPOTS = {"red": "Wharf Street", "blue": "Millbrook"}


def depot_for(line: str) -> str:
    return DEPOTS[line]
