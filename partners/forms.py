"""Forms for partner records: shape only. Rules live in the models' constraints and the services."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

# --- Institutions -----------------------------------------------------------------------------

# --- Agreements -------------------------------------------------------------------------------
