"""Glaze recipes and kiln schedules."""
