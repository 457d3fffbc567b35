from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from vigil.core.models import Area, Team, User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ("username", "first_name", "last_name", "role", "team", "is_active")
    list_filter = ("role", "team", "is_active")
    fieldsets = (*BaseUserAdmin.fieldsets, ("Vigil", {"fields": ("role", "team", "organisation", "is_police_staff_record")}))  # type: ignore[misc]


admin.site.register(Area)
admin.site.register(Team)
