"""OPEL inputs only from events: sitreps and their amendments, live bed updates, the
patient-flow discharge sitrep; each input keeps its value, `as_of` and source event,
and an older figure arriving late never replaces a newer one."""

from __future__ import annotations

import datetime as dt

from tests.builders.opel import calm_ed, discharge_sitrep_updated, opel_sitrep
from tests.builders.sitreps import amendment
from tests.escalation.opel_api import Json, applied, by_key, get_json, submit_sitrep, until
from tests.support import Wicc, events_of, set_clock

UTC = dt.UTC
DAY = dt.date(2026, 11, 23)
MORNING = dt.datetime(2026, 11, 23, 9, 30, tzinfo=UTC)
RNZ = "/escalation/v1/orgs/RNZ/opel"
SITREP = f"/capacity/v1/sitreps/RNZ/{DAY}"


async def scored(wicc: Wicc) -> Json:
    return await until(wicc, RNZ, lambda o: o["level"] is not None)


async def test_live_bed_updates_replace_the_sitreps_older_beds(wicc: Wicc) -> None:
    set_clock(wicc, MORNING)
    await submit_sitrep(wicc, opel_sitrep())
    await scored(wicc)
    as_of = MORNING - dt.timedelta(minutes=5)
    for unit, core, escalation in (("RNZ-AMU", 34, 2), ("RNZ-MED-A", 28, 0)):
        response = await wicc.put_beds(
            unit,
            core_open=core,
            escalation_open=escalation,
            occupied=core + escalation,
            closed=[],
            as_of=as_of,
        )
        assert response.status_code == 200, response.text
    # Both units in: the NCTR count is now a share of their 64 occupied beds.
    opel = await until(wicc, RNZ, lambda o: by_key(o)["nctr_pct_of_occupied"]["value"] == 42.2)
    occupancy = by_key(opel)["adult_ga_occupancy_pct"]
    # 64 of 64 live beds occupied (escalation beds included).
    assert occupancy["value"] == 100.0
    assert (occupancy["points"], occupancy["as_of"]) == (3, "2026-11-23T09:25:00Z")
    assert occupancy["source"]["event_type"] == "beds.updated"
    beds = await events_of(wicc, "beds.updated", 2)
    assert occupancy["source"]["event_id"] in {str(e.id) for e in beds}
    assert by_key(opel)["escalation_beds_pct_of_open"]["value"] == 3.1  # 2 of 64


async def test_patient_flows_nctr_count_wins_when_fresher(wicc: Wicc) -> None:
    set_clock(wicc, MORNING)
    await submit_sitrep(wicc, opel_sitrep(nctr=27))
    await scored(wicc)
    fresher = discharge_sitrep_updated(remaining=8, as_of=MORNING - dt.timedelta(minutes=10))
    await wicc.runtime.stream.publish([fresher])
    opel = await until(wicc, RNZ, lambda o: by_key(o)["nctr_pct_of_occupied"]["value"] == 5.2)
    nctr = by_key(opel)["nctr_pct_of_occupied"]
    assert nctr["source"] == {"event_id": str(fresher.id), "event_type": "discharge_sitrep.updated"}
    # As current as its older figure: the 08:00 sitrep beds it is a share of.
    assert (nctr["points"], nctr["as_of"]) == (0, "2026-11-23T08:00:00Z")

    # A recount older than the one kept changes nothing.
    older = discharge_sitrep_updated(remaining=60, as_of=MORNING - dt.timedelta(minutes=50))
    await wicc.runtime.stream.publish([older])
    await applied(wicc, older.id)
    kept = by_key(await get_json(wicc, RNZ))["nctr_pct_of_occupied"]
    assert kept["source"]["event_id"] == str(fresher.id)


async def test_the_sitreps_nctr_count_wins_over_an_older_recount(wicc: Wicc) -> None:
    set_clock(wicc, MORNING)
    early = discharge_sitrep_updated(remaining=60, as_of=MORNING - dt.timedelta(hours=3))
    await wicc.runtime.stream.publish([early])
    await applied(wicc, early.id)
    await submit_sitrep(wicc, opel_sitrep(nctr=27))
    opel = await scored(wicc)
    assert by_key(opel)["nctr_pct_of_occupied"]["value"] == 17.5
    assert by_key(opel)["nctr_pct_of_occupied"]["source"]["event_type"] == "sitrep.submitted"


async def test_an_amendment_replaces_the_figures_and_one_without_ed_removes_them(
    wicc: Wicc,
) -> None:
    set_clock(wicc, MORNING)
    await submit_sitrep(wicc, opel_sitrep())
    await scored(wicc)
    body = amendment(org="RNZ", date=DAY, reason="ED figures recounted")
    body |= {k: v for k, v in opel_sitrep(ed=calm_ed()).items() if k not in ("org", "date")}
    response = await wicc.client.put(SITREP, json=body, headers=wicc.auth())
    assert response.status_code == 200, response.text
    opel = await until(wicc, RNZ, lambda o: o["score"] == 5)
    handover = by_key(opel)["mean_ambulance_handover_minutes"]
    assert handover["source"]["event_type"] == "sitrep.amended"

    body["ed"] = None
    body["reason"] = "no ED after all"
    response = await wicc.client.put(SITREP, json=body, headers=wicc.auth())
    assert response.status_code == 200, response.text
    opel = await until(wicc, RNZ, lambda o: len(o["missing"]) == 6)
    assert opel["partial"] is True
    assert by_key(opel)["four_hour_performance_pct"]["status"] == "missing"


async def test_an_older_sitrep_arriving_later_does_not_replace_a_newer_one(wicc: Wicc) -> None:
    set_clock(wicc, MORNING)
    await submit_sitrep(wicc, opel_sitrep(ed=calm_ed()))
    await scored(wicc)
    yesterday = DAY - dt.timedelta(days=1)
    await submit_sitrep(wicc, opel_sitrep(date=yesterday))
    missed = await events_of(wicc, "sitrep.submitted", 2)
    await applied(wicc, missed[-1].id)
    opel = await get_json(wicc, RNZ)
    assert by_key(opel)["mean_ambulance_handover_minutes"]["value"] == 10
    assert by_key(opel)["mean_ambulance_handover_minutes"]["as_of"] == "2026-11-23T08:00:00Z"


async def test_an_organisation_outside_every_pillar_is_not_scored(wicc: Wicc) -> None:
    response = await wicc.client.get("/escalation/v1/orgs/E06000054/opel", headers=wicc.auth())
    assert response.status_code == 404
    assert response.json()["type"] == "urn:wicc:problem:opel-not-configured"
    unknown = await wicc.client.get("/escalation/v1/orgs/NOPE/opel", headers=wicc.auth())
    assert unknown.json()["type"] == "urn:wicc:problem:not-found"
