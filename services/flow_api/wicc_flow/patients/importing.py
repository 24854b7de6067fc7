"""A trust's daily list as CSV, applied whole or not at all.

The file is parsed and checked first (`csv_import.py`), then checked against the
trust's stored list; any problem rejects the whole file (422, every problem with its
line and column) and nothing is written. Otherwise, under the trust's patient lock:

- each row creates a record (a new `local_ref`) or updates the record with its
  `local_ref`; a row identical to its record changes nothing, so the same file sent
  twice changes nothing the second time;
- an empty `nhs_number` cell keeps the number already stored (a file without numbers
  never erases them); every other field is set from the row, an empty optional cell
  clearing it, and the row's delays replace the record's;
- `snapshot` mode also closes the trust's open records that are absent from the file:
  the list no longer holds them, so they are recorded as discharged at the time of the
  import with destination `not_recorded` (docs/clinical-safety.md says why);
- every change is audited and announced like its JSON counterpart, and the trust's
  discharge sitrep is recounted once, after the last row.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from fastapi import Request
from sqlalchemy.ext.asyncio import AsyncSession

from wicc_flow.discharge_sitrep.recount import recount
from wicc_flow.patients import access, repository
from wicc_flow.patients.checks import check_context
from wicc_flow.patients.config import PatientFlow
from wicc_flow.patients.csv_import import CsvLimits, ImportRow, RowError, parse_patient_csv
from wicc_flow.patients.models import Patient
from wicc_flow.patients.schemas import (
    ClosedRecord,
    DischargeDestination,
    ImportedRow,
    ImportResult,
)
from wicc_flow.patients.service import apply_draft, new_patient, record, snapshot, touch
from wicc_shared.auth import Principal
from wicc_shared.catalogue.patients import (
    PATIENT_DISCHARGED,
    PATIENT_LISTED,
    PATIENT_UPDATED,
    PatientStatus,
)
from wicc_shared.errors import FieldError, Forbidden, ValidationFailed, WiccError
from wicc_shared.kernel.models import CareSystem, Organisation

MEDIA_TYPE = "text/csv"
LIMITS = CsvLimits()


class ImportMode(StrEnum):
    upsert = "upsert"
    snapshot = "snapshot"


class UnsupportedMediaType(WiccError):
    status, slug, title = 415, "unsupported-media-type", "Send the list as text/csv"


class PayloadTooLarge(WiccError):
    status, slug, title = 413, "payload-too-large", "The file is too large"


@dataclass(frozen=True)
class RowFieldError(FieldError):
    """A problem of one line of the file (`line` None: the file as a whole); `field`
    is the CSV column, or `file` / `row`."""

    line: int | None = None


class CsvRejected(ValidationFailed):
    """A file with at least one problem: nothing of it was applied."""


async def read_body(request: Request) -> bytes:
    """The CSV body, refused as soon as it exceeds the size limit (never held whole)."""
    content_type = request.headers.get("content-type", "")
    if content_type.split(";", 1)[0].strip().lower() != MEDIA_TYPE:
        raise UnsupportedMediaType(
            f"Send the list as {MEDIA_TYPE} (UTF-8), not {content_type or 'no content type'}."
        )
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > LIMITS.max_bytes:
            raise PayloadTooLarge(
                f"The file is larger than {LIMITS.max_bytes} bytes; split it by ward.",
                max_bytes=LIMITS.max_bytes,
                max_rows=LIMITS.max_rows,
            )
        chunks.append(chunk)
    return b"".join(chunks)


@dataclass
class _Outcome:
    rows: list[ImportedRow] = field(default_factory=list)
    closed: list[ClosedRecord] = field(default_factory=list)

    def count(self, outcome: str) -> int:
        return sum(row.outcome == outcome for row in self.rows)


async def import_csv(
    session: AsyncSession,
    principal: Principal,
    org_code: str,
    mode: ImportMode,
    data: bytes,
    flow: PatientFlow,
    *,
    now: datetime,
) -> ImportResult:
    found = await repository.active_org(session, org_code)
    if found is None:
        problem = FieldError("org", "not an active organisation", location="query", code="unknown")
        raise ValidationFailed([problem])
    org, system = found
    access.ensure_may_see_records(principal)
    if not access.may_write(principal, org):
        raise Forbidden(f"This key may not change {org.ods}'s list.")
    parsed = parse_patient_csv(data, await check_context(session, org, system, flow, now), LIMITS)
    if not parsed.ok:
        raise _rejected(parsed.errors)
    await repository.lock_org(session, org.ods)
    existing = {p.local_ref: p for p in await repository.org_records(session, org.ods)}
    if errors := _conflicts(parsed.rows, existing, mode, flow):
        raise _rejected(errors)
    outcome = _Outcome()
    if mode is ImportMode.snapshot:
        present = {row.patient.local_ref for row in parsed.rows}
        for patient in sorted(existing.values(), key=lambda p: p.local_ref):
            if patient.status == PatientStatus.ready and patient.local_ref not in present:
                await _close_absent(session, principal, org, system, flow, patient, now)
                outcome.closed.append(ClosedRecord(id=patient.id, local_ref=patient.local_ref))
    for row in parsed.rows:
        outcome.rows.append(
            await _apply_row(session, principal, org, system, flow, row, existing, now)
        )
    if outcome.closed or any(r.outcome != "unchanged" for r in outcome.rows):
        await recount(session, principal, org.ods, system, flow, now=now)
    return ImportResult(
        org=org.ods,
        mode=mode.value,
        created=outcome.count("created"),
        updated=outcome.count("updated"),
        unchanged=outcome.count("unchanged"),
        closed=len(outcome.closed),
        rows=outcome.rows,
        closed_records=outcome.closed,
    )


def _conflicts(
    rows: Sequence[ImportRow], existing: dict[str, Patient], mode: ImportMode, flow: PatientFlow
) -> list[RowError]:
    """Rows the stored list refuses: a closed record's reference, or an NHS number
    another open record of the trust holds (and keeps: a snapshot closes absent ones)."""
    present = {row.patient.local_ref for row in rows}
    holders = {
        p.nhs_number_index: p
        for p in existing.values()
        if p.status == PatientStatus.ready and p.nhs_number_index is not None
    }
    errors = []
    for row in rows:
        draft = row.patient
        current = existing.get(draft.local_ref)
        if current is not None and current.status != PatientStatus.ready:
            errors.append(
                RowError(
                    row.line,
                    "local_ref",
                    "closed_record",
                    f"this local_ref's record is already {current.status}; a new stay needs a "
                    "new local_ref",
                )
            )
        if draft.nhs_number is None:
            continue
        holder = holders.get(flow.cipher.blind_index(draft.nhs_number))
        if holder is None or holder.local_ref == draft.local_ref:
            continue
        if mode is ImportMode.snapshot and holder.local_ref not in present:
            continue  # the snapshot closes the record holding it first
        errors.append(
            RowError(
                row.line,
                "nhs_number",
                "duplicate_nhs_number",
                "the same NHS number as another open record of the trust",
            )
        )
    return errors


async def _close_absent(
    session: AsyncSession,
    principal: Principal,
    org: Organisation,
    system: CareSystem,
    flow: PatientFlow,
    patient: Patient,
    now: datetime,
) -> None:
    before = snapshot(patient)
    patient.status = PatientStatus.discharged.value
    patient.discharged_at = patient.closed_at = now
    patient.destination = DischargeDestination.not_recorded.value
    touch(patient, principal, now)
    await record(
        session,
        principal,
        org,
        system,
        flow,
        patient,
        before,
        PATIENT_DISCHARGED,
        now=now,
        recount_after=False,
    )


async def _apply_row(
    session: AsyncSession,
    principal: Principal,
    org: Organisation,
    system: CareSystem,
    flow: PatientFlow,
    row: ImportRow,
    existing: dict[str, Patient],
    now: datetime,
) -> ImportedRow:
    draft = row.patient
    patient = existing.get(draft.local_ref)
    if patient is None:
        patient = new_patient(draft, org, system, flow, principal=principal, now=now)
        session.add(patient)
        await record(
            session,
            principal,
            org,
            system,
            flow,
            patient,
            None,
            PATIENT_LISTED,
            now=now,
            recount_after=False,
        )
        return ImportedRow(
            line=row.line, local_ref=draft.local_ref, id=patient.id, outcome="created"
        )
    before, index_before = snapshot(patient), patient.nhs_number_index
    # An empty nhs_number cell keeps the stored number.
    fields = {"nhs_number"} if draft.nhs_number is not None else set()
    apply_draft(patient, draft, flow, fields=fields)
    if snapshot(patient) == before and patient.nhs_number_index == index_before:
        return ImportedRow(
            line=row.line, local_ref=draft.local_ref, id=patient.id, outcome="unchanged"
        )
    touch(patient, principal, now)
    await record(
        session,
        principal,
        org,
        system,
        flow,
        patient,
        before,
        PATIENT_UPDATED,
        now=now,
        recount_after=False,
    )
    return ImportedRow(line=row.line, local_ref=draft.local_ref, id=patient.id, outcome="updated")


def _rejected(errors: Sequence[RowError]) -> CsvRejected:
    problems = [
        RowFieldError(
            field=e.column or ("row" if e.line is not None else "file"),
            message=e.message if e.line is None else f"line {e.line}: {e.message}",
            code=e.code,
            line=e.line,
        )
        for e in errors
    ]
    lines = sorted({e.line for e in errors if e.line is not None})
    where = f" (line {', '.join(map(str, lines[:10]))})" if lines else ""
    return CsvRejected(
        problems, f"The file was not applied: {len(problems)} problem(s){where}. Nothing changed."
    )
