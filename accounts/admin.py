from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from accounts.models import RoleAssignment, SecondFactorEvent, User


class RoleAssignmentInline(admin.TabularInline):
    model = RoleAssignment
    fk_name = "user"
    extra = 0
    fields = ["role", "office", "institution"]
    autocomplete_fields = ["office", "institution"]


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    fieldsets = DjangoUserAdmin.fieldsets + (("Sinergi", {"fields": ("full_name", "position")}),)
    list_display = ["username", "full_name", "email", "is_active", "is_staff", "last_login"]
    search_fields = ["username", "full_name", "email"]
    inlines = [RoleAssignmentInline]


@admin.register(SecondFactorEvent)
class SecondFactorEventAdmin(admin.ModelAdmin):
    """Who set up, renewed or reset whose second factor: a record, read only."""

    list_display = ["at", "user", "action", "by", "reason", "ip"]
    list_filter = ["action"]
    search_fields = ["user__username", "by__username"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
