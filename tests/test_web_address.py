"""The path of a full web address, in Python and in the SQL of the recompute alike."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, String, bindparam, select

from silverplatter.domain.grading import glob_regex
from silverplatter.domain.web_address import address_path, url_forms
from silverplatter.storage.scoring_sql import address_path as address_path_sql
from silverplatter.storage.scoring_sql import url_match

PATHS = {
    "https://seller.example/pricing/enterprise?utm_source=nurture#plans": "/pricing/enterprise",
    "HTTP://Seller.example/Demo": "/Demo",
    "hTtPs://seller.example": "/",
    "https://seller.example/": "/",
    "https://seller.example?next=/pricing": "/",
    "https://seller.example#/pricing": "/",
    "https://seller.example/a#b?c": "/a",
    "https://seller.example/ä/ö?x": "/ä/ö",
    "http:///pricing": None,  # no host
    "https://": None,
    "https:/seller.example/pricing": None,
    "ftp://seller.example/pricing": None,
    "mailto:anna@nordtek.fi": None,
    "/pricing": None,
    "": None,
}


@pytest.mark.parametrize(("url", "path"), PATHS.items())
def test_the_path_of_an_address(url: str, path: str | None) -> None:
    assert address_path(url) == path


def test_a_pattern_meets_the_value_and_the_path() -> None:
    assert url_forms("https://seller.example/pricing?x=1") == (
        "https://seller.example/pricing?x=1",
        "/pricing",
    )
    assert url_forms("/pricing") == ("/pricing",)


def test_the_recompute_cuts_the_same_path(engine: Engine) -> None:
    with engine.connect() as connection:
        statement = select(address_path_sql(bindparam("url", type_=String), engine.dialect.name))
        found = {url: connection.execute(statement, {"url": url}).scalar() for url in PATHS}
    assert found == PATHS


#: (pattern, address) → whether a rule's ``url_matches`` meets it
MATCHES = {
    ("/pricing*", "https://seller.example/pricing/plans?utm_source=nurture"): True,
    ("/pricing*", "/pricing"): True,
    ("/pricing*", "https://seller.example/blog/pricing?next=/pricing"): False,
    ("/pricing*", "https://seller.example?next=/pricing"): False,
    ("/pricing*", "http:///pricing"): False,
    ("/pricing", "HTTPS://seller.example/pricing#plans"): True,
    ("/", "https://seller.example?utm_source=x"): True,
    ("/", "https://seller.example"): True,
    ("*", "https://seller.example"): True,
    ("/a.b(c)", "https://h/a.b(c)"): True,
    ("/a.b(c)", "https://h/axb(c)"): False,
    ("/a?c", "https://h/a#c"): False,  # "?" in a pattern is one character, not "#"
    ("/a?c", "/a#c"): True,
    ("/a#c", "https://h/a#c"): False,  # a path ends before "#"
    ("https://h/*", "https://h/a?x"): True,
    ("*/pricing", "https://h/x/pricing"): True,
}


def test_a_pattern_meets_the_same_addresses_in_the_recompute(engine: Engine) -> None:
    dialect = engine.dialect.name
    found = {}
    with engine.connect() as connection:
        for pattern, url in MATCHES:
            statement = select(url_match(bindparam("url", type_=String), pattern, dialect))
            found[pattern, url] = bool(connection.execute(statement, {"url": url}).scalar())
    assert found == MATCHES
    python = {
        (pattern, url): any(glob_regex(pattern).fullmatch(form) for form in url_forms(url))
        for pattern, url in MATCHES
    }
    assert python == MATCHES
