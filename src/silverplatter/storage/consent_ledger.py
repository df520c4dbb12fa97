"""Statements for the consent ledger: what each person agreed to, when and in which words."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Row, select

from silverplatter.storage.schema import consent_records


def latest_consent(connection: Connection, contact_id: int, channel: str) -> Row[Any] | None:
    """The contact's newest consent record on the channel (by time, then id), or None."""
    r = consent_records.c
    return connection.execute(
        select(consent_records)
        .where(r.contact_id == contact_id, r.channel == channel)
        .order_by(r.occurred_at.desc(), r.id.desc())
        .limit(1)
    ).first()


def record_consent(
    connection: Connection,
    *,
    contact_id: int,
    channel: str,
    action: str,
    wording: str | None,
    wording_version: str | None,
    source: str,
    occurred_at: datetime,
    ip_address: str | None,
) -> int:
    """Append one record to the ledger; records are never changed afterwards."""
    result = connection.execute(
        consent_records.insert()
        .values(
            contact_id=contact_id,
            channel=channel,
            action=action,
            wording=wording,
            wording_version=wording_version,
            source=source[:200],
            occurred_at=occurred_at,
            ip_address=ip_address[:45] if ip_address else None,
        )
        .returning(consent_records.c.id)
    )
    return int(result.scalar_one())
