"""Reads for Clare's Law: the requests a person may see, and the listed checks.

Every request is loaded through `get_request_for_user` (404 unless its case is visible; the
read is audited). The checks read across the whole force, as the policy does, because the
question is the subject's past wherever it was recorded: but what they return about anyone
other than the subject is counted, never named (the subject's other victims, the people
his orders protect), as R9 does.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import asdict, dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from vigil.audit.services import audit_record
from vigil.cases.access import cases_for_user
from vigil.cases.models import Case, JusticeEvent, Report
from vigil.core import times
from vigil.core.access import WRITE_ROLES
from vigil.core.constants import HearingOutcome, JusticeEventKind, LinkStatus, ReportCategory
from vigil.disclosure.models import DisclosureRequest
from vigil.orders.access import orders_for_user
from vigil.orders.models import ProtectiveOrder
from vigil.people.linking import identity_groups, linked_ids
from vigil.people.models import Person, PersonLink
from vigil.warrants.models import Warrant


def requests_for_user(user: Any) -> QuerySet[DisclosureRequest]:
    """Requests on cases this person may see (lists; not audited)."""
    return DisclosureRequest.objects.filter(case__in=cases_for_user(user)).select_related(
        "case", "case__victim", "case__subject", "applicant"
    )


def get_request_for_user(user: Any, pk: int | str, *, write: bool = False, audit: bool = True) -> DisclosureRequest:
    """One request, if its case is visible to the user (and writable, for `write=True`).
    Anyone else gets a 404. Reading it is written to the audit trail."""
    try:
        request_pk = int(pk)
    except (TypeError, ValueError):
        raise Http404("No such request") from None
    if write and getattr(user, "role", None) not in WRITE_ROLES:
        raise Http404("No such request")
    found = requests_for_user(user).filter(pk=request_pk).first()
    if found is None:
        raise Http404("No such request")
    if audit:
        with transaction.atomic():
            audit_record(actor=user, action="disclosure.view", obj=found, case_id=found.case_id)
    return found


def open_requests(case: Case) -> QuerySet[DisclosureRequest]:
    return case.disclosure_requests.prefetch_related("decisions").select_related("applicant")


# --- the listed checks --------------------------------------------------------------------


@dataclass(frozen=True)
class LinkedRecord:
    name: str
    aliases: list[str]
    born: str
    this_record: bool


@dataclass(frozen=True)
class OtherVictims:
    """The subject's other victims, counted and never named."""

    people: int = 0
    reports: int = 0
    first: str = ""
    last: str = ""
    categories: list[tuple[str, int]] = field(default_factory=list)


@dataclass(frozen=True)
class OrderCheck:
    reference: str
    kind: str
    starts: str
    expires: str
    status: str
    protects: str  # "the person at risk" or "another person" (never a name)
    breaches: int


@dataclass(frozen=True)
class WarrantCheck:
    reference: str
    status: str
    issued: str
    reason: str


@dataclass(frozen=True)
class JusticeCheck:
    kind: str
    at: str
    detail: str


@dataclass(frozen=True)
class Checks:
    """What Vigil holds about the subject, for the decision. `as_json` is stored with it."""

    as_of: str
    linked: list[LinkedRecord]
    possible_matches: int
    reports_with_person_at_risk: int
    other_victims: OtherVictims
    orders: list[OrderCheck]
    warrants: list[WarrantCheck]
    justice: list[JusticeCheck]

    @property
    def anything_known(self) -> bool:
        return bool(
            len(self.linked) > 1
            or self.reports_with_person_at_risk
            or self.other_victims.people
            or self.orders
            or self.warrants
            or self.justice
        )

    def as_json(self) -> dict[str, Any]:
        return asdict(self)


def _day(moment: dt.datetime | None) -> str:
    return timezone.localtime(moment).strftime("%-d %b %Y") if moment else ""


def _distinct_people(ids: set[int]) -> int:
    """How many humans `ids` are, counting records linked as one person once."""
    if not ids:
        return 0
    representative = {pid: pid for pid in ids}
    for group in identity_groups(ids):
        first = min(group)
        for pid in group & ids:
            representative[pid] = first
    return len(set(representative.values()))


def disclosure_checks(request: DisclosureRequest, *, now: dt.datetime | None = None, user: Any = None) -> Checks:
    """The listed checks for a request: the subject's linked records, reports by other victims
    (counted), orders, warrants and the criminal justice record. Call with a request loaded
    through `get_request_for_user`; for a page, pass its `user`, so that the reference of an
    order on a case they may not see is left out (the decision's stored copy keeps it)."""
    now = now or times.now()
    readable = set(orders_for_user(user).values_list("pk", flat=True)) if user is not None else None
    case = request.case
    subject = case.subject
    if subject is None:
        return Checks(_day(now), [], 0, 0, OtherVictims(), [], [], [])
    subject_ids = linked_ids(subject)
    at_risk_ids = linked_ids(case.victim)

    records = Person.objects.filter(pk__in=subject_ids).prefetch_related("aliases").order_by("pk")
    linked = [LinkedRecord(p.full_name, [a.name for a in p.aliases.all()], p.born_display, p.pk == subject.pk) for p in records]
    waiting = PersonLink.objects.filter(status=LinkStatus.REVIEW).filter(Q(a_id__in=subject_ids) | Q(b_id__in=subject_ids))

    reports = Report.objects.filter(suspect_record_id__in=subject_ids).only("victim_record_id", "category", "reported_at")
    with_at_risk = [r for r in reports if r.victim_record_id in at_risk_ids]
    others = [r for r in reports if r.victim_record_id not in at_risk_ids]
    other_cases = Case.objects.filter(subject_id__in=subject_ids).exclude(victim_id__in=at_risk_ids)
    victim_ids = {r.victim_record_id for r in others} | set(other_cases.values_list("victim_id", flat=True))
    labels = dict(ReportCategory.choices)
    counts = Counter(labels.get(r.category, r.category) for r in others)
    moments = sorted(r.reported_at for r in others)
    other_victims = OtherVictims(
        people=_distinct_people(victim_ids),
        reports=len(others),
        first=_day(moments[0]) if moments else "",
        last=_day(moments[-1]) if moments else "",
        categories=sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])),
    )

    orders = []
    for order in (
        ProtectiveOrder.objects.filter(subject_id__in=subject_ids).prefetch_related("protected", "breaches").order_by("starts_at")
    ):
        protects_at_risk = any(p.pk in at_risk_ids for p in order.protected.all())
        orders.append(
            OrderCheck(
                # An order the reader may not see (another victim's, on a restricted case or
                # another team's) is described, never identified.
                reference=order.reference if readable is None or order.pk in readable else "An order on a case you cannot see",
                kind=order.get_order_type_display(),
                starts=_day(order.starts_at),
                expires=_day(order.expires_at) or "no expiry",
                status=order.status_now(now),
                protects="the person at risk" if protects_at_risk else "another person",
                breaches=order.breaches.count(),
            )
        )
    warrants = [
        WarrantCheck(w.reference, w.get_status_display(), _day(w.issued_at), w.reason)
        for w in Warrant.objects.filter(subject_id__in=subject_ids).order_by("issued_at")
    ]
    justice = []
    for j in JusticeEvent.objects.filter(subject_id__in=subject_ids).defer("summary").order_by("reported_at"):
        detail = j.offence if j.kind == JusticeEventKind.CHARGE else ""
        if j.kind == JusticeEventKind.COURT_HEARING:
            detail = HearingOutcome(j.outcome).label if j.outcome else ""
        justice.append(JusticeCheck(j.get_kind_display(), _day(j.at or j.reported_at), detail))
    return Checks(
        as_of=timezone.localtime(now).strftime("%-d %b %Y %H:%M"),
        linked=linked,
        possible_matches=waiting.count(),
        reports_with_person_at_risk=len(with_at_risk),
        other_victims=other_victims,
        orders=orders,
        warrants=warrants,
        justice=justice,
    )


def decision_action(request: DisclosureRequest) -> Any:
    """The request's `dvds_decision` action (its clock and ladder), if the policy made one."""
    from vigil.actions.models import Action
    from vigil.core.constants import ActionKind

    ref = request.engine_ref
    return (
        Action.objects.filter(case_id=request.case_id, kind=ActionKind.DVDS_DECISION)
        .filter(Q(key__endswith=f":{ref}") | Q(key__contains=f":{ref}#"))
        .order_by("created_at", "pk")
        .first()
    )
