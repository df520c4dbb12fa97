"""E-mail templates: sandboxed Jinja2, personalisation with fallbacks, variants (domain §7).

A template has a subject, an HTML body and a plain-text body, each a Jinja2
template rendered in a **sandbox**: attributes starting with ``_`` and the
internals of Python objects are out of reach (``{{ ''.__class__.__mro__ }}``
renders nothing; calling something unsafe fails the render), loops stop at
``MAX_RANGE`` items and a repeated string at ``MAX_OUTPUT`` characters.  The
HTML body is autoescaped: a contact whose name is ``<script>`` shows as text.

Variables a template may use (anything else is refused when it is saved):

``contact``   first_name, last_name, full_name, email, title, department,
              seniority, decision_role, country and each custom property
``account``   name, domain, industry, country, value_tier, needs_segment
``owner``     name, email — the contact's owner, else the account's
``workspace`` name
``unsubscribe_url``  the signed one-click link (a footer with it is added when
              the template does not use it)

A value that is missing or empty is *undefined*, so a fallback is written
``{{ contact.first_name | default("there") }}`` and ``{{ account.name |
default("your company") }}``; a missing value without a fallback renders
as nothing.  Variants (``choose_variant``) replace subject and bodies for a
decision role and/or buying stage.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

from jinja2 import ChainableUndefined, Template, TemplateSyntaxError, meta, nodes
from jinja2.exceptions import SecurityError, TemplateError
from jinja2.sandbox import SandboxedEnvironment

from silverplatter.domain.plain_text import html_to_text

#: Names a template may read; anything else is a mistake caught at save time.
VARIABLES: Final = ("contact", "account", "owner", "workspace", "unsubscribe_url")
CONTACT_FIELDS: Final = (
    "first_name",
    "last_name",
    "full_name",
    "email",
    "title",
    "department",
    "seniority",
    "decision_role",
    "country",
)
ACCOUNT_FIELDS: Final = ("name", "domain", "industry", "country", "value_tier", "needs_segment")
OWNER_FIELDS: Final = ("name", "email")
#: The longest string a template's arithmetic may build (``'x' * n``).
MAX_OUTPUT: Final = 100_000
PARTS: Final = ("subject", "html_body", "text_body")


class TemplateProblem(ValueError):
    """What is wrong with a part of a template, and on which line."""

    def __init__(self, field: str, message: str, line: int | None = None) -> None:
        where = f" (line {line})" if line is not None else ""
        super().__init__(f"{field}{where}: {message}")
        self.field = field
        self.line = line
        self.message = message


class RenderFailed(ValueError):
    """A template that could not be rendered for one contact (an unsafe call, a bad filter)."""


def _checked_power(left: Any, right: Any) -> Any:
    if isinstance(right, int | float) and abs(right) > 100:
        raise SecurityError("exponent too large")
    return operator.pow(left, right)


def _checked_times(left: Any, right: Any) -> Any:
    for sequence, count in ((left, right), (right, left)):
        long = isinstance(sequence, str | list | tuple) and isinstance(count, int)
        if long and len(sequence) * count > MAX_OUTPUT:
            raise SecurityError("the result would be too long")
    return operator.mul(left, right)


class MailSandbox(SandboxedEnvironment):
    """The sandbox templates run in: no private attributes, bounded arithmetic, few globals."""

    intercepted_binops = frozenset({"*", "**"})

    def call_binop(self, context: Any, operator_: str, left: Any, right: Any) -> Any:
        if operator_ == "**":
            return _checked_power(left, right)
        if operator_ == "*":
            return _checked_times(left, right)
        return super().call_binop(context, operator_, left, right)


def _environment(autoescape: bool) -> MailSandbox:
    environment = MailSandbox(
        autoescape=autoescape,
        undefined=ChainableUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.globals = {"range": environment.globals["range"]}
    return environment


HTML_ENVIRONMENT: Final = _environment(autoescape=True)
TEXT_ENVIRONMENT: Final = _environment(autoescape=False)


def _environment_of(field: str) -> MailSandbox:
    return HTML_ENVIRONMENT if field == "html_body" else TEXT_ENVIRONMENT


def _line_of(environment: MailSandbox, source: str, name: str) -> int | None:
    for line, kind, value in environment.lex(source):
        if kind == "name" and value == name:
            return int(line)
    return None


def check_part(field: str, source: str) -> None:
    """Raise ``TemplateProblem`` naming the line when ``source`` is not a usable template."""
    environment = _environment_of(field)
    try:
        tree = environment.parse(source)
        environment.compile(tree)  # unknown filters and tests show here
    except TemplateSyntaxError as error:
        message = error.message or "not valid template syntax"
        raise TemplateProblem(field, message, error.lineno) from None
    unknown = sorted(meta.find_undeclared_variables(tree) - set(VARIABLES))
    if unknown:
        name = unknown[0]
        raise TemplateProblem(
            field,
            f"unknown variable {name!r}; a template may use {', '.join(VARIABLES)}",
            _line_of(environment, source, name),
        )
    private = sorted(
        (node.lineno, node.attr)
        for node in tree.find_all(nodes.Getattr)
        if node.attr.startswith("_")
    )
    if private:
        line = private[0][0]
        names = ", ".join(sorted({repr(name) for at, name in private if at == line}))
        raise TemplateProblem(field, f"private attributes ({names}) are not available", line)


def check_template(subject: str, html_body: str, text_body: str) -> list[TemplateProblem]:
    """Every problem of the three parts (empty when the template is usable)."""
    problems: list[TemplateProblem] = []
    if not subject.strip():
        problems.append(TemplateProblem("subject", "must not be empty"))
    elif "\n" in subject or "\r" in subject:
        problems.append(TemplateProblem("subject", "must be one line"))
    if not html_body.strip() and not text_body.strip():
        problems.append(TemplateProblem("html_body", "a template needs an HTML or a text body"))
    for field, source in zip(PARTS, (subject, html_body, text_body), strict=True):
        try:
            check_part(field, source)
        except TemplateProblem as problem:
            problems.append(problem)
    return problems


@dataclass(frozen=True)
class Rendered:
    subject: str
    html: str | None
    text: str


@dataclass(frozen=True)
class Variant:
    """A template's words for a decision role and/or buying stage (None: any)."""

    decision_role: str | None
    buying_stage: str | None
    subject: str
    html_body: str
    text_body: str


def choose_variant(
    variants: Sequence[Variant], decision_role: str | None, buying_stage: str | None
) -> Variant | None:
    """The most specific variant that fits: role and stage, else role, else stage, else none."""
    best: tuple[int, Variant] | None = None
    for variant in variants:
        if variant.decision_role is not None and variant.decision_role != decision_role:
            continue
        if variant.buying_stage is not None and variant.buying_stage != buying_stage:
            continue
        rank = (2 if variant.decision_role else 0) + (1 if variant.buying_stage else 0)
        if rank and (best is None or rank > best[0]):
            best = (rank, variant)
    return best[1] if best else None


class MailTemplate:
    """A template's three parts compiled once, rendered for many contacts."""

    def __init__(self, subject: str, html_body: str, text_body: str) -> None:
        self.uses_unsubscribe = "unsubscribe_url" in subject + html_body + text_body
        self._subject = TEXT_ENVIRONMENT.from_string(subject)
        self._html = HTML_ENVIRONMENT.from_string(html_body) if html_body.strip() else None
        self._text = TEXT_ENVIRONMENT.from_string(text_body) if text_body.strip() else None
        self._text_from_html = self._text is None and self._html is not None
        if self._text_from_html:
            self._text = _text_from_html_source(html_body)

    def render(self, context: Mapping[str, Any]) -> Rendered:
        try:
            subject = " ".join(self._subject.render(context).split())
            html = self._html.render(context) if self._html is not None else None
            if self._text is not None:
                text = self._text.render(context)
                if self._text_from_html:
                    text = _tidy(text)
            else:
                text = html_to_text(html or "")
        except (TemplateError, ArithmeticError, LookupError, TypeError, ValueError) as error:
            raise RenderFailed(f"the template could not be rendered: {error}") from error
        if not self.uses_unsubscribe and context.get("unsubscribe_url"):
            html, text = _with_footer(html, text, str(context["unsubscribe_url"]))
        return Rendered(subject, html, text)


#: A ``<`` or ``>`` inside ``{{ }}`` or ``{% %}``: the HTML reader would take it for markup.
_MARKUP_IN_CODE: Final = re.compile(r"\{[{%][^}]*[<>][^}]*[}%]\}")


def _tidy(text: str) -> str:
    """Lines without trailing spaces, at most one blank line in a row, one final newline."""
    lines = [line.rstrip() for line in text.split("\n")]
    kept: list[str] = []
    for line in lines:
        if line or (kept and kept[-1]):
            kept.append(line)
    body = "\n".join(kept).strip("\n")
    return body + "\n" if body else ""


def _text_from_html_source(html_body: str) -> Template | None:
    """The plain-text template made once from the HTML *template* (its ``{{ }}`` and
    ``{% %}`` kept as they are), rather than converting each rendered message: the same
    words, a fraction of the work.  None when the result is not a usable template (an
    expression holding ``<``, say): then each message's HTML is converted instead."""
    if _MARKUP_IN_CODE.search(html_body):
        return None
    try:
        return TEXT_ENVIRONMENT.from_string(html_to_text(html_body))
    except TemplateError:
        return None


def _with_footer(html: str | None, text: str, url: str) -> tuple[str | None, str]:
    from markupsafe import escape

    link = f'<p><a href="{escape(url)}">Unsubscribe</a></p>'
    if html is not None:
        position = html.lower().rfind("</body>")
        html = html[:position] + link + html[position:] if position >= 0 else html + link
    return html, f"{text.rstrip()}\n\nUnsubscribe: {url}\n"


def _present(values: Mapping[str, Any]) -> dict[str, Any]:
    """Only the values that are there: a missing one stays undefined, so ``default`` works."""
    return {key: value for key, value in values.items() if value not in (None, "")}


def personalisation(
    contact: Mapping[str, Any],
    account: Mapping[str, Any] | None,
    owner: Mapping[str, Any] | None,
    *,
    workspace: str | None,
    unsubscribe_url: str | None,
    custom: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """The variables of one message (see the module's documentation)."""
    person = {key: contact.get(key) for key in CONTACT_FIELDS if key != "full_name"}
    names = [str(person[key]) for key in ("first_name", "last_name") if person.get(key)]
    person["full_name"] = " ".join(names) or None
    for key, value in (custom or {}).items():
        if isinstance(key, str) and key.isidentifier() and not key.startswith("_"):
            person.setdefault(key, value)
    return {
        "contact": _present(person),
        "account": _present({key: (account or {}).get(key) for key in ACCOUNT_FIELDS}),
        "owner": _present({key: (owner or {}).get(key) for key in OWNER_FIELDS}),
        "workspace": _present({"name": workspace}),
        **({"unsubscribe_url": unsubscribe_url} if unsubscribe_url else {}),
    }


SAMPLE_CONTEXT: Final = personalisation(
    {"first_name": "Sample", "last_name": "Person", "email": "sample@example.com"},
    {"name": "Sample Company", "domain": "example.com"},
    {"name": "Sample Owner", "email": "owner@example.com"},
    workspace="Sample workspace",
    unsubscribe_url="https://example.com/unsubscribe",
)


def trial_render(subject: str, html_body: str, text_body: str) -> list[TemplateProblem]:
    """Render once with sample values: catches what only shows when run (an unsafe call)."""
    try:
        MailTemplate(subject, html_body, text_body).render(SAMPLE_CONTEXT)
    except RenderFailed as error:
        return [TemplateProblem("html_body" if html_body.strip() else "text_body", str(error))]
    return []


def rewrite_links(
    rendered: Rendered, tracked: Callable[[str], str], skip: Iterable[str] = ()
) -> Rendered:
    """Every http(s) link in both bodies replaced by ``tracked(link)``; ``skip`` kept as is."""
    from silverplatter.domain.plain_text import replace_links

    kept = set(skip)

    def swap(url: str) -> str:
        return url if url in kept else tracked(url)

    html = replace_links(rendered.html, swap, html=True) if rendered.html else rendered.html
    return Rendered(rendered.subject, html, replace_links(rendered.text, swap, html=False))


__all__ = [
    "ACCOUNT_FIELDS",
    "CONTACT_FIELDS",
    "VARIABLES",
    "MailTemplate",
    "RenderFailed",
    "Rendered",
    "TemplateProblem",
    "Variant",
    "check_part",
    "check_template",
    "choose_variant",
    "personalisation",
    "rewrite_links",
    "trial_render",
]
