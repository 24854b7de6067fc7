"""The Redis Stream that is the event log.

Entries are added by one Lua script that takes the next global sequence number
and uses it as the entry id (`<seq>-0`), so every reader and every replica
agrees on `seq`, and a board can resume from it. An entry has two fields: `t`,
the event type, and `e`, the event as JSON.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import cast

from redis.asyncio import Redis
from redis.exceptions import ResponseError

from wicc_shared.events.envelope import Event, seq_of, stream_id

# If the counter key is gone but the stream is not (an operator's FLUSH of one
# key, a restore), restart after the stream's last id rather than reuse ids.
_PUBLISH_SCRIPT = """
if redis.call('EXISTS', KEYS[2]) == 0 and redis.call('EXISTS', KEYS[1]) == 1 then
  local info = redis.call('XINFO', 'STREAM', KEYS[1])
  for i = 1, #info, 2 do
    if info[i] == 'last-generated-id' then
      local last = tonumber(string.match(info[i + 1], '^(%d+)'))
      redis.call('SET', KEYS[2], last)
    end
  end
end
local seqs = {}
for i = 2, #ARGV, 2 do
  local seq = redis.call('INCR', KEYS[2])
  redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[1], seq .. '-0', 't', ARGV[i], 'e', ARGV[i + 1])
  seqs[#seqs + 1] = seq
end
return seqs
"""


StreamEntry = tuple[bytes, dict[bytes, bytes]]
StreamResponse = list[tuple[bytes, list[StreamEntry]]]


class EventStream:
    def __init__(self, redis: Redis, name: str, maxlen: int) -> None:
        self.redis = redis
        self.name = name
        self.counter_key = f"{name}:seq"
        self.dead_letter = f"{name}:dead"
        self.kick_channel = f"{name}:kick"  # see events/kicks.py
        self.maxlen = maxlen
        self._publish = redis.register_script(_PUBLISH_SCRIPT)

    async def publish(self, events: Sequence[Event]) -> list[int]:
        """Append events atomically, in order; return their sequence numbers."""
        return await self.publish_serialised([(e.type, e.to_json()) for e in events])

    async def publish_serialised(self, entries: Sequence[tuple[str, str]]) -> list[int]:
        """Append (type, event JSON) pairs atomically, in order; return their sequences.

        Each entry carries its type (`t`) beside the event (`e`), so a consumer can
        skip other services' events without parsing them.
        """
        if not entries:
            return []
        args: list[str | int] = [self.maxlen]
        for type_, payload in entries:
            args += [type_, payload]
        result = await self._publish(keys=[self.name, self.counter_key], args=args)
        return [int(s) for s in result]

    async def read_after(
        self, seq: int, *, count: int = 500, block_ms: int | None = None
    ) -> list[Event]:
        """Events with a sequence greater than `seq`, oldest first."""
        response = cast(
            StreamResponse,
            await self.redis.xread({self.name: stream_id(seq)}, count=count, block=block_ms),
        )
        events: list[Event] = []
        for _stream, entries in response or []:
            events.extend(Event.from_stream(eid, fields[b"e"]) for eid, fields in entries)
        return events

    async def read_types_after(
        self, seq: int, types: Collection[str], *, count: int = 500, block_ms: int | None = None
    ) -> tuple[list[Event], int]:
        """Events of these types after `seq`, and the last sequence read (`seq` when
        nothing was). Other entries are skipped by their `t` field, without parsing."""
        response = cast(
            StreamResponse,
            await self.redis.xread({self.name: stream_id(seq)}, count=count, block=block_ms),
        )
        events: list[Event] = []
        last = seq
        for _stream, entries in response or []:
            for entry_id, fields in entries:
                last = seq_of(entry_id)
                kind = fields.get(b"t")
                if kind is None or kind.decode() in types:
                    events.append(Event.from_stream(entry_id, fields[b"e"]))
        return events, last

    async def last_seq(self) -> int:
        """The last sequence ever assigned; trimming old entries does not lower it."""
        try:
            info = await self.redis.xinfo_stream(self.name)
        except ResponseError:  # no stream yet
            return 0
        return seq_of(info["last-generated-id"])
