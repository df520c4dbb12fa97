"""Rules for lead magnets: which files may be offered, and what a magnet's words may be.

A file's kind is read from its first bytes, never from the name or the type a
browser claims: a PDF starts ``%PDF-``, a PNG with its eight-byte signature,
and so on.  The name's extension must agree with the content, so a guide
called ``guide.pdf`` that is really a picture is refused with both named.
Only kinds a person downloads and opens are taken — documents, pictures,
videos, archives, plain text — never HTML, SVG or scripts, which a browser
would run.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Final

#: The largest file a lead magnet may be (it is kept in the database).
MAX_FILE_BYTES: Final = 25 * 1024 * 1024
MAX_TITLE: Final = 300
MAX_DESCRIPTION: Final = 2000
SLUG_PATTERN: Final = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,98}[a-z0-9])?$")

_OOXML: Final = "application/vnd.openxmlformats-officedocument."


@dataclass(frozen=True, slots=True)
class FileKind:
    content_type: str
    label: str
    extensions: tuple[str, ...]


PDF: Final = FileKind("application/pdf", "a PDF document", (".pdf",))
DOCX: Final = FileKind(_OOXML + "wordprocessingml.document", "a Word document", (".docx",))
XLSX: Final = FileKind(_OOXML + "spreadsheetml.sheet", "an Excel workbook", (".xlsx",))
PPTX: Final = FileKind(_OOXML + "presentationml.presentation", "a PowerPoint deck", (".pptx",))
EPUB: Final = FileKind("application/epub+zip", "an EPUB e-book", (".epub",))
ZIP: Final = FileKind("application/zip", "a ZIP archive", (".zip",))
PNG: Final = FileKind("image/png", "a PNG picture", (".png",))
JPEG: Final = FileKind("image/jpeg", "a JPEG picture", (".jpg", ".jpeg"))
GIF: Final = FileKind("image/gif", "a GIF picture", (".gif",))
MP4: Final = FileKind("video/mp4", "an MP4 video", (".mp4", ".m4v"))
WEBM: Final = FileKind("video/webm", "a WebM video", (".webm",))
MP3: Final = FileKind("audio/mpeg", "an MP3 recording", (".mp3",))
TEXT: Final = FileKind("text/plain; charset=utf-8", "a text file", (".txt", ".md"))
CSV: Final = FileKind("text/csv; charset=utf-8", "a CSV file", (".csv",))

KINDS: Final = (PDF, DOCX, XLSX, PPTX, EPUB, ZIP, PNG, JPEG, GIF, MP4, WEBM, MP3, TEXT, CSV)
#: Every extension taken, for the upload form's ``accept`` and error messages.
EXTENSIONS: Final = tuple(extension for kind in KINDS for extension in kind.extensions)

_ZIPPED: Final = {".docx": DOCX, ".xlsx": XLSX, ".pptx": PPTX, ".epub": EPUB, ".zip": ZIP}
_TEXTUAL: Final = {".txt": TEXT, ".md": TEXT, ".csv": CSV}


class MagnetInvalid(ValueError):
    """A lead magnet that cannot be taken; ``field`` names the culprit."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


def extension_of(file_name: str) -> str:
    dot = file_name.rfind(".")
    return file_name[dot:].lower() if dot > 0 else ""


def _by_signature(content: bytes) -> FileKind | None:
    head = content[:16]
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith((b"GIF87a", b"GIF89a")):
        return GIF
    if content[4:8] == b"ftyp":
        return MP4
    if head.startswith(b"\x1a\x45\xdf\xa3"):
        return WEBM
    if head.startswith(b"ID3") or _mp3_frame(head):
        return MP3
    if head.startswith(b"PK\x03\x04"):
        return ZIP
    return None


def _mp3_frame(head: bytes) -> bool:
    """An MPEG audio layer III frame header: 11 sync bits, layer bits 01, a real bit rate."""
    return len(head) > 2 and head[0] == 0xFF and head[1] & 0xE6 == 0xE2 and head[2] >> 4 != 15


def _plain_text(content: bytes) -> bool:
    if b"\x00" in content[:8192]:
        return False
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        return False
    opening = text.lstrip()[:64].lower()
    return not opening.startswith(("<!doctype", "<html", "<svg", "<?xml", "<script"))


def sniff(content: bytes, file_name: str) -> FileKind:
    """The kind of an uploaded file, from its content; ``MagnetInvalid`` when not offered."""
    if not content:
        raise MagnetInvalid("file", "the file is empty")
    if len(content) > MAX_FILE_BYTES:
        raise MagnetInvalid("file", f"the file is larger than {MAX_FILE_BYTES // (1024 * 1024)} MB")
    extension = extension_of(file_name)
    kind = _by_signature(content)
    if kind is ZIP and extension in _ZIPPED:
        kind = _ZIPPED[extension]
    if kind is None and extension in _TEXTUAL and _plain_text(content):
        kind = _TEXTUAL[extension]
    if kind is None:
        raise MagnetInvalid(
            "file",
            "the content is not a kind of file offered for download; upload one of "
            + ", ".join(EXTENSIONS),
        )
    if extension not in kind.extensions:
        named = f"ends in {extension}" if extension else "has no extension"
        raise MagnetInvalid(
            "file",
            f"the name {named} but the content is {kind.label} "
            f"(name it {kind.extensions[0]} or upload the file you meant)",
        )
    return kind


def clean_file_name(raw: str) -> str:
    """The name a download is offered under: no folders, no control characters, no quotes."""
    name = raw.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(
        ch for ch in unicodedata.normalize("NFC", name) if unicodedata.category(ch)[0] != "C"
    )
    name = name.replace('"', "'").strip().strip(".")
    if not name:
        raise MagnetInvalid("file", "the file has no name")
    if len(name) > 255:
        stem, dot, extension = name.rpartition(".")
        name = (stem[: 254 - len(extension)] + dot + extension) if dot else name[:255]
    return name


def slug_from(title: str) -> str:
    """``Guide: Halving delivery delays!`` → ``guide-halving-delivery-delays``."""
    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_title.lower()).strip("-")
    return slug[:100].rstrip("-")


def check_slug(slug: str) -> str:
    slug = slug.strip()
    if not SLUG_PATTERN.match(slug):
        raise MagnetInvalid(
            "slug",
            "use 1–100 lower-case letters, digits and hyphens, starting and ending "
            "with a letter or digit",
        )
    return slug


def check_title(title: str) -> str:
    title = " ".join(title.split())
    if not title:
        raise MagnetInvalid("title", "give the lead magnet a title")
    if len(title) > MAX_TITLE:
        raise MagnetInvalid("title", f"must be at most {MAX_TITLE} characters long")
    return title


def check_description(description: str | None) -> str | None:
    if description is None:
        return None
    description = description.strip()
    if len(description) > MAX_DESCRIPTION:
        raise MagnetInvalid("description", f"must be at most {MAX_DESCRIPTION} characters long")
    return description or None


def check_cta_kind(cta_kind: str) -> str:
    if cta_kind not in ("soft", "hard"):
        raise MagnetInvalid(
            "cta_kind",
            "must be soft (a download) or hard (an explicit request for contact, a meeting "
            "or a quote)",
        )
    return cta_kind
