"""The pure rules of erasure: what counts as a mention, what a document keeps."""

from __future__ import annotations

import pytest

from silverplatter.domain.privacy import (
    Mentions,
    confirms_address,
    erased_address,
    is_erased_address,
    question_keys,
    redact_document,
    scrub_answers,
    scrub_document,
    strip_url,
)

ZELDA = Mentions.of(
    email="Zelda.Quimby@northwind.example",
    first_name="Zelda",
    last_name="Quimby",
    others=("+358 40 765 4321", None, ""),
)


def test_mentions_are_the_address_names_and_identifiers_longest_first() -> None:
    assert ZELDA.terms == (
        "zelda.quimby@northwind.example",
        "+358 40 765 4321",
        "Zelda Quimby",
        "Quimby",
        "Zelda",
    )
    assert Mentions.of(email=None, first_name="A", last_name="Li").terms == ("A Li", "Li")


@pytest.mark.parametrize(
    ("text", "redacted"),
    [
        ("Met zelda quimby today", "Met [erased] today"),
        ("Mail ZELDA.QUIMBY@northwind.example now", "Mail [erased] now"),
        ("Zelda's team; Quimby-Smith", "[erased]'s team; [erased]-Smith"),
        ("Zeldas and Quimbys stay", "Zeldas and Quimbys stay"),
        ("call +358 40 765 4321", "call [erased]"),
    ],
)
def test_names_are_whole_words_any_case(text: str, redacted: str) -> None:
    assert ZELDA.redact(text) == redacted
    assert ZELDA.found_in(text) is (text != redacted)


def test_nobody_mentions_nothing() -> None:
    nobody = Mentions(())
    assert nobody.redact("Zelda") == "Zelda"
    assert nobody.found_in("Zelda") is False
    assert nobody.redact_optional(None) is None


@pytest.mark.parametrize(
    ("url", "kept"),
    [
        (
            "https://a.example/p?utm_source=x&email=z%40y.fi#frag",
            "https://a.example/p?utm_source=x",
        ),
        ("https://user:pw@a.example:8443/p?id=1", "https://a.example:8443/p"),
        ("/pricing?ref=zelda", "/pricing"),
        ("not a url?x=1", "not a url?x=1"),
        ("", ""),
    ],
)
def test_urls_keep_only_campaign_tags(url: str, kept: str) -> None:
    assert strip_url(url) == kept


def test_a_document_loses_personal_keys_and_texts_naming_the_person() -> None:
    document = {
        "Email": "x@y.example",
        "First-Name": "Zelda",
        "form": "erp-guide",
        "points": 3,
        "consented": True,
        "notes": "free text",
        "nested": {"phone": "1", "topic": "ERP", "who": "Zelda Quimby", "empty": None},
        "tags": ["erp", "sent to someone@else.example", "Quimby"],
    }
    assert scrub_document(document, ZELDA) == {
        "form": "erp-guide",
        "points": 3,
        "consented": True,
        "nested": {"topic": "ERP", "empty": None},
        "tags": ["erp"],
    }
    assert redact_document({"a": ["Zelda", 1], "b": "ok"}, ZELDA) == {
        "a": ["[erased]", 1],
        "b": "ok",
    }


def test_form_answers_keep_only_the_questions() -> None:
    questions = [{"key": "responsibility"}, {"name": "situation"}, {"id": 3}, "Topic", 7]
    assert question_keys(questions) == ["responsibility", "situation", "Topic"]
    assert question_keys({"key": "x"}) == []
    answers = {
        "email": "zelda.quimby@northwind.example",
        "company": "Northwind",
        "responsibility": "IT",
        "topic": ["ERP", "Zelda"],
        "questions": {"situation": "Evaluating", "comment": "call me"},
    }
    assert scrub_answers(answers, question_keys(questions), ZELDA) == {
        "responsibility": "IT",
        "topic": ["ERP"],
        "questions": {"situation": "Evaluating"},
    }
    assert scrub_answers("not answers", [], ZELDA) == {}


def test_the_tombstone_address_and_the_confirmation() -> None:
    assert erased_address(42) == "erased-42@erased.invalid"
    assert is_erased_address("ERASED-42@Erased.Invalid")
    assert not is_erased_address("zelda@northwind.example")
    assert confirms_address("  Zelda.Quimby@NorthWind.example ", "zelda.quimby@northwind.example")
    assert not confirms_address("zelda@northwind.example", "zelda.quimby@northwind.example")


def test_a_tracked_page_view_keeps_its_page_and_campaign_only() -> None:
    view = {
        "url": "/pricing",
        "address": "https://seller.example/pricing?utm_source=news&gclid=abc&sp_c=token#top",
        "title": "Pricing for Zelda",
        "referrer": "https://mail.example/inbox?user=zelda.quimby@northwind.example",
        "landing": "https://seller.example/?utm_medium=cpc&id=42",
        "utm": {"utm_source": "news"},
        "click_id": {"gclid": "abc"},
    }
    assert scrub_document(view, ZELDA) == {
        "url": "/pricing",
        "address": "https://seller.example/pricing?utm_source=news",
        "referrer": "https://mail.example/inbox",
        "landing": "https://seller.example/?utm_medium=cpc",
        "utm": {"utm_source": "news"},
    }
