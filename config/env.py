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


def env_tile_url(name: str, *, environ: Mapping[str, str] | None = None) -> str:
    """A map tile server's URL template, such as 'https://tiles.example.police.uk/{z}/{x}/{y}.png'
    ('{s}' for subdomains is allowed); empty when none is set. Tiles must come over HTTPS
    (http is accepted only for localhost, for a tile server on the same machine)."""
    source = os.environ if environ is None else environ
    value = (source.get(name) or "").strip()
    if not value:
        return ""
    scheme, _, rest = value.partition("://")
    host = rest.split("/", 1)[0].split(":", 1)[0]
    if scheme == "http" and host not in ("localhost", "127.0.0.1"):
        raise EnvError(f"{name} must be an https:// address (http only for localhost), got {value!r}")
    if scheme not in ("https", "http") or not host:
        raise EnvError(f"{name} must be an https:// address, got {value!r}")
    missing = [part for part in ("{z}", "{x}", "{y}") if part not in value]
    if missing:
        raise EnvError(f"{name} must hold the placeholders {{z}}, {{x}} and {{y}}; {', '.join(missing)} missing in {value!r}")
    return value


def url_origin(url: str) -> str:
    """The origin of a tile URL template, for the Content-Security-Policy: 'https://{s}.tile.example/…'
    gives 'https://*.tile.example'."""
    if not url:
        return ""
    scheme, _, rest = url.partition("://")
    host = rest.split("/", 1)[0].replace("{s}", "*")
    return f"{scheme}://{host}"


def env_choice(name: str, default: str, choices: tuple[str, ...], *, environ: Mapping[str, str] | None = None) -> str:
    """One of `choices`, named exactly."""
    value = env_str(name, default, environ=environ)
    if value not in choices:
        raise EnvError(f"{name} must be one of {', '.join(choices)}, got {value!r}")
    return value
