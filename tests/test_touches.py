"""Touches ("Law of 29"), counted exactly: delivered ledger mail, mail and meetings logged by
other systems (not twice), calls, webinars; the 365-day window; an account's people and its
own events; and the contact and account pages showing them."""

from __future__ import annotations

from datetime import timedelta
from itertools import count
from typing import Any

from sqlalchemy import Engine, insert

from programme_world import NOW, build
from silverplatter.domain.touches import Touches
from silverplatter.services.meetings import Attendee, MeetingFields, record_meeting
from silverplatter.services.touches import account_touches, contact_touches
from silverplatter.storage.events import key_hash
from silverplatter.storage.nurture_schema import mail_sends
from silverplatter.storage.schema import events
from web_world import signed_in, web_app

YEAR = timedelta(days=365)
_keys = count(1)


def _send(connection: Any, ids: dict[str, int], who: str, status: str, ago: timedelta) -> None:
    number = next(_keys)
    at = NOW - ago
    connection.execute(
        insert(mail_sends).values(
            dedupe_key=f"touch-test-{number}",
            template_id=ids["nurture-1"],
            contact_id=ids[who],
            status=status,
            attempts=1,
            not_before=at,
            sent_at=at if status in ("sent", "bounced") else None,
            created_at=at,
        )
    )


def _event(
    connection: Any,
    kind: str,
    ago: timedelta,
    *,
    contact: int | None = None,
    account: int | None = None,
    **properties: Any,
) -> None:
    key = f"touch-event-{next(_keys)}"
    connection.execute(
        insert(events).values(
            key_hash=key_hash(key),
            idempotency_key=key,
            type=kind,
            occurred_at=NOW - ago,
            contact_id=contact,
            account_id=account,
            properties=properties,
            received_at=NOW - ago,
        )
    )


def _world(engine: Engine) -> dict[str, int]:
    ids = build(engine)
    day = timedelta(days=1)
    with engine.begin() as connection:
        for status, ago in (
            ("sent", 1 * day),
            ("sent", 100 * day),
            ("sent", YEAR - timedelta(minutes=1)),  # just inside
            ("sent", YEAR),  # exactly a year ago: outside
            ("bounced", 2 * day),
            ("queued", 0 * day),
            ("sent", 400 * day),
        ):
            _send(connection, ids, "ada", status, ago)
        _send(connection, ids, "ben", "sent", 3 * day)
        ada = ids["ada"]
        _event(connection, "email_sent", 5 * day, contact=ada, campaign="spring")
        _event(connection, "email_sent", 500 * day, contact=ada)
        _event(connection, "email_sent", 1 * day, contact=ada, send_id=1)  # the ledger's own
        _event(connection, "meeting_held", 10 * day, contact=ada, meeting_id=99)  # recorded
        _event(connection, "meeting_held", 20 * day, contact=ada)
        _event(connection, "call_held", 3 * day, contact=ada)
        _event(connection, "call_held", 30 * day, contact=ada)
        _event(connection, "webinar_attended", 40 * day, contact=ada)
        _event(connection, "page_view", 1 * day, contact=ada)
        _event(connection, "email_click", 1 * day, contact=ada)
        _event(connection, "call_held", 2 * day, account=ids["tampere-steel"])
        _event(connection, "call_held", 2 * day, account=ids["oulu-paper"])
        for ago, people in ((10 * day, ("ada", "ben")), (700 * day, ("ada",))):
            record_meeting(
                connection,
                MeetingFields(
                    occurred_at=NOW - ago,
                    account_id=ids["tampere-steel"],
                    attendees=[Attendee(contact_id=ids[p]) for p in people]
                    + [Attendee(user_id=ids["sales"])],
                ),
                recorded_by=ids["sales"],
                now=NOW,
            )
    return ids


def test_touches_are_counted_exactly_in_the_last_365_days(engine: Engine) -> None:
    ids = _world(engine)
    with engine.connect() as connection:
        ada = contact_touches(connection, ids["ada"], now=NOW)
        ben = contact_touches(connection, ids["ben"], now=NOW)
        eve = contact_touches(connection, ids["eve"], now=NOW)
        steel = account_touches(connection, ids["tampere-steel"], now=NOW)
    # Ledger: 3 sent in the window; events: 1 e-mail, 1 meeting without a record, 2 calls,
    # 1 webinar; the recorded meeting in the window: 1.
    assert ada == Touches(email=4, meeting=2, call=2, webinar=1)
    assert (ada.total, ada.to_go) == (9, 20)
    assert ben == Touches(email=1, meeting=1)
    assert eve == Touches()
    # Tampere Steel is Ada's account only (Ben is at Oulu Paper), plus its own call.
    assert steel.total == Touches(email=4, meeting=2, call=3, webinar=1)
    assert (steel.people_touched, steel.own) == (1, Touches(call=1))


def test_the_contact_and_account_pages_show_the_touches(engine: Engine, database_url: str) -> None:
    ids = _world(engine)
    client = signed_in(web_app(engine, database_url), "marketing")
    page = client.get(f"/contacts/{ids['ada']}")
    assert page.status_code == 200
    assert "9 of 29 touches in the last 12 months" in page.text
    assert '<td class="num">4</td>' in page.text
    account = client.get(f"/accounts/{ids['tampere-steel']}")
    assert "10 of 29 touches in the last 12 months, 1 person touched" in account.text
