"""Reference data (systems, organisations, sites, units, care services) loaded
from a YAML file.

Loading is an upsert: re-running it after editing the file updates names and
adds new entries; entries dropped from the file are marked inactive, never
deleted, because history refers to them.
"""

from __future__ import annotations

from datetime import time
from enum import StrEnum
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, model_validator
from sqlalchemy import select, tuple_, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import SQLModel, col

from wicc_shared.kernel.models import (
    CareService,
    CareSystem,
    Locality,
    Organisation,
    Site,
    Unit,
)

CODE = r"^[A-Za-z0-9][A-Za-z0-9_.-]*$"


class OrgKind(StrEnum):
    acute = "acute"
    community = "community"
    mental_health = "mental_health"
    local_authority = "local_authority"
    care_provider = "care_provider"


class BedArea(StrEnum):
    adult_ga = "adult_ga"
    paed_ga = "paed_ga"
    adult_cc = "adult_cc"
    paed_icu = "paed_icu"
    neonatal = "neonatal"
    community = "community"
    mental_health = "mental_health"
    intermediate_step_up = "intermediate_step_up"
    intermediate_step_down = "intermediate_step_down"


class CareServiceType(StrEnum):
    """Services outside hospital whose capacity providers publish."""

    dom_care = "dom_care"
    reablement = "reablement"
    urgent_care_at_home = "urgent_care_at_home"
    intermediate_care_step_up = "intermediate_care_step_up"
    intermediate_care_step_down = "intermediate_care_step_down"
    community_hospital = "community_hospital"
    care_home = "care_home"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class UnitSpec(_Strict):
    id: str = Field(pattern=CODE, max_length=60)
    name: str
    bed_area: BedArea
    baseline_beds: int | None = Field(default=None, ge=0)


class SiteSpec(_Strict):
    code: str = Field(pattern=CODE, max_length=40)
    name: str
    locality: str | None = None
    units: list[UnitSpec] = []


class CareServiceSpec(_Strict):
    """A service the organisation provides, and the localities it serves."""

    type: CareServiceType
    localities: list[str] = Field(min_length=1)


class OrgSpec(_Strict):
    ods: str = Field(pattern=CODE, max_length=20)
    name: str
    kind: OrgKind
    locality: str | None = None
    sites: list[SiteSpec] = []
    care_services: list[CareServiceSpec] = []


class LocalitySpec(_Strict):
    code: str = Field(pattern=CODE, max_length=40)
    name: str


class SystemSpec(_Strict):
    code: str = Field(pattern=CODE, max_length=40)
    name: str
    timezone: str = "Europe/London"
    sitrep_deadline: time = time(11, 0)
    summary_time: time = Field(
        default=time(8, 30), description="When the daily summary is built (local time)"
    )
    localities: list[LocalitySpec] = []


class ReferenceFile(_Strict):
    system: SystemSpec
    organisations: list[OrgSpec]

    @model_validator(mode="after")
    def _consistent(self) -> ReferenceFile:
        localities = {loc.code for loc in self.system.localities}
        seen: dict[str, set[str]] = {"ods": set(), "site": set(), "unit": set()}
        for org in self.organisations:
            _unique(seen["ods"], org.ods, "organisation")
            _known_locality(localities, org.locality, org.ods)
            for site in org.sites:
                _unique(seen["site"], site.code, "site")
                _known_locality(localities, site.locality, site.code)
                for unit in site.units:
                    _unique(seen["unit"], unit.id, "unit")
            _check_care_services(localities, org)
        return self


def _check_care_services(localities: set[str], org: OrgSpec) -> None:
    types = [service.type for service in org.care_services]
    if len(types) != len(set(types)):
        raise ValueError(f"{org.ods}: each care service type may be listed once")
    for service in org.care_services:
        for code in service.localities:
            _known_locality(localities, code, f"{org.ods} {service.type.value}")
        if len(service.localities) != len(set(service.localities)):
            raise ValueError(f"{org.ods} {service.type.value}: a locality is listed twice")


def _unique(seen: set[str], code: str, what: str) -> None:
    if code in seen:
        raise ValueError(f"duplicate {what} code {code!r}")
    seen.add(code)


def _known_locality(localities: set[str], code: str | None, owner: str) -> None:
    if code is not None and code not in localities:
        raise ValueError(f"{owner}: unknown locality {code!r}")


def read_reference_file(path: Path) -> ReferenceFile:
    return ReferenceFile.model_validate(yaml.safe_load(path.read_text()))


async def load_reference(session: AsyncSession, ref: ReferenceFile) -> dict[str, int]:
    """Upsert the file's contents; return counts per kind."""
    s = ref.system
    await _upsert(
        session,
        CareSystem,
        ["code"],
        [
            dict(
                code=s.code,
                name=s.name,
                timezone=s.timezone,
                sitrep_deadline=s.sitrep_deadline,
                summary_time=s.summary_time,
            )
        ],
    )
    await _upsert(
        session,
        Locality,
        ["system_code", "code"],
        [dict(system_code=s.code, code=loc.code, name=loc.name) for loc in s.localities],
    )
    orgs, sites, units = _flatten(ref)
    services = _care_services(ref)
    await _retire_missing(session, s.code, orgs, sites, units)
    await _retire_missing_care_services(session, s.code, services)
    await _upsert(session, Organisation, ["ods"], orgs)
    await _upsert(session, Site, ["code"], sites)
    await _upsert(session, Unit, ["id"], units)
    await _upsert(session, CareService, ["org_ods", "service_type"], services)
    return {
        "organisations": len(orgs),
        "sites": len(sites),
        "units": len(units),
        "care_services": len(services),
    }


def _flatten(ref: ReferenceFile) -> tuple[list[dict[str, Any]], ...]:
    orgs: list[dict[str, Any]] = []
    sites: list[dict[str, Any]] = []
    units: list[dict[str, Any]] = []
    for org in ref.organisations:
        orgs.append(
            dict(
                ods=org.ods,
                name=org.name,
                kind=org.kind.value,
                system_code=ref.system.code,
                locality_code=org.locality,
                active=True,
            )
        )
        for site in org.sites:
            sites.append(
                dict(
                    code=site.code,
                    org_ods=org.ods,
                    name=site.name,
                    locality_code=site.locality or org.locality,
                    active=True,
                )
            )
            units.extend(
                dict(
                    id=u.id,
                    site_code=site.code,
                    org_ods=org.ods,
                    name=u.name,
                    bed_area=u.bed_area.value,
                    baseline_beds=u.baseline_beds,
                    active=True,
                )
                for u in site.units
            )
    return orgs, sites, units


def _care_services(ref: ReferenceFile) -> list[dict[str, Any]]:
    return [
        dict(
            org_ods=org.ods,
            service_type=service.type.value,
            localities=list(service.localities),
            active=True,
        )
        for org in ref.organisations
        for service in org.care_services
    ]


async def _retire_missing_care_services(
    session: AsyncSession, system_code: str, services: list[dict[str, Any]]
) -> None:
    """Services dropped from the file (or of dropped organisations) stop being offered;
    their rows stay because capacity history refers to them."""
    kept = [(s["org_ods"], s["service_type"]) for s in services]
    in_system = select(col(Organisation.ods)).where(col(Organisation.system_code) == system_code)
    await session.execute(
        update(CareService)
        .where(
            col(CareService.org_ods).in_(in_system),
            tuple_(col(CareService.org_ods), col(CareService.service_type)).not_in(kept),
        )
        .values(active=False)
    )


async def _retire_missing(
    session: AsyncSession,
    system_code: str,
    orgs: list[dict[str, Any]],
    sites: list[dict[str, Any]],
    units: list[dict[str, Any]],
) -> None:
    """Organisations, sites and units of the system that the file no longer lists
    become inactive (rows stay: history refers to them). Sites and units of a
    dropped organisation go with it."""
    in_system = col(Organisation.system_code) == system_code
    system_orgs = select(col(Organisation.ods)).where(in_system)
    await session.execute(
        update(Organisation)
        .where(in_system, col(Organisation.ods).not_in([o["ods"] for o in orgs]))
        .values(active=False)
    )
    await session.execute(
        update(Site)
        .where(
            col(Site.org_ods).in_(system_orgs), col(Site.code).not_in([s["code"] for s in sites])
        )
        .values(active=False)
    )
    await session.execute(
        update(Unit)
        .where(col(Unit.org_ods).in_(system_orgs), col(Unit.id).not_in([u["id"] for u in units]))
        .values(active=False)
    )


async def _upsert(
    session: AsyncSession, model: type[SQLModel], keys: list[str], rows: list[dict[str, Any]]
) -> None:
    if not rows:
        return
    stmt = insert(model).values(rows)
    changing = {c: stmt.excluded[c] for c in rows[0] if c not in keys}
    if changing:
        await session.execute(stmt.on_conflict_do_update(index_elements=keys, set_=changing))
    else:
        await session.execute(stmt.on_conflict_do_nothing(index_elements=keys))
