"""The receiver in docs/webhooks.md works: it accepts a callback WICC signed and refuses
a forged one. (A trust's developer copies it; it must not rot.)"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.flow.webhook_receiver import Receiver
from tests.flow.webhooks_api import WEBHOOK_SETTINGS, create_endpoint
from tests.support import Wicc
from wicc_flow.webhooks.signing import WebhookSecret, sign

DOC = Path(__file__).resolve().parents[2] / "docs" / "webhooks.md"
BODY = b'{"id":"evt-1","type":"opel.changed","subject":"orgs/RNZ","data":{"level":3}}'


def _documented_receiver(with_secret: str | None = None) -> tuple[Any, WebhookSecret]:
    text = DOC.read_text()
    [code] = re.findall(r"```python\n(.*?)```", text, re.S)
    [secret] = re.findall(r"whsec_[A-Za-z0-9+/=]+", code)
    if with_secret is not None:  # as a trust pastes its endpoint's secret in
        code, secret = code.replace(secret, with_secret), with_secret
    namespace: dict[str, Any] = {}
    exec(compile(code, str(DOC), "exec"), namespace)  # noqa: S102 (our own documentation)
    return namespace["app"], WebhookSecret.parse(secret)


@pytest.fixture
def receiver() -> tuple[httpx.AsyncClient, WebhookSecret]:
    app, secret = _documented_receiver()
    client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://r")
    return client, secret


async def test_the_documented_receiver_accepts_a_signed_callback(
    receiver: tuple[httpx.AsyncClient, WebhookSecret], capsys: pytest.CaptureFixture[str]
) -> None:
    client, secret = receiver
    headers = sign([secret], "evt-1", datetime.now(UTC), BODY)
    async with client:
        response = await client.post("/wicc", content=BODY, headers=headers)
    assert response.status_code == 200
    assert "opel.changed orgs/RNZ {'level': 3}" in capsys.readouterr().out


async def test_the_documented_receiver_refuses_a_forged_callback(
    receiver: tuple[httpx.AsyncClient, WebhookSecret],
) -> None:
    client, _ = receiver
    forger = WebhookSecret(b"f" * 32)
    headers = sign([forger], "evt-1", datetime.now(UTC), BODY)
    async with client:
        response = await client.post("/wicc", content=BODY, headers=headers)
    assert response.status_code == 401


@pytest.fixture
def settings_overrides() -> dict[str, Any]:
    return WEBHOOK_SETTINGS


async def test_the_documented_receiver_accepts_a_callback_from_wicc(
    wicc: Wicc, capsys: pytest.CaptureFixture[str]
) -> None:
    receiver = await Receiver().start()
    try:
        endpoint = await create_endpoint(wicc, receiver.url)
        await wicc.put_beds("RNZ-AMU", occupied=17)
        [callback] = await receiver.wait_for(1)
    finally:
        await receiver.stop()
    app, _secret = _documented_receiver(with_secret=endpoint["secret"])
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://r") as client:
        response = await client.post("/wicc", content=callback.body, headers=callback.headers)
    assert response.status_code == 200, response.text
    assert "beds.updated units/RNZ-AMU" in capsys.readouterr().out
