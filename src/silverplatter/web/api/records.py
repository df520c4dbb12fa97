"""Routes of this area (being filled in)."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter()
