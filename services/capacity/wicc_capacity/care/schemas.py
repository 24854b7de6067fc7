"""Request and response bodies for care-package capacity.

Each service type reports in its own unit (see the catalogue's FIGURES_BY_TYPE). The request body is
one flat model rather than a union per type, so that a figure sent for the wrong
type is refused with an error naming that figure, not a pydantic union error.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, JsonValue

from wicc_shared.catalogue.care import (
    BED_FIGURES,
    FIGURES_BY_TYPE,
    STORED_FIGURES,
    CareFigures,
    CareHomeCategory,
    stored_figures,
)
from wicc_shared.errors import FieldError
from wicc_shared.kernel.reference import CareServiceType
from wicc_shared.pagination import Page
from wicc_shared.timestamps import ClientTime

MAX_COUNT = 10_000
MAX_HOURS_PER_WEEK = 1_000_000.0

# The body fields each service type must send, and no others: its stored figures,
# except care homes, which send them per category.
BODY_FIGURES_BY_TYPE: dict[CareServiceType, tuple[str, ...]] = {
    **FIGURES_BY_TYPE,
    CareServiceType.care_home: ("categories",),
}
BODY_FIGURES = (*STORED_FIGURES, "categories")


def _count(description: str) -> Any:
    return Field(default=None, ge=0, le=MAX_COUNT, description=description)


class CategoryFigures(BaseModel):
    """One care-home bed category, as the national Capacity Tracker counts it."""

    model_config = ConfigDict(extra="forbid")

    category: CareHomeCategory
    max: int = Field(ge=0, le=MAX_COUNT, description="Maximum beds of this category")
    occupied: int = Field(ge=0, le=MAX_COUNT, description="Beds occupied")
    vacant_reserved: int = Field(ge=0, le=MAX_COUNT, description="Vacant but held for someone")
    vacant_accepting: int = Field(ge=0, le=MAX_COUNT, description="Vacant, accepting admissions")

    def as_beds(self) -> dict[str, int]:
        return {
            "beds_max": self.max,
            "beds_occupied": self.occupied,
            "beds_vacant_reserved": self.vacant_reserved,
            "beds_vacant_accepting": self.vacant_accepting,
        }


_EXAMPLES: list[JsonValue] = [
    {
        "service_type": "dom_care",
        "package_starts_per_day": 3,
        "spare_hours_per_week": 120.5,
        "as_of": "2026-11-22T08:00:00Z",
    },
    {"service_type": "reablement", "package_starts_per_day": 4, "as_of": "2026-11-22T08:00:00Z"},
    {"service_type": "urgent_care_at_home", "slots": 6, "as_of": "2026-11-22T08:00:00Z"},
    {
        "service_type": "intermediate_care_step_down",
        "beds_max": 20,
        "beds_occupied": 17,
        "beds_vacant_reserved": 1,
        "beds_vacant_accepting": 2,
        "as_of": "2026-11-22T08:00:00Z",
    },
    {
        "service_type": "care_home",
        "categories": [
            {
                "category": "nursing_dementia",
                "max": 24,
                "occupied": 21,
                "vacant_reserved": 1,
                "vacant_accepting": 2,
            }
        ],
        "as_of": "2026-11-22T08:00:00Z",
    },
]


class CareCapacityUpdate(BaseModel):
    """A provider's capacity for one service at `as_of`, in that service's own unit.

    | service_type | figures |
    |---|---|
    | dom_care | package_starts_per_day, spare_hours_per_week |
    | reablement | package_starts_per_day (new starts per day) |
    | urgent_care_at_home | slots |
    | intermediate_care_step_up, _step_down | beds_max, beds_occupied, beds_vacant_* |
    | community_hospital | beds_max, beds_occupied, beds_vacant_reserved, beds_vacant_accepting |
    | care_home | categories |
    """

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": _EXAMPLES})

    service_type: CareServiceType
    as_of: ClientTime = Field(description="The moment the figures describe (with offset)")
    package_starts_per_day: int | None = _count(
        "dom_care, reablement: new packages (starts) the provider can take on per day"
    )
    spare_hours_per_week: float | None = Field(
        default=None,
        ge=0,
        le=MAX_HOURS_PER_WEEK,
        allow_inf_nan=False,
        description="dom_care: hours of care per week the provider could take on",
    )
    slots: int | None = _count("urgent_care_at_home: slots available")
    beds_max: int | None = _count("bed services: maximum beds")
    beds_occupied: int | None = _count("bed services: beds occupied")
    beds_vacant_reserved: int | None = _count("bed services: vacant but held for someone")
    beds_vacant_accepting: int | None = _count("bed services: vacant, accepting admissions")
    categories: list[CategoryFigures] | None = Field(
        default=None,
        min_length=1,
        max_length=len(CareHomeCategory),
        description="care_home: figures per bed category, each category at most once",
    )

    def problems(self, now: datetime, max_skew: timedelta) -> list[FieldError]:
        """Rules the per-field constraints cannot express."""
        errors = self._unit_problems()
        if self.as_of > now + max_skew:
            errors.append(FieldError("as_of", "as_of is in the future", code="future_as_of"))
        beds = {name: getattr(self, name) for name in BED_FIGURES}
        if BODY_FIGURES_BY_TYPE[self.service_type] == BED_FIGURES and None not in beds.values():
            errors += _bed_sum_problems("beds_", beds, "beds_max")
        errors += self._category_problems()
        return errors

    def _unit_problems(self) -> list[FieldError]:
        wanted = BODY_FIGURES_BY_TYPE[self.service_type]
        errors = []
        for name in BODY_FIGURES:
            sent = getattr(self, name) is not None
            if sent and name not in wanted:
                errors.append(
                    FieldError(
                        name,
                        f"{name} does not apply to {self.service_type.value}, which reports "
                        f"{', '.join(wanted)}",
                        code="not_applicable",
                    )
                )
            elif not sent and name in wanted:
                errors.append(
                    FieldError(
                        name, f"{self.service_type.value} must report {name}", code="missing"
                    )
                )
        return errors

    def _category_problems(self) -> list[FieldError]:
        if not self.categories:
            return []
        errors = []
        for i, figures in enumerate(self.categories):
            errors += _bed_sum_problems("", figures.as_beds(), f"categories.{i}.max")
        repeated = [c for c, n in Counter(f.category for f in self.categories).items() if n > 1]
        if repeated:
            names = ", ".join(sorted(c.value for c in repeated))
            errors.append(
                FieldError(
                    "categories",
                    f"each category may appear once (repeated: {names})",
                    code="duplicate_category",
                )
            )
        return errors

    def figures_by_category(self) -> dict[str, dict[str, Any]]:
        """The report as stored rows: category ("" when none) -> every stored figure."""
        if self.categories is not None:
            return {c.category.value: _all_stored(c.as_beds()) for c in self.categories}
        wanted = stored_figures(self.service_type)
        return {"": _all_stored({name: getattr(self, name) for name in wanted})}


def _all_stored(figures: dict[str, Any]) -> dict[str, Any]:
    return {name: figures.get(name) for name in STORED_FIGURES}


def _bed_sum_problems(prefix: str, beds: dict[str, int], field: str) -> list[FieldError]:
    """occupied + vacant_reserved + vacant_accepting may not exceed max; the gap is
    beds neither occupied nor offered (closed, or being made ready)."""
    used = beds["beds_occupied"] + beds["beds_vacant_reserved"] + beds["beds_vacant_accepting"]
    if used <= beds["beds_max"]:
        return []
    return [
        FieldError(
            field,
            f"{prefix}occupied + {prefix}vacant_reserved + {prefix}vacant_accepting "
            f"({used}) exceeds {prefix}max ({beds['beds_max']})",
            code="beds_exceed_max",
        )
    ]


class Freshness(BaseModel):
    as_of: datetime = Field(description="When the figures were true")
    age_seconds: float = Field(description="Seconds between as_of and this response")
    fresh_until: datetime = Field(description="as_of + the service type's freshness limit")
    stale: bool = Field(description="True once the figure is older than its freshness limit")


class _CareRowKey(BaseModel):
    provider: str = Field(description="The provider's ODS code")
    provider_name: str
    service_type: CareServiceType
    category: CareHomeCategory | None = Field(description="Care homes only")
    localities: list[str] = Field(description="Localities the service covers")


class CareCapacityRead(Freshness, CareFigures, _CareRowKey):
    """The current figure of one provider, service and (care homes) bed category."""

    reported_by: str
    updated_at: datetime
    version: int = Field(description="Accepted reports for this provider and service")


class OfferedService(BaseModel):
    service_type: CareServiceType
    localities: list[str]


class ProviderCapacityRead(BaseModel):
    provider: str
    provider_name: str
    services: list[OfferedService] = Field(description="Services the provider may report")
    items: list[CareCapacityRead] = Field(description="Current figures (none until reported)")


class CareTotals(BaseModel):
    """Sums of current figures over one group. Only fresh figures are summed into
    `fresh`; stale ones are summed apart into `stale`, never into the current picture."""

    service_type: CareServiceType
    category: CareHomeCategory | None = Field(
        description="Care homes: one category, or null for all categories together"
    )
    locality: str | None = Field(
        description="null: the whole system, each provider counted once. A provider "
        "serving several localities counts in full in each of them."
    )
    providers: int = Field(description="Providers with a figure in this group")
    fresh_providers: int
    stale_providers: int
    fresh: CareFigures
    stale: CareFigures
    oldest_fresh_as_of: datetime | None


class CareCapacityList(Page[CareCapacityRead]):
    as_at: datetime = Field(description="The moment ages and staleness are computed for")
    totals: list[CareTotals] = Field(description="Over every matching figure, not one page")


class CareHistoryEntry(CareFigures):
    service_type: CareServiceType
    category: CareHomeCategory | None
    as_of: datetime
    reported_by: str
    recorded_at: datetime
