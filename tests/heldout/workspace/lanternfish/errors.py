"""Errors of lanternfish."""


class ShoalError(Exception):
    pass


class DriftError(Exception):
    pass
