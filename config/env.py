"""Typed readers for environment variables.

Each helper fails loudly, naming the variable, when a value cannot be read: a
mis-typed setting must stop the service at start-up, not change its behaviour quietly.
"""

from __future__ import annotations

import os
from collections.abc import Mapping


class EnvError(Exception):
    """An environment variable holds a value that cannot be used."""


_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


def env_str(name: str, default: str | None = None, *, environ: Mapping[str, str] | None = None) -> str:
    source = os.environ if environ is None else environ
    value = source.get(name)
    if value is None or value == "":
        if default is None:
            raise EnvError(f"{name} must be set")
        return default
    return value


def env_bool(name: str, default: bool, *, environ: Mapping[str, str] | None = None) -> bool:
    source = os.environ if environ is None else environ
    value = source.get(name)
    if value is None or value == "":
        return default
    lowered = value.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise EnvError(f"{name} must be one of {sorted(_TRUE | _FALSE)}, got {value!r}")


def env_int(
    name: str,
    default: int,
    *,
    minimum: int | None = None,
    maximum: int | None = None,
    environ: Mapping[str, str] | None = None,
) -> int:
    source = os.environ if environ is None else environ
    value = source.get(name)
    if value is None or value == "":
        return default
    try:
        number = int(value)
    except ValueError:
        raise EnvError(f"{name} must be a whole number, got {value!r}") from None
    if minimum is not None and number < minimum:
        raise EnvError(f"{name} must be at least {minimum}, got {number}")
    if maximum is not None and number > maximum:
        raise EnvError(f"{name} must be at most {maximum}, got {number}")
    return number


def env_coordinates(name: str, default: tuple[float, float], *, environ: Mapping[str, str] | None = None) -> tuple[float, float]:
    """A 'latitude,longitude' pair in decimal degrees."""
    source = os.environ if environ is None else environ
    value = source.get(name)
    if value is None or value.strip() == "":
        return default
    parts = [part.strip() for part in value.split(",")]
    try:
        lat, lon = (float(part) for part in parts)
    except ValueError:
        raise EnvError(f"{name} must be 'latitude,longitude' in decimal degrees, got {value!r}") from None
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise EnvError(f"{name} must be a latitude in -90..90 and a longitude in -180..180, got {value!r}")
    return lat, lon


def env_list(name: str, default: list[str], *, environ: Mapping[str, str] | None = None) -> list[str]:
    source = os.environ if environ is None else environ
    value = source.get(name)
    if value is None or value.strip() == "":
        return list(default)
    items = [item.strip() for item in value.split(",")]
    if any(item == "" for item in items):
        raise EnvError(f"{name} must be a comma-separated list with no empty items, got {value!r}")
    return items
