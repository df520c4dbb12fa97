"""A :class:`~silverplatter.web.drawing.Scene` as PNG (Pillow) and as PDF (ReportLab).

Both libraries install from wheels with everything they need (Pillow brings
FreeType, ReportLab its fonts), so exports work after ``pip install`` alone —
no system Cairo and no browser.  The PNG is drawn at twice the scene's size
for sharp text; the PDF is vector, one page the size of the scene (a pixel
is a point).
"""

from __future__ import annotations

import math
from functools import cache
from io import BytesIO
from typing import Final

from PIL import Image, ImageDraw, ImageFont
from reportlab.lib.colors import HexColor
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

from silverplatter.web.drawing import Box, Dot, Line, Scene, Triangle, font_file

PNG_SCALE: Final = 2.0
#: The PDF's fonts, registered once from :func:`font_file`.
PDF_FONTS: Final = {False: "SpDraw", True: "SpDraw-Bold"}
_PIL_ANCHORS: Final = {"start": "ls", "middle": "ms", "end": "rs"}


@cache
def _pil_font(size: int, bold: bool) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(font_file(bold)), size=size)


@cache
def pdf_fonts() -> dict[bool, str]:
    """The PDF font names (regular, bold), registered with ReportLab on first use."""
    for bold, name in PDF_FONTS.items():
        pdfmetrics.registerFont(TTFont(name, str(font_file(bold))))
    return dict(PDF_FONTS)


def to_png(scene: Scene, scale: float = PNG_SCALE) -> bytes:
    """The scene as a PNG image."""
    size = (math.ceil(scene.width * scale), math.ceil(scene.height * scale))
    image = Image.new("RGB", size, scene.background)
    draw = ImageDraw.Draw(image)

    def at(value: float) -> float:
        return value * scale

    for shape in scene.shapes:
        if isinstance(shape, Box):
            draw.rounded_rectangle(
                (at(shape.x), at(shape.y), at(shape.x + shape.w), at(shape.y + shape.h)),
                radius=at(shape.radius),
                fill=shape.fill,
                outline=shape.stroke,
                width=max(1, round(at(shape.stroke_width))),
            )
        elif isinstance(shape, Line):
            width = max(1, round(at(shape.width)))
            start, end = (at(shape.x1), at(shape.y1)), (at(shape.x2), at(shape.y2))
            for piece in _dashes(start, end, at(5), at(4)) if shape.dashed else [(start, end)]:
                draw.line(piece, fill=shape.stroke, width=width)
        elif isinstance(shape, Dot):
            r = at(shape.r)
            draw.ellipse(
                (at(shape.x) - r, at(shape.y) - r, at(shape.x) + r, at(shape.y) + r),
                fill=shape.fill,
            )
        elif isinstance(shape, Triangle):
            draw.polygon([(at(x), at(y)) for x, y in shape.points], fill=shape.fill)
        else:
            font = _pil_font(round(at(shape.size)), shape.bold)
            draw.text(
                (at(shape.x), at(shape.y)),
                shape.text,
                fill=shape.fill,
                font=font,
                anchor=_PIL_ANCHORS[shape.anchor],
            )
    out = BytesIO()
    image.save(out, "PNG", compress_level=6)
    return out.getvalue()


def _dashes(
    start: tuple[float, float], end: tuple[float, float], on: float, off: float
) -> list[tuple[tuple[float, float], tuple[float, float]]]:
    length = math.dist(start, end)
    if length == 0:
        return []
    dx, dy = (end[0] - start[0]) / length, (end[1] - start[1]) / length
    pieces, travelled = [], 0.0
    while travelled < length:
        stop = min(travelled + on, length)
        pieces.append(
            (
                (start[0] + dx * travelled, start[1] + dy * travelled),
                (start[0] + dx * stop, start[1] + dy * stop),
            )
        )
        travelled = stop + off
    return pieces


def draw_on_canvas(
    canvas: Canvas, scene: Scene, *, page_height: float, left: float = 0, top: float = 0
) -> None:
    """Draw ``scene`` with its top-left corner at (``left``, ``top``) of a page
    ``page_height`` high (``top`` measured from the page's top)."""
    fonts = pdf_fonts()

    def y_of(value: float) -> float:
        return page_height - top - value

    for shape in scene.shapes:
        if isinstance(shape, Box):
            canvas.setFillColor(HexColor(shape.fill))
            canvas.setStrokeColor(HexColor(shape.stroke))
            canvas.setLineWidth(shape.stroke_width)
            canvas.roundRect(
                left + shape.x, y_of(shape.y + shape.h), shape.w, shape.h, shape.radius, 1, 1
            )
        elif isinstance(shape, Line):
            canvas.setStrokeColor(HexColor(shape.stroke))
            canvas.setLineWidth(shape.width)
            canvas.setDash(5, 4) if shape.dashed else canvas.setDash()
            canvas.line(left + shape.x1, y_of(shape.y1), left + shape.x2, y_of(shape.y2))
            canvas.setDash()
        elif isinstance(shape, Dot):
            canvas.setFillColor(HexColor(shape.fill))
            canvas.circle(left + shape.x, y_of(shape.y), shape.r, stroke=0, fill=1)
        elif isinstance(shape, Triangle):
            canvas.setFillColor(HexColor(shape.fill))
            path = canvas.beginPath()
            (x0, y0), *rest = shape.points
            path.moveTo(left + x0, y_of(y0))
            for x, y in rest:
                path.lineTo(left + x, y_of(y))
            path.close()
            canvas.drawPath(path, stroke=0, fill=1)
        else:
            canvas.setFillColor(HexColor(shape.fill))
            canvas.setFont(fonts[shape.bold], shape.size)
            x, y = left + shape.x, y_of(shape.y)
            if shape.anchor == "middle":
                canvas.drawCentredString(x, y, shape.text)
            elif shape.anchor == "end":
                canvas.drawRightString(x, y, shape.text)
            else:
                canvas.drawString(x, y, shape.text)


def to_pdf(scene: Scene) -> bytes:
    """The scene as a one-page vector PDF the size of the scene."""
    out = BytesIO()
    canvas = Canvas(out, pagesize=(scene.width, scene.height), invariant=True)
    canvas.setTitle(scene.title)
    canvas.setSubject(scene.description)
    canvas.setCreator("Silverplatter")
    canvas.setFillColor(HexColor(scene.background))
    canvas.rect(0, 0, scene.width, scene.height, stroke=0, fill=1)
    draw_on_canvas(canvas, scene, page_height=scene.height)
    canvas.showPage()
    canvas.save()
    return out.getvalue()


__all__ = ["PNG_SCALE", "draw_on_canvas", "pdf_fonts", "to_pdf", "to_png"]
