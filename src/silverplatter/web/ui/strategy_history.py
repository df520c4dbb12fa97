"""The history page of a strategy document: every saved version, who saved it and when,
and any one of them read in full (``?version=``) before it is restored.

Shared by the core questions (``/core-questions/history``) and the SWOT, PEST and
target-customer documents (``/strategy/<slug>/history``); the routes stay with
their pages in ``web/ui/strategy.py``.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Query, Request
from fastapi.responses import HTMLResponse

from silverplatter.domain.strategy import LISTS
from silverplatter.services.sessions import Principal
from silverplatter.services.strategy_documents import document_at, document_history, get_document
from silverplatter.web.problems import Problem
from silverplatter.web.templating import render

#: ``?version=`` of the history page: the saved version to show in full.
Shown = Annotated[int | None, Query(ge=1, le=2**31 - 1)]


def history_page(
    request: Request, principal: Principal, slug: str, base: str, shown: int | None = None
) -> HTMLResponse:
    """The versions of ``slug``, newest first, with version ``shown`` read in full."""
    try:
        with request.app.state.engine.connect() as connection:
            found = get_document(connection, slug)
            versions = document_history(connection, slug)
            body = None if shown is None else document_at(connection, slug, shown)
    except LookupError as error:
        raise Problem(404, str(error.args[0])) from None
    context = {
        "found": found,
        "versions": versions,
        "base": base,
        "shown": shown,
        "body": body,
        "lists": LISTS.get(found.kind, ()),
        "may_write": principal.may("understanding:write"),
    }
    return render(request, "strategy_history.html", context)


__all__ = ["Shown", "history_page"]
