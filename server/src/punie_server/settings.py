"""Settings from ``initializationOptions`` and the ``punie`` configuration section."""

from typing import Any

from pydantic import ValidationError

from punie_server.protocol import Settings


class SettingsError(ValueError):
    """Settings that do not validate; the message names the offending fields."""


def merge_settings(base: Settings, update: Any) -> Settings:
    """``base`` with the fields present in ``update`` (a camelCase dict) applied."""
    if update is None:
        return base
    if not isinstance(update, dict):
        raise SettingsError(f"punie settings must be an object, got {type(update).__name__}")
    merged = _deep_merge(base.to_wire(), update)
    try:
        return Settings.model_validate(merged)
    except ValidationError as error:
        raise SettingsError(describe_validation_error(error)) from None


def describe_validation_error(error: ValidationError) -> str:
    """A one-line message naming each invalid field, e.g. ``maxTurns: Input should be …``."""
    parts = []
    for issue in error.errors():
        where = ".".join(str(part) for part in issue["loc"]) or "params"
        parts.append(f"{where}: {issue['msg']}")
    return "; ".join(parts)


def _deep_merge(base: dict[str, Any], update: dict[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in update.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _deep_merge(out[key], value)
        else:
            out[key] = value
    return out
