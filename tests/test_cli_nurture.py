"""``silverplatter sends …`` against a real SMTP server; the worker's refusals."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import Engine
from typer.testing import CliRunner

from mail_world import smtp_server
from nurture_world import NOW, add_template, ledger, seed_world
from silverplatter.cli import app
from silverplatter.services.sending import queue_send

runner = CliRunner()


def _flat(output: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"[│┃┏┓┗┛┡┩└┘┌┐━─╇┳┻╍┼├┤┬┴]", " ", output)).strip()


@pytest.fixture
def queued(engine: Engine) -> Engine:
    people = seed_world(engine)
    template = add_template(engine)
    with engine.begin() as connection:
        for name in ("lea", "olli"):
            queue_send(
                connection,
                template_id=template,
                contact_id=people[name],
                dedupe_key=f"cli:{name}",
                now=NOW,
            )
    return engine


def test_status_and_deliver(
    queued: Engine, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    status = runner.invoke(app, ["sends", "status", "--database-url", database_url])
    assert status.exit_code == 0
    assert "queued 2" in _flat(status.output) and "due now 2" in _flat(status.output)
    with smtp_server() as inbox:
        monkeypatch.setenv("SILVERPLATTER_SMTP_URL", f"smtp://127.0.0.1:{inbox.port}")
        from silverplatter.settings import get_settings

        get_settings.cache_clear()
        try:
            done = runner.invoke(app, ["sends", "deliver", "--database-url", database_url])
        finally:
            get_settings.cache_clear()
    assert done.exit_code == 0, done.output
    assert "sent 2" in _flat(done.output)
    assert len(inbox.messages) == 2
    assert [row["status"] for row in ledger(queued)] == ["sent", "sent"]


def test_deliver_and_bounces_say_what_is_missing(
    queued: Engine, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from silverplatter.settings import get_settings

    monkeypatch.delenv("SILVERPLATTER_SMTP_URL", raising=False)
    monkeypatch.delenv("SILVERPLATTER_BOUNCE_MAILBOX_URL", raising=False)
    get_settings.cache_clear()
    try:
        deliver = runner.invoke(app, ["sends", "deliver", "--database-url", database_url])
        bounces = runner.invoke(app, ["sends", "bounces", "--database-url", database_url])
    finally:
        get_settings.cache_clear()
    assert deliver.exit_code == 1 and "set SILVERPLATTER_SMTP_URL" in deliver.output
    assert bounces.exit_code == 1 and "set SILVERPLATTER_BOUNCE_MAILBOX_URL" in bounces.output
