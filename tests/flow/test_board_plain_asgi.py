"""The board served by a server that offers no frame sink (plain ASGI sends).

`wicc run` writes board frames straight to each socket; any other ASGI server gets
the portable path, a bounded queue and a sender task per client. The board tests
below run again here, against that path.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.flow.test_board import (  # collected again, with this module's fixtures
    test_board_client_receives_a_bed_update,
    test_resume_from_the_current_seq_gets_no_backlog,
    test_resume_with_since_replays_exactly_the_missed_events,
)
from tests.support import Wicc, board_connections, connection_changes, next_frame
from wicc_flow.board.clients import QueuedClient
from wicc_flow.state import FlowState

__all__ = [
    "test_board_client_receives_a_bed_update",
    "test_resume_from_the_current_seq_gets_no_backlog",
    "test_resume_with_since_replays_exactly_the_missed_events",
]


@pytest.fixture
def uvicorn_overrides() -> dict[str, Any]:
    return {"ws": "websockets-sansio"}  # uvicorn's own protocol: no frame sink


async def test_another_server_gets_queued_clients(wicc: Wicc) -> None:
    before = await board_connections(wicc)
    async with wicc.board() as ws:
        await next_frame(ws)
        clients = wicc.state(FlowState).hub.clients
        assert [type(c) for c in clients] == [QueuedClient]
        during = await board_connections(wicc)
    assert connection_changes(before, during) == {"frame_sink": (0, 0), "asgi_queue": (1, 1)}
