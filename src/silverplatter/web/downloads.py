"""A file the browser saves: the one way pages hand out CSV downloads."""

from __future__ import annotations

from fastapi.responses import Response


def csv_download(body: str | bytes, filename: str) -> Response:
    """``body`` as a UTF-8 CSV attachment called ``filename``."""
    return Response(
        body,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
