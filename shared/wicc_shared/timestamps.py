"""Times sent by clients: with an offset, stored in UTC, and plausible.

A year-1 `as_of` once became PostgreSQL's `-infinity` and broke a bed for good, and an
offset that pushes a time past year 1 or 9999 overflowed into a 500. Every time a client
sends (bodies, query parameters, CSV cells) is therefore an aware datetime between
`EARLIEST` and `LATEST`, converted to UTC, and every date falls in the same years. Writes
also refuse times too far in the future (`max_clock_skew_seconds`), which needs the
request's clock and so is checked by the service.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated

from pydantic import AfterValidator, AwareDatetime
from pydantic_core import PydanticCustomError

EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)
LATEST = datetime(2100, 1, 1, tzinfo=UTC)
OUT_OF_RANGE_CODE = "implausible_time"


def plausible(value: datetime) -> datetime:
    """`value` in UTC; a 422 naming the field (`implausible_time`) when outside the range."""
    # Checked on the year first: converting a time near year 1 or 9999 can overflow.
    if not EARLIEST.year - 1 <= value.year <= LATEST.year:
        raise _out_of_range()
    utc = value.astimezone(UTC)
    if not EARLIEST <= utc < LATEST:
        raise _out_of_range()
    return utc


def plausible_date(value: date) -> date:
    """A calendar day in the same years: deadlines and windows computed from a day near
    year 1 or 9999 would overflow."""
    if not EARLIEST.date() <= value < LATEST.date():
        raise _out_of_range()
    return value


def _out_of_range() -> PydanticCustomError:
    return PydanticCustomError(
        OUT_OF_RANGE_CODE,
        f"must be between {EARLIEST.date().isoformat()} and {LATEST.date().isoformat()} (UTC)",
    )


ClientTime = Annotated[AwareDatetime, AfterValidator(plausible)]
ClientDate = Annotated[date, AfterValidator(plausible_date)]
