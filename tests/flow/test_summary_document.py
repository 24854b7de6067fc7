"""The summary document model: figures carry their origin, counts add up, stale
figures cannot hide, and a stored document reads back unchanged."""

from __future__ import annotations

from datetime import timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from tests.builders.summaries import (
    AS_OF,
    BUILT_AT,
    CARE,
    figure,
    opel_status,
    patients_ready,
    wiltshire_document,
)
from wicc_flow.summaries.codes import DelayBand, Pathway, delay_band
from wicc_flow.summaries.document import (
    CapacityDemand,
    SummaryDocument,
    capacity_demand,
    source_freshness,
)
from wicc_flow.summaries.figures import Tracked, Unit, derive, difference, iter_figures, tracked


def test_a_change_is_today_minus_yesterday_and_describes_today() -> None:
    today = figure(97.0, Unit.percent, source="capacity:/capacity/v1/beds")
    yesterday = figure(93.0, Unit.percent, as_of=AS_OF - timedelta(days=1))
    change = difference(today, yesterday)
    assert change.value == 4.0
    assert change.unit == Unit.points  # a change of a percentage is in points
    assert change.as_of == today.as_of
    assert change.source == "derived(capacity:/capacity/v1/beds, flow:/flow/v1/patients)"


def test_a_derived_figure_is_as_old_and_as_stale_as_its_oldest_input() -> None:
    old = figure(4, Unit.places, source=CARE, as_of=AS_OF - timedelta(hours=26), stale=True)
    gap = derive(4 - 31, Unit.places, [old, figure(31)])
    assert (gap.value, gap.as_of, gap.stale, gap.derived) == (-27, old.as_of, True, True)


def test_a_stored_change_that_disagrees_with_its_figures_is_refused() -> None:
    good = tracked(figure(10), figure(7))
    wrong = figure(5, source=good.change.source if good.change else "x")
    with pytest.raises(ValidationError, match="not today - yesterday"):
        Tracked(today=good.today, yesterday=good.yesterday, change=wrong)
    with pytest.raises(ValidationError, match="needs yesterday"):
        Tracked(today=good.today, change=good.change)


def test_counts_by_pathway_must_add_up_to_the_total() -> None:
    ready = patients_ready()
    by_pathway = dict(ready.by_pathway)
    by_pathway[Pathway.p1] = figure(by_pathway[Pathway.p1].value + 1)
    with pytest.raises(ValidationError, match="by_pathway adds up to"):
        type(ready).model_validate({**ready.model_dump(), "by_pathway": by_pathway})


def test_every_pathway_and_band_is_present_so_zero_never_means_unknown() -> None:
    ready = patients_ready().model_dump()
    del ready["by_band"]["21+"]
    with pytest.raises(ValidationError, match="by_band lacks 21\\+"):
        type(patients_ready()).model_validate(ready)


def test_the_cross_table_must_agree_with_both_margins() -> None:
    ready = patients_ready().model_dump()
    cells = ready["by_pathway_band"]
    # Move one patient between bands within P1: the row still adds up, the columns do not.
    cells["P1"]["0"]["value"] += 1
    cells["P1"]["1"]["value"] -= 1
    with pytest.raises(ValidationError, match="band 0 adds up"):
        type(patients_ready()).model_validate(ready)


def test_the_level_in_force_is_the_declared_one_when_declared() -> None:
    status = opel_status(calculated=2, declared=3, level_yesterday=3)
    assert status.level.today.value == 3
    data = status.model_dump()
    data["level"]["today"]["value"] = 2
    data["level"]["change"]["value"] = -1
    with pytest.raises(ValidationError, match="level in force"):
        type(status).model_validate(data)


def test_a_gap_is_capacity_minus_demand_and_absent_without_capacity() -> None:
    row = capacity_demand(
        "north", "North", Pathway.p1, "starts", figure(4, Unit.places), figure(31)
    )
    assert row.gap is not None and row.gap.value == -27
    none = capacity_demand("north", "North", Pathway.p0, "none", None, figure(12))
    assert none.gap is None
    with pytest.raises(ValidationError, match="gap is not"):
        CapacityDemand.model_validate(
            {**row.model_dump(), "gap": {**row.gap.model_dump(), "value": 1}}
        )


def test_a_stale_figure_whose_source_is_not_named_stale_is_refused() -> None:
    # The care figures are stale but the freshness list says the source is current:
    # the page would not name it at the top, so the document is refused.
    fresh = wiltshire_document().freshness
    with pytest.raises(ValidationError, match="is not a stale source"):
        wiltshire_document(care_stale=True, freshness=fresh)


def test_stale_sources_are_listed_oldest_first_and_never_received_leads() -> None:
    never = source_freshness("x:/never", "Never", None, timedelta(hours=1), BUILT_AT)
    doc = wiltshire_document(care_stale=True)
    doc = SummaryDocument.model_validate(
        {**doc.model_dump(), "freshness": [*doc.model_dump()["freshness"], never.model_dump()]}
    )
    assert [s.source for s in doc.stale_sources()] == ["x:/never", CARE]


def test_freshness_is_stale_only_past_its_limit() -> None:
    limit = timedelta(hours=4)
    at_limit = source_freshness("s", "S", BUILT_AT - limit, limit, BUILT_AT)
    past = source_freshness("s", "S", BUILT_AT - limit - timedelta(seconds=1), limit, BUILT_AT)
    assert (at_limit.stale, past.stale) == (False, True)
    assert past.age_seconds == limit.total_seconds() + 1


def test_a_stored_document_reads_back_equal() -> None:
    doc = wiltshire_document(care_stale=True)
    again = SummaryDocument.model_validate_json(doc.model_dump_json())
    assert again == doc
    # Integers stay integers and measured values stay floats through JSON.
    assert isinstance(again.system.beds.occupancy.today.value, float)  # type: ignore[union-attr]
    assert isinstance(again.system.patients.total.today.value, int)  # type: ignore[union-attr]


def test_every_figure_has_a_source_and_a_time() -> None:
    found = list(iter_figures(wiltshire_document()))
    assert len(found) > 400  # the whole day: areas, care, outlook and 14-day trends
    assert all(f.source and f.as_of.tzinfo is not None for _, f in found)
    paths = {path for path, _ in found}
    assert "organisations[1].beds.occupancy.today" in paths
    assert "care.rows[0].gap" in paths


def test_missing_sections_stay_missing_through_json() -> None:
    doc = wiltshire_document(care=None, outlook=None, sitreps=None, trends=None)
    data = doc.model_dump(mode="json")
    assert data["care"] is None and data["outlook"] is None
    assert SummaryDocument.model_validate(data).care is None


@pytest.mark.parametrize(
    ("days", "band"),
    [
        (0, DelayBand.d0),
        (1, DelayBand.d1),
        (2, DelayBand.d2_3),
        (3, DelayBand.d2_3),
        (4, DelayBand.d4_6),
        (6, DelayBand.d4_6),
        (7, DelayBand.d7_13),
        (13, DelayBand.d7_13),
        (14, DelayBand.d14_20),
        (20, DelayBand.d14_20),
        (21, DelayBand.d21_plus),
        (400, DelayBand.d21_plus),
    ],
)
def test_delay_bands_follow_the_national_bands(days: int, band: DelayBand) -> None:
    assert delay_band(days) == band


@given(st.integers(min_value=0, max_value=10_000), st.integers(min_value=0, max_value=10_000))
def test_a_longer_delay_never_falls_in_an_earlier_band(a: int, b: int) -> None:
    order = list(DelayBand)
    shorter, longer = sorted((a, b))
    assert order.index(delay_band(shorter)) <= order.index(delay_band(longer))


def test_a_negative_delay_is_an_error() -> None:
    with pytest.raises(ValueError, match="negative"):
        delay_band(-1)
