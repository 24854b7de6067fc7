"""Outbound webhooks to trusts' and councils' systems, per Standard Webhooks.

The pure core (signing, retry schedule, SSRF rules, filters, ordering, access) and the
HTTP transport that connects only to checked addresses sit here; the API and the
dispatcher are split by concept: `endpoints/` (registering, secrets, tests) and
`deliveries/` (fan-out from the event log, the delivery loop, the log, retry, replay).
"""
