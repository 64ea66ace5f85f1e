from accounts.demo import demo_seed
from accounts.models import RoleAssignment, User
from partners.models import Institution


def test_demo_data_has_one_login_per_role_and_two_partner_institutions(reference_data):
    roles = set(RoleAssignment.objects.values_list("role", flat=True))
    assert roles == {"national_admin", "regional_officer", "partner_admin", "manager"}
    partner_institutions = RoleAssignment.objects.filter(role="partner_admin").values("institution")
    assert partner_institutions.distinct().count() >= 2


def test_seeding_the_demo_again_changes_nothing(reference_data):
    before = (User.objects.count(), Institution.objects.count(), RoleAssignment.objects.count())
    password_hash = User.objects.get(username="admin").password
    demo_seed()
    after = (User.objects.count(), Institution.objects.count(), RoleAssignment.objects.count())
    assert before == after
    assert User.objects.get(username="admin").password == password_hash
