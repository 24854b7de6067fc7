"""Many sitreps in one CSV file: one row per organisation and date.

Columns (header row required, any order, names are case-sensitive):

- `org`, `date` (YYYY-MM-DD), `los_7_plus`, `los_14_plus`, `los_21_plus`,
  `beds_closed_dv`, `nctr_patients`: required.
- `<bed_area>_core_open`, `<bed_area>_core_occupied`, `<bed_area>_escalation_open`,
  `<bed_area>_escalation_occupied` for any bed area (e.g. `adult_ga_core_open`). A row
  reports an area when any of that area's cells is filled; empty escalation cells
  count as 0.
- The six ED columns (`mean_ambulance_handover_minutes`, ...): optional. A row with
  any of them filled must fill all six; a row with none has no ED figures.

Every row is submitted like `POST /capacity/v1/sitreps`, in a savepoint of its own:
a rejected row leaves no trace, and the valid rows are accepted regardless.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from fastapi import Request
from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from wicc_capacity.sitreps import repository, service
from wicc_capacity.sitreps.schemas import (
    BulkAccepted,
    BulkRejected,
    BulkResult,
    SitrepSubmission,
)
from wicc_shared.auth import Principal
from wicc_shared.catalogue.sitreps import AreaFigures, EdFigures
from wicc_shared.errors import (
    NULL_CHARACTER,
    TYPE_PREFIX,
    FieldError,
    PayloadTooLarge,
    ValidationFailed,
    WiccError,
)
from wicc_shared.kernel.reference import BedArea

MEDIA_TYPE = "text/csv"
MAX_ROWS = 500
MAX_BYTES = 1024 * 1024

REQUIRED = ("org", "date", "los_7_plus", "los_14_plus", "los_21_plus", "beds_closed_dv")
REQUIRED_COLUMNS = (*REQUIRED, "nctr_patients")
AREA_FIELDS = tuple(f for f in AreaFigures.model_fields if f != "bed_area")
ED_COLUMNS = tuple(EdFigures.model_fields)
AREA_COLUMNS = {f"{area.value}_{name}": (area, name) for area in BedArea for name in AREA_FIELDS}
KNOWN_COLUMNS = frozenset((*REQUIRED_COLUMNS, *ED_COLUMNS, *AREA_COLUMNS))

EXAMPLE = (
    "org,date,adult_ga_core_open,adult_ga_core_occupied,adult_ga_escalation_open,"
    "adult_ga_escalation_occupied,adult_cc_core_open,adult_cc_core_occupied,"
    "los_7_plus,los_14_plus,los_21_plus,beds_closed_dv,nctr_patients\n"
    "RNZ,2026-11-23,180,172,6,6,12,10,70,38,17,0,31\n"
    "RN3,2026-11-23,210,205,10,9,14,13,95,51,24,4,40\n"
)


class UnsupportedMediaType(WiccError):
    status, slug, title = 415, "unsupported-media-type", "Unsupported media type"


async def read_body(request: Request) -> bytes:
    """The CSV body, refused as soon as it exceeds MAX_BYTES (it is never held whole)."""
    content_type = request.headers.get("content-type", "")
    if content_type.split(";", 1)[0].strip().lower() != MEDIA_TYPE:
        raise UnsupportedMediaType(
            f"Send the file as {MEDIA_TYPE} (UTF-8), not {content_type or 'no content type'}."
        )
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_BYTES:
        raise _too_large()
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_BYTES:
            raise _too_large()
        chunks.append(chunk)
    return b"".join(chunks)


def _too_large() -> PayloadTooLarge:
    return PayloadTooLarge(
        f"The file is larger than {MAX_BYTES} bytes; split it.",
        max_bytes=MAX_BYTES,
        max_rows=MAX_ROWS,
    )


@dataclass(frozen=True)
class CsvRow:
    number: int  # the header is row 1
    cells: dict[str, str]

    @property
    def org(self) -> str | None:
        return self.cells.get("org") or None

    @property
    def date(self) -> str | None:
        return self.cells.get("date") or None

    def areas(self) -> list[BedArea]:
        """The bed areas this row reports, in column order."""
        seen: list[BedArea] = []
        for column, (area, _name) in AREA_COLUMNS.items():
            if self.cells.get(column) and area not in seen:
                seen.append(area)
        return seen

    def body(self) -> dict[str, Any]:
        """The row as a `POST /capacity/v1/sitreps` body; empty cells are left out, so a
        missing value is reported as missing rather than as a bad number."""
        body: dict[str, Any] = {c: self.cells[c] for c in REQUIRED_COLUMNS if self.cells.get(c)}
        body["beds"] = [self._area(area) for area in self.areas()]
        ed = {c: self.cells[c] for c in ED_COLUMNS if self.cells.get(c)}
        if ed:
            body["ed"] = ed
        return body

    def _area(self, area: BedArea) -> dict[str, str]:
        cells = {name: self.cells.get(f"{area.value}_{name}", "") for name in AREA_FIELDS}
        return {"bed_area": area.value} | {k: v for k, v in cells.items() if v}

    def column_of(self, field: str) -> str:
        """The CSV column a field path of the JSON body came from."""
        parts = field.split(".")
        if parts[0] == "beds" and len(parts) >= 3 and parts[1].isdigit():
            areas = self.areas()
            index = int(parts[1])
            if index < len(areas):
                return f"{areas[index].value}_{parts[2]}"
        if parts[0] == "ed" and len(parts) >= 2:
            return parts[1]
        return field


def parse(data: bytes) -> list[CsvRow]:
    """The file's non-blank rows, after checking its header and size."""
    try:
        text = data.decode("utf-8-sig")  # tolerate the byte-order mark spreadsheets add
    except UnicodeDecodeError as exc:
        raise ValidationFailed(
            [FieldError("body", f"the file is not UTF-8 ({exc.reason})", code="encoding")]
        ) from exc
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [name.strip() for name in next(reader, [])]
        _check_header(header)
        rows = list(_rows(reader, header))
    except csv.Error as exc:
        raise ValidationFailed([FieldError("body", f"not valid CSV: {exc}", code="csv")]) from exc
    if not rows:
        raise ValidationFailed([FieldError("body", "the file has no data rows", code="empty")])
    if len(rows) > MAX_ROWS:
        raise PayloadTooLarge(
            f"The file has {len(rows)} rows; at most {MAX_ROWS} are accepted at once.",
            max_rows=MAX_ROWS,
            max_bytes=MAX_BYTES,
        )
    return rows


def _check_header(header: list[str]) -> None:
    errors = [
        FieldError(name, "missing column", code="missing_column")
        for name in REQUIRED_COLUMNS
        if name not in header
    ]
    errors += [
        FieldError(name or "(blank)", "unknown column", code="unknown_column")
        for name in header
        if name not in KNOWN_COLUMNS
    ]
    errors += [
        FieldError(name, "column given more than once", code="duplicate_column")
        for name in sorted({n for n in header if header.count(n) > 1})
    ]
    if errors:
        raise ValidationFailed(errors, detail="The CSV header is not valid; no row was read.")


def _rows(reader: Iterator[list[str]], header: list[str]) -> Iterator[CsvRow]:
    for number, values in enumerate(reader, start=2):
        if not any(v.strip() for v in values):
            continue  # blank lines, and spreadsheets' trailing ",,,," rows
        cells = {name: value.strip() for name, value in zip(header, values, strict=False)}
        if len(values) > len(header):
            cells["(extra)"] = ",".join(values[len(header) :])
        yield CsvRow(number=number, cells=cells)


async def import_sitreps(
    session: AsyncSession, principal: Principal, rows: list[CsvRow], *, now: dt.datetime
) -> BulkResult:
    accepted: list[BulkAccepted] = []
    rejected: list[BulkRejected] = []
    # Rows are written in the order of the per-organisation locks (see
    # `repository.lock_org`), so concurrent uploads cannot deadlock; results are
    # reported in file order.
    for row in sorted(rows, key=_lock_order):
        outcome = await _import_row(session, principal, row, now)
        if isinstance(outcome, BulkAccepted):
            accepted.append(outcome)
        else:
            rejected.append(outcome)
    accepted.sort(key=lambda a: a.row)
    rejected.sort(key=lambda r: r.row)
    return BulkResult(
        accepted=accepted,
        rejected=rejected,
        accepted_count=len(accepted),
        rejected_count=len(rejected),
    )


def _lock_order(row: CsvRow) -> tuple[int, str, str, int]:
    org = row.org or ""
    return (repository.org_lock_id(org), org, row.date or "", row.number)


async def _import_row(
    session: AsyncSession, principal: Principal, row: CsvRow, now: dt.datetime
) -> BulkAccepted | BulkRejected:
    if "(extra)" in row.cells:
        return _rejected(row, ValidationFailed([_extra_cells(row)]))
    if nul := [column for column, cell in row.cells.items() if "\x00" in cell]:
        return _rejected(row, ValidationFailed([_nul_cell(column) for column in nul]))
    try:
        submission = SitrepSubmission.model_validate(row.body())
    except ValidationError as exc:
        return _rejected(row, ValidationFailed(_field_errors(exc)))
    try:
        # A savepoint per row: a rejected row's partial writes are undone alone.
        async with session.begin_nested():
            result = await service.submit(session, principal, submission, now=now)
    except WiccError as exc:
        return _rejected(row, exc)
    return BulkAccepted(
        row=row.number,
        org=result.read.org,
        date=result.read.date,
        id=result.read.id,
        version=result.read.version,
        outcome="created" if result.changed else "unchanged",
    )


def _extra_cells(row: CsvRow) -> FieldError:
    return FieldError("(extra)", "the row has more cells than the header", code="extra_cells")


def _nul_cell(column: str) -> FieldError:
    # PostgreSQL refuses NUL in text: the cell is named here instead of failing later.
    return FieldError(column, "contains a NUL character", code=NULL_CHARACTER)


def _field_errors(exc: ValidationError) -> list[FieldError]:
    return [
        FieldError(
            ".".join(str(p) for p in err["loc"]) or "body",
            err["msg"],
            code=err["type"],
        )
        for err in exc.errors()
    ]


def _rejected(row: CsvRow, exc: WiccError) -> BulkRejected:
    errors = exc.errors if isinstance(exc, ValidationFailed) else []
    return BulkRejected(
        row=row.number,
        org=row.org,
        date=row.date,
        type=TYPE_PREFIX + exc.slug,
        status=exc.status,
        detail=_detail(row, exc),
        errors=[
            {"field": row.column_of(e.field), "message": e.message, "code": e.code} for e in errors
        ],
    )


def _detail(row: CsvRow, exc: WiccError) -> str:
    if isinstance(exc, ValidationFailed):
        names = sorted({row.column_of(e.field) for e in exc.errors})
        return f"Invalid cell(s): {', '.join(names)}"
    return exc.detail
