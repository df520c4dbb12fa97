"""The server-rendered pages (Jinja2 + htmx); each module is one area's routes."""

from silverplatter.web.ui import admin, auth, dashboard, imports, model, people, queue, records

__all__ = ["admin", "auth", "dashboard", "imports", "model", "people", "queue", "records"]
