"""The patients section: each trust's latest discharge sitrep (`discharge_sitrep.updated`,
counts only: the board never sees a patient event), totals per system, and demand
against capacity per locality and pathway, set against the care section's figures.

A trust's counts describe one day: after that day's end (`valid_until`, midnight in the
system's time zone) they are stale until the worker recounts them for the new day.
Stale counts stay in the totals, flagged and counted, as stale bed figures do. Care
figures count as free only while fresh, by the same limits the care section uses.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

from wicc_flow.board.sections.base import dumped, restored
from wicc_flow.board.sections.care import CareSection
from wicc_shared.catalogue import DISCHARGE_SITREP_UPDATED
from wicc_shared.catalogue.base import EventPayload, EventType
from wicc_shared.catalogue.care import CareCapacityUpdated
from wicc_shared.catalogue.patients import DischargeSitrepUpdated
from wicc_shared.rules.care_freshness import freshness_limit
from wicc_shared.rules.care_pathways import PATHWAY_SERVICES, free_of, pathway_of

COUNTS = ("nctr_patients", "discharged", "remaining")


class PatientsSection:
    key = "patients"
    event_types: tuple[EventType[Any], ...] = (DISCHARGE_SITREP_UPDATED,)

    def __init__(
        self,
        care: CareSection | None = None,
        care_freshness_hours: Mapping[str, float] | None = None,
    ) -> None:
        self.trusts: dict[str, DischargeSitrepUpdated] = {}
        self.care = care
        self.care_freshness_hours = care_freshness_hours

    def apply(self, event_type: EventType[Any], payload: EventPayload) -> None:
        assert isinstance(payload, DischargeSitrepUpdated)
        held = self.trusts.get(payload.org)
        # Recounts of one trust are serialised, so the newest count is the truth; the
        # guard keeps a replayed older event from undoing it.
        if held is None or (payload.date, payload.as_of) >= (held.date, held.as_of):
            self.trusts[payload.org] = payload

    def state(self) -> dict[str, Any]:
        return dumped(self.trusts)

    def restore(self, state: dict[str, Any]) -> None:
        self.trusts = restored(state, DischargeSitrepUpdated)

    def view(self, now: datetime) -> dict[str, Any]:
        if not self.trusts:
            return {}  # absent until a trust has a list: a board without one keeps its shape
        trusts = [_aged(self.trusts[org], now) for org in sorted(self.trusts)]
        return {
            "patients": {
                "trusts": trusts,
                "systems": _system_totals(trusts),
                "demand_capacity": self._demand(trusts, now),
            }
        }

    def next_stale_at(self, now: datetime) -> datetime | None:
        ends = [t.valid_until for t in self.trusts.values()]
        return min((end for end in ends if end >= now), default=None)

    def _demand(self, trusts: list[dict[str, Any]], now: datetime) -> list[dict[str, Any]]:
        care = list(self.care.care.values()) if self.care is not None else []
        return demand_cells(trusts, care, now, self._fresh_until)

    def _fresh_until(self, entry: CareCapacityUpdated) -> datetime:
        # As the care section judges it, so the two parts of the board agree.
        if self.care_freshness_hours is None:
            return entry.fresh_until
        return entry.as_of + freshness_limit(entry.service_type, self.care_freshness_hours)


def _aged(trust: DischargeSitrepUpdated, now: datetime) -> dict[str, Any]:
    return {
        **trust.model_dump(mode="json"),
        "age_seconds": (now - trust.as_of).total_seconds(),
        "stale": now >= trust.valid_until,
    }


def _system_totals(trusts: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    by_system: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for trust in trusts:
        by_system[trust["system"]].append(trust)
    return [_system(system, members) for system, members in sorted(by_system.items())]


def _system(system: str, trusts: list[dict[str, Any]]) -> dict[str, Any]:
    pathways: dict[int, dict[str, int]] = defaultdict(lambda: dict.fromkeys(COUNTS, 0))
    waiting: dict[tuple[str | None, int], int] = defaultdict(int)
    for trust in trusts:
        for p in trust["by_pathway"]:
            for name in COUNTS:
                pathways[p["pathway"]][name] += p[name]
        for w in trust["waiting"]:
            waiting[(w["locality"], w["pathway"])] += w["patients"]
    return {
        "system": system,
        "trusts": len(trusts),
        "stale_trusts": sum(t["stale"] for t in trusts),
        "oldest_as_of": min((t["as_of"] for t in trusts), key=datetime.fromisoformat),
        **{name: sum(t[name] for t in trusts) for name in (*COUNTS, "lost_bed_days")},
        "by_pathway": [{"pathway": p, **pathways[p]} for p in sorted(pathways)],
        "waiting": [
            {"locality": loc, "pathway": p, "patients": n}
            for (loc, p), n in sorted(waiting.items(), key=lambda i: (i[0][0] or "", i[0][1]))
        ],
    }


def demand_cells(
    trusts: Iterable[dict[str, Any]],
    care: Iterable[CareCapacityUpdated],
    now: datetime,
    fresh_until: Callable[[CareCapacityUpdated], datetime],
) -> list[dict[str, Any]]:
    """Per system, locality and pathway 1-3: patients waiting (from the trusts' counts)
    against the places free in fresh care figures (stale ones summed apart)."""
    cells: dict[tuple[str, str, int], dict[str, Any]] = {}

    def cell(system: str, locality: str, pathway: int) -> dict[str, Any]:
        key = (system, locality, pathway)
        if key not in cells:
            cells[key] = _empty_cell(system, locality, pathway)
        return cells[key]

    for trust in trusts:
        for w in trust["waiting"]:
            if w["pathway"] in PATHWAY_SERVICES and w["locality"] is not None:
                cell(trust["system"], w["locality"], w["pathway"])["waiting"] += w["patients"]
    for entry in care:
        pathway = pathway_of(entry.service_type)
        if pathway is None:
            continue
        stale = now > fresh_until(entry)
        free = sum(free_of(entry.service_type, row.figures()) or 0 for row in entry.figures)
        for locality in entry.localities:
            _add_capacity(cell(entry.system, locality, pathway), free, stale, entry.as_of)
    for system, locality, _pathway in list(cells):
        for pathway in PATHWAY_SERVICES:  # every pathway of a locality shown, zeros too
            cell(system, locality, pathway)
    for c in cells.values():
        c["gap"] = c["waiting"] - c["fresh_free"]
    return [cells[key] for key in sorted(cells)]


def _empty_cell(system: str, locality: str, pathway: int) -> dict[str, Any]:
    return {
        "system": system,
        "locality": locality,
        "pathway": pathway,
        "waiting": 0,
        "fresh_free": 0,
        "stale_free": 0,
        "gap": 0,
        "oldest_fresh_as_of": None,
    }


def _add_capacity(cell: dict[str, Any], free: int, stale: bool, as_of: datetime) -> None:
    if stale:
        cell["stale_free"] += free
        return
    cell["fresh_free"] += free
    moment = _iso(as_of)
    if cell["oldest_fresh_as_of"] is None or as_of < datetime.fromisoformat(
        cell["oldest_fresh_as_of"]
    ):
        cell["oldest_fresh_as_of"] = moment


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")
