"""Action cards as configuration: per kind of organisation and OPEL level, the actions
that a declaration of that level issues, each with its owner and due time."""

from __future__ import annotations

from enum import StrEnum

from pydantic import Field, model_validator

from wicc_escalation.opel.config_error import InvalidAt
from wicc_escalation.opel.parameter_set import SET_ID, ConfigStatus
from wicc_escalation.opel.ranges import Level, Strict

CARD_ID = r"^[a-z0-9][a-z0-9-]*$"
ROLE = r"^[a-z][a-z0-9_]*$"
ORG_CODE = r"^[A-Za-z0-9][A-Za-z0-9_.-]*$"


class CardKind(StrEnum):
    """Who declares: an organisation of a pillar's kind, or the system itself."""

    acute = "acute"
    community = "community"
    mental_health = "mental_health"
    nhs_111 = "nhs_111"
    system = "system"


class OwnerKind(StrEnum):
    """Organisation kinds an action can be owned by (as in the reference data)."""

    acute = "acute"
    community = "community"
    mental_health = "mental_health"
    local_authority = "local_authority"
    care_provider = "care_provider"


class Owner(Strict):
    """Exactly one of: a role in the declaring organisation (for a system declaration,
    in the control centre), a named organisation, or every organisation of a kind in
    the system."""

    role: str | None = Field(default=None, pattern=ROLE, max_length=40)
    organisation: str | None = Field(default=None, pattern=ORG_CODE, max_length=20)
    organisation_kind: OwnerKind | None = None

    @model_validator(mode="after")
    def _exactly_one(self) -> Owner:
        given = [v for v in (self.role, self.organisation, self.organisation_kind) if v]
        if len(given) != 1:
            raise InvalidAt((), "give exactly one of role, organisation, organisation_kind")
        return self


class ActionCard(Strict):
    id: str = Field(pattern=CARD_ID, max_length=60)
    title: str = Field(min_length=1, max_length=200)
    owner: Owner
    due_minutes: int = Field(strict=True, gt=0, le=7 * 24 * 60)


class ActionCards(Strict):
    id: str = Field(pattern=SET_ID, max_length=80)
    name: str = Field(min_length=1)
    status: ConfigStatus
    notice: str = Field(min_length=1)
    kinds: dict[CardKind, dict[Level, list[ActionCard]]]

    @model_validator(mode="after")
    def _unique_ids(self) -> ActionCards:
        # Card ids are stable references from issued actions: one meaning each.
        seen: set[str] = set()
        for kind, levels in self.kinds.items():
            for level, cards in levels.items():
                for i, card in enumerate(cards):
                    if card.id in seen:
                        raise InvalidAt(
                            ("kinds", kind.value, level, i, "id"), f"duplicate card id {card.id!r}"
                        )
                    seen.add(card.id)
        return self

    def cards_for(self, kind: CardKind, level: int) -> list[ActionCard]:
        return list(self.kinds.get(kind, {}).get(level, []))
