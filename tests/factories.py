"""factory_boy factories with invented, synthetic people (Faker en_GB)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import factory
from django.utils import timezone

from vigil.core.constants import BirthPrecision, PlaceKind, Role, Sex
from vigil.core.models import Area, Team, User

factory.Faker._DEFAULT_LOCALE = "en_GB"


class AreaFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Area
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Area {n}")


class TeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Team

    name = factory.Sequence(lambda n: f"Team {n}")
    area = factory.SubFactory(AreaFactory)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    role = Role.OFFICER
    team = factory.SubFactory(TeamFactory)

    @factory.post_generation
    def password(obj: User, create: bool, extracted: str | None, **kwargs: Any) -> None:  # noqa: N805
        obj.set_password(extracted or "correct horse battery staple")
        if create:
            obj.save(update_fields=["password"])


class PlaceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "people.Place"

    address = factory.Faker("address")
    kind = PlaceKind.HOME
    lat = factory.Faker("pyfloat", min_value=51.4, max_value=51.6)
    lon = factory.Faker("pyfloat", min_value=-0.3, max_value=0.0)
    created_at = factory.LazyFunction(timezone.now)


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "people.Person"

    full_name = factory.Faker("name")
    born_on = factory.Faker("date_of_birth", minimum_age=20, maximum_age=60)
    born_year = factory.LazyAttribute(lambda o: o.born_on.year if o.born_on else None)
    birth_precision = factory.LazyAttribute(lambda o: BirthPrecision.FULL if o.born_on else BirthPrecision.UNKNOWN)
    sex = Sex.UNKNOWN
    created_at = factory.LazyFunction(timezone.now)


def aware(*args: Any) -> dt.datetime:
    """A Europe/London datetime for tests."""
    return dt.datetime(*args, tzinfo=dt.UTC).astimezone(timezone.get_default_timezone())


class PersonLinkFactory(factory.django.DjangoModelFactory):
    """A stored identity link between two new records (`a` has the lower id, as the model requires)."""

    class Meta:
        model = "people.PersonLink"

    a = factory.SubFactory(PersonFactory)
    b = factory.SubFactory(PersonFactory)
    status = "review"
    score = 0.9
    match_weight = 3.2
    evidence = "same given name (Kieran); same surname (Blackwood); same year of birth (1985; one record has the year only)"
    created_at = factory.LazyFunction(timezone.now)
