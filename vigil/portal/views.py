"""Portal pages: the public help directory and the report flow (no sign-in, no cookies until
a report is in progress), and the officer's pages for reporting access and portal reports.

Public pages send `Cache-Control: no-store` and `Referrer-Policy: same-origin`. The report
flow keeps the access in the session, and protects its forms with a token kept in that
session, so the portal sets no cookie but the session (not Django's CSRF cookie)."""

from __future__ import annotations

import datetime as dt
import functools
import hmac
import logging
import secrets
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from vigil.audit.services import audit_record
from vigil.cases.access import get_rw_case_for_user
from vigil.core.forms import add_service_errors
from vigil.core.roles import for_roles
from vigil.core.text import search_text
from vigil.portal import selectors, throttle
from vigil.portal.constants import AccessMethod, AccessState, SubmissionKind, SubmissionStatus
from vigil.portal.forms import (
    DANGER,
    KIND_HINTS,
    REPORTER_KINDS,
    IssueAccessForm,
    ReportForm,
    SignInForm,
    WithdrawAccessForm,
)
from vigil.portal.models import ReportingAccess
from vigil.portal.services import (
    AccessRefused,
    access_state,
    family_member_add,
    normalise_reference,
    portal_submission_process,
    portal_submission_receive,
    reporting_access_for_link,
    reporting_access_issue,
    reporting_access_open_link,
    reporting_access_sign_in,
    reporting_access_withdraw,
)

log = logging.getLogger(__name__)

SESSION_ACCESS = "portal_access_id"
SESSION_TOKEN = "portal_form_token"  # noqa: S105 (a session key, not a secret)
SESSION_RECEIPT = "portal_receipt"

ASK_OFFICER = "Ask the officer who gave it to you for a new one, or call 999 if you are in danger now."
REFUSALS = {
    "mismatch": "The reference or PIN is not right. Check them and try again. " + DANGER,
    AccessState.EXPIRED: "The PIN has expired. " + ASK_OFFICER,
    AccessState.WITHDRAWN: "This PIN has been cancelled. " + ASK_OFFICER,
    AccessState.USED: "This PIN has already been used to send a report. " + ASK_OFFICER,
    AccessState.LOCKED: (
        "The PIN was typed wrongly too many times, so we have locked it to keep your report safe. " + ASK_OFFICER
    ),
}
LINK_REFUSALS = {
    "mismatch": "This link does not work. Check you copied all of it. " + ASK_OFFICER.replace("one", "link"),
    AccessState.EXPIRED: "This link has expired. " + ASK_OFFICER.replace("one", "link"),
    AccessState.WITHDRAWN: "This link has been cancelled. " + ASK_OFFICER.replace("one", "link"),
    AccessState.USED: "This link has already been used to send a report. " + ASK_OFFICER.replace("one", "link"),
    AccessState.LOCKED: "This link has been locked. " + ASK_OFFICER.replace("one", "link"),
}
TOO_MANY = "You have tried too many times. Wait 15 minutes and try again. " + DANGER


def exit_url() -> str:
    return str(settings.VIGIL_PORTAL_EXIT_URL)


def portal_page(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """Headers for every public portal page: nothing cached, no referrer sent to another site
    (`same-origin`: the portal's own forms still carry their Origin, which `_same_origin` checks)."""

    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        response = view(request, *args, **kwargs)
        response["Cache-Control"] = "no-store, max-age=0"
        response["Pragma"] = "no-cache"
        response["Referrer-Policy"] = "same-origin"
        response["X-Robots-Tag"] = "noindex, nofollow"
        return response

    return csrf_exempt(wrapped)


def _render(request: HttpRequest, template: str, context: dict[str, Any], status: int = 200) -> HttpResponse:
    return render(request, template, {"exit_url": exit_url(), **context}, status=status)


def _errors(form: Any, anchors: dict[str, str] | None = None) -> list[tuple[str, str]]:
    """The error summary's rows: (message, the id of the field to jump to)."""
    anchors = anchors or {}
    rows = [(str(e), "") for e in form.non_field_errors()]
    for name, errs in form.errors.items():
        if name == "__all__":
            continue
        for error in errs:
            rows.append((str(error), anchors.get(name, f"id_{name}")))
    return rows


def _same_origin(request: HttpRequest) -> bool:
    """Refuse forms posted from another site. Sec-Fetch-Site decides when the browser sends it;
    otherwise Origin must be this site's, or absent (a client that is not a browser, which a
    forged cross-site form cannot use). `Origin: null` without Sec-Fetch-Site is refused: it
    is what a sandboxed frame or a `data:` page on another site sends. Our pages' own forms
    carry the real Origin, because their referrer policy is `same-origin`."""
    site = request.headers.get("Sec-Fetch-Site")
    if site is not None:
        return site in ("same-origin", "none")
    origin = request.headers.get("Origin")
    return origin is None or origin == f"{request.scheme}://{request.get_host()}"


def _token_ok(request: HttpRequest) -> bool:
    expected = request.session.get(SESSION_TOKEN, "")
    given = request.POST.get("portal_token", "")
    return bool(expected) and hmac.compare_digest(str(expected), given) and _same_origin(request)


def _begin(request: HttpRequest, access: ReportingAccess) -> None:
    request.session.cycle_key()
    request.session[SESSION_ACCESS] = access.pk
    request.session[SESSION_TOKEN] = secrets.token_urlsafe(32)
    request.session.pop(SESSION_RECEIPT, None)


def _refused(request: HttpRequest, message: str, status: int) -> HttpResponse:
    return _render(request, "portal/problem.html", {"page_title": "There is a problem", "message": message}, status=status)


# --- public pages ---------------------------------------------------------------------------


@portal_page
def help_page(request: HttpRequest) -> HttpResponse:
    # The search is sent as a form (POST), so what someone searched for ("stalking") is not
    # kept in the address bar or the browser's history, where another person could read it.
    # A search in the address (?q=) is still answered, for links from elsewhere.
    source = request.POST if request.method == "POST" and _same_origin(request) else request.GET
    q = search_text(source.get("q", ""), limit=100)
    helplines = list(selectors.helplines_search(q))
    return _render(request, "portal/help.html", {"page_title": "Get help", "q": q, "helplines": helplines})


@portal_page
def report_start(request: HttpRequest) -> HttpResponse:
    form = SignInForm(request.POST or None)
    status = 200
    if request.method == "POST":
        buckets = [throttle.address_bucket(request)]
        reference = normalise_reference(request.POST.get("reference", ""))
        if reference:
            buckets.append(throttle.bucket_for("ref", reference))
        if not _same_origin(request):
            form.add_error(None, "Something went wrong with the form. Please try again. " + DANGER)
            status = 400
        else:
            # Only a refused try counts towards the limit, and a right reference and PIN is let
            # in whatever the count: people sharing an address (a refuge, a mobile network)
            # must not lock out a victim. The PIN's own lock is what stops guessing.
            refusal = REFUSALS["mismatch"]
            if form.is_valid():
                try:
                    access = reporting_access_sign_in(reference=form.cleaned_data["reference"], pin=form.cleaned_data["pin"])
                except AccessRefused as refused:
                    refusal = REFUSALS.get(refused.reason, REFUSALS["mismatch"])
                else:
                    _begin(request, access)
                    return redirect("portal_report_form")
            if throttle.refused_try(*buckets):
                form.add_error(None, TOO_MANY)
                status = 429
            elif form.is_valid():
                form.add_error(None, refusal)
    context = {"page_title": "Tell us something", "form": form, "errors": _errors(form)}
    return _render(request, "portal/sign_in.html", context, status=status)


@portal_page
def report_link(request: HttpRequest, token: str) -> HttpResponse:
    bucket = throttle.address_bucket(request)
    try:
        if request.method == "POST":
            if not _same_origin(request):
                return _refused(request, "Something went wrong with the form. Please try again. " + DANGER, 400)
            access = reporting_access_open_link(token=token)
            _begin(request, access)
            return redirect("portal_report_form")
        reporting_access_for_link(token=token)
    except AccessRefused as refused:
        # Only a refused link counts towards the limit; a good link always opens.
        if throttle.refused_try(bucket):
            return _refused(request, TOO_MANY, 429)
        return _refused(
            request, LINK_REFUSALS.get(refused.reason, LINK_REFUSALS["mismatch"]), 404 if refused.reason == "mismatch" else 410
        )
    # Opening the link shows a button rather than using it up, so a link checker or preview
    # cannot spend it.
    return _render(request, "portal/link_start.html", {"page_title": "Tell us something"})


def _current_access(request: HttpRequest) -> ReportingAccess | None:
    pk = request.session.get(SESSION_ACCESS)
    return ReportingAccess.objects.filter(pk=pk).first() if pk else None


KIND_ANCHORS = {
    "kind": "id_kind_0",
    "channel": "id_channel_0",
    "seen_by": "id_seen_by_0",
    "day": "id_day",
    "place": "id_place_0",
}


@portal_page
def report_form(request: HttpRequest) -> HttpResponse:
    access = _current_access(request)
    if access is None:
        return redirect("portal_report_start")
    state = access_state(access)
    if state != AccessState.ACTIVE:
        request.session.pop(SESSION_ACCESS, None)
        refusals = LINK_REFUSALS if access.method == AccessMethod.LINK else REFUSALS
        return _refused(request, refusals[state], 410)
    places = selectors.reporter_places(access)
    choices = [(str(place.pk), words) for place, words in places]
    if request.method == "POST":
        form = ReportForm(request.POST, places=choices)
        if not _token_ok(request):
            form.is_valid()
            form.add_error(None, "Something went wrong with the form. Please check your answers and send it again. " + DANGER)
        elif form.is_valid():
            chosen = {str(place.pk): place for place, _ in places}.get(form.cleaned_data.get("place") or "")
            return _submit(request, access, {**form.cleaned_data, "known_place": chosen})
    else:
        form = ReportForm(initial=ReportForm.initial_now(), places=choices)
    context = {
        "page_title": "Tell us what happened",
        "form": form,
        "errors": _errors(form, KIND_ANCHORS),
        "kind_options": [(value, label, KIND_HINTS[SubmissionKind(value)]) for value, label in REPORTER_KINDS],
        "portal_token": request.session.get(SESSION_TOKEN, ""),
        "tile_url": settings.VIGIL_MAP_TILES_URL,
        "tile_attribution": settings.VIGIL_MAP_TILES_ATTRIBUTION,
        "map_centre": settings.VIGIL_MAP_CENTRE,
    }
    return _render(request, "portal/report_form.html", context, status=400 if form.errors else 200)


def _submit(request: HttpRequest, access: ReportingAccess, data: dict[str, Any]) -> HttpResponse:
    try:
        submission = portal_submission_receive(
            access=access,
            kind=data["kind"],
            happened_at=data["happened_at"],
            date_only=bool(data.get("date_only")),
            where=data.get("where") or "",
            known_place=data.get("known_place"),
            postcode=data.get("postcode") or "",
            lat=data.get("lat"),
            lon=data.get("lon"),
            channel=data.get("channel") or "",
            seen_by=data["seen_by"],
            seen_by_name=data.get("seen_by_name") or "",
            details=data.get("details") or "",
        )
    except AccessRefused as refused:
        request.session.pop(SESSION_ACCESS, None)
        return _refused(request, REFUSALS.get(refused.reason, REFUSALS["mismatch"]), 410)
    # The report is stored and committed. Whatever happens next, it is kept.
    request.session.pop(SESSION_ACCESS, None)
    request.session[SESSION_RECEIPT] = submission.reference
    submission = portal_submission_process(submission=submission)
    if submission.status == SubmissionStatus.FAILED:
        try:
            from vigil.portal.tasks import schedule_retry

            schedule_retry(submission)
        except Exception:
            log.exception("could not queue a retry of portal submission %s", submission.reference)
    return redirect("portal_report_sent")


@portal_page
def report_sent(request: HttpRequest) -> HttpResponse:
    receipt = request.session.get(SESSION_RECEIPT)
    if not receipt:
        return redirect("portal_report_start")
    return _render(
        request,
        "portal/receipt.html",
        {"page_title": "Your report has been sent", "receipt": receipt, "portal_token": request.session.get(SESSION_TOKEN, "")},
    )


@portal_page
@require_POST
def report_finish(request: HttpRequest) -> HttpResponse:
    if _token_ok(request):
        request.session.flush()
    return redirect("portal_help")


@portal_page
def report_exit(request: HttpRequest) -> HttpResponse:
    """ "Exit this page": end the report in progress (the access and the receipt go with the
    session, so typing the form's address afterwards does not reopen it), then go to the
    neutral site. JavaScript sends this as a beacon (POST) and leaves at once."""
    if _same_origin(request):
        if getattr(request.user, "is_authenticated", False):
            # A member of staff trying the portal: end the report, not their own sign-in.
            for key in (SESSION_ACCESS, SESSION_TOKEN, SESSION_RECEIPT):
                request.session.pop(key, None)
        else:
            request.session.flush()
    if request.method == "POST":
        return HttpResponse(status=204)
    return redirect(exit_url())


# --- officers' pages ----------------------------------------------------------------------


@login_required
def access_manage(request: HttpRequest, pk: int) -> HttpResponse:
    # The page names the victim's family and the accesses given: its view is audited.
    case = get_rw_case_for_user(request.user, pk, audit=request.method == "GET")
    form = IssueAccessForm(request.POST or None, people=selectors.reporter_choices(case))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            with transaction.atomic():
                if data["reporter"] == IssueAccessForm.NEW:
                    person = family_member_add(actor=request.user, case=case, full_name=data["new_name"])
                else:
                    person = case.victim if int(data["reporter"]) == case.victim_id else _family_member(case, data["reporter"])
                issued = reporting_access_issue(
                    actor=request.user,
                    case=case,
                    reporter_person=person,
                    expires_at=timezone.now() + dt.timedelta(days=data["days"]),
                    method=data["method"],
                    victim_consent=data["victim_consent"],
                )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            link = (
                request.build_absolute_uri(reverse("portal_report_link", args=[issued.link_token])) if issued.link_token else ""
            )
            context = {
                "case": case,
                "issued": issued,
                "link": link,
                "report_url": request.build_absolute_uri(reverse("portal_report_start")),
                "page_title": "Reporting access given",
            }
            return render(request, "portal/access_issued.html", context)
    context = {
        "case": case,
        "form": form,
        "errors": _errors(form, {"reporter": "id_reporter_0", "method": "id_method_0"}),
        "grants": [(a, access_state(a)) for a in selectors.access_for_case(case)],
        "page_title": "Reporting access",
    }
    return render(request, "portal/access_manage.html", context, status=400 if form.errors else 200)


def _family_member(case: Any, pk: str) -> Any:
    for value, _label in selectors.reporter_choices(case):
        if value == pk:
            from vigil.people.models import Person

            return Person.objects.get(pk=int(pk))
    raise ValidationError({"reporter": "Choose someone from the list"})


@login_required
def access_withdraw(request: HttpRequest, pk: int, access_pk: int) -> HttpResponse:
    case = get_rw_case_for_user(request.user, pk)
    access = selectors.access_for_case(case).filter(pk=access_pk).first()
    if access is None:
        raise Http404("No such access")
    form = WithdrawAccessForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            reporting_access_withdraw(actor=request.user, access=access, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            form.add_error(None, error.messages)
        else:
            messages.success(request, f"Reporting access {access.reference} was withdrawn. It can no longer be used.")
            return redirect("portal_access", pk=case.pk)
    context = {"case": case, "access": access, "form": form, "errors": _errors(form), "page_title": "Withdraw reporting access"}
    return render(request, "portal/access_withdraw.html", context, status=400 if form.errors else 200)


@login_required
@for_roles("portal_submissions")
def submission_list(request: HttpRequest) -> HttpResponse:
    waiting = (SubmissionStatus.FAILED, SubmissionStatus.NEEDS_OFFICER, SubmissionStatus.RECEIVED)
    submissions = selectors.submissions_for_user(request.user)
    shown = list(submissions.filter(status__in=waiting)[:200])
    # What a reporter wrote is personal and shown in full while it waits: each read is audited.
    with transaction.atomic():
        for submission in shown:
            audit_record(actor=request.user, action="portal.submission_view", obj=submission, case_id=submission.case_id)
    context = {
        "waiting": shown,
        "recent": list(submissions.filter(status=SubmissionStatus.RECORDED)[:50]),
        "page_title": "Reports from the portal",
    }
    return render(request, "portal/submission_list.html", context)


@login_required
@require_POST
def submission_retry(request: HttpRequest, pk: int) -> HttpResponse:
    submission = selectors.submissions_for_user(request.user).filter(pk=pk).first()
    if submission is None:
        raise Http404("No such report")
    case = get_rw_case_for_user(request.user, submission.case_id)
    submission = portal_submission_process(submission=submission)
    if submission.status == SubmissionStatus.RECORDED:
        messages.success(request, f"Portal report {submission.reference} was recorded.")
    else:
        messages.error(request, f"Portal report {submission.reference} could not be recorded: {submission.last_error}")
    return redirect("case_detail", pk=case.pk)
