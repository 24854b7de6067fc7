"""Care-capacity events, and the figures each kind of care service reports."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from wicc_shared.catalogue.base import EventPayload, EventScope, EventType
from wicc_shared.kernel.reference import CareServiceType

BED_FIGURES = ("beds_max", "beds_occupied", "beds_vacant_reserved", "beds_vacant_accepting")
STORED_FIGURES = ("package_starts_per_day", "spare_hours_per_week", "slots", *BED_FIGURES)

# The figures each service type reports, in its own unit, and no others.
FIGURES_BY_TYPE: dict[CareServiceType, tuple[str, ...]] = {
    CareServiceType.dom_care: ("package_starts_per_day", "spare_hours_per_week"),
    CareServiceType.reablement: ("package_starts_per_day",),
    CareServiceType.urgent_care_at_home: ("slots",),
    CareServiceType.intermediate_care_step_up: BED_FIGURES,
    CareServiceType.intermediate_care_step_down: BED_FIGURES,
    CareServiceType.community_hospital: BED_FIGURES,
    CareServiceType.care_home: BED_FIGURES,  # per category
}


def stored_figures(service_type: CareServiceType) -> tuple[str, ...]:
    return FIGURES_BY_TYPE[service_type]


def _figure() -> Any:
    """A figure that is absent from the serialized row when the type does not report it."""
    return Field(default=None, exclude_if=lambda value: value is None)


class CareHomeCategory(StrEnum):
    residential = "residential"
    residential_dementia = "residential_dementia"
    nursing = "nursing"
    nursing_dementia = "nursing_dementia"
    learning_disability = "learning_disability"
    mental_health = "mental_health"
    short_stay = "short_stay"


class CareFigures(BaseModel):
    """Figures in each service type's own unit; null where the type does not report it."""

    package_starts_per_day: int | None = None
    spare_hours_per_week: float | None = None
    slots: int | None = None
    beds_max: int | None = None
    beds_occupied: int | None = None
    beds_vacant_reserved: int | None = None
    beds_vacant_accepting: int | None = None


class CareFiguresRow(BaseModel):
    """One row of a service's figures: a care-home category, or the whole service."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    # A row carries the figures of its service type only: a figure the type does not
    # report is absent, not null (so sums never invent a zero). Excluding per field,
    # rather than filtering in a model serializer, keeps the row's JSON Schema exact
    # in serialization mode (the AsyncAPI document is generated from it).
    category: CareHomeCategory | None = Field(description="Care homes only")
    package_starts_per_day: int | None = _figure()
    spare_hours_per_week: float | None = _figure()
    slots: int | None = _figure()
    beds_max: int | None = _figure()
    beds_occupied: int | None = _figure()
    beds_vacant_reserved: int | None = _figure()
    beds_vacant_accepting: int | None = _figure()

    def figures(self) -> dict[str, int | float]:
        return {name: v for name in STORED_FIGURES if (v := getattr(self, name)) is not None}


class CareCapacityUpdated(EventPayload):
    """One provider's whole current picture of one service."""

    provider: str = Field(description="The provider's ODS code")
    provider_name: str
    service_type: CareServiceType
    localities: list[str] = Field(description="Localities the service covers")
    as_of: datetime
    fresh_until: datetime = Field(description="When the figures turn stale if not renewed")
    freshness_hours: float
    version: int = Field(description="Accepted reports for this provider and service")
    figures: list[CareFiguresRow] = Field(
        description="One row per care-home category (`category` null for other services)"
    )
    system: str

    def scope(self) -> EventScope:
        return EventScope(org=self.provider, system=self.system)


CARE_CAPACITY_UPDATED = EventType(
    name="care_capacity.updated",
    payload=CareCapacityUpdated,
    version=1,
    summary="A provider's capacity for one care service changed",
    producer="capacity",
    subject=lambda p: f"providers/{p.provider}/services/{p.service_type.value}",
    subject_pattern="providers/{provider}/services/{service_type}",
)
