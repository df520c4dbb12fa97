"""Time in the demo world: whole seconds since the Unix epoch, UTC.

Generation works on plain integers for speed; the writer turns them into the
stored form.  Everything happens in the 24 months that end at ``now``.
"""

from __future__ import annotations

import math
from datetime import date
from typing import Final

MINUTE: Final = 60
HOUR: Final = 60 * MINUTE
DAY: Final = 24 * HOUR
YEAR: Final = 31_557_600  # 365.25 days
MONTH: Final = YEAR // 12
WINDOW: Final = 24 * MONTH  # the history the demo world covers

#: Activity peaks this long before an account's buying window opens (domain §6) ...
PEAK_LEAD: Final = 100 * DAY
#: ... and rises and falls over about this long on either side.
PEAK_SPREAD: Final = 120 * DAY


def heat(moment: int, window_opens: int) -> float:
    """How strongly an approaching buying window drives activity at ``moment``, 0–1."""
    distance = (moment - (window_opens - PEAK_LEAD)) / PEAK_SPREAD
    if distance > 4.0 or distance < -4.0:
        return 0.0
    return math.exp(-0.5 * distance * distance)


_EPOCH_ORDINAL: Final = date(1970, 1, 1).toordinal()


def day_of(moment: int) -> date:
    """The UTC calendar day of ``moment``."""
    return date.fromordinal(_EPOCH_ORDINAL + moment // DAY)
