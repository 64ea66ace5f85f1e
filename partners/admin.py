from django.contrib import admin

from partners.models import Institution


@admin.register(Institution)
class InstitutionAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "level", "province", "regency", "office", "parent"]
    list_filter = ["kind", "level", "province"]
    search_fields = ["name"]
    autocomplete_fields = ["parent", "regency", "office"]
    list_select_related = ["province", "regency", "office", "parent"]
