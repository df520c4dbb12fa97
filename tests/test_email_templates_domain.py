"""Templates in the sandbox: probes render nothing, mistakes name their line, fallbacks,
variants, plain text from HTML, link rewriting and the message bytes."""

from __future__ import annotations

from datetime import UTC, datetime
from email import message_from_bytes, policy

import pytest

from silverplatter.domain.email_templates import (
    MailTemplate,
    Rendered,
    RenderFailed,
    Variant,
    check_template,
    choose_variant,
    personalisation,
    rewrite_links,
    trial_render,
)
from silverplatter.domain.mail_message import (
    BadHeader,
    dot_stuffed,
    message_bytes,
    message_id_for,
)
from silverplatter.domain.plain_text import html_to_text

LEA = personalisation(
    {"first_name": "Lea", "last_name": "Laine", "email": "lea@buyer.example", "title": None},
    {"name": "Buyer Oy", "industry": ""},
    {"name": "Maija Myyjä"},
    workspace="Seller Oy",
    unsubscribe_url="https://app.example/capture/unsubscribe/tok",
    custom={"erp": "SAP", "_secret": "x", "bad key": 1},
)
NOBODY = personalisation({}, None, None, workspace=None, unsubscribe_url=None)


@pytest.mark.parametrize(
    "probe",
    [
        "{{ ''.__class__.__mro__ }}",
        "{{ ''.__class__.__mro__[1] }}",
        "{{ contact.__class__ }}",
        "{{ range.__self__ }}",
        "{{ '{0.__class__}'.format(1) }}",
    ],
)
def test_probes_render_nothing_dangerous(probe: str) -> None:
    rendered = MailTemplate("Hi", f"<p>{probe}</p>", f"{probe}").render(LEA)
    assert (rendered.html, rendered.text.split("\n\n")[0]) == (
        '<p></p><p><a href="https://app.example/capture/unsubscribe/tok">Unsubscribe</a></p>',
        "",
    )


def test_calling_into_internals_fails_the_render_and_the_save() -> None:
    probe = "{{ ''.__class__.__mro__[1].__subclasses__() }}"
    with pytest.raises(RenderFailed, match="unsafe"):
        MailTemplate("Hi", probe, "").render(LEA)
    problems = check_template("Hi", probe, "")
    assert [str(problem) for problem in problems] == [
        "html_body (line 1): private attributes ('__class__', '__mro__', '__subclasses__') "
        "are not available"
    ]


def test_arithmetic_cannot_build_huge_strings() -> None:
    with pytest.raises(RenderFailed, match="too long"):
        MailTemplate("Hi", "{{ 'x' * 1000000 }}", "").render(LEA)
    with pytest.raises(RenderFailed, match="exponent"):
        MailTemplate("Hi", "{{ 2 ** 1000000 }}", "").render(LEA)


def test_syntax_errors_and_unknown_variables_name_their_line() -> None:
    problems = check_template(
        "Hello {{ contact.first_name",
        "<p>one</p>\n<p>two</p>\n{% if contact.first_name %}\n<p>never closed</p>\n",
        "line one\n\nDear {{ customer.name }}",
    )
    # Jinja lists the tags it looked for in no fixed order.
    tags = str(problems[1]).split("following tags: ")[1].split(".")[0]
    assert sorted(tags.split(" or ")) == ["'elif'", "'else'", "'endif'"]
    assert [str(problem) for problem in problems] == [
        "subject (line 1): unexpected end of template, expected 'end of print statement'.",
        "html_body (line 4): Unexpected end of template. Jinja was looking for the following "
        f"tags: {tags}. The innermost block that needs to be closed is 'if'.",
        "text_body (line 3): unknown variable 'customer'; a template may use contact, account, "
        "owner, workspace, unsubscribe_url",
    ]
    assert [str(p) for p in check_template("  ", "", "")] == [
        "subject: must not be empty",
        "html_body: a template needs an HTML or a text body",
    ]
    assert [str(p) for p in check_template("Hi", "<p>{{ x | nosuchfilter }}</p>", "")] == [
        "html_body (line 1): No filter named 'nosuchfilter'."
    ]
    assert [
        str(p) for p in trial_render("Hi", "<p>{{ contact.email.split('@', 'x') }}</p>", "")
    ] == [
        "html_body: the template could not be rendered: 'str' object cannot be interpreted as an "
        "integer"
    ]


def test_fallbacks_and_escaping() -> None:
    template = MailTemplate(
        "Hi {{ contact.first_name | default('there') }}",
        "<p>{{ contact.first_name | default('there') }} at "
        "{{ account.name | default('your company') }} ({{ contact.title }}) "
        "{{ account.industry | default('any industry') }} {{ contact.erp }} "
        "{{ owner.name }}</p>",
        "",
    )
    assert template.render(LEA).subject == "Hi Lea"
    assert template.render(LEA).html == (
        "<p>Lea at Buyer Oy () any industry SAP Maija Myyjä</p>"
        '<p><a href="https://app.example/capture/unsubscribe/tok">Unsubscribe</a></p>'
    )
    assert template.render(NOBODY) == Rendered(
        "Hi there",
        "<p>there at your company () any industry  </p>",
        "there at your company () any industry\n",
    )
    hostile = personalisation(
        {"first_name": "<script>alert(1)</script>"},
        None,
        None,
        workspace=None,
        unsubscribe_url=None,
    )
    assert template.render(hostile).html.startswith("<p>&lt;script&gt;alert(1)&lt;/script&gt; at")
    assert "_secret" not in LEA["contact"] and "bad key" not in LEA["contact"]
    assert LEA["contact"]["full_name"] == "Lea Laine"


def test_template_using_the_unsubscribe_link_gets_no_footer() -> None:
    rendered = MailTemplate("S", "", "Bye: {{ unsubscribe_url }}").render(LEA)
    assert (rendered.html, rendered.text) == (
        None,
        "Bye: https://app.example/capture/unsubscribe/tok",
    )


def test_variant_choice_prefers_role_and_stage_then_role_then_stage() -> None:
    both = Variant("decision_maker", "decision", "b", "", "b")
    role = Variant("decision_maker", None, "r", "", "r")
    stage = Variant(None, "decision", "s", "", "s")
    other = Variant("user", None, "u", "", "u")
    variants = [stage, other, role, both]
    assert choose_variant(variants, "decision_maker", "decision") is both
    assert choose_variant(variants, "decision_maker", "awareness") is role
    assert choose_variant(variants, "champion", "decision") is stage
    assert choose_variant(variants, "champion", None) is None
    assert choose_variant(variants, None, None) is None


def test_plain_text_from_html() -> None:
    source = (
        "<html><head><title>T</title><style>p{color:red}</style></head><body>"
        "<h1>Hello   Lea</h1><p>News for <b>Buyer Oy</b>.<br>Line two &amp; more</p>"
        "<ul><li>One</li><li>Two <a href='https://x.example/a?b=1&amp;c=2'>the guide</a></li></ul>"
        "<p><a href='https://seller.example'>https://seller.example</a> "
        "<a href='mailto:help@seller.example'>write</a></p>"
        "<pre>  kept\n  as is</pre><img src='logo.png' alt='Seller logo'><hr>"
        "<script>alert(1)</script><!-- hidden --></body></html>"
    )
    assert html_to_text(source) == (
        "Hello Lea\n\nNews for Buyer Oy.\nLine two & more\n\n- One\n"
        "- Two the guide (https://x.example/a?b=1&c=2)\n\n"
        "https://seller.example write (help@seller.example)\n\n  kept\n  as is\n\n"
        "Seller logo\n--------------------\n"
    )
    assert html_to_text("") == ""


def test_rewrite_links_in_both_parts_skipping_the_unsubscribe_link() -> None:
    rendered = Rendered(
        "S",
        '<a href="https://x.example/a?b=1&amp;c=2">x</a> <a href="mailto:a@b.example">m</a>'
        ' <a href="https://u.example/unsub">u</a>',
        "See https://x.example/a?b=1&c=2. Or (https://y.example/p) https://u.example/unsub",
    )
    done = rewrite_links(
        rendered, lambda url: f"https://t.example/c?u={url}", ["https://u.example/unsub"]
    )
    assert done.html == (
        '<a href="https://t.example/c?u=https://x.example/a?b=1&amp;c=2">x</a> '
        '<a href="mailto:a@b.example">m</a> <a href="https://u.example/unsub">u</a>'
    )
    assert done.text == (
        "See https://t.example/c?u=https://x.example/a?b=1&c=2. "
        "Or (https://t.example/c?u=https://y.example/p) https://u.example/unsub"
    )


WHEN = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def test_message_bytes_parse_back_with_both_parts() -> None:
    rendered = Rendered("Hei Lea – uutisia", "<p>Hyvää päivää</p>\n.dot", "Hyvää päivää\n.dot\n")
    data = message_bytes(
        rendered,
        sender="Seller Öy <news@seller.example>",
        to="lea@buyer.example",
        message_id=message_id_for("broadcast:1:2", "news@seller.example"),
        when=WHEN,
        extra=[("List-Unsubscribe", "<https://app.example/u>")],
    )
    parsed = message_from_bytes(data.replace(b"\r\n", b"\n"), policy=policy.default)
    assert parsed["Subject"] == "Hei Lea – uutisia"
    assert parsed["From"] == "Seller Öy <news@seller.example>"
    assert (
        parsed["Message-ID"]
        == "<"
        + __import__("hashlib").sha256(b"broadcast:1:2").hexdigest()[:32]
        + "@seller.example>"
    )
    assert parsed["List-Unsubscribe"] == "<https://app.example/u>"
    assert parsed.get_body(("plain",)).get_content() == "Hyvää päivää\n.dot\n"
    assert parsed.get_body(("html",)).get_content() == "<p>Hyvää päivää</p>\n.dot"
    assert all(len(line) <= 998 for line in data.split(b"\r\n"))
    assert b"\r\n..dot" in dot_stuffed(data) and dot_stuffed(b".x") == b"..x\r\n"


def test_header_injection_is_refused() -> None:
    with pytest.raises(BadHeader):
        message_bytes(
            Rendered("Hi\r\nBcc: all@x.example", None, "t"),
            sender="a@b.example",
            to="c@d.example",
            message_id="<m@b.example>",
            when=WHEN,
        )
    with pytest.raises(BadHeader):
        message_bytes(
            Rendered("Hi", None, "t"),
            sender="a@b.example",
            to="nobody",
            message_id="<m@x>",
            when=WHEN,
        )


def test_plain_text_made_once_from_the_template_matches_the_rendered_conversion() -> None:
    html = (
        "<h1>Hi {{ contact.first_name | default('there') }}</h1>"
        "{% if account.name %}<p>At {{ account.name }}</p>{% endif %}"
        '<p><a href="{{ unsubscribe_url }}">Leave</a></p>'
    )
    from_source = MailTemplate("S", html, "")
    assert from_source.render(LEA).text == (
        "Hi Lea\n\nAt Buyer Oy\n\nLeave (https://app.example/capture/unsubscribe/tok)\n"
    )
    assert from_source.render(NOBODY).text == "Hi there\n\nLeave ()\n"
    tricky = MailTemplate("S", "<p>{{ '<b>' if contact.first_name }}</p>", "")
    assert (
        tricky.render(LEA).text
        == "<b>\n\nUnsubscribe: https://app.example/capture/unsubscribe/tok\n"
    )
