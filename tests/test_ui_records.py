"""The contact and account lists as pages: filters, sorting, pager, scope, escaping."""

from __future__ import annotations

import html
import re

from sqlalchemy import Engine, update

from records_world import build
from silverplatter.storage.schema import contacts
from web_world import signed_in, web_app


def test_contact_list_filters_sorts_and_pages(engine: Engine, database_url: str) -> None:
    ids = build(engine)
    client = signed_in(web_app(engine, database_url), "marketing")
    page = client.get("/contacts", params={"sort": "score", "limit": 4})
    assert page.status_code == 200
    text = page.text
    order = re.findall(r'<a href="/contacts/\d+">([^<]+)</a>', text)
    assert order == ["Anna Virtanen", "Erik Lind", "Sara Berg", "Pekka Korhonen"]
    assert f'<a href="/accounts/{ids["nordtek.fi"]}">Nordtek Oy</a>' in text
    assert '<span class="tier tier-gold">Gold</span>' in text
    for label in ('for="f-q"', 'for="f-stage"', 'for="f-grade"', 'for="f-consent"'):
        assert label in text
    assert 'aria-sort="descending"' in text and "records.css" in text
    following = re.search(r'href="([^"]+)" rel="next">Next page →', text)
    assert following is not None
    rest = client.get(html.unescape(following.group(1))).text
    assert re.findall(r'<a href="/contacts/\d+">([^<]+)</a>', rest) == [
        "lone@example.com",
        "Ola Nordmann",
    ]
    assert "Next page" not in rest
    filtered = client.get("/contacts", params={"grade": "B", "country": "FI", "q": "nordtek"}).text
    assert re.findall(r'<a href="/contacts/\d+">([^<]+)</a>', filtered) == [
        "Pekka Korhonen",
        "Anna Virtanen",
    ]
    # the ids are in links only, never shown as text
    assert not re.search(rf">\s*{ids['anna@nordtek.fi']}\s*<", text)


def test_htmx_gets_only_the_table(engine: Engine, database_url: str) -> None:
    build(engine)
    client = signed_in(web_app(engine, database_url), "admin")
    partial = client.get("/accounts", params={"tier": "gold"}, headers={"HX-Request": "true"})
    assert partial.status_code == 200
    assert "<html" not in partial.text and "<table" in partial.text
    assert re.findall(r'<a href="/accounts/\d+">([^<]+)</a>', partial.text) == ["Nordtek Oy"]


def test_sales_sees_only_its_records_in_the_lists(engine: Engine, database_url: str) -> None:
    build(engine)
    client = signed_in(web_app(engine, database_url), "sales")
    people = re.findall(r'<a href="/contacts/\d+">([^<]+)</a>', client.get("/contacts").text)
    assert people == ["Pekka Korhonen", "Erik Lind", "Anna Virtanen"]
    accounts = re.findall(r'<a href="/accounts/\d+">([^<]+)</a>', client.get("/accounts").text)
    assert accounts == ["Nordtek Oy"]


def test_a_script_in_a_name_renders_inert(engine: Engine, database_url: str) -> None:
    ids = build(engine)
    with engine.begin() as connection:
        connection.execute(
            update(contacts)
            .where(contacts.c.id == ids["lone@example.com"])
            .values(first_name="<script>alert(1)</script>")
        )
    client = signed_in(web_app(engine, database_url), "admin")
    text = client.get("/contacts", params={"q": "<script>"}).text
    assert "<script>alert(1)</script>" not in text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text
    assert 'value="&lt;script&gt;"' in text


def test_bad_filters_answer_422_naming_the_field(engine: Engine, database_url: str) -> None:
    build(engine)
    client = signed_in(web_app(engine, database_url), "admin")
    page = client.get("/contacts", params={"sort": "' OR 1=1 --"}, headers={"Accept": "text/html"})
    assert page.status_code == 422 and "sort" in page.text
    blank = client.get("/contacts", params={"q": "", "stage": "", "sort": "", "min_score": ""})
    assert blank.status_code == 200
    assert len(re.findall(r'<a href="/contacts/\d+">', blank.text)) == 6
