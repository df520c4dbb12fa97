"""Group commit: many small writes from concurrent requests, one transaction.

Each request hands its items to ``submit`` and waits.  One flush at a time
takes everything pending, writes it in one transaction in a worker thread,
and only after the commit answers each waiting request — so nothing is
acknowledged that is not stored, and under load a commit carries hundreds of
requests' items instead of one.  Items that arrive while a flush is running
wait for the next one; an idle writer flushes a lone item at once.

When a group's transaction fails, each request's items are retried in a
transaction of their own, so one bad request fails alone.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Generic, TypeVar

import anyio.to_thread

log = logging.getLogger(__name__)

Item = TypeVar("Item")

#: Writes the items of one group in one transaction; raises when nothing was written.
Write = Callable[[Sequence[Item]], None]


class Busy(RuntimeError):
    """Too much is waiting to be written, or the writer is stopping: try again later."""


@dataclass
class _Waiting(Generic[Item]):
    items: Sequence[Item]
    answer: asyncio.Future[None]


def _answer(waiting: _Waiting[Item], error: BaseException | None = None) -> None:
    """Wake the request waiting for this write (unless its event loop is gone)."""
    if waiting.answer.done():
        return
    try:
        if error is None:
            waiting.answer.set_result(None)
        else:
            waiting.answer.set_exception(error)
    except RuntimeError:  # the loop it belongs to has closed; no one is waiting
        pass


@dataclass
class GroupStats:
    commits: int = 0
    items: int = 0
    retried_alone: int = 0
    largest: int = 0


@dataclass
class GroupCommit(Generic[Item]):
    """Batches ``submit``-ted items of one event loop into shared transactions."""

    write: Write[Item]
    #: The most items one transaction carries; the rest wait for the next.
    max_items: int = 5000
    #: The most items waiting at once; beyond it ``submit`` refuses (the store is too slow).
    max_waiting: int = 100_000
    stats: GroupStats = field(default_factory=GroupStats)
    _pending: deque[_Waiting[Item]] = field(default_factory=deque)
    _waiting_items: int = 0
    _flushing: asyncio.Task[None] | None = None

    async def submit(self, items: Sequence[Item]) -> None:
        """Return once ``items`` are committed; raise what the write raised if they were not.

        Raises ``Busy`` at once when too much is already waiting.
        """
        if self._waiting_items + len(items) > self.max_waiting:
            raise Busy(f"{self._waiting_items} items are waiting to be written")
        loop = asyncio.get_running_loop()
        waiting = _Waiting(items, loop.create_future())
        self._pending.append(waiting)
        self._waiting_items += len(items)
        running = self._flushing
        if running is None or running.done() or running.get_loop() is not loop:
            # (a flush left behind by a closed event loop, as test clients leave them, is dead)
            self._flushing = asyncio.create_task(self._flush())
        await asyncio.shield(waiting.answer)

    def _take(self) -> list[_Waiting[Item]]:
        taken: list[_Waiting[Item]] = []
        count = 0
        while self._pending and (
            not taken or count + len(self._pending[0].items) <= self.max_items
        ):
            waiting = self._pending.popleft()
            taken.append(waiting)
            count += len(waiting.items)
        self._waiting_items -= count
        return taken

    async def _flush(self) -> None:
        group: list[_Waiting[Item]] = []
        try:
            while self._pending:
                group = self._take()
                items = [item for waiting in group for item in waiting.items]
                try:
                    await anyio.to_thread.run_sync(self.write, items)
                except Exception:
                    log.warning("a group commit of %d items failed; retrying each", len(items))
                    await self._alone(group)
                    continue
                self.stats.commits += 1
                self.stats.items += len(items)
                self.stats.largest = max(self.stats.largest, len(items))
                for waiting in group:
                    _answer(waiting)
        except BaseException as error:  # cancelled at shutdown: no one waits forever
            for waiting in [*group, *self._pending]:
                _answer(waiting, Busy("the server is stopping"))
            self._pending.clear()
            self._waiting_items = 0
            if not isinstance(error, Exception):
                raise
        finally:
            if self._flushing is asyncio.current_task():
                self._flushing = None

    async def _alone(self, group: list[_Waiting[Item]]) -> None:
        for waiting in group:
            self.stats.retried_alone += 1
            try:
                await anyio.to_thread.run_sync(self.write, waiting.items)
            except Exception as error:
                _answer(waiting, error)
                continue
            self.stats.commits += 1
            self.stats.items += len(waiting.items)
            _answer(waiting)
