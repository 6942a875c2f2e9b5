"""Apiary: records for beekeepers."""
