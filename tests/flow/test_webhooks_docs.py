"""The receiver in docs/webhooks.md works: it accepts a callback WICC signed and refuses
a forged one. (A trust's developer copies it; it must not rot.)"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from wicc_flow.webhooks.signing import WebhookSecret, sign

DOC = Path(__file__).resolve().parents[2] / "docs" / "webhooks.md"
BODY = b'{"id":"evt-1","type":"opel.changed","subject":"orgs/RNZ","data":{"level":3}}'


def _documented_receiver() -> tuple[Any, WebhookSecret]:
    text = DOC.read_text()
    [code] = re.findall(r"```python\n(.*?)```", text, re.S)
    [secret] = re.findall(r"whsec_[A-Za-z0-9+/=]+", code)
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
