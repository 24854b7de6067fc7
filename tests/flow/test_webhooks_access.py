"""Who may manage an endpoint and what an endpoint may receive (pure rules), and the
routing of one event to endpoints."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.builders.events import beds_updated
from wicc_flow.webhooks.access import Owner, may_manage, may_receive, owner_of
from wicc_flow.webhooks.deliveries.routing import Subscriber, receives
from wicc_flow.webhooks.endpoints.models import WebhookEndpoint
from wicc_shared.auth import Principal, Role
from wicc_shared.catalogue import BEDS_UPDATED, WEBHOOK_TESTED
from wicc_shared.catalogue.base import EventScope
from wicc_shared.catalogue.webhooks import WebhookTested

ORGS = st.sampled_from(["RNZ", "RN3", "RD1", "RVN"])
SYSTEMS = st.sampled_from(["wiltshire", "bsw", "dorset"])
MAYBE_ORG, MAYBE_SYSTEM = st.none() | ORGS, st.none() | SYSTEMS
NOW = datetime(2026, 12, 10, 9, tzinfo=UTC)


@given(owner_org=ORGS, system=SYSTEMS, event_org=ORGS, event_system=MAYBE_SYSTEM)
def test_an_organisation_never_receives_another_organisations_event(
    owner_org: str, system: str, event_org: str, event_system: str | None
) -> None:
    owner = Owner(org=owner_org, system=system)
    if event_org != owner_org:
        assert not may_receive(owner, EventScope(org=event_org, system=event_system))


@given(system=SYSTEMS, event_org=MAYBE_ORG, event_system=MAYBE_SYSTEM)
def test_a_care_system_receives_only_its_own_events(
    system: str, event_org: str | None, event_system: str | None
) -> None:
    received = may_receive(Owner(system=system), EventScope(org=event_org, system=event_system))
    assert received == (event_system == system)


@given(event_org=MAYBE_ORG, event_system=MAYBE_SYSTEM)
def test_an_admin_receives_everything(event_org: str | None, event_system: str | None) -> None:
    assert may_receive(Owner(), EventScope(org=event_org, system=event_system))


def test_an_organisation_receives_its_own_and_its_systems_events() -> None:
    rnz = Owner(org="RNZ", system="wiltshire")
    assert may_receive(rnz, EventScope(org="RNZ", system="wiltshire"))
    assert may_receive(rnz, EventScope(org=None, system="wiltshire"))
    assert not may_receive(rnz, EventScope(org=None, system="dorset"))
    assert not may_receive(rnz, EventScope(org=None, system=None))


def _key(role: Role, org: str | None = None, system: str | None = None) -> Principal:
    return Principal(key_id="k", role=role, org_ods=org, system_code=system)


@pytest.mark.parametrize(
    ("principal", "owner", "manages"),
    [
        (_key(Role.admin), Owner(org="RN3", system="wiltshire"), True),
        (_key(Role.integration, org="RNZ"), Owner(org="RNZ", system="wiltshire"), True),
        (_key(Role.integration, org="RNZ"), Owner(org="RN3", system="wiltshire"), False),
        (_key(Role.integration, org="RNZ"), Owner(system="wiltshire"), False),
        (_key(Role.integration, org="RNZ"), Owner(), False),
        (_key(Role.integration, system="wiltshire"), Owner(org="RN3", system="wiltshire"), True),
        (_key(Role.integration, system="wiltshire"), Owner(), False),
        (_key(Role.bed_manager, org="RNZ"), Owner(org="RNZ", system="wiltshire"), False),
    ],
)
def test_who_manages_which_endpoint(principal: Principal, owner: Owner, manages: bool) -> None:
    assert may_manage(principal, owner) is manages


def test_an_endpoint_belongs_to_the_creating_keys_scope() -> None:
    assert owner_of(_key(Role.admin), None) == Owner()
    assert owner_of(_key(Role.integration, org="RNZ"), "wiltshire") == Owner("RNZ", "wiltshire")
    assert owner_of(_key(Role.integration, system="wiltshire"), None) == Owner(system="wiltshire")
    with pytest.raises(ValueError, match="care system"):
        Owner(org="RNZ")


def _endpoint(**fields: Any) -> Subscriber:
    values: dict[str, Any] = dict(
        url="https://hooks.example/",
        event_types=["beds.*"],
        secret="x",
        created_by="k",
        created_at=NOW,
        updated_at=NOW,
    )
    return Subscriber.of(WebhookEndpoint.model_validate(values | fields))


def test_an_event_goes_where_the_filter_and_the_owner_both_allow() -> None:
    event = beds_updated("RN3-AMU", "RN3")
    payload = BEDS_UPDATED.parse(event)
    assert receives(_endpoint(), BEDS_UPDATED, payload)
    assert not receives(_endpoint(event_types=["sitrep.*"]), BEDS_UPDATED, payload)
    assert not receives(_endpoint(org_ods="RNZ"), BEDS_UPDATED, payload)
    # The owner bounds it even when the filter would let it through.
    rnz = _endpoint(owner_org="RNZ", owner_system="wiltshire", event_types=["*"])
    assert not receives(rnz, BEDS_UPDATED, payload)
    assert receives(rnz, BEDS_UPDATED, BEDS_UPDATED.parse(beds_updated("RNZ-AMU", "RNZ")))


def test_a_test_event_goes_to_its_endpoint_alone() -> None:
    mine, other = _endpoint(event_types=["sitrep.missed"]), _endpoint(event_types=["*"])
    ping = WebhookTested(endpoint_id=mine.id, owner_org=None, owner_system=None, requested_at=NOW)
    assert receives(mine, WEBHOOK_TESTED, ping)
    assert not receives(other, WEBHOOK_TESTED, ping)
