from django.contrib import admin

from partners.models import Agreement, Change, Institution


@admin.register(Institution)
class InstitutionAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "level", "province", "regency", "office", "parent"]
    list_filter = ["kind", "level", "province"]
    search_fields = ["name"]
    autocomplete_fields = ["parent", "regency", "office"]
    list_select_related = ["province", "regency", "office", "parent"]


class ChangeInline(admin.TabularInline):
    model = Change
    extra = 0
    can_delete = False
    fields = ["at", "action", "actor", "changes", "note"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Agreement)
class AgreementAdmin(admin.ModelAdmin):
    """Read-mostly: statuses change through the services (and so the history), not here."""

    list_display = [
        "title",
        "kind",
        "institution",
        "office",
        "status",
        "effective_from",
        "expires_on",
    ]
    list_filter = ["kind", "status", "office"]
    search_fields = ["title", "institution__name"]
    list_select_related = ["institution", "office"]
    autocomplete_fields = ["institution", "parent", "successor"]
    readonly_fields = ["status", "created_by", "created_at", "updated_at"]
    inlines = [ChangeInline]
