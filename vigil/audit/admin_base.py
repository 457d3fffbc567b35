"""Admin pages for case records are read-only: every change goes through a service, so it
is validated, audited and seen by the policy. Viewing a record in the admin is audited too,
and so is every list (which rows it showed), and the admin shows only the rows the access
helpers let this user see (one door)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse

from vigil.audit.services import audit_record
from vigil.core.access import visible_queryset


class ReadOnlyAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        return visible_queryset(request.user, self.model, super().get_queryset(request))

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def changelist_view(self, request: HttpRequest, extra_context: Any = None) -> HttpResponse:
        response = super().changelist_view(request, extra_context)
        context = getattr(response, "context_data", None) or {}
        changelist = context.get("cl")
        ids = [str(obj.pk) for obj in changelist.result_list] if changelist is not None else []
        with transaction.atomic():
            audit_record(
                actor=request.user, action="admin.list", object_type=self.model._meta.label_lower, object_id="list",
                new={"shown": ids, "query": request.GET.urlencode()[:500]},
            )  # fmt: skip
        return response

    def change_view(self, request: HttpRequest, object_id: str, form_url: str = "", extra_context: Any = None) -> HttpResponse:
        with transaction.atomic():
            audit_record(actor=request.user, action="admin.view", object_type=self.model._meta.label_lower, object_id=object_id)
        return super().change_view(request, object_id, form_url, extra_context)


def register_read_only(*models: Any) -> None:
    for model in models:
        admin.site.register(model, ReadOnlyAdmin)
