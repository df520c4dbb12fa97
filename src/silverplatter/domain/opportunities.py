"""Rules about opportunities (deals)."""

from __future__ import annotations

import re

_WON = re.compile(r"\b(closed[\s_-]*won|won|closedwon)\b", re.IGNORECASE)
_LOST = re.compile(r"\b(closed[\s_-]*lost|lost|closedlost)\b", re.IGNORECASE)


def status_for_stage(stage: str) -> str:
    """``won``, ``lost`` or ``open`` as a CRM's stage name implies.

    HubSpot (``closedwon``), Salesforce (``Closed Won``) and Mautic-like names
    all say it in the stage; anything else is still open.
    """
    if _WON.search(stage):
        return "won"
    if _LOST.search(stage):
        return "lost"
    return "open"
