"""Lead magnets: upload with the kind read from the content, the download link and its event."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine, select

from silverplatter.domain.lead_magnets import MAX_FILE_BYTES, MagnetInvalid, clean_file_name
from silverplatter.domain.model_file import default_model_text
from silverplatter.domain.records import ContactFields
from silverplatter.services.lead_magnets import (
    LeadMagnet,
    MagnetGone,
    create_lead_magnet,
    download_url,
    get_lead_magnet,
    list_lead_magnets,
    take_download,
    update_lead_magnet,
)
from silverplatter.services.records import upsert_contacts
from silverplatter.services.scoring_models import save_model
from silverplatter.services.signing import InvalidLink, Signer
from silverplatter.services.workspace import init_workspace
from silverplatter.storage.engagement_schema import contact_scores
from silverplatter.storage.schema import contacts, events

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
SIGNER = Signer("lead magnet test key " * 3)
PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 40
ZIP = b"PK\x03\x04" + b"\x14\x00" * 20
OFFICE = "application/vnd.openxmlformats-officedocument."
DOWNLOAD_RULE = """

[[engagement.rules]]
name = "downloaded a guide"
event = "content_download"
cta = "soft"
points = 7
"""


@pytest.fixture
def lea(engine: Engine) -> int:
    init_workspace(engine, name="Seller Oy", now=NOW)
    with engine.begin() as connection:
        save_model(connection, default_model_text() + DOWNLOAD_RULE, now=NOW)
        upsert_contacts(connection, [ContactFields(email="lea@buyer.example")], now=NOW)
        return int(connection.execute(select(contacts.c.id)).scalar_one())


def _create(engine: Engine, **given: Any) -> LeadMagnet:
    values: dict[str, Any] = {
        "title": "Guide: Halving delivery delays!",
        "content": PDF,
        "file_name": "delivery-delays.pdf",
    }
    with engine.begin() as connection:
        return create_lead_magnet(connection, now=NOW, **(values | given))


def test_an_uploaded_file_becomes_a_lead_magnet(engine: Engine, lea: int) -> None:
    magnet = _create(engine, description="  Twelve pages.  ")
    assert magnet == LeadMagnet(
        id=magnet.id,
        slug="guide-halving-delivery-delays",
        title="Guide: Halving delivery delays!",
        description="Twelve pages.",
        file_name="delivery-delays.pdf",
        content_type="application/pdf",
        size_bytes=len(PDF),
        sha256=hashlib.sha256(PDF).hexdigest(),
        cta_kind="soft",
        active=True,
        created_at=NOW,
        updated_at=NOW,
        downloads=0,
    )


def test_slugs_are_made_unique_and_a_chosen_one_must_be_free(engine: Engine, lea: int) -> None:
    first = _create(engine)
    second = _create(engine)
    third = _create(engine, title="Ääkköset ja öljy", slug=None)
    assert (first.slug, second.slug, third.slug) == (
        "guide-halving-delivery-delays",
        "guide-halving-delivery-delays-2",
        "aakkoset-ja-oljy",
    )
    chosen = _create(engine, slug="delays-2026", cta_kind="hard")
    assert (chosen.slug, chosen.cta_kind) == ("delays-2026", "hard")
    with pytest.raises(MagnetInvalid) as taken:
        _create(engine, slug="delays-2026")
    assert (taken.value.field, taken.value.message) == (
        "slug",
        "another lead magnet has the slug 'delays-2026'",
    )
    with engine.connect() as connection:
        assert [m.slug for m in list_lead_magnets(connection)] == [
            "guide-halving-delivery-delays",
            "guide-halving-delivery-delays-2",
            "delays-2026",
            "aakkoset-ja-oljy",
        ]


@pytest.mark.parametrize(
    ("content", "file_name", "content_type"),
    [
        (PNG, "cover.png", "image/png"),
        (b"\xff\xd8\xff\xe0" + b"\x00" * 20, "cover.JPG", "image/jpeg"),
        (b"GIF89a" + b"\x00" * 20, "loop.gif", "image/gif"),
        (b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 20, "webinar.mp4", "video/mp4"),
        (b"\x1a\x45\xdf\xa3" + b"\x00" * 20, "demo.webm", "video/webm"),
        (b"ID3\x04" + b"\x00" * 20, "podcast.mp3", "audio/mpeg"),
        (b"\xff\xfb\x90\x64" + b"\x00" * 20, "episode.mp3", "audio/mpeg"),
        (ZIP, "benchmark.xlsx", OFFICE + "spreadsheetml.sheet"),
        (ZIP, "checklist.docx", OFFICE + "wordprocessingml.document"),
        (ZIP, "deck.pptx", OFFICE + "presentationml.presentation"),
        (ZIP, "book.epub", "application/epub+zip"),
        (ZIP, "templates.zip", "application/zip"),
        ("Kustannukset,€\n1,2\n".encode(), "costs.csv", "text/csv; charset=utf-8"),
        (b"Read me first.\n", "notes.txt", "text/plain; charset=utf-8"),
    ],
)  # fmt: skip
def test_the_kind_is_read_from_the_content(
    engine: Engine, lea: int, content: bytes, file_name: str, content_type: str
) -> None:
    magnet = _create(engine, content=content, file_name=file_name)
    assert (magnet.content_type, magnet.file_name, magnet.size_bytes) == (
        content_type,
        file_name,
        len(content),
    )


@pytest.mark.parametrize(
    ("content", "file_name", "field", "message"),
    [
        (b"", "empty.pdf", "file", "the file is empty"),
        (PNG, "guide.pdf", "file", "the name ends in .pdf but the content is a PNG picture "
                                   "(name it .png or upload the file you meant)"),
        (PDF, "guide", "file", "the name has no extension but the content is a PDF document"),
        (b"<!doctype html><script>alert(1)</script>", "page.txt", "file",
         "the content is not a kind of file offered for download; upload one of .pdf, .docx"),
        (b"<svg xmlns='http://www.w3.org/2000/svg'/>", "logo.svg", "file",
         "the content is not a kind of file offered for download"),
        (b"MZ\x90\x00\x03", "setup.exe", "file", "the content is not a kind of file offered"),
        (b"\xff\xfe\x00t\x00e", "notes.txt", "file", "the content is not a kind of file offered"),
        (PDF, "../..", "file", "the file has no name"),
    ],
)  # fmt: skip
def test_files_that_cannot_be_offered_are_refused_naming_why(
    engine: Engine, lea: int, content: bytes, file_name: str, field: str, message: str
) -> None:
    with pytest.raises(MagnetInvalid) as refused:
        _create(engine, content=content, file_name=file_name)
    assert refused.value.field == field
    assert refused.value.message.startswith(message)


def test_a_file_over_the_limit_is_refused(engine: Engine, lea: int) -> None:
    with pytest.raises(MagnetInvalid, match="file: the file is larger than 25 MB"):
        _create(engine, content=PDF + b"\x00" * MAX_FILE_BYTES)


@pytest.mark.parametrize(
    ("given", "field", "message"),
    [
        ({"title": "   "}, "title", "give the lead magnet a title"),
        ({"title": "t" * 301}, "title", "must be at most 300 characters long"),
        ({"description": "d" * 2001}, "description", "must be at most 2000 characters long"),
        ({"cta_kind": "medium"}, "cta_kind", "must be soft (a download) or hard"),
        ({"slug": "Guide 1"}, "slug", "use 1–100 lower-case letters, digits and hyphens"),
        ({"slug": "guide-"}, "slug", "use 1–100 lower-case letters"),
    ],
)
def test_bad_fields_are_named(
    engine: Engine, lea: int, given: dict[str, Any], field: str, message: str
) -> None:
    with pytest.raises(MagnetInvalid) as refused:
        _create(engine, **given)
    assert refused.value.field == field
    assert refused.value.message.startswith(message)


def test_file_names_are_cleaned_for_the_download() -> None:
    assert clean_file_name('C:\\Users\\mia\\Guide "2026".pdf') == "Guide '2026'.pdf"
    assert clean_file_name("folder/ops\x00\x1f guide.pdf") == "ops guide.pdf"
    assert clean_file_name("a" * 300 + ".pdf") == "a" * 251 + ".pdf"


def test_words_cta_and_status_change_but_the_slug_stays(engine: Engine, lea: int) -> None:
    magnet = _create(engine, description="Old words")
    later = NOW + timedelta(days=3)
    with engine.begin() as connection:
        changed = update_lead_magnet(
            connection,
            magnet.id,
            title="Guide: delivery delays, 2nd edition",
            description="",
            cta_kind="hard",
            content=PNG,
            file_name="cover.png",
            now=later,
        )
        switched_off = update_lead_magnet(connection, magnet.id, active=False, now=later)
        with pytest.raises(LookupError, match="there is no lead magnet 999"):
            update_lead_magnet(connection, 999, title="x", now=later)
    assert (changed.slug, changed.title, changed.description, changed.cta_kind) == (
        "guide-halving-delivery-delays",
        "Guide: delivery delays, 2nd edition",
        None,
        "hard",
    )
    assert (changed.file_name, changed.content_type, changed.sha256, changed.updated_at) == (
        "cover.png",
        "image/png",
        hashlib.sha256(PNG).hexdigest(),
        later,
    )
    assert (switched_off.active, switched_off.title) == (False, changed.title)
    with engine.connect() as connection:
        assert list_lead_magnets(connection, active_only=True) == []
        assert get_lead_magnet(connection, 999) is None


def _download_events(engine: Engine) -> list[tuple[Any, ...]]:
    e = events.c
    query = select(e.type, e.contact_id, e.occurred_at, e.idempotency_key, e.properties)
    with engine.connect() as connection:
        return [tuple(row) for row in connection.execute(query.order_by(e.id))]


def _take(engine: Engine, token: str, now: datetime = NOW) -> Any:
    with engine.begin() as connection:
        return take_download(connection, token, signer=SIGNER, now=now)


def test_a_download_gives_the_file_and_records_a_scored_event(engine: Engine, lea: int) -> None:
    magnet = _create(engine)
    url = download_url(SIGNER, "https://app.seller.example/", magnet.id, lea, now=NOW)
    assert url.startswith("https://app.seller.example/capture/downloads/")
    token = url.rsplit("/", 1)[1]
    assert SIGNER.verify("download", token, now=NOW) == {"m": magnet.id, "c": lea}
    given = _take(engine, token, NOW + timedelta(hours=2))
    assert (given.content, given.recorded, given.magnet.file_name) == (
        PDF,
        True,
        "delivery-delays.pdf",
    )
    assert _download_events(engine) == [
        (
            "content_download",
            lea,
            NOW + timedelta(hours=2),
            f"content_download:{magnet.id}:{lea}:2026-03-02",
            {
                "lead_magnet": "guide-halving-delivery-delays",
                "content_id": "guide-halving-delivery-delays",
                "title": "Guide: Halving delivery delays!",
                "cta": "soft",
            },
        )
    ]
    with engine.connect() as connection:
        score = connection.execute(
            select(contact_scores.c.score).where(contact_scores.c.contact_id == lea)
        ).scalar_one()
        assert score == 7.0
        assert get_lead_magnet(connection, magnet.id).downloads == 1  # type: ignore[union-attr]


def test_the_download_event_is_recorded_once_per_person_magnet_and_day(
    engine: Engine, lea: int
) -> None:
    magnet = _create(engine)
    other = _create(engine, title="Benchmark 2026", cta_kind="hard")
    token = SIGNER.sign("download", {"m": magnet.id, "c": lea}, now=NOW)
    other_token = SIGNER.sign("download", {"m": other.id, "c": lea}, now=NOW)
    recorded = [
        _take(engine, token, NOW).recorded,
        _take(engine, token, NOW + timedelta(hours=14, minutes=59)).recorded,
        _take(engine, other_token, NOW + timedelta(hours=1)).recorded,
        _take(engine, token, NOW + timedelta(hours=15)).recorded,  # 00:00 the next day
    ]
    assert recorded == [True, False, True, True]
    assert [(row[3], row[4]["cta"]) for row in _download_events(engine)] == [
        (f"content_download:{magnet.id}:{lea}:2026-03-02", "soft"),
        (f"content_download:{other.id}:{lea}:2026-03-02", "hard"),
        (f"content_download:{magnet.id}:{lea}:2026-03-03", "soft"),
    ]
    with engine.connect() as connection:
        counts = {m.slug: m.downloads for m in list_lead_magnets(connection)}
    assert counts == {"guide-halving-delivery-delays": 2, "benchmark-2026": 1}


def test_forged_altered_and_expired_download_links_are_refused(engine: Engine, lea: int) -> None:
    magnet = _create(engine)
    token = SIGNER.sign("download", {"m": magnet.id, "c": lea}, now=NOW)
    forged = Signer("somebody else's key").sign("download", {"m": magnet.id, "c": lea}, now=NOW)
    _payload, stamp, signature = token.split(".")
    other_payload = SIGNER.sign("download", {"m": magnet.id, "c": lea + 1}, now=NOW).split(".")[0]
    altered = f"{other_payload}.{stamp}.{signature}"
    for bad in (forged, altered, token[:-1], "", SIGNER.sign("opt_in", {"s": 1}, now=NOW)):
        with pytest.raises(InvalidLink) as refused:
            _take(engine, bad)
        assert (refused.value.expired, str(refused.value)) == (
            False,
            "This link is not valid: it was altered or not made by us.",
        )
    with pytest.raises(InvalidLink) as expired:
        _take(engine, token, NOW + timedelta(days=7, seconds=1))
    assert expired.value.expired is True
    for wrong in ({"m": str(magnet.id), "c": lea}, {"m": magnet.id}, {"m": True, "c": lea}):
        with pytest.raises(InvalidLink):
            _take(engine, SIGNER.sign("download", wrong, now=NOW))
    assert _download_events(engine) == []


def test_a_switched_off_or_unknown_magnet_is_gone(engine: Engine, lea: int) -> None:
    magnet = _create(engine)
    with engine.begin() as connection:
        update_lead_magnet(connection, magnet.id, active=False, now=NOW)
    for magnet_id in (magnet.id, 999):
        token = SIGNER.sign("download", {"m": magnet_id, "c": lea}, now=NOW)
        with pytest.raises(MagnetGone, match=r"This download is no longer offered\."):
            _take(engine, token)
    assert _download_events(engine) == []


def test_a_person_erased_since_gets_the_file_and_nothing_is_recorded(
    engine: Engine, lea: int
) -> None:
    magnet = _create(engine)
    token = SIGNER.sign("download", {"m": magnet.id, "c": lea + 100}, now=NOW)
    given = _take(engine, token)
    assert (given.content, given.recorded) == (PDF, False)
    assert _download_events(engine) == []
