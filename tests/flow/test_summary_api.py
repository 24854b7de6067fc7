"""The summaries API: build on demand (each build a version), read by content
negotiation, list the builds; who may do what; bad input named in a problem."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from tests.flow.summary_api import (
    DAY,
    MORNING,
    SUMMARY_SETTINGS,
    at_morning,
    build,
    document,
    read,
    summary_path,
)
from tests.support import PROBLEM, Wicc, events_of, fetch, field_names


@pytest.fixture
def settings_overrides() -> dict[str, Any]:
    return SUMMARY_SETTINGS


async def _built(wicc: Wicc, **kwargs: Any) -> dict[str, Any]:
    response = await build(wicc, **kwargs)
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


async def test_a_build_is_created_with_its_location_and_read_in_three_formats(wicc: Wicc) -> None:
    at_morning(wicc)
    assert (await wicc.put_beds("RNZ-AMU", as_of=MORNING - dt.timedelta(minutes=20))).is_success
    response = await build(wicc)
    assert response.status_code == 201, response.text
    built = response.json()
    assert response.headers["location"] == "/flow/v1/summaries/wiltshire/2026-12-03?version=1"
    assert built | {"built_by": "x"} == {
        "system": "wiltshire",
        "date": "2026-12-03",
        "version": 1,
        "built_at": "2026-12-03T08:40:00Z",
        "trigger": "on_demand",
        "built_by": "x",
        "stale_sources": built["stale_sources"],
        "href": response.headers["location"],
    }

    as_json = await read(wicc)
    assert as_json.headers["content-type"] == "application/json"
    assert as_json.headers["vary"] == "Accept"
    assert as_json.headers["content-location"] == built["href"]
    doc = as_json.json()
    assert (doc["day"], doc["build"]["version"], doc["build"]["built_by"]) == (
        "2026-12-03",
        1,
        "on_demand",
    )
    salisbury = next(a for a in doc["organisations"] if a["code"] == "RNZ")
    assert salisbury["beds"]["occupancy"]["today"]["value"] == 81.8  # 18 of 22 open

    markdown = await read(wicc, accept="text/markdown")
    assert markdown.headers["content-type"] == "text/markdown; charset=utf-8"
    assert markdown.text.startswith("# Daily system call: Wiltshire system")
    assert "81.8 %" in markdown.text

    html = await read(wicc, accept="text/html")
    assert html.headers["content-type"] == "text/html; charset=utf-8"
    assert html.text.startswith("<!DOCTYPE html>")
    assert html.text.count("<svg") >= 2  # occupancy and trend charts, inline
    assert "81.8 %" in html.text


@pytest.mark.parametrize(
    ("accept", "served"),
    [
        (None, "application/json"),
        ("*/*", "application/json"),
        ("text/*", "text/markdown"),
        ("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", "text/html"),
        ("text/html;q=0.5, text/markdown", "text/markdown"),
        ("application/json;q=0, */*", "text/markdown"),
    ],
)
async def test_the_format_follows_accept(wicc: Wicc, accept: str | None, served: str) -> None:
    at_morning(wicc)
    await _built(wicc)
    response = await read(wicc, accept=accept)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].split(";")[0] == served


async def test_a_format_not_offered_is_406(wicc: Wicc) -> None:
    at_morning(wicc)
    await _built(wicc)
    response = await read(wicc, accept="application/pdf, text/csv;q=0.5")
    assert response.status_code == 406
    assert response.headers["content-type"] == PROBLEM
    assert response.json()["type"] == "urn:wicc:problem:not-acceptable"


async def test_a_rebuild_adds_a_version_and_keeps_the_old_one(wicc: Wicc) -> None:
    at_morning(wicc)
    assert (await wicc.put_beds("RNZ-AMU", occupied=18, as_of=MORNING)).is_success
    first = await _built(wicc)
    at_morning(wicc, MORNING + dt.timedelta(minutes=10))
    assert (
        await wicc.put_beds("RNZ-AMU", occupied=20, as_of=MORNING + dt.timedelta(minutes=5))
    ).is_success
    second = await _built(wicc)
    assert (first["version"], second["version"]) == (1, 2)

    def occupancy(doc: dict[str, Any]) -> float:
        rnz = next(a for a in doc["organisations"] if a["code"] == "RNZ")
        value: float = rnz["beds"]["occupancy"]["today"]["value"]
        return value

    latest, old = await document(wicc), await document(wicc, version=1)
    assert (latest["build"]["version"], occupancy(latest)) == (2, 90.9)
    assert (old["build"]["version"], occupancy(old)) == (1, 81.8)
    assert (await read(wicc, version=3)).status_code == 404

    listed = (
        await wicc.client.get(
            "/flow/v1/summaries", params={"system": "wiltshire"}, headers=wicc.auth()
        )
    ).json()
    assert [(i["version"], i["trigger"]) for i in listed["items"]] == [
        (2, "on_demand"),
        (1, "on_demand"),
    ]
    assert listed["total"] == 2


async def test_a_retry_with_the_same_idempotency_key_builds_once(wicc: Wicc) -> None:
    at_morning(wicc)
    key = {"Idempotency-Key": "summary-2026-12-03-a"}
    first = await build(wicc, headers=key)
    again = await build(wicc, headers=key)
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.headers["idempotent-replayed"] == "true"
    assert again.json() == first.json()
    rows = await fetch(wicc, "SELECT count(*) AS n FROM flow.summary")
    assert rows[0]["n"] == 1


async def test_a_build_is_announced_and_audited(wicc: Wicc) -> None:
    at_morning(wicc)
    coordinator = await wicc.key("coordinator", system="wiltshire")
    built = await _built(wicc, token=coordinator)
    (event,) = await events_of(wicc, "summary.published", 1)
    assert event.subject == "summaries/wiltshire/2026-12-03"
    assert event.data == {
        "system": "wiltshire",
        "date": "2026-12-03",
        "version": 1,
        "built_at": "2026-12-03T08:40:00Z",
        "trigger": "on_demand",
        "stale_sources": built["stale_sources"],
        "href": "/flow/v1/summaries/wiltshire/2026-12-03?version=1",
        "media_types": ["application/json", "text/markdown", "text/html"],
    }
    (audit,) = await fetch(
        wicc,
        "SELECT actor, actor_role, action, entity_id FROM kernel.audit_log "
        "WHERE entity_type = 'summary'",
    )
    assert dict(audit) == {
        "actor": built["built_by"],
        "actor_role": "coordinator",
        "action": "summary.published",
        "entity_id": "wiltshire/2026-12-03/1",
    }


async def test_who_may_build_and_who_may_read(wicc: Wicc) -> None:
    at_morning(wicc)
    viewer = await wicc.key("viewer", system="wiltshire")
    bed_manager = await wicc.key("bed_manager", org="RNZ")
    trust_coordinator = await wicc.key("coordinator", org="RN3")
    for token in (viewer, bed_manager):
        refused = await build(wicc, token=token)
        assert refused.status_code == 403, refused.text
        assert refused.json()["type"] == "urn:wicc:problem:forbidden"
    assert (await build(wicc, token=None)).status_code == 401
    assert (await build(wicc, token=trust_coordinator)).status_code == 201
    assert (await read(wicc, token=viewer, accept="text/html")).status_code == 200
    assert (await read(wicc, token=None)).status_code == 401


async def test_unknown_systems_future_and_past_days_are_refused_by_name(wicc: Wicc) -> None:
    at_morning(wicc)
    assert (await build(wicc, system="nowhere")).status_code == 404
    assert (await read(wicc, system="nowhere")).status_code == 404
    tomorrow = DAY + dt.timedelta(days=1)
    for response in (await build(wicc, tomorrow), await read(wicc, tomorrow)):
        assert response.status_code == 422, response.text
        assert field_names(response) == {"date"}
        assert response.json()["errors"][0]["code"] == "future_date"
    past = await build(wicc, DAY - dt.timedelta(days=1))
    assert (past.status_code, past.json()["errors"][0]["code"]) == (422, "past_date")
    assert (await read(wicc, DAY - dt.timedelta(days=1))).status_code == 404  # none built
    bad = await wicc.client.get(summary_path() + "?version=0", headers=wicc.auth())
    assert field_names(bad) == {"version"}
    not_a_day = await wicc.client.post(
        "/flow/v1/summaries/wiltshire/2026-13-40", headers=wicc.auth()
    )
    assert field_names(not_a_day) == {"date"}


async def test_the_list_filters_pages_and_names_bad_parameters(wicc: Wicc) -> None:
    at_morning(wicc)
    for _ in range(3):
        await _built(wicc)

    async def listing(**params: Any) -> Any:
        return await wicc.client.get("/flow/v1/summaries", params=params, headers=wicc.auth())

    page = (await listing(limit=2, offset=1)).json()
    assert ([i["version"] for i in page["items"]], page["total"]) == ([2, 1], 3)
    assert (await listing(**{"from": "2026-12-04"})).json()["total"] == 0
    assert (await listing(**{"from": "2026-12-03", "to": "2026-12-03"})).json()["total"] == 3
    assert field_names(await listing(system="nowhere")) == {"system"}
    assert field_names(await listing(**{"from": "2026-12-04", "to": "2026-12-03"})) == {"from"}
