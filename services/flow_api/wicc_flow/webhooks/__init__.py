"""Outbound webhooks to trusts' and councils' systems, per Standard Webhooks.

The modules here are the pure core (signing, retry schedule, SSRF rules, filters,
ordering) plus the HTTP transport that connects only to checked addresses.
"""
