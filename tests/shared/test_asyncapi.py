"""The AsyncAPI document: valid against the official AsyncAPI 3.0 JSON Schema, complete
for the catalogue, served as generated, and true to the events WICC publishes."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema  # type: ignore[import-untyped]
import pytest
from referencing import Registry
from referencing.jsonschema import DRAFT7

from tests.builders.events import HAPPENED, beds_updated, care_capacity_updated
from tests.builders.sitrep_events import sitrep_missed, sitrep_recorded
from tests.support import Wicc, next_event, next_frame
from wicc_flow import examples
from wicc_flow.board.channel import board_channel
from wicc_flow.board.projection import BOARD_EVENTS, BoardProjection
from wicc_flow.events_doc.service import asyncapi
from wicc_shared.catalogue import CATALOGUE, Catalogue
from wicc_shared.catalogue.asyncapi import Channel, asyncapi_document, wicc_server

Json = dict[str, Any]

ROOT = Path(__file__).resolve().parents[2]
# From npm's @asyncapi/specs, locked in package-lock.json and installed by `make install`.
# The variant without `$id`s refers to its definitions by local pointers only, so
# nothing is ever looked up over the network.
OFFICIAL_SCHEMA = ROOT / "node_modules/@asyncapi/specs/schemas/3.0.0-without-$id.json"
DOCUMENT_URI = "urn:wicc:asyncapi"


@cache
def official_schema() -> Json:
    if not OFFICIAL_SCHEMA.is_file():
        # Failing, not skipping: a check that silently does not run cannot catch anything.
        pytest.fail(
            f"The official AsyncAPI 3.0 JSON Schema is missing: {OFFICIAL_SCHEMA.relative_to(ROOT)}"
            ". It comes from the npm package @asyncapi/specs (package.json, package-lock.json):"
            " install Node.js (npm) and run `make install`, which runs `npm ci`.",
            pytrace=False,
        )
    schema: Json = json.loads(OFFICIAL_SCHEMA.read_text())
    return schema


def problems(document: Json) -> list[str]:
    """Every way `document` breaks the official schema (empty: it is valid)."""
    schema = official_schema()
    validator = jsonschema.validators.validator_for(schema)(
        schema, format_checker=jsonschema.FormatChecker()
    )
    return [
        f"{error.json_path}: {error.message[:200]}" for error in validator.iter_errors(document)
    ]


def document() -> Json:
    return asyncapi("wicc.example.nhs.uk", secure=True)


def check_against(document: Json, pointer: str, instance: Any) -> None:
    """Validate `instance` against the schema at `pointer` in `document`, its
    `#/components/...` references resolved within the document."""
    registry: Registry[Any] = Registry().with_resource(
        DOCUMENT_URI, DRAFT7.create_resource(document)
    )
    # AsyncAPI's default schema format is a superset of JSON Schema draft 7.
    validator = jsonschema.Draft7Validator(
        {"$ref": f"{DOCUMENT_URI}#{pointer}"},
        registry=registry,
        format_checker=jsonschema.Draft7Validator.FORMAT_CHECKER,
    )
    validator.validate(instance)


def resolved(document: Json, ref: Json) -> Json:
    node: Any = document
    for part in ref["$ref"].removeprefix("#/").split("/"):
        node = node[part]
    result: Json = node
    return result


# -- the document itself ------------------------------------------------------------


def test_the_document_is_valid_asyncapi_3() -> None:
    assert problems(document()) == []


def _wrong_version(doc: Json) -> None:
    doc["asyncapi"] = "2.6.0"


def _no_title(doc: Json) -> None:
    del doc["info"]["title"]


def _asyncapi_2_verb(doc: Json) -> None:
    doc["operations"]["board.receive"]["action"] = "subscribe"


def _unknown_message_field(doc: Json) -> None:
    doc["components"]["messages"]["beds.updated"]["headerz"] = {}


def _server_without_protocol(doc: Json) -> None:
    del doc["servers"]["wicc"]["protocol"]


@pytest.mark.parametrize(
    "breakage",
    [_wrong_version, _no_title, _asyncapi_2_verb, _unknown_message_field, _server_without_protocol],
)
def test_a_broken_document_fails_validation(breakage: Callable[[Json], None]) -> None:
    broken = copy.deepcopy(document())
    breakage(broken)
    assert problems(broken) != []


def test_every_catalogue_event_type_is_described_with_its_version() -> None:
    doc = document()
    assert set(doc["components"]["messages"]) == CATALOGUE.names()
    for event_type in CATALOGUE:
        message = doc["components"]["messages"][event_type.name]
        assert (message["name"], message["x-wicc-version"]) == (event_type.name, event_type.version)
        assert message["contentType"] == "application/json"
        assert message["correlationId"]["location"] == "$message.payload#/correlationid"
        envelope = resolved(doc, message["payload"])
        assert envelope["properties"]["type"] == {"const": event_type.name}
        assert envelope["properties"]["dataschema"] == {"const": event_type.dataschema}
        payload = resolved(doc, envelope["properties"]["data"])
        assert set(payload["properties"]) == set(event_type.payload.model_fields)


def test_a_new_event_type_is_described_without_listing_it() -> None:
    catalogue = Catalogue([*CATALOGUE, HAPPENED])
    servers = {"wicc": wicc_server("127.0.0.1:8000", protocol="ws")}
    doc = asyncapi_document(catalogue, [board_channel()], servers=servers)
    assert "test.happened" in doc["components"]["messages"]
    assert "Happened" in doc["components"]["schemas"]
    assert problems(doc) == []


def test_a_channel_carrying_every_catalogue_event_as_it_is_is_valid() -> None:
    """As webhooks will: an HTTP callback's body is the envelope itself, so the channel
    refers to the catalogue's messages, and a new event type travels on it unlisted."""
    callbacks = Channel(
        key="webhooks",
        address=None,
        title="Callbacks",
        description="HTTP POSTs to a partner's endpoint",
        events=list(CATALOGUE),
    )
    servers = {"wicc": wicc_server("127.0.0.1:8000", protocol="ws")}
    doc = asyncapi_document(CATALOGUE, [board_channel(), callbacks], servers=servers)
    messages = doc["channels"]["webhooks"]["messages"]
    assert messages == {t.name: {"$ref": f"#/components/messages/{t.name}"} for t in CATALOGUE}
    assert problems(doc) == []


def test_the_board_channel_carries_a_snapshot_and_a_frame_per_board_event() -> None:
    doc = document()
    board = doc["channels"]["board"]
    assert board["address"] == "/flow/v1/board/ws"
    assert set(board["messages"]) == {"snapshot"} | {t.name for t in BOARD_EVENTS}
    assert set(board["bindings"]["ws"]["query"]["properties"]) == {"since", "token"}
    operation = doc["operations"]["board.receive"]
    assert operation["action"] == "receive"
    assert len(operation["messages"]) == len(board["messages"])
    assert doc["servers"]["wicc"]["protocol"] == "wss"


def test_the_webhooks_channel_carries_every_catalogue_event_as_it_is() -> None:
    """A callback's body is the envelope itself: the channel refers to the catalogue's
    own messages, and its receiver's address is known only at run time."""
    doc = document()
    webhooks = doc["channels"]["webhooks"]
    assert webhooks["address"] is None
    assert webhooks["messages"] == {
        t.name: {"$ref": f"#/components/messages/{t.name}"} for t in CATALOGUE
    }
    assert {"webhook.tested", "webhook_endpoint.disabled"} <= set(webhooks["messages"])
    assert "webhook-signature" in webhooks["description"]
    operation = doc["operations"]["webhooks.receive"]
    assert operation["action"] == "receive"
    assert len(operation["messages"]) == len(CATALOGUE.names())


def _refs(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        if isinstance(node.get("$ref"), str):
            yield node["$ref"]
        for value in node.values():
            yield from _refs(value)
    elif isinstance(node, list):
        for value in node:
            yield from _refs(value)


def test_every_reference_resolves_within_the_document() -> None:
    """The official schema checks each object's shape, not where a `$ref` points."""
    doc = document()
    refs = set(_refs(doc))
    assert "#/components/schemas/CareFiguresRow" in refs
    dangling = []
    for ref in sorted(refs):
        try:
            resolved(doc, {"$ref": ref})
        except KeyError:
            dangling.append(ref)
    assert dangling == []


def test_no_schema_is_an_object_of_unknown_shape() -> None:
    """A payload serialized by hand-written code can come out as `{"type": "object"}`,
    which tells a receiver nothing; every component schema lists its properties."""
    opaque = [
        name
        for name, schema in document()["components"]["schemas"].items()
        if schema.get("type") == "object" and "properties" not in schema
    ]
    assert opaque == []


# -- the document against events ------------------------------------------------------


def test_built_events_match_their_catalogue_messages() -> None:
    doc = document()
    as_of = datetime(2026, 11, 22, 8, tzinfo=UTC)
    dom_care = [{"category": None, "package_starts_per_day": 3, "spare_hours_per_week": 1.5}]
    for event in (
        beds_updated(),
        care_capacity_updated("CP-1", "dom_care", ["north"], dom_care, as_of=as_of),
    ):
        body = event.model_dump(mode="json")
        check_against(doc, f"/components/messages/{event.type}/payload", body)
        with pytest.raises(jsonschema.ValidationError):
            # Data of another type's shape is refused: the check can fail.
            check_against(doc, f"/components/messages/{event.type}/payload", {**body, "data": {}})


def test_a_board_snapshot_with_beds_care_and_sitreps_matches_the_snapshot_message() -> None:
    projection = BoardProjection()
    as_of = datetime(2026, 11, 22, 8, tzinfo=UTC)
    rows = [{"category": "nursing", "beds_max": 40, "beds_occupied": 38}]
    projection.apply(beds_updated())
    projection.apply(care_capacity_updated("CH-1", "care_home", ["south"], rows, as_of=as_of))
    projection.apply(sitrep_recorded("RNZ"))
    projection.apply(sitrep_missed("RVN"))
    frame: Json = {"kind": "snapshot", "seq": 4, "generated_at": as_of.isoformat()}
    frame |= projection.view(as_of)
    assert frame["care"]["totals"]
    assert [entry["status"] for entry in frame["sitreps"]] == ["on_time", "missed"]
    check_against(document(), "/channels/board/messages/snapshot/payload", frame)


async def test_the_served_document_is_the_generated_one(wicc: Wicc) -> None:
    response = await wicc.client.get("/flow/v1/asyncapi.json")  # no API key needed
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/json"
    host = wicc.base_url.removeprefix("http://")
    assert response.json() == asyncapi(host, secure=False)


async def test_a_published_bed_report_matches_its_board_message(wicc: Wicc) -> None:
    doc = document()
    async with wicc.board() as ws:
        check_against(doc, "/channels/board/messages/snapshot/payload", await next_frame(ws))
        response = await wicc.put_beds("RNZ-AMU", core_open=30, escalation_open=4, occupied=31)
        assert response.status_code == 200, response.text
        frame = await next_event(ws)

    assert frame["event"]["type"] == "beds.updated"
    check_against(doc, "/channels/board/messages/beds.updated/payload", frame)
    check_against(doc, "/components/messages/beds.updated/payload", frame["event"])
    # A field the catalogue does not list (personal data above all) breaks the contract.
    frame["event"]["data"]["nhs_number"] = "9434765919"
    with pytest.raises(jsonschema.ValidationError, match="nhs_number"):
        check_against(doc, "/channels/board/messages/beds.updated/payload", frame)

    async with wicc.board() as ws:  # a snapshot holding the unit
        snapshot = await next_frame(ws)
    assert [unit["unit_id"] for unit in snapshot["units"]] == ["RNZ-AMU"]
    check_against(doc, "/channels/board/messages/snapshot/payload", snapshot)


def test_the_openapi_example_of_the_document_is_valid_asyncapi_3() -> None:
    assert problems(examples.ASYNCAPI) == []
