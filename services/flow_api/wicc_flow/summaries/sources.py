"""Where each figure of a summary comes from, written as the public endpoint that gives
it: `<service>:<path>?<query>`. A reader (or a test) can ask that endpoint and get the
same number; a stale figure's source is the one named stale at the top of the page.
"""

from __future__ import annotations

from datetime import date

GA = "adult_ga"


def org_beds(ods: str) -> str:
    return f"capacity:/capacity/v1/beds?org={ods}&bed_area={GA}"


def system_beds(system: str) -> str:
    return f"capacity:/capacity/v1/beds?system={system}&bed_area={GA}"


def care(service_type: str) -> str:
    return f"capacity:/capacity/v1/care-capacity?service={service_type}"


def sitreps(system: str, day: date) -> str:
    return f"capacity:/capacity/v1/sitreps/status?system={system}&date={day.isoformat()}"


def summary(system: str, day: date) -> str:
    """A figure recorded by an earlier day's summary."""
    return f"flow:/flow/v1/summaries/{system}/{day.isoformat()}"


def summaries(system: str, first: date, last: date, days: int) -> str:
    """A mean over earlier days' summaries: derived, so it names its inputs."""
    return (
        f"derived(flow:/flow/v1/summaries?system={system}"
        f"&from={first.isoformat()}&to={last.isoformat()}, {days} days)"
    )
