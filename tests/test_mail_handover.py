"""The hand-over's SMTP conversation: MAIL, RCPT and DATA in one write to a server that
offers PIPELINING (RFC 2920), one at a time to one that does not, every reply judged."""

from __future__ import annotations

import smtplib
from collections.abc import Callable, Sequence
from typing import Any

import pytest

from mail_world import Inbox, smtp_server
from silverplatter.services.mail_handover import TERMINATOR, Outgoing, Pool, hand_over
from silverplatter.services.smtp import SmtpTarget

SENDER = "Seller Oy <news@seller.example>"


def _message(number: int) -> bytes:
    return (
        f"From: news@seller.example\r\nTo: person{number}@buyer.example\r\n"
        f"Subject: Number {number}\r\nMessage-ID: <{number}@seller.example>\r\n\r\n"
        f".A line that starts with a dot\r\nHello {number}\r\n"
    ).encode("ascii")


def _items(*recipients: str) -> list[Outgoing]:
    return [Outgoing(n, recipient, _message(n)) for n, recipient in enumerate(recipients, 1)]


def _send(inbox: Inbox, pool: Pool, items: list[Outgoing]) -> list[list[int]]:
    """Hand ``items`` over; the send ids of each commit."""
    commits: list[list[int]] = []

    def commit(staged: Sequence[Outgoing], release: Callable[[], None]) -> None:
        commits.append([item.send_id for item in staged])
        release()

    hand_over(pool, items, sender=SENDER, commit=commit)
    return commits


def test_a_server_offering_pipelining_gets_the_envelope_in_one_write() -> None:
    with smtp_server() as inbox:
        inbox.pipelining = True
        pool = Pool(SmtpTarget("127.0.0.1", inbox.port), size=3, timeout=5)
        items = _items("a@buyer.example", "b@buyer.example", "c@other.example")
        commits = _send(inbox, pool, items)
        inbox.wait_for(3)
        assert all(connection.pipelining for connection in pool.connections)
        pool.close()
    assert commits == [[1, 2, 3]]
    assert [(item.outcome, item.error) for item in items] == [("sent", "")] * 3
    assert inbox.pipelined == [True, True, True]
    assert sorted(inbox.envelopes) == [
        ("news@seller.example", ["a@buyer.example"]),
        ("news@seller.example", ["b@buyer.example"]),
        ("news@seller.example", ["c@other.example"]),
    ]
    assert sorted(str(message["Subject"]) for message in inbox.messages) == [
        "Number 1",
        "Number 2",
        "Number 3",
    ]
    first = next(message for message in inbox.messages if message["Subject"] == "Number 1")
    assert first.get_content() == ".A line that starts with a dot\nHello 1\n"


def test_a_server_without_pipelining_gets_one_command_at_a_time() -> None:
    with smtp_server() as inbox:
        pool = Pool(SmtpTarget("127.0.0.1", inbox.port), size=2, timeout=5)
        items = _items("a@buyer.example", "b@buyer.example")
        commits = _send(inbox, pool, items)
        inbox.wait_for(2)
        assert not any(connection.pipelining for connection in pool.connections)
        pool.close()
    assert commits == [[1, 2]]
    assert [item.outcome for item in items] == ["sent", "sent"]
    assert inbox.pipelined == [False, False]


def test_a_refused_recipient_in_a_pipelined_group_fails_only_its_message() -> None:
    with smtp_server() as inbox:
        inbox.pipelining = True
        inbox.refuse["nobody@buyer.example"] = "550 5.1.1 no such user"
        pool = Pool(SmtpTarget("127.0.0.1", inbox.port), size=2, timeout=5)
        first = _items("a@buyer.example", "nobody@buyer.example")
        commits = _send(inbox, pool, first)
        # The connection that had the refusal takes the next message.
        second = _items("b@buyer.example", "c@buyer.example")
        commits += _send(inbox, pool, second)
        inbox.wait_for(3)
        pool.close()
    assert commits == [[1], [1, 2]]
    assert [(item.outcome, item.error) for item in first] == [
        ("sent", ""),
        ("failed", "550 5.1.1 no such user"),
    ]
    assert [item.outcome for item in second] == ["sent", "sent"]
    assert sorted(rcpts[0] for _sender, rcpts in inbox.envelopes) == [
        "a@buyer.example",
        "b@buyer.example",
        "c@buyer.example",
    ]
    assert len(set(inbox.peers)) == 2


def test_a_server_refusing_the_sender_is_the_servers_trouble() -> None:
    with smtp_server() as inbox:
        inbox.pipelining = True
        inbox.closing_after = 0
        pool = Pool(SmtpTarget("127.0.0.1", inbox.port), size=1, timeout=5)
        items = _items("a@buyer.example")
        commits = _send(inbox, pool, items)
        pool.close()
    assert commits == [[]]
    assert [(item.outcome, item.error, item.server_trouble) for item in items] == [
        ("retry", "421 4.3.2 shutting down", True)
    ]
    assert inbox.messages == []


def test_an_address_that_cannot_stand_in_a_pipelined_command_is_not_sent() -> None:
    with smtp_server() as inbox:
        inbox.pipelining = True
        pool = Pool(SmtpTarget("127.0.0.1", inbox.port), size=2, timeout=5)
        items = _items("a@buyer.example>\r\nRCPT TO:<b@buyer.example", "c@buyer.example")
        commits = _send(inbox, pool, items)
        inbox.wait_for(1)
        pool.close()
    assert commits == [[2]]
    assert [(item.outcome, item.error) for item in items] == [
        ("failed", "not an address to send to: 'a@buyer.example>\\r\\nRCPT TO:<b@buyer.example'"),
        ("sent", ""),
    ]
    assert [rcpts for _sender, rcpts in inbox.envelopes] == [["c@buyer.example"]]


def test_the_terminators_go_out_only_when_the_commit_releases_them() -> None:
    with smtp_server() as inbox:
        pool = Pool(SmtpTarget("127.0.0.1", inbox.port), size=2, timeout=5)
        items = _items("a@buyer.example", "b@buyer.example")
        before_release: list[int] = []

        def commit(staged: Sequence[Outgoing], release: Callable[[], None]) -> None:
            inbox.wait_for(1, timeout=0.3)  # the whole bodies are there, not their ends
            before_release.append(len(inbox.messages))
            release()

        hand_over(pool, items, sender=SENDER, commit=commit)
        inbox.wait_for(2)
        pool.close()
    assert before_release == [0]
    assert [item.outcome for item in items] == ["sent", "sent"]
    assert len(inbox.messages) == 2


def test_a_commit_that_fails_before_releasing_sends_nothing() -> None:
    with smtp_server() as inbox:
        pool = Pool(SmtpTarget("127.0.0.1", inbox.port), size=2, timeout=5)
        items = _items("a@buyer.example", "b@buyer.example")

        def commit(staged: Sequence[Outgoing], release: Callable[[], None]) -> None:
            raise RuntimeError("the database went away")

        with pytest.raises(RuntimeError, match="the database went away"):
            hand_over(pool, items, sender=SENDER, commit=commit)
        inbox.wait_for(1, timeout=0.3)
        pool.close()
    assert inbox.messages == []
    assert [item.outcome for item in items] == ["", ""]


def test_a_commit_that_fails_after_releasing_has_sent_its_messages() -> None:
    with smtp_server() as inbox:
        pool = Pool(SmtpTarget("127.0.0.1", inbox.port), size=2, timeout=5)
        items = _items("a@buyer.example", "b@buyer.example")

        def commit(staged: Sequence[Outgoing], release: Callable[[], None]) -> None:
            release()
            raise RuntimeError("restoring a setting failed")

        with pytest.raises(RuntimeError, match="restoring a setting failed"):
            hand_over(pool, items, sender=SENDER, commit=commit)
        inbox.wait_for(2)
        pool.close()
    assert len(inbox.messages) == 2
    assert [item.outcome for item in items] == ["sent", "sent"]


def test_no_terminator_reaches_the_server_before_the_last_is_written(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with smtp_server() as inbox:
        pool = Pool(SmtpTarget("127.0.0.1", inbox.port), size=2, timeout=5)
        items = _items("a@buyer.example", "b@buyer.example")
        arrived_meanwhile: list[int] = []
        original = smtplib.SMTP.send

        def send(client: smtplib.SMTP, data: Any) -> None:
            original(client, data)
            if data == TERMINATOR:
                # Time enough for the server to take a message sent, and (both waits) well
                # within the 200 ms a corked socket holds its data at most.
                inbox.wait_for(1, timeout=0.05)
                arrived_meanwhile.append(len(inbox.messages))

        monkeypatch.setattr(smtplib.SMTP, "send", send)
        _send(inbox, pool, items)
        monkeypatch.undo()
        inbox.wait_for(2)
        pool.close()
    assert arrived_meanwhile == [0, 0]
    assert [item.outcome for item in items] == ["sent", "sent"]
    assert len(inbox.messages) == 2
