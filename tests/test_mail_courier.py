"""The courier delivers the outbox while the web app runs, when an SMTP server is configured."""

from __future__ import annotations

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select

from mail_world import free_port, smtp_server
from silverplatter.domain.records import ContactFields
from silverplatter.services.mail_courier import MailCourier
from silverplatter.services.outbox import BACKOFF, OutgoingMail, outbox_counts, queue_mail
from silverplatter.services.records import upsert_contacts
from silverplatter.services.signing import signer_for
from silverplatter.services.workspace import init_workspace
from silverplatter.settings import Settings
from silverplatter.storage.schema import contacts
from silverplatter.web.app import create_app
from web_world import NOW, Clock


@pytest.fixture
def lea(engine: Engine) -> int:
    init_workspace(engine, name="Seller Oy", now=NOW)
    with engine.begin() as connection:
        upsert_contacts(connection, [ContactFields(email="lea@buyer.example")], now=NOW)
        return int(connection.execute(select(contacts.c.id)).scalar_one())


def _settings(database_url: str, port: int) -> Settings:
    return Settings(
        database_url=database_url,
        smtp_url=f"smtp://127.0.0.1:{port}",  # type: ignore[arg-type]
        mail_from="Seller Oy <news@seller.example>",
        public_url="https://app.seller.example",
        scoring_worker=False,
    )


def _queue(engine: Engine, key: str, contact_id: int) -> None:
    mail = OutgoingMail("opt_in", key, "lea@buyer.example", "Confirm", "Body", None, contact_id)
    with engine.begin() as connection:
        assert queue_mail(connection, mail, now=NOW) == "queued"


def test_the_running_app_delivers_what_was_queued_when_woken(
    engine: Engine, database_url: str, lea: int
) -> None:
    with smtp_server() as inbox:
        application = create_app(_settings(database_url, inbox.port), engine, clock=Clock())
        courier = application.state.courier
        assert isinstance(courier, MailCourier)
        with TestClient(application):
            _queue(engine, "opt_in:1", lea)
            courier.wake()
            [message] = inbox.wait_for(1)
    assert message["From"] == "Seller Oy <news@seller.example>"
    link = message["List-Unsubscribe"]
    assert link.startswith("<https://app.seller.example/capture/unsubscribe/")
    with engine.connect() as connection:
        token = link.rsplit("/", 1)[1].rstrip(">")
        assert signer_for(connection).verify("unsubscribe", token, now=NOW) == {"c": lea}
        assert outbox_counts(connection)["sent"] == 1


def test_the_courier_rides_out_a_server_that_is_down(
    engine: Engine, database_url: str, lea: int
) -> None:
    port = free_port()
    clock = Clock()
    application = create_app(_settings(database_url, port), engine, clock=clock)
    courier = application.state.courier
    _queue(engine, "opt_in:1", lea)
    report = courier.deliver_once()
    assert (report.retried, report.sent) == (1, 0)
    with smtp_server(port) as inbox, TestClient(application):
        clock.now = NOW + BACKOFF[0] + timedelta(seconds=1)
        courier.wake()
        assert len(inbox.wait_for(1)) == 1
    with engine.connect() as connection:
        assert outbox_counts(connection) == {
            "queued": 0,
            "sending": 0,
            "sent": 1,
            "suppressed": 0,
            "failed": 0,
        }


def test_without_an_smtp_server_there_is_no_courier(engine: Engine, database_url: str) -> None:
    application = create_app(Settings(database_url=database_url), engine, clock=Clock())
    assert application.state.courier is None
    with pytest.raises(ValueError, match="set SILVERPLATTER_SMTP_URL"):
        MailCourier(engine, Settings(database_url=database_url), Clock())


def test_a_wrong_smtp_url_stops_the_app_from_starting(engine: Engine, database_url: str) -> None:
    settings = Settings(database_url=database_url, smtp_url="mail.example:25")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="must look like smtp://"):
        create_app(settings, engine)
