"""The small rules behind the patient API's HTTP: If-Match against the ETag, choosing a
media type from Accept, and which key may read, change and see what."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from wicc_flow.discharge_sitrep.negotiation import choose
from wicc_flow.patients import access
from wicc_flow.patients.etag import (
    PreconditionFailed,
    PreconditionRequired,
    check_if_match,
    etag_of,
)
from wicc_shared.auth import Principal, Role
from wicc_shared.errors import Forbidden, NotFound
from wicc_shared.kernel.models import Organisation

RN3 = Organisation(ods="RN3", name="GWH", kind="acute", system_code="wiltshire")
OFFERED = ("application/json", "text/csv")


@given(st.integers(1, 10_000), st.integers(1, 10_000))
def test_if_match_passes_only_for_the_current_version(current: int, sent: int) -> None:
    if sent == current:
        check_if_match(etag_of(sent), current)
        check_if_match(f'"x", {etag_of(sent)}', current)  # any of a list
    else:
        with pytest.raises(PreconditionFailed):
            check_if_match(etag_of(sent), current)


@pytest.mark.parametrize("header", [None, "", "  ", "*"])
def test_if_match_must_name_a_version(header: str | None) -> None:
    with pytest.raises(PreconditionRequired):
        check_if_match(header, 1)


@pytest.mark.parametrize(
    ("accept", "chosen"),
    [
        (None, "application/json"),
        ("", "application/json"),
        ("text/csv", "text/csv"),
        ("TEXT/CSV", "text/csv"),
        ("*/*;q=0.1, text/csv;q=0.5", "text/csv"),
        ("text/csv;q=0.5, application/json;q=0.5", "application/json"),  # a tie: the first
        ("text/*;q=0, */*", "application/json"),
        ("application/*, text/csv;q=0.9", "application/json"),
        ("text/csv;q=bad, application/json;q=0.1", "application/json"),
        ("text/html", None),
        ("application/json;q=0, text/csv;q=0", None),
    ],
)
def test_accept_chooses_the_best_offered_type(accept: str | None, chosen: str | None) -> None:
    assert choose(accept, OFFERED) == chosen


@pytest.mark.parametrize(
    ("principal", "reads", "writes"),
    [
        (Principal("k", Role.bed_manager, org_ods="RNZ"), False, False),
        (Principal("k", Role.bed_manager, org_ods="RN3"), True, True),
        (Principal("k", Role.integration, system_code="wiltshire"), True, True),
        (Principal("k", Role.integration, system_code="elsewhere"), False, False),
        (Principal("k", Role.coordinator, org_ods="RNZ"), True, False),
        (Principal("k", Role.admin), True, True),
        (Principal("k", Role.viewer, system_code="wiltshire"), False, False),
    ],
)
def test_who_reads_and_changes_a_record(principal: Principal, reads: bool, writes: bool) -> None:
    assert access.may_read(principal, RN3) is reads
    assert access.may_write(principal, RN3) is writes
    assert access.shows_nhs_number(principal, RN3) is writes
    if not reads:
        expected = Forbidden if principal.role is Role.viewer else NotFound
        with pytest.raises(expected):
            access.ensure_readable(principal, RN3, "patient record")


def test_list_scopes() -> None:
    assert access.list_scope(Principal("k", Role.coordinator, org_ods="RNZ")) == (None, None)
    assert access.list_scope(Principal("k", Role.bed_manager, org_ods="RNZ")) == ("RNZ", None)
    assert access.list_scope(Principal("k", Role.integration, system_code="w")) == (None, "w")
    for refused in (Principal("k", Role.viewer, org_ods="RNZ"), Principal("k", Role.bed_manager)):
        with pytest.raises(Forbidden):
            access.list_scope(refused)
