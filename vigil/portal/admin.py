"""The helpline directory is not case data: administrators edit it here, and every change is
audited. Reporting access and portal submissions are read-only, scoped by the access helpers."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db import models
from django.http import HttpRequest

from vigil.audit.admin_base import ReadOnlyAdmin
from vigil.portal.models import Helpline, PortalSubmission, ReportingAccess
from vigil.portal.services import helpline_save_audited


@admin.register(Helpline)
class HelplineAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("name", "phone", "opening_hours", "order", "active")
    list_editable = ("order", "active")
    search_fields = ("name", "for_whom", "notes")
    # A website typed without a scheme is read as https (Django 6's default, chosen now).
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    def save_model(self, request: HttpRequest, obj: Helpline, form: Any, change: bool) -> None:
        helpline_save_audited(actor=request.user, helpline=obj, created=not change)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Untick "active" instead: the directory's history is kept.
        return False


@admin.register(ReportingAccess)
class ReportingAccessAdmin(ReadOnlyAdmin):
    exclude = ("secret_hash", "link_digest")
    list_display = ("reference", "case", "method", "issued_at", "expires_at", "used_at", "withdrawn_at")


@admin.register(PortalSubmission)
class PortalSubmissionAdmin(ReadOnlyAdmin):
    list_display = ("reference", "case", "kind", "received_at", "status", "attempts")
    list_filter = ("status", "kind")
