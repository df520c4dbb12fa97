"""The double opt-in confirmation mail: plain text and simple HTML.

Rendered by sandboxed Jinja2 environments: the form's name and consent
wording are written by users of the workspace and the person's name by
whoever filled in the form, so nothing they contain can reach Python
objects, and the HTML part escapes every value.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from jinja2 import StrictUndefined
from jinja2.sandbox import ImmutableSandboxedEnvironment

KIND: Final = "opt_in_confirmation"

_SUBJECT: Final = "Please confirm your subscription to {{ sender }}"

_TEXT: Final = """\
Hello{% if first_name %} {{ first_name }}{% endif %},

please confirm that {{ sender }} may send you e-mail by opening this link:

{{ confirm_url }}

You agreed to: "{{ wording }}"
{% if download_url %}
Your download is ready here (the link works for 7 days):

{{ download_url }}
{% endif %}
You receive this message because your address was entered in the form \
"{{ form_name }}". If that was not you, ignore it: without your confirmation \
we send you nothing more.
"""

_HTML: Final = """\
<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{{ subject }}</title></head>
<body>
<p>Hello{% if first_name %} {{ first_name }}{% endif %},</p>
<p>please confirm that {{ sender }} may send you e-mail:</p>
<p><a href="{{ confirm_url }}">Yes, confirm my subscription</a></p>
<p>You agreed to: &ldquo;{{ wording }}&rdquo;</p>
{% if download_url %}<p><a href="{{ download_url }}">Download your copy</a> \
(the link works for 7 days)</p>
{% endif %}<p>You receive this message because your address was entered in the form \
&ldquo;{{ form_name }}&rdquo;. If that was not you, ignore it: without your \
confirmation we send you nothing more.</p>
</body></html>
"""

_PLAIN_ENV: Final = ImmutableSandboxedEnvironment(
    autoescape=False, undefined=StrictUndefined, keep_trailing_newline=True
)
_HTML_ENV: Final = ImmutableSandboxedEnvironment(autoescape=True, undefined=StrictUndefined)
_SUBJECT_TEMPLATE: Final = _PLAIN_ENV.from_string(_SUBJECT)
_TEXT_TEMPLATE: Final = _PLAIN_ENV.from_string(_TEXT)
_HTML_TEMPLATE: Final = _HTML_ENV.from_string(_HTML)


@dataclass(frozen=True)
class OptInMail:
    subject: str
    text: str
    html: str


def opt_in_mail(
    *,
    sender: str,
    form_name: str,
    wording: str,
    confirm_url: str,
    first_name: str | None = None,
    download_url: str | None = None,
) -> OptInMail:
    """The confirmation message for one submission."""
    values = {
        "sender": sender,
        "form_name": form_name,
        "wording": wording,
        "confirm_url": confirm_url,
        "first_name": first_name,
        "download_url": download_url,
    }
    subject = " ".join(_SUBJECT_TEMPLATE.render(values).split())
    text = _TEXT_TEMPLATE.render(values)
    html = _HTML_TEMPLATE.render({**values, "subject": subject})
    return OptInMail(subject=subject, text=text, html=html)
