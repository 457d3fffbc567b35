from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.db import transaction
from django.http import HttpRequest

from vigil.audit.services import audit_record, model_values
from vigil.core.models import Area, Team, User

# What the trail keeps of a user: who they are and what they may do, never the password hash.
USER_AUDITED_FIELDS = [
    "username", "first_name", "last_name", "email", "role", "team", "organisation",
    "is_police_staff_record", "is_active", "is_staff", "is_superuser",
]  # fmt: skip


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ("username", "first_name", "last_name", "role", "team", "is_active")
    list_filter = ("role", "team", "is_active")
    fieldsets = (*BaseUserAdmin.fieldsets, ("Vigil", {"fields": ("role", "team", "organisation", "is_police_staff_record")}))  # type: ignore[misc]

    def save_model(self, request: HttpRequest, obj: User, form: Any, change: bool) -> None:
        """A change of role, team or rights decides what someone may see: it goes into the
        audit trail (old and new values), in the same transaction as the change itself."""
        before = model_values(User.objects.get(pk=obj.pk), USER_AUDITED_FIELDS) if change and obj.pk else {}
        with transaction.atomic():
            super().save_model(request, obj, form, change)
            after = model_values(obj, USER_AUDITED_FIELDS)
            changed = {name: value for name, value in after.items() if before.get(name) != value} if change else after
            password = "password" in getattr(form, "changed_data", [])
            if changed or password or not change:
                audit_record(
                    actor=request.user,
                    action="user.change" if change else "user.create",
                    obj=obj,
                    old={name: before.get(name) for name in changed} if change else None,
                    new={**changed, **({"password": "changed"} if password else {})},
                )

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        before = sorted(form.instance.groups.values_list("name", flat=True)) if form.instance.pk else []
        with transaction.atomic():
            super().save_related(request, form, formsets, change)
            after = sorted(form.instance.groups.values_list("name", flat=True))
            if after != before:
                audit_record(
                    actor=request.user, action="user.groups", obj=form.instance, old={"groups": before}, new={"groups": after}
                )


admin.site.register(Area)
admin.site.register(Team)
