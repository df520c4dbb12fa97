"""Bounces: reading DSNs, feedback reports and non-standard notices; recording them with
their suppression; the provider webhook; the bounce mailbox over POP3."""

from __future__ import annotations

import json
import socketserver
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any, ClassVar

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select, update

from nurture_world import NOW, SENDER, ledger, queue_sends, seed_world
from silverplatter.domain.bounces import Bounce, classify, parse_report
from silverplatter.domain.mail_message import message_id_for
from silverplatter.services.bounce_mailbox import Mailbox, read_mailbox
from silverplatter.services.bounces import BounceError, bounces_from_payload, record_bounce
from silverplatter.services.suppression import is_suppressed
from silverplatter.settings import Settings
from silverplatter.storage.nurture_schema import bounce_reports, mail_sends
from silverplatter.storage.schema import events
from silverplatter.web.app import create_app
from web_world import Clock

SAMPLES = Path(__file__).parent / "data" / "bounces"
MESSAGE_ID = "<0123456789abcdef0123456789abcdef@seller.example>"


def sample(name: str, message_id: str = MESSAGE_ID) -> bytes:
    return (SAMPLES / name).read_bytes().replace(b"<MESSAGE_ID>", message_id.encode())


def test_classify() -> None:
    assert [
        classify("5.1.1", "failed", None),
        classify("5.2.2", "failed", None),
        classify("4.4.1", "failed", None),
        classify("5.1.1", "delayed", None),
        classify(None, None, "smtp; 550 no such user"),
        classify(None, None, "421 try later"),
        classify(None, None, "smtp; 550 5.7.1 blocked"),
        classify(None, None, None),
    ] == ["hard", "soft", "soft", "soft", "hard", "soft", "hard", "soft"]


def test_parse_each_kind_of_report() -> None:
    assert parse_report(sample("postfix-dsn.eml")) == [
        Bounce(
            "lea@buyer.example",
            "hard",
            "5.1.1",
            "smtp; 550 5.1.1 <lea@buyer.example>: Recipient address rejected: User unknown",
            MESSAGE_ID,
        )
    ]
    assert parse_report(sample("delayed-dsn.eml")) == [
        Bounce(
            "olli@buyer.example",
            "soft",
            "4.4.1",
            "smtp; 421 4.4.1 Connection timed out",
            None,
            delayed=True,
        )
    ]
    assert parse_report(sample("arf-complaint.eml")) == [
        Bounce("pia@other.example", "complaint", None, "feedback: abuse", MESSAGE_ID)
    ]
    assert parse_report(sample("qmail-failure.eml")) == [
        Bounce(
            "sam@solo.example",
            "hard",
            "5.2.1",
            "Remote host said: 550 5.2.1 Mailbox disabled for this recipient",
            MESSAGE_ID,
        )
    ]
    assert parse_report(sample("exim-mailbox-full.eml")) == [
        Bounce(
            "pia@other.example",
            "soft",
            "4.2.2",
            "452 4.2.2 Mailbox full",
            None,
        )
    ]
    assert parse_report(sample("out-of-office.eml")) == []


def _sent(engine: Engine, people: dict[str, int], *names: str) -> dict[str, int]:
    """A send per name, marked sent with its Message-ID; name → send id."""
    ids = queue_sends(engine, people, names, prefix="b")
    with engine.begin() as connection:
        for name, send_id in ids.items():
            connection.execute(
                update(mail_sends)
                .where(mail_sends.c.id == send_id)
                .values(status="sent", sent_at=NOW, message_id=message_id_for(f"b:{name}", SENDER))
            )
    return ids


def _events(engine: Engine) -> list[tuple[str, int, dict[str, Any]]]:
    with engine.connect() as connection:
        return [
            (row.type, row.contact_id, row.properties)
            for row in connection.execute(
                select(events).where(events.c.type.like("email_%")).order_by(events.c.id)
            )
        ]


def test_a_hard_bounce_marks_the_send_suppresses_and_is_an_event(engine: Engine) -> None:
    people = seed_world(engine)
    sends = _sent(engine, people, "lea", "olli")
    raw = sample("postfix-dsn.eml", message_id_for("b:lea", SENDER))
    with engine.begin() as connection:
        recorded = [
            record_bounce(connection, bounce, source="mailbox", now=NOW)
            for bounce in parse_report(raw)
        ]
        assert is_suppressed(connection, "lea@buyer.example") == "hard_bounce"
    assert [(r.kind, r.send_id, r.contact_id, r.suppressed) for r in recorded] == [
        ("hard", sends["lea"], people["lea"], True)
    ]
    assert [row["status"] for row in ledger(engine)] == ["bounced", "sent"]
    assert _events(engine) == [
        (
            "email_bounce",
            people["lea"],
            {"kind": "hard", "send_id": sends["lea"], "status": "5.1.1"},
        )
    ]


def test_complaints_suppress_without_bouncing_and_soft_bounces_add_up(engine: Engine) -> None:
    people = seed_world(engine)
    sends = _sent(engine, people, "pia", "olli")
    complaint = parse_report(sample("arf-complaint.eml", message_id_for("b:pia", SENDER)))
    full = Bounce("olli@buyer.example", "soft", "4.2.2", "mailbox full", None)
    with engine.begin() as connection:
        assert (
            record_bounce(connection, complaint[0], source="mailbox", now=NOW).kind == "complaint"
        )
        kinds = [
            record_bounce(connection, full, source="webhook", now=NOW, soft_limit=3).kind
            for _ in range(3)
        ]
        assert is_suppressed(connection, "pia@other.example") == "complaint"
        assert is_suppressed(connection, "olli@buyer.example") == "hard_bounce"
        reports = connection.execute(
            select(
                bounce_reports.c.kind, bounce_reports.c.send_id, bounce_reports.c.email_key
            ).order_by(bounce_reports.c.id)
        ).all()
    assert kinds == ["soft", "soft", "hard"]
    assert [tuple(row) for row in reports] == [
        ("complaint", sends["pia"], "pia@other.example"),
        ("soft", sends["olli"], "olli@buyer.example"),
        ("soft", sends["olli"], "olli@buyer.example"),
        ("hard", sends["olli"], "olli@buyer.example"),
    ]
    assert [row["status"] for row in ledger(engine)] == ["sent", "bounced"]
    assert [kind for kind, _c, _p in _events(engine)] == [
        "email_complaint",
        "email_bounce",
        "email_bounce",
        "email_bounce",
    ]


def test_webhook_payloads() -> None:
    assert bounces_from_payload(
        "generic", [{"email": "Lea@Buyer.example", "status": "5.1.1", "message_id": "<m@x>"}]
    ) == [Bounce("lea@buyer.example", "hard", "5.1.1", None, "<m@x>")]
    ses = {
        "Type": "Notification",
        "Message": json.dumps(
            {
                "notificationType": "Bounce",
                "bounce": {
                    "bounceType": "Permanent",
                    "bounceSubType": "General",
                    "bouncedRecipients": [
                        {
                            "emailAddress": "lea@buyer.example",
                            "status": "5.1.1",
                            "diagnosticCode": "smtp; 550 5.1.1 user unknown",
                        }
                    ],
                },
                "mail": {"headers": [{"name": "Message-ID", "value": "<m@x>"}]},
            }
        ),
    }
    assert bounces_from_payload("ses", ses) == [
        Bounce("lea@buyer.example", "hard", "5.1.1", "smtp; 550 5.1.1 user unknown", "<m@x>")
    ]
    complaint = {
        "notificationType": "Complaint",
        "complaint": {"complainedRecipients": [{"emailAddress": "pia@other.example"}]},
        "mail": {},
    }
    assert bounces_from_payload("ses", complaint) == [
        Bounce("pia@other.example", "complaint", None, "feedback: abuse", None)
    ]
    with pytest.raises(BounceError, match=r"\[0\]\.email"):
        bounces_from_payload("generic", {"type": "hard"})
    with pytest.raises(BounceError, match="type"):
        bounces_from_payload("generic", {"email": "a@b.example", "type": "bad"})


@pytest.fixture
def application(engine: Engine, database_url: str) -> FastAPI:
    settings = Settings(database_url=database_url, bounce_webhook_secret="hook secret")
    return create_app(settings, engine, clock=Clock())


def test_webhook_needs_the_secret_and_records(engine: Engine, application: FastAPI) -> None:
    people = seed_world(engine)
    sends = _sent(engine, people, "sam")
    client = TestClient(application)
    body = {"email": "sam@solo.example", "type": "hard", "status": "5.1.1"}
    assert client.post("/capture/webhooks/bounces/generic", json=body).status_code == 403
    wrong = client.post("/capture/webhooks/bounces/generic?secret=nope", json=body)
    assert wrong.status_code == 403
    unknown = client.post(
        "/capture/webhooks/bounces/mailgun", json=body, headers={"X-Webhook-Secret": "hook secret"}
    )
    assert unknown.status_code == 404
    bad = client.post(
        "/capture/webhooks/bounces/generic",
        json={"type": "hard"},
        headers={"X-Webhook-Secret": "hook secret"},
    )
    assert bad.status_code == 422
    assert bad.json()["errors"] == [
        {"field": "[0].email", "message": "expected the address that bounced"}
    ]
    good = client.post("/capture/webhooks/bounces/generic?secret=hook%20secret", json=body)
    assert good.status_code == 200
    assert good.json() == {"recorded": 1, "kinds": ["hard"], "suppressed": 1}
    assert [(row["id"], row["status"]) for row in ledger(engine)] == [(sends["sam"], "bounced")]


class _Pop3(socketserver.StreamRequestHandler):
    """Just enough POP3 (RFC 1939) for ``poplib``: USER, PASS, STAT, RETR, DELE, QUIT."""

    mailbox: ClassVar[list[bytes]] = []
    deleted: ClassVar[set[int]] = set()

    def _say(self, line: bytes) -> None:
        self.wfile.write(line + b"\r\n")

    def handle(self) -> None:
        self._say(b"+OK ready")
        marked: set[int] = set()
        while True:
            line = self.rfile.readline().strip()
            if not line:
                return
            command, _space, argument = line.partition(b" ")
            verb = command.upper()
            if verb in (b"USER", b"PASS"):
                self._say(b"+OK")
            elif verb == b"STAT":
                self._say(b"+OK %d %d" % (len(self.mailbox), sum(map(len, self.mailbox))))
            elif verb == b"RETR":
                body = self.mailbox[int(argument) - 1].replace(b"\r\n", b"\n").split(b"\n")
                self._say(b"+OK")
                for text in body:
                    self._say(b"." + text if text.startswith(b".") else text)
                self._say(b".")
            elif verb == b"DELE":
                marked.add(int(argument))
                self._say(b"+OK")
            elif verb == b"QUIT":
                type(self).deleted |= marked
                self._say(b"+OK bye")
                return
            else:
                self._say(b"-ERR unknown")


@pytest.fixture
def pop3_server() -> Iterator[int]:
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), _Pop3)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield int(server.server_address[1])
    finally:
        server.shutdown()
        server.server_close()


def test_the_bounce_mailbox_over_pop3(engine: Engine, pop3_server: int) -> None:
    people = seed_world(engine)
    _sent(engine, people, "lea", "sam")
    _Pop3.mailbox = [
        sample("postfix-dsn.eml", message_id_for("b:lea", SENDER)),
        sample("out-of-office.eml"),
        sample("qmail-failure.eml", message_id_for("b:sam", SENDER)),
    ]
    _Pop3.deleted = set()
    url = f"pop3://bounces:pw@127.0.0.1:{pop3_server}"
    assert read_mailbox(engine, url, now=NOW) == 3
    assert _Pop3.deleted == {1, 2, 3}
    assert [row["status"] for row in ledger(engine)] == ["bounced", "bounced"]
    with engine.connect() as connection:
        assert is_suppressed(connection, "sam@solo.example") == "hard_bounce"


def test_mailbox_urls() -> None:
    assert Mailbox.from_url("imaps://b%40x:p%20w@mail.example/Bounces") == Mailbox(
        "imaps", "mail.example", 993, "b@x", "p w", "Bounces"
    )
    assert Mailbox.from_url("pop3://u:p@mail.example").port == 110
    with pytest.raises(ValueError, match="imaps://"):
        Mailbox.from_url("http://mail.example")


class _Imap(socketserver.StreamRequestHandler):
    """Just enough IMAP4rev1 (RFC 3501) for ``imaplib``: LOGIN, SELECT, SEARCH, FETCH RFC822,
    STORE +FLAGS \\Deleted, EXPUNGE, LOGOUT."""

    mailbox: ClassVar[list[bytes]] = []
    expunged: ClassVar[list[int]] = []
    folders: ClassVar[list[str]] = []

    def _say(self, line: bytes) -> None:
        self.wfile.write(line + b"\r\n")

    def handle(self) -> None:
        self._say(b"* OK IMAP4rev1 ready")
        deleted: set[int] = set()
        while True:
            line = self.rfile.readline().rstrip(b"\r\n")
            if not line:
                return
            tag, _space, rest = line.partition(b" ")
            command, _space, argument = rest.partition(b" ")
            verb = command.upper()
            if verb == b"CAPABILITY":
                self._say(b"* CAPABILITY IMAP4rev1")
            elif verb == b"SELECT":
                type(self).folders.append(argument.decode().strip('"'))
                self._say(b"* %d EXISTS" % len(self.mailbox))
                self._say(tag + b" OK [READ-WRITE] SELECT completed")
                continue
            elif verb == b"SEARCH":
                numbers = " ".join(str(n) for n in range(1, len(self.mailbox) + 1))
                self._say(b"* SEARCH " + numbers.encode())
            elif verb == b"FETCH":
                number = int(argument.split(b" ")[0])
                body = self.mailbox[number - 1]
                self._say(b"* %d FETCH (RFC822 {%d}" % (number, len(body)))
                self.wfile.write(body + b")\r\n")
            elif verb == b"STORE":
                deleted.add(int(argument.split(b" ")[0]))
                self._say(b"* %s FETCH (FLAGS (\\Deleted))" % argument.split(b" ")[0])
            elif verb == b"EXPUNGE":
                for number in sorted(deleted, reverse=True):
                    self._say(b"* %d EXPUNGE" % number)
                type(self).expunged.extend(sorted(deleted))
                deleted.clear()
            elif verb == b"LOGOUT":
                self._say(b"* BYE")
                self._say(tag + b" OK LOGOUT completed")
                return
            elif verb != b"LOGIN":
                self._say(tag + b" BAD unknown")
                continue
            self._say(tag + b" OK " + verb + b" completed")


def test_the_bounce_mailbox_over_imap(engine: Engine) -> None:
    people = seed_world(engine)
    _sent(engine, people, "lea", "pia")
    _Imap.mailbox = [
        sample("postfix-dsn.eml", message_id_for("b:lea", SENDER)),
        sample("arf-complaint.eml", message_id_for("b:pia", SENDER)),
    ]
    _Imap.expunged, _Imap.folders = [], []
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), _Imap)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        port = server.server_address[1]
        assert read_mailbox(engine, f"imap://bounces:pw@127.0.0.1:{port}/Bounces", now=NOW) == 2
    finally:
        server.shutdown()
        server.server_close()
    assert (_Imap.folders, _Imap.expunged) == (["Bounces"], [1, 2])
    assert [row["status"] for row in ledger(engine)] == ["bounced", "sent"]
    with engine.connect() as connection:
        assert is_suppressed(connection, "lea@buyer.example") == "hard_bounce"
        assert is_suppressed(connection, "pia@other.example") == "complaint"
