"""`Idempotency-Key` on writes (shown on the sitrep routes): replay, reuse, scope,
expiry, concurrency; and the fingerprint and purge underneath."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import uuid

import pytest

from tests.builders.sitreps import MORNING, TODAY, amendment, sitrep_body
from tests.capacity.sitrep_api import SITREPS, post_sitrep, put_sitrep
from tests.support import Wicc, count, field_names, set_clock
from wicc_shared.idempotency import (
    RETENTION,
    canonical_body,
    lock_id,
    purge_expired,
    request_hash,
)


@pytest.fixture
async def morning(wicc: Wicc) -> Wicc:
    set_clock(wicc, MORNING)
    return wicc


def new_key() -> str:
    return str(uuid.uuid4())


async def _writes(wicc: Wicc) -> dict[str, int]:
    return {
        "sitreps": await count(wicc, "SELECT count(*) FROM capacity.sitrep"),
        "versions": await count(wicc, "SELECT count(*) FROM capacity.sitrep_version"),
        "events": await count(wicc, "SELECT count(*) FROM capacity.outbox"),
        "audit": await count(wicc, "SELECT count(*) FROM kernel.audit_log"),
    }


async def test_a_retry_with_the_same_key_replays_the_original_response(morning: Wicc) -> None:
    key = new_key()
    first = await post_sitrep(morning, sitrep_body(), key=key)
    assert first.status_code == 201, first.text
    assert "idempotent-replayed" not in first.headers

    retry = await post_sitrep(morning, sitrep_body(), key=key)
    assert retry.status_code == 201  # the original status, not the 200 of a resubmission
    assert retry.content == first.content  # byte for byte
    assert retry.headers["idempotent-replayed"] == "true"
    assert retry.headers["location"] == first.headers["location"]
    assert await _writes(morning) == {"sitreps": 1, "versions": 1, "events": 1, "audit": 1}


async def test_the_same_json_in_another_key_order_or_spacing_is_the_same_request(
    morning: Wicc,
) -> None:
    key = new_key()
    body = sitrep_body()
    first = await post_sitrep(morning, body, key=key)
    shuffled = json.dumps(dict(reversed(list(body.items()))), indent=2)
    retry = await morning.client.post(
        SITREPS,
        content=shuffled,
        headers=morning.auth() | {"Idempotency-Key": key, "Content-Type": "application/json"},
    )
    assert retry.status_code == 201 and retry.headers["idempotent-replayed"] == "true"
    assert retry.content == first.content


async def test_the_same_key_with_a_different_body_is_refused(morning: Wicc) -> None:
    key = new_key()
    assert (await post_sitrep(morning, sitrep_body(), key=key)).status_code == 201
    before = await _writes(morning)

    reused = await post_sitrep(morning, sitrep_body("RN3"), key=key)
    assert reused.status_code == 422
    assert reused.headers["content-type"] == "application/problem+json"
    assert reused.json()["type"] == "urn:wicc:problem:idempotency-key-reused"
    # Another route with the same key is a different request too.
    other_route = await put_sitrep(morning, "RNZ", TODAY, amendment(nctr_patients=1), key=key)
    assert other_route.json()["type"] == "urn:wicc:problem:idempotency-key-reused"
    assert await _writes(morning) == before


async def test_keys_are_scoped_to_the_api_key(morning: Wicc) -> None:
    key = new_key()
    salisbury = await morning.key("bed_manager", org="RNZ")
    swindon = await morning.key("bed_manager", org="RN3")
    first = await post_sitrep(morning, sitrep_body("RNZ"), token=salisbury, key=key)
    second = await post_sitrep(morning, sitrep_body("RN3"), token=swindon, key=key)
    assert (first.status_code, second.status_code) == (201, 201)
    assert "idempotent-replayed" not in second.headers
    assert await count(morning, "SELECT count(*) FROM capacity.sitrep") == 2


async def test_a_failed_request_is_not_kept_so_a_corrected_one_may_use_the_key(
    morning: Wicc,
) -> None:
    key = new_key()
    bad = await post_sitrep(morning, sitrep_body(nctr_patients=-1), key=key)
    assert bad.status_code == 422
    good = await post_sitrep(morning, sitrep_body(), key=key)
    assert good.status_code == 201 and "idempotent-replayed" not in good.headers


async def test_a_key_expires_after_the_retention_period(morning: Wicc) -> None:
    key = new_key()
    assert (await post_sitrep(morning, sitrep_body(), key=key)).status_code == 201
    set_clock(morning, MORNING + RETENTION + dt.timedelta(minutes=1))
    fresh = await post_sitrep(morning, sitrep_body("RN3"), key=key)
    assert fresh.status_code == 201, fresh.text
    assert fresh.json()["org"] == "RN3"
    rows = await count(morning, "SELECT count(*) FROM kernel.idempotency")
    assert rows == 1  # the expired record was replaced


async def test_an_amendment_retried_after_a_later_one_does_not_undo_it(morning: Wicc) -> None:
    await post_sitrep(morning, sitrep_body())
    first_key = new_key()
    first = await put_sitrep(morning, "RNZ", TODAY, amendment(nctr_patients=20), key=first_key)
    second = await put_sitrep(morning, "RNZ", TODAY, amendment(nctr_patients=21), key=new_key())
    late_retry = await put_sitrep(morning, "RNZ", TODAY, amendment(nctr_patients=20), key=first_key)
    assert (first.json()["version"], second.json()["version"]) == (2, 3)
    assert late_retry.json()["version"] == 2 and late_retry.headers["idempotent-replayed"]
    current = await morning.client.get(f"{SITREPS}/RNZ/{TODAY}", headers=morning.auth())
    assert current.json()["version"] == 3 and current.json()["figures"]["nctr_patients"] == 21


async def test_concurrent_identical_requests_with_one_key_write_once(morning: Wicc) -> None:
    key = new_key()
    responses = await asyncio.gather(
        *(post_sitrep(morning, sitrep_body(), key=key) for _ in range(5))
    )
    assert [r.status_code for r in responses] == [201] * 5
    assert len({r.content for r in responses}) == 1
    assert sum("idempotent-replayed" in r.headers for r in responses) == 4
    assert await _writes(morning) == {"sitreps": 1, "versions": 1, "events": 1, "audit": 1}


async def test_concurrent_bulk_uploads_with_one_key_write_once(morning: Wicc) -> None:
    key = new_key()
    text = (
        "org,date,adult_ga_core_open,adult_ga_core_occupied,los_7_plus,los_14_plus,"
        f"los_21_plus,beds_closed_dv,nctr_patients\nRNZ,{TODAY},100,90,40,20,10,0,12\n"
    )
    headers = morning.auth() | {"Idempotency-Key": key, "Content-Type": "text/csv"}
    responses = await asyncio.gather(
        *(morning.client.post(f"{SITREPS}/bulk", content=text, headers=headers) for _ in range(3))
    )
    assert [r.status_code for r in responses] == [200] * 3
    assert [r.json()["accepted"][0]["outcome"] for r in responses] == ["created"] * 3
    assert await count(morning, "SELECT count(*) FROM capacity.sitrep_version") == 1


@pytest.mark.parametrize("key", ["x" * 201, "has space", "naïve"])
async def test_a_malformed_key_is_422_naming_the_header(morning: Wicc, key: str) -> None:
    headers = [(k.encode(), v.encode()) for k, v in morning.auth().items()]
    headers += [(b"content-type", b"application/json"), (b"idempotency-key", key.encode())]
    response = await morning.client.post(
        SITREPS, content=json.dumps(sitrep_body()).encode(), headers=headers
    )
    assert response.status_code == 422
    assert field_names(response) == {"Idempotency-Key"}
    assert response.json()["errors"][0]["location"] == "header"
    assert await count(morning, "SELECT count(*) FROM capacity.sitrep") == 0


async def test_expired_records_are_purged(morning: Wicc) -> None:
    await post_sitrep(morning, sitrep_body(), key=new_key())
    later = MORNING + dt.timedelta(hours=2)
    set_clock(morning, later)
    await post_sitrep(morning, sitrep_body("RN3"), key=new_key())
    async with morning.runtime.sessions() as session, session.begin():
        assert await purge_expired(session, later + RETENTION - dt.timedelta(hours=1)) == 1
    assert await count(morning, "SELECT count(*) FROM kernel.idempotency") == 1


def test_the_fingerprint_covers_method_path_and_canonical_json_body() -> None:
    body = b'{"a": 1, "b": [1, 2]}'
    same = b'{"b":[1,2],"a":1}'
    json_type = "application/json; charset=utf-8"
    assert canonical_body(body, json_type) == canonical_body(same, json_type)
    assert request_hash("POST", "/x", body, json_type) == request_hash(
        "post", "/x", same, "application/json"
    )
    assert request_hash("POST", "/x", body, json_type) != request_hash("PUT", "/x", body, json_type)
    assert request_hash("POST", "/x", body, json_type) != request_hash(
        "POST", "/y", body, json_type
    )
    assert request_hash("POST", "/x", b"a,b\n", "text/csv") != request_hash(
        "POST", "/x", b"a, b\n", "text/csv"
    )
    # Parts are length-prefixed, so moving bytes between them changes the hash.
    assert request_hash("POST", "/xa", b"b", "text/csv") != request_hash(
        "POST", "/x", b"ab", "text/csv"
    )
    assert -(2**31) <= lock_id("key", "k") < 2**31
