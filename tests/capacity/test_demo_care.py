"""The demo care capacity `make run` seeds: every care service of the Wiltshire file
reports once, fresh, in its own unit, through the service (so audited and announced),
and only when no care figure exists."""

from __future__ import annotations

from tests.support import Wicc, fetch
from wicc.demo_care import seed_demo_care
from wicc_shared.rules.care_freshness import DEFAULT_CARE_FRESHNESS_HOURS


async def test_every_demo_care_service_reports_a_fresh_figure_once(wicc: Wicc) -> None:
    async with wicc.runtime.transaction() as session:
        reported = await seed_demo_care(session, DEFAULT_CARE_FRESHNESS_HOURS)
    services = await fetch(wicc, "SELECT org_ods, service_type FROM kernel.care_service")
    assert reported == len(services) > 0

    response = await wicc.client.get(
        "/capacity/v1/care-capacity", params={"limit": 500}, headers=wicc.auth()
    )
    assert response.status_code == 200, response.text
    items = response.json()["items"]
    assert {(i["provider"], i["service_type"]) for i in items} == {
        (s["org_ods"], s["service_type"]) for s in services
    }
    assert not any(i["stale"] for i in items)
    outbox = await fetch(
        wicc, "SELECT count(*) AS n FROM capacity.outbox WHERE type = 'care_capacity.updated'"
    )
    assert outbox[0]["n"] == reported

    async with wicc.runtime.transaction() as session:
        assert await seed_demo_care(session, DEFAULT_CARE_FRESHNESS_HOURS) == 0
