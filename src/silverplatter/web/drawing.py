"""A small drawing model shared by the SVG, PNG and PDF exports: boxes, lines and text.

A picture is laid out once, as a :class:`Scene` of shapes at fixed positions
(pixels, y downwards), and each format draws the same scene: SVG as text
(``to_svg``), PNG with Pillow and PDF with ReportLab (``web/drawing_formats.py``).
Text is measured with the metrics of Bitstream Vera Sans, which ReportLab ships
(so the layout is the same on every machine and needs no system library),
and drawn with DejaVu Sans — Vera's successor with the same widths and more
characters — where the system has it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Final, Literal
from xml.sax.saxutils import escape

import reportlab
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

_SHIPPED: Final = Path(reportlab.__file__).parent / "fonts"
#: Fonts with the same metrics, looked for in order: the system's DejaVu, the shipped Vera.
REGULAR_FILES: Final = (
    Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"),
    Path("/usr/share/fonts/dejavu/DejaVuSans.ttf"),
    _SHIPPED / "Vera.ttf",
)
BOLD_FILES: Final = (
    Path("/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"),
    Path("/usr/share/fonts/dejavu/DejaVuSans-Bold.ttf"),
    _SHIPPED / "VeraBd.ttf",
)
SVG_FONTS: Final = "'DejaVu Sans', 'Bitstream Vera Sans', Verdana, sans-serif"
_MEASURE: Final = {False: "SpMeasure", True: "SpMeasure-Bold"}


@cache
def _measuring_fonts() -> None:
    pdfmetrics.registerFont(TTFont(_MEASURE[False], str(_SHIPPED / "Vera.ttf")))
    pdfmetrics.registerFont(TTFont(_MEASURE[True], str(_SHIPPED / "VeraBd.ttf")))


def font_file(bold: bool = False) -> Path:
    """The TrueType file the PNG and PDF draw with."""
    return next(path for path in (BOLD_FILES if bold else REGULAR_FILES) if path.exists())


def text_width(text: str, size: float, bold: bool = False) -> float:
    """Width of ``text`` in pixels at ``size`` (Vera's metrics)."""
    _measuring_fonts()
    return float(pdfmetrics.stringWidth(text, _MEASURE[bold], size))


def wrap(text: str, width: float, size: float, *, bold: bool = False, most: int = 6) -> list[str]:
    """``text`` broken into lines no wider than ``width``; at most ``most`` lines, the last
    one ending in … when text was left out."""
    lines: list[str] = []
    current = ""
    for word in text.split():
        while text_width(word, size, bold) > width and len(word) > 1:
            cut = len(word)
            while cut > 1 and text_width(word[:cut], size, bold) > width:
                cut -= 1
            if current:
                lines.append(current)
                current = ""
            lines.append(word[:cut])
            word = word[cut:]
        trial = f"{current} {word}" if current else word
        if current and text_width(trial, size, bold) > width:
            lines.append(current)
            current = word
        else:
            current = trial
    if current:
        lines.append(current)
    if len(lines) > most:
        last = lines[most - 1]
        while last and text_width(last + "…", size, bold) > width:
            last = last[:-1]
        lines = [*lines[: most - 1], last.rstrip() + "…"]
    return lines or [""]


@dataclass(frozen=True, slots=True)
class Box:
    x: float
    y: float
    w: float
    h: float
    fill: str
    stroke: str
    radius: float = 4.0
    stroke_width: float = 1.0


@dataclass(frozen=True, slots=True)
class Line:
    x1: float
    y1: float
    x2: float
    y2: float
    stroke: str
    width: float = 1.5
    dashed: bool = False


@dataclass(frozen=True, slots=True)
class Dot:
    x: float
    y: float
    r: float
    fill: str


@dataclass(frozen=True, slots=True)
class Triangle:
    points: tuple[tuple[float, float], tuple[float, float], tuple[float, float]]
    fill: str


@dataclass(frozen=True, slots=True)
class Text:
    """One line of text; ``y`` is its baseline."""

    x: float
    y: float
    text: str
    size: float
    fill: str = "#1d2433"
    bold: bool = False
    anchor: Literal["start", "middle", "end"] = "start"


Shape = Box | Line | Dot | Triangle | Text


@dataclass
class Scene:
    width: float
    height: float
    title: str
    description: str = ""
    background: str = "#ffffff"
    shapes: list[Shape] = field(default_factory=list)

    def add(self, *shapes: Shape) -> None:
        self.shapes.extend(shapes)

    def texts(self) -> list[str]:
        return [shape.text for shape in self.shapes if isinstance(shape, Text)]


def _n(value: float) -> str:
    return f"{value:.1f}".removesuffix(".0")


def to_svg(scene: Scene) -> str:
    """The scene as a standalone SVG document (presentation attributes only: no
    ``<style>``, so it passes the site's content security policy when opened alone)."""
    out = [
        '<svg xmlns="http://www.w3.org/2000/svg" '
        f'viewBox="0 0 {_n(scene.width)} {_n(scene.height)}" '
        f'width="{_n(scene.width)}" height="{_n(scene.height)}" role="img" '
        f'font-family="{SVG_FONTS}">',
        f"<title>{escape(scene.title)}</title>",
    ]
    if scene.description:
        out.append(f"<desc>{escape(scene.description)}</desc>")
    out.append(f'<rect width="100%" height="100%" fill="{scene.background}"/>')
    for shape in scene.shapes:
        out.append(_svg_shape(shape))
    out.append("</svg>")
    return "\n".join(out) + "\n"


def _svg_shape(shape: Shape) -> str:
    if isinstance(shape, Box):
        return (
            f'<rect x="{_n(shape.x)}" y="{_n(shape.y)}" width="{_n(shape.w)}" '
            f'height="{_n(shape.h)}" rx="{_n(shape.radius)}" fill="{shape.fill}" '
            f'stroke="{shape.stroke}" stroke-width="{_n(shape.stroke_width)}"/>'
        )
    if isinstance(shape, Line):
        dash = ' stroke-dasharray="5 4"' if shape.dashed else ""
        return (
            f'<line x1="{_n(shape.x1)}" y1="{_n(shape.y1)}" x2="{_n(shape.x2)}" '
            f'y2="{_n(shape.y2)}" stroke="{shape.stroke}" stroke-width="{_n(shape.width)}"'
            f"{dash}/>"
        )
    if isinstance(shape, Dot):
        return (
            f'<circle cx="{_n(shape.x)}" cy="{_n(shape.y)}" r="{_n(shape.r)}" fill="{shape.fill}"/>'
        )
    if isinstance(shape, Triangle):
        points = " ".join(f"{_n(x)},{_n(y)}" for x, y in shape.points)
        return f'<polygon points="{points}" fill="{shape.fill}"/>'
    weight = ' font-weight="bold"' if shape.bold else ""
    anchor = f' text-anchor="{shape.anchor}"' if shape.anchor != "start" else ""
    return (
        f'<text x="{_n(shape.x)}" y="{_n(shape.y)}" font-size="{_n(shape.size)}" '
        f'fill="{shape.fill}"{weight}{anchor} xml:space="preserve">'
        f"{escape(shape.text)}</text>"
    )


__all__ = [
    "BOLD_FILES",
    "REGULAR_FILES",
    "Box",
    "Dot",
    "Line",
    "Scene",
    "Shape",
    "Text",
    "Triangle",
    "font_file",
    "text_width",
    "to_svg",
    "wrap",
]
