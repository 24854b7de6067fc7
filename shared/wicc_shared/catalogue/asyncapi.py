"""The AsyncAPI 3.0 document of WICC's events, generated from the catalogue.

Pure: no framework and no I/O. Every catalogue entry becomes a message in
`components.messages` (its envelope, with `data` the payload model's JSON Schema), so
an event type is described as soon as it is registered, without anyone listing it.

Channels say where the messages travel. Each service that delivers events describes
its channel with a `Channel` (the board's WebSocket now; webhooks next, carrying every
catalogue event) and the document is built from the catalogue and those channels. The
document is written from the receiver's side (a board, a partner's system), so each
channel has one `receive` operation.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from importlib.metadata import version as distribution_version
from typing import Any, Literal

from pydantic import BaseModel
from pydantic.json_schema import JsonSchemaMode, models_json_schema

from wicc_shared.catalogue.base import Catalogue, EventType
from wicc_shared.events.envelope import Event

ASYNCAPI_VERSION = "3.0.0"
SCHEMAS = "#/components/schemas/"
MESSAGES = "#/components/messages/"
ENVELOPE = Event.__name__
# A catalogue event, wherever it travels: its envelope's correlation id.
CORRELATION_ID = "$message.payload#/correlationid"

Json = dict[str, Any]

DESCRIPTION = """\
The events WICC publishes about health and social care capacity in a care system (bed
figures, care capacity, sitreps), generated from WICC's event catalogue.

Each event is an envelope in the style of CloudEvents 1.0 whose `data` is the payload
of its type. `dataschema` names the type and the payload's version
(`urn:wicc:event:<type>:<version>`); an incompatible change to a payload is a new
version, never a silent change of meaning. Ignore event types you do not know.

**No personal data, ever.** No event carries an NHS number, a person's name, a date of
birth, an address or free text that may hold them: only organisations, units, counts,
codes and pseudonymous ids.

This document is written from the receiver's side (a board, a partner's system): each
channel has one `receive` operation.
"""


def catalogue_message_ref(event_type: EventType[Any]) -> Json:
    """The catalogue's own message for `event_type`: an event delivered as it is."""
    return {"$ref": MESSAGES + event_type.name}


def envelope_ref(event_type: EventType[Any]) -> Json:
    """The schema of `event_type`'s whole envelope."""
    return {"$ref": SCHEMAS + envelope_schema_name(event_type)}


def envelope_schema_name(event_type: EventType[Any]) -> str:
    """`beds.updated` -> `BedsUpdatedEvent`."""
    words = event_type.name.replace(".", "_").split("_")
    return "".join(word.capitalize() for word in words) + "Event"


@dataclass(frozen=True)
class Channel:
    """Where events travel, and how each catalogue event is carried there.

    `event_message` gives the message that carries one event on this channel: by
    default the catalogue's message itself (an HTTP callback's body is the envelope);
    the board wraps each envelope in a frame. `messages` are the channel's other
    messages (keyed by id), and `models` the pydantic models their payloads refer to
    (`#/components/schemas/<Model>`), generated with the payloads so names are shared.
    """

    key: str
    address: str | None  # None: known only at run time (a partner's callback URL)
    title: str
    description: str
    events: Sequence[EventType[Any]]
    event_message: Callable[[EventType[Any]], Json] = catalogue_message_ref
    messages: Mapping[str, Json] = field(default_factory=dict)
    models: Sequence[type[BaseModel]] = ()
    bindings: Json = field(default_factory=dict)
    servers: Sequence[str] = ()
    security: Mapping[str, Json] = field(default_factory=dict)
    action: Literal["receive", "send"] = "receive"
    operation_summary: str = ""

    def all_messages(self) -> dict[str, Json]:
        messages = {t.name: self.event_message(t) for t in self.events}
        clashes = messages.keys() & self.messages.keys()
        if clashes:
            raise ValueError(f"channel {self.key!r}: messages {sorted(clashes)} named twice")
        return dict(self.messages) | messages


def asyncapi_document(
    catalogue: Catalogue,
    channels: Sequence[Channel],
    *,
    servers: Mapping[str, Json],
    api_version: str | None = None,
) -> Json:
    """The AsyncAPI 3.0.0 document: every catalogue event, and the channels carrying them."""
    for channel in channels:
        # Messages refer to the catalogue's envelopes, and channels to servers, by name.
        unknown = [t.name for t in channel.events if catalogue.get(t.name) is not t]
        unknown += [name for name in channel.servers if name not in servers]
        if unknown:
            raise ValueError(f"channel {channel.key!r}: {unknown} not in the catalogue or servers")
    schemas = component_schemas(catalogue, [m for c in channels for m in c.models])
    return {
        "asyncapi": ASYNCAPI_VERSION,
        "id": "urn:wicc:events",
        "info": {
            "title": "WICC events",
            "version": api_version or distribution_version("wicc-shared"),
            "description": DESCRIPTION,
            "license": {"name": "Apache-2.0", "url": "https://www.apache.org/licenses/LICENSE-2.0"},
        },
        "defaultContentType": "application/json",
        "servers": dict(servers),
        "channels": {c.key: _channel(c) for c in channels},
        "operations": {f"{c.key}.{c.action}": _operation(c) for c in channels},
        "components": {
            "schemas": schemas,
            "messages": {t.name: _catalogue_message(t) for t in catalogue},
            "securitySchemes": _security_schemes(channels),
        },
    }


def component_schemas(catalogue: Catalogue, models: Iterable[type[BaseModel]] = ()) -> Json:
    """Schemas of the envelope, every payload and `models`, nested models included,
    each under its own name, and one whole envelope per event type."""
    payloads: dict[type[BaseModel], None] = {t.payload: None for t in catalogue}  # each once
    every: list[type[BaseModel]] = [Event, *payloads, *models]
    wanted: list[tuple[type[BaseModel], JsonSchemaMode]] = [(m, "serialization") for m in every]
    # One call for all, so a model nested in several payloads is one schema, and
    # every reference points into the document's components.
    refs, top = models_json_schema(wanted, ref_template=SCHEMAS + "{model}")
    schemas: Json = dict(top.get("$defs", {}))
    for event_type in catalogue:
        name = envelope_schema_name(event_type)
        if name in schemas:
            raise ValueError(f"schema {name!r} is both a model and {event_type.name}'s envelope")
        schemas[name] = _envelope(event_type, refs[(event_type.payload, "serialization")])
    return schemas


def _envelope(event_type: EventType[Any], payload: Json) -> Json:
    """The envelope with this type's name, version and payload."""
    return {
        "title": f"{event_type.name} event",
        "description": event_type.summary,
        "allOf": [{"$ref": SCHEMAS + ENVELOPE}],
        "properties": {
            "type": {"const": event_type.name},
            "source": {"const": f"/{event_type.producer}", "description": "The producing service"},
            "subject": {"type": "string", "description": f"`{event_type.subject_pattern}`"},
            "dataschema": {"const": event_type.dataschema},
            "data": payload,
        },
        # Every event written since the catalogue gives these, whatever the defaults.
        "required": ["specversion", "id", "time", "datacontenttype", "dataschema"],
    }


def _catalogue_message(event_type: EventType[Any]) -> Json:
    description = (
        f"Produced by the {event_type.producer} service. `subject`: "
        f"`{event_type.subject_pattern}`. `dataschema`: `{event_type.dataschema}`."
    )
    if event_type.legacy_names:
        names = ", ".join(f"`{name}`" for name in event_type.legacy_names)
        description += f" Entries written before it was renamed carry the type {names}."
    return {
        "name": event_type.name,
        "title": f"{event_type.name} (version {event_type.version})",
        "summary": event_type.summary,
        "description": description,
        "contentType": "application/json",
        "payload": envelope_ref(event_type),
        "correlationId": {
            "description": "The correlation id of the request that caused the event",
            "location": CORRELATION_ID,
        },
        "x-wicc-version": event_type.version,
    }


def _channel(channel: Channel) -> Json:
    described: Json = {
        "address": channel.address,
        "title": channel.title,
        "description": channel.description,
        "messages": channel.all_messages(),
    }
    if channel.servers:
        described["servers"] = [{"$ref": f"#/servers/{name}"} for name in channel.servers]
    if channel.bindings:
        described["bindings"] = channel.bindings
    return described


def _operation(channel: Channel) -> Json:
    operation: Json = {
        "action": channel.action,
        "channel": {"$ref": f"#/channels/{channel.key}"},
        "messages": [
            {"$ref": f"#/channels/{channel.key}/messages/{key}"} for key in channel.all_messages()
        ],
    }
    if channel.operation_summary:
        operation["summary"] = channel.operation_summary
    if channel.security:
        operation["security"] = [
            {"$ref": f"#/components/securitySchemes/{name}"} for name in channel.security
        ]
    return operation


def _security_schemes(channels: Iterable[Channel]) -> Json:
    schemes: Json = {}
    for channel in channels:
        for name, scheme in channel.security.items():
            if schemes.setdefault(name, scheme) != scheme:
                raise ValueError(f"security scheme {name!r} is declared twice, differently")
    return schemes


def wicc_server(host: str, *, protocol: str) -> Json:
    """WICC itself, at `host` (a variable, so a reader may point it elsewhere)."""
    return {
        "host": "{host}",
        "protocol": protocol,
        "title": "WICC",
        "description": "A WICC deployment: every service shares one origin.",
        "variables": {
            "host": {
                "default": host,
                "description": "Host and port WICC is reached at",
                "examples": ["127.0.0.1:8000"],
            }
        },
    }
