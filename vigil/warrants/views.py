from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from vigil.warrants.selectors import PROXIMITY_METRES, warrant_board

PER_PAGE = 25


@login_required
@require_GET
def warrant_board_view(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    rows = warrant_board(request.user, now=now)
    page = Paginator(rows, PER_PAGE).get_page(request.GET.get("page"))
    context = {"page": page, "total": len(rows), "now": now, "proximity_m": int(PROXIMITY_METRES), "page_title": "Warrant board"}
    return render(request, "warrants/board.html", context)
