"""Importing CSV files on both backends: presets, broken rows, re-runs, whole-file errors."""

from __future__ import annotations

import csv
import random
import shutil
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, func, select

from silverplatter.services.importing import ImportFileError, ImportSummary, import_csv
from silverplatter.storage.schema import (
    accounts,
    contacts,
    events,
    import_runs,
    opportunities,
    property_definitions,
)

NOW = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
LATER = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
SAMPLES = Path(__file__).parent / "data" / "import"


def sample(tmp_path: Path, name: str) -> Path:
    """A copy of a sample export, so its rejects file lands in the test's folder."""
    return Path(shutil.copy(SAMPLES / name, tmp_path / name))


def counts(summary: ImportSummary) -> tuple[int, int, int, int, int]:
    assert summary.rows_read == (
        summary.created + summary.updated + summary.unchanged + summary.rejected
    )
    return (
        summary.rows_read,
        summary.created,
        summary.updated,
        summary.unchanged,
        summary.rejected,
    )


def rejects(summary: ImportSummary) -> list[tuple[str, str]]:
    assert summary.rejects_path is not None
    with summary.rejects_path.open(encoding="utf-8-sig", newline="") as handle:
        return [(row["row_number"], row["reason"]) for row in csv.DictReader(handle)]


def rows(engine: Engine, table: Any) -> list[Any]:
    with engine.connect() as connection:
        return list(connection.execute(select(table).order_by(table.c.id)))


def count(engine: Engine, table: Any) -> int:
    with engine.connect() as connection:
        return int(connection.execute(select(func.count()).select_from(table)).scalar_one())


# --- the three export layouts ---------------------------------------------------


def test_hubspot_exports(engine: Engine, tmp_path: Path) -> None:
    companies = sample(tmp_path, "hubspot-companies.csv")
    people = sample(tmp_path, "hubspot-contacts.csv")
    deals = sample(tmp_path, "hubspot-deals.csv")
    first = import_csv(engine, companies, "accounts", now=NOW, preset="hubspot")
    assert counts(first) == (3, 3, 0, 0, 0)
    assert first.ignored_columns == ("City", "Phone Number", "Company owner", "Last Activity Date")
    summary = import_csv(engine, people, "contacts", now=NOW, preset="hubspot")
    assert counts(summary) == (6, 5, 0, 0, 1)
    assert rejects(summary) == [
        (
            "8",
            "Email: 'fatima(at)example.com' is not a valid email address: "
            "An email address must have an @-sign.",
        )
    ]
    summary = import_csv(engine, deals, "opportunities", now=NOW, preset="hubspot")
    assert counts(summary) == (4, 3, 0, 0, 1)
    assert rejects(summary) == [("5", "account: no account '5999'; import accounts first")]

    nordtek, vasa, acme = rows(engine, accounts)
    assert (nordtek.external_id, nordtek.domain, nordtek.country) == ("5001", "nordtek.fi", "FI")
    assert (nordtek.employees, nordtek.annual_revenue, nordtek.status) == (
        250,
        25_000_000,
        "customer",
    )
    assert nordtek.created_at == datetime(2023, 11, 2, 10, 4, tzinfo=UTC)
    assert (vasa.status, acme.status) == ("prospect", "prospect")
    people_rows = rows(engine, contacts)
    assert [(p.email, p.account_id) for p in people_rows] == [
        ("anna.virtanen@nordtek.fi", nordtek.id),
        ("bo.lindqvist@vasa-energi.se", vasa.id),
        ("chen.wu@acme.co.uk", acme.id),
        ("DANA.ONEIL@acme.co.uk", acme.id),
        ("eero.makinen@nordtek.fi", nordtek.id),
    ]
    assert people_rows[2].title == "Director, Marketing"
    assert people_rows[4].last_name == "Mäkinen"
    won, open_deal, lost = rows(engine, opportunities)
    assert (won.status, won.closed_at) == ("won", datetime(2024, 3, 28, tzinfo=UTC))
    assert (open_deal.status, open_deal.closed_at, str(open_deal.amount)) == (
        "open",
        None,
        "120000.50",
    )
    assert (lost.status, lost.lost_reason) == ("lost", "Budget moved to next year")

    for path, kind, read in ((companies, "accounts", 3), (people, "contacts", 6)):
        again = import_csv(engine, path, kind, now=LATER, preset="hubspot")  # type: ignore[arg-type]
        assert (again.created, again.updated, again.rows_read) == (0, 0, read)
    again = import_csv(engine, deals, "opportunities", now=LATER, preset="hubspot")
    assert counts(again) == (4, 0, 0, 3, 1)


def test_salesforce_exports(engine: Engine, tmp_path: Path) -> None:
    account_file = sample(tmp_path, "salesforce-Account.csv")
    contact_file = sample(tmp_path, "salesforce-Contact.csv")
    deal_file = sample(tmp_path, "salesforce-Opportunity.csv")
    assert counts(import_csv(engine, account_file, "accounts", now=NOW, preset="salesforce")) == (
        3,
        3,
        0,
        0,
        0,
    )
    summary = import_csv(engine, contact_file, "contacts", now=NOW, preset="salesforce")
    assert counts(summary) == (4, 3, 0, 0, 1)
    assert rejects(summary) == [("6", "Email: required field is empty")]
    summary = import_csv(engine, deal_file, "opportunities", now=NOW, preset="salesforce")
    assert counts(summary) == (3, 3, 0, 0, 0)

    nordtek, vasa, acme = rows(engine, accounts)
    assert [a.status for a in (nordtek, vasa, acme)] == ["customer", "prospect", "partner"]
    assert [a.domain for a in (nordtek, vasa, acme)] == [
        "nordtek.fi",
        "vasa-energi.se",
        "acme.co.uk",
    ]
    assert nordtek.created_at == datetime(2023, 11, 2, 10, 4, 11, tzinfo=UTC)
    anna, bo, chen = rows(engine, contacts)
    assert (anna.external_id, anna.account_id, anna.department) == (
        "0035g00000QmZ1AAAV",
        nordtek.id,
        "Finance",
    )
    assert (bo.phone, chen.account_id) == ("+46 70 123 45 67", acme.id)
    won, open_deal, lost = rows(engine, opportunities)
    assert (won.status, won.amount, won.currency) == ("won", 48000, "EUR")
    assert (open_deal.status, open_deal.currency, open_deal.closed_at) == ("open", "SEK", None)
    assert (lost.status, lost.closed_at) == ("lost", datetime(2024, 2, 15, tzinfo=UTC))

    for path, kind in (
        (account_file, "accounts"),
        (contact_file, "contacts"),
        (deal_file, "opportunities"),
    ):
        again = import_csv(engine, path, kind, now=LATER, preset="salesforce")  # type: ignore[arg-type]
        assert (again.created, again.updated) == (0, 0)


def test_mautic_exports_with_new_properties(engine: Engine, tmp_path: Path) -> None:
    company_file = sample(tmp_path, "mautic-companies.csv")
    contact_file = sample(tmp_path, "mautic-contacts.csv")
    options: dict[str, Any] = {"preset": "mautic", "create_properties": True}
    assert counts(import_csv(engine, company_file, "accounts", now=NOW, **options)) == (
        2,
        2,
        0,
        0,
        0,
    )
    summary = import_csv(engine, contact_file, "contacts", now=NOW, **options)
    assert counts(summary) == (4, 3, 0, 0, 1)
    assert rejects(summary) == [("5", "email: required field is empty")]
    assert summary.ignored_columns == ("title",)  # Mautic's salutation

    types = {(row.object_type, row.name): row.type for row in rows(engine, property_definitions)}
    assert types[("contact", "points")] == "number"
    assert types[("contact", "zipcode")] == "text"
    assert types[("contact", "last_active")] == "date"
    assert types[("contact", "linkedin")] == "text"
    assert types[("account", "companyaddress1")] == "text"
    nordtek, _vasa = rows(engine, accounts)
    assert (nordtek.external_id, nordtek.employees, nordtek.industry) == ("1", 250, "Manufacturing")
    assert nordtek.custom["companyzipcode"] == "33100"
    anna, _bo, eero = rows(engine, contacts)
    assert (anna.title, anna.account_id, anna.country) == ("CFO", nordtek.id, "FI")
    assert anna.custom["points"] == 45
    assert anna.custom["linkedin"] == "anna-virtanen"
    assert anna.custom["last_active"] == "2024-03-01"
    assert eero.custom["points"] == 0

    for path, kind in ((company_file, "accounts"), (contact_file, "contacts")):
        again = import_csv(engine, path, kind, now=LATER, **options)  # type: ignore[arg-type]
        assert (again.created, again.updated) == (0, 0)


def test_unknown_columns_are_ignored_unless_asked(engine: Engine, tmp_path: Path) -> None:
    contact_file = sample(tmp_path, "mautic-contacts.csv")
    summary = import_csv(engine, contact_file, "contacts", now=NOW, preset="mautic")
    assert counts(summary) == (4, 3, 0, 0, 1)
    assert "points" in summary.ignored_columns
    assert "linkedin" in summary.ignored_columns
    assert count(engine, property_definitions) == 0
    assert all(person.custom == {} for person in rows(engine, contacts))
    later = import_csv(
        engine, contact_file, "contacts", now=LATER, preset="mautic", create_properties=True
    )
    assert counts(later) == (4, 0, 3, 0, 1)


# --- broken rows ------------------------------------------------------------------

FIRST = ["Anna", "Bo", "Chen", "Dana", "Eero", "Fatima", "Gustav", "Hanna", "Ilkka", "Jüri"]
LAST = ["Virtanen", "Lindqvist", "Wu", "O'Neil", "Mäkinen", "Haddad", "Öberg", "Nieminen"]


def thousand_rows_with_ten_broken(path: Path) -> dict[int, str]:
    """Write 1,000 contacts, 10 of them broken; return the broken rows' reasons by row."""
    chooser = random.Random(2026)
    broken = {
        40: "bad email",
        41: "bad bytes",
        99: "missing email",
        150: "duplicate",  # same batch as its original (row 120)
        333: "bad date",
        500: "duplicate",  # an earlier batch holds its original (row 7)
        640: "bad email",
        777: "bad date",
        901: "bad bytes",
        999: "missing email",
    }
    originals = {150: 120, 500: 7}
    lines = [b"email,first_name,last_name,title,account_name,account_domain,created_at,note\r\n"]
    line_of: dict[int, int] = {}
    line = 2
    expected: dict[int, str] = {}
    for number in range(1, 1001):
        company = number // 25
        email = f"person{number}@company{company}.example"
        day = 1 + number % 28
        created = f"{day:02d}/{1 + number % 12:02d}/2024"
        last = chooser.choice(LAST).encode()
        note = b'"Met at the fair.\r\nCall back in May."' if number % 50 == 0 else b"imported"
        kind = broken.get(number)
        if kind == "bad email":
            email = f"person{number}(at)company{company}.example"
            expected_reason = f"email: '{email}' is not a valid email address"
        elif kind == "bad bytes":
            last = b"J\xe4rvinen"
            expected_reason = "last_name: invalid UTF-8 bytes"
        elif kind == "missing email":
            email = ""
            expected_reason = "email: required field is empty"
        elif kind == "duplicate":
            original = originals[number]
            email = f"PERSON{original}@company{original // 25}.example"
            expected_reason = f"duplicate of row {line_of[original]} (same email, different case)"
        elif kind == "bad date":
            created = "31/02/2024" if number == 333 else "2024-13-45"
            expected_reason = f"created_at: '{created}' is not a date (expected day/month/year)"
        fields = [
            email.encode(),
            chooser.choice(FIRST).encode(),
            last,
            b"Marketing Manager",
            f"Company {company} Oy".encode(),
            f"company{company}.example".encode(),
            created.encode(),
            note,
        ]
        lines.append(b",".join(fields) + b"\r\n")
        line_of[number] = line
        if kind:
            expected[line] = expected_reason
        line += 2 if number % 50 == 0 else 1
    path.write_bytes(b"".join(lines))
    return expected


def test_ten_broken_rows_among_a_thousand(engine: Engine, tmp_path: Path) -> None:
    path = tmp_path / "fair-leads.csv"
    expected = thousand_rows_with_ten_broken(path)
    seen: list[tuple[int, int]] = []
    summary = import_csv(
        engine, path, "contacts", now=NOW, batch_size=100, progress=lambda d, t: seen.append((d, t))
    )
    assert counts(summary) == (1000, 990, 0, 0, 10)
    assert summary.rejects_path == tmp_path / "fair-leads.rejects.csv"
    found = rejects(summary)
    assert len(found) == 10
    assert [int(row) for row, _reason in found] == sorted(expected)
    for row, reason in found:
        assert reason.startswith(expected[int(row)]), (row, reason)
    assert count(engine, contacts) == 990
    assert len(seen) == 11 and seen[-1] == (path.stat().st_size, path.stat().st_size)
    with summary.rejects_path.open(encoding="utf-8-sig", newline="") as handle:
        written = list(csv.reader(handle))
    assert written[0][-2:] == ["row_number", "reason"]
    assert any("J\ufffdrvinen" in row for row in written)

    again = import_csv(engine, path, "contacts", now=LATER, batch_size=100)
    assert counts(again) == (1000, 0, 0, 990, 10)


def test_an_interrupted_import_is_finished_by_running_it_again(
    engine: Engine, tmp_path: Path
) -> None:
    path = tmp_path / "leads.csv"
    path.write_text(
        "email,first_name\n" + "".join(f"p{n}@nordtek.fi,P{n}\n" for n in range(500)),
        encoding="utf-8",
    )
    calls = 0

    def stop_after_two_batches(done: int, total: int) -> None:
        nonlocal calls
        calls += 1
        if calls == 2:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        import_csv(
            engine, path, "contacts", now=NOW, batch_size=100, progress=stop_after_two_batches
        )
    assert count(engine, contacts) == 200
    (run,) = rows(engine, import_runs)
    assert (run.status, run.rows_read, run.created, run.finished_at) == ("failed", 200, 200, NOW)
    summary = import_csv(engine, path, "contacts", now=LATER, batch_size=100)
    assert counts(summary) == (500, 300, 0, 200, 0)
    assert count(engine, contacts) == 500


def test_the_run_is_recorded(engine: Engine, tmp_path: Path) -> None:
    people = sample(tmp_path, "hubspot-contacts.csv")
    summary = import_csv(engine, people, "contacts", now=NOW, preset="hubspot")
    (run,) = rows(engine, import_runs)
    assert run.id == summary.run_id
    assert (run.object_type, run.source_name, run.preset, run.status) == (
        "contacts",
        "hubspot-contacts.csv",
        "hubspot",
        "finished",
    )
    assert (run.rows_read, run.created, run.updated, run.unchanged, run.rejected) == (6, 5, 0, 0, 1)
    assert run.rejects_path == str(tmp_path / "hubspot-contacts.rejects.csv")


def test_a_clean_rerun_leaves_no_stale_rejects_file(engine: Engine, tmp_path: Path) -> None:
    path = tmp_path / "leads.csv"
    path.write_text("email\nanna@nordtek.fi\nnot-an-email\n", encoding="utf-8")
    first = import_csv(engine, path, "contacts", now=NOW)
    assert first.rejects_path is not None and first.rejects_path.exists()
    path.write_text("email\nanna@nordtek.fi\nbo@vasa-energi.se\n", encoding="utf-8")
    second = import_csv(engine, path, "contacts", now=LATER)
    assert counts(second) == (2, 1, 0, 1, 0)
    assert second.rejects_path is None
    assert not first.rejects_path.exists()


def test_a_fixed_rejects_file_can_be_imported_again(engine: Engine, tmp_path: Path) -> None:
    path = tmp_path / "leads.csv"
    path.write_text("email,first_name\nanna@nordtek.fi,Anna\nbo(at)vasa.se,Bo\n", encoding="utf-8")
    summary = import_csv(engine, path, "contacts", now=NOW)
    assert summary.rejects_path is not None
    fixed = summary.rejects_path.read_text(encoding="utf-8-sig").replace(
        "bo(at)vasa.se", "bo@vasa.se"
    )
    retry = tmp_path / "retry.csv"
    retry.write_text(fixed, encoding="utf-8")
    again = import_csv(engine, retry, "contacts", now=LATER, create_properties=True)
    assert counts(again) == (1, 1, 0, 0, 0)
    assert again.ignored_columns == ()
    assert count(engine, property_definitions) == 0


def test_a_rejects_file_marks_formulas_and_imports_them_back_as_they_were(
    engine: Engine, tmp_path: Path
) -> None:
    path = tmp_path / "fair.csv"
    path.write_text(
        "email;first_name;last_name;phone;title\n"
        'bo(at)vasa.se;"=HYPERLINK(""http://x"",""y"")";\'=marked;+1-2;-3\n'
        "anna@nordtek.fi;@SUM(A1);'@typed;-12.5;+44\n",
        encoding="utf-8",
    )
    summary = import_csv(engine, path, "contacts", now=NOW)
    assert summary.rejects_path is not None
    written = summary.rejects_path.read_text(encoding="utf-8-sig")
    assert written.splitlines() == [
        "email;first_name;last_name;phone;title;row_number;reason",
        'bo(at)vasa.se;"\'=HYPERLINK(""http://x"",""y"")";\'=marked;\'+1-2;-3;2;'
        "email: 'bo(at)vasa.se' is not a valid email address: An email address must have "
        "an @-sign.",
    ]
    retry = tmp_path / "retry.csv"
    retry.write_text(written.replace("bo(at)vasa.se;", "bo@vasa.se;"), encoding="utf-8")
    assert counts(import_csv(engine, retry, "contacts", now=LATER)) == (1, 1, 0, 0, 0)
    with engine.connect() as connection:
        people = connection.execute(
            select(
                contacts.c.first_name, contacts.c.last_name, contacts.c.phone, contacts.c.title
            ).order_by(contacts.c.email)
        ).all()
    assert [tuple(person) for person in people] == [
        ("@SUM(A1)", "@typed", "-12.5", "+44"),
        ('=HYPERLINK("http://x","y")', "=marked", "+1-2", "-3"),
    ]


# --- a user's own mapping ---------------------------------------------------------------


def test_a_mapping_file_for_a_finnish_spreadsheet(engine: Engine, tmp_path: Path) -> None:
    path = tmp_path / "messulistat.csv"
    path.write_bytes(
        (
            "Sähköposti;Etunimi;Sukunimi;Yritys;Liikevaihto;Rekisteröity;Uutiskirje;Muistiinpanot\r\n"
            "anna.virtanen@nordtek.fi;Anna;Mäkelä;Nordtek Oy;1 234 567,89 €;05.03.2024 09:00;x;\r\n"
            "bo@vasa-energi.se;Bo;Öberg;Vasa Energi AB;12,5;13.03.2024 14:30;ei;Soita\r\n"
        ).encode("cp1252")
    )
    mapping = tmp_path / "messut.toml"
    mapping.write_text(
        """
# Registrations from the trade-fair desk
date_order = "dmy"
timezone = "Europe/Helsinki"
ignore = ["Muistiinpanot"]

[columns]
"Sähköposti" = "email"
"Etunimi" = "first_name"
"Sukunimi" = "last_name"
"Yritys" = "account_name"
"Liikevaihto" = "custom.revenue_meur"
"Rekisteröity" = "created_at"
"Uutiskirje" = "custom.newsletter"
""",
        encoding="utf-8",
    )
    summary = import_csv(
        engine, path, "contacts", now=NOW, mapping_file=mapping, create_properties=True
    )
    assert counts(summary) == (2, 2, 0, 0, 0)
    assert summary.ignored_columns == ("Muistiinpanot",)
    anna, bo = rows(engine, contacts)
    assert (anna.last_name, bo.last_name) == ("Mäkelä", "Öberg")
    assert anna.created_at == datetime(2024, 3, 5, 7, 0, tzinfo=UTC)
    assert anna.custom == {"revenue_meur": 1234567.89, "newsletter": True}
    assert bo.custom == {"revenue_meur": 12.5, "newsletter": False}
    types = {row.name: row.type for row in rows(engine, property_definitions)}
    assert types == {"revenue_meur": "number", "newsletter": "boolean"}
    again = import_csv(engine, path, "contacts", now=LATER, mapping_file=mapping)
    assert counts(again) == (2, 0, 0, 2, 0)


def test_a_mapped_property_that_does_not_exist_is_left_out(engine: Engine, tmp_path: Path) -> None:
    path = tmp_path / "leads.csv"
    path.write_text("Mail,Budget\nanna@nordtek.fi,100\n", encoding="utf-8")
    mapping = tmp_path / "mapping.toml"
    mapping.write_text('[columns]\nMail = "email"\nBudget = "custom.budget"\n', encoding="utf-8")
    summary = import_csv(engine, path, "contacts", now=NOW, mapping_file=mapping)
    assert counts(summary) == (1, 1, 0, 0, 0)
    assert summary.ignored_columns == ("Budget",)


# --- events ---------------------------------------------------------------------------


def test_events_in_the_native_layout(engine: Engine, tmp_path: Path) -> None:
    people = tmp_path / "people.csv"
    people.write_text("email\nanna@nordtek.fi\n", encoding="utf-8")
    import_csv(engine, people, "contacts", now=NOW)
    path = tmp_path / "events.csv"
    path.write_text(
        "type,occurred_at,email,channel,properties.url,properties\n"
        "page_view,2026-02-01T10:00:00Z,anna@nordtek.fi,web,/pricing,\n"
        'Content Download,01.02.2026 10:05,anna@nordtek.fi,email,,"{""asset"": ""ERP guide""}"\n'
        "page_view,2026-02-01T10:00:00Z,anna@nordtek.fi,web,/pricing,\n"
        "page_view,2026-02-01T11:00:00Z,nobody@nordtek.fi,web,/,\n"
        "page_view,yesterday,anna@nordtek.fi,web,/,\n",
        encoding="utf-8",
    )
    summary = import_csv(engine, path, "events", now=NOW)
    assert counts(summary) == (5, 2, 0, 1, 2)
    assert rejects(summary) == [
        (
            "5",
            "email: no contact with email nobody@nordtek.fi; only form_submit events create "
            "contacts",
        ),
        ("6", "occurred_at: 'yesterday' is not a date (expected day/month/year)"),
    ]
    stored = rows(engine, events)
    assert [(e.type, e.properties) for e in stored] == [
        ("page_view", {"url": "/pricing"}),
        ("content_download", {"asset": "ERP guide"}),
    ]
    again = import_csv(engine, path, "events", now=LATER)
    assert counts(again) == (5, 0, 0, 3, 2)


# --- whole-file problems --------------------------------------------------------------


def test_whole_file_problems_are_explained(engine: Engine, tmp_path: Path) -> None:
    people = sample(tmp_path, "hubspot-contacts.csv")
    with pytest.raises(
        ImportFileError,
        match="unknown preset 'pipedrive': choose one of hubspot, mautic, salesforce",
    ):
        import_csv(engine, people, "contacts", now=NOW, preset="pipedrive")
    with pytest.raises(
        ImportFileError,
        match=r"the mautic preset has no columns for opportunities \(it has accounts, contacts\)",
    ):
        import_csv(engine, people, "opportunities", now=NOW, preset="mautic")
    bad_toml = tmp_path / "bad.toml"
    bad_toml.write_text("[columns\nEmail = email", encoding="utf-8")
    with pytest.raises(ImportFileError, match=r"mapping file bad\.toml is not valid TOML"):
        import_csv(engine, people, "contacts", now=NOW, mapping_file=bad_toml)
    with pytest.raises(ImportFileError, match="cannot read mapping file"):
        import_csv(engine, people, "contacts", now=NOW, mapping_file=tmp_path / "missing.toml")
    wrong_field = tmp_path / "wrong.toml"
    wrong_field.write_text('[columns]\nEmail = "e_mail"\n', encoding="utf-8")
    with pytest.raises(
        ImportFileError, match="column 'Email' maps to 'e_mail', which is not a field of contacts"
    ):
        import_csv(engine, people, "contacts", now=NOW, mapping_file=wrong_field)
    with pytest.raises(ImportFileError, match="either a preset or a mapping file"):
        import_csv(engine, people, "contacts", now=NOW, preset="hubspot", mapping_file=wrong_field)
    finnish = tmp_path / "yhteystiedot.csv"
    finnish.write_text("Sähköposti;Nimi\nanna@nordtek.fi;Anna\n", encoding="utf-8")
    with pytest.raises(ImportFileError) as caught:
        import_csv(engine, finnish, "contacts", now=NOW)
    assert str(caught.value).startswith(
        "no column of the file maps to email. The file's columns are: 'Sähköposti', 'Nimi'."
    )
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    with pytest.raises(ImportFileError, match=r"empty\.csv is empty"):
        import_csv(engine, empty, "contacts", now=NOW)
    assert count(engine, import_runs) == 0


def test_a_header_only_file_imports_nothing(engine: Engine, tmp_path: Path) -> None:
    path = tmp_path / "none.csv"
    path.write_text("email,first_name\n", encoding="utf-8")
    summary = import_csv(engine, path, "contacts", now=NOW)
    assert counts(summary) == (0, 0, 0, 0, 0)
    assert summary.rejects_path is None
