from django.contrib import admin

from audit.models import Event


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    """Read-only: the database refuses any change to the trail anyway."""

    list_display = ["at", "table_name", "row_id", "action", "actor", "roster_import", "ip"]
    list_filter = ["table_name", "action"]
    search_fields = ["=row_id", "=request_id"]
    show_full_result_count = False

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
