"""Agencies and who acts for them are directory data: the administrator keeps them here, and
every change is audited."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db import transaction
from django.http import HttpRequest

from vigil.audit.services import audit_record, model_values
from vigil.partners.models import Agency, AgencyMember


class AuditedAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Saves and deletions in the admin write the audit trail in the same transaction."""

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        with transaction.atomic():
            old = model_values(type(obj).objects.get(pk=obj.pk)) if change and obj.pk else None
            super().save_model(request, obj, form, change)
            label = obj._meta.label_lower
            audit_record(
                actor=request.user, action=f"{label}.{'change' if change else 'add'}", obj=obj, old=old, new=model_values(obj)
            )

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        with transaction.atomic():
            audit_record(actor=request.user, action=f"{obj._meta.label_lower}.delete", obj=obj, old=model_values(obj))
            super().delete_model(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # deactivate instead: MARAC records point at agencies and people


@admin.register(Agency)
class AgencyAdmin(AuditedAdmin):
    list_display = ("name", "kind", "area", "active")
    list_filter = ("kind", "area", "active")
    search_fields = ("name",)


@admin.register(AgencyMember)
class AgencyMemberAdmin(AuditedAdmin):
    list_display = ("user", "agency", "lead")
    list_filter = ("agency", "lead")
    autocomplete_fields = ("user",)
