"""``silverplatter mail …`` and ``silverplatter suppression …`` against a real SMTP server."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from mail_world import free_port, smtp_server
from silverplatter.cli import app
from silverplatter.services.outbox import OutgoingMail, queue_mail
from silverplatter.storage.access_schema import audit_log
from silverplatter.storage.engine import make_engine

runner = CliRunner()
NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def _flat(output: str) -> str:
    """The output with box drawing and runs of spaces reduced to single spaces."""
    return re.sub(r"\s+", " ", re.sub(r"[│┃┏┓┗┛┡┩└┘┌┐━─╇┳┻╍┼├┤┬┴]", " ", output)).strip()


@pytest.fixture
def workspace(database_url: str) -> str:
    assert runner.invoke(app, ["init", "--database-url", database_url]).exit_code == 0
    return database_url


def _queue(database_url: str, *addresses: str) -> None:
    engine = make_engine(database_url)
    with engine.begin() as connection:
        for number, address in enumerate(addresses):
            mail = OutgoingMail("notice", f"n:{number}", address, f"Note {number}", "Hello.")
            queue_mail(connection, mail, now=NOW)
    engine.dispose()


def _run(*arguments: str) -> tuple[int, str]:
    result = runner.invoke(app, list(arguments))
    return result.exit_code, _flat(result.output)


def test_deliver_hands_the_due_mail_over_and_prints_a_summary(workspace: str) -> None:
    _queue(workspace, "lea@buyer.example", "otto@buyer.example")
    with smtp_server() as inbox:
        code, output = _run(
            "mail",
            "deliver",
            "--database-url",
            workspace,
            "--smtp-url",
            f"smtp://127.0.0.1:{inbox.port}",
        )
    assert code == 0, output
    assert "Outgoing mail sent 2 suppressed 0 retried later 0 failed 0" in output
    assert "Delivering mail" in output
    assert sorted(message["To"] for message in inbox.messages) == [
        "lea@buyer.example",
        "otto@buyer.example",
    ]
    code, output = _run("mail", "status", "--database-url", workspace)
    assert code == 0
    assert "Outbox queued 0 sending 0 sent 2 suppressed 0 failed 0 due now 0" in output


def test_deliver_with_the_server_down_keeps_the_mail_and_says_so(workspace: str) -> None:
    _queue(workspace, "lea@buyer.example", "otto@buyer.example")
    port = free_port()
    code, output = _run(
        "mail", "deliver", "--database-url", workspace, "--smtp-url", f"smtp://127.0.0.1:{port}"
    )
    assert code == 1
    assert "sent 0 suppressed 0 retried later 1 failed 0" in output
    assert "the SMTP server could not take mail" in output
    assert "what is left stays queued for the next pass" in output
    code, output = _run("mail", "status", "--database-url", workspace)
    assert "queued 2 sending 0 sent 0 suppressed 0 failed 0 due now 1" in output


def test_deliver_needs_an_smtp_server(workspace: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SILVERPLATTER_SMTP_URL", raising=False)
    code, output = _run("mail", "deliver", "--database-url", workspace)
    assert code == 1
    assert "no SMTP server: set SILVERPLATTER_SMTP_URL or pass --smtp-url" in output
    code, output = _run("mail", "deliver", "--database-url", workspace, "--smtp-url", "mail:25")
    assert code == 1 and "must look like smtp://" in output


def test_retry_queues_failed_mail_again(workspace: str) -> None:
    _queue(workspace, "gone@buyer.example")
    with smtp_server() as inbox:
        inbox.refuse = {"gone@buyer.example": "550 5.1.1 no such user"}
        url = f"smtp://127.0.0.1:{inbox.port}"
        code, output = _run("mail", "deliver", "--database-url", workspace, "--smtp-url", url)
        assert code == 0 and "failed 1" in output
        assert _run("mail", "retry", "--database-url", workspace) == (
            0,
            "Queued 1 failed message again.",
        )
        inbox.refuse = {}
        code, output = _run("mail", "deliver", "--database-url", workspace, "--smtp-url", url)
    assert "sent 1" in output
    assert [message["To"] for message in inbox.messages] == ["gone@buyer.example"]


def test_suppression_add_list_and_lift(workspace: str) -> None:
    code, output = _run(
        "suppression", "add", "Lea@Buyer.example", "--note", "phone",
        "--database-url", workspace,
    )  # fmt: skip
    assert (code, output) == (0, "Suppressed Lea@Buyer.example (manual).")
    code, output = _run(
        "suppression", "add", "otto@buyer.example", "--reason", "complaint",
        "--database-url", workspace,
    )  # fmt: skip
    assert code == 0
    code, output = _run("suppression", "add", "lea@buyer.example", "--database-url", workspace)
    assert (code, output) == (0, "lea@buyer.example was already on the suppression list.")
    code, output = _run("suppression", "list", "--database-url", workspace)
    assert code == 0
    assert "Suppression list: 2" in output
    assert "otto@buyer.example Complaint added by hand 2" in output
    assert "lea@buyer.example Added by hand added by hand: phone" in output
    assert "By reason Unsubscribed 0 Hard bounce 0 Complaint 1 Erased 0 Added by hand 1" in output
    code, output = _run("suppression", "list", "--reason", "complaint", "--database-url", workspace)
    assert "Suppression list: 1 complaint" in output and "lea@" not in output
    code, output = _run("suppression", "lift", "LEA@buyer.example", "--database-url", workspace)
    assert (code, output) == (0, "Lifted LEA@buyer.example (it was listed as added by hand).")
    engine = make_engine(workspace)
    with engine.connect() as connection:
        actions = connection.execute(select(audit_log.c.action, audit_log.c.ip_address)).all()
    engine.dispose()
    assert [tuple(row) for row in actions] == [
        ("suppression.added", "command line"),
        ("suppression.added", "command line"),
        ("suppression.lifted", "command line"),
    ]


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["add", "not-an-address"], "error: email: 'not-an-address' is not a valid email"),
        (["add", "a@b.example", "--reason", "erased"], "error: reason: must be one of manual"),
        (["lift", "nobody@buyer.example"], "error: email: the address is not on the suppression"),
        (["list", "--reason", "bored"], "error: --reason must be one of unsubscribed"),
    ],
)
def test_suppression_errors_say_what_is_wrong(
    workspace: str, arguments: list[str], message: str
) -> None:
    code, output = _run("suppression", *arguments, "--database-url", workspace)
    assert code == 1
    assert output.startswith(message)
