"""Punie language server: Code Mode chat with an in-process mlx-lm model over LSP."""

from importlib.metadata import version

__version__ = version("punie")
