"""Security headers on real pages: a Content Security Policy whose nonce changes with every
response and sits on every script tag, HSTS under HTTPS, nosniff, frame denial, referrer policy."""

from __future__ import annotations

import json
import re
from html import unescape
from pathlib import Path

import pytest
from django.urls import reverse

ROOT = Path(__file__).resolve().parents[2]
PAGES = [
    "home",
    "enrolment:worker_list",
    "enrolment:roster_upload",
    "partners:agreement_list",
    "account_security",
    "admin:index",
]
POLICY = {
    "default-src": ["'self'"],
    "style-src": ["'self'"],
    "img-src": ["'self'", "data:"],
    "frame-ancestors": ["'none'"],
    "form-action": ["'self'"],
    "base-uri": ["'self'"],
    "object-src": ["'none'"],
}
SCRIPT_TAG = re.compile(r"<script\b([^>]*)>", re.IGNORECASE)


def policy_of(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    directives = (part.split() for part in header.split(";") if part.strip())
    return {name: values for name, *values in directives}


def nonce_of(response) -> str:
    (nonce,) = [
        v[len("'nonce-") : -1] for v in policy_of(response)["script-src"] if v.startswith("'nonce-")
    ]
    return nonce


@pytest.fixture
def officer_client(client, kanwil_officer, national_admin):
    client.force_login(national_admin)  # staff too: the admin page is among the pages
    return client


@pytest.mark.parametrize("url_name", PAGES)
def test_every_page_sends_the_content_security_policy(officer_client, url_name):
    response = officer_client.get(reverse(url_name))
    assert response.status_code == 200

    policy = policy_of(response)

    for directive, values in POLICY.items():
        assert policy[directive] == values, directive
    # 'self' and, where the page has script tags of its own, this response's nonce
    assert policy["script-src"][0] == "'self'"
    assert all(value.startswith("'nonce-") for value in policy["script-src"][1:])
    assert "unsafe-inline" not in response["Content-Security-Policy"]
    assert "unsafe-eval" not in response["Content-Security-Policy"]


def test_the_sign_in_page_sends_the_policy_too(client):
    response = client.get(reverse("login"))

    assert policy_of(response)["default-src"] == ["'self'"]
    assert nonce_of(response)


def test_the_nonce_changes_with_every_response_and_is_on_every_script_tag(officer_client):
    first = officer_client.get(reverse("home"))
    second = officer_client.get(reverse("home"))

    assert nonce_of(first) != nonce_of(second)
    for response in (first, second):
        tags = SCRIPT_TAG.findall(response.content.decode())
        assert len(tags) >= 2  # Bootstrap and htmx
        for attributes in tags:
            assert f'nonce="{nonce_of(response)}"' in attributes, attributes


@pytest.mark.parametrize("url_name", ["home", "enrolment:worker_list", "account_security"])
def test_pages_have_no_inline_styles_handlers_or_scripts_the_policy_would_block(
    officer_client, url_name
):
    page = officer_client.get(reverse(url_name)).content.decode()

    assert not re.search(r"\sstyle\s*=", page, re.IGNORECASE)
    assert not re.search(r"<style\b", page, re.IGNORECASE)
    assert not re.search(r"\son[a-z]+\s*=", page, re.IGNORECASE)
    assert "javascript:" not in page


def test_htmx_injects_no_styles_and_evaluates_nothing(officer_client):
    page = officer_client.get(reverse("home")).content.decode()

    meta = re.search(r"<meta name=\"htmx-config\" content='([^']+)'>", page)
    config = json.loads(unescape(meta.group(1)))
    assert config == {"includeIndicatorStyles": False, "allowEval": False, "allowScriptTags": False}


def test_no_template_holds_inline_styles_handlers_or_scripts():
    """What the policy would block, found before a browser does: every template of the project."""
    templates = [*ROOT.glob("templates/**/*.html"), *ROOT.glob("*/templates/**/*.html")]
    assert templates
    blocked = {
        "style attribute": re.compile(r"\sstyle\s*=", re.IGNORECASE),
        "<style> element": re.compile(r"<style\b", re.IGNORECASE),
        "event handler attribute": re.compile(r"\son[a-z]+\s*=", re.IGNORECASE),
        "hx-on (needs eval)": re.compile(r"\bhx-on\b"),
        "javascript: URL": re.compile(r"javascript:", re.IGNORECASE),
        "inline script": re.compile(r"<script\b(?![^>]*\bsrc=)", re.IGNORECASE),
    }
    found = [
        f"{path.relative_to(ROOT)}: {what}"
        for path in templates
        for what, pattern in blocked.items()
        if pattern.search(path.read_text())
    ]
    assert not found, found


@pytest.mark.parametrize("url_name", ["login", "home", "enrolment:worker_list"])
def test_pages_forbid_sniffing_framing_and_cross_site_referrers(officer_client, url_name):
    response = officer_client.get(reverse(url_name))

    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "strict-origin-when-cross-origin"


def test_with_https_on_pages_carry_hsts_for_a_year_with_subdomains(client, settings):
    # What DJANGO_HTTPS=true (the production default) sets in config/settings.py.
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    settings.SECURE_HSTS_PRELOAD = True
    settings.SECURE_SSL_REDIRECT = True

    plain = client.get(reverse("login"))
    secure = client.get(reverse("login"), secure=True)

    assert plain.status_code == 301 and plain.url.startswith("https://")
    assert secure["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    assert secure["Content-Security-Policy"]
