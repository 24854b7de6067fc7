"""Fixtures shared by the capacity tests."""

from __future__ import annotations

import pytest

from tests.builders.sitreps import MORNING
from tests.support import Wicc, set_clock


@pytest.fixture
async def morning(wicc: Wicc) -> Wicc:
    """The system at 09:00 on TODAY (before the 11:00 deadline)."""
    set_clock(wicc, MORNING)
    return wicc
