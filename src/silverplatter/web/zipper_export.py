"""Exports of a zipper board (SVG, PNG, PDF) and of the core questions (PDF) as downloads.

Shared by the API and the pages: each answer is a file named after the board
and its version (``spare-parts-v7.svg``), sent as an attachment.
"""

from __future__ import annotations

from typing import Final, Literal

from fastapi.responses import Response
from sqlalchemy import Connection

from silverplatter.domain.strategy import CoreQuestions
from silverplatter.services.strategy_documents import CORE_QUESTIONS, get_document
from silverplatter.services.zipper_boards import board_at, get_board, worry_names
from silverplatter.web.core_questions_pdf import core_questions_pdf
from silverplatter.web.drawing import Scene, to_svg
from silverplatter.web.drawing_formats import to_pdf, to_png
from silverplatter.web.zipper_chart import zipper_scene

Format = Literal["svg", "png", "pdf"]
MEDIA_TYPES: Final[dict[str, str]] = {
    "svg": "image/svg+xml",
    "png": "image/png",
    "pdf": "application/pdf",
}


def board_scene(connection: Connection, slug: str, version: int | None = None) -> Scene:
    """The board's picture, now or as saved at ``version``."""
    found = get_board(connection, slug)
    board = found.board if version is None else board_at(connection, slug, version)
    title = found.name
    if found.needs_segment_name and found.needs_segment_name != found.name:
        title += f" · {found.needs_segment_name}"
    if version is not None and version != found.version:
        title += f" (version {version})"
    return zipper_scene(board, title, worry_names(connection, board.worry_ids()))


def rendered(scene: Scene, fmt: Format) -> bytes:
    if fmt == "svg":
        return to_svg(scene).encode("utf-8")
    return to_png(scene) if fmt == "png" else to_pdf(scene)


def download(content: bytes, fmt: Format, filename: str) -> Response:
    return Response(
        content,
        media_type=MEDIA_TYPES[fmt],
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


def board_download(
    connection: Connection, slug: str, fmt: Format, version: int | None = None
) -> Response:
    """The board as a file; ``LookupError`` when there is no such board or version."""
    found = get_board(connection, slug)
    content = rendered(board_scene(connection, slug, version), fmt)
    return download(content, fmt, f"{found.slug}-v{version or found.version}.{fmt}")


def core_questions_download(connection: Connection, workspace: str | None) -> Response:
    """The core questions on one PDF page; ``LookupError`` before they are written."""
    found = get_document(connection, CORE_QUESTIONS)
    if not isinstance(found.body, CoreQuestions):  # pragma: no cover - the slug's kind
        raise LookupError("the core questions document has another kind")
    pdf = core_questions_pdf(
        found.body, workspace=workspace or "Silverplatter", version=found.version
    )
    return download(pdf, "pdf", f"core-questions-v{found.version}.pdf")


__all__ = [
    "MEDIA_TYPES",
    "Format",
    "board_download",
    "board_scene",
    "core_questions_download",
    "download",
    "rendered",
]
