"""The public download link over HTTP: the file as an attachment, or a page telling why not."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select

from silverplatter.domain.records import ContactFields
from silverplatter.services.lead_magnets import create_lead_magnet, update_lead_magnet
from silverplatter.services.records import upsert_contacts
from silverplatter.services.signing import Signer, signer_for
from silverplatter.services.workspace import init_workspace
from silverplatter.storage.schema import contacts, events
from silverplatter.web.capture.downloads import attachment
from web_world import NOW, Clock, web_app

PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj <<>> endobj\n%%EOF\n"


@pytest.fixture
def world(engine: Engine, database_url: str) -> tuple[FastAPI, Clock, Signer, int, int]:
    init_workspace(engine, name="Seller Oy", now=NOW)
    with engine.begin() as connection:
        upsert_contacts(connection, [ContactFields(email="lea@buyer.example")], now=NOW)
        lea = int(connection.execute(select(contacts.c.id)).scalar_one())
        magnet = create_lead_magnet(
            connection,
            title="Toimitusajat puoliksi",
            content=PDF,
            file_name="Toimitusajat – opas.pdf",
            now=NOW,
        )
        signer = signer_for(connection)
    clock = Clock()
    return web_app(engine, database_url, clock), clock, signer, lea, magnet.id


def _downloads(engine: Engine) -> int:
    with engine.connect() as connection:
        query = select(func.count()).where(events.c.type == "content_download")
        return int(connection.execute(query).scalar_one())


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()


def test_a_good_link_answers_with_the_file_as_an_attachment(
    engine: Engine, world: tuple[FastAPI, Clock, Signer, int, int]
) -> None:
    application, clock, signer, lea, magnet_id = world
    token = signer.sign("download", {"m": magnet_id, "c": lea}, now=NOW)
    client = TestClient(application, base_url="http://127.0.0.1")
    clock.advance(days=6)
    answer = client.get(f"/capture/downloads/{token}")
    assert answer.status_code == 200
    assert answer.content == PDF
    assert answer.headers["content-type"] == "application/pdf"
    assert answer.headers["content-disposition"] == (
        'attachment; filename="Toimitusajat _ opas.pdf"; '
        "filename*=UTF-8''Toimitusajat%20%E2%80%93%20opas.pdf"
    )
    assert answer.headers["x-content-type-options"] == "nosniff"
    assert answer.headers["cache-control"] == "private, no-store"
    assert client.get(f"/capture/downloads/{token}").content == PDF
    assert _downloads(engine) == 1


@pytest.mark.parametrize(
    ("case", "status", "opening"),
    [
        ("forged", 400, "Download link not valid This download link is not valid This link is "
                        "not valid: it was altered or not made by us. Open the link exactly"),
        ("altered", 400, "Download link not valid This download link is not valid"),
        ("expired", 410, "Download link expired This download link has expired This link has "
                         "expired; ask for a new one. Download links work for 7 days."),
        ("withdrawn", 410, "Download no longer offered This download is no longer offered The "
                           "material behind this link has been withdrawn."),
    ],
)  # fmt: skip
def test_a_link_that_cannot_be_honoured_says_what_to_do(
    engine: Engine,
    world: tuple[FastAPI, Clock, Signer, int, int],
    case: str,
    status: int,
    opening: str,
) -> None:
    application, clock, signer, lea, magnet_id = world
    token = signer.sign("download", {"m": magnet_id, "c": lea}, now=NOW)
    if case == "forged":
        token = Signer("a key that is not ours").sign(
            "download", {"m": magnet_id, "c": lea}, now=NOW
        )
    elif case == "altered":
        payload, stamp, signature = token.split(".")
        token = f"{payload}.{stamp}.{signature[::-1]}"
    elif case == "expired":
        clock.advance(days=7, seconds=1)
    else:
        with engine.begin() as connection:
            update_lead_magnet(connection, magnet_id, active=False, now=NOW)
    client = TestClient(application, base_url="http://127.0.0.1")
    answer = client.get(f"/capture/downloads/{token}", headers={"Accept": "text/html"})
    assert answer.status_code == status
    assert answer.headers["content-type"].startswith("text/html")
    assert _text(answer.text).startswith(opening)
    assert _downloads(engine) == 0


def test_an_absurdly_long_token_is_refused_before_it_is_read(
    world: tuple[FastAPI, Clock, Signer, int, int],
) -> None:
    application = world[0]
    client = TestClient(application, base_url="http://127.0.0.1")
    answer = client.get("/capture/downloads/" + "a" * 1001)
    assert answer.status_code == 422


def test_the_attachment_header_keeps_quotes_out_of_the_plain_name() -> None:
    assert attachment('a"b\\c.pdf') == (
        "attachment; filename=\"a_b_c.pdf\"; filename*=UTF-8''a%22b%5Cc.pdf"
    )


def test_a_download_a_day_later_counts_again(
    engine: Engine, world: tuple[FastAPI, Clock, Signer, int, int]
) -> None:
    application, clock, signer, lea, magnet_id = world
    token = signer.sign("download", {"m": magnet_id, "c": lea}, now=NOW)
    client = TestClient(application, base_url="http://127.0.0.1")
    client.get(f"/capture/downloads/{token}")
    clock.advance(days=1)
    client.get(f"/capture/downloads/{token}")
    clock.now = NOW + timedelta(days=1, hours=3)
    client.get(f"/capture/downloads/{token}")
    assert _downloads(engine) == 2
