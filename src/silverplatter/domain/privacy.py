"""What erasing a person does to the data held about them, as pure rules (GDPR Art. 17).

An erased contact stays as an anonymous tombstone so that counts, stages and
scores still add up; everything that could identify the person goes:

* the address becomes ``erased-<id>@erased.invalid`` (the ``.invalid`` top
  level domain can never receive mail, RFC 2606);
* event properties and form answers lose their personal keys (address, names,
  phone, IP, user agent, free text), URLs lose their query strings except the
  ``utm_*`` campaign tags, and any text still naming the person is blanked;
* free text elsewhere (meeting notes, BANT, reasons) has each mention of the
  person's address or names replaced by ``[erased]``.

Nothing here touches a database: ``services/privacy.py`` applies these rules.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Final
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

#: The domain of every erased address.
ERASED_DOMAIN: Final = "erased.invalid"
#: What a mention of the person becomes.
REDACTED: Final = "[erased]"

#: Keys (of event properties, form answers, JSON documents) whose values are personal data.
PERSONAL_KEYS: Final = frozenset(
    {
        "email",
        "email_address",
        "e_mail",
        "mail",
        "to",
        "to_address",
        "first_name",
        "firstname",
        "last_name",
        "lastname",
        "name",
        "full_name",
        "fullname",
        "phone",
        "phone_number",
        "mobile",
        "telephone",
        "linkedin",
        "linkedin_url",
        "job_title",
        "ip",
        "ip_address",
        "client_ip",
        "user_agent",
        "useragent",
        "ua",
        "street",
        "street_address",
        "postal_code",
        "zip",
        "birthday",
        "message",
        "comment",
        "comments",
        "notes",
        "free_text",
        "contact",
        "visitor_id",
        "cookie",
        "session",
        # ad click ids tie a visit to the person's click in an ad platform
        "click_id",
        "gclid",
        "fbclid",
        "msclkid",
        "li_fat_id",
        "ttclid",
    }
)

#: Query parameters a URL keeps after erasure: campaign tags identify a campaign, not a person.
KEPT_QUERY_PREFIX: Final = "utm_"

_EMAIL_LIKE: Final = re.compile(r"[^\s@<>()\[\],;:\"']+@[^\s@<>()\[\],;:\"']+\.[A-Za-z]{2,}")


def erased_address(contact_id: int) -> str:
    """The tombstone address of erased contact ``contact_id``."""
    return f"erased-{contact_id}@{ERASED_DOMAIN}"


def is_erased_address(email: str) -> bool:
    return email.lower().endswith(f"@{ERASED_DOMAIN}")


def confirms_address(typed: str, email_key: str) -> bool:
    """Whether ``typed`` is the address ``email_key``, ignoring case and outer spaces."""
    return typed.strip().lower() == email_key.lower()


def _normal_key(key: str) -> str:
    return key.strip().lower().replace("-", "_").replace(" ", "_")


def is_personal_key(key: str) -> bool:
    return _normal_key(key) in PERSONAL_KEYS


@dataclass(frozen=True)
class Mentions:
    """The words that identify one person: their address, names, phone and profile URL.

    Names match as whole words, case-insensitively: erasing "Ann" leaves "Annual".
    """

    terms: tuple[str, ...]

    @classmethod
    def of(
        cls,
        *,
        email: str | None,
        first_name: str | None = None,
        last_name: str | None = None,
        others: Iterable[str | None] = (),
    ) -> Mentions:
        """The mentions of a person: the address, each name, "First Last", and ``others``
        (phone, profile URL).  Words shorter than two characters are too common to count.
        """
        first = (first_name or "").strip()
        last = (last_name or "").strip()
        terms = {(email or "").strip().lower(), first, last}
        if first and last:
            terms.add(f"{first} {last}")
        terms.update((value or "").strip() for value in others)
        kept = sorted((term for term in terms if len(term) >= 2), key=lambda t: (-len(t), t))
        return cls(tuple(kept))

    @property
    def _pattern(self) -> re.Pattern[str] | None:
        if not self.terms:
            return None
        alternatives = "|".join(re.escape(term) for term in self.terms)
        return re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)", re.IGNORECASE)

    def found_in(self, text: str) -> bool:
        pattern = self._pattern
        return pattern is not None and pattern.search(text) is not None

    def redact(self, text: str) -> str:
        """``text`` with every mention of the person replaced by ``[erased]``."""
        pattern = self._pattern
        return text if pattern is None else pattern.sub(REDACTED, text)

    def redact_optional(self, text: str | None) -> str | None:
        return None if text is None else self.redact(text)


def strip_url(value: str) -> str:
    """A URL without its fragment and without query parameters other than ``utm_*``.

    Text that is not an absolute or rooted URL is returned unchanged.
    """
    if not value or not (value.startswith("/") or "://" in value):
        return value
    try:
        parts = urlsplit(value)
    except ValueError:
        return value
    kept = [
        (key, item)
        for key, item in parse_qsl(parts.query, keep_blank_values=True)
        if key.lower().startswith(KEPT_QUERY_PREFIX)
    ]
    netloc = parts.hostname or ""
    if parts.port is not None:
        netloc = f"{netloc}:{parts.port}"
    return urlunsplit((parts.scheme, netloc, parts.path, urlencode(kept), ""))


def _scrub_text(value: str, mentions: Mentions) -> str | None:
    """A string value kept after erasure, or None when it must go."""
    stripped = strip_url(value)
    if mentions.found_in(stripped) or _EMAIL_LIKE.search(stripped):
        return None
    return stripped


def scrub_document(document: Any, mentions: Mentions) -> Any:
    """A JSON document (event properties, BANT notes) without personal data.

    Personal keys are removed wherever they are nested; string values that
    name the person or hold an e-mail address are removed; URLs keep only
    their campaign tags.  Numbers, booleans and other words stay.
    """
    if isinstance(document, Mapping):
        cleaned: dict[str, Any] = {}
        for key, value in document.items():
            if is_personal_key(str(key)):
                continue
            kept = scrub_document(value, mentions)
            if kept is not None or value is None:
                cleaned[str(key)] = kept
        return cleaned
    if isinstance(document, list | tuple):
        items = [scrub_document(item, mentions) for item in document]
        return [item for item in items if item is not None]
    if isinstance(document, str):
        return _scrub_text(document, mentions)
    return document


def scrub_answers(answers: Any, choice_keys: Iterable[str], mentions: Mentions) -> dict[str, Any]:
    """Form answers after erasure: only answers to multiple-choice questions stay.

    The form's fields (address, names, phone, custom properties, free text)
    are personal data; the strategic questions' chosen options are not, and
    they are what the statistics need.  Answers grouped under a nested object
    are filtered the same way.
    """
    if not isinstance(answers, Mapping):
        return {}
    wanted = frozenset(_normal_key(key) for key in choice_keys)
    return _choices_only(answers, wanted, mentions)


def _choices_only(
    answers: Mapping[str, Any], wanted: frozenset[str], mentions: Mentions
) -> dict[str, Any]:
    kept: dict[str, Any] = {}
    for key, value in answers.items():
        name = str(key)
        if is_personal_key(name):
            continue
        if _normal_key(name) in wanted:
            cleaned = scrub_document(value, mentions)
            if cleaned is not None:
                kept[name] = cleaned
        elif isinstance(value, Mapping):
            nested = _choices_only(value, wanted, mentions)
            if nested:
                kept[name] = nested
    return kept


def redact_document(document: Any, mentions: Mentions) -> Any:
    """A JSON document with every mention of the person in its strings replaced."""
    if isinstance(document, Mapping):
        return {str(key): redact_document(value, mentions) for key, value in document.items()}
    if isinstance(document, list | tuple):
        return [redact_document(item, mentions) for item in document]
    if isinstance(document, str):
        return mentions.redact(document)
    return document


def question_keys(questions: Any) -> list[str]:
    """The keys under which a form's multiple-choice questions are answered.

    A question is a JSON object naming itself by ``key``, ``name`` or ``id``.
    """
    keys: list[str] = []
    if not isinstance(questions, list):
        return keys
    for question in questions:
        if isinstance(question, Mapping):
            for field in ("key", "name", "id"):
                value = question.get(field)
                if isinstance(value, str) and value:
                    keys.append(value)
                    break
        elif isinstance(question, str):
            keys.append(question)
    return keys


__all__ = [
    "ERASED_DOMAIN",
    "PERSONAL_KEYS",
    "REDACTED",
    "Mentions",
    "confirms_address",
    "erased_address",
    "is_erased_address",
    "is_personal_key",
    "question_keys",
    "redact_document",
    "scrub_answers",
    "scrub_document",
    "strip_url",
]
