"""One form for each fact the policy reads, recorded on a case through the services.

Every form asks the two times of the fact (vigil.core.when) and its own fields, offers the
case's people, places, orders and warrants as choices (a new place can be typed, with a
postcode or a map pin), and saves in one transaction: a refused part leaves nothing behind.
`FACTS` lists them in the order the record menu shows them; each maps to an event type of
the timeline format (docs/intake.md has the table).
"""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar

from django import forms
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from vigil.alarms.services import alarm_activate, alarm_fit
from vigil.cases.models import Case
from vigil.cases.services import (
    contact_attempt_record,
    intelligence_record,
    justice_event_record,
    report_record,
    sighting_record,
)
from vigil.core.constants import (
    ConditionKind,
    ContactChannel,
    HearingOutcome,
    JusticeEventKind,
    OrderType,
    ReportCategory,
)
from vigil.core.times import Happened
from vigil.core.when import TIME_NAMES, WhenForm, local_now
from vigil.intake.case_context import case_orders, case_people, case_warrants, known_places
from vigil.intake.recording import fact_times, place_from_input
from vigil.orders.models import ProtectiveOrder
from vigil.orders.services import breach_record, order_end, order_grant, order_terms, order_vary
from vigil.people.models import Person, Place
from vigil.people.place_form import PlaceForm, PlaceInput
from vigil.people.services import person_create
from vigil.warrants.models import Warrant
from vigil.warrants.services import warrant_execute, warrant_issue, warrant_withdraw

OTHER, UNKNOWN, OFFICER, SOMEONE = "other", "unknown", "officer", "someone"


def _choices(form: forms.Form, name: str, choices: list[tuple[str, str]]) -> None:
    field = form.fields[name]
    assert isinstance(field, forms.ChoiceField)
    field.choices = choices


class FactForm(WhenForm):
    """A fact on a case. Subclasses set the class attributes, `setup` (choices) and `record`
    (the service call); the two times and the place are handled here."""

    do_not_call_in_templates: ClassVar[bool] = True  # the menu lists the classes themselves
    slug: ClassVar[str] = ""
    event: ClassVar[str] = ""  # the timeline event type it records
    title: ClassVar[str] = ""
    button: ClassVar[str] = ""
    group: ClassVar[str] = ""
    intro: ClassVar[str] = ""
    needs_subject: ClassVar[bool] = True
    place_question: ClassVar[str] = ""  # a "where" question, if the fact has a place
    place_default: ClassVar[str] = UNKNOWN
    happened_label: ClassVar[str] = "When did it happen?"
    error_names: ClassVar[dict[str, str]] = {**TIME_NAMES, "where": "where it happened"}

    def __init__(self, data: Any = None, *, case: Case, user: Any, **kwargs: Any) -> None:
        super().__init__(data, **kwargs)
        self.case = case
        self.user = user
        self.people = case_people(case)
        self.by_pk: dict[str, Person] = {str(p.person.pk): p.person for p in self.people}
        self.place_form: PlaceForm | None = None
        self.places: dict[str, Place] = {}
        if self.place_question:
            self.fields["where"] = forms.ChoiceField(label=self.place_question, widget=forms.RadioSelect)
            known = known_places(user, case)
            self.places = {str(place.pk): place for place, _ in known}
            options = [(str(place.pk), words) for place, words in known]
            _choices(self, "where", [*options, (OTHER, "Somewhere else"), (UNKNOWN, "Not known")])
            self.initial.setdefault("where", self._default_place())
            self.place_form = PlaceForm(data, prefix="place", what="the place")
        self.setup()

    # --- for subclasses ------------------------------------------------------------------
    def setup(self) -> None:
        """Set the choices of the form's own fields."""

    def record(self, actor: Any, times: dict[str, dt.datetime], place: Place | None) -> str:
        """Call the service; return what was recorded, in words."""
        raise NotImplementedError

    # --- shared --------------------------------------------------------------------------
    def _default_place(self) -> str:
        if self.place_default == "victim_home" and self.case.victim.home_id:
            return str(self.case.victim.home_id)
        return UNKNOWN

    def person_choices(self, *roles: str, extra: list[tuple[str, str]] | None = None) -> list[tuple[str, str]]:
        return [(str(p.person.pk), p.words) for p in self.people if not roles or p.role in roles] + (extra or [])

    def person_for(self, value: str) -> Person | None:
        return self.by_pk.get(value)

    def is_valid(self) -> bool:
        valid = super().is_valid()
        if self.place_form is not None:
            wants_place = self.is_bound and self.data.get("where") == OTHER
            self.place_form.required = wants_place
            if wants_place:
                valid = self.place_form.is_valid() and valid
        return valid

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if self.needs_subject and self.case.subject is None:
            raise ValidationError("This case has no suspect recorded, so this cannot be recorded on it yet")
        return data

    def reported_at(self) -> dt.datetime:
        moment: dt.datetime = self.cleaned_data["reported_at"]
        return moment

    def times(self) -> dict[str, Any]:
        """`reported_at` (when the police were told: the policy's time) and `happened`."""
        return fact_times(self.reported_at(), self.cleaned_data.get("happened_data") or {})

    @staticmethod
    def moment(times: dict[str, Any]) -> dt.datetime:
        """The moment it happened when that is known as a moment, else when the police were
        told: for the services that keep one time of their own (an order's start, a
        warrant's issue, an alarm's fitting)."""
        happened: Happened = times["happened"]
        if happened.start is not None and happened.end is None:
            return happened.start
        moment: dt.datetime = times["reported_at"]
        return moment

    def chosen_place(self, actor: Any) -> Place | None:
        if self.place_form is None:
            return None
        where = self.cleaned_data.get("where")
        if where == OTHER:
            typed: PlaceInput | None = self.place_form.cleaned_data.get("place")
            return place_from_input(actor, typed, label=self.place_label())
        return self.places.get(where or "")

    def place_label(self) -> str:
        return "the place it happened"

    def save(self, actor: Any) -> str:
        with transaction.atomic():
            place = self.chosen_place(actor)
            return self.record(actor, self.times(), place)

    @property
    def subject(self) -> Person:
        assert self.case.subject is not None
        return self.case.subject

    def other_forms(self) -> list[forms.Form]:
        return [self.place_form] if self.place_form is not None and self.is_bound and self.data.get("where") == OTHER else []

    date_groups: ClassVar[dict[str, tuple[str, str]]] = {}  # prefix -> (legend, hint) of a date input of the form's own
    grouped: ClassVar[tuple[str, ...]] = ()  # fields drawn by a group of their own (an order's conditions)

    def layout(self) -> list[tuple[Any, ...]]:
        """What the page shows after the two times, in order: ("field", bound field),
        ("date", prefix, legend, hint), ("place", place form, legend, radius field id)."""
        items: list[tuple[Any, ...]] = []
        if self.place_form is not None:
            items.append(("where", self["where"], self.place_form))
        done: set[str] = set(TIME_NAMES) | {"where"} | set(self.grouped)
        for name in self.fields:
            if name in done:
                continue
            prefix = name.rsplit("_", 1)[0]
            if prefix in self.date_groups:
                legend, hint = self.date_groups[prefix]
                items.append(("date", prefix, legend, hint))
                done |= {f"{prefix}_day", f"{prefix}_month", f"{prefix}_year", f"{prefix}_time"}
                continue
            items.append(("field", self[name]))
            done.add(name)
        return items


def _reporter_field(label: str = "Who told the police?") -> forms.ChoiceField:
    return forms.ChoiceField(label=label, widget=forms.RadioSelect)


class ReporterMixin(FactForm):
    """'Who told the police?': the victim, someone in the household, an officer, or someone else (named)."""

    error_names: ClassVar[dict[str, str]] = {
        **FactForm.error_names,
        "reported_by": "who told the police",
        "reporter_name": "the name of the person who told the police",
    }

    def add_reporter(self, *, default: str = "victim") -> None:
        self.fields["reported_by"] = _reporter_field()
        self.fields["reporter_name"] = forms.CharField(label="If someone else, their full name", max_length=200, required=False)
        options = [(str(p.person.pk), p.words) for p in self.people if p.role != "suspect"]
        _choices(self, "reported_by", [*options, (OFFICER, "A police officer or staff"), (SOMEONE, "Someone else")])
        self.initial.setdefault("reported_by", str(self.case.victim_id) if default == "victim" else default)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("reported_by") == SOMEONE and not (data.get("reporter_name") or "").strip():
            self.add_error("reporter_name", "Enter the full name of the person who told the police")
        return data

    def reporter(self, actor: Any) -> Person | None:
        choice = self.cleaned_data.get("reported_by")
        if choice == OFFICER:
            return None
        if choice == SOMEONE:
            return person_create(actor=actor, full_name=self.cleaned_data["reporter_name"])
        return self.person_for(choice or "")


# --- reports and sightings ---------------------------------------------------------------------


class ReportFactForm(ReporterMixin):
    slug, event, group = "report", "report", "Reports, sightings and contact"
    title, button = "Record a report", "Record the report"
    needs_subject = False
    place_question = "Where did it happen?"
    place_default = "victim_home"

    category = forms.ChoiceField(label="What kind of report is it?", choices=[("", "Choose a category"), *ReportCategory.choices])
    children_present = forms.MultipleChoiceField(
        label="Which children were there? (optional)", widget=forms.CheckboxSelectMultiple, required=False
    )
    summary = forms.CharField(label="What happened", widget=forms.Textarea, max_length=5000, required=False)
    error_names: ClassVar[dict[str, str]] = {
        **ReporterMixin.error_names,
        "category": "the kind of report",
        "children_present": "the children who were there",
    }

    def setup(self) -> None:
        self.add_reporter()
        _choices(self, "children_present", self.person_choices("household", "family"))

    def record(self, actor: Any, times: dict[str, Any], place: Place | None) -> str:
        children = [self.by_pk[pk] for pk in self.cleaned_data.get("children_present") or []]
        report_record(
            actor=actor,
            case=self.case,
            category=self.cleaned_data["category"],
            **times,
            place=place,
            reported_by=self.reporter(actor),
            children_present=children,
            summary=self.cleaned_data.get("summary") or "",
        )
        return "The report was recorded."


class SightingForm(ReporterMixin):
    slug, event, group = "sighting", "sighting", "Reports, sightings and contact"
    title, button = "Record a sighting of the suspect", "Record the sighting"
    intro = "Whether the sighting broke an order is for the policy to decide: record where he was and near whom."
    place_question = "Where was he seen?"
    happened_label = "When was he seen?"

    near = forms.ChoiceField(label="Near whom?", widget=forms.RadioSelect)
    summary = forms.CharField(label="What was seen (optional)", widget=forms.Textarea, max_length=5000, required=False)
    error_names: ClassVar[dict[str, str]] = {
        **ReporterMixin.error_names,
        "near": "who he was seen near",
        "where": "where he was seen",
    }

    def setup(self) -> None:
        self.add_reporter()
        _choices(self, "near", self.person_choices("victim", "household", "family", extra=[(UNKNOWN, "No one in particular")]))
        self.initial.setdefault("near", str(self.case.victim_id))

    def place_label(self) -> str:
        return "the place he was seen"

    def record(self, actor: Any, times: dict[str, Any], place: Place | None) -> str:
        sighting_record(
            actor=actor,
            subject=self.subject,
            **times,
            near=self.person_for(self.cleaned_data["near"]),
            place=place,
            lat=place.lat if place is not None and place.lat is not None else None,
            lon=place.lon if place is not None and place.lon is not None else None,
            reported_by=self.reporter(actor),
            summary=self.cleaned_data.get("summary") or "",
        )
        return "The sighting was recorded."


class ContactAttemptForm(ReporterMixin):
    slug, event, group = "contact", "contact_attempt", "Reports, sightings and contact"
    title, button = "Record a contact attempt", "Record the contact attempt"
    intro = "Calls, messages, social media, gifts or coming up to someone. The policy decides whether it broke an order."

    victim = forms.ChoiceField(label="Who did he try to contact?", widget=forms.RadioSelect)
    channel = forms.ChoiceField(label="How?", choices=ContactChannel.choices, widget=forms.RadioSelect)
    summary = forms.CharField(label="What was sent or said (optional)", widget=forms.Textarea, max_length=5000, required=False)
    error_names: ClassVar[dict[str, str]] = {
        **ReporterMixin.error_names,
        "victim": "who he tried to contact",
        "channel": "how he tried to make contact",
    }

    def setup(self) -> None:
        self.add_reporter()
        _choices(self, "victim", self.person_choices("victim", "household", "family"))
        self.initial.setdefault("victim", str(self.case.victim_id))

    def record(self, actor: Any, times: dict[str, Any], place: Place | None) -> str:
        contacted = self.person_for(self.cleaned_data["victim"])
        assert contacted is not None
        contact_attempt_record(
            actor=actor,
            subject=self.subject,
            victim=contacted,
            channel=self.cleaned_data["channel"],
            **times,
            reported_by=self.reporter(actor),
            summary=self.cleaned_data.get("summary") or "",
        )
        return "The contact attempt was recorded."


class IntelligenceForm(FactForm):
    slug, event, group = "intelligence", "intelligence", "Reports, sightings and contact"
    title, button = "Record intelligence about the suspect", "Record the intelligence"
    intro = "Information that came in about him: found property, a tip-off, another agency."
    place_question = "Does it concern a place?"
    happened_label = "When did what it tells of happen?"

    weapons = forms.BooleanField(label="He holds or hides weapons", required=False)
    threat_to_kill = forms.BooleanField(label="He has threatened to kill", required=False)
    summary = forms.CharField(label="What the intelligence says", widget=forms.Textarea, max_length=5000)
    error_names: ClassVar[dict[str, str]] = {**FactForm.error_names, "where": "the place it concerns"}

    def record(self, actor: Any, times: dict[str, Any], place: Place | None) -> str:
        intelligence_record(
            actor=actor,
            subject=self.subject,
            **times,
            place=place,
            weapons=self.cleaned_data["weapons"],
            threat_to_kill=self.cleaned_data["threat_to_kill"],
            summary=self.cleaned_data["summary"],
        )
        return "The intelligence was recorded."


# --- orders ------------------------------------------------------------------------------------

RADIUS_MAX = 10_000


class TermsForm(FactForm):
    """An order's terms: when it ends, and its conditions (no contact; an exclusion zone, a
    circle of a radius around a known place or a typed one)."""

    expires_day = forms.IntegerField(label="Day", required=False, min_value=0, max_value=9999)
    expires_month = forms.IntegerField(label="Month", required=False, min_value=0, max_value=9999)
    expires_year = forms.IntegerField(label="Year", required=False, min_value=0, max_value=9999)
    expires_time = forms.CharField(label="Time", max_length=20, required=False)
    no_contact = forms.BooleanField(label="He must not contact the people it protects", required=False)
    exclusion = forms.BooleanField(label="He must keep out of an exclusion zone", required=False)
    zone_place = forms.ChoiceField(label="Around which place?", widget=forms.RadioSelect, required=False)
    radius_m = forms.IntegerField(label="Radius in metres", min_value=1, max_value=RADIUS_MAX, required=False)
    error_names: ClassVar[dict[str, str]] = {
        **FactForm.error_names,
        "expires_day": "the day the order ends",
        "expires_month": "the month the order ends",
        "expires_year": "the year the order ends",
        "expires_time": "the time the order ends",
        "zone_place": "the place at the centre of the zone",
        "radius_m": "the radius of the exclusion zone",
    }
    date_groups: ClassVar[dict[str, tuple[str, str]]] = {
        "expires": (
            "When does it end? (optional)",
            "Leave it empty if it has no end date. A date without a time means the end of that day.",
        ),
    }
    grouped = ("no_contact", "exclusion", "zone_place", "radius_m")
    starts_words: ClassVar[str] = "it was granted"
    end_words: ClassVar[str] = "the order ends"
    end_time_required: ClassVar[bool] = False
    conditions_required: ClassVar[bool] = True

    def __init__(self, data: Any = None, **kwargs: Any) -> None:
        super().__init__(data, **kwargs)
        self.zone_form = PlaceForm(data, prefix="zone", what="the centre of the zone")

    def layout(self) -> list[tuple[Any, ...]]:
        return [*super().layout(), ("conditions", self, self.zone_form)]

    def setup(self) -> None:
        known = known_places(self.user, self.case)
        self.places = {str(place.pk): place for place, _ in known}
        _choices(self, "zone_place", [*((str(place.pk), words) for place, words in known), (OTHER, "Another place")])
        if self.case.victim.home_id:
            self.initial.setdefault("zone_place", str(self.case.victim.home_id))

    def _wants_zone_place(self) -> bool:
        return bool(self.is_bound and self.data.get("exclusion") and self.data.get("zone_place") == OTHER)

    def is_valid(self) -> bool:
        valid = super().is_valid()
        self.zone_form.required = self._wants_zone_place()
        if self._wants_zone_place():
            valid = self.zone_form.is_valid() and valid
        return valid

    def other_forms(self) -> list[forms.Form]:
        return [*super().other_forms(), *([self.zone_form] if self._wants_zone_place() else [])]

    def starts(self, data: dict[str, Any]) -> dt.datetime | None:
        moment: dt.datetime | None = data.get("reported_at")
        return moment

    def wants_end(self, data: dict[str, Any]) -> bool:
        return self.has_error("expires_day") or any(data.get(f"expires_{p}") is not None for p in ("day", "month", "year"))

    def wants_conditions(self, data: dict[str, Any]) -> bool:
        return True

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        data["expires_at"] = None
        if self.wants_end(data):
            day, expires = self._moment("expires", self.end_words, time_required=self.end_time_required)
            if expires is None and day is not None and not self.end_time_required:
                # A day without a time: to the end of that day, and the page says so.
                expires = timezone.make_aware(dt.datetime.combine(day, dt.time(23, 59)), timezone.get_default_timezone())
            starts = self.starts(data)
            if expires is not None and starts is not None and expires <= starts:
                self.add_error("expires_day", f"The date {self.end_words} must be after {self.starts_words}")
            data["expires_at"] = expires
        if self.wants_conditions(data):
            if self.conditions_required and not data.get("no_contact") and not data.get("exclusion"):
                self.add_error("no_contact", "Select at least one condition: no contact, an exclusion zone, or both")
            if data.get("exclusion"):
                if not data.get("zone_place"):
                    self.add_error("zone_place", "Select the place at the centre of the exclusion zone")
                if data.get("radius_m") is None and not self.has_error("radius_m"):
                    self.add_error("radius_m", "Enter the radius of the exclusion zone in metres, for example 200")
        return data

    def conditions(self, actor: Any) -> list[dict[str, Any]]:
        data = self.cleaned_data
        conditions: list[dict[str, Any]] = []
        if data["no_contact"]:
            conditions.append({"kind": ConditionKind.NO_CONTACT})
        if data["exclusion"]:
            if data["zone_place"] == OTHER:
                centre = place_from_input(actor, self.zone_form.cleaned_data.get("place"), label="centre of an exclusion zone")
            else:
                centre = self.places[data["zone_place"]]
            conditions.append({"kind": ConditionKind.EXCLUSION_ZONE, "place": centre, "radius_m": float(data["radius_m"])})
        return conditions


class OrderGrantForm(TermsForm):
    slug, event, group = "order", "order_granted", "Orders"
    title, button = "Record an order granted", "Record the order"
    intro = "A protective order or notice, with its conditions. An exclusion zone is a circle around a place."
    happened_label = "When was it granted?"
    field_order = ["reference", "order_type", "protected"]

    reference = forms.CharField(label="Order reference", max_length=40, help_text="As the court or the notice gives it.")
    order_type = forms.ChoiceField(label="Type of order", choices=[("", "Choose a type"), *OrderType.choices])
    protected = forms.MultipleChoiceField(label="Who does it protect?", widget=forms.CheckboxSelectMultiple)
    error_names: ClassVar[dict[str, str]] = {**TermsForm.error_names, "protected": "who the order protects"}

    def setup(self) -> None:
        super().setup()
        _choices(self, "protected", self.person_choices("victim", "household", "family"))
        self.initial.setdefault("protected", [str(self.case.victim_id)])

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        reference = (data.get("reference") or "").strip()
        if reference and ProtectiveOrder.objects.filter(reference=reference).exists():
            self.add_error("reference", f"An order with the reference {reference} is already recorded")
        return data

    def record(self, actor: Any, times: dict[str, Any], place: Place | None) -> str:
        data = self.cleaned_data
        order = order_grant(
            actor=actor,
            reference=data["reference"].strip(),
            order_type=data["order_type"],
            subject=self.subject,
            protected=[self.by_pk[pk] for pk in data["protected"]],
            starts_at=self.moment(times),
            reported_at=times["reported_at"],
            expires_at=data.get("expires_at"),
            conditions=self.conditions(actor),  # type: ignore[arg-type]
        )
        return f"The order {order.reference} was recorded."


class OrderVaryForm(TermsForm):
    slug, event, group = "order-varied", "order_varied", "Orders"
    title, button = "Record an order varied", "Record the variation"
    intro = (
        "The court changed the order's conditions or its end date. Give the whole new terms: they replace the old ones "
        "from the time it took effect. Anything broken before then stays broken."
    )
    happened_label = "When did the variation take effect?"
    starts_words = "the variation took effect"
    field_order = ["order"]

    order = forms.ChoiceField(label="Which order?", widget=forms.RadioSelect)
    reason = forms.CharField(label="Why was it varied?", widget=forms.Textarea, max_length=2000)
    error_names: ClassVar[dict[str, str]] = {**TermsForm.error_names, "order": "the order", "reason": "why the order was varied"}

    def setup(self) -> None:
        super().setup()
        now = local_now()
        self.orders = {str(o.pk): o for o in case_orders(self.case) if o.status_now(now) in ("in force", "not yet in force")}
        _choices(
            self,
            "order",
            [(pk, f"{o.reference}: {o.get_order_type_display()}, from {o.starts_at:%-d %b %Y}") for pk, o in self.orders.items()],
        )
        if len(self.orders) == 1 and not self.is_bound:
            self._prefill(next(iter(self.orders.values())), now)

    def _prefill(self, order: ProtectiveOrder, now: dt.datetime) -> None:
        """Start from the terms in force now, so the officer changes only what the court changed."""
        conditions, expires = order_terms(order, now)
        self.initial["order"] = str(order.pk)
        self.initial["no_contact"] = any(c.kind == ConditionKind.NO_CONTACT for c in conditions)
        zones = [c for c in conditions if c.kind == ConditionKind.EXCLUSION_ZONE]
        if zones:
            self.initial["exclusion"] = True
            if str(zones[0].place_id) in self.places:
                self.initial["zone_place"] = str(zones[0].place_id)
            self.initial["radius_m"] = int(zones[0].radius_m or 0)
        if expires is not None:
            local = timezone.localtime(expires)
            self.initial.update(
                expires_day=local.day, expires_month=local.month, expires_year=local.year, expires_time=local.strftime("%H:%M")
            )

    def starts(self, data: dict[str, Any]) -> dt.datetime | None:
        happened = data.get("happened_data") or {}
        if happened.get("kind") == "moment" and happened.get("start"):
            return dt.datetime.fromisoformat(happened["start"])
        moment: dt.datetime | None = data.get("reported_at")
        return moment

    def record(self, actor: Any, times: dict[str, Any], place: Place | None) -> str:
        order = self.orders[self.cleaned_data["order"]]
        order_vary(
            actor=actor,
            order=order,
            varied_at=self.moment(times),
            reported_at=times["reported_at"],
            expires_at=self.cleaned_data.get("expires_at"),
            conditions=self.conditions(actor),  # type: ignore[arg-type]
            reason=self.cleaned_data["reason"],
        )
        return f"The variation of the order {order.reference} was recorded."


class _OrderChoiceForm(FactForm):
    order = forms.ChoiceField(label="Which order?", widget=forms.RadioSelect)
    error_names: ClassVar[dict[str, str]] = {**FactForm.error_names, "order": "the order"}
    in_force_only: ClassVar[bool] = True

    def setup(self) -> None:
        orders = case_orders(self.case)
        if self.in_force_only:
            orders = [o for o in orders if o.status_now(local_now()) in ("in force", "not yet in force")]
        self.orders = {str(o.pk): o for o in orders}
        _choices(
            self,
            "order",
            [(str(o.pk), f"{o.reference}: {o.get_order_type_display()}, from {o.starts_at:%-d %b %Y}") for o in orders],
        )
        if len(orders) == 1:
            self.initial.setdefault("order", str(orders[0].pk))

    @property
    def chosen_order(self) -> ProtectiveOrder:
        return self.orders[self.cleaned_data["order"]]


class BreachForm(_OrderChoiceForm, ReporterMixin):
    slug, event, group = "breach", "breach", "Orders"
    title, button = "Record a breach of an order", "Record the breach"
    intro = (
        "Someone reported that an order was broken. (A sighting or a contact attempt is recorded as such: the policy decides.)"
    )
    place_question = "Where did it happen?"
    place_default = "victim_home"
    in_force_only = False

    summary = forms.CharField(label="What happened", widget=forms.Textarea, max_length=5000, required=False)
    error_names: ClassVar[dict[str, str]] = {**ReporterMixin.error_names, "order": "the order that was broken"}

    def setup(self) -> None:
        super().setup()
        self.add_reporter()

    def record(self, actor: Any, times: dict[str, Any], place: Place | None) -> str:
        breach_record(
            actor=actor,
            order=self.chosen_order,
            **times,
            place=place,
            reported_by=self.reporter(actor),
            summary=self.cleaned_data.get("summary") or "",
        )
        return f"The breach of {self.chosen_order.reference} was recorded."


class OrderEndForm(_OrderChoiceForm):
    slug, event, group = "order-ended", "order_ended", "Orders"
    title, button = "Record an order ended early", "Record that the order ended"
    happened_label = "When did it end?"

    reason = forms.CharField(label="Why did it end?", widget=forms.Textarea, max_length=2000)
    error_names: ClassVar[dict[str, str]] = {**_OrderChoiceForm.error_names, "reason": "why the order ended"}

    def record(self, actor: Any, times: dict[str, Any], place: Place | None) -> str:
        order_end(actor=actor, order=self.chosen_order, at=times["reported_at"], reason=self.cleaned_data["reason"])
        return f"The order {self.chosen_order.reference} is recorded as ended."


# --- warrants ---------------------------------------------------------------------------------


class WarrantIssueForm(FactForm):
    slug, event, group = "warrant", "warrant_issued", "Warrants"
    title, button = "Record a warrant issued", "Record the warrant"
    happened_label = "When was it issued?"

    reference = forms.CharField(label="Warrant reference", max_length=40)
    reason = forms.CharField(
        label="Why was it issued?",
        max_length=500,
        help_text="For example: failed to appear at court charged with breaching an order.",
    )
    error_names: ClassVar[dict[str, str]] = {**FactForm.error_names, "reason": "why the warrant was issued"}

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        reference = (data.get("reference") or "").strip()
        if reference and Warrant.objects.filter(reference=reference).exists():
            self.add_error("reference", f"A warrant with the reference {reference} is already recorded")
        return data

    def record(self, actor: Any, times: dict[str, Any], place: Place | None) -> str:
        warrant = warrant_issue(
            actor=actor,
            reference=self.cleaned_data["reference"].strip(),
            subject=self.subject,
            reason=self.cleaned_data["reason"],
            issued_at=self.moment(times),
            reported_at=times["reported_at"],
            officer_in_case=actor,
        )
        return f"The warrant {warrant.reference} was recorded, with you as the officer in the case."


class _WarrantChoiceForm(FactForm):
    warrant = forms.ChoiceField(label="Which warrant?", widget=forms.RadioSelect)
    error_names: ClassVar[dict[str, str]] = {**FactForm.error_names, "warrant": "the warrant"}

    def setup(self) -> None:
        warrants = case_warrants(self.case, outstanding=True)
        self.warrants = {str(w.pk): w for w in warrants}
        _choices(self, "warrant", [(str(w.pk), f"{w.reference}, issued {w.issued_at:%-d %b %Y}: {w.reason}") for w in warrants])
        if len(warrants) == 1:
            self.initial.setdefault("warrant", str(warrants[0].pk))

    @property
    def chosen_warrant(self) -> Warrant:
        return self.warrants[self.cleaned_data["warrant"]]


class WarrantExecuteForm(_WarrantChoiceForm):
    slug, event, group = "warrant-executed", "warrant_executed", "Warrants"
    title, button = "Record a warrant executed", "Record the arrest on the warrant"
    intro = "He was arrested on the warrant. This closes the open actions to arrest him and to execute the warrant."
    happened_label = "When was he arrested?"
    error_names: ClassVar[dict[str, str]] = {
        **FactForm.error_names,
        "warrant": "the warrant",
        "arrested_by": "who made the arrest",
        "custody_reference": "the custody reference",
    }

    arrested_by = forms.CharField(
        label="Who made the arrest? (optional)", help_text="Name and collar number.", max_length=200, required=False
    )
    custody_reference = forms.CharField(label="Custody reference (optional)", max_length=60, required=False)

    def record(self, actor: Any, times: dict[str, Any], place: Place | None) -> str:
        warrant = self.chosen_warrant
        with transaction.atomic():
            reference = self.cleaned_data.get("custody_reference") or ""
            by = self.cleaned_data.get("arrested_by") or ""
            warrant_execute(actor=actor, warrant=warrant, at=times["reported_at"], custody_reference=reference, executed_by=by)
            summary = f"Arrested on warrant {warrant.reference}." + (f" Custody reference {reference}." if reference else "")
            justice_event_record(
                actor=actor,
                subject=self.subject,
                kind=JusticeEventKind.ARREST,
                summary=summary,
                custody_reference=reference,
                arrested_by=by,
                **times,
            )
        return f"The warrant {warrant.reference} is recorded as executed, and the arrest is recorded."


class WarrantWithdrawForm(_WarrantChoiceForm):
    slug, event, group = "warrant-withdrawn", "warrant_withdrawn", "Warrants"
    title, button = "Record a warrant withdrawn", "Record that the warrant was withdrawn"
    happened_label = "When was it withdrawn?"

    reason = forms.CharField(label="Why was it withdrawn?", widget=forms.Textarea, max_length=2000)
    error_names: ClassVar[dict[str, str]] = {**_WarrantChoiceForm.error_names, "reason": "why the warrant was withdrawn"}

    def record(self, actor: Any, times: dict[str, Any], place: Place | None) -> str:
        warrant = self.chosen_warrant
        warrant_withdraw(actor=actor, warrant=warrant, at=times["reported_at"], reason=self.cleaned_data["reason"])
        return f"The warrant {warrant.reference} is recorded as withdrawn."


# --- arrest, charge, release, court -------------------------------------------------------------


class ArrestForm(FactForm):
    slug, event, group = "arrest", "arrest", "Arrest, charge, bail and court"
    title, button = "Record an arrest", "Record the arrest"
    intro = "An arrest also executes any warrant outstanding for him, and closes the open actions to arrest him."
    happened_label = "When was he arrested?"
    error_names: ClassVar[dict[str, str]] = {
        **FactForm.error_names,
        "warrant": "the warrant",
        "arrested_by": "who made the arrest",
        "custody_reference": "the custody reference",
    }

    arrested_by = forms.CharField(
        label="Who made the arrest? (optional)", help_text="Name and collar number.", max_length=200, required=False
    )
    custody_reference = forms.CharField(label="Custody reference (optional)", max_length=60, required=False)

    def record(self, actor: Any, times: dict[str, Any], place: Place | None) -> str:
        reference = self.cleaned_data.get("custody_reference") or ""
        justice_event_record(
            actor=actor,
            subject=self.subject,
            kind=JusticeEventKind.ARREST,
            **times,
            summary=f"Custody reference {reference}." if reference else "",
            custody_reference=reference,
            arrested_by=self.cleaned_data.get("arrested_by") or "",
        )
        return "The arrest was recorded."


class ChargeForm(FactForm):
    slug, event, group = "charge", "charge", "Arrest, charge, bail and court"
    title, button = "Record a charge", "Record the charge"
    happened_label = "When was he charged?"

    offence = forms.CharField(label="Offence", max_length=300)

    def record(self, actor: Any, times: dict[str, Any], place: Place | None) -> str:
        justice_event_record(
            actor=actor, subject=self.subject, kind=JusticeEventKind.CHARGE, offence=self.cleaned_data["offence"], **times
        )
        return "The charge was recorded."


class ReleaseForm(TermsForm):
    slug, event, group = "released", "released", "Arrest, charge, bail and court"
    title, button = "Record a release, with any bail conditions", "Record the release"
    intro = "Bail conditions are recorded as an order of the type ‘bail conditions’, so the policy checks them like any order."
    happened_label = "When was he released?"
    field_order = ["on_bail"]
    starts_words = "his release"
    end_words = "he must answer bail"
    end_time_required = True
    conditions_required = False

    date_groups: ClassVar[dict[str, tuple[str, str]]] = {
        "expires": ("If on bail, when must he answer it?", "The date and time he must return to the police station or to court."),
    }

    on_bail = forms.ChoiceField(
        label="Was he released on bail?", choices=[("yes", "Yes, on bail"), ("no", "No")], widget=forms.RadioSelect
    )
    error_names: ClassVar[dict[str, str]] = {
        **TermsForm.error_names,
        "on_bail": "whether he was released on bail",
        "expires_day": "the day he must answer bail",
        "expires_month": "the month he must answer bail",
        "expires_year": "the year he must answer bail",
        "expires_time": "the time he must answer bail",
    }

    def setup(self) -> None:
        super().setup()
        self.fields["no_contact"].label = "Bail condition: he must not contact the victim"
        self.fields["exclusion"].label = "Bail condition: he must keep out of an exclusion zone"

    def wants_end(self, data: dict[str, Any]) -> bool:
        return data.get("on_bail") == "yes"

    def wants_conditions(self, data: dict[str, Any]) -> bool:
        return data.get("on_bail") == "yes"

    def record(self, actor: Any, times: dict[str, Any], place: Place | None) -> str:
        data = self.cleaned_data
        on_bail = data.get("on_bail") == "yes"
        justice_event_record(
            actor=actor, subject=self.subject, kind=JusticeEventKind.RELEASED, bail_until=data["expires_at"], **times
        )
        conditions = self.conditions(actor) if on_bail else []
        if not conditions:
            return "The release on bail was recorded." if on_bail else "The release was recorded."
        stamp = timezone.localtime(times["reported_at"]).strftime("%Y%m%d%H%M")
        reference = f"BAIL-{self.case.reference}-{stamp}"
        order_grant(
            actor=actor,
            reference=reference,
            order_type=OrderType.BAIL_CONDITIONS,
            subject=self.subject,
            protected=[self.case.victim],
            starts_at=self.moment(times),
            reported_at=times["reported_at"],
            expires_at=data["expires_at"],
            conditions=conditions,  # type: ignore[arg-type]
        )
        return f"The release on bail was recorded, and its conditions as order {reference}."


class CourtOutcomeForm(FactForm):
    slug, event, group = "court", "court_hearing", "Arrest, charge, bail and court"
    title, button = "Record a court outcome", "Record the outcome"
    happened_label = "When was the hearing?"

    outcome = forms.ChoiceField(label="What was the outcome?", choices=HearingOutcome.choices, widget=forms.RadioSelect)
    error_names: ClassVar[dict[str, str]] = {**FactForm.error_names, "outcome": "the outcome of the hearing"}

    def record(self, actor: Any, times: dict[str, Any], place: Place | None) -> str:
        justice_event_record(
            actor=actor,
            subject=self.subject,
            kind=JusticeEventKind.COURT_HEARING,
            **times,
            outcome=self.cleaned_data["outcome"],
        )
        return "The court outcome was recorded."


# --- alarms -----------------------------------------------------------------------------------


class _AlarmForm(FactForm):
    group = "Alarms"
    needs_subject = False
    place_question = "Where?"
    place_default = "victim_home"

    person = forms.ChoiceField(label="Whose alarm?", widget=forms.RadioSelect)
    error_names: ClassVar[dict[str, str]] = {**FactForm.error_names, "person": "whose alarm it is", "where": "where the alarm is"}

    def setup(self) -> None:
        _choices(self, "person", self.person_choices("victim", "household", "family"))
        self.initial.setdefault("person", str(self.case.victim_id))

    @property
    def chosen_person(self) -> Person:
        person = self.person_for(self.cleaned_data["person"])
        assert person is not None
        return person


class AlarmFitForm(_AlarmForm):
    slug, event = "alarm", "alarm_fitted"
    title, button = "Record an alarm fitted or given", "Record the alarm"
    happened_label = "When was it fitted?"

    def record(self, actor: Any, times: dict[str, Any], place: Place | None) -> str:
        alarm_fit(
            actor=actor, person=self.chosen_person, place=place, fitted_at=self.moment(times), reported_at=times["reported_at"]
        )
        return "The alarm was recorded."


class AlarmPressForm(_AlarmForm):
    slug, event = "alarm-pressed", "alarm_activated"
    title, button = "Record an alarm pressed", "Record the alarm pressed"
    happened_label = "When was it pressed?"

    def record(self, actor: Any, times: dict[str, Any], place: Place | None) -> str:
        alarm_activate(actor=actor, person=self.chosen_person, place=place, **times)
        return "The alarm press was recorded."


FACTS: list[type[FactForm]] = [
    ReportFactForm,
    SightingForm,
    ContactAttemptForm,
    IntelligenceForm,
    OrderGrantForm,
    BreachForm,
    OrderVaryForm,
    OrderEndForm,
    WarrantIssueForm,
    WarrantExecuteForm,
    WarrantWithdrawForm,
    ArrestForm,
    ChargeForm,
    ReleaseForm,
    CourtOutcomeForm,
    AlarmFitForm,
    AlarmPressForm,
]
BY_SLUG: dict[str, type[FactForm]] = {f.slug: f for f in FACTS}
GROUPS: list[str] = list(dict.fromkeys(f.group for f in FACTS))
