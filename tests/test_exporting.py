"""Exporting to Silverplatter's own CSV layout, and importing it back unchanged."""

from __future__ import annotations

import csv
import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine, select

from silverplatter.domain.records import ContactFields
from silverplatter.services import exporting
from silverplatter.services.exporting import export_csv
from silverplatter.services.importing import import_csv
from silverplatter.services.records import upsert_contacts
from silverplatter.storage.properties import create_definition
from silverplatter.storage.schema import contacts
from silverplatter.storage.users import create_user

NOW = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
LATER = datetime(2026, 3, 5, 9, 0, tzinfo=UTC)
SAMPLES = Path(__file__).parent / "data" / "import"


def read(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def workspace(engine: Engine, tmp_path: Path) -> None:
    """Accounts, contacts with an owner and typed custom properties, deals and events."""
    with engine.begin() as connection:
        create_user(connection, email="maria@nordtek.example", name="Maria", role="sales", now=NOW)
        for name, kind in (("budget", "number"), ("renewal", "date"), ("newsletter", "boolean")):
            create_definition(
                connection,
                object_type="contact",
                name=name,
                label=name.title(),
                type=kind,
                options=None,
                now=NOW,
            )
        create_definition(
            connection,
            object_type="account",
            name="erp_vendor",
            label="ERP vendor",
            type="text",
            options=None,
            now=NOW,
        )
    for name, kind in (
        ("hubspot-companies.csv", "accounts"),
        ("hubspot-contacts.csv", "contacts"),
        ("hubspot-deals.csv", "opportunities"),
    ):
        path = Path(shutil.copy(SAMPLES / name, tmp_path / name))
        import_csv(engine, path, kind, now=NOW, preset="hubspot")  # type: ignore[arg-type]
    extra = tmp_path / "extra.csv"
    extra.write_text(
        "email,owner_email,custom.budget,custom.renewal,custom.newsletter,decision_role\n"
        'anna.virtanen@nordtek.fi,maria@nordtek.example,"12 500,75",31.12.2027,yes,'
        "economic buyer\n"
        "nora@solo.example,,0.1,,no,\n",
        encoding="utf-8",
    )
    import_csv(engine, extra, "contacts", now=NOW)
    companies = tmp_path / "companies.csv"
    companies.write_text(
        "domain,custom.erp_vendor,value_tier\nnordtek.fi,SAP,gold\n", encoding="utf-8"
    )
    import_csv(engine, companies, "accounts", now=NOW)
    clicks = tmp_path / "events.csv"
    clicks.write_text(
        "type,occurred_at,email,channel,traffic,properties.url\n"
        "page_view,2026-02-01T10:00:00Z,anna.virtanen@nordtek.fi,web,owned,/pricing\n"
        "email_click,2026-02-02T08:30:00+02:00,bo.lindqvist@vasa-energi.se,email,owned,\n",
        encoding="utf-8",
    )
    import_csv(engine, clicks, "events", now=NOW)


@pytest.mark.parametrize(
    ("kind", "expected"), [("accounts", 3), ("contacts", 6), ("opportunities", 3), ("events", 2)]
)
def test_reimporting_an_export_changes_nothing(
    engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, kind: str, expected: int
) -> None:
    workspace(engine, tmp_path)
    monkeypatch.setattr(exporting, "PAGE_SIZE", 2)  # several pages even for a small table
    seen: list[tuple[int, int]] = []
    destination = tmp_path / "out" / f"{kind}.csv"
    written = export_csv(engine, kind, destination, progress=lambda d, t: seen.append((d, t)))  # type: ignore[arg-type]
    assert written == expected
    assert seen[-1] == (expected, expected) and len(seen) == (expected + 1) // 2
    assert len(read(destination)) == expected
    summary = import_csv(engine, destination, kind, now=LATER)  # type: ignore[arg-type]
    assert (summary.created, summary.updated, summary.rejected) == (0, 0, 0)
    assert summary.unchanged == expected
    assert summary.ignored_columns == ()


def test_the_native_layout(engine: Engine, tmp_path: Path) -> None:
    workspace(engine, tmp_path)
    export_csv(engine, "contacts", tmp_path / "contacts.csv")
    with (tmp_path / "contacts.csv").open(encoding="utf-8", newline="") as handle:
        header = next(csv.reader(handle))
    assert header == [
        "email",
        "external_id",
        "first_name",
        "last_name",
        "title",
        "seniority",
        "department",
        "decision_role",
        "phone",
        "linkedin_url",
        "country",
        "owner_email",
        "account_external_id",
        "account_domain",
        "account_name",
        "created_at",
        "custom.budget",
        "custom.newsletter",
        "custom.renewal",
    ]
    people = {row["email"]: row for row in read(tmp_path / "contacts.csv")}
    anna = people["anna.virtanen@nordtek.fi"]
    assert anna["owner_email"] == "maria@nordtek.example"
    assert (anna["account_external_id"], anna["account_domain"]) == ("5001", "nordtek.fi")
    assert anna["created_at"] == "2024-01-15T09:32:00+00:00"
    assert (anna["custom.budget"], anna["custom.renewal"], anna["custom.newsletter"]) == (
        "12500.75",
        "2027-12-31",
        "true",
    )
    assert anna["decision_role"] == "economic_buyer"
    nora = people["nora@solo.example"]
    assert (nora["custom.budget"], nora["custom.newsletter"], nora["account_name"]) == (
        "0.1",
        "false",
        "",
    )
    export_csv(engine, "accounts", tmp_path / "accounts.csv")
    nordtek = read(tmp_path / "accounts.csv")[0]
    assert (nordtek["name"], nordtek["value_tier"], nordtek["custom.erp_vendor"]) == (
        "Nordtek Oy",
        "gold",
        "SAP",
    )
    export_csv(engine, "opportunities", tmp_path / "deals.csv")
    won = read(tmp_path / "deals.csv")[0]
    assert (won["amount"], won["status"], won["closed_at"]) == (
        "48000.00",
        "won",
        "2024-03-28T00:00:00+00:00",
    )
    export_csv(engine, "events", tmp_path / "events.csv")
    click = read(tmp_path / "events.csv")[1]
    assert (click["occurred_at"], click["email"], click["properties"]) == (
        "2026-02-02T06:30:00+00:00",
        "bo.lindqvist@vasa-energi.se",
        "{}",
    )


def test_an_empty_table_exports_a_header(engine: Engine, tmp_path: Path) -> None:
    destination = tmp_path / "deals.csv"
    assert export_csv(engine, "opportunities", destination) == 0
    assert destination.read_text(encoding="utf-8").startswith("external_id,name,")
    assert not list(tmp_path.glob(".*partial"))


def test_formulas_are_exported_as_text_and_import_back_unchanged(
    engine: Engine, tmp_path: Path
) -> None:
    hostile = {
        "first_name": '=HYPERLINK("http://x","y")',
        "last_name": "'=marked by hand",
        "title": "@SUM(A1)",
        "phone": "+1-2",
        "department": "-3",
    }
    with engine.begin() as connection:
        create_definition(
            connection,
            object_type="contact",
            name="budget",
            label="Budget",
            type="number",
            options=None,
            now=NOW,
        )
        upsert_contacts(
            connection,
            [ContactFields(email="eve@hostile.example", custom={"budget": -12.5}, **hostile)],
            now=NOW,
        )
    destination = tmp_path / "contacts.csv"
    export_csv(engine, "contacts", destination)
    assert destination.read_text(encoding="utf-8").splitlines()[1] == (
        'eve@hostile.example,,"\'=HYPERLINK(""http://x"",""y"")",\'\'=marked by hand,'
        "'@SUM(A1),,-3,,'+1-2,,,,,,,2026-03-01T09:00:00+00:00,-12.5"
    )
    summary = import_csv(engine, destination, "contacts", now=LATER)
    assert (summary.created, summary.updated, summary.unchanged, summary.rejected) == (0, 0, 1, 0)
    columns = [contacts.c[name] for name in hostile]
    with engine.connect() as connection:
        stored = connection.execute(select(*columns, contacts.c.custom)).one()
    assert dict(zip(hostile, stored[:-1], strict=True)) == hostile
    assert stored.custom == {"budget": -12.5}
