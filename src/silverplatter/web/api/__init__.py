"""The REST API under ``/api/v1``; each module is one resource's routes."""

from silverplatter.web.api import admin, engine, imports, model, records

__all__ = ["admin", "engine", "imports", "model", "records"]
