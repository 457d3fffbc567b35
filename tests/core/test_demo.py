"""`vigil demo-data` builds a usable demo: staff who can sign in with a second factor, and cases."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command

from vigil.cases.models import Case
from vigil.core.models import User
from vigil.core.otp import code_for_seed, confirmed_devices, demo_seed

pytestmark = pytest.mark.django_db


def test_demo_staff_have_the_second_factor_that_demo_logins_prints() -> None:
    call_command("demo-data", cases=3, seed=7, anchor=dt.date(2026, 11, 25))
    assert Case.objects.count() == 3
    staff = list(User.objects.exclude(username__startswith="portal"))
    assert staff
    for user in staff:
        devices = confirmed_devices(user)
        assert devices, f"{user.username} has no confirmed second factor"
        seed = demo_seed(user.username)
        assert any(device.verify_token(code_for_seed(seed)) for device in devices), user.username


def test_demo_addresses_carry_the_demo_citys_postcodes_from_the_gazetteer() -> None:
    from vigil.gazetteer.models import Postcode
    from vigil.gazetteer.services import normalise_postcode, postcode_lookup
    from vigil.people.models import Place

    call_command("demo-data", cases=2, seed=7, anchor=dt.date(2026, 11, 25))
    assert Postcode.objects.filter(postcode__startswith="VG").count() > 1000
    for place in Place.objects.all():
        postcode = normalise_postcode(place.address.rsplit(", ", 1)[-1])
        assert postcode is not None and postcode.startswith("VG"), place.address
        centre = postcode_lookup(postcode)
        assert centre is not None and place.lat is not None and place.lon is not None
        # The place is within its postcode's cell of the grid (about 180 m apart).
        assert abs(centre.lat - place.lat) * 111_000 < 300 and abs(centre.lon - place.lon) * 66_000 < 300
