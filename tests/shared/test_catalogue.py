"""The event catalogue: names, versions, no personal data, and every event the code
produces validates against its payload model."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from typing import Any

import pytest
from pydantic import BaseModel

from tests.builders.patient_api import NOW, PATIENTS, TODAY, created, nhs_number, patch
from tests.builders.sitreps import sitrep_body
from tests.escalation.opel_api import declared, escalation, run_job, until
from tests.support import Wicc, fetch
from wicc_capacity.state import CapacityState
from wicc_shared.catalogue import CATALOGUE, is_event_name
from wicc_shared.catalogue.base import EventPayload

# Field names that would put a person on a shared screen or in a partner's system.
PERSONAL = frozenset(
    {
        "nhs_number",
        "nhs_no",
        "patient_name",
        "given_name",
        "family_name",
        "first_name",
        "last_name",
        "surname",
        "forename",
        "date_of_birth",
        "dob",
        "birth_date",
        "address",
        "postcode",
        "phone",
        "email",
        "reason_text",
        "note",
        "notes",
    }
)


def field_names(model: type[BaseModel]) -> Iterator[str]:
    """Every field name of `model` and of the models it nests, recursively."""
    schema = model.model_json_schema(mode="serialization")
    yield from _names(schema)
    for definition in schema.get("$defs", {}).values():
        yield from _names(definition)


def _names(schema: dict[str, Any]) -> Iterator[str]:
    yield from schema.get("properties", {})


def personal_fields(model: type[BaseModel]) -> set[str]:
    return {name for name in field_names(model) if name in PERSONAL}


@pytest.mark.parametrize("event_type", list(CATALOGUE), ids=lambda t: t.name)
def test_every_entry_is_named_versioned_and_closed(event_type: Any) -> None:
    assert is_event_name(event_type.name)
    assert event_type.version >= 1
    assert issubclass(event_type.payload, EventPayload)
    assert event_type.payload.model_config.get("extra") == "forbid"
    assert event_type.dataschema == f"urn:wicc:event:{event_type.name}:{event_type.version}"


@pytest.mark.parametrize("event_type", list(CATALOGUE), ids=lambda t: t.name)
def test_no_payload_carries_personal_data(event_type: Any) -> None:
    assert personal_fields(event_type.payload) == set()


def test_the_personal_data_check_finds_a_nested_nhs_number() -> None:
    class Person(BaseModel):
        nhs_number: str

    class Leaky(EventPayload):
        unit_id: str
        patients: list[Person]

    assert personal_fields(Leaky) == {"nhs_number"}


@pytest.mark.parametrize(
    "name", ["beds.updated", "bed_status.updated", "patient.withdrawn", "opel.level_changed"]
)
def test_names_follow_the_scheme(name: str) -> None:
    assert is_event_name(name)


@pytest.mark.parametrize(
    "name", ["beds-updated", "Beds.updated", "bed-status.updated", "sitrep.missing", "beds"]
)
def test_names_outside_the_scheme_are_refused(name: str) -> None:
    assert not is_event_name(name)


@pytest.fixture
def settings_overrides() -> dict[str, Any]:
    # The webhook events need an endpoint: on loopback, where nothing listens.
    return {"webhook_allow_private": True}


async def _produce_every_event(wicc: Wicc) -> None:
    """Drive every write path that announces something."""
    now = dt.datetime.now(dt.UTC)
    assert (await wicc.put_beds("RNZ-AMU", as_of=now - dt.timedelta(minutes=5))).is_success
    bed = await wicc.client.put(
        "/capacity/v1/units/RD1-AMU/bed-status/B1",
        json={"status": "O", "as_of": (now - dt.timedelta(minutes=4)).isoformat()},
        headers=wicc.auth(),
    )
    assert bed.is_success, bed.text
    care = await wicc.client.put(
        "/capacity/v1/providers/CP-HTLAH-N/capacity",
        json={
            "service_type": "dom_care",
            "as_of": (now - dt.timedelta(minutes=3)).isoformat(),
            "package_starts_per_day": 2,
            "spare_hours_per_week": 40,
        },
        headers=wicc.auth(),
    )
    assert care.is_success, care.text
    # A morning after the deadline: RNZ reports, then amends; the others are missed.
    wicc.runtime.clock = lambda: dt.datetime(2026, 11, 23, 11, 30, tzinfo=dt.UTC)
    day = dt.date(2026, 11, 23)
    posted = await wicc.client.post(
        "/capacity/v1/sitreps", json=sitrep_body("RNZ", day), headers=wicc.auth()
    )
    assert posted.status_code == 201, posted.text
    amended_body = sitrep_body("RNZ", day, nctr_patients=26)
    del amended_body["org"], amended_body["date"]
    amended = await wicc.client.put(
        f"/capacity/v1/sitreps/RNZ/{day}",
        json=amended_body | {"reason": "recounted"},
        headers=wicc.auth(),
    )
    assert amended.status_code == 200, amended.text
    scheduler = wicc.runtime.scheduler
    assert scheduler is not None
    assert await scheduler.run_once(wicc.state(CapacityState).deadline_check, force=True)
    # The day's summary, built on demand, announces itself.
    summary = await wicc.client.post(f"/flow/v1/summaries/wiltshire/{day}", headers=wicc.auth())
    assert summary.status_code == 201, summary.text
    await _produce_patient_flow_events(wicc)
    await _produce_opel_events(wicc)
    await _webhook_events(wicc)


async def _produce_patient_flow_events(wicc: Wicc) -> None:
    """A patient listed, changed, given a red day, discharged; another withdrawn (each
    write recounts the trust's discharge sitrep)."""
    listed = await created(wicc, nhs_number=nhs_number())
    changed = await patch(wicc, listed["id"], {"pathway": 2}, '"1"')
    assert changed.status_code == 200, changed.text
    path = f"{PATIENTS}/{listed['id']}"
    day = await wicc.client.put(
        f"{path}/days/{TODAY}",
        json={"colour": "red", "reason": "awaiting_community_bed", "recorded_by": "Ward A"},
        headers=wicc.auth(),
    )
    assert day.status_code == 201, day.text
    body = {"discharged_at": NOW.isoformat(), "destination": "community_hospital"}
    left = await wicc.client.post(f"{path}/discharge", json=body, headers=wicc.auth())
    assert left.status_code == 200, left.text
    other = await created(wicc, local_ref="SDH-0002")
    body = {"withdrawn_at": NOW.isoformat(), "reason": "met_criteria_to_reside"}
    gone = await wicc.client.post(
        f"{PATIENTS}/{other['id']}/withdraw", json=body, headers=wicc.auth()
    )
    assert gone.status_code == 200, gone.text


async def _produce_opel_events(wicc: Wicc) -> None:
    """OPEL from the sitrep above; a declaration, its actions acted on, overdue, a
    lasting divergence, a step down."""
    opel = "/escalation/v1/orgs/RNZ"
    await until(wicc, f"{opel}/opel", lambda o: o["level"] is not None)
    issued = (await declared(wicc, f"{opel}/declarations", 4))["actions_issued"]
    for action, verb, body in (
        (issued[0], "acknowledge", None),
        (issued[1], "complete", {"note": "done"}),
    ):
        done = await wicc.client.post(
            f"/escalation/v1/actions/{action['id']}/{verb}", json=body, headers=wicc.auth()
        )
        assert done.status_code == 200, done.text
    moved = dt.datetime(2026, 11, 23, 12, 31, tzinfo=dt.UTC)
    wicc.runtime.clock = lambda: moved
    await run_job(wicc, escalation(wicc).action_overdue)
    await run_job(wicc, escalation(wicc).opel_timers)
    await declared(wicc, f"{opel}/declarations", 1)


async def _webhook_events(wicc: Wicc) -> None:
    """A test callback asked for, then the endpoint disabled on request."""
    endpoints = "/flow/v1/webhooks/endpoints"
    body = {"url": "http://127.0.0.1:9/hooks", "event_types": ["webhook_endpoint.*"]}
    created = await wicc.client.post(endpoints, json=body, headers=wicc.auth())
    assert created.status_code == 201, created.text
    path = f"{endpoints}/{created.json()['id']}"
    tested = await wicc.client.post(f"{path}/test", headers=wicc.auth())
    assert tested.status_code == 202, tested.text
    disabled = await wicc.client.patch(path, json={"enabled": False}, headers=wicc.auth())
    assert disabled.status_code == 200, disabled.text


async def test_every_event_the_code_produces_validates_against_its_model(wicc: Wicc) -> None:
    await _produce_every_event(wicc)
    rows = await fetch(
        wicc,
        "SELECT type, payload FROM capacity.outbox UNION ALL "
        "SELECT type, payload FROM flow.outbox UNION ALL "
        "SELECT type, payload FROM escalation.outbox",
    )
    produced: set[str] = set()
    for row in rows:
        event_type = CATALOGUE.get(row["type"])
        assert event_type is not None, f"{row['type']} is not in the catalogue"
        envelope = _json(row["payload"])
        assert envelope["dataschema"] == event_type.dataschema
        payload = event_type.payload.model_validate(envelope["data"])
        assert envelope["subject"] == event_type.subject(payload)
        produced.add(event_type.name)
    # A new catalogue entry must be produced here too, so it is checked the same way.
    assert produced == CATALOGUE.names()


def _json(value: Any) -> dict[str, Any]:
    decoded: dict[str, Any] = value if isinstance(value, dict) else json.loads(value)
    return decoded
