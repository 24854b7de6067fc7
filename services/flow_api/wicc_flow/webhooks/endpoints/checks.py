"""The checks an endpoint's subscription passes when it is created or changed: its URL
(no server-side request forgery), its event types (against the catalogue), and its
organisation or care system (known, and within the key's scope)."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, replace

from sqlalchemy.ext.asyncio import AsyncSession

from wicc_flow.webhooks.access import Owner
from wicc_flow.webhooks.config import WebhookConfig
from wicc_flow.webhooks.endpoints import repository
from wicc_flow.webhooks.filters import InvalidPattern, TypePattern, validate_patterns
from wicc_flow.webhooks.ssrf import UrlRefused, check_url
from wicc_shared.errors import FieldError, Forbidden, ValidationFailed


@dataclass(frozen=True)
class Subscription:
    url: str
    event_types: tuple[str, ...]
    org: str | None
    system: str | None


async def checked(
    session: AsyncSession,
    owner: Owner,
    config: WebhookConfig,
    wanted: Subscription,
    changed: Collection[str],
) -> Subscription:
    """`wanted`, its event types normalised, once every changed field passed its checks.

    Raises ValidationFailed (422, every offending field named) first, then Forbidden
    (403) for an organisation or system outside the key's scope.
    """
    errors: list[FieldError] = []
    event_types = wanted.event_types
    if "url" in changed:
        errors += await _url_errors(wanted.url, config)
    if "event_types" in changed:
        event_types, type_errors = _event_types(wanted.event_types, config.known_types)
        errors += type_errors
    if wanted.org is not None and wanted.system is not None:
        errors.append(FieldError("system", "give org or system, not both", code="org_and_system"))
    errors += await _scope_errors(session, wanted, changed)
    if errors:
        raise ValidationFailed(errors)
    await _check_within_scope(session, owner, wanted, changed)
    return replace(wanted, event_types=event_types)


async def _url_errors(url: str, config: WebhookConfig) -> list[FieldError]:
    try:
        await check_url(url, config.policy, config.resolve)
    except UrlRefused as refused:
        return [FieldError("url", refused.message, code=refused.refusal.value)]
    return []


def _event_types(
    patterns: tuple[str, ...], known: Collection[str]
) -> tuple[tuple[str, ...], list[FieldError]]:
    errors: list[FieldError] = []
    for index, text in enumerate(patterns):
        try:
            validate_patterns([text], known)
        except InvalidPattern as exc:
            code = "unknown_event_type" if _well_formed(text) else "invalid_pattern"
            errors.append(FieldError(f"event_types.{index}", exc.message, code=code))
    if errors:
        return patterns, errors
    return validate_patterns(patterns, known), []


def _well_formed(text: str) -> bool:
    try:
        TypePattern.parse(text)
    except InvalidPattern:
        return False
    return True


async def _scope_errors(
    session: AsyncSession, wanted: Subscription, changed: Collection[str]
) -> list[FieldError]:
    errors: list[FieldError] = []
    org, system = wanted.org, wanted.system
    if "org" in changed and org is not None and not await repository.organisation(session, org):
        errors.append(FieldError("org", f"unknown organisation {org!r}", code="unknown"))
    if "system" in changed and system is not None:
        known = await repository.care_system(session, system) is not None
        if not known:
            errors.append(FieldError("system", f"unknown care system {system!r}", code="unknown"))
    return errors


async def _check_within_scope(
    session: AsyncSession,
    owner: Owner,
    wanted: Subscription,
    changed: Collection[str],
) -> None:
    """An endpoint's filter stays within its owner's scope: a trust's key cannot even
    ask for another trust's events (it would receive none of them anyway)."""
    if owner.is_admin:
        return
    if "org" in changed and wanted.org is not None:
        org = await repository.organisation(session, wanted.org)
        inside = org is not None and (
            org.ods == owner.org if owner.org is not None else org.system_code == owner.system
        )
        if not inside:
            raise Forbidden(f"This key's endpoints may not follow organisation {wanted.org}.")
    if "system" in changed and wanted.system is not None and wanted.system != owner.system:
        raise Forbidden(f"This key's endpoints may not follow care system {wanted.system}.")
