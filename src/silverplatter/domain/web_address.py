"""The path of a full web address, for URL patterns.

A page view records the page's path (``/pricing``); a click in our own mail
records the whole address (``https://seller.example/pricing?utm_source=nurture``).
A URL pattern — a worry tag's target, a scoring rule's ``url_matches`` — is
written as a path, so a full web address is matched by its path too.

The path is cut out by plain steps that ``storage/scoring_sql.py`` repeats in
SQL (step by step on SQLite, as one regular expression on PostgreSQL), so that
the set-based recompute matches the same addresses: an address is ``http://``
or ``https://`` (any case), then a host that runs to the first ``/``, ``?`` or
``#`` and is not empty, then the path, which runs to the first ``?`` or ``#``
and is ``/`` when empty.
"""

from __future__ import annotations

from typing import Final

_ASCII_LOWER: Final = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


def _first(text: str, characters: str) -> int:
    """Where the first of ``characters`` is in ``text``; ``len(text)`` when none is."""
    found = [at for at in (text.find(c) for c in characters) if at >= 0]
    return min(found, default=len(text))


def address_path(url: str) -> str | None:
    """The path of an http(s) address with a host (``https://host/a/b?x=1#y`` → ``/a/b``,
    ``https://host`` → ``/``); None for anything else (a path, ``mailto:``, ``ftp://``)."""
    scheme = url[:8].translate(_ASCII_LOWER)
    if scheme.startswith("https://"):
        rest = url[8:]
    elif scheme.startswith("http://"):
        rest = url[7:]
    else:
        return None
    host_end = _first(rest, "/?#")
    if host_end == 0:
        return None
    tail = rest[host_end:]
    return tail[: _first(tail, "?#")] or "/"


def url_forms(url: str) -> tuple[str, ...]:
    """What a URL pattern is matched against: the value, and the path of a full web
    address (``https://seller.example/guides/erp?x=1`` → ``/guides/erp``)."""
    path = address_path(url)
    return (url,) if path is None else (url, path)


__all__ = ["address_path", "url_forms"]
