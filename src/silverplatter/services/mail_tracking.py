"""Opens and clicks of nurture mail: signed links in, events out (domain §3, §4).

``open`` tokens (``{"s": send_id}``) come from the pixel, ``click`` tokens
(``{"s": send_id, "u": address}``) from every tracked link
(``services/mail_composer.py``).  A verified token becomes an
``email_open`` / ``email_click`` event of the send's contact, scored by the
backlog moments later, with the send's id, its broadcast and the template's
slug (``campaign_id`` is ``broadcast:<id>`` for a broadcast); the same send
opened (or the same link clicked) again within one minute is one event —
mail clients fetch a pixel more than once.  A click answers with the address
from the token only (no open redirect), with ``sp_c`` added: a ``tracking``
token ``{"c": contact_id}`` by which the tracking snippet on the landing
page knows the visitor.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from sqlalchemy import Connection, select

from silverplatter.services.ingest import ingest_events
from silverplatter.services.signing import InvalidLink, Signer
from silverplatter.storage.nurture_schema import email_templates, mail_sends

_NOT_OURS = "This link is not valid: it was altered or not made by us."


@dataclass(frozen=True)
class Click:
    target: str
    contact_id: int | None
    recorded: bool


def _send_id(payload: dict[str, Any]) -> int:
    send_id = payload.get("s")
    if not isinstance(send_id, int) or isinstance(send_id, bool):
        raise InvalidLink(_NOT_OURS)
    return send_id


def _send(connection: Connection, send_id: int) -> Any:
    return connection.execute(
        select(
            mail_sends.c.id,
            mail_sends.c.contact_id,
            mail_sends.c.broadcast_id,
            mail_sends.c.enrolment_id,
            email_templates.c.slug,
        )
        .outerjoin(email_templates, email_templates.c.id == mail_sends.c.template_id)
        .where(mail_sends.c.id == send_id)
    ).first()


def _properties(send: Any, **more: Any) -> dict[str, Any]:
    properties: dict[str, Any] = {"send_id": int(send.id), "template": send.slug, **more}
    if send.broadcast_id is not None:
        properties["broadcast_id"] = int(send.broadcast_id)
        properties["campaign_id"] = f"broadcast:{send.broadcast_id}"
    if send.enrolment_id is not None:
        properties["enrolment_id"] = int(send.enrolment_id)
    return properties


def _record(
    connection: Connection, send: Any, kind: str, key: str, now: datetime, **more: Any
) -> bool:
    if send is None or send.contact_id is None:
        return False
    minute = now.strftime("%Y%m%d%H%M")
    result = ingest_events(
        connection,
        [
            {
                "type": kind,
                "occurred_at": now,
                "contact_id": int(send.contact_id),
                "channel": "email",
                "idempotency_key": f"{kind}:{send.id}:{key}{minute}"[:100],
                "properties": _properties(send, **more),
            }
        ],
        now=now,
        defer=True,
    )
    return result.accepted > 0


def record_open(connection: Connection, signer: Signer, token: str, *, now: datetime) -> bool:
    """An opened message; True when it was news (not the same minute's repeat)."""
    send_id = _send_id(signer.verify("open", token, now=now))
    return _record(connection, _send(connection, send_id), "email_open", "", now)


def _web_address(value: Any) -> str:
    if not isinstance(value, str):
        raise InvalidLink(_NOT_OURS)
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise InvalidLink(_NOT_OURS)
    return value


def with_visitor(target: str, token: str) -> str:
    """``target`` with ``sp_c=<token>`` added to its query (the snippet reads and drops it)."""
    parts = urlsplit(target)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != "sp_c"]
    query.append(("sp_c", token))
    return urlunsplit(parts._replace(query=urlencode(query)))


def record_click(connection: Connection, signer: Signer, token: str, *, now: datetime) -> Click:
    """A clicked link: its event, and where to send the person (``InvalidLink`` if forged)."""
    payload = signer.verify("click", token, now=now)
    send_id = _send_id(payload)
    target = _web_address(payload.get("u"))
    send = _send(connection, send_id)
    link = hashlib.sha256(target.encode("utf-8")).hexdigest()[:12]
    recorded = _record(connection, send, "email_click", f"{link}:", now, url=target[:1000])
    contact_id = int(send.contact_id) if send is not None and send.contact_id else None
    if contact_id is not None:
        target = with_visitor(target, signer.sign("tracking", {"c": contact_id}, now=now))
    return Click(target, contact_id, recorded)


__all__ = ["Click", "record_click", "record_open", "with_visitor"]
