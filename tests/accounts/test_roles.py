import pytest
from django.db import IntegrityError

from accounts.models import Role, RoleAssignment


def test_capabilities_follow_the_role(
    national_admin, kanwil_officer, manager, serang_partner_admin
):
    assert national_admin.is_national_admin and national_admin.sees_personal_data
    assert kanwil_officer.can_manage_partners and kanwil_officer.can_upload_rosters
    assert not manager.can_manage_partners and not manager.sees_personal_data
    assert manager.can_view_dashboards
    assert serang_partner_admin.can_upload_rosters and not serang_partner_admin.can_manage_partners


def test_a_partner_admin_assignment_without_an_institution_is_refused_by_the_database(
    user_without_role,
):
    with pytest.raises(IntegrityError):
        RoleAssignment.objects.create(user=user_without_role, role=Role.PARTNER_ADMIN)


def test_a_regional_officer_assignment_needs_an_office(user_without_role):
    with pytest.raises(IntegrityError):
        RoleAssignment.objects.create(user=user_without_role, role=Role.REGIONAL_OFFICER)


def test_the_same_role_cannot_be_assigned_twice(national_admin):
    with pytest.raises(IntegrityError):
        RoleAssignment.objects.create(user=national_admin, role=Role.NATIONAL_ADMIN)
