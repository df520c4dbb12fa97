"""Group commit: concurrent requests share transactions, and none is answered before its write."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Sequence

import pytest

from silverplatter.services.group_commit import Busy, GroupCommit


class Store:
    """A write that takes a while, records each group, and refuses the item "poison"."""

    def __init__(self, pause: float = 0.02) -> None:
        self.groups: list[list[str]] = []
        self.pause = pause
        self.lock = threading.Lock()

    def write(self, items: Sequence[str]) -> None:
        threading.Event().wait(self.pause)
        if "poison" in items:
            raise ValueError("refused")
        with self.lock:
            self.groups.append(list(items))

    @property
    def stored(self) -> list[str]:
        return sorted(item for group in self.groups for item in group)


def test_concurrent_requests_share_commits_and_are_answered_after_them() -> None:
    store = Store()
    writer = GroupCommit(store.write)
    answered: list[str] = []

    async def request(name: str) -> None:
        await writer.submit([name])
        assert name in store.stored  # committed before the answer
        answered.append(name)

    async def main() -> None:
        first = asyncio.create_task(request("view-00"))
        await asyncio.sleep(0.005)  # its write has begun
        await asyncio.gather(first, *(request(f"view-{n:02d}") for n in range(1, 40)))

    asyncio.run(main())
    assert sorted(answered) == store.stored == [f"view-{n:02d}" for n in range(40)]
    # the first request is written alone at once; those arriving meanwhile go together
    assert [len(group) for group in store.groups] == [1, 39]
    assert (writer.stats.commits, writer.stats.items, writer.stats.largest) == (2, 40, 39)


def test_a_failed_group_is_retried_request_by_request() -> None:
    store = Store()
    writer = GroupCommit(store.write)
    outcomes: dict[str, str] = {}

    async def request(items: list[str]) -> None:
        try:
            await writer.submit(items)
            outcomes[items[0]] = "stored"
        except ValueError as error:
            outcomes[items[0]] = str(error)

    async def main() -> None:
        await asyncio.gather(
            request(["first"]), request(["a", "b"]), request(["poison"]), request(["c"])
        )

    asyncio.run(main())
    assert outcomes == {"first": "stored", "a": "stored", "poison": "refused", "c": "stored"}
    assert store.stored == ["a", "b", "c", "first"]
    # all four arrived before the first flush: one group, refused, then each alone
    assert (writer.stats.retried_alone, writer.stats.commits) == (4, 3)


def test_groups_are_bounded_and_too_much_waiting_is_refused() -> None:
    store = Store()
    writer = GroupCommit(store.write, max_items=3, max_waiting=5)

    async def main() -> list[BaseException | None]:
        return await asyncio.gather(
            *(writer.submit([f"v{n}", f"w{n}"]) for n in range(4)), return_exceptions=True
        )

    results = asyncio.run(main())
    assert [type(result).__name__ for result in results] == ["NoneType", "NoneType", "Busy", "Busy"]
    assert [len(group) for group in store.groups] == [2, 2]  # 4 items exceed a group of 3


def test_busy_names_what_is_waiting() -> None:
    writer = GroupCommit(Store().write, max_waiting=1)

    async def main() -> None:
        await writer.submit(["a", "b"])

    with pytest.raises(Busy, match="0 items are waiting"):
        asyncio.run(main())
