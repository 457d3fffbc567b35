"""Open a case from an incident: the victim, the suspect, the household, the first report,
then a check-your-answers page. Each page saves into an encrypted draft, so nothing typed is
lost if the officer is called away. Views only validate and call the services."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from vigil.actions.outcome import record_with_outcome
from vigil.cases.access import persons_for_user
from vigil.core.access import WRITE_ROLES
from vigil.core.models import Team
from vigil.core.when import happened_words
from vigil.intake.forms import (
    NEW_RECORD,
    CheckForm,
    FirstReportForm,
    HouseholdMemberForm,
    PersonForm,
    RelationshipForm,
    SuspectKnownForm,
)
from vigil.intake.journey import LIVES_WITH, HouseholdEntry, Intake, PersonEntry, RelationshipEntry, ReportEntry
from vigil.intake.models import IntakeDraft
from vigil.intake.services import intake_draft_save, intake_draft_start, intake_submit
from vigil.people.models import Person
from vigil.people.place_form import PlaceForm, PlaceInput, map_settings
from vigil.people.suggest import Suggestion, person_suggestions

STEPS = [
    ("victim", "The victim"),
    ("suspect", "The suspect"),
    ("household", "Children and household"),
    ("report", "The first report"),
]
SEARCH, CONTINUE = "search", "continue"


def _writer(request: HttpRequest) -> None:
    if getattr(request.user, "role", None) not in WRITE_ROLES:
        raise Http404("No such page")


def _draft(request: HttpRequest, pk: int) -> IntakeDraft:
    _writer(request)
    draft = IntakeDraft.objects.filter(pk=pk, started_by_id=request.user.pk, submitted_at__isnull=True).first()
    if draft is None:
        raise Http404("No such case being opened")
    return draft


def _save(request: HttpRequest, draft: IntakeDraft, intake: Intake) -> None:
    intake_draft_save(actor=request.user, draft=draft, intake=intake)


def _error_rows(*forms: Form | None) -> list[tuple[str, str]]:
    """The error summary's rows for several forms on one page: (message, id of the field)."""
    rows: list[tuple[str, str]] = []
    for form in forms:
        if form is None or not form.is_bound:
            continue
        for name, errors in form.errors.items():
            if name == "__all__":
                anchor = "main-content"
            else:
                field = form[name]
                anchor = field.auto_id or name
                widget = getattr(field.field.widget, "input_type", "")
                if widget in ("radio", "checkbox") and getattr(field.field, "choices", None):
                    anchor = f"{field.auto_id}_0"
            rows.extend((str(error), anchor) for error in errors)
    return rows


def _context(request: HttpRequest, draft: IntakeDraft, step: str, **extra: Any) -> dict[str, Any]:
    intake = Intake.from_data(draft.data)
    return {
        "draft": draft,
        "intake": intake,
        "step": step,
        "steps": STEPS,
        "step_number": [s for s, _ in STEPS].index(step) + 1 if step in dict(STEPS) else None,
        "map": map_settings(),
        **extra,
    }


def _next(draft: IntakeDraft, step: str, request: HttpRequest) -> HttpResponse:
    if request.POST.get("return") == "check":
        return redirect("intake_check", pk=draft.pk)
    order = [s for s, _ in STEPS] + ["check"]
    following = order[order.index(step) + 1]
    return redirect(f"intake_{following}", pk=draft.pk)


# --- start ---------------------------------------------------------------------------


@login_required
def intake_start(request: HttpRequest) -> HttpResponse:
    _writer(request)
    if request.method == "POST":
        draft = intake_draft_start(actor=request.user)
        return redirect("intake_victim", pk=draft.pk)
    drafts = [
        (d, Intake.from_data(d.data))
        for d in IntakeDraft.objects.filter(started_by_id=request.user.pk, submitted_at__isnull=True).order_by("-updated_at")[:10]
    ]
    return render(request, "intake/start.html", {"drafts": drafts, "page_title": "Open a case"})


# --- the victim and the suspect ----------------------------------------------------------------


def _person_initial(entry: PersonEntry | None) -> dict[str, Any]:
    if entry is None:
        return {}
    return {
        "full_name": entry.full_name,
        "aliases": ", ".join(entry.aliases),
        "born_day": entry.day,
        "born_month": entry.month,
        "born_year": entry.year,
        "sex": entry.sex,
        "police_staff": entry.police_staff,
        "record": str(entry.existing) if entry.existing else (NEW_RECORD if entry.full_name else ""),
    }


def _suggestions(request: HttpRequest, form: PersonForm, home: PlaceForm | None) -> list[Suggestion]:
    data = form.cleaned_data if hasattr(form, "cleaned_data") else {}
    name = data.get("full_name") or ""
    born = data.get("born") or (None, None, None)
    from vigil.people.suggest import born_text

    place = home.cleaned_data.get("place") if home is not None and hasattr(home, "cleaned_data") else None
    return person_suggestions(
        request.user,
        full_name=name,
        born=born_text(*born),
        sex=data.get("sex") or "unknown",
        aliases=tuple(data.get("aliases") or ()),
        near=(place.lat, place.lon) if place and place.lat is not None and place.lon is not None else None,
        address=place.full_address if place else "",
    )


def _chosen(request: HttpRequest, form: PersonForm) -> Person | None:
    existing = form.cleaned_data.get("existing")
    if existing is None:
        return None
    person = persons_for_user(request.user).filter(pk=existing).first()
    if person is None:
        form.add_error(None, f"Choose {form.who} from the records shown, or create a new record")
    return person


def _entry(form: PersonForm, home: PlaceForm, work: PlaceForm | None, chosen: Person | None) -> PersonEntry:
    data = form.cleaned_data
    day, month, year = data.get("born") or (None, None, None)
    home_place: PlaceInput | None = home.cleaned_data.get("place")
    work_place: PlaceInput | None = work.cleaned_data.get("place") if work is not None else None
    if chosen is not None:
        return PersonEntry(
            existing=chosen.pk,
            full_name=chosen.full_name,
            home=home_place.as_data() if home_place else None,
            work=work_place.as_data() if work_place else None,
        )
    return PersonEntry(
        full_name=data["full_name"],
        aliases=list(data.get("aliases") or []),
        day=day,
        month=month,
        year=year,
        sex=data.get("sex") or "unknown",
        police_staff=bool(data.get("police_staff")),
        home=home_place.as_data() if home_place else None,
        work=work_place.as_data() if work_place else None,
    )


def _person_step(
    request: HttpRequest, draft: IntakeDraft, role: str, entry: PersonEntry | None
) -> tuple[PersonForm, PlaceForm, PlaceForm | None, list[Suggestion], PersonEntry | None]:
    """The person, home and work forms of the victim's or the suspect's page; on a valid
    'continue', the entry to store (else None)."""
    who = f"the {role}"
    post = request.POST if request.method == "POST" else None
    form = PersonForm(post, prefix="person", who=who, initial=_person_initial(entry))
    home = PlaceForm(
        post,
        prefix="home",
        what=f"{who}'s home",
        may_protect=role == "victim",
        initial=PlaceForm.initial_from(entry.home_place if entry else None),
    )
    work = (
        PlaceForm(post, prefix="work", what=f"{who}'s work", initial=PlaceForm.initial_from(entry.work_place if entry else None))
        if role == "victim"
        else None
    )
    suggestions: list[Suggestion] = []
    if post is None:
        return form, home, work, suggestions, None
    valid = all([form.is_valid(), home.is_valid(), work.is_valid() if work is not None else True])
    chosen = _chosen(request, form) if valid else None
    if not form.errors and (post.get("action") == SEARCH or not form.cleaned_data.get("record")):
        suggestions = _suggestions(request, form, home)
        if post.get("action") != SEARCH and suggestions:
            form.add_error(None, f"Check whether {who} is one of the records below: choose it, or create a new record")
        if post.get("action") == SEARCH or suggestions:
            return form, home, work, suggestions, None
    if form.errors or home.errors or (work is not None and work.errors):
        return form, home, work, suggestions, None
    return form, home, work, suggestions, _entry(form, home, work, chosen)


@login_required
def intake_victim(request: HttpRequest, pk: int) -> HttpResponse:
    draft = _draft(request, pk)
    intake = Intake.from_data(draft.data)
    form, home, work, suggestions, entry = _person_step(request, draft, "victim", intake.victim)
    if entry is not None:
        intake.victim = entry
        _save(request, draft, intake)
        return _next(draft, "victim", request)
    context = _context(
        request,
        draft,
        "victim",
        form=form,
        home=home,
        work=work,
        suggestions=suggestions,
        searched=request.method == "POST" and request.POST.get("action") == SEARCH,
        errors=_error_rows(form, home, work),
        returning=request.GET.get("return") == "check" or request.POST.get("return") == "check",
        page_title="The victim",
    )
    return render(request, "intake/person.html", context, status=400 if context["errors"] else 200)


@login_required
def intake_suspect(request: HttpRequest, pk: int) -> HttpResponse:
    draft = _draft(request, pk)
    intake = Intake.from_data(draft.data)
    post = request.POST if request.method == "POST" else None
    known_initial = {True: "yes", False: "no"}.get(intake.suspect_known) if intake.suspect_known is not None else None
    known = SuspectKnownForm(post, prefix="known", initial={"known": known_initial})
    relationship = intake.relationship
    rel_initial: dict[str, Any] = {}
    if relationship is not None:
        rel_initial["kind"] = relationship.kind
        for name, value in (("since", relationship.since_date), ("until", relationship.until_date)):
            if value:
                rel_initial.update({f"{name}_day": value.day, f"{name}_month": value.month, f"{name}_year": value.year})
    rel = RelationshipForm(post, prefix="rel", initial=rel_initial)
    if post is not None and known.is_valid() and known.cleaned_data["known"] == "no":
        intake.suspect_known, intake.suspect, intake.relationship = False, None, None
        _save(request, draft, intake)
        return _next(draft, "suspect", request)
    form, home, _work, suggestions, entry = _person_step(request, draft, "suspect", intake.suspect)
    if post is not None:
        known.is_valid()
        rel_ok = rel.is_valid()
        if entry is not None and rel_ok and known.is_valid():
            intake.suspect_known = True
            intake.suspect = entry
            intake.relationship = RelationshipEntry(
                kind=rel.cleaned_data["kind"],
                since=rel.cleaned_data["since"].isoformat() if rel.cleaned_data.get("since") else None,
                until=rel.cleaned_data["until"].isoformat() if rel.cleaned_data.get("until") else None,
            )
            _save(request, draft, intake)
            return _next(draft, "suspect", request)
    if post is not None and not known.is_valid():
        errors = _error_rows(known)  # first whether the suspect is known; the rest follows from it
    else:
        errors = _error_rows(known, form, home, rel if post is not None and post.get("action") != SEARCH else None)
    context = _context(
        request,
        draft,
        "suspect",
        known=known,
        form=form,
        home=home,
        rel=rel,
        suggestions=suggestions,
        searched=post is not None and post.get("action") == SEARCH,
        errors=errors,
        returning=request.GET.get("return") == "check" or request.POST.get("return") == "check",
        page_title="The suspect",
    )
    return render(request, "intake/suspect.html", context, status=400 if errors else 200)


# --- the household --------------------------------------------------------------------------


@login_required
def intake_household(request: HttpRequest, pk: int) -> HttpResponse:
    draft = _draft(request, pk)
    intake = Intake.from_data(draft.data)
    post = request.POST if request.method == "POST" else None
    action = post.get("action", "") if post is not None else ""
    if action.startswith("remove-"):
        index = int(action.removeprefix("remove-")) if action.removeprefix("remove-").isdigit() else -1
        if 0 <= index < len(intake.household):
            removed = intake.household.pop(index)
            _save(request, draft, intake)
            messages.success(request, f"{removed.full_name} was removed from the household.")
        return redirect("intake_household", pk=draft.pk)
    adding = post is not None and action == "add"
    member = HouseholdMemberForm(post if adding else None, prefix="member")
    school = PlaceForm(post if adding else None, prefix="school", what="the school")
    if not intake.suspect_known:
        field = member.fields["lives_with"]
        field.choices = [("victim", "The victim")]  # type: ignore[attr-defined]
        member.initial["lives_with"] = "victim"
    if adding and all([member.is_valid(), school.is_valid()]):
        data = member.cleaned_data
        day, month, year = data["born"]
        place: PlaceInput | None = school.cleaned_data.get("place")
        intake.household.append(
            HouseholdEntry(
                full_name=data["full_name"],
                day=day,
                month=month,
                year=year,
                sex=data.get("sex") or "unknown",
                lives_with=data["lives_with"],
                school=data.get("school") or "",
                school_place=place.as_data() if place and data.get("school") else None,
            )
        )
        _save(request, draft, intake)
        messages.success(request, f"{data['full_name']} was added to the household.")
        return redirect("intake_household", pk=draft.pk)
    if post is not None and action == CONTINUE:
        return _next(draft, "household", request)
    errors = _error_rows(member, school) if adding else []
    context = _context(
        request,
        draft,
        "household",
        member=member,
        school=school,
        lives_with=LIVES_WITH,
        errors=errors,
        page_title="Children and others in the household",
    )
    return render(request, "intake/household.html", context, status=400 if errors else 200)


# --- the first report -----------------------------------------------------------------------


def _report_choices(intake: Intake) -> dict[str, list[tuple[str, str]]]:
    places = [("victim_home", "At the victim's home")]
    if intake.suspect_known:
        places.append(("suspect_home", "At the suspect's home"))
    if intake.victim and intake.victim.work:
        places.append(("victim_work", "At the victim's work"))
    places += [("other", "Somewhere else"), ("unknown", "Not known")]
    reporters = [("victim", f"The victim, {intake.victim.full_name}" if intake.victim else "The victim")]
    reporters += [(f"household:{i}", m.full_name) for i, m in enumerate(intake.household)]
    reporters.append(("other", "Someone else"))
    children = [(str(i), m.full_name) for i, m in enumerate(intake.household)]
    return {"places": places, "reporters": reporters, "children": children}


def _report_initial(entry: ReportEntry | None) -> dict[str, Any]:
    if entry is None:
        return {"where": "victim_home", "reported_by": "victim"}
    initial: dict[str, Any] = {
        "category": entry.category,
        "where": entry.where,
        "reported_by": entry.reported_by,
        "reporter_name": entry.reporter_name,
        "children_present": [str(i) for i in entry.children_present],
        "summary": entry.summary,
        "happened": entry.happened.get("kind", "same") if entry.happened.get("kind") != "day" else "moment",
    }
    told = entry.reported_moment
    if told is not None:
        from django.utils import timezone

        local = timezone.localtime(told)
        initial.update(told_day=local.day, told_month=local.month, told_year=local.year, told_time=local.strftime("%H:%M"))
    return initial


@login_required
def intake_report(request: HttpRequest, pk: int) -> HttpResponse:
    draft = _draft(request, pk)
    intake = Intake.from_data(draft.data)
    if intake.victim is None:
        return redirect("intake_victim", pk=draft.pk)
    post = request.POST if request.method == "POST" else None
    form = FirstReportForm(post, initial=_report_initial(intake.report), **_report_choices(intake))
    place = PlaceForm(
        post, prefix="place", what="where it happened", initial=PlaceForm.initial_from(_report_place(intake.report))
    )
    if post is not None:
        valid = form.is_valid()
        place_needed = form.cleaned_data.get("where") == "other" if hasattr(form, "cleaned_data") else False
        place.required = place_needed
        place_ok = place.is_valid() if place_needed else True
        if valid and place_ok:
            data = form.cleaned_data
            where: PlaceInput | None = place.cleaned_data.get("place") if place_needed else None
            intake.report = ReportEntry(
                category=data["category"],
                reported_at=data["reported_at"].isoformat(),
                happened=data["happened_data"],
                where=data["where"],
                place=where.as_data() if where else None,
                reported_by=data["reported_by"],
                reporter_name=(data.get("reporter_name") or "").strip() if data["reported_by"] == "other" else "",
                children_present=[int(i) for i in data.get("children_present") or []],
                summary=data.get("summary") or "",
            )
            _save(request, draft, intake)
            return _next(draft, "report", request)
    errors = _error_rows(form, place if post is not None and place.required else None)
    context = _context(request, draft, "report", form=form, place=place, errors=errors, page_title="The first report")
    return render(request, "intake/report.html", context, status=400 if errors else 200)


def _report_place(entry: ReportEntry | None) -> PlaceInput | None:
    return PlaceInput.from_data(entry.place) if entry and entry.place else None


# --- check your answers ---------------------------------------------------------------------


def _teams(request: HttpRequest) -> list[tuple[str, str]] | None:
    user: Any = request.user
    if getattr(user, "team_id", None):
        return None
    return [(str(t.pk), f"{t.name} ({t.area.name})") for t in Team.objects.select_related("area").order_by("area__name", "name")]


@login_required
def intake_check(request: HttpRequest, pk: int) -> HttpResponse:
    draft = _draft(request, pk)
    intake = Intake.from_data(draft.data)
    teams = _teams(request)
    form = CheckForm(request.POST if request.method == "POST" else None, teams=teams)
    gaps = intake.missing()
    if request.method == "POST" and not gaps and form.is_valid():
        team = Team.objects.filter(pk=form.cleaned_data["team"]).first() if teams else None
        try:
            case = _submit(request, draft, team, form.cleaned_data["restricted"])
        except ValidationError as error:
            for message in error.messages:
                form.add_error(None, message)
        else:
            return redirect("case_detail", pk=case.pk)
    existing = {
        p.pk: p
        for p in Person.objects.filter(
            pk__in=[e.existing for e in (intake.victim, intake.suspect) if e is not None and e.existing]
        ).select_related("home")
    }
    report = intake.report
    context = _context(
        request,
        draft,
        "check",
        form=form,
        gaps=gaps,
        existing=existing,
        report_when=happened_words(report.happened, report.reported_moment) if report else "",
        report_place=_report_place_words(intake),
        report_by=_reporter_words(intake),
        children_present=[intake.household[i].full_name for i in (report.children_present if report else [])],
        errors=_error_rows(form),
        page_title="Check your answers before opening the case",
    )
    return render(request, "intake/check.html", context, status=400 if form.errors else 200)


def _submit(request: HttpRequest, draft: IntakeDraft, team: Team | None, restricted: bool) -> Any:
    case, _outcome = record_with_outcome(
        request, lambda: intake_submit(actor=request.user, draft=draft, team=team, restricted=restricted)
    )
    messages.success(request, f"Case {case.reference} is open and the first report is recorded.")
    return case


def _report_place_words(intake: Intake) -> str:
    report = intake.report
    if report is None:
        return ""
    if report.where == "other" and report.place:
        return PlaceInput.from_data(report.place).full_address or "Somewhere else"
    return dict(_report_choices(intake)["places"]).get(report.where, "Not known")


def _reporter_words(intake: Intake) -> str:
    report = intake.report
    if report is None:
        return ""
    if report.reported_by == "other":
        return report.reporter_name
    return dict(_report_choices(intake)["reporters"]).get(report.reported_by, "")


def step_url(draft: IntakeDraft, step: str) -> str:
    return reverse(f"intake_{step}", args=[draft.pk]) + "?return=check"


# --- suggestions while typing (JavaScript) ------------------------------------------------------


@login_required
@require_POST
def person_suggest(request: HttpRequest) -> HttpResponse:
    """The suggestions list for what is typed so far (the page's script asks as the officer
    types). Sent by POST so names stay out of addresses and logs."""
    _writer(request)
    prefix = request.POST.get("prefix", "person")
    form = PersonForm(request.POST, prefix=prefix, who="this person")
    form.is_valid()
    home = PlaceForm(request.POST, prefix="home", what="the home")
    suggestions: list[Suggestion] = []
    if not form.has_error("full_name") and len(form.cleaned_data.get("full_name") or "") >= 3:
        suggestions = _suggestions(request, form, home if home.is_valid() else None)
    chosen = request.POST.get(f"{prefix}-record", "")
    context = {"suggestions": suggestions, "searched": True, "prefix": prefix, "chosen": chosen}
    return render(request, "intake/includes/suggestions.html", context)
