"""Lanternfish: trip planning for small boats."""
