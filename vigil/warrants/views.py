from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from vigil.core import times
from vigil.core.filters import selected_filters
from vigil.core.roles import for_roles
from vigil.warrants.forms import WarrantFilterForm
from vigil.warrants.selectors import PROXIMITY_METRES, warrant_board

PER_PAGE = 25


@login_required
@require_GET
@for_roles("warrant_board")
def warrant_board_view(request: HttpRequest) -> HttpResponse:
    now = times.now()
    form = WarrantFilterForm(request.GET, proximity_m=int(PROXIMITY_METRES))
    form.is_valid()  # a value that is not valid is left out, not fatal
    all_rows = warrant_board(request.user, now=now)
    rows = [row for row in all_rows if form.keep(row)]
    page = Paginator(rows, PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "total": len(rows),
        "unfiltered": len(all_rows),
        "filter_form": form,
        "selected": selected_filters(form, request.GET),
        "filter_action": reverse("warrant_board"),
        "now": now,
        "proximity_m": int(PROXIMITY_METRES),
        "page_title": "Warrant board",
    }
    return render(request, "warrants/board.html", context)
