"""The program's emblem, drawn in code: a museum's front (pediment, four columns, steps) in a double ring.

One geometry in a unit square (y upwards), drawn on the PDF with reportlab and written as SVG for the
verification page, so both show the same mark and nothing is fetched.
"""

import html
from dataclasses import dataclass
from math import cos, pi, sin

from reportlab.lib import colors
from reportlab.pdfgen.canvas import Canvas

ACCENT = "#7a1f3d"
"""The program's colour, as on the reporting dashboard."""


@dataclass(frozen=True)
class Ring:
    radius: float
    width: float


@dataclass(frozen=True)
class Shape:
    points: tuple[tuple[float, float], ...]


def _rect(x0: float, y0: float, x1: float, y1: float) -> Shape:
    return Shape(((x0, y0), (x1, y0), (x1, y1), (x0, y1)))


RINGS = (Ring(0.485, 0.03), Ring(0.34, 0.012))
INNER = 0.31
"""The radius the front is drawn within; between it and the outer ring goes the ring's text (PDF)."""
FRONT = (
    Shape(((0.28, 0.585), (0.72, 0.585), (0.5, 0.7))),  # pediment
    _rect(0.3, 0.555, 0.7, 0.58),  # entablature
    *(_rect(x, 0.37, x + 0.045, 0.545) for x in (0.325, 0.42, 0.535, 0.63)),  # columns
    _rect(0.295, 0.34, 0.705, 0.365),  # stylobate
    _rect(0.27, 0.31, 0.73, 0.335),  # step
)


def draw(
    canvas: Canvas,
    x: float,
    y: float,
    size: float,
    *,
    colour: str = ACCENT,
    upper: str = "",
    lower: str = "",
    font: str = "Helvetica-Bold",
) -> None:
    """The emblem with its lower-left corner at (x, y), `size` wide, `upper` and `lower` written along the ring."""
    canvas.saveState()
    ink = colors.HexColor(colour)
    canvas.setStrokeColor(ink)
    canvas.setFillColor(ink)
    centre_x, centre_y = x + size / 2, y + size / 2
    for ring in RINGS:
        canvas.setLineWidth(ring.width * size)
        canvas.circle(centre_x, centre_y, ring.radius * size, stroke=1, fill=0)
    for shape in FRONT:
        path = canvas.beginPath()
        (first_x, first_y), *rest = shape.points
        path.moveTo(x + first_x * size, y + first_y * size)
        for px, py in rest:
            path.lineTo(x + px * size, y + py * size)
        path.close()
        canvas.drawPath(path, stroke=0, fill=1)
    text_radius = (RINGS[0].radius + RINGS[1].radius) / 2 * size
    font_size = size * 0.062
    for text, on_top in ((upper, True), (lower, False)):
        if text:
            _along_the_ring(canvas, text, centre_x, centre_y, text_radius, font, font_size, on_top)
    canvas.restoreState()


def _along_the_ring(
    canvas: Canvas,
    text: str,
    cx: float,
    cy: float,
    radius: float,
    font: str,
    size: float,
    on_top: bool,
) -> None:
    """Letters centred on the top (read left to right, clockwise) or bottom (counter-clockwise) of a circle."""
    canvas.setFont(font, size)
    # Letters sit on a circle slightly inside or outside the middle, so that they centre on it.
    baseline = radius - size * 0.35 if on_top else radius + size * 0.35
    widths = [canvas.stringWidth(char, font, size) * 1.08 for char in text]
    span = sum(widths) / baseline
    angle = pi / 2 + span / 2 if on_top else -pi / 2 - span / 2
    for char, width in zip(text, widths, strict=True):
        step = width / baseline
        middle = angle - step / 2 if on_top else angle + step / 2
        canvas.saveState()
        canvas.translate(cx + baseline * cos(middle), cy + baseline * sin(middle))
        canvas.rotate((middle - pi / 2 if on_top else middle + pi / 2) * 180 / pi)
        canvas.drawCentredString(0, 0, char)
        canvas.restoreState()
        angle = angle - step if on_top else angle + step


def svg(*, colour: str = ACCENT, title: str = "") -> str:
    """The emblem (rings and front) as an SVG element for a page; `title` is its text alternative."""
    parts = [
        f'<circle cx="50" cy="50" r="{ring.radius * 100:g}" fill="none" stroke="{colour}" '
        f'stroke-width="{ring.width * 100:g}"/>'
        for ring in RINGS
    ]
    for shape in FRONT:
        points = " ".join(f"{px * 100:g},{100 - py * 100:g}" for px, py in shape.points)
        parts.append(f'<polygon points="{points}" fill="{colour}"/>')
    label = f'role="img" aria-label="{html.escape(title)}"' if title else 'aria-hidden="true"'
    return f'<svg class="emblem" viewBox="0 0 100 100" {label} xmlns="http://www.w3.org/2000/svg">{"".join(parts)}</svg>'
