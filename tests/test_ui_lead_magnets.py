"""The lead magnet pages: list with downloads, upload form with CSRF, edit, switch off."""

from __future__ import annotations

import html
import re
from typing import Any

import pytest
from fastapi import FastAPI
from sqlalchemy import Engine

from silverplatter.services.ingest import ingest_events
from silverplatter.services.lead_magnets import take_download
from silverplatter.services.signing import signer_for
from silverplatter.web.ui.lead_magnets import size_of
from web_world import NOW, SignedIn, seed_users, signed_in, web_app

PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


@pytest.fixture
def application(engine: Engine, database_url: str) -> FastAPI:
    seed_users(engine)
    return web_app(engine, database_url)


def _text(page: str) -> str:
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page)).strip())


def _upload(
    client: SignedIn,
    content: bytes = PDF,
    name: str = "delays.pdf",
    csrf: str | None = None,
    **fields: str,
) -> Any:
    data = {"csrf_token": client.csrf if csrf is None else csrf, "title": "Delivery delays"}
    return client.post(
        "/lead-magnets",
        files={"file": (name, content, "application/octet-stream")},
        data=data | fields,
        headers={"Accept": "text/html"},
        follow_redirects=False,
    )


def test_the_page_lists_nothing_yet_and_offers_the_upload_form(application: FastAPI) -> None:
    client = signed_in(application, "marketing")
    page = client.get("/lead-magnets")
    assert page.status_code == 200
    assert "No lead magnets yet." in page.text
    assert 'enctype="multipart/form-data"' in page.text
    assert f'name="csrf_token" value="{client.csrf}"' in page.text
    for label in ('for="magnet-file"', 'for="magnet-title"', 'for="magnet-slug"'):
        assert label in page.text
    assert 'class="capture-nav"' in page.text
    assert '<a href="/lead-magnets" aria-current="page">Lead magnets</a>' in page.text
    assert "style=" not in page.text and "<script>" not in page.text


def test_an_upload_leads_to_the_magnet_page(application: FastAPI) -> None:
    client = signed_in(application, "marketing")
    posted = _upload(client, description="Twelve pages.", cta_kind="hard")
    assert posted.status_code == 303
    target = posted.headers["location"]
    assert re.fullmatch(r"/lead-magnets/\d+\?done=created", target)
    text = _text(client.get(target).text)
    assert "Lead magnet created. Choose it in a form to offer it." in text
    assert "Slug delivery-delays File delays.pdf · application/pdf · 35 bytes" in text
    assert "Call to action hard Downloads 0 Status offered" in text
    listing = _text(client.get("/lead-magnets").text)
    assert "Delivery delays delivery-delays delays.pdf 35 bytes hard 0 offered" in listing
    magnet_id = target.split("/")[2].split("?")[0]
    download = client.get(f"/lead-magnets/{magnet_id}/file")
    assert (download.status_code, download.content) == (200, PDF)
    assert download.headers["content-disposition"].startswith('attachment; filename="delays.pdf"')


def test_a_file_that_cannot_be_offered_comes_back_on_the_form(application: FastAPI) -> None:
    client = signed_in(application, "marketing")
    posted = _upload(client, content=PNG, name="guide.pdf", title="Guide")
    assert posted.status_code == 422
    text = _text(posted.text)
    assert (
        "The lead magnet was not created: File: the name ends in .pdf but the content is a PNG "
        "picture (name it .png or upload the file you meant)"
    ) in text
    assert 'value="Guide"' in posted.text
    assert 'aria-invalid="true" aria-describedby="magnet-file-error"' in posted.text
    missing = client.post(
        "/lead-magnets",
        data={"csrf_token": client.csrf, "title": "No file"},
        headers={"Accept": "text/html"},
    )
    assert missing.status_code == 422
    assert "File: choose the file people will download" in _text(missing.text)


def test_an_upload_without_the_csrf_token_is_refused(application: FastAPI) -> None:
    client = signed_in(application, "marketing")
    refused = _upload(client, csrf="forged")
    assert refused.status_code == 403
    assert "No lead magnets yet." in client.get("/lead-magnets").text


def test_editing_and_switching_off(application: FastAPI) -> None:
    client = signed_in(application, "admin")
    target = _upload(client).headers["location"].split("?")[0]
    saved = client.post(
        target,
        data={
            "csrf_token": client.csrf,
            "title": "Delivery delays, 2nd edition",
            "description": "Now with a checklist.",
            "cta_kind": "hard",
        },
        follow_redirects=False,
    )
    assert (saved.status_code, saved.headers["location"]) == (303, f"{target}?done=saved")
    text = _text(client.get(f"{target}?done=saved").text)
    assert "Changes saved." in text
    assert "Delivery delays, 2nd edition" in text and "Now with a checklist." in text
    assert "Call to action hard" in text
    bad = client.post(
        target,
        data={"csrf_token": client.csrf, "title": " ", "cta_kind": "soft"},
        headers={"Accept": "text/html"},
    )
    assert bad.status_code == 422
    assert "Title: give the lead magnet a title" in _text(bad.text)
    off = client.post(
        f"{target}/active",
        data={"csrf_token": client.csrf, "active": "false"},
        follow_redirects=False,
    )
    assert off.headers["location"] == f"{target}?done=deactivated"
    assert "Status switched off" in _text(client.get(target).text)
    assert "switched off" in _text(client.get("/lead-magnets").text)


def test_the_list_counts_downloads(application: FastAPI, engine: Engine) -> None:
    client = signed_in(application, "marketing")
    target = _upload(client).headers["location"].split("?")[0]
    magnet_id = int(target.rsplit("/", 1)[1])
    with engine.begin() as connection:
        ingest_events(
            connection,
            [{"type": "form_submit", "email": f"p{n}@buyer.example", "occurred_at": NOW}
             for n in range(3)],
            now=NOW,
        )  # fmt: skip
        signer = signer_for(connection)
        for contact_id in (1, 2, 3, 3):
            token = signer.sign("download", {"m": magnet_id, "c": contact_id}, now=NOW)
            take_download(connection, token, signer=signer, now=NOW)
    assert "delays.pdf 35 bytes soft 3 offered" in _text(client.get("/lead-magnets").text)
    assert "Downloads 3" in _text(client.get(target).text)


def test_sales_may_not_see_the_pages_and_an_unknown_magnet_is_404(application: FastAPI) -> None:
    sales = signed_in(application, "sales")
    assert sales.get("/lead-magnets", headers={"Accept": "text/html"}).status_code == 403
    marketing = signed_in(application, "marketing")
    missing = marketing.get("/lead-magnets/99", headers={"Accept": "text/html"})
    assert missing.status_code == 404
    assert "there is no lead magnet 99" in missing.text
    assert marketing.get("/lead-magnets/99999999999").status_code == 422


@pytest.mark.parametrize(
    ("size", "shown"), [(35, "35 bytes"), (1023, "1023 bytes"), (245_760, "240 kB"),
                        (3_565_158, "3.4 MB")],
)  # fmt: skip
def test_sizes_are_shown_in_words(size: int, shown: str) -> None:
    assert size_of(size) == shown
