"""Figures as the dashboards write them: 22,3 %, +1.204, and where a potential comes from."""

from __future__ import annotations

from django import template
from django.utils.formats import number_format

from coverage.charts import id_percent
from coverage.models import CoverageSnapshot

register = template.Library()
SOURCES = dict(CoverageSnapshot.Source.choices)


@register.simple_tag
def percent(value: float | None) -> str:
    return id_percent(value)


@register.simple_tag
def signed(value: int | None) -> str:
    if value is None:
        return "—"
    shown = number_format(abs(value), force_grouping=True)
    return f"+{shown}" if value > 0 else (f"−{shown}" if value < 0 else "0")


@register.simple_tag
def sources(values: set[str]) -> str:
    """“agreement target”, or several joined: where the potential comes from."""
    return ", ".join(str(SOURCES[value]) for value in sorted(values) if value in SOURCES)
