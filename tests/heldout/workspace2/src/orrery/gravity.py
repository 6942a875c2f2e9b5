"""Newtonian gravity between two bodies."""

G = 6.674e-11


def attraction(mass_a: float, mass_b: float, distance: float) -> float:
    return G * mass_a * mass_b / distance**2


def escape_speed(mass: float, radius: float) -> float:
    return (2 * G * mass / radius) ** 0.5
