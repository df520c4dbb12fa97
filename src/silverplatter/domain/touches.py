"""Touches: how many times a person met our message in the last 12 months ("Law of 29").

A prospect must meet our message many times before buying — the rule of thumb
is 29 times (domain §6).  A **touch** is one time we reached the person:

* ``email`` — a message of the send ledger delivered to them (status
  ``sent``: a bounced message never arrived), by its ``sent_at``; and an
  ``email_sent`` event from another system (one without a ``send_id``
  property, which would be the ledger's own message);
* ``meeting`` — a meeting they attended (``meeting_attendees``), by the
  meeting's time; and a ``meeting_held`` event without a ``meeting_id``
  property (one with it is a recorded meeting, counted already);
* ``call`` — a ``call_held`` event;
* ``webinar`` — a ``webinar_attended`` event.

What the person did on their own (visits, opens, clicks, downloads) is
behaviour, which the score counts; it is not a touch.  The window is the
365 days up to now: ``(now - 365 days, now]``.  An account's touches are its
people's touches added up (a meeting with three of them is three touches)
plus touch events recorded on the account itself (no contact).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Final

WINDOW: Final = timedelta(days=365)
#: The touches a prospect needs to meet, by the rule of thumb.
LAW_OF_29: Final = 29
KINDS: Final = ("email", "meeting", "call", "webinar")
#: Event type → the kind of touch it records.
TOUCH_EVENTS: Final[dict[str, str]] = {
    "email_sent": "email",
    "meeting_held": "meeting",
    "call_held": "call",
    "webinar_attended": "webinar",
}
LABELS: Final[dict[str, str]] = {
    "email": "E-mails",
    "meeting": "Meetings",
    "call": "Calls",
    "webinar": "Webinars",
}


@dataclass(frozen=True, slots=True)
class Touches:
    email: int = 0
    meeting: int = 0
    call: int = 0
    webinar: int = 0

    @classmethod
    def of(cls, counts: Mapping[str, int]) -> Touches:
        return cls(**{kind: int(counts.get(kind, 0)) for kind in KINDS})

    @property
    def total(self) -> int:
        return self.email + self.meeting + self.call + self.webinar

    @property
    def to_go(self) -> int:
        """Touches still missing to the 29 (0 once reached)."""
        return max(0, LAW_OF_29 - self.total)

    def by_kind(self) -> list[tuple[str, int]]:
        return [(LABELS[kind], getattr(self, kind)) for kind in KINDS]

    def __add__(self, other: Touches) -> Touches:
        return Touches(*(getattr(self, k) + getattr(other, k) for k in KINDS))


__all__ = ["KINDS", "LABELS", "LAW_OF_29", "TOUCH_EVENTS", "WINDOW", "Touches"]
