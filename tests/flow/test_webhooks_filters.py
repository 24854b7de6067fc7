"""Endpoint filters: event-type patterns checked against the catalogue, and matching."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from wicc_flow.webhooks.filters import (
    MAX_PATTERNS,
    EndpointFilter,
    EventFacts,
    InvalidPattern,
    TypePattern,
    validate_patterns,
)

CATALOGUE = frozenset(
    {
        "beds.updated",
        "care_capacity.updated",
        "sitrep.submitted",
        "sitrep.amended",
        "sitrep.missing",
        "opel.changed",
        "opel.score.recalculated",
        "action.overdue",
    }
)


def test_exact_names_and_wildcards_are_accepted_deduplicated_and_sorted() -> None:
    assert validate_patterns(
        ["sitrep.*", "beds.updated", "sitrep.*", "opel.score.*"], CATALOGUE
    ) == ("beds.updated", "opel.score.*", "sitrep.*")


def test_the_lone_wildcard_means_everything() -> None:
    everything = EndpointFilter.create(["*"], CATALOGUE)
    assert all(everything.matches(EventFacts(t)) for t in CATALOGUE)
    assert everything.matches(EventFacts("a.type.added.later"))


REFUSED = [
    "opel.changd",  # a typo: no such type
    "opel",  # well formed, but not a type
    "beds.updated.*",  # nothing below it
    "beds.*.x",
    "opel*",
    "*.changed",
    "op*.changed",
    "OPEL.changed",
    "opel.",
    ".opel",
    "opel..changed",
    "opel.**",
    "",
    " beds.updated",
]


@pytest.mark.parametrize("pattern", REFUSED)
def test_malformed_or_unknown_patterns_are_refused(pattern: str) -> None:
    with pytest.raises(InvalidPattern) as caught:
        validate_patterns(["beds.updated", pattern], CATALOGUE)
    assert caught.value.pattern == pattern


def test_no_patterns_or_too_many_are_refused() -> None:
    with pytest.raises(ValueError, match="at least one"):
        validate_patterns([], CATALOGUE)
    many = [f"t{i}.x" for i in range(MAX_PATTERNS + 1)]
    with pytest.raises(ValueError, match="at most"):
        validate_patterns(many, {f"t{i}.x" for i in range(MAX_PATTERNS + 1)})


def test_a_wildcard_covers_every_depth_below_its_prefix_but_not_the_prefix() -> None:
    opel = TypePattern.parse("opel.*")
    assert opel.matches("opel.changed")
    assert opel.matches("opel.score.recalculated")
    assert not opel.matches("opel")
    assert not opel.matches("opelx.changed")
    assert not TypePattern.parse("opel.changed").matches("opel.changed.again")


def test_organisation_and_system_filters() -> None:
    rnz = EndpointFilter.create(["opel.*"], CATALOGUE, organisation="RNZ")
    assert rnz.matches(EventFacts("opel.changed", organisation="RNZ", system="wiltshire"))
    assert not rnz.matches(EventFacts("opel.changed", organisation="RN3", system="wiltshire"))
    assert not rnz.matches(EventFacts("opel.changed", organisation=None, system="wiltshire"))
    assert not rnz.matches(EventFacts("beds.updated", organisation="RNZ"))
    system = EndpointFilter.create(["*"], CATALOGUE, system="wiltshire")
    assert system.matches(EventFacts("beds.updated", organisation="RN3", system="wiltshire"))
    assert not system.matches(EventFacts("beds.updated", organisation="RN3", system="bsw"))
    both = EndpointFilter.create(["*"], CATALOGUE, organisation="RNZ", system="wiltshire")
    assert not both.matches(EventFacts("beds.updated", organisation="RNZ", system="bsw"))


_SEGMENT = st.from_regex(r"[a-z][a-z0-9_]{0,6}", fullmatch=True)
_TYPES = st.lists(_SEGMENT, min_size=1, max_size=4).map(".".join)


@given(known=st.sets(_TYPES, min_size=1, max_size=12), data=st.data())
def test_a_pattern_drawn_from_a_known_type_is_accepted_and_matches_it(
    known: set[str], data: st.DataObject
) -> None:
    source = data.draw(st.sampled_from(sorted(known)))
    segments = source.split(".")
    keep = data.draw(st.integers(0, len(segments) - 1))
    text = source if keep == 0 else ".".join(segments[:keep]) + ".*"
    assert validate_patterns([text], known) == (text,)
    assert EndpointFilter((text,)).matches(EventFacts(source))


@given(known=st.sets(_TYPES, max_size=12), text=_TYPES, wildcard=st.booleans())
def test_an_accepted_pattern_always_matches_some_known_type(
    known: set[str], text: str, wildcard: bool
) -> None:
    pattern = text + ".*" if wildcard else text
    try:
        validate_patterns([pattern], known)
    except InvalidPattern:
        assert not any(TypePattern.parse(pattern).matches(t) for t in known)
        return
    assert any(TypePattern.parse(pattern).matches(t) for t in known)


@given(event_type=_TYPES, text=_TYPES)
def test_matching_is_exact_name_or_dotted_prefix(event_type: str, text: str) -> None:
    assert TypePattern.parse(text).matches(event_type) == (event_type == text)
    assert TypePattern.parse(text + ".*").matches(event_type) == event_type.startswith(text + ".")
