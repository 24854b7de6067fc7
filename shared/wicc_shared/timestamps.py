"""Times sent by clients: with an offset, stored in UTC, and plausible.

A year-1 `as_of` once became PostgreSQL's `-infinity` and broke a bed for good, and an
offset that pushes a time past year 1 or 9999 overflowed into a 500. Every time a client
sends (bodies, query parameters, CSV cells) is therefore an aware datetime between
`EARLIEST` and `LATEST`, converted to UTC. Writes also refuse times too far in the future
(`max_clock_skew_seconds`), which needs the request's clock and so is checked by the
service.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from pydantic import AfterValidator, AwareDatetime

EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)
LATEST = datetime(2100, 1, 1, tzinfo=UTC)


def plausible(value: datetime) -> datetime:
    """`value` in UTC; ValueError (a 422 naming the field) when outside the range."""
    # Checked on the year first: converting a time near year 1 or 9999 can overflow.
    if not EARLIEST.year - 1 <= value.year <= LATEST.year:
        raise ValueError(_OUT_OF_RANGE)
    utc = value.astimezone(UTC)
    if not EARLIEST <= utc < LATEST:
        raise ValueError(_OUT_OF_RANGE)
    return utc


_OUT_OF_RANGE = (
    f"must be between {EARLIEST.date().isoformat()} and {LATEST.date().isoformat()} (UTC)"
)

ClientTime = Annotated[AwareDatetime, AfterValidator(plausible)]
