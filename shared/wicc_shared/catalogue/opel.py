"""OPEL events: calculated and declared escalation levels, a lasting difference between
the two, and the actions a declared level sets in motion.

Levels, scores, codes and API key ids only: a declaration's reason and an action's note
are free text and stay in the escalation service (its API and audit log).

Every payload says what it is `about`: an organisation (`org` is its ODS code) or a
whole care system (`org` is null). Names follow the catalogue's rule, so the issue's
`opel.divergence` is `opel.diverged` and `action.overdue` is `action.escalated`.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, model_validator

from wicc_shared.catalogue.base import EventPayload, EventScope, EventType

Level = int  # OPEL 1-4


class OpelAbout(StrEnum):
    organisation = "organisation"
    system = "system"


class OpelPayload(EventPayload):
    """A payload about one organisation's OPEL, or one system's."""

    about: OpelAbout
    org: str | None = Field(description="The organisation's ODS code; null for a system")
    system: str = Field(description="The care system's code")

    @model_validator(mode="after")
    def _org_matches_about(self) -> OpelPayload:
        if (self.about is OpelAbout.organisation) != (self.org is not None):
            raise ValueError("org is given exactly when the payload is about an organisation")
        return self

    def scope(self) -> EventScope:
        return EventScope(org=self.org, system=self.system)


def opel_subject(p: OpelPayload) -> str:
    return f"opel/orgs/{p.org}" if p.org is not None else f"opel/systems/{p.system}"


class _Part(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ParameterPoints(_Part):
    """One parameter of an organisation's score."""

    key: str
    status: str = Field(description="`ok`, `missing`, `stale` or `invalid`")
    value: float | None
    band: int | None = Field(description="1 is the best band; null unless `ok`")
    points: int | None = Field(description="Null unless `ok`: left out of the score")
    max_points: int
    as_of: datetime | None = Field(description="The moment the input describes")
    source_event_id: str | None = Field(description="The event that brought the input")


class MemberPart(_Part):
    """One organisation's part in its pillar."""

    org: str
    weight: float | None
    share: float | None = Field(description="Of the pillar; null when excluded")
    score: float | None = Field(description="0-100; the floor when partial")
    level: Level | None
    partial: bool
    excluded: str | None = Field(description="`no_data` or `no_weight`; null when included")


class PillarPart(_Part):
    """One pillar's part in the system score."""

    pillar: str
    framework: str | None
    weight: float | None
    share: float | None
    score: float | None
    level: Level | None
    partial: bool
    excluded: str | None
    members: list[MemberPart]


class OpelCalculated(OpelPayload):
    """A new calculation of an organisation's or a system's OPEL (sent when anything
    in it changed: an input, a status, the settled level)."""

    pillar: str | None = Field(description="The organisation's pillar; null for a system")
    framework: str = Field(description="The parameter set's id, or the system file's id")
    config_status: str = Field(description="`local_unconfirmed`, `example` or `confirmed`")
    computed_at: datetime
    level: Level | None = Field(
        description="The calculated OPEL: the settled level; null when no input is usable"
    )
    raw_level: Level | None = Field(description="The level the latest score gives at once")
    level_range: list[int] | None = Field(description="[lowest, highest] level still possible")
    settled_since: datetime | None
    pending_level: Level | None = Field(description="A raw level waiting to settle")
    pending_since: datetime | None
    score: float | None = Field(description="Points for an organisation, 0-100 for a system")
    score_range: list[float] | None
    max_score: float
    normalised: float | None = Field(description="The score on 0-100")
    partial: bool = Field(description="Some input (or member) is missing, stale or invalid")
    missing: list[str] = Field(description="Parameter keys with no input")
    stale: list[str] = Field(description="Parameter keys whose input is too old to count")
    invalid: list[str] = Field(description="Parameter keys whose input is out of range")
    excluded: list[str] = Field(description="A system's pillars and members left out")
    parameters: list[ParameterPoints] = Field(description="An organisation's; empty for a system")
    pillars: list[PillarPart] = Field(description="A system's; empty for an organisation")


class OpelLevelChanged(OpelPayload):
    """The calculated (settled) level moved: after the hold, or at once past the margin."""

    previous_level: Level | None
    level: Level | None = Field(description="Null when no input is usable any more")
    raw_level: Level | None
    score: float | None
    normalised: float | None
    changed_at: datetime


class OpelDeclared(OpelPayload):
    """People declared a level (the reason stays in the escalation service)."""

    declaration_id: uuid.UUID
    level: Level
    previous_level: Level | None
    calculated_level: Level | None = Field(description="The calculated level at that moment")
    declared_at: datetime
    declared_by: str = Field(description="API key id of the declarer")
    declared_role: str


class OpelDiverged(OpelPayload):
    """The declared level has differed from the calculated one for the configured time
    (sent once per episode; an episode ends when they agree again)."""

    declared_level: Level
    calculated_level: Level
    since: datetime = Field(description="When they started to differ")
    raised_at: datetime
    after_minutes: float = Field(description="The configured divergence time")


class ActionChanged(OpelPayload):
    """An action issued by a declaration, as it now is (the note stays out)."""

    action_id: uuid.UUID
    declaration_id: uuid.UUID
    kind: str = Field(description="The action card kind: acute, community, ..., system")
    level: Level = Field(description="The level whose card issued it")
    card_id: str
    owner_role: str | None
    owner_organisation: str | None
    owner_kind: str | None
    status: str = Field(description="`issued`, `acknowledged`, `completed` or `superseded`")
    overdue: bool = Field(description="Not acknowledged by its due time (re-escalated)")
    issued_at: datetime
    due_at: datetime = Field(description="To be acknowledged by then")
    changed_at: datetime
    changed_by: str = Field(description="API key id, or `system:<job>`")


def _action_subject(p: ActionChanged) -> str:
    return f"actions/{p.action_id}"


_OPEL_SUBJECT = "opel/orgs/{org} or opel/systems/{system}"

OPEL_CALCULATED = EventType(
    name="opel.calculated",
    payload=OpelCalculated,
    version=1,
    summary="An organisation's or a system's OPEL was calculated anew",
    producer="escalation",
    subject=opel_subject,
    subject_pattern=_OPEL_SUBJECT,
)
OPEL_LEVEL_CHANGED = EventType(
    name="opel.level_changed",
    payload=OpelLevelChanged,
    version=1,
    summary="The calculated OPEL level (settled, not flapping) changed",
    producer="escalation",
    subject=opel_subject,
    subject_pattern=_OPEL_SUBJECT,
)
OPEL_DECLARED = EventType(
    name="opel.declared",
    payload=OpelDeclared,
    version=1,
    summary="People declared an OPEL level for an organisation or a system",
    producer="escalation",
    subject=opel_subject,
    subject_pattern=_OPEL_SUBJECT,
)
OPEL_DIVERGED = EventType(
    name="opel.diverged",
    payload=OpelDiverged,
    version=1,
    summary="The declared OPEL level has differed from the calculated one for too long",
    producer="escalation",
    subject=opel_subject,
    subject_pattern=_OPEL_SUBJECT,
)


def _action_event(name: str, summary: str) -> EventType[ActionChanged]:
    return EventType(
        name=name,
        payload=ActionChanged,
        version=1,
        summary=summary,
        producer="escalation",
        subject=_action_subject,
        subject_pattern="actions/{action_id}",
    )


ACTION_ISSUED = _action_event("action.issued", "A declared level issued an action card")
ACTION_ACKNOWLEDGED = _action_event("action.acknowledged", "An action was acknowledged")
ACTION_ESCALATED = _action_event(
    "action.escalated", "An action was not acknowledged by its due time: it re-escalates"
)
ACTION_COMPLETED = _action_event("action.completed", "An action was completed")
ACTION_SUPERSEDED = _action_event(
    "action.superseded", "A step down closed an action of a higher level"
)
