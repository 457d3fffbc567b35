"""The schools directory and key adults are kept by the administrator here (GIAS loads come
from `vigil schools load`). Every change is audited; nothing is deleted: a key adult who
leaves is made inactive."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db import transaction
from django.http import HttpRequest

from vigil.audit.services import audit_record, model_values
from vigil.partners.admin import AuditedAdmin
from vigil.schools.models import KeyAdult, School


class KeyAdultInline(admin.TabularInline):  # type: ignore[type-arg]
    model = KeyAdult
    extra = 1
    fields = ("name", "email", "phone", "active", "since")
    can_delete = False


@admin.register(School)
class SchoolAdmin(AuditedAdmin):
    list_display = ("name", "urn", "postcode", "phase", "status", "key_adult")
    list_filter = ("open", "phase")
    search_fields = ("name", "urn", "postcode")
    readonly_fields = ("urn", "name", "postcode", "phase", "status", "open", "local_authority", "updated_at")
    inlines = [KeyAdultInline]

    @admin.display(description="Key adult")
    def key_adult(self, obj: School) -> str:
        adult = obj.key_adults.filter(active=True).first()
        return str(adult.name) if adult else "None: notices cannot be sent"

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        with transaction.atomic():
            instances = formset.save(commit=False)
            for obj in instances:
                adding = obj.pk is None
                old = None if adding else model_values(KeyAdult.objects.get(pk=obj.pk))
                obj.save()
                audit_record(
                    actor=request.user,
                    action=f"schools.keyadult.{'add' if adding else 'change'}",
                    obj=obj,
                    old=old,
                    new=model_values(obj),
                )
            formset.save_m2m()
