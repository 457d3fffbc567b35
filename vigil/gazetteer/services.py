"""Postcodes: how people type them, and where their centre is."""

from __future__ import annotations

import re
from dataclasses import dataclass

from vigil.gazetteer.models import Postcode

# The shape of a UK postcode: an outward code (area letters, district digit, optional letter
# or digit) and an inward code (a digit and two letters). Letters the Royal Mail does not use
# in some positions are not checked: the gazetteer decides whether a postcode exists.
_SHAPE = re.compile(r"^([A-Z]{1,2}[0-9][A-Z0-9]?)([0-9][A-Z]{2})$")
_CANONICAL = re.compile(r"[A-Z]{1,2}[0-9][A-Z0-9]? [0-9][A-Z]{2}")  # already written as stored (the ONSPD's pcds)


def normalise_postcode(text: str) -> str | None:
    """'sw1a1aa', ' SW1A  1AA ' -> 'SW1A 1AA'; None when it does not have a postcode's shape."""
    if _CANONICAL.fullmatch(text):
        return text
    plain = "".join(text.split()).upper()
    match = _SHAPE.match(plain)
    if match is None:
        return None
    return f"{match.group(1)} {match.group(2)}"


@dataclass(frozen=True)
class Located:
    postcode: str
    lat: float
    lon: float


def postcode_lookup(text: str) -> Located | None:
    """The centre of a postcode, if the gazetteer holds it."""
    postcode = normalise_postcode(text)
    if postcode is None:
        return None
    row = Postcode.objects.filter(postcode=postcode).values_list("lat", "lon").first()
    if row is None:
        return None
    return Located(postcode, row[0], row[1])


def gazetteer_size() -> int:
    return Postcode.objects.count()
