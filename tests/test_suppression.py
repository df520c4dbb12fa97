"""The suppression list: exact rows, erasure keeps only the digest, lifting, reasons, audit."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Connection, Engine, select

from silverplatter.services.audit import Actor
from silverplatter.services.suppression import (
    REASONS,
    Suppression,
    SuppressionError,
    add_address,
    address_hash,
    is_suppressed,
    lift,
    lift_address,
    list_suppressions,
    suppress,
    suppressed_reasons,
    suppression_counts,
)
from silverplatter.storage.access_schema import audit_log
from silverplatter.storage.capture_schema import suppressions

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
LEA_HASH = hashlib.sha256(b"lea.laine@buyer.example").hexdigest()
CLI = Actor(None, None)


def _rows(connection: Connection) -> list[tuple[Any, ...]]:
    columns = suppressions.c
    query = select(
        columns.address_hash, columns.email_key, columns.reason, columns.source, columns.created_at
    ).order_by(columns.id)
    return [tuple(row) for row in connection.execute(query)]


def _audit(connection: Connection) -> list[tuple[Any, ...]]:
    columns = audit_log.c
    query = select(columns.action, columns.subject, columns.details, columns.user_id)
    return [tuple(row) for row in connection.execute(query.order_by(columns.id))]


def test_the_digest_is_sha256_of_the_normalised_address() -> None:
    assert address_hash(" Lea.Laine@BUYER.example ") == LEA_HASH
    assert address_hash("lea.laine@buyer.example") == LEA_HASH
    assert address_hash("not an address") == hashlib.sha256(b"not an address").hexdigest()


def test_an_address_is_listed_once_with_its_first_reason(engine: Engine) -> None:
    with engine.begin() as connection:
        assert suppress(
            connection, "Lea.Laine@Buyer.example", reason="unsubscribed", source="link", now=NOW
        )
        later = NOW + timedelta(days=1)
        assert not suppress(
            connection, "lea.laine@buyer.example", reason="hard_bounce", source="smtp", now=later
        )
        assert _rows(connection) == [
            (LEA_HASH, "lea.laine@buyer.example", "unsubscribed", "link", NOW)
        ]


def test_erasure_keeps_only_the_digest(engine: Engine) -> None:
    with engine.begin() as connection:
        suppress(connection, "lea.laine@buyer.example", reason="manual", source="x", now=NOW)
        suppress(connection, "otto@buyer.example", reason="erased", source="erasure 1", now=NOW)
        assert not suppress(
            connection, "LEA.LAINE@buyer.example", reason="erased", source="erasure 2", now=NOW
        )
        otto = hashlib.sha256(b"otto@buyer.example").hexdigest()
        assert _rows(connection) == [
            (LEA_HASH, None, "erased", "erasure 2", NOW),
            (otto, None, "erased", "erasure 1", NOW),
        ]
        stored = " ".join(str(value) for row in _rows(connection) for value in row)
        assert "lea" not in stored and "otto" not in stored
        assert is_suppressed(connection, "Lea.Laine@buyer.example") == "erased"


def test_an_erased_address_keeps_its_reason_when_listed_again(engine: Engine) -> None:
    with engine.begin() as connection:
        suppress(connection, "otto@buyer.example", reason="erased", source="erasure", now=NOW)
        assert not suppress(
            connection, "otto@buyer.example", reason="unsubscribed", source="link", now=NOW
        )
        assert [row[1:4] for row in _rows(connection)] == [(None, "erased", "erasure")]


def test_lift_removes_an_address_but_never_an_erased_one(engine: Engine) -> None:
    with engine.begin() as connection:
        suppress(connection, "lea.laine@buyer.example", reason="complaint", source="fbl", now=NOW)
        suppress(connection, "otto@buyer.example", reason="erased", source="erasure", now=NOW)
        assert lift(connection, "Lea.Laine@buyer.example") is True
        assert lift(connection, "lea.laine@buyer.example") is False
        assert lift(connection, "otto@buyer.example") is False
        assert [row[2] for row in _rows(connection)] == ["erased"]
        assert is_suppressed(connection, "lea.laine@buyer.example") is None


def test_each_reason_is_accepted_and_others_are_refused(engine: Engine) -> None:
    with engine.begin() as connection:
        for number, reason in enumerate(REASONS):
            suppress(connection, f"p{number}@buyer.example", reason=reason, source="t", now=NOW)
        with pytest.raises(ValueError, match="reason must be one of unsubscribed, hard_bounce"):
            suppress(connection, "x@buyer.example", reason="bored", source="t", now=NOW)
        found = suppressed_reasons(
            connection,
            ["P0@buyer.example", "p1@buyer.example", "p4@BUYER.example", "nobody@buyer.example"],
        )
        assert found == {
            "P0@buyer.example": "unsubscribed",
            "p1@buyer.example": "hard_bounce",
            "p4@BUYER.example": "manual",
        }
        assert suppression_counts(connection) == {
            "unsubscribed": 1,
            "hard_bounce": 1,
            "complaint": 1,
            "erased": 1,
            "manual": 1,
        }


def test_suppressed_reasons_looks_up_more_addresses_than_one_statement_binds(
    engine: Engine,
) -> None:
    with engine.begin() as connection:
        for number in range(0, 2000, 7):
            suppress(connection, f"p{number}@buyer.example", reason="manual", source="t", now=NOW)
        found = suppressed_reasons(connection, [f"p{n}@buyer.example" for n in range(2000)])
    assert len(found) == 286
    assert sorted(found)[:2] == ["p0@buyer.example", "p1001@buyer.example"]


def test_the_list_is_newest_first_filtered_by_reason_or_address(engine: Engine) -> None:
    with engine.begin() as connection:
        for day, (email, reason) in enumerate(
            [
                ("a@buyer.example", "unsubscribed"),
                ("b@buyer.example", "hard_bounce"),
                ("c@buyer.example", "unsubscribed"),
                ("d@buyer.example", "erased"),
            ]
        ):
            suppress(connection, email, reason=reason, source=f"s{day}", now=NOW + timedelta(day))
        total, page = list_suppressions(connection, limit=2)
        assert total == 4
        assert page == [
            Suppression(None, "erased", "s3", NOW + timedelta(3), address_hash("d@buyer.example")),
            Suppression(
                "c@buyer.example",
                "unsubscribed",
                "s2",
                NOW + timedelta(2),
                address_hash("c@buyer.example"),
            ),
        ]
        total, page = list_suppressions(connection, reason="unsubscribed", offset=1)
        assert (total, [item.email for item in page]) == (2, ["a@buyer.example"])
        total, page = list_suppressions(connection, address="B@Buyer.example")
        assert (total, [item.reason for item in page]) == (1, ["hard_bounce"])
        total, page = list_suppressions(connection, address="d@buyer.example")
        assert (total, [item.email for item in page]) == (1, [None])


def test_adding_by_hand_is_audited_by_digest(engine: Engine) -> None:
    actor = Actor(None, "192.0.2.1")
    with engine.begin() as connection:
        assert add_address(
            connection, " Lea.Laine@Buyer.example", note="asked  by phone", actor=actor, now=NOW
        )
        assert not add_address(connection, "lea.laine@buyer.example", actor=actor, now=NOW)
        assert _rows(connection) == [
            (LEA_HASH, "lea.laine@buyer.example", "manual", "added by hand: asked by phone", NOW)
        ]
        assert _audit(connection) == [
            (
                "suppression.added",
                f"suppressed address {LEA_HASH[:16]}",
                {"reason": "manual", "note": "asked by phone"},
                None,
            )
        ]
        assert add_address(
            connection, "otto@buyer.example", reason="complaint", actor=actor, now=NOW
        )
        assert _audit(connection)[1][2] == {"reason": "complaint"}
        assert "lea" not in str(_audit(connection))


@pytest.mark.parametrize(
    ("email", "reason", "note", "field", "message"),
    [
        ("not-an-address", "manual", "", "email", "'not-an-address' is not a valid email"),
        ("", "manual", "", "email", "email is empty"),
        ("lea@buyer.example", "erased", "", "reason", "must be one of manual, hard_bounce"),
        ("lea@buyer.example", "manual", "n" * 151, "note", "must be at most 150 characters"),
    ],
)
def test_adding_by_hand_names_the_wrong_field(
    engine: Engine, email: str, reason: str, note: str, field: str, message: str
) -> None:
    with engine.begin() as connection, pytest.raises(SuppressionError) as caught:
        add_address(connection, email, reason=reason, note=note, actor=CLI, now=NOW)
    assert caught.value.field == field
    assert caught.value.message.startswith(message)
    assert caught.value.status == 422


def test_lifting_by_hand_is_audited_and_refuses_erased_or_unknown(engine: Engine) -> None:
    with engine.begin() as connection:
        suppress(connection, "lea.laine@buyer.example", reason="hard_bounce", source="s", now=NOW)
        suppress(connection, "otto@buyer.example", reason="erased", source="erasure", now=NOW)
        assert lift_address(connection, "LEA.laine@buyer.example", actor=CLI, now=NOW) == (
            "hard_bounce"
        )
        assert _audit(connection) == [
            (
                "suppression.lifted",
                f"suppressed address {LEA_HASH[:16]}",
                {"reason": "hard_bounce"},
                None,
            )
        ]
        with pytest.raises(SuppressionError) as unknown:
            lift_address(connection, "lea.laine@buyer.example", actor=CLI, now=NOW)
        assert (unknown.value.status, unknown.value.message) == (
            404,
            "the address is not on the suppression list",
        )
        with pytest.raises(SuppressionError) as erased:
            lift_address(connection, "otto@buyer.example", actor=CLI, now=NOW)
        assert (erased.value.status, erased.value.message) == (
            409,
            "the person was erased; their address stays on the list",
        )
        assert len(_audit(connection)) == 1
