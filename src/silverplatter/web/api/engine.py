"""The lead engine over the API: events in, qualification and stages, the queue, explanations.

Each part is its own module (``engine_events``, ``engine_lifecycle``,
``engine_queue``, ``engine_explain``); this router gathers them.
"""

from __future__ import annotations

from fastapi import APIRouter

from silverplatter.web.api import engine_events, engine_explain, engine_lifecycle, engine_queue

router = APIRouter()
for part in (engine_events, engine_lifecycle, engine_queue, engine_explain):
    router.include_router(part.router)

__all__ = ["router"]
