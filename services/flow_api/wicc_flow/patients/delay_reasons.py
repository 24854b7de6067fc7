"""Delay reasons as versioned reference data: the national NCTR list, the older DTOC
categories, the mapping between them, and local sub-codes under national parents.

The data lives in `reference/delay-reasons/<version>.yaml`; this module parses and
checks it, then answers lookups. A file with an unknown key, a repeated key or code, a
mapping to an unknown code, or a local code without a national parent is refused with
the file and the key named, so a broken file stops a deployment instead of silently
dropping a reason from the reports.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any, Final

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from wicc_flow.patients.records import Responsible

CODE_PATTERN: Final = r"^[A-Za-z][A-Za-z0-9_]*(\.[A-Za-z0-9_]+)*$"
# Group keys of days no reason accounts for; never valid as codes.
NO_REASON: Final = "none_recorded"
NO_DTOC_CATEGORY: Final = "no_dtoc_category"


class Scheme(StrEnum):
    """The list a report groups delay reasons by."""

    nctr = "nctr"
    dtoc = "dtoc"


class DelayReasonsFileError(ValueError):
    """A delay-reasons file that cannot be used; the message names the file and key."""

    def __init__(self, source: str, key: str, message: str) -> None:
        super().__init__(f"{source}: {key}: {message}")
        self.source = source
        self.key = key


class UnknownDelayReason(KeyError):
    """A code not in the loaded list (codes are reference data, safe to name)."""

    def __str__(self) -> str:
        return f"unknown delay reason code {self.args[0]!r}"


class _Entry(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class DtocCategory(_Entry):
    code: str = Field(pattern=CODE_PATTERN, max_length=60)
    name: str = Field(min_length=1)
    responsible: Responsible


class _NctrEntry(_Entry):
    code: str = Field(pattern=CODE_PATTERN, max_length=60)
    number: int = Field(ge=1)
    name: str = Field(min_length=1)
    responsible: Responsible
    dtoc: str | None  # required, may be null: a missing mapping must be a decision
    note: str | None = None


class _LocalEntry(_Entry):
    code: str = Field(pattern=CODE_PATTERN, max_length=60)
    parent: str
    name: str = Field(min_length=1)
    responsible: Responsible | None = None  # None: the parent's
    dtoc: str | None = None  # absent: the parent's; explicitly null: no category
    note: str | None = None


class _File(_Entry):
    version: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$", max_length=60)
    dtoc: list[DtocCategory] = Field(min_length=1)
    nctr: list[_NctrEntry] = Field(min_length=1)
    local: list[_LocalEntry] = []


@dataclass(frozen=True, slots=True)
class DelayReason:
    """An NCTR reason, national or local, with everything inherited resolved."""

    code: str
    name: str
    national: str  # the national code it counts under (itself when national)
    number: int  # the national list position of `national`
    responsible: Responsible  # the usual owner, the default for a delay recorded without one
    dtoc: str | None  # DTOC category code, None where no category fits
    note: str | None = None

    @property
    def is_local(self) -> bool:
        return self.code != self.national


class DelayReasons:
    """One version of the delay-reason lists, ready for lookups."""

    def __init__(
        self, version: str, reasons: Iterable[DelayReason], dtoc: Iterable[DtocCategory]
    ) -> None:
        self.version = version
        self._reasons: Mapping[str, DelayReason] = {r.code: r for r in reasons}
        self._dtoc: Mapping[str, DtocCategory] = {c.code: c for c in dtoc}

    @property
    def national(self) -> tuple[DelayReason, ...]:
        """The national NCTR reasons in their national order."""
        found = (r for r in self._reasons.values() if not r.is_local)
        return tuple(sorted(found, key=lambda r: r.number))

    @property
    def local(self) -> tuple[DelayReason, ...]:
        return tuple(r for r in self._reasons.values() if r.is_local)

    @property
    def dtoc_categories(self) -> tuple[DtocCategory, ...]:
        return tuple(self._dtoc.values())

    def __contains__(self, code: object) -> bool:
        return code in self._reasons

    def nctr(self, code: str) -> DelayReason:
        """The NCTR reason (national or local) with this code."""
        try:
            return self._reasons[code]
        except KeyError:
            raise UnknownDelayReason(code) from None

    def dtoc(self, code: str) -> DtocCategory:
        try:
            return self._dtoc[code]
        except KeyError:
            raise UnknownDelayReason(code) from None

    def dtoc_of(self, nctr_code: str) -> DtocCategory | None:
        """The DTOC category an NCTR reason (national or local) falls under."""
        category = self.nctr(nctr_code).dtoc
        return None if category is None else self._dtoc[category]

    def group_key(self, code: str | None, scheme: Scheme | str = Scheme.nctr) -> str:
        """The key a reason is reported under: its national NCTR code (local codes roll
        up to their parent) or its DTOC category; NO_REASON for a day without a delay,
        NO_DTOC_CATEGORY for a reason DTOC had no category for."""
        if code is None:
            return NO_REASON
        reason = self.nctr(code)
        if Scheme(scheme) is Scheme.nctr:
            return reason.national
        return reason.dtoc or NO_DTOC_CATEGORY


def load_delay_reasons(path: Path) -> DelayReasons:
    """Read and check one delay-reasons file."""
    return parse_delay_reasons(path.read_text(encoding="utf-8"), source=str(path))


def parse_delay_reasons(text: str, *, source: str) -> DelayReasons:
    """Parse and check the text of a delay-reasons file; `source` names it in errors."""
    data = _parse_yaml(text, source)
    try:
        parsed = _File.model_validate(data)
    except ValidationError as exc:
        first = exc.errors(include_input=False)[0]
        raise DelayReasonsFileError(source, _key(first["loc"]), first["msg"]) from None
    return _Checker(parsed, source).build()


def _key(loc: tuple[int | str, ...]) -> str:
    key = ""
    for part in loc:
        key += f"[{part}]" if isinstance(part, int) else (f".{part}" if key else part)
    return key or "(top level)"


class _Checker:
    """The cross-entry rules: unique codes and numbers, known mapping targets, parents."""

    def __init__(self, parsed: _File, source: str) -> None:
        self.parsed = parsed
        self.source = source
        self.seen: set[str] = set()

    def build(self) -> DelayReasons:
        for i, category in enumerate(self.parsed.dtoc):
            self._unique_code(f"dtoc[{i}].code", category.code)
        national = [self._national(i, entry) for i, entry in enumerate(self.parsed.nctr)]
        by_code = {r.code: r for r in national}
        local = [self._local(i, entry, by_code) for i, entry in enumerate(self.parsed.local)]
        return DelayReasons(self.parsed.version, [*national, *local], self.parsed.dtoc)

    def _fail(self, key: str, message: str) -> DelayReasonsFileError:
        return DelayReasonsFileError(self.source, key, message)

    def _unique_code(self, key: str, code: str) -> None:
        if code in (NO_REASON, NO_DTOC_CATEGORY):
            raise self._fail(key, f"{code!r} is reserved for reports")
        if code in self.seen:
            raise self._fail(key, f"duplicate code {code!r}")
        self.seen.add(code)

    def _known_dtoc(self, key: str, code: str | None) -> None:
        if code is not None and code not in {c.code for c in self.parsed.dtoc}:
            raise self._fail(key, f"unknown DTOC category {code!r}")

    def _national(self, i: int, entry: _NctrEntry) -> DelayReason:
        self._unique_code(f"nctr[{i}].code", entry.code)
        numbers = [e.number for e in self.parsed.nctr[:i]]
        if entry.number in numbers:
            raise self._fail(f"nctr[{i}].number", f"duplicate number {entry.number}")
        self._known_dtoc(f"nctr[{i}].dtoc", entry.dtoc)
        return DelayReason(
            code=entry.code,
            name=entry.name,
            national=entry.code,
            number=entry.number,
            responsible=entry.responsible,
            dtoc=entry.dtoc,
            note=entry.note,
        )

    def _local(
        self, i: int, entry: _LocalEntry, national: Mapping[str, DelayReason]
    ) -> DelayReason:
        self._unique_code(f"local[{i}].code", entry.code)
        parent = national.get(entry.parent)
        if parent is None:
            raise self._fail(
                f"local[{i}].parent",
                f"{entry.parent!r} is not a national NCTR code; a local code needs one",
            )
        self._known_dtoc(f"local[{i}].dtoc", entry.dtoc)
        inherits_dtoc = "dtoc" not in entry.model_fields_set
        return DelayReason(
            code=entry.code,
            name=entry.name,
            national=parent.code,
            number=parent.number,
            responsible=entry.responsible or parent.responsible,
            dtoc=parent.dtoc if inherits_dtoc else entry.dtoc,
            note=entry.note,
        )


class _UniqueKeyLoader(yaml.SafeLoader):
    """PyYAML keeps the last of two equal keys silently; a reference file must not."""


def _construct_mapping(loader: _UniqueKeyLoader, node: yaml.MappingNode) -> dict[Any, Any]:
    keys: set[Any] = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node)
        if key in keys:
            raise yaml.constructor.ConstructorError(
                None, None, f"repeated key {key!r}", key_node.start_mark
            )
        keys.add(key)
    return loader.construct_mapping(node)


_UniqueKeyLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def _parse_yaml(text: str, source: str) -> object:
    try:
        return yaml.load(text, Loader=_UniqueKeyLoader)  # noqa: S506 (a SafeLoader subclass)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        where = f"line {mark.line + 1}" if mark is not None else "(unknown position)"
        raise DelayReasonsFileError(source, where, exc.problem or "invalid YAML") from None
    except yaml.YAMLError as exc:
        raise DelayReasonsFileError(source, "(file)", f"invalid YAML: {exc}") from None
