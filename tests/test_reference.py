"""Reference data: the YAML loader's checks and the read API."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic import ValidationError

from tests.support import Wicc
from wicc_shared.kernel.reference import ReferenceFile, read_reference_file

WILTSHIRE = Path(__file__).resolve().parent.parent / "reference" / "wiltshire.yaml"


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
