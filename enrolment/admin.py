from django.contrib import admin

from enrolment.models import ContributionRate, Program, WageCeiling, WorkerCategory


@admin.register(Program)
class ProgramAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "sort_order"]


@admin.register(WorkerCategory)
class WorkerCategoryAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "is_active", "sort_order"]
    list_editable = ["is_active", "sort_order"]


@admin.register(ContributionRate)
class ContributionRateAdmin(admin.ModelAdmin):
    list_display = [
        "program",
        "segment",
        "risk_class",
        "payer",
        "percent",
        "flat_amount",
        "valid_from",
        "valid_to",
        "legal_basis",
        "needs_verification",
    ]
    list_filter = ["program", "segment", "payer", "needs_verification"]


@admin.register(WageCeiling)
class WageCeilingAdmin(admin.ModelAdmin):
    list_display = [
        "program",
        "amount",
        "valid_from",
        "valid_to",
        "legal_basis",
        "needs_verification",
    ]
