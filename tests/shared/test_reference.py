"""Reference data: the YAML loader's checks and the read API."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic import ValidationError
from sqlalchemy import select

from tests.support import Wicc
from wicc_shared.db import create_engine, create_sessionmaker
from wicc_shared.kernel.models import CareService, Organisation, Site, Unit
from wicc_shared.kernel.reference import (
    CareServiceType,
    ReferenceFile,
    load_reference,
    read_reference_file,
)

WILTSHIRE = Path(__file__).resolve().parents[2] / "reference" / "wiltshire.yaml"


def _minimal(**org_overrides: Any) -> dict[str, Any]:
    org = {
        "ods": "AAA",
        "name": "A trust",
        "kind": "acute",
        "locality": "north",
        "sites": [
            {
                "code": "S1",
                "name": "Site",
                "units": [{"id": "U1", "name": "Ward", "bed_area": "adult_ga"}],
            }
        ],
    }
    org.update(org_overrides)
    return {
        "system": {
            "code": "sys",
            "name": "System",
            "localities": [{"code": "north", "name": "North"}],
        },
        "organisations": [org],
    }


def test_the_wiltshire_demo_file_is_valid_and_complete() -> None:
    ref = read_reference_file(WILTSHIRE)
    by_ods = {o.ods: o for o in ref.organisations}
    for ods in ("RNZ", "RN3", "RD1", "RVN", "E06000054"):
        assert ods in by_ods
    kinds = {o.kind.value for o in ref.organisations}
    assert kinds == {"acute", "community", "mental_health", "local_authority", "care_provider"}
    assert {loc.code for loc in ref.system.localities} == {"north", "west", "south"}
    ict = [
        u
        for o in ref.organisations
        for s in o.sites
        for u in s.units
        if u.bed_area.value.startswith("intermediate")
    ]
    assert sum(u.baseline_beds or 0 for u in ict) == 70


@pytest.mark.parametrize(
    ("document", "message"),
    [
        (_minimal(locality="east"), "unknown locality"),
        (_minimal(kind="hospice"), "kind"),
        (
            _minimal(
                sites=[
                    {
                        "code": "S1",
                        "name": "a",
                        "units": [
                            {"id": "U1", "name": "w", "bed_area": "adult_ga"},
                            {"id": "U1", "name": "w2", "bed_area": "adult_ga"},
                        ],
                    }
                ]
            ),
            "duplicate unit",
        ),
        (
            _minimal(
                sites=[
                    {
                        "code": "S1",
                        "name": "a",
                        "units": [{"id": "U1", "name": "w", "bed_area": "moon_base"}],
                    }
                ]
            ),
            "bed_area",
        ),
        (_minimal(colour="red"), "colour"),
    ],
)
def test_inconsistent_reference_files_are_refused(document: dict[str, Any], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        ReferenceFile.model_validate(yaml.safe_load(yaml.safe_dump(document)))


async def test_orgs_list_with_sites_and_units_paginated(wicc: Wicc) -> None:
    page = (await wicc.client.get("/capacity/v1/orgs?limit=2", headers=wicc.auth())).json()
    assert page["limit"] == 2
    assert len(page["items"]) == 2
    total = page["total"]
    everything = (await wicc.client.get("/capacity/v1/orgs?limit=500", headers=wicc.auth())).json()
    assert len(everything["items"]) == total
    second = (
        await wicc.client.get("/capacity/v1/orgs?limit=2&offset=2", headers=wicc.auth())
    ).json()
    assert second["items"][0]["ods"] == everything["items"][2]["ods"]
    acute = (await wicc.client.get("/capacity/v1/orgs?kind=acute", headers=wicc.auth())).json()
    assert {o["ods"] for o in acute["items"]} == {"RNZ", "RN3", "RD1"}


async def test_one_org_with_its_units(wicc: Wicc) -> None:
    org = (await wicc.client.get("/capacity/v1/orgs/RNZ", headers=wicc.auth())).json()
    assert org["name"] == "Salisbury NHS Foundation Trust"
    assert org["kind"] == "acute"
    units = {u["id"]: u for s in org["sites"] for u in s["units"]}
    assert units["RNZ-ICU"]["bed_area"] == "adult_cc"
    missing = await wicc.client.get("/capacity/v1/orgs/ZZZ", headers=wicc.auth())
    assert missing.status_code == 404
    bad = await wicc.client.get("/capacity/v1/orgs?limit=0", headers=wicc.auth())
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["field"] == "limit"


# -- care services ---------------------------------------------------------------------


def test_the_demo_care_services_cover_every_locality() -> None:
    ref = read_reference_file(WILTSHIRE)
    offered: dict[str, set[str]] = {loc.code: set() for loc in ref.system.localities}
    for org in ref.organisations:
        for service in org.care_services:
            for code in service.localities:
                offered[code].add(service.type.value)
    everywhere = {"dom_care", "reablement", "urgent_care_at_home", "care_home"}
    everywhere.add("intermediate_care_step_down")
    for code, services in offered.items():
        assert everywhere <= services, code
    assert set().union(*offered.values()) == {t.value for t in CareServiceType}


def _with_care_services(*services: dict[str, Any]) -> dict[str, Any]:
    document = _minimal(care_services=list(services))
    document["system"]["localities"].append({"code": "south", "name": "South"})
    return document


@pytest.mark.parametrize(
    ("document", "message"),
    [
        (_with_care_services({"type": "hospice_at_home", "localities": ["north"]}), "type"),
        (_with_care_services({"type": "dom_care", "localities": ["east"]}), "unknown locality"),
        (_with_care_services({"type": "dom_care", "localities": []}), "localities"),
        (_with_care_services({"type": "dom_care"}), "localities"),
        (
            _with_care_services({"type": "dom_care", "localities": ["north", "north"]}),
            "listed twice",
        ),
        (
            _with_care_services(
                {"type": "care_home", "localities": ["north"]},
                {"type": "care_home", "localities": ["south"]},
            ),
            "listed once",
        ),
        (_with_care_services({"type": "dom_care", "localities": ["north"], "hours": 3}), "hours"),
    ],
)
def test_inconsistent_care_services_are_refused(document: dict[str, Any], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        ReferenceFile.model_validate(yaml.safe_load(yaml.safe_dump(document)))


async def test_loading_upserts_care_services_and_retires_dropped_ones(fresh_db: str) -> None:
    document = yaml.safe_load(WILTSHIRE.read_text())
    by_ods = {o["ods"]: o for o in document["organisations"]}
    by_ods["CP-REABLE"]["care_services"] = [{"type": "reablement", "localities": ["west"]}]
    del by_ods["CP-DOWNLAND"]["care_services"]
    document["organisations"].remove(by_ods["CP-UCAH"])

    engine = create_engine(fresh_db, "wicc-tests", pool_size=1)
    try:
        async with create_sessionmaker(engine)() as session, session.begin():
            counts = await load_reference(session, ReferenceFile.model_validate(document))
        async with create_sessionmaker(engine)() as session:
            rows = (await session.execute(select(CareService))).scalars().all()
    finally:
        await engine.dispose()

    services = {(r.org_ods, r.service_type): r for r in rows}
    assert counts["care_services"] == sum(r.active for r in rows)
    assert services[("CP-REABLE", "reablement")].localities == ["west"]
    assert services[("CP-REABLE", "reablement")].active
    assert not services[("CP-DOWNLAND", "care_home")].active  # kept for history, retired
    assert not services[("CP-UCAH", "urgent_care_at_home")].active  # its provider left
    assert services[("WHC", "intermediate_care_step_up")].localities == ["north", "south"]
    assert services[("WHC", "intermediate_care_step_up")].active


async def test_a_retired_care_service_takes_no_reports(wicc: Wicc) -> None:
    document = yaml.safe_load(WILTSHIRE.read_text())
    whc = next(o for o in document["organisations"] if o["ods"] == "WHC")
    whc["care_services"] = [s for s in whc["care_services"] if s["type"] != "community_hospital"]
    async with wicc.runtime.sessions() as session, session.begin():
        await load_reference(session, ReferenceFile.model_validate(document))

    body = {
        "service_type": "community_hospital",
        "as_of": "2026-01-01T08:00:00Z",
        "beds_max": 4,
        "beds_occupied": 2,
        "beds_vacant_reserved": 0,
        "beds_vacant_accepting": 1,
    }
    response = await wicc.client.put(
        "/capacity/v1/providers/WHC/capacity", json=body, headers=wicc.auth()
    )
    assert response.status_code == 422
    assert {e["field"] for e in response.json()["errors"]} == {"service_type"}
    offered = await wicc.client.get("/capacity/v1/providers/WHC/capacity", headers=wicc.auth())
    assert "community_hospital" not in {s["service_type"] for s in offered.json()["services"]}


async def test_an_organisation_dropped_from_the_file_takes_its_sites_and_units_with_it(
    fresh_db: str,
) -> None:
    document = yaml.safe_load(WILTSHIRE.read_text())
    dropped = next(o for o in document["organisations"] if o["ods"] == "RN3")
    document["organisations"].remove(dropped)
    dropped_units = {u["id"] for site in dropped["sites"] for u in site["units"]}

    engine = create_engine(fresh_db, "wicc-tests", pool_size=1)
    try:
        async with create_sessionmaker(engine)() as session, session.begin():
            await load_reference(session, ReferenceFile.model_validate(document))
        async with create_sessionmaker(engine)() as session:
            orgs = {
                o.ods: o.active for o in (await session.execute(select(Organisation))).scalars()
            }
            sites = (await session.execute(select(Site))).scalars().all()
            units = (await session.execute(select(Unit))).scalars().all()
    finally:
        await engine.dispose()

    assert orgs["RN3"] is False and orgs["RNZ"] is True
    assert dropped_units and all(not u.active for u in units if u.id in dropped_units)
    assert all(not s.active for s in sites if s.org_ods == "RN3")
    assert all(u.active for u in units if u.org_ods == "RNZ")
