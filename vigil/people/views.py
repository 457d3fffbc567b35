from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from vigil.audit.services import audit_read
from vigil.cases.access import cases_for_user, get_person_for_user, persons_for_user
from vigil.core.forms import add_service_errors
from vigil.core.roles import for_roles
from vigil.people.forms import LinkDecisionForm
from vigil.people.link_review import DECISIONS, decisions_open_to, get_link_for_user, may_review, may_split, review_queue
from vigil.people.models import PersonLink
from vigil.people.selectors import evidence_list, person_profile, record_view

PER_PAGE = 20
# A link's status does not change who may try these: a refused status is a form error (the
# link was decided meanwhile), a refused role is a 404 like any other page out of reach.
SUPERVISOR_DECISIONS = ("split", "relink")

DONE_MESSAGES = {
    "confirm": "The two records are confirmed as the same person. The policy has been applied again.",
    "reject": "The two records are recorded as different people.",
    "split": "The link is split: the two records are no longer treated as the same person. The policy has been applied again.",
    "relink": "The two records are linked again. The policy has been applied again.",
}


@login_required
@require_GET
def person_detail(request: HttpRequest, pk: int) -> HttpResponse:
    person = get_person_for_user(request.user, pk)  # audits the read (person.view)
    context = {
        "person": person,
        "may_review": may_review(request.user),
        "page_title": person.full_name,
        **person_profile(request.user, person),
    }
    return render(request, "people/person_detail.html", context)


@login_required
@require_GET
@for_roles("person_link_queue")
def link_queue(request: HttpRequest) -> HttpResponse:
    if not may_review(request.user):
        raise Http404("No such page")
    queue = review_queue(request.user)
    page = Paginator(queue, PER_PAGE).get_page(request.GET.get("page"))
    rows = [_pair_context(request.user, link) for link in page.object_list]
    # The queue names both people of every possible match shown: the read is audited.
    audit_read(
        request.user, "link.queue_view", object_type="people.personlink", object_id="queue",
        new={"links": [link.pk for link in page.object_list]},
    )  # fmt: skip
    return render(request, "people/link_queue.html", {"page": page, "rows": rows, "page_title": "Possible matches to review"})


@login_required
@require_GET
def link_detail(request: HttpRequest, pk: int) -> HttpResponse:
    link = get_link_for_user(request.user, pk)
    return render(request, "people/link_detail.html", _detail_context(request, link, LinkDecisionForm()))


def _decision_view(decision: str) -> Any:
    @login_required
    @require_POST
    def view(request: HttpRequest, pk: int) -> HttpResponse:
        link = get_link_for_user(request.user, pk, audit=False)
        if decision in SUPERVISOR_DECISIONS and not may_split(request.user):
            raise Http404("No such link")
        form = LinkDecisionForm(request.POST)
        if form.is_valid():
            try:
                DECISIONS[decision](actor=request.user, link=link, rationale=form.cleaned_data["rationale"])
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, DONE_MESSAGES[decision])
                return _back(request, link)
        link.refresh_from_db()
        return render(request, "people/link_detail.html", _detail_context(request, link, form), status=400)

    view.__name__ = f"link_{decision}"
    return view


link_confirm = _decision_view("confirm")
link_reject = _decision_view("reject")
link_split = _decision_view("split")
link_relink = _decision_view("relink")


def _safe_next(request: HttpRequest, target: str) -> str:
    """Where to go back to: a page of this site only."""
    ok = url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure())
    return target if target and ok else ""


def _back(request: HttpRequest, link: PersonLink) -> HttpResponse:
    target = _safe_next(request, request.POST.get("next", ""))
    return redirect(target) if target else redirect("person_link_detail", pk=link.pk)


def _pair_context(user: Any, link: PersonLink) -> dict[str, Any]:
    pair = (link.a_id, link.b_id)
    cases = list(cases_for_user(user).filter(Q(victim_id__in=pair) | Q(subject_id__in=pair)))
    visible = set(persons_for_user(user).filter(pk__in=pair).values_list("pk", flat=True))
    return {
        "link": link,
        "a": record_view(user, link.a, cases, visible),
        "b": record_view(user, link.b, cases, visible),
        "evidence": evidence_list(link.evidence),
    }


def _detail_context(request: HttpRequest, link: PersonLink, form: LinkDecisionForm) -> dict[str, Any]:
    return {
        **_pair_context(request.user, link),
        "form": form,
        "decisions": decisions_open_to(request.user, link),
        "next": _safe_next(request, request.POST.get("next") or request.GET.get("next", "")),
        "page_title": "Are these the same person?",
    }
