"""Making one ledger row's message: the template (or the contact's variant), the
personalisation, tracked links, the open pixel and the unsubscribe headers.

Links back to the app are signed (``services/signing.py``):

* the **open pixel** ``/capture/o/{token}.gif`` — purpose ``open``,
  payload ``{"s": send_id}``, a 1×1 image at the end of the HTML;
* each **click** ``/capture/c/{token}`` — purpose ``click``, payload
  ``{"s": send_id, "u": the address}``; the address is inside the signed
  token, so an altered target is refused and nothing redirects elsewhere;
* ``List-Unsubscribe`` with the one-click link and ``List-Unsubscribe-Post``
  (RFC 8058); the same link is ``{{ unsubscribe_url }}`` in the template.

Links to the app's own public pages (the unsubscribe link) are not tracked.
A test send has no ledger row: its links are left as written.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from markupsafe import escape
from sqlalchemy import Connection, select

from silverplatter.domain.email_templates import Rendered, rewrite_links
from silverplatter.domain.mail_message import message_bytes, message_id_for
from silverplatter.services.email_templates import (
    CompiledTemplate,
    buying_stage_of,
    context_of_row,
    get_template,
)
from silverplatter.services.signing import Signer
from silverplatter.services.unsubscribe import unsubscribe_url
from silverplatter.storage.nurture_schema import email_templates


@dataclass(frozen=True)
class Links:
    signer: Signer
    public_url: str

    @property
    def base(self) -> str:
        return self.public_url.rstrip("/")

    def unsubscribe(self, contact_id: int, now: datetime, send_id: int | None = None) -> str:
        return unsubscribe_url(self.signer, self.public_url, contact_id, now=now, send_id=send_id)

    def open_pixel(self, send_id: int, now: datetime) -> str:
        return f"{self.base}/capture/o/{self.signer.sign('open', {'s': send_id}, now=now)}.gif"

    def click(self, send_id: int, url: str, now: datetime) -> str:
        token = self.signer.sign("click", {"s": send_id, "u": url}, now=now)
        return f"{self.base}/capture/c/{token}"


@dataclass(frozen=True)
class Composed:
    message_id: str
    data: bytes
    rendered: Rendered


def tracked(rendered: Rendered, links: Links, send_id: int, now: datetime) -> Rendered:
    """Clicks through the redirect and an open pixel at the end of the HTML."""
    own = f"{links.base}/capture/"
    # The HTML and the plain text carry the same links: each is signed once per message.
    signed: dict[str, str] = {}

    def swap(url: str) -> str:
        if url.startswith(own):
            return url
        link = signed.get(url)
        if link is None:
            link = signed[url] = links.click(send_id, url, now)
        return link

    done = rewrite_links(rendered, swap)
    if done.html is None:
        return done
    pixel = (
        f'<img src="{escape(links.open_pixel(send_id, now))}" width="1" height="1" alt=""'
        ' style="display:block;border:0">'
    )
    position = done.html.lower().rfind("</body>")
    html = (
        done.html[:position] + pixel + done.html[position:] if position >= 0 else done.html + pixel
    )
    return Rendered(done.subject, html, done.text)


class Composer:
    """Renders ledger rows into messages; templates compiled once per version."""

    def __init__(self, links: Links, *, sender: str, workspace: str | None) -> None:
        self.links = links
        self.sender = sender
        self.workspace = workspace
        self._templates: dict[int, CompiledTemplate] = {}

    def refresh(self, connection: Connection, template_ids: set[int]) -> None:
        """Recompile the templates among ``template_ids`` that changed since last seen."""
        if not template_ids:
            return
        versions = dict(
            connection.execute(
                select(email_templates.c.id, email_templates.c.version).where(
                    email_templates.c.id.in_(sorted(template_ids))
                )
            ).all()
        )
        for template_id, version in versions.items():
            known = self._templates.get(template_id)
            if known is None or known.version != version:
                self._templates[template_id] = CompiledTemplate(
                    get_template(connection, template_id)
                )

    def knows(self, template_id: int) -> bool:
        return template_id in self._templates

    def needs_stage(self, template_id: int) -> bool:
        return self._templates[template_id].needs_stage

    def compose(
        self, row: Any, *, now: datetime, buying_stage: str | None = None, to: str | None = None
    ) -> Composed:
        """The message of a ``recipients_query`` row (``to`` overrides the address: a test)."""
        template = self._templates[row.template_id]
        contact_id = row.contact_id
        send_id = getattr(row, "id", None)
        unsubscribe = (
            self.links.unsubscribe(contact_id, now, send_id) if contact_id is not None else None
        )
        context = context_of_row(row, unsubscribe_url=unsubscribe, workspace=self.workspace)
        rendered = template.for_contact(row.decision_role, buying_stage).render(context)
        if to is not None:
            rendered = Rendered(f"[Test] {rendered.subject}", rendered.html, rendered.text)
        if send_id is not None and to is None:
            rendered = tracked(rendered, self.links, int(send_id), now)
        key = row.dedupe_key if send_id is not None else f"test:{contact_id}:{now.isoformat()}"
        message_id = message_id_for(key, self.sender)
        extra: list[tuple[str, str]] = []
        if unsubscribe is not None:
            extra.append(("List-Unsubscribe", f"<{unsubscribe}>"))
            extra.append(("List-Unsubscribe-Post", "List-Unsubscribe=One-Click"))
        data = message_bytes(
            rendered,
            sender=self.sender,
            to=to or str(row.email),
            message_id=message_id,
            when=now,
            extra=extra,
        )
        return Composed(message_id, data, rendered)


def stages_of(
    connection: Connection, composer: Composer, rows: list[Any], now: datetime
) -> Mapping[int, str | None]:
    """Each row's contact's buying stage, worked out only for templates with stage variants."""
    return {
        int(row.id): buying_stage_of(connection, int(row.contact_id), now=now)
        for row in rows
        if row.contact_id is not None and composer.needs_stage(int(row.template_id))
    }


__all__ = ["Composed", "Composer", "Links", "stages_of", "tracked"]
