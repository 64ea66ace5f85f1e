"""Each coverage test starts without dashboards kept from an earlier one: a page drawn for the
same data elsewhere would be served as drawn, without the context the assertions read."""

from __future__ import annotations

import pytest

from coverage.views import DRAWN, PASTS


@pytest.fixture(autouse=True)
def _no_dashboard_kept():
    DRAWN.clear()
    PASTS.clear()
    yield
    DRAWN.clear()
    PASTS.clear()
