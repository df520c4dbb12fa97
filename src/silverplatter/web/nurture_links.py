"""What the nurture pages and API share: a preview with the workspace's links, a test send
through the configured SMTP server."""

from __future__ import annotations

from fastapi import Request

from silverplatter.jobs import Runtime
from silverplatter.services.email_templates import Preview, preview
from silverplatter.services.sending import TestSendRefused, send_test
from silverplatter.services.signing import signer_for
from silverplatter.services.unsubscribe import unsubscribe_url
from silverplatter.services.workspace import workspace_name
from silverplatter.web.security import clock


def preview_of(request: Request, template_id: int, contact_id: int | None) -> Preview:
    """The template as ``contact_id`` gets it (sample values without one)."""
    state = request.app.state
    now = clock(request)
    with state.engine.connect() as connection:
        link = None
        if contact_id is not None:
            signer = signer_for(connection, state.settings)
            link = unsubscribe_url(signer, state.settings.public_url, contact_id, now=now)
        return preview(
            connection,
            template_id,
            contact_id=contact_id,
            unsubscribe_url=link,
            workspace=workspace_name(state.engine),
            now=now,
        )


def test_send(request: Request, template_id: int, *, to: str, contact_id: int | None) -> None:
    """Hand the template to ``to`` now (``TestSendRefused`` says why not)."""
    state = request.app.state
    delivery = Runtime(state.settings, state.engine, state.clock).delivery()
    if delivery is None:
        raise TestSendRefused("to", "no SMTP server is configured (SILVERPLATTER_SMTP_URL)")
    send_test(delivery, template_id, to=to, contact_id=contact_id, now=clock(request))
