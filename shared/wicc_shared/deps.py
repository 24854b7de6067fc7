"""Request-scoped dependencies: the session (one commit point) and the runtime."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncSession

from wicc_shared.events.outbox import OUTBOX_PENDING_KEY
from wicc_shared.runtime import Runtime, runtime_of


async def _session(request: Request) -> AsyncIterator[AsyncSession]:
    """The request's only commit point: services flush, this commits or rolls back.

    Scoped to the endpoint function, so the commit happens before the response
    is sent: a client never sees a 2xx for a write that did not commit.
    """
    runtime = runtime_of(request)
    async with runtime.sessions() as session:
        try:
            yield session
        except BaseException:
            await session.rollback()
            raise
        await session.commit()
        if schemas := session.info.get(OUTBOX_PENDING_KEY):
            runtime.kick_relays(schemas)


async def _runtime(request: Request) -> Runtime:
    return runtime_of(request)


SessionDep = Annotated[AsyncSession, Depends(_session, scope="function")]
RuntimeDep = Annotated[Runtime, Depends(_runtime)]
