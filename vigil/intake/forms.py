"""The intake journey's forms. Every message names the field it is about."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone

from vigil.core.constants import RelationshipKind, ReportCategory, Sex
from vigil.core.forms import GovukForm
from vigil.core.when import EARLIEST_YEAR, TIME_NAMES, WhenForm
from vigil.intake.journey import LIVES_WITH

NEW_RECORD = "new"
SEX_CHOICES = [(Sex.FEMALE, "Female"), (Sex.MALE, "Male"), (Sex.OTHER, "Other"), (Sex.UNKNOWN, "Not known")]


def birth_date(form: forms.Form, prefix: str, what: str, *, required: bool = False) -> tuple[int | None, int | None, int | None]:
    """Day, month and year of a date of birth: all three, the year alone, or none. Errors go
    on `<prefix>_day` and name `what`."""
    data = form.cleaned_data
    anchor = f"{prefix}_day"
    names = ("day", "month", "year")
    if any(form.has_error(f"{prefix}_{n}") for n in names):
        for n in names:
            form.errors.pop(f"{prefix}_{n}", None)
        form.add_error(anchor, f"{what} must be a real date, like 2 5 1978")
        return None, None, None
    day, month, year = (data.get(f"{prefix}_{n}") for n in names)
    if day is None and month is None and year is None:
        if required:
            form.add_error(anchor, f"Enter {what.lower()}, or the year if that is all you know")
        return None, None, None
    if year is None:
        form.add_error(anchor, f"{what} must include a year")
        return None, None, None
    today = timezone.localdate()
    if year < EARLIEST_YEAR or year > today.year:
        form.add_error(anchor, f"{what} must be a real date: the year must be between {EARLIEST_YEAR} and {today.year}")
        return None, None, None
    if day is None and month is None:
        return None, None, year
    if day is None or month is None:
        form.add_error(anchor, f"{what} must include a day and a month, or only the year")
        return None, None, None
    try:
        born = dt.date(year, month, day)
    except ValueError:
        form.add_error(anchor, f"{what} must be a real date, like 2 5 1978")
        return None, None, None
    if born > today:
        form.add_error(anchor, f"{what} cannot be in the future")
        return None, None, None
    return day, month, year


def _part(label: str) -> forms.IntegerField:
    return forms.IntegerField(label=label, required=False, min_value=0, max_value=9999)


class PersonForm(GovukForm):
    """Who the victim (or the suspect) is. With a name and a date of birth the page offers
    the records the linker would link; the officer picks one or says none of them."""

    error_names = {"born_day": "the day of birth", "born_month": "the month of birth", "born_year": "the year of birth"}

    full_name = forms.CharField(
        label="Full name",
        max_length=200,
        required=False,
        help_text="As the person gives it. Other names they use go below.",
    )
    aliases = forms.CharField(
        label="Other names they are known by (optional)",
        max_length=600,
        required=False,
        help_text="Separate each name with a comma, for example a maiden name or a spelling used before.",
    )
    born_day = _part("Day")
    born_month = _part("Month")
    born_year = _part("Year")
    sex = forms.ChoiceField(label="Sex", choices=SEX_CHOICES, widget=forms.RadioSelect, initial=Sex.UNKNOWN, required=False)
    police_staff = forms.BooleanField(
        label="This person works for the police",
        required=False,
        help_text="The case will be restricted to the people named on it.",
    )
    record = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, who: str = "the victim", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.who = who

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        record = (data.get("record") or "").strip()
        name = " ".join((data.get("full_name") or "").split())
        data["full_name"] = name
        data["aliases"] = [a.strip() for a in (data.get("aliases") or "").split(",") if a.strip()]
        if record and record != NEW_RECORD:
            if not record.isdigit():
                self.add_error(None, f"Choose {self.who} from the records shown, or create a new record")
                record = ""
            data["existing"] = int(record) if record else None
            return data
        data["existing"] = None
        if not name:
            self.add_error("full_name", f"Enter the full name of {self.who}")
        elif len(name) < 2:
            self.add_error("full_name", f"The full name of {self.who} must be 2 characters or more")
        data["born"] = birth_date(self, "born", f"The date of birth of {self.who}")
        return data


class SuspectKnownForm(GovukForm):
    error_names = {"known": "whether you know who the suspect is"}
    known = forms.ChoiceField(
        label="Do you know who the suspect is?",
        choices=[("yes", "Yes"), ("no", "No, not known yet")],
        widget=forms.RadioSelect,
        error_messages={"required": "Select yes if you know who the suspect is"},
    )


class RelationshipForm(GovukForm):
    error_names = {
        "kind": "how the suspect is related to the victim",
        **{
            f"{w}_{p}": f"the {p} the relationship {'began' if w == 'since' else 'ended'}"
            for w in ("since", "until")
            for p in ("day", "month", "year")
        },
    }
    kind = forms.ChoiceField(
        label="How is the suspect related to the victim?",
        choices=[("", "Choose a relationship"), *RelationshipKind.choices],
        error_messages={"required": "Choose how the suspect is related to the victim", "invalid_choice": "Choose a relationship"},
    )
    since_day = _part("Day")
    since_month = _part("Month")
    since_year = _part("Year")
    until_day = _part("Day")
    until_month = _part("Month")
    until_year = _part("Year")

    def _date(self, prefix: str, what: str) -> dt.date | None:
        day, month, year = birth_date(self, prefix, what)
        if year is None:
            return None
        return dt.date(year, month or 1, day or 1)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        since = self._date("since", "The date the relationship began")
        until = self._date("until", "The date they separated")
        if since and until and until < since:
            self.add_error("until_day", "The date they separated must be after the date the relationship began")
        data["since"], data["until"] = since, until
        return data


class HouseholdMemberForm(GovukForm):
    """A child (or another person) living with the victim or the suspect."""

    error_names = {
        "born_day": "the day of birth",
        "born_month": "the month of birth",
        "born_year": "the year of birth",
        "lives_with": "who they live with",
    }

    full_name = forms.CharField(label="Full name", max_length=200, required=False)
    born_day = _part("Day")
    born_month = _part("Month")
    born_year = _part("Year")
    sex = forms.ChoiceField(label="Sex", choices=SEX_CHOICES, widget=forms.RadioSelect, initial=Sex.UNKNOWN, required=False)
    lives_with = forms.ChoiceField(
        label="Who do they live with?",
        choices=[(k, v[:1].upper() + v[1:]) for k, v in LIVES_WITH.items()],
        widget=forms.RadioSelect,
        error_messages={"required": "Select who they live with"},
    )
    school = forms.CharField(
        label="School or nursery (optional)",
        max_length=150,
        required=False,
        help_text="Its name. The school's safeguarding lead is told before the next school day (Operation Encompass).",
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        name = " ".join((data.get("full_name") or "").split())
        data["full_name"] = name
        if not name:
            self.add_error("full_name", "Enter the full name of the child or other person in the household")
        data["born"] = birth_date(self, "born", "Their date of birth", required=True)
        return data


PLACE_CHOICES = [
    ("victim_home", "At the victim's home"),
    ("suspect_home", "At the suspect's home"),
    ("victim_work", "At the victim's work"),
    ("other", "Somewhere else"),
    ("unknown", "Not known"),
]


class FirstReportForm(WhenForm):
    when_words = "it"
    error_names = {
        **TIME_NAMES,
        "category": "the kind of report",
        "where": "where it happened",
        "reported_by": "who told the police",
        "children_present": "the children who were there",
    }

    category = forms.ChoiceField(label="What kind of report is it?", choices=[("", "Choose a category"), *ReportCategory.choices])
    where = forms.ChoiceField(
        label="Where did it happen?",
        choices=PLACE_CHOICES,
        widget=forms.RadioSelect,
        error_messages={"required": "Select where it happened"},
    )
    reported_by = forms.ChoiceField(
        label="Who told the police?", widget=forms.RadioSelect, error_messages={"required": "Select who told the police"}
    )
    reporter_name = forms.CharField(label="Their full name", max_length=200, required=False)
    children_present = forms.MultipleChoiceField(
        label="Which children were there? (optional)", widget=forms.CheckboxSelectMultiple, required=False
    )
    summary = forms.CharField(
        label="What happened",
        widget=forms.Textarea,
        max_length=5000,
        required=False,
        help_text="In the victim's words where you can. It is encrypted and shown only on the case.",
    )

    def __init__(
        self,
        *args: Any,
        places: list[tuple[str, str]],
        reporters: list[tuple[str, str]],
        children: list[tuple[str, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self._choose("where", places)
        self._choose("reported_by", reporters)
        self._choose("children_present", children)

    def _choose(self, name: str, choices: list[tuple[str, str]]) -> None:
        field = self.fields[name]
        assert isinstance(field, forms.ChoiceField)
        field.choices = choices

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("reported_by") == "other" and not (data.get("reporter_name") or "").strip():
            self.add_error("reporter_name", "Enter the full name of the person who told the police")
        return data


class CheckForm(GovukForm):
    error_names = {"team": "the team that will hold the case"}
    team = forms.ChoiceField(label="Which team will hold the case?", required=False)
    restricted = forms.BooleanField(
        label="Restrict the case to the people named on it",
        required=False,
        help_text="For example when someone involved is known to staff. You are named on it.",
    )

    def __init__(self, *args: Any, teams: list[tuple[str, str]] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["team"]
        assert isinstance(field, forms.ChoiceField)
        if teams:
            field.choices = [("", "Choose a team"), *teams]
            field.required = True
            field.error_messages["required"] = "Choose the team that will hold the case"
        else:
            del self.fields["team"]
