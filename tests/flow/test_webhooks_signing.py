"""Webhook signatures verify with the official `standardwebhooks` library, as a trust's
receiver would check them, including across a secret rotation."""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from wicc_flow.webhooks.signing import (
    InvalidSecret,
    SigningKeys,
    WebhookSecret,
    new_secret,
    sign,
    signature,
)

BODY = b'{"type":"opel.changed","data":{"org":"RNZ","level":3}}'
MSG_ID = "6f1c1b7e-3d0a-4f7e-9a61-2b8e0f3c9d10"


def _now() -> datetime:
    # The official library checks the timestamp against its own wall clock (5 minutes'
    # tolerance), so signatures it verifies must carry the real current time.
    return datetime.now(UTC)


def _seeded(seed: int) -> WebhookSecret:
    return WebhookSecret(bytes((seed + i) % 256 for i in range(32)))


def test_the_specification_example_signature() -> None:
    # The known-answer vector published with the reference implementations.
    secret = WebhookSecret.parse("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")
    body = b'{"test": 2432232314}'
    assert (
        signature(secret, "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, body)
        == "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
    )


def test_a_signed_callback_verifies_with_the_official_library() -> None:
    secret = new_secret()
    headers = sign([secret], MSG_ID, _now(), BODY)
    assert set(headers) == {"webhook-id", "webhook-timestamp", "webhook-signature"}
    assert headers["webhook-id"] == MSG_ID
    assert Webhook(secret.reveal()).verify(BODY, headers) == {
        "type": "opel.changed",
        "data": {"org": "RNZ", "level": 3},
    }


def test_the_timestamp_is_whole_seconds_rounded_down() -> None:
    moment = datetime(2026, 3, 1, 9, 30, 15, 999_999, tzinfo=UTC)
    headers = sign([_seeded(1)], MSG_ID, moment, BODY)
    assert headers["webhook-timestamp"] == str(int(moment.replace(microsecond=0).timestamp()))


@pytest.mark.parametrize("receiver_knows", ["new", "old"])
def test_during_a_rotation_either_secret_verifies(receiver_knows: str) -> None:
    old, new = _seeded(1), _seeded(2)
    keys = SigningKeys(current=old).rotate(new, now=_now())
    headers = sign(keys.active(_now()), MSG_ID, _now(), BODY)
    assert len(headers["webhook-signature"].split(" ")) == 2
    known = new if receiver_knows == "new" else old
    Webhook(known.reveal()).verify(BODY, headers, json_parse=False)


def test_a_receiver_with_another_secret_refuses() -> None:
    headers = sign([_seeded(1), _seeded(2)], MSG_ID, _now(), BODY)
    with pytest.raises(WebhookVerificationError):
        Webhook(_seeded(3).reveal()).verify(BODY, headers)


@pytest.mark.parametrize(
    ("header", "forged"),
    [("webhook-id", "6f1c1b7e-3d0a-4f7e-9a61-2b8e0f3c9d11"), ("webhook-timestamp", None)],
)
def test_a_tampered_id_or_timestamp_fails(header: str, forged: str | None) -> None:
    secret = _seeded(1)
    headers = sign([secret], MSG_ID, _now(), BODY)
    headers[header] = forged or str(int(headers[header]) - 1)
    with pytest.raises(WebhookVerificationError):
        Webhook(secret.reveal()).verify(BODY, headers)


def test_a_tampered_body_fails() -> None:
    secret = _seeded(1)
    headers = sign([secret], MSG_ID, _now(), BODY)
    with pytest.raises(WebhookVerificationError):
        Webhook(secret.reveal()).verify(BODY.replace(b"3", b"4"), headers)


@given(
    body=st.text(max_size=2000).map(str.encode),
    msg_id=st.from_regex(r"[A-Za-z0-9_-]{1,64}", fullmatch=True),
    key=st.binary(min_size=24, max_size=64),
)
def test_any_body_and_id_verify(body: bytes, msg_id: str, key: bytes) -> None:
    secret = WebhookSecret(key)
    headers = sign([secret], msg_id, _now(), body)
    Webhook(secret.reveal()).verify(body, headers, json_parse=False)


@pytest.mark.parametrize("msg_id", ["", "a.b", "with space", "line\nbreak", "x" * 256])
def test_an_unsafe_message_id_is_refused(msg_id: str) -> None:
    with pytest.raises(ValueError, match="message id"):
        sign([_seeded(1)], msg_id, _now(), BODY)


def test_signing_needs_a_secret_and_an_aware_time() -> None:
    with pytest.raises(ValueError, match="at least one secret"):
        sign([], MSG_ID, _now(), BODY)
    with pytest.raises(ValueError, match="timezone-aware"):
        sign([_seeded(1)], MSG_ID, datetime(2026, 1, 1), BODY)


def test_a_new_secret_has_the_standard_form() -> None:
    secret = new_secret(token_bytes=lambda n: b"\x07" * n)
    text = secret.reveal()
    assert text.startswith("whsec_")
    assert base64.b64decode(text.removeprefix("whsec_")) == b"\x07" * 32
    assert WebhookSecret.parse(text) == secret
    assert new_secret() != new_secret()


@pytest.mark.parametrize("size", [24, 64])
def test_secret_sizes_at_the_limits_are_accepted(size: int) -> None:
    assert len(new_secret(size).key) == size


@pytest.mark.parametrize(
    "text",
    [
        "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",  # no prefix
        "whsec_not base64!",
        "whsec_" + base64.b64encode(b"k" * 23).decode(),  # too short
        "whsec_" + base64.b64encode(b"k" * 65).decode(),  # too long
    ],
)
def test_malformed_secrets_are_refused(text: str) -> None:
    with pytest.raises(InvalidSecret):
        WebhookSecret.parse(text)


def test_a_secret_never_shows_in_its_repr() -> None:
    secret = _seeded(1)
    assert secret.reveal().removeprefix("whsec_") not in repr(secret)
    assert secret.reveal() not in f"{secret} {[secret]}"


def test_the_previous_secret_signs_only_until_the_overlap_ends() -> None:
    start = datetime(2026, 3, 1, tzinfo=UTC)
    old, new = _seeded(1), _seeded(2)
    keys = SigningKeys(current=old).rotate(new, now=start, overlap=timedelta(hours=24))
    assert keys.active(start + timedelta(hours=23, minutes=59)) == (new, old)
    assert keys.active(start + timedelta(hours=24)) == (new,)


def test_rotating_again_during_an_overlap_retires_the_oldest() -> None:
    start = datetime(2026, 3, 1, tzinfo=UTC)
    first, second, third = _seeded(1), _seeded(2), _seeded(3)
    keys = SigningKeys(current=first).rotate(second, now=start)
    keys = keys.rotate(third, now=start + timedelta(hours=1))
    assert keys.active(start + timedelta(hours=2)) == (third, second)


def test_a_previous_secret_needs_its_end_time() -> None:
    with pytest.raises(ValueError, match="go together"):
        SigningKeys(current=_seeded(1), previous=_seeded(2))
