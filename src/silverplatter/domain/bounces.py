"""Reading delivery reports: what bounced, for whom, how badly (pure, no I/O).

Understood shapes:

* **RFC 3464 DSN** — ``multipart/report; report-type=delivery-status``: each
  recipient block's ``Final-Recipient``, ``Action``, ``Status`` and
  ``Diagnostic-Code``; the original message (``message/rfc822`` or
  ``text/rfc822-headers``) gives its ``Message-ID``.
* **ARF feedback report** (RFC 5965) — ``report-type=feedback-report``: a
  spam complaint from a feedback loop; the recipient is
  ``Original-Rcpt-To`` or the original message's ``To``.
* **Non-standard bounces** (qmail's "failure notice", Exim's "Mail delivery
  failed", Exchange's "Undeliverable:" and the like): recognised by the
  sender or subject; the addresses, enhanced status codes (``5.1.1``) or SMTP
  reply codes (``550``) in the text, and a ``Message-ID:`` line of the quoted
  original.

Classification (``classify``): a complaint is a complaint; ``Action:
delayed`` is soft; an enhanced status ``5.x.x`` is hard except ``5.2.2``
(mailbox full), which is soft; ``4.x.x`` is soft; without one, an SMTP reply
code 5xx is hard and 4xx soft; with nothing to go by it is soft.  Repeated
soft bounces turn hard in ``services/bounces.py``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from email import message_from_bytes, policy
from email.message import Message
from email.utils import getaddresses, parseaddr
from typing import Final, Literal

Kind = Literal["soft", "hard", "complaint"]
KINDS: Final = ("soft", "hard", "complaint")

_STATUS = re.compile(r"\b([245])\.(\d{1,3})\.(\d{1,3})\b")
_REPLY = re.compile(r"(?<![\d.])([45]\d\d)(?:[ -])")
_ADDRESS = re.compile(r"<?([A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,})>?")
_MESSAGE_ID = re.compile(r"^\s*Message-ID:\s*(<[^>\s]+>)", re.IGNORECASE | re.MULTILINE)
_BOUNCE_SENDERS: Final = ("mailer-daemon", "postmaster", "mail delivery")
_BOUNCE_SUBJECTS: Final = (
    "undeliver",
    "returned mail",
    "returned to sender",
    "delivery status notification",
    "delivery failure",
    "mail delivery failed",
    "failure notice",
    "delivery has failed",
    "could not be delivered",
    "non-delivery",
)


@dataclass(frozen=True)
class Bounce:
    """One recipient's fate from one report."""

    recipient: str | None
    kind: Kind
    status: str | None
    diagnostic: str | None
    #: The Message-ID of the message that bounced, when the report quotes it.
    message_id: str | None
    #: True for a delay notice: the message may still arrive.
    delayed: bool = False


def classify(status: str | None, action: str | None, diagnostic: str | None) -> Kind:
    """Soft or hard (see the module's documentation)."""
    if action and action.strip().lower() == "delayed":
        return "soft"
    if status:
        found = _STATUS.search(status)
        if found:
            if found.group(0) == "5.2.2":
                return "soft"
            return "hard" if found.group(1) == "5" else "soft"
    if diagnostic:
        found = _STATUS.search(diagnostic)
        if found:
            return classify(found.group(0), None, None)
        reply = _REPLY.search(diagnostic + " ")
        if reply:
            return "hard" if reply.group(1).startswith("5") else "soft"
    return "soft"


def _text(value: object) -> str:
    return " ".join(str(value).split()) if value is not None else ""


def _address_of(field: str | None) -> str | None:
    """``rfc822; lea@buyer.example`` → ``lea@buyer.example``."""
    if not field:
        return None
    value = field.split(";", 1)[1] if ";" in field else field
    address = parseaddr(value.strip())[1] or value.strip()
    return address.strip("<> ").lower() or None


def _original_message_id(report: Message) -> str | None:
    for part in report.walk():
        kind = part.get_content_type()
        if kind == "message/rfc822":
            payload = part.get_payload()
            inner = payload[0] if isinstance(payload, list) and payload else None
            if isinstance(inner, Message) and inner.get("Message-ID"):
                return _text(inner["Message-ID"])
        elif kind == "text/rfc822-headers":
            found = _MESSAGE_ID.search(_decoded(part))
            if found:
                return found.group(1)
    return None


def _original_to(report: Message) -> str | None:
    for part in report.walk():
        if part.get_content_type() == "message/rfc822":
            payload = part.get_payload()
            inner = payload[0] if isinstance(payload, list) and payload else None
            if isinstance(inner, Message) and inner.get("To"):
                found = getaddresses([str(inner["To"])])
                return found[0][1].lower() if found else None
        elif part.get_content_type() == "text/rfc822-headers":
            found_to = re.search(r"^To:\s*(.+)$", _decoded(part), re.IGNORECASE | re.MULTILINE)
            if found_to:
                return _address_of(found_to.group(1))
    return None


def _decoded(part: Message) -> str:
    payload = part.get_payload(decode=True)
    if isinstance(payload, bytes):
        return payload.decode(part.get_content_charset() or "utf-8", "replace")
    raw = part.get_payload()
    return raw if isinstance(raw, str) else ""


def _delivery_status(report: Message, message_id: str | None) -> list[Bounce]:
    found: list[Bounce] = []
    for part in report.walk():
        if part.get_content_type() != "message/delivery-status":
            continue
        blocks = part.get_payload()
        if not isinstance(blocks, list):
            continue
        for block in blocks[1:] if len(blocks) > 1 else blocks:
            if not isinstance(block, Message):
                continue
            recipient = _address_of(block.get("Final-Recipient")) or _address_of(
                block.get("Original-Recipient")
            )
            action = _text(block.get("Action")).lower() or None
            if action in ("delivered", "relayed", "expanded"):
                continue
            status = _text(block.get("Status")) or None
            diagnostic = _text(block.get("Diagnostic-Code")) or None
            found.append(
                Bounce(
                    recipient,
                    classify(status, action, diagnostic),
                    status,
                    diagnostic,
                    message_id,
                    delayed=action == "delayed",
                )
            )
    return found


def _feedback(report: Message, message_id: str | None) -> list[Bounce]:
    for part in report.walk():
        if part.get_content_type() != "message/feedback-report":
            continue
        blocks = part.get_payload()
        fields = blocks[0] if isinstance(blocks, list) and blocks else None
        text = _decoded(part) if fields is None else ""
        recipient = None
        feedback = "abuse"
        if isinstance(fields, Message):
            recipient = _address_of(fields.get("Original-Rcpt-To"))
            feedback = _text(fields.get("Feedback-Type")) or feedback
        else:
            got = re.search(r"^Original-Rcpt-To:\s*(.+)$", text, re.IGNORECASE | re.MULTILINE)
            recipient = _address_of(got.group(1)) if got else None
        recipient = recipient or _original_to(report)
        return [Bounce(recipient, "complaint", None, f"feedback: {feedback}", message_id)]
    return []


def _looks_like_bounce(report: Message) -> bool:
    sender = _text(report.get("From")).lower()
    subject = _text(report.get("Subject")).lower()
    return any(word in sender for word in _BOUNCE_SENDERS) or any(
        word in subject for word in _BOUNCE_SUBJECTS
    )


def _plain_text(report: Message) -> str:
    texts = [_decoded(part) for part in report.walk() if part.get_content_type() == "text/plain"]
    return "\n".join(texts)


def _non_standard(report: Message) -> list[Bounce]:
    if not _looks_like_bounce(report):
        return []
    text = _plain_text(report)
    own = {address.lower() for _name, address in getaddresses([str(report.get("To", ""))])}
    own |= {address.lower() for _name, address in getaddresses([str(report.get("From", ""))])}
    quoted = text.lower().find("message-id:")
    searched = text if quoted < 0 else text[:quoted]
    recipients = []
    for found in _ADDRESS.finditer(searched):
        address = found.group(1).lower().rstrip(".")
        if address not in own and address not in recipients and "mailer-daemon" not in address:
            recipients.append(address)
    status_match = _STATUS.search(searched)
    status = status_match.group(0) if status_match else None
    lines = [line.strip() for line in searched.splitlines() if _REPLY.search(line + " ")]
    diagnostic = lines[0][:500] if lines else None
    delayed = "delay" in _text(report.get("Subject")).lower()
    kind = classify(status, "delayed" if delayed else None, diagnostic)
    message_match = _MESSAGE_ID.search(text)
    message_id = message_match.group(1) if message_match else None
    return [
        Bounce(address, kind, status, diagnostic, message_id, delayed=delayed)
        for address in recipients[:5]
    ]


def parse_report(raw: bytes) -> list[Bounce]:
    """Every bounce or complaint one received message reports (empty when it is neither)."""
    report = message_from_bytes(raw, policy=policy.compat32)
    message_id = _original_message_id(report)
    kind = report.get_content_type()
    found_type = report.get_param("report-type") if kind == "multipart/report" else None
    report_type = found_type.lower() if isinstance(found_type, str) else ""
    if report_type == "feedback-report":
        return _feedback(report, message_id)
    if report_type == "delivery-status":
        found = _delivery_status(report, message_id)
        if found:
            return found
    if any(part.get_content_type() == "message/feedback-report" for part in report.walk()):
        return _feedback(report, message_id)
    return _non_standard(report)


__all__ = ["KINDS", "Bounce", "Kind", "classify", "parse_report"]
