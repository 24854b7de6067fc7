"""Each ward's share of green days on one date.

Every discharge-ready patient in hospital on the date counts: green, red, or not
recorded. A day nobody marked is shown as not recorded and never assumed green, so
`green_pct` is green days over all the ward's patients that day, and a ward that
records nothing shows 0 % green with every patient not recorded.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from wicc_flow.red_green.reasons import GROUP, Group, RedReason


@dataclass(frozen=True, slots=True)
class PatientOnDay:
    org: str
    unit_id: str  # the ward the day was recorded on (the record's ward if not recorded)
    colour: str | None  # "red", "green", or None: not recorded
    reason: RedReason | None


@dataclass(frozen=True, slots=True)
class WardShare:
    org: str
    unit_id: str
    patients: int
    green: int
    red: int
    not_recorded: int
    red_internal: int
    red_external: int
    red_by_reason: tuple[tuple[RedReason, int], ...]  # most frequent first, then by code

    @property
    def green_pct(self) -> float | None:
        return round(100 * self.green / self.patients, 1) if self.patients else None


def ward_shares(days: Iterable[PatientOnDay]) -> list[WardShare]:
    """One share per ward (by org and unit), ordered by org then unit."""
    wards: dict[tuple[str, str], list[PatientOnDay]] = defaultdict(list)
    for day in days:
        wards[(day.org, day.unit_id)].append(day)
    return [_share(org, unit, members) for (org, unit), members in sorted(wards.items())]


def _share(org: str, unit_id: str, members: list[PatientOnDay]) -> WardShare:
    colours = Counter(m.colour for m in members)
    reds = Counter(m.reason for m in members if m.colour == "red" and m.reason is not None)
    groups = Counter(GROUP[reason] for reason in reds.elements())
    return WardShare(
        org=org,
        unit_id=unit_id,
        patients=len(members),
        green=colours["green"],
        red=colours["red"],
        not_recorded=colours[None],
        red_internal=groups[Group.internal],
        red_external=groups[Group.external],
        red_by_reason=tuple(sorted(reds.items(), key=lambda item: (-item[1], item[0].value))),
    )
