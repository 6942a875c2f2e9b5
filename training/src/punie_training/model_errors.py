"""The one error a model source raises: what could not be found or loaded, and why."""


class ModelLoadError(RuntimeError):
    """The model could not be found, converted or loaded; the message says which and why."""
