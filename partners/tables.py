"""List tables (django-tables2): sortable columns over the selectors' querysets."""

from __future__ import annotations

import django_tables2 as tables
from django.utils.translation import gettext_lazy as _

# --- Institutions -----------------------------------------------------------------------------

# --- Agreements -------------------------------------------------------------------------------
