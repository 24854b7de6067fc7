"""Webhooks as a channel of the AsyncAPI document: every catalogue event, each as its
own envelope, POSTed to a partner's endpoint (whose address WICC learns at run time)."""

from __future__ import annotations

from wicc_shared.catalogue import CATALOGUE
from wicc_shared.catalogue.asyncapi import Channel

DESCRIPTION = """\
HTTP callbacks to an endpoint registered with `POST /flow/v1/webhooks/endpoints`, per the
Standard Webhooks specification (https://www.standardwebhooks.com). Each callback is a
`POST` whose body is one event envelope exactly as described by its message here, with
the headers:

- `webhook-id`: the event's `id`, the same on every retry and replay (deduplicate on it);
- `webhook-timestamp`: when the attempt was signed, in seconds since 1970 (UTC);
- `webhook-signature`: `v1,<base64 HMAC-SHA256>` of `{webhook-id}.{webhook-timestamp}.{body}`
  under the endpoint's secret (`whsec_...`); two such signatures, separated by a space,
  while a rotated secret is still in its overlap.

Verify every callback with an official Standard Webhooks library. Answer any `2xx`
within 15 seconds: anything else is retried (immediately, then after 5 s, 5 min, 30 min,
2 h, 5 h, 10 h, 14 h, 20 h and 24 h); `410 Gone` disables the endpoint. Callbacks about
one `subject` arrive in order. An endpoint receives the event types it subscribes to,
within its owner's scope, and `webhook.tested` when a test is asked for.
"""


def webhooks_channel() -> Channel:
    return Channel(
        key="webhooks",
        address=None,
        title="Webhooks (HTTP callbacks)",
        description=DESCRIPTION,
        events=list(CATALOGUE),
        operation_summary="Receive signed HTTP callbacks, one event each",
    )
