"""A trust's daily discharge-ready list as CSV, parsed into checked records.

The file: UTF-8 (a byte-order mark is allowed), comma-separated, a header row first.
Column names are matched without regard to case or surrounding spaces, in any order;
an unknown or repeated column is refused (a misspelt column would otherwise drop its
data silently). Cells are trimmed; an empty optional cell means "not given".

| column | required | content |
|---|---|---|
| local_ref | yes | the trust's pseudonymous reference, unique in the file |
| nhs_number | no | 10 digits, may be grouped 3-3-4 with spaces or hyphens |
| unit_id | yes | the ward's unit id |
| admitted_at | yes | ISO 8601 date and time with an offset: 2024-11-03T14:20:00+00:00 or ...Z |
| discharge_ready_date | yes | ISO 8601 date, YYYY-MM-DD |
| pathway | yes | 0, 1, 2 or 3 |
| destination_locality | yes | locality code |
| expected_discharge_date | no | YYYY-MM-DD |
| delay<N>_reason | with delay<N>_from | NCTR reason code (national or local), N = 1..5 |
| delay<N>_responsible | no | health, social_care or both; empty: the reason's usual owner |
| delay<N>_from | with delay<N>_reason | YYYY-MM-DD, the first day of the wait |
| delay<N>_to | no | YYYY-MM-DD, the day the wait ended; empty while it is open |

Every problem is reported with its line (the header is line 1; a quoted cell may span
lines, and a row is named by the line it starts on), its column and a machine code.
The result holds either every row, all valid, or the errors and no row at all: a file
is applied whole or not at all, which the caller enforces. Errors never quote an NHS
number; a repeated number is reported by the line it repeats.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Final

from wicc_flow.patients.nhs_number import InvalidNhsNumber, NhsNumber
from wicc_flow.patients.records import Pathway, Responsible
from wicc_flow.patients.validation import (
    CheckContext,
    DelayDraft,
    PatientDraft,
    Problem,
    check_patient,
)

MAX_DELAY_COLUMNS: Final = 5
MAX_ERRORS: Final = 200
REQUIRED: Final = (
    "local_ref",
    "unit_id",
    "admitted_at",
    "discharge_ready_date",
    "pathway",
    "destination_locality",
)
OPTIONAL: Final = ("nhs_number", "expected_discharge_date")
DELAY_FIELDS: Final = ("reason", "responsible", "from", "to")
COLUMNS: Final = (
    *REQUIRED,
    *OPTIONAL,
    *(f"delay{n}_{f}" for n in range(1, MAX_DELAY_COLUMNS + 1) for f in DELAY_FIELDS),
)
_DATE: Final = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_DELAY_FIELD: Final = re.compile(r"delays\.([0-9]+)\.(\w+)")
# A header cell is echoed in an error only when it looks like a column name: a file
# sent without its header has a row of data there, perhaps an NHS number.
_NAME_LIKE: Final = re.compile(r"[a-z][a-z_]{0,39}[0-9]?(_[a-z]+)?")


@dataclass(frozen=True, slots=True)
class CsvLimits:
    max_bytes: int = 2_000_000
    max_rows: int = 5_000
    max_cell: int = 200


@dataclass(frozen=True, slots=True)
class RowError:
    """One problem: `line` None for the file as a whole; `column` None for a row."""

    line: int | None
    column: str | None
    code: str
    message: str


@dataclass(frozen=True, slots=True)
class ImportRow:
    line: int
    patient: PatientDraft


@dataclass(frozen=True, slots=True)
class CsvParse:
    """Either `rows` (all valid) or `errors` (and no rows), never both."""

    rows: tuple[ImportRow, ...] = ()
    errors: tuple[RowError, ...] = ()

    def __post_init__(self) -> None:
        if self.rows and self.errors:
            raise ValueError("a parse has either rows or errors")

    @property
    def ok(self) -> bool:
        return not self.errors


def parse_patient_csv(data: bytes, ctx: CheckContext, limits: CsvLimits = CsvLimits()) -> CsvParse:
    """Parse and check a whole file (see the module docstring for its format)."""
    if len(data) > limits.max_bytes:
        return _failed(
            RowError(None, None, "file_too_large", f"the file exceeds {limits.max_bytes} bytes")
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        return _failed(RowError(line, None, "not_utf8", "the file is not valid UTF-8"))
    return _Parser(ctx, limits).parse(text)


def _failed(*errors: RowError) -> CsvParse:
    return CsvParse(errors=errors)


class _Parser:
    def __init__(self, ctx: CheckContext, limits: CsvLimits) -> None:
        self.ctx = ctx
        self.limits = limits
        self.errors: list[RowError] = []
        self.rows: list[ImportRow] = []
        self.refs: dict[str, int] = {}
        self.numbers: dict[NhsNumber, int] = {}
        self.line = 1

    def parse(self, text: str) -> CsvParse:
        try:
            self._read(text)
        except csv.Error as exc:
            self._error(self.line, None, "malformed_csv", f"malformed CSV: {exc}")
        if self.errors:
            return CsvParse(errors=tuple(self._capped()))
        return CsvParse(rows=tuple(self.rows))

    def _capped(self) -> list[RowError]:
        if len(self.errors) <= MAX_ERRORS:
            return self.errors
        more = len(self.errors) - MAX_ERRORS
        return [
            *self.errors[:MAX_ERRORS],
            RowError(None, None, "too_many_errors", f"{more} more errors not shown"),
        ]

    def _read(self, text: str) -> None:
        reader = csv.reader(io.StringIO(text, newline=""), strict=True)
        self.line = 1
        header = next(reader, None)
        if header is None or not any(cell.strip() for cell in header):
            self._error(1, None, "missing_header", "the file has no header row")
            return
        columns = self._header([cell.strip().lower() for cell in header])
        if columns is None:
            return
        count = 0
        while True:
            self.line = reader.line_num + 1  # where the next record starts
            cells = next(reader, None)
            if cells is None:
                return
            if not any(cell.strip() for cell in cells):
                continue  # blank lines, and the empty rows spreadsheets leave at the end
            count += 1
            if count > self.limits.max_rows:
                self._error(
                    self.line, None, "too_many_rows", f"more than {self.limits.max_rows} rows"
                )
                return
            self._row(self.line, columns, cells)

    def _header(self, names: list[str]) -> list[str] | None:
        before = len(self.errors)
        for i, name in enumerate(names):
            if name not in COLUMNS:
                shown = name if _NAME_LIKE.fullmatch(name) else f"(column {i + 1})"
                self._error(1, shown, "unknown_column", "unknown column")
            elif name in names[:i]:
                self._error(1, name, "duplicate_column", "the column appears twice")
        wanted = [*REQUIRED]
        for n in range(1, MAX_DELAY_COLUMNS + 1):
            if any(name.startswith(f"delay{n}_") for name in names):
                wanted += [f"delay{n}_reason", f"delay{n}_from"]
        for name in wanted:
            if name not in names:
                self._error(1, name, "missing_column", "a required column is missing")
        return names if len(self.errors) == before else None

    def _error(self, line: int | None, column: str | None, code: str, message: str) -> None:
        self.errors.append(RowError(line, column, code, message))

    def _row(self, line: int, columns: list[str], cells: list[str]) -> None:
        if len(cells) != len(columns):
            self._error(
                line, None, "wrong_cell_count", f"{len(cells)} cells, the header has {len(columns)}"
            )
            return
        values = {name: cell.strip() for name, cell in zip(columns, cells, strict=True)}
        reader = _RowReader(values, self.limits.max_cell)
        draft = reader.draft()
        problems = reader.problems if draft is None else check_patient(draft, self.ctx)
        for problem in problems:
            self._error(line, _column(problem.field), problem.code, problem.message)
        if draft is not None and not problems:
            self._unique(line, draft)
            self.rows.append(ImportRow(line, draft))

    def _unique(self, line: int, draft: PatientDraft) -> None:
        first = self.refs.setdefault(draft.local_ref, line)
        if first != line:
            self._error(
                line, "local_ref", "duplicate_local_ref", f"the same local_ref as line {first}"
            )
        if draft.nhs_number is not None:
            first = self.numbers.setdefault(draft.nhs_number, line)
            if first != line:
                self._error(
                    line,
                    "nhs_number",
                    "duplicate_nhs_number",
                    f"the same NHS number as line {first}",
                )


def _column(field: str) -> str:
    """A JSON field name (`delays.0.from`) as its CSV column (`delay1_from`)."""
    match = _DELAY_FIELD.fullmatch(field)
    if match is None:
        return field
    return f"delay{int(match[1]) + 1}_{match[2]}"


class _RowReader:
    """Turns one row's cells into a draft, collecting every cell-level problem."""

    def __init__(self, values: Mapping[str, str], max_cell: int) -> None:
        self.values = values
        self.max_cell = max_cell
        self.problems: list[Problem] = []

    def draft(self) -> PatientDraft | None:
        # Placeholders stand in for unreadable cells; the draft is dropped if any was.
        draft = PatientDraft(
            local_ref=self._text("local_ref"),
            unit_id=self._text("unit_id"),
            admitted_at=self._instant("admitted_at") or datetime.min,
            discharge_ready_date=self._day("discharge_ready_date") or date.min,
            pathway=self._pathway(),
            destination_locality=self._text("destination_locality"),
            expected_discharge_date=self._day("expected_discharge_date", required=False),
            nhs_number=self._nhs_number(),
            delays=self._delays(),
        )
        return None if self.problems else draft

    def _cell(self, column: str, *, required: bool = True) -> str | None:
        value = self.values.get(column, "")
        if len(value) > self.max_cell:
            self._problem(column, "too_long", f"longer than {self.max_cell} characters")
            return None
        if not value:
            if required:
                self._problem(column, "required", "a value is required")
            return None
        return value

    def _problem(self, column: str, code: str, message: str) -> None:
        self.problems.append(Problem(column, code, message))

    def _text(self, column: str) -> str:
        return self._cell(column) or ""

    def _day(self, column: str, *, required: bool = True) -> date | None:
        value = self._cell(column, required=required)
        if value is None:
            return None
        try:
            if _DATE.fullmatch(value):
                return date.fromisoformat(value)
        except ValueError:
            pass
        self._problem(column, "invalid_date", "not a date in the form YYYY-MM-DD")
        return None

    def _instant(self, column: str) -> datetime | None:
        value = self._cell(column)
        if value is None:
            return None
        try:
            parsed = (
                datetime.fromisoformat(value) if _DATE.match(value) and len(value) > 10 else None
            )
        except ValueError:
            parsed = None
        if parsed is None:
            self._problem(
                column,
                "invalid_datetime",
                "not an ISO 8601 date and time, e.g. 2024-11-03T14:20:00Z",
            )
        elif parsed.utcoffset() is None:
            self._problem(
                column, "missing_offset", "the time must carry a UTC offset, e.g. +00:00 or Z"
            )
            parsed = None
        return parsed

    def _pathway(self) -> Pathway:
        value = self._cell("pathway")
        if value is not None and value in {"0", "1", "2", "3"}:
            return Pathway(int(value))
        if value is not None:
            self._problem("pathway", "invalid_pathway", "pathway must be 0, 1, 2 or 3")
        return Pathway.home

    def _nhs_number(self) -> NhsNumber | None:
        value = self._cell("nhs_number", required=False)
        if value is None:
            return None
        try:
            return NhsNumber(value)
        except InvalidNhsNumber as exc:
            self._problem("nhs_number", exc.code, exc.message)
            return None

    def _delays(self) -> tuple[DelayDraft, ...]:
        delays = []
        for n in range(1, MAX_DELAY_COLUMNS + 1):
            names = [f"delay{n}_{f}" for f in DELAY_FIELDS]
            if any(self.values.get(name) for name in names):
                delay = self._delay(*names)
                if delay is not None:
                    delays.append(delay)
        return tuple(delays)

    def _delay(self, reason: str, responsible: str, start: str, end: str) -> DelayDraft | None:
        code = self._cell(reason)
        party = self._responsible(responsible)
        first = self._day(start)
        last = self._day(end, required=False)
        if code is None or first is None:
            return None
        return DelayDraft(reason=code, start=first, end=last, responsible=party)

    def _responsible(self, column: str) -> Responsible | None:
        value = self._cell(column, required=False)
        if value is None:
            return None
        try:
            return Responsible(value)
        except ValueError:
            self._problem(column, "invalid_responsible", "must be health, social_care or both")
            return None
