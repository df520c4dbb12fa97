"""The server-rendered pages (Jinja2 + htmx); each module is one area's routes."""
