"""The OPEL files are loaded and checked when every escalation process starts: a
broken file stops the process, API and worker alike, with the file and key named."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from tests.escalation.opel_support import OPEL_DIR
from tests.support import settings_for
from wicc.app import create_app
from wicc_escalation.opel.config import ConfigError
from wicc_shared.roles import API_ONLY, WORKER_ONLY, Role


def broken_copy(tmp_path: Path) -> Path:
    """The shipped files, with a gap between two bands of the occupancy parameter."""
    for source in OPEL_DIR.glob("*.yaml"):
        shutil.copy(source, tmp_path / source.name)
    acute = tmp_path / "opel-2024-26-acute-local-v1.yaml"
    text = acute.read_text()
    assert "{lower: 95, upper: 98, points: 2}" in text
    acute.write_text(
        text.replace("{lower: 95, upper: 98, points: 2}", "{lower: 96, upper: 98, points: 2}")
    )
    return tmp_path / "system-wiltshire-local-v1.yaml"


async def start(app: Any) -> list[dict[str, Any]]:
    """Run the ASGI lifespan start-up as a server does; return what the app sent."""
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, str]:
        return {"type": "lifespan.startup"}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    with pytest.raises(ConfigError):
        await app({"type": "lifespan", "asgi": {"version": "3.0"}}, receive, send)
    return sent


@pytest.mark.parametrize("roles", [API_ONLY, WORKER_ONLY], ids=["api", "worker"])
async def test_a_broken_file_stops_the_process_naming_the_file_and_key(
    fresh_db: str, redis_url: str, tmp_path: Path, roles: frozenset[Role]
) -> None:
    system_file = broken_copy(tmp_path)
    settings = settings_for(fresh_db, redis_url, opel_system_files=[system_file])
    sent = await start(create_app(settings, roles))
    assert sent[-1]["type"] == "lifespan.startup.failed"
    expected = (
        f"{tmp_path / 'opel-2024-26-acute-local-v1.yaml'}: parameters[6].bands[2].lower: "
        "gap: values from 95 up to 96 fall in no band"
    )
    assert expected in sent[-1]["message"]


async def test_a_missing_file_and_a_second_file_for_one_system_are_refused(
    fresh_db: str, redis_url: str, tmp_path: Path
) -> None:
    missing = tmp_path / "nowhere.yaml"
    sent = await start(create_app(settings_for(fresh_db, redis_url, opel_system_files=[missing])))
    assert f"{missing}: cannot read" in sent[-1]["message"]

    shipped = OPEL_DIR / "system-wiltshire-local-v1.yaml"
    twice = settings_for(fresh_db, redis_url, opel_system_files=[shipped, shipped])
    sent = await start(create_app(twice))
    assert f"{shipped}: system: system 'wiltshire' is already configured by" in sent[-1]["message"]
