"""`wicc summary` prints the day's summary for the person chairing the call: the latest
version, or a new one when there is none or `--rebuild` asks."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import os
import sys
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from tests.flow.summary_api import SUMMARY_SETTINGS, build, read, until_published
from tests.support import Wicc, fetch, set_clock

pytestmark = pytest.mark.slow
CLI_TIMEOUT = 120.0


@pytest.fixture
def settings_overrides() -> dict[str, Any]:
    return SUMMARY_SETTINGS


async def wicc_summary(wicc: Wicc, *args: str) -> tuple[int, str, str]:
    """Run `wicc summary` against the system under test; (exit code, stdout, stderr)."""
    settings = wicc.settings
    env = {
        **os.environ,
        "DATABASE_URL": settings.database_url or "",
        "REDIS_URL": settings.redis_url or "",
        "WICC_EVENT_STREAM": settings.event_stream,
        "WICC_LOG_LEVEL": "WARNING",
    }
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "wicc.cli",
        "summary",
        *args,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(), CLI_TIMEOUT)
    assert process.returncode is not None
    return process.returncode, out.decode(), err.decode()


def _today() -> dt.date:
    # The command line runs on the real clock, in the system's zone (London).
    return dt.datetime.now(dt.UTC).astimezone(ZoneInfo("Europe/London")).date()


async def test_the_command_prints_the_latest_summary_and_rebuilds_on_request(wicc: Wicc) -> None:
    now = dt.datetime.now(dt.UTC)
    set_clock(wicc, now)
    assert (await wicc.put_beds("RNZ-AMU", as_of=now - dt.timedelta(minutes=5))).is_success
    today = _today()
    assert (await build(wicc, today)).status_code == 201

    code, out, err = await wicc_summary(
        wicc, "--system", "wiltshire", "--date", today.isoformat(), "--format", "json"
    )
    assert code == 0, err
    assert json.loads(out) == (await read(wicc, today)).json()  # the stored version 1

    code, out, err = await wicc_summary(
        wicc, "--system", "wiltshire", "--format", "markdown", "--rebuild"
    )
    assert code == 0, err
    assert out.startswith("# Daily system call: Wiltshire system")
    assert "Version 2, built" in out
    rows = await fetch(wicc, "SELECT version, built_by FROM flow.summary ORDER BY version")
    assert [(r["version"], r["built_by"]) for r in rows] == [
        (1, rows[0]["built_by"]),
        (2, "system:cli"),
    ]
    await until_published(wicc)  # the CLI's build was announced like any other

    code, out, err = await wicc_summary(wicc, "--system", "wiltshire", "--format", "html")
    assert code == 0, err
    assert out.startswith("<!DOCTYPE html>") and "Version 2, built" in out
    assert out.count("<svg") >= 2


async def test_the_command_says_why_there_is_no_summary(wicc: Wicc) -> None:
    code, out, err = await wicc_summary(wicc, "--system", "nowhere")
    assert (code, out) == (1, "")
    assert "No care system with code 'nowhere'" in err
    yesterday = (_today() - dt.timedelta(days=1)).isoformat()
    code, out, err = await wicc_summary(wicc, "--system", "wiltshire", "--date", yesterday)
    assert (code, out) == (1, "")
    assert "only today's" in err
