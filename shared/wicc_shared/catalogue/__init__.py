"""The event catalogue: every event WICC publishes, with its payload model and version.

The payload models are the contract between a producer and every reader of the event
log (other services, the board, partners' systems receiving callbacks), so they live
here, in the shared package, and not in the producing service, which other services
may not import. Each service's `events.py` builds these payloads from its own objects.

Rules for every entry:

- **Names** are `<noun>.<past_tense_verb>` in lower snake case (`beds.updated`,
  `sitrep.submitted`). A renamed event keeps its old name in `legacy_names`, so entries
  already on the log are still read.
- **Versions**: an incompatible change to a payload is a new `version`; the envelope's
  `dataschema` names it.
- **No personal data, ever.** No event carries an NHS number, a person's name, a date
  of birth, an address or free text that may hold them. Events carry organisations,
  units, counts, codes and pseudonymous ids only, because they reach the shared board,
  every consumer and partners' systems. `tests/shared/test_catalogue.py` checks every
  payload model's fields.
"""

from __future__ import annotations

from wicc_shared.catalogue.base import (
    Catalogue,
    EventPayload,
    EventScope,
    EventType,
    OrgScoped,
    is_event_name,
)
from wicc_shared.catalogue.beds import BED_STATUS_UPDATED, BEDS_UPDATED
from wicc_shared.catalogue.care import CARE_CAPACITY_UPDATED
from wicc_shared.catalogue.opel import (
    ACTION_ACKNOWLEDGED,
    ACTION_COMPLETED,
    ACTION_ESCALATED,
    ACTION_ISSUED,
    ACTION_SUPERSEDED,
    OPEL_CALCULATED,
    OPEL_DECLARED,
    OPEL_DIVERGED,
    OPEL_LEVEL_CHANGED,
)
from wicc_shared.catalogue.patients import (
    DISCHARGE_SITREP_UPDATED,
    PATIENT_DAY_RECORDED,
    PATIENT_DISCHARGED,
    PATIENT_LISTED,
    PATIENT_UPDATED,
    PATIENT_WITHDRAWN,
)
from wicc_shared.catalogue.sitreps import SITREP_AMENDED, SITREP_MISSED, SITREP_SUBMITTED
from wicc_shared.catalogue.summaries import SUMMARY_PUBLISHED
from wicc_shared.catalogue.webhooks import WEBHOOK_ENDPOINT_DISABLED, WEBHOOK_TESTED

CATALOGUE = Catalogue(
    [
        BEDS_UPDATED,
        BED_STATUS_UPDATED,
        CARE_CAPACITY_UPDATED,
        SITREP_SUBMITTED,
        SITREP_AMENDED,
        SITREP_MISSED,
        PATIENT_LISTED,
        PATIENT_UPDATED,
        PATIENT_DISCHARGED,
        PATIENT_WITHDRAWN,
        PATIENT_DAY_RECORDED,
        DISCHARGE_SITREP_UPDATED,
        SUMMARY_PUBLISHED,
        OPEL_CALCULATED,
        OPEL_LEVEL_CHANGED,
        OPEL_DECLARED,
        OPEL_DIVERGED,
        ACTION_ISSUED,
        ACTION_ACKNOWLEDGED,
        ACTION_ESCALATED,
        ACTION_COMPLETED,
        ACTION_SUPERSEDED,
        WEBHOOK_TESTED,
        WEBHOOK_ENDPOINT_DISABLED,
    ]
)

__all__ = [
    "ACTION_ACKNOWLEDGED",
    "ACTION_COMPLETED",
    "ACTION_ESCALATED",
    "ACTION_ISSUED",
    "ACTION_SUPERSEDED",
    "BEDS_UPDATED",
    "BED_STATUS_UPDATED",
    "CARE_CAPACITY_UPDATED",
    "CATALOGUE",
    "DISCHARGE_SITREP_UPDATED",
    "OPEL_CALCULATED",
    "OPEL_DECLARED",
    "OPEL_DIVERGED",
    "OPEL_LEVEL_CHANGED",
    "PATIENT_DAY_RECORDED",
    "PATIENT_DISCHARGED",
    "PATIENT_LISTED",
    "PATIENT_UPDATED",
    "PATIENT_WITHDRAWN",
    "SITREP_AMENDED",
    "SITREP_MISSED",
    "SITREP_SUBMITTED",
    "SUMMARY_PUBLISHED",
    "WEBHOOK_ENDPOINT_DISABLED",
    "WEBHOOK_TESTED",
    "Catalogue",
    "EventPayload",
    "EventScope",
    "EventType",
    "OrgScoped",
    "is_event_name",
]
