"""Where a place is, as an officer gives it: an address or description, a postcode, and a
map pin (or coordinates typed from another system).

The position is worked out in this order: the pin or typed coordinates if given, else the
centre of the postcode from the gazetteer, else none (the place is kept, but it takes no
part in distances until it has a position). Without JavaScript there is no map: the
postcode serves, and coordinates can still be typed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from django import forms
from django.conf import settings

from vigil.core.forms import GovukForm
from vigil.gazetteer.osgb import grid_point
from vigil.gazetteer.services import normalise_postcode, postcode_lookup

_NUMBERS = re.compile(r"^\s*(-?\d+(?:\.\d+)?)\s*[,\s]\s*(-?\d+(?:\.\d+)?)\s*$")

POSITION_PIN, POSITION_POSTCODE = "pin", "postcode"


def parse_coordinates(text: str) -> tuple[float, float] | None:
    """'51.5274, -0.1876' (latitude, longitude in degrees) or '529090 179645' (National Grid
    eastings and northings in metres); None when the text is neither. Raises ValueError with
    the reason when the numbers are out of range."""
    match = _NUMBERS.match(text)
    if match is None:
        return None
    first, second = float(match.group(1)), float(match.group(2))
    if abs(first) <= 90 and abs(second) <= 180:
        return first, second
    # National Grid references on the mainland are 5 to 7 digits; smaller numbers are a slip.
    if 1_000 <= first <= 800_000 and 1_000 <= second <= 1_400_000 and first.is_integer() and second.is_integer():
        lat, lon = grid_point(first, second)
        return round(lat, 6), round(lon, 6)
    raise ValueError("the numbers are neither a latitude and longitude nor National Grid eastings and northings")


@dataclass(frozen=True)
class PlaceInput:
    """A place as the form read it, ready for `place_create`."""

    address: str
    postcode: str
    lat: float | None
    lon: float | None
    positioned_by: str  # "pin", "postcode" or "" (no position)
    protected: bool = False

    @property
    def full_address(self) -> str:
        if self.postcode and self.postcode.replace(" ", "") not in self.address.upper().replace(" ", ""):
            return f"{self.address}, {self.postcode}" if self.address else self.postcode
        return self.address

    def as_data(self) -> dict[str, Any]:
        return {
            "address": self.address,
            "postcode": self.postcode,
            "lat": self.lat,
            "lon": self.lon,
            "positioned_by": self.positioned_by,
            "protected": self.protected,
        }

    @classmethod
    def from_data(cls, data: dict[str, Any]) -> PlaceInput:
        return cls(
            address=data.get("address", ""),
            postcode=data.get("postcode", ""),
            lat=data.get("lat"),
            lon=data.get("lon"),
            positioned_by=data.get("positioned_by", ""),
            protected=bool(data.get("protected")),
        )


class PlaceForm(GovukForm):
    """One place. Use with a prefix ('home', 'work', 'school', 'place') so a page can hold several."""

    error_names = {"protected": "whether the address is protected"}

    address = forms.CharField(
        label="Address or description",
        max_length=300,
        required=False,
        help_text="For example 14 Mill Lane, or 'the corner of Mill Lane and Station Road'.",
    )
    postcode = forms.CharField(
        label="Postcode",
        max_length=20,
        required=False,
        error_messages={"max_length": "Enter a real postcode, like VG1 4QT"},
    )
    coordinates = forms.CharField(
        label="Map position (optional)",
        max_length=60,
        required=False,
        help_text=(
            "Set by the pin on the map. You can also type a latitude and longitude, such as 51.5274, -0.1876, "
            "or National Grid eastings and northings."
        ),
    )
    protected = forms.BooleanField(
        label="This is a protected address, for example a refuge",
        required=False,
        help_text="Only staff allocated to the case will be able to see it, and each time they do is recorded.",
    )

    def __init__(
        self, *args: Any, required: bool = False, what: str = "the address", may_protect: bool = False, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.required = required
        self.what = what
        if not may_protect:
            del self.fields["protected"]

    @property
    def may_protect(self) -> bool:
        return "protected" in self.fields

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        address = " ".join((data.get("address") or "").split())
        typed_postcode = (data.get("postcode") or "").strip()
        postcode = ""
        if typed_postcode:
            postcode = normalise_postcode(typed_postcode) or ""
            if not postcode:
                self.add_error("postcode", f"Enter a real postcode for {self.what}, like VG1 4QT")
        position: tuple[float, float] | None = None
        coordinates = (data.get("coordinates") or "").strip()
        if coordinates:
            try:
                position = parse_coordinates(coordinates)
            except ValueError as error:
                self.add_error("coordinates", f"The map position of {self.what} is not right: {error}")
            else:
                if position is None:
                    self.add_error(
                        "coordinates",
                        f"Enter the map position of {self.what} as latitude and longitude, like 51.5274, -0.1876",
                    )
        positioned_by = POSITION_PIN if position else ""
        if position is None and postcode and not self.has_error("coordinates"):
            found = postcode_lookup(postcode)
            if found is None:
                self.add_error(
                    "postcode",
                    f"We could not find the postcode {postcode} for {self.what}. Check it, or put a pin on the map "
                    "or type the map position",
                )
            else:
                position, positioned_by = (found.lat, found.lon), POSITION_POSTCODE
        if self.required and not address and not postcode and position is None:
            self.add_error("address", f"Enter {self.what}, a postcode, or both")
        data["place"] = (
            PlaceInput(
                address=address,
                postcode=postcode,
                lat=position[0] if position else None,
                lon=position[1] if position else None,
                positioned_by=positioned_by,
                protected=bool(data.get("protected")),
            )
            if (address or postcode or position)
            else None
        )
        return data

    @staticmethod
    def initial_from(place: PlaceInput | None) -> dict[str, Any]:
        if place is None:
            return {}
        coordinates = f"{place.lat:.6f}, {place.lon:.6f}" if place.positioned_by == POSITION_PIN and place.lat is not None else ""
        return {"address": place.address, "postcode": place.postcode, "coordinates": coordinates, "protected": place.protected}


def map_settings() -> dict[str, Any]:
    """What a page's map block needs: the force's tile server (or none) and where to open."""
    return {
        "tiles_url": settings.VIGIL_MAP_TILES_URL,
        "tiles_attribution": settings.VIGIL_MAP_TILES_ATTRIBUTION,
        "centre": settings.VIGIL_MAP_CENTRE,
    }
