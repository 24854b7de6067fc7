"""Reference-data queries (organisations with their sites and units)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from wicc_capacity.orgs.schemas import OrganisationRead, SiteRead, UnitRead
from wicc_shared.kernel.models import Organisation, Site, Unit
from wicc_shared.pagination import PageParams, fetch_page


async def list_orgs(
    session: AsyncSession, *, system: str | None, kind: str | None, page: PageParams
) -> tuple[list[OrganisationRead], int]:
    query = select(Organisation).where(col(Organisation.active)).order_by(col(Organisation.ods))
    if system:
        query = query.where(col(Organisation.system_code) == system)
    if kind:
        query = query.where(col(Organisation.kind) == kind)
    orgs, total = await fetch_page(session, query, page)
    return await _with_sites(session, orgs), total


async def get_org(session: AsyncSession, ods: str) -> OrganisationRead | None:
    org = await session.get(Organisation, ods)
    if org is None or not org.active:
        return None
    return (await _with_sites(session, [org]))[0]


async def _with_sites(
    session: AsyncSession, orgs: Sequence[Organisation]
) -> list[OrganisationRead]:
    ods = [o.ods for o in orgs]
    sites = (
        (
            await session.execute(
                select(Site)
                .where(col(Site.org_ods).in_(ods), col(Site.active))
                .order_by(col(Site.code))
            )
        )
        .scalars()
        .all()
    )
    units = (
        (
            await session.execute(
                select(Unit)
                .where(col(Unit.org_ods).in_(ods), col(Unit.active))
                .order_by(col(Unit.id))
            )
        )
        .scalars()
        .all()
    )
    units_by_site: dict[str, list[UnitRead]] = defaultdict(list)
    for u in units:
        units_by_site[u.site_code].append(
            UnitRead(id=u.id, name=u.name, bed_area=u.bed_area, baseline_beds=u.baseline_beds)
        )
    sites_by_org: dict[str, list[SiteRead]] = defaultdict(list)
    for s in sites:
        sites_by_org[s.org_ods].append(
            SiteRead(
                code=s.code, name=s.name, locality=s.locality_code, units=units_by_site[s.code]
            )
        )
    return [
        OrganisationRead(
            ods=o.ods,
            name=o.name,
            kind=o.kind,
            system=o.system_code,
            locality=o.locality_code,
            sites=sites_by_org[o.ods],
        )
        for o in orgs
    ]
