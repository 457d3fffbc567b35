"""Messages are a record: the administrator reads them (who, which template, delivered or
failed, the last error), never edits them. The body is not shown: a school notice names a child."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from vigil.notifications.models import Message


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("created_at", "template", "to_address", "user", "priority", "status", "attempts", "sent_at")
    list_filter = ("status", "template", "priority")
    search_fields = ("to_address", "subject")
    exclude = ("body",)
    readonly_fields = tuple(f.name for f in Message._meta.fields if f.name != "body")

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return request.method in ("GET", "HEAD")

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
