"""Punie's training pipeline: verified Code Mode data, a tiny model, LoRA fine-tuning."""

from importlib.metadata import version

__version__ = version("punie-training")
