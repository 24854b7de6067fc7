"""No patient is identifiable in a summary: the document has no field that could hold a
person, it is built only from board events (whose payloads refuse personal data) and
reference data, and a summary built with every feed present holds counts only."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from tests.builders.summaries import wiltshire_document
from wicc_flow.board.projection import BOARD_EVENT_TYPES
from wicc_flow.summaries.document import SummaryDocument

# Names of fields that would hold a person (as the catalogue's check lists them).
PERSONAL = frozenset(
    {
        "nhs_number", "nhs_no", "patient_name", "given_name", "family_name", "first_name",
        "last_name", "surname", "forename", "date_of_birth", "dob", "birth_date", "address",
        "postcode", "phone", "email", "patient_id", "local_reference", "note", "notes",
    }
)  # fmt: skip


def _properties(schema: dict[str, Any]) -> Iterator[str]:
    yield from schema.get("properties", {})
    for definition in schema.get("$defs", {}).values():
        yield from definition.get("properties", {})


def test_the_document_has_no_field_for_a_person() -> None:
    names = set(_properties(SummaryDocument.model_json_schema(mode="serialization")))
    assert names & PERSONAL == set()
    assert "nhs_number" in PERSONAL and "code" in names  # the check reads real names


def test_only_aggregate_events_feed_the_board_the_summary_reads() -> None:
    # Patient-level events (patient.listed, ...) never reach the board; the summary's
    # patient counts come from the aggregate discharge sitrep only.
    assert not {t for t in BOARD_EVENT_TYPES if t.startswith(("patient.", "patient_day."))}


def test_a_full_document_holds_counts_codes_and_names_of_organisations_only() -> None:
    text = json.dumps(wiltshire_document().model_dump(mode="json"))
    assert not any(f'"{name}"' in text for name in PERSONAL)
