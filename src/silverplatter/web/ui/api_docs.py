"""The API reference page: Swagger UI over ``/api/v1/openapi.json``, served from this site.

Public, like the OpenAPI document it shows.  Swagger UI is vendored under
``static/swagger`` and started by ``swagger-init.js``: the page's
Content-Security-Policy allows scripts and styles from this site only.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from silverplatter.web.templating import render

router = APIRouter(include_in_schema=False)


@router.get("/api/v1/docs", response_class=HTMLResponse)
def api_docs(request: Request) -> HTMLResponse:
    return render(request, "api_docs.html", {})
