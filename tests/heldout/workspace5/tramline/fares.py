"""Fares by zone."""

ZONE_PRICES = {1: 180, 2: 240, 3: 310}


def fare_for_zones(zones: int) -> int:
    return ZONE_PRICES[min(zones, 3)]


def day_ticket(trips: int) -> int:
    return min(trips * fare_for_zones(1), 650)
