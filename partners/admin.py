"""Partner records in the admin are for looking, not changing: every change goes through the
pages and their services, which write the history (who, when, before and after)."""

from django.contrib import admin

from partners.models import (
    Agreement,
    AgreementEvent,
    Change,
    Contact,
    FollowUp,
    Institution,
    Party,
    Signatory,
    Target,
)


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ContactInline(ReadOnlyInline):
    model = Contact


class InstitutionChangeInline(ReadOnlyInline):
    model = Change
    fk_name = "institution"
    fields = ["at", "actor", "action", "changes"]


@admin.register(Institution)
class InstitutionAdmin(ReadOnlyAdmin):
    list_display = ["name", "kind", "level", "province", "regency", "office", "parent"]
    list_filter = ["kind", "level", "province"]
    search_fields = ["name", "npwp"]
    list_select_related = ["province", "regency", "office", "parent"]
    inlines = [ContactInline, InstitutionChangeInline]


class PartyInline(ReadOnlyInline):
    model = Party


class SignatoryInline(ReadOnlyInline):
    model = Signatory


class TargetInline(ReadOnlyInline):
    model = Target


class FollowUpInline(ReadOnlyInline):
    model = FollowUp
    fields = ["action", "person_in_charge", "due_on", "status", "done_on"]


class EventInline(ReadOnlyInline):
    model = AgreementEvent


class AgreementChangeInline(ReadOnlyInline):
    model = Change
    fk_name = "agreement"
    fields = ["at", "actor", "action", "subject", "changes", "note"]


@admin.register(Agreement)
class AgreementAdmin(ReadOnlyAdmin):
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
    search_fields = ["title", "institution__name", "parties__document_number"]
    list_select_related = ["institution", "office"]
    inlines = [
        PartyInline,
        SignatoryInline,
        TargetInline,
        FollowUpInline,
        EventInline,
        AgreementChangeInline,
    ]
