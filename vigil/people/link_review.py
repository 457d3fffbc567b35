"""Reviewing identity links: the queue of pairs between the thresholds, and the decisions on
them (confirm, reject, split, re-link).

Each decision is one transaction: the link's new status through `link_decide` (which writes
the audit row), then the live policy re-run for both records, so that R9 (one subject, two or
more victims) can fire when two records become one man, and is no longer fed by the pair once
a link is split. A link never merges rows.

Who may do what (docs/security.md):
- police roles (officer and above) see the queue and confirm or reject a pending pair when
  at least one of its records is on a case they may see (a superintendent: the force's);
- split and re-link are for a supervisor (sergeant) and above;
- a pair touching a restricted case the user is not named on is never shown to them.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from vigil.actions.live import policy_now, policy_reevaluate
from vigil.actions.reconcile import settle_serial_reviews
from vigil.audit.services import audit_record
from vigil.cases.access import cases_for_user, persons_for_user, restricted_q
from vigil.cases.models import Case
from vigil.core.access import WRITE_ROLES
from vigil.core.constants import LinkStatus, Role
from vigil.people.linking import link_decide
from vigil.people.models import Person, PersonLink

SPLIT_ROLES = {Role.SUPERVISOR, Role.INSPECTOR, Role.SUPERINTENDENT}
PENDING = (LinkStatus.REVIEW,)
ACTIVE = (LinkStatus.AUTO, LinkStatus.CONFIRMED)
UNLINKED = (LinkStatus.SPLIT, LinkStatus.REJECTED)


def _active(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active)


def may_review(user: Any) -> bool:
    return _active(user) and user.role in WRITE_ROLES


def may_split(user: Any) -> bool:
    """Splitting a link, or re-linking a pair that was split or rejected: a sergeant and above."""
    return _active(user) and user.role in SPLIT_ROLES


def hidden_persons(user: Any) -> QuerySet[Person]:
    """Records this user must not learn about even through a link: people on restricted cases
    they are not named on, and police staff they cannot otherwise see."""
    hidden_cases = Case.objects.filter(restricted_q()).exclude(pk__in=cases_for_user(user).values("pk"))
    on_hidden = Q(cases_as_victim__in=hidden_cases) | Q(cases_as_subject__in=hidden_cases)
    staff = Q(is_police_staff=True) & ~Q(pk__in=persons_for_user(user).values("pk"))
    return Person.objects.filter(on_hidden | staff)


def links_for_user(user: Any) -> QuerySet[PersonLink]:
    """Every link (any status) this user may look at and decide on: police roles only, at
    least one record visible to them (a superintendent: any), no record hidden from them."""
    if not may_review(user):
        return PersonLink.objects.none()
    qs = PersonLink.objects.all()
    if user.role != Role.SUPERINTENDENT:
        visible = persons_for_user(user).values("pk")
        qs = qs.filter(Q(a_id__in=visible) | Q(b_id__in=visible))
    hidden = hidden_persons(user).values("pk")
    return qs.exclude(a_id__in=hidden).exclude(b_id__in=hidden)


def review_queue(user: Any) -> QuerySet[PersonLink]:
    """Pairs waiting for a person's decision: the likeliest first, then the longest waiting."""
    return (
        links_for_user(user)
        .filter(status__in=PENDING)
        .select_related("a", "b", "a__home", "b__home")
        .prefetch_related("a__aliases", "b__aliases")
        .order_by("-score", "created_at", "pk")
    )


def get_link_for_user(user: Any, pk: int | str, *, audit: bool = True) -> PersonLink:
    """One link, or 404. Viewing it shows two person records, so the read is audited."""
    try:
        link_pk = int(pk)
    except (TypeError, ValueError):
        raise Http404("No such link") from None
    link = (
        links_for_user(user)
        .select_related("a", "b", "a__home", "b__home", "decided_by")
        .prefetch_related("a__aliases", "b__aliases")
        .filter(pk=link_pk)
        .first()
    )
    if link is None:
        raise Http404("No such link")
    if audit:
        with transaction.atomic():
            audit_record(actor=user, action="person_link.view", obj=link)
    return link


# --- decisions ---------------------------------------------------------------------------------


def _day(moment: Any) -> str:
    return f"{moment.day} {moment:%B %Y}"


DECIDED_AS: dict[str, str] = {LinkStatus.SPLIT: "split", LinkStatus.REJECTED: "kept apart", LinkStatus.CONFIRMED: "linked"}


def _decide(*, actor: Any, link: PersonLink, status: str, rationale: str, allowed_from: tuple[str, ...]) -> PersonLink:
    if not rationale.strip():
        raise ValidationError({"rationale": "Give the reason for this decision"})
    with transaction.atomic():
        # Lock the row and read its status afresh: two reviewers must not both decide it.
        current = PersonLink.objects.select_for_update().get(pk=link.pk)
        if current.status not in allowed_from:
            raise ValidationError(
                f"This link is now “{current.get_status_display().lower()}”; reload the page to see the latest decision"
            )
        decided = link_decide(actor=actor, link=current, status=status, rationale=rationale)
        # Both records: after a split the two are no longer in one identity group.
        policy_reevaluate(person_ids={decided.a_id, decided.b_id})
        settle_serial_reviews(
            {decided.a_id, decided.b_id},
            until=policy_now(),
            # The decision's rationale stays on the link's own page, which only reviewers see.
            why=f"the records were {DECIDED_AS.get(status, status)} by a supervisor or reviewer on {_day(timezone.localtime())}",
        )
    return decided


def link_confirm(*, actor: Any, link: PersonLink, rationale: str) -> PersonLink:
    """A person says the pending pair is one human: the records are linked (never merged)."""
    return _decide(actor=actor, link=link, status=LinkStatus.CONFIRMED, rationale=rationale, allowed_from=PENDING)


def link_reject(*, actor: Any, link: PersonLink, rationale: str) -> PersonLink:
    """A person says the pending pair is two different people."""
    return _decide(actor=actor, link=link, status=LinkStatus.REJECTED, rationale=rationale, allowed_from=PENDING)


def link_split(*, actor: Any, link: PersonLink, rationale: str) -> PersonLink:
    """A supervisor undoes an automatic or confirmed link."""
    if not may_split(actor):
        raise ValidationError("Only a supervisor (sergeant) or above may split a link")
    return _decide(actor=actor, link=link, status=LinkStatus.SPLIT, rationale=rationale, allowed_from=ACTIVE)


def link_relink(*, actor: Any, link: PersonLink, rationale: str) -> PersonLink:
    """A supervisor links again a pair that was split or rejected."""
    if not may_split(actor):
        raise ValidationError("Only a supervisor (sergeant) or above may link a pair again")
    return _decide(actor=actor, link=link, status=LinkStatus.CONFIRMED, rationale=rationale, allowed_from=UNLINKED)


DECISIONS = {
    "confirm": link_confirm,
    "reject": link_reject,
    "split": link_split,
    "relink": link_relink,
}


def decisions_open_to(user: Any, link: PersonLink) -> list[str]:
    """Which decisions the page offers this user for this link, in its present status."""
    if not may_review(user):
        return []
    if link.status in PENDING:
        return ["confirm", "reject"]
    if may_split(user) and link.status in ACTIVE:
        return ["split"]
    if may_split(user) and link.status in UNLINKED:
        return ["relink"]
    return []
