"""Every URL, for every role: who gets the page, who is sent to log in, who gets 403 or 404.

A URL added without a row here fails `test_every_url_has_a_row_in_the_matrix`. Objects outside a
user's scope answer 404, never 403, so their existence does not leak.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from partners.models import Institution

ROLES = [
    "anonymous",
    "national_admin",
    "kanwil_officer",
    "branch_officer",
    "manager",
    "banten_partner_admin",
    "serang_partner_admin",
    "maluku_partner_admin",
]
OFFICERS = {"national_admin", "kanwil_officer", "branch_officer"}
PARTNERS = {"banten_partner_admin", "serang_partner_admin", "maluku_partner_admin"}
SIGNED_IN = set(ROLES) - {"anonymous"}

LOGIN = "login"  # redirect to the login page
ADMIN_LOGIN = "admin-login"  # redirect to the admin's own login page
HOME = "home"  # redirect to the home page


@dataclass(frozen=True)
class Case:
    url_name: str
    expect: dict[str, int | str]
    institution: str | None = None  # the object the URL points at, by name
    args: tuple = ()
    method: str = "get"
    data: dict = field(default_factory=dict)

    def __str__(self) -> str:
        target = self.institution or "/".join(map(str, self.args))
        return f"{self.url_name}[{target}]" if target else self.url_name


def expect(default: int | str, **by_role: int | str) -> dict[str, int | str]:
    table = {role: default for role in SIGNED_IN}
    table["anonymous"] = LOGIN
    table.update(by_role)
    return table


def only(roles: set[str], allowed: int | str, otherwise: int | str) -> dict[str, int | str]:
    table = {role: (allowed if role in roles else otherwise) for role in SIGNED_IN}
    table["anonymous"] = LOGIN
    return table


SERANG_SCOPE = {
    "national_admin",
    "kanwil_officer",
    "branch_officer",
    "banten_partner_admin",
    "serang_partner_admin",
}
MALUKU_SCOPE = {"national_admin", "maluku_partner_admin"}

CASES = [
    Case("home", expect(200)),
    Case("login", expect(HOME, anonymous=200)),
    Case("logout", expect(LOGIN, anonymous=LOGIN), method="post"),
    Case("password_change", expect(200)),
    Case("password_change_done", expect(200)),
    Case("partners:institution_list", only(OFFICERS | PARTNERS, 200, 403)),
    Case(
        "partners:institution_detail",
        {**only(SERANG_SCOPE, 200, 404), "manager": 403},
        institution="Kantor Kemenag Kota Serang",
    ),
    Case(
        "partners:institution_detail",
        {**only(MALUKU_SCOPE, 200, 404), "manager": 403},
        institution="Kanwil Kemenag Provinsi Maluku",
    ),
    Case(
        "partners:institution_detail",
        {**only(set(), 200, 404), "manager": 403},
        args=(999_999_999,),
    ),
    Case("regions:province_list", expect(200)),
    Case("regions:province_detail", expect(200), args=("36",)),
    Case("regions:province_detail", expect(404), args=("99",)),
    Case("coverage:dashboard", expect(200)),
    Case("ops:status", only({"national_admin"}, 200, 403)),
    Case("healthz", {role: 200 for role in ROLES}),
    Case("set_language", {role: 302 for role in ROLES}, method="post", data={"language": "en"}),
    Case("admin:index", only({"national_admin"}, 200, ADMIN_LOGIN) | {"anonymous": ADMIN_LOGIN}),
]

# Django's admin has its own permission system (is_staff + model permissions); the matrix
# covers its entry point, and the lockout test covers its login.
EXEMPT_NAMESPACES = {"admin"}


def _named_urls(resolver: URLResolver, namespace: str = "") -> set[str]:
    names = set()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            names |= _named_urls(pattern, inner)
        elif isinstance(pattern, URLPattern):
            names.add(f"{namespace}{pattern.name or f'<unnamed {pattern.pattern}>'}")
    return names


def test_every_url_has_a_row_in_the_matrix():
    covered = {case.url_name for case in CASES}
    missing = {
        name
        for name in _named_urls(get_resolver())
        if name.split(":")[0] not in EXEMPT_NAMESPACES and name not in covered
    }
    assert not missing, f"add these URLs to the permission matrix: {sorted(missing)}"


def test_every_row_names_every_role():
    for case in CASES:
        assert set(case.expect) == set(ROLES), case


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("case", CASES, ids=str)
def test_permission_matrix(case: Case, role: str, client, request, reference_data):
    if role != "anonymous":
        client.force_login(request.getfixturevalue(role))
    args = case.args
    if case.institution:
        args = (Institution.objects.get(name=case.institution).pk,)
    url = reverse(case.url_name, args=args)
    response = getattr(client, case.method)(url, case.data)

    wanted = case.expect[role]
    if wanted == LOGIN:
        assert response.status_code == 302, (url, role, response.status_code)
        assert response.url.startswith(reverse("login")), response.url
    elif wanted == ADMIN_LOGIN:
        assert response.status_code == 302, (url, role, response.status_code)
        assert response.url.startswith(reverse("admin:login")), response.url
    elif wanted == HOME:
        assert response.status_code == 302, (url, role, response.status_code)
        assert response.url == reverse("home")
    else:
        assert response.status_code == wanted, (url, role, response.status_code)
