"""A built summary carries escalation's OPEL: the calculated level and score as the
escalation API gives them, a declared level in force over the calculated one, and the
open actions the declaration issued."""

from __future__ import annotations

from typing import Any

import pytest

from tests.builders.opel import opel_sitrep
from tests.escalation.opel_api import declared, get_json, submit_sitrep, until
from tests.flow.summary_api import DAY, SUMMARY_SETTINGS, at_morning, build, document
from tests.support import Wicc

OPEL = "/escalation/v1/orgs/RNZ/opel"


@pytest.fixture
def settings_overrides() -> dict[str, Any]:
    return SUMMARY_SETTINGS


async def test_the_summary_shows_the_calculated_and_declared_opel(wicc: Wicc) -> None:
    at_morning(wicc)
    await submit_sitrep(wicc, opel_sitrep("RNZ", DAY))
    calculated = await until(wicc, OPEL, lambda o: o["level"] is not None)
    issued = (await declared(wicc, "/escalation/v1/orgs/RNZ/declarations", 4))["actions_issued"]
    await until(wicc, OPEL, lambda o: o["declared"] is not None)
    assert (await build(wicc)).status_code == 201
    doc = await document(wicc)

    rnz = next(a for a in doc["organisations"] if a["code"] == "RNZ")["opel"]
    assert rnz is not None, "escalation's OPEL reaches the summary"
    assert rnz["calculated_level"]["value"] == calculated["level"]
    assert rnz["score"]["today"]["value"] == calculated["score"]
    assert rnz["score"]["today"]["source"] == f"escalation:{OPEL}"
    assert (rnz["declared_level"]["value"], rnz["level"]["today"]["value"]) == (4, 4)
    assert rnz["open_actions"]["value"] == len(issued) > 0
    assert rnz["overdue_actions"]["today"]["value"] == 0
    api = await get_json(wicc, OPEL)
    assert api["level"] == rnz["calculated_level"]["value"]
    markdown = (
        await wicc.client.get(
            f"/flow/v1/summaries/wiltshire/{DAY}", headers=wicc.auth() | {"Accept": "text/markdown"}
        )
    ).text
    assert "OPEL 4" in markdown
