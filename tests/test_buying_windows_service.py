"""Refreshing the stored buying windows from qualifications, contracts and the installed base."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest
from sqlalchemy import Connection, Engine, event, select

from silverplatter.domain.buying_window import BuyingWindow
from silverplatter.domain.qualification import Bant
from silverplatter.domain.records import AccountFields, ContactFields
from silverplatter.services.buying_windows import (
    buying_window_for,
    refresh_buying_windows,
    set_buying_window,
)
from silverplatter.services.qualification import record_qualification
from silverplatter.services.records import upsert_accounts, upsert_contacts
from silverplatter.storage.lifecycle_schema import buying_windows
from silverplatter.storage.schema import installed_solutions, supplier_contracts

NOW = datetime(2026, 3, 1, 6, 0, tzinfo=UTC)
TODAY = date(2026, 3, 1)
NAMES = ("nordtek", "baltic", "cobalt", "eastwood", "fallow")


def _erp(account_id: int, go_live: date, lifetime: int | None = None) -> dict[str, Any]:
    return {
        "account_id": account_id,
        "category": "ERP",
        "vendor": "Vendor X",
        "go_live_date": go_live,
        "typical_lifetime_years": lifetime,
        "created_at": NOW,
    }


def _world(connection: Connection) -> dict[str, int]:
    """Five accounts, each known through a different kind of fact."""
    accounts = [AccountFields(name=name.title(), domain=f"{name}.fi") for name in NAMES]
    ids = upsert_accounts(connection, accounts, now=NOW).ids
    account = {name: int(i) for name, i in zip(NAMES, ids, strict=True) if i is not None}
    people = [
        ContactFields(email=f"buyer@{name}.fi", account_domain=f"{name}.fi") for name in NAMES
    ]
    contact_ids = upsert_contacts(connection, people, now=NOW).ids
    contact = {name: int(i) for name, i in zip(NAMES, contact_ids, strict=True) if i is not None}
    # nordtek: "we have no needs", but the ERP went live seven years ago (domain §5)
    record_qualification(
        connection, contact["nordtek"], Bant(need="we have no needs"), user_id=None, now=NOW
    )
    # baltic: unhappy with the ERP supplier, contract ends next January
    connection.execute(
        supplier_contracts.insert(),
        [
            {
                "account_id": account["baltic"],
                "category": "ERP",
                "supplier": "Vendor Y",
                "end_date": date(2027, 1, 31),
                "satisfaction": 4,
                "created_at": NOW,
            },
            {
                "account_id": account["fallow"],
                "category": "CRM",
                "supplier": "Vendor Z",
                "end_date": None,
                "satisfaction": None,
                "created_at": NOW,
            },
        ],
    )
    connection.execute(
        installed_solutions.insert(),
        [
            _erp(account["nordtek"], date(2019, 3, 1)),
            _erp(account["baltic"], date(2019, 3, 1), lifetime=7),
            _erp(account["eastwood"], date(2019, 3, 1), lifetime=7),
        ],
    )
    # cobalt: qualified twice; the latest timeline counts
    for timeline in (date(2026, 4, 30), date(2026, 9, 30)):
        record_qualification(
            connection,
            contact["cobalt"],
            Bant(need="ERP", timeline=timeline),
            user_id=None,
            now=NOW,
        )
    return account


def test_refresh_infers_and_stores_each_accounts_best_window(engine: Engine) -> None:
    with engine.begin() as connection:
        account = _world(connection)
        set_buying_window(
            connection,
            account["eastwood"],
            opens_on=date(2028, 1, 1),
            closes_on=date(2028, 6, 30),
            basis="CEO told us: budget round in 2028",
            now=NOW,
        )
        written = refresh_buying_windows(connection, today=TODAY, now=NOW)
        windows = {name: buying_window_for(connection, i) for name, i in account.items()}
    assert written == 3
    assert windows == {
        "nordtek": BuyingWindow(
            date(2025, 9, 1),
            date(2027, 3, 1),
            "installed_base",
            0.35,
            "ERP (Vendor X) went live 2019-03; typical lifetime 7 years (default) "
            "→ window opens 2025-09",
        ),
        "baltic": BuyingWindow(
            date(2026, 7, 31),
            date(2027, 1, 31),
            "contract_end",
            0.8,
            "Contract with Vendor Y (ERP) ends 2027-01-31; satisfaction 4/10 "
            "→ window opens 2026-07-31",
        ),
        "cobalt": BuyingWindow(
            date(2026, 6, 30),
            date(2026, 9, 30),
            "qualification",
            0.9,
            "Qualification: intends to buy by 2026-09-30 → window opens 2026-06-30",
        ),
        "eastwood": BuyingWindow(
            date(2028, 1, 1),
            date(2028, 6, 30),
            "manual",
            1.0,
            "CEO told us: budget round in 2028",
        ),
        "fallow": None,
    }


def test_refresh_reads_in_batches_not_per_account(engine: Engine) -> None:
    with engine.begin() as connection:
        _world(connection)
        statements: list[str] = []

        def count(*args: Any) -> None:
            statements.append(str(args[2]).split()[0])

        event.listen(connection, "before_cursor_execute", count)
        refresh_buying_windows(connection, today=TODAY, now=NOW)
        event.remove(connection, "before_cursor_execute", count)
    # candidates, manual windows, three kinds of facts, then one upsert
    assert statements == ["SELECT"] * 5 + ["INSERT"]


def test_windows_that_went_stale_are_removed_and_manual_ones_kept(engine: Engine) -> None:
    with engine.begin() as connection:
        account = _world(connection)
        refresh_buying_windows(connection, today=TODAY, now=NOW)
        set_buying_window(
            connection,
            account["baltic"],
            opens_on=date(2026, 5, 1),
            closes_on=date(2026, 10, 31),
            basis="tender announced",
            now=NOW,
        )
        later = datetime(2029, 1, 1, tzinfo=UTC)
        written = refresh_buying_windows(connection, today=later.date(), now=later)
        rows = connection.execute(
            select(buying_windows.c.account_id, buying_windows.c.source).order_by(
                buying_windows.c.account_id
            )
        ).all()
    # By 2029 the ERP windows (closing 2027-03) and the 2026 timeline are long past.
    assert written == 0
    assert [tuple(row) for row in rows] == [(account["baltic"], "manual")]


def test_refresh_of_chosen_accounts_leaves_the_others(engine: Engine) -> None:
    with engine.begin() as connection:
        account = _world(connection)
        written = refresh_buying_windows(
            connection, today=TODAY, now=NOW, account_ids=[account["baltic"], account["fallow"]]
        )
        stored = connection.execute(select(buying_windows.c.account_id)).scalars().all()
        again = refresh_buying_windows(connection, today=TODAY, now=NOW)
        baltic = buying_window_for(connection, account["baltic"])
    assert written == 1
    assert stored == [account["baltic"]]
    assert again == 4
    assert baltic is not None and baltic.source == "contract_end"


def test_a_manual_window_must_make_sense(engine: Engine) -> None:
    with engine.begin() as connection:
        (account,) = upsert_accounts(connection, [AccountFields(name="Nordtek")], now=NOW).ids
        assert account is not None
        with pytest.raises(ValueError, match=r"^closes_on: 2026-01-01 is before opens_on"):
            set_buying_window(
                connection,
                account,
                opens_on=date(2026, 6, 1),
                closes_on=date(2026, 1, 1),
                basis="x",
                now=NOW,
            )
        with pytest.raises(ValueError, match=r"^basis: say how the window is known$"):
            set_buying_window(
                connection,
                account,
                opens_on=date(2026, 6, 1),
                closes_on=date(2026, 9, 1),
                basis=" ",
                now=NOW,
            )
