"""The orrery package."""
