"""Entity tags for the discharge-ready records, and the `If-Match` rule.

A record's ETag is its version, quoted (`"3"`). A PATCH must say which version it
changes: two hub staff editing the same record then cannot overwrite each other
silently. The second to send gets 412 `precondition-failed` and reads the record again.
A PATCH without `If-Match`, or with `*` (which would match any version and so defeat
the check), gets 428 `precondition-required`. Weak tags (`W/"3"`) never match: the rule
is strong comparison (RFC 9110, 13.1.1).
"""

from __future__ import annotations

from wicc_shared.errors import WiccError


class PreconditionFailed(WiccError):
    status, slug, title = 412, "precondition-failed", "The record has changed since it was read"


class PreconditionRequired(WiccError):
    status, slug, title = 428, "precondition-required", "Send If-Match with the record's ETag"


def etag_of(version: int) -> str:
    return f'"{version}"'


def check_if_match(header: str | None, version: int) -> None:
    """Pass when `header` names the current version; raise otherwise."""
    if header is None or not header.strip() or header.strip() == "*":
        raise PreconditionRequired(
            "A change to a patient record must send If-Match with the ETag of the version "
            "it was based on (GET the record to read it)."
        )
    tags = [tag.strip() for tag in header.split(",")]
    if etag_of(version) not in tags:
        raise PreconditionFailed(
            f"The record is now at version {version} (ETag {etag_of(version)}); someone "
            "changed it after you read it. Read it again and reapply your change.",
            current_etag=etag_of(version),
        )
