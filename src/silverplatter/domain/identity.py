"""How people and companies are recognised: email keys, domains, countries."""

from __future__ import annotations

import re
from functools import lru_cache
from urllib.parse import urlsplit

from email_validator import EmailNotValidError, validate_email

# The WHATWG HTML "valid e-mail address" production: what browsers accept in
# <input type=email>.  Plain ASCII addresses matching it skip the slower full
# check; everything else goes through email-validator for a precise reason.
_HTML_EMAIL = re.compile(
    r"^[a-zA-Z0-9.!#$%&'*+/=?^_`{|}~-]+@[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?"
    r"(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)+$"
)
_DOMAIN = re.compile(
    r"^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)+$"
)


class InvalidValue(ValueError):
    """A value that cannot be what its field expects; the message says why."""


def normalise_email(raw: str) -> tuple[str, str]:
    """Return ``(email, email_key)`` for a raw address or raise :class:`InvalidValue`.

    ``email`` keeps the local part as written with the domain lower-cased;
    ``email_key`` is the whole address lower-cased, which is what makes two
    addresses the same person (addresses are unique case-insensitively).
    """
    candidate = raw.strip()
    if not candidate:
        raise InvalidValue("email is empty")
    local, at, domain = candidate.rpartition("@")
    if (
        at
        and candidate.isascii()
        and _HTML_EMAIL.match(candidate)
        and not local.startswith(".")
        and not local.endswith(".")
        and ".." not in local
        and len(candidate) <= 254
    ):
        email = f"{local}@{domain.lower()}"
    else:
        try:
            email = validate_email(candidate, check_deliverability=False).normalized
        except EmailNotValidError as error:
            raise InvalidValue(f"{candidate!r} is not a valid email address: {error}") from None
    return email, email.lower()


def email_domain(email_key: str) -> str:
    return email_key.rpartition("@")[2]


@lru_cache(maxsize=65536)
def normalise_domain(raw: str) -> str:
    """A company's web domain from a domain or a URL: ``https://www.Acme.com/x`` → ``acme.com``."""
    candidate = raw.strip().lower()
    if not candidate:
        raise InvalidValue("domain is empty")
    if "://" not in candidate:
        candidate = "//" + candidate
    host = urlsplit(candidate).hostname or ""
    if host.startswith("www."):
        host = host[4:]
    host = host.rstrip(".")
    try:
        host = host.encode("idna").decode("ascii")
    except UnicodeError:
        raise InvalidValue(f"{raw!r} is not a valid domain") from None
    if not _DOMAIN.match(host):
        raise InvalidValue(f"{raw!r} is not a valid domain (expected e.g. example.com)")
    return host


@lru_cache(maxsize=4096)
def normalise_country(raw: str) -> str:
    """ISO 3166-1 alpha-2 code from a code or an English country name."""
    import pycountry

    candidate = raw.strip()
    if not candidate:
        raise InvalidValue("country is empty")
    if len(candidate) == 2 and candidate.isalpha():
        code = candidate.upper()
        if code == "UK":
            return "GB"
        if pycountry.countries.get(alpha_2=code) is not None:
            return code
    try:
        found = pycountry.countries.lookup(candidate)
    except LookupError:
        raise InvalidValue(
            f"{raw!r} is not a country (expected an ISO code like FI or a name like Finland)"
        ) from None
    return str(found.alpha_2)


def normalise_linkedin_url(raw: str) -> str:
    """A LinkedIn profile URL in one canonical form, so the same person matches."""
    candidate = raw.strip()
    if "://" not in candidate:
        candidate = "https://" + candidate
    parts = urlsplit(candidate)
    host = (parts.hostname or "").lower()
    if not (host == "linkedin.com" or host.endswith(".linkedin.com")):
        raise InvalidValue(f"{raw!r} is not a LinkedIn URL")
    path = parts.path.rstrip("/")
    if not path:
        raise InvalidValue(f"{raw!r} has no profile path")
    return f"https://www.linkedin.com{path.lower()}"
