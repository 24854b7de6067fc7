"""How figures, changes, times and ages read, the same in every format.

Counts print as integers with thousands separators; measured or averaged values
with one decimal, so "97.0 %" in the sentence, the table and the chart label is the
same string and a reader can match them. Times are local to the care system.
"""

from __future__ import annotations

from datetime import date, datetime, tzinfo

from wicc_flow.summaries.figures import Figure, Unit

_DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
NOT_AVAILABLE = "not available"


def number(value: float) -> str:
    if isinstance(value, int):
        return f"{value:,}"
    return f"{value:,.1f}"


def signed(value: float) -> str:
    """A change: "+4", "-3", "±0" (no change is shown, not left blank)."""
    if value == 0:
        return "±0"
    return ("+" if value > 0 else "-") + number(abs(value))


def value_text(figure: Figure) -> str:
    """The value as a table cell shows it: the row says what it counts."""
    if figure.unit == Unit.percent:
        return f"{number(figure.value)} %"
    if figure.unit == Unit.opel_level:
        return f"OPEL {number(figure.value)}"
    return number(figure.value)


def change_text(figure: Figure) -> str:
    return signed(figure.value)


def plural(count: float, singular: str, plural_form: str | None = None) -> str:
    word = singular if count == 1 else (plural_form or singular + "s")
    return f"{number(count)} {word}"


def long_date(day: date) -> str:
    return f"{_DAYS[day.weekday()]} {day.day} {_MONTHS[day.month - 1]} {day.year}"


def short_date(day: date) -> str:
    return f"{_DAYS[day.weekday()][:3]} {day.day} {_MONTHS[day.month - 1][:3]}"


def day_month(day: date) -> str:
    return f"{day.day} {_MONTHS[day.month - 1][:3]}"


def local_time(moment: datetime, zone: tzinfo, day: date) -> str:
    """Clock time ("08:00") on the summary's day, else with its date ("Wed 2 Dec 18:00")."""
    local = moment.astimezone(zone)
    clock = f"{local:%H:%M}"
    return clock if local.date() == day else f"{short_date(local.date())} {clock}"


def age_text(seconds: float | None) -> str:
    if seconds is None:
        return "never received"
    minutes = max(0, round(seconds / 60))
    if minutes < 120:
        return plural(minutes, "minute")
    hours = round(seconds / 3600)
    if hours < 48:
        return plural(hours, "hour")
    return plural(round(seconds / 86400), "day")
