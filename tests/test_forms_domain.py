"""Form definitions and submissions: what is accepted, and the exact errors for what is not."""

from __future__ import annotations

from typing import Any

import pytest

from silverplatter.domain.forms import (
    FieldError,
    FormDefinition,
    FormField,
    InvalidForm,
    InvalidSubmission,
    Question,
    check_definition,
    check_submission,
    is_robot,
    normalise_origin,
    origin_allowed,
)
from silverplatter.domain.identity import InvalidValue
from silverplatter.domain.properties import PropertyDefinition

PROPERTIES = {
    "topics": PropertyDefinition(
        "contact", "topics", "Topics", "choice", ("ERP", "CRM", "BI"), multiple=True
    ),
    "budget_owner": PropertyDefinition("contact", "budget_owner", "Budget owner", "boolean"),
    "team_size": PropertyDefinition("contact", "team_size", "Team size", "number"),
    "role_note": PropertyDefinition("contact", "role_note", "Role note", "text"),
    "situation": PropertyDefinition(
        "contact", "situation", "Situation", "choice", ("Looking", "Not looking")
    ),
}


def _raw(**changes: Any) -> dict[str, Any]:
    raw: dict[str, Any] = {
        "slug": "newsletter",
        "name": "Newsletter",
        "fields": [
            {"name": "email", "required": True},
            {"name": "first_name", "label": "Your first name"},
            {"name": "company", "required": True},
            {"name": "country"},
            {"name": "team_size"},
        ],
        "questions": [
            {
                "key": "topics_of_interest",
                "label": "What interests you?",
                "choices": ["ERP", "BI"],
                "multiple": True,
                "property": "topics",
            },
            {
                "key": "current_situation",
                "label": "Where are you now?",
                "choices": ["Looking", "Not looking"],
                "required": True,
            },
        ],
        "consent_wording": "Yes, email me guides and offers. I can unsubscribe at any time.",
        "cta_kind": "soft",
        "allowed_origins": ["https://www.Buyer.example:443/", "http://localhost:8080"],
    }
    raw.update(changes)
    return raw


def _errors(raw: dict[str, Any]) -> list[tuple[str, str]]:
    with pytest.raises(InvalidForm) as caught:
        check_definition(raw, PROPERTIES)
    return [(error.field, error.message) for error in caught.value.errors]


def test_a_definition_is_normalised_and_typed() -> None:
    form = check_definition(_raw(), PROPERTIES)
    assert form.slug == "newsletter"
    assert form.fields == (
        FormField("email", "E-mail", True, "email"),
        FormField("first_name", "Your first name", False, "text"),
        FormField("company", "Company", True, "text"),
        FormField("country", "Country", False, "country"),
        FormField("team_size", "Team size", False, "number", property=True),
    )
    assert form.questions == (
        Question("topics_of_interest", "What interests you?", ("ERP", "BI"), True, False, "topics"),
        Question(
            "current_situation", "Where are you now?", ("Looking", "Not looking"), False, True
        ),
    )
    assert form.allowed_origins == ("https://www.buyer.example", "http://localhost:8080")
    assert form.double_opt_in is True and form.active is True and form.lead_magnet is None
    assert form.thanks == (
        "Thank you! Please check your inbox and click the link to confirm your address."
    )


def test_a_definition_survives_its_own_document() -> None:
    form = check_definition(_raw(), PROPERTIES)
    document = form.document()
    assert document["fields"][4] == {
        "name": "team_size",
        "label": "Team size",
        "required": False,
        "type": "number",
        "property": True,
    }
    assert check_definition(document, PROPERTIES) == form


def test_every_bad_setting_is_named_with_what_was_expected() -> None:
    raw = _raw(
        slug="News Letter",
        name="",
        fields=[{"name": "email", "required": False}, {"name": "shoe_size"}, {"name": "email"}],
        questions=[
            {"key": "Topics", "label": "x", "choices": ["a", "b"]},
            {"key": "situation2", "label": "Where?", "choices": ["only"]},
        ],
        cta_kind="medium",
        allowed_origins=["https://example.com/path", "ftp://example.com", "example.com"],
        consent_wording="  ",
        colour="blue",
    )
    assert _errors(raw) == [
        ("colour", "unknown setting; expected one of slug, name, fields, questions, "
                   "consent_wording, cta_kind, lead_magnet, double_opt_in, allowed_origins, "
                   "success_message, active"),
        ("slug", "expected 1–100 lowercase letters, digits, hyphens or underscores, such as "
                 "newsletter or request-a-meeting, got 'News Letter'"),
        ("name", "is required: give a name of up to 200 characters"),
        ("fields[0].required", "the e-mail address is always required"),
        ("fields[1].name", "'shoe_size' is neither a standard field (email, first_name, "
                           "last_name, title, department, company, phone, country) nor a "
                           "contact property; define the property first"),
        ("fields[2].name", "email is already a field of this form"),
        ("questions[0].key", "expected a snake_case word such as responsibilities or "
                             "topics_of_interest"),
        ("questions[1].choices", "give 2 to 12 choices, got 1"),
        ("consent_wording", "is required: give the consent wording people agree to of up to "
                            "2000 characters"),
        ("cta_kind", "expected soft (a guide, a newsletter) or hard (a request for contact, "
                     "a meeting or a quote), got 'medium'"),
        ("allowed_origins[0]", "expected an origin such as https://www.example.com or "
                               "http://localhost:8080 (no path, query or user), got "
                               "'https://example.com/path'"),
        ("allowed_origins[1]", "expected an origin such as https://www.example.com or "
                               "http://localhost:8080, got 'ftp://example.com'"),
        ("allowed_origins[2]", "expected an origin such as https://www.example.com or "
                               "http://localhost:8080, got 'example.com'"),
    ]  # fmt: skip


def test_a_form_must_ask_for_the_email_address() -> None:
    assert _errors(_raw(fields=[{"name": "first_name"}])) == [
        ("fields", "must include email: a form collects an e-mail address")
    ]


def test_at_most_five_questions() -> None:
    question = {"label": "Q", "choices": ["a", "b"]}
    questions = [{**question, "key": f"q{n}"} for n in range(6)]
    assert _errors(_raw(questions=questions)) == [("questions", "at most 5 questions, got 6")]


def test_answers_are_kept_only_in_a_fitting_choice_property() -> None:
    def question(**settings: Any) -> dict[str, Any]:
        return {"key": "q", "label": "Q", "choices": ["ERP", "HR"], **settings}

    assert _errors(_raw(questions=[question(property="role_note")])) == [
        ("questions[0].property", "role_note is a text property; answers are kept in a choice "
                                  "property")
    ]  # fmt: skip
    assert _errors(_raw(questions=[question(property="topics")])) == [
        ("questions[0].choices", "'HR' is not a choice of property topics (ERP, CRM, BI)")
    ]
    several = question(property="situation", choices=["Looking", "Not looking"], multiple=True)
    assert _errors(_raw(questions=[several])) == [
        ("questions[0].property", "situation holds one answer; the question allows several")
    ]
    assert _errors(_raw(questions=[question(property="nothing")])) == [
        ("questions[0].property", "there is no contact property 'nothing'")
    ]
    # a property a field already fills cannot also take a question's answer
    assert _errors(
        _raw(
            fields=[{"name": "email", "required": True}, {"name": "topics"}],
            questions=[question(property="topics", choices=["ERP", "BI"], multiple=True)],
        )
    ) == [("questions[0].property", "topics is already filled by another field or question")]


def test_reserved_names_and_clashing_keys_are_refused() -> None:
    raw = _raw(
        fields=[{"name": "email", "required": True}, {"name": "website"}],
        questions=[
            {"key": "consent", "label": "Q", "choices": ["a", "b"]},
            {"key": "title", "label": "Q", "choices": ["a", "b"]},
        ],
    )
    assert _errors(raw) == [
        ("fields[1].name", "'website' is reserved for the form itself"),
        ("questions[0].key", "'consent' is taken by the form itself or a standard field"),
        ("questions[1].key", "'title' is taken by the form itself or a standard field"),
    ]


@pytest.mark.parametrize(
    ("raw", "origin"),
    [
        ("https://Example.COM", "https://example.com"),
        ("https://example.com:443/", "https://example.com"),
        ("http://example.com:80", "http://example.com"),
        ("http://127.0.0.1:8765", "http://127.0.0.1:8765"),
        ("https://bücher.example", "https://xn--bcher-kva.example"),
        ("http://[::1]:3000", "http://[::1]:3000"),
    ],
)
def test_origins_are_written_as_a_browser_sends_them(raw: str, origin: str) -> None:
    assert normalise_origin(raw) == origin


@pytest.mark.parametrize(
    "raw", ["", "example.com", "https://user@example.com", "https://example.com?x=1", "https://:80"]
)
def test_not_an_origin(raw: str) -> None:
    with pytest.raises(InvalidValue):
        normalise_origin(raw)


def test_origin_allowed() -> None:
    allowed = ("https://www.buyer.example", "http://localhost:8080")
    assert origin_allowed("https://www.buyer.example", allowed)
    assert origin_allowed("http://localhost:8080", allowed)
    assert not origin_allowed("http://localhost:8081", allowed)
    assert not origin_allowed("null", allowed)
    assert not origin_allowed(None, allowed)


# -- submissions ------------------------------------------------------------


def _form(**changes: Any) -> FormDefinition:
    return check_definition(_raw(**changes), PROPERTIES)


def test_a_good_submission_becomes_contact_fields_and_answers() -> None:
    accepted = check_submission(
        _form(),
        {
            "email": " Lea.Laine@Buyer.EXAMPLE ",
            "first_name": "Lea",
            "company": "Buyer Oy",
            "country": "Finland",
            "team_size": "12",
            "topics_of_interest": ["bi", "ERP"],
            "current_situation": "looking",
            "consent": "on",
            "unknown": "ignored",
        },
    )
    assert accepted.email == "Lea.Laine@buyer.example"
    assert accepted.contact == {
        "first_name": "Lea",
        "account_name": "Buyer Oy",
        "country": "FI",
        "custom": {"team_size": 12, "topics": ["BI", "ERP"]},
    }
    assert accepted.answers == {"topics_of_interest": ["BI", "ERP"], "current_situation": "Looking"}


def test_every_bad_answer_gets_an_inline_error() -> None:
    with pytest.raises(InvalidSubmission) as caught:
        check_submission(
            _form(),
            {
                "email": "lea@",
                "first_name": "x" * 101,
                "country": "Atlantis",
                "team_size": "a dozen",
                "topics_of_interest": ["ERP", "HR"],
                "consent": "",
            },
        )
    assert caught.value.errors == [
        FieldError("email", "enter a valid e-mail address, such as name@company.com"),
        FieldError("first_name", "Your first name must be at most 100 characters"),
        FieldError("company", "Company is required"),
        FieldError("country", "enter a country name or its two-letter code, such as Finland or FI"),
        FieldError("team_size", "expected a number, got 'a dozen'"),
        FieldError(
            "topics_of_interest", "'HR' is not an answer to this question; choose from ERP, BI"
        ),
        FieldError("current_situation", "choose an answer"),
        FieldError("consent", "tick the box to agree before sending the form"),
    ]


def test_one_answer_to_a_single_choice_question_and_one_value_per_field() -> None:
    with pytest.raises(InvalidSubmission) as caught:
        check_submission(
            _form(),
            {
                "email": ["a@b.example", "c@d.example"],
                "company": "Buyer",
                "current_situation": ["Looking", "Not looking"],
                "consent": True,
            },
        )
    assert caught.value.errors == [
        FieldError("email", "give one E-mail, not 2"),
        FieldError("current_situation", "choose one answer"),
    ]


def test_phone_numbers_and_single_choice_answers_in_properties() -> None:
    form = _form(
        fields=[{"name": "email", "required": True}, {"name": "phone", "required": True}],
        questions=[
            {
                "key": "current_situation",
                "label": "Where are you?",
                "choices": ["Looking", "Not looking"],
                "property": "situation",
            }
        ],
    )
    with pytest.raises(InvalidSubmission) as caught:
        check_submission(form, {"email": "a@b.example", "phone": "call me", "consent": "yes"})
    assert caught.value.errors == [
        FieldError("phone", "enter a phone number with digits, spaces and + ( ) - only")
    ]
    accepted = check_submission(
        form,
        {
            "email": "a@b.example",
            "phone": "+358 40 123 4567",
            "current_situation": "Not looking",
            "consent": "true",
        },
    )
    assert accepted.contact == {"phone": "+358 40 123 4567", "custom": {"situation": "Not looking"}}


def test_the_honeypot_marks_a_robot() -> None:
    assert is_robot({"website": "http://spam.example"})
    assert is_robot({"website": ["", "x"]})
    assert not is_robot({"website": "  "})
    assert not is_robot({"email": "a@b.example"})
