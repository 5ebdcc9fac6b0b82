"""The printable certificate: A4 landscape, in the language asked for, signed, with a QR code of its verification link.

The text is the wording frozen at issue; only the labels around it come from here. The font
is Bitstream Vera (shipped with reportlab), embedded so accents print the same everywhere.
Every date is a day in the certificate's one zone (the run's), which the page names.

Layout, top to bottom: the emblem; issuer and program; the heading; "awarded to" and the holder;
the statement; then a band with the signature block (left), hours and dates (centre) and the QR
code (right); the code, link and zone in the footer. A faint large emblem lies behind the text.
"""

import io
from collections.abc import Sequence
from pathlib import Path

import reportlab
from reportlab.graphics import renderPDF
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm
from reportlab.lib.utils import simpleSplit
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

from ..domain.certificates import Certificate, Signatory
from ..domain.codes import formatted
from . import emblem
from .certificate_texts import LABELS, dates_in, day, hours

_FONTS = Path(reportlab.__file__).parent / "fonts"
REGULAR, BOLD, ITALIC = "Vera", "Vera-Bold", "Vera-Italic"
WIDTH, HEIGHT = landscape(A4)
ACCENT = colors.HexColor(emblem.ACCENT)
INK = colors.HexColor("#222222")
MUTED = colors.HexColor("#666666")
WATERMARK = "#f8f2f4"
MARGIN = 10 * mm
"""From the page's edge to the outer border; nothing is drawn outside it."""


def _register_fonts() -> None:
    if REGULAR not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont(REGULAR, str(_FONTS / "Vera.ttf")))
        pdfmetrics.registerFont(TTFont(BOLD, str(_FONTS / "VeraBd.ttf")))
        pdfmetrics.registerFont(TTFont(ITALIC, str(_FONTS / "VeraIt.ttf")))


def _lines(text: str, font: str, size: float, width: float) -> list[str]:
    return list(simpleSplit(text, font, size, width))


def _fitted(text: str, font: str, size: float, width: float, max_lines: int) -> tuple[float, list[str]]:
    """The largest size up to `size` at which `text` takes at most `max_lines` lines of `width`."""
    while size > 7:
        lines = _lines(text, font, size, width)
        if len(lines) <= max_lines:
            return size, lines
        size -= 0.5
    return size, _lines(text, font, size, width)


def _centred_lines(
    canvas: Canvas, lines: Sequence[str], x: float, top: float, font: str, size: float, leading: float = 1.3
) -> float:
    """Draws `lines` centred on `x`, the first baseline at `top`; returns the baseline after the last."""
    canvas.setFont(font, size)
    y = top
    for line in lines:
        canvas.drawCentredString(x, y, line)
        y -= size * leading
    return y


def _spaced(canvas: Canvas, text: str, x: float, y: float, font: str, size: float, spacing: float) -> None:
    """Capitals with letter spacing, centred on `x`."""
    width = canvas.stringWidth(text, font, size) + spacing * (len(text) - 1)
    canvas.saveState()  # the character spacing would stay with the page's later text
    text_object = canvas.beginText(x - width / 2, y)
    text_object.setFont(font, size)
    text_object.setCharSpace(spacing)
    text_object.textOut(text)
    canvas.drawText(text_object)
    canvas.restoreState()


def _frame(canvas: Canvas) -> None:
    """A double border with a small diamond at each inner corner."""
    canvas.setStrokeColor(ACCENT)
    canvas.setLineWidth(2.4)
    canvas.rect(MARGIN, MARGIN, WIDTH - 2 * MARGIN, HEIGHT - 2 * MARGIN)
    inset = MARGIN + 3.2 * mm
    canvas.setLineWidth(0.6)
    canvas.rect(inset, inset, WIDTH - 2 * inset, HEIGHT - 2 * inset)
    canvas.setFillColor(ACCENT)
    for cx, cy in (
        (inset, inset),
        (WIDTH - inset, inset),
        (inset, HEIGHT - inset),
        (WIDTH - inset, HEIGHT - inset),
    ):
        path = canvas.beginPath()
        path.moveTo(cx, cy - 2.2 * mm)
        path.lineTo(cx + 2.2 * mm, cy)
        path.lineTo(cx, cy + 2.2 * mm)
        path.lineTo(cx - 2.2 * mm, cy)
        path.close()
        canvas.drawPath(path, stroke=0, fill=1)


def _ornament(canvas: Canvas, y: float) -> None:
    """A rule broken by a diamond, between the heading and the holder."""
    canvas.setStrokeColor(ACCENT)
    canvas.setFillColor(ACCENT)
    canvas.setLineWidth(0.7)
    half = 32 * mm
    canvas.line(WIDTH / 2 - half, y, WIDTH / 2 - 3 * mm, y)
    canvas.line(WIDTH / 2 + 3 * mm, y, WIDTH / 2 + half, y)
    path = canvas.beginPath()
    path.moveTo(WIDTH / 2, y - 1.5 * mm)
    path.lineTo(WIDTH / 2 + 1.5 * mm, y)
    path.lineTo(WIDTH / 2, y + 1.5 * mm)
    path.lineTo(WIDTH / 2 - 1.5 * mm, y)
    path.close()
    canvas.drawPath(path, stroke=0, fill=1)


def _signature_block(canvas: Canvas, signatory: Signatory, language: str, x: float, y: float) -> None:
    """The coordination's signature: a line to sign on, the name, the role."""
    width = 72 * mm
    canvas.setStrokeColor(INK)
    canvas.setLineWidth(0.6)
    canvas.line(x - width / 2, y, x + width / 2, y)
    canvas.setFillColor(INK)
    size, lines = _fitted(signatory.name, BOLD, 11, width, 1)
    below = _centred_lines(canvas, lines, x, y - 5 * mm, BOLD, size)
    canvas.setFillColor(MUTED)
    size, lines = _fitted(signatory.role.in_language(language), REGULAR, 9, width, 2)
    _centred_lines(canvas, lines, x, below - 0.5 * mm, REGULAR, size, leading=1.25)


def _facts(canvas: Canvas, certificate: Certificate, language: str, y: float) -> None:
    """Hours, completion and issue in a row of three, label over value."""
    labels = LABELS[language]
    facts = (
        (labels.hours, hours(certificate.hours, language)),
        (labels.completed, day(certificate.completed_on, language)),
        (labels.issued, day(certificate.issued_on, language)),
    )
    for column, (label, value) in enumerate(facts):
        x = WIDTH / 2 + (column - 1) * 72 * mm
        canvas.setFillColor(MUTED)
        _spaced(canvas, label.upper(), x, y, REGULAR, 7.5, 0.8)
        canvas.setFillColor(INK)
        canvas.setFont(BOLD, 11.5)
        canvas.drawCentredString(x, y - 5.5 * mm, value)


def _code(canvas: Canvas, code: str, url: str, language: str, x: float, y: float) -> None:
    """The verification code, large, and where to verify it."""
    labels = LABELS[language]
    canvas.setFillColor(MUTED)
    _spaced(canvas, labels.code.upper(), x, y, REGULAR, 7.5, 0.8)
    canvas.setFillColor(INK)
    canvas.setFont(BOLD, 13)
    canvas.drawCentredString(x, y - 6.5 * mm, code)
    canvas.setFillColor(MUTED)
    canvas.setFont(REGULAR, 8)
    canvas.drawCentredString(x, y - 12 * mm, f"{labels.verify}:")
    canvas.setFillColor(INK)
    size, lines = _fitted(url, REGULAR, 8, 95 * mm, 1)
    _centred_lines(canvas, lines, x, y - 16 * mm, REGULAR, size)


def _qr(canvas: Canvas, url: str, x: float, y: float, size: float) -> None:
    widget = QrCodeWidget(url, barLevel="M", barBorder=0)
    x0, y0, x1, y1 = widget.getBounds()
    drawing = Drawing(size, size, transform=[size / (x1 - x0), 0, 0, size / (y1 - y0), 0, 0])
    drawing.add(widget)
    renderPDF.draw(drawing, canvas, x, y)


def render(certificate: Certificate, language: str, verification_url: str, signatory: Signatory) -> bytes:
    """The certificate as a one-page PDF in `language` (es, pt or en), signed by `signatory` (the one kept
    with the certificate, or for certificates issued before signatures were kept, the one configured)."""
    _register_fonts()
    labels = LABELS[language]
    wording = certificate.wording
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=(WIDTH, HEIGHT), pageCompression=1)
    canvas.setTitle(f"{wording.heading.in_language(language)} - {certificate.holder_name}")
    canvas.setAuthor(wording.issuer)
    canvas.setSubject(wording.title.in_language(language))

    watermark = 150 * mm
    emblem.draw(
        canvas, (WIDTH - watermark) / 2, (HEIGHT - watermark) / 2 - 8 * mm, watermark, colour=WATERMARK
    )
    _frame(canvas)

    centre = WIDTH / 2
    seal = 34 * mm
    emblem.draw(
        canvas,
        centre - seal / 2,
        HEIGHT - MARGIN - 7 * mm - seal,
        seal,
        upper=wording.issuer.upper(),
        lower=labels.programme.upper(),
        font=BOLD,
    )
    canvas.setFillColor(ACCENT)
    _spaced(canvas, wording.issuer.upper(), centre, 145 * mm, BOLD, 12, 2.2)
    canvas.setFillColor(MUTED)
    canvas.setFont(REGULAR, 10)
    canvas.drawCentredString(centre, 139.5 * mm, labels.programme)

    text_width = WIDTH - 80 * mm
    canvas.setFillColor(INK)
    size, lines = _fitted(wording.heading.in_language(language), BOLD, 30, text_width, 1)
    _centred_lines(canvas, lines, centre, 124 * mm, BOLD, size)
    _ornament(canvas, 116.5 * mm)
    canvas.setFillColor(MUTED)
    canvas.setFont(ITALIC, 11)
    canvas.drawCentredString(centre, 108 * mm, labels.awarded_to)
    canvas.setFillColor(ACCENT)
    size, lines = _fitted(certificate.holder_name, BOLD, 26, text_width, 1)
    _centred_lines(canvas, lines, centre, 96 * mm, BOLD, size)

    canvas.setFillColor(INK)
    size, lines = _fitted(wording.statement.in_language(language), REGULAR, 13, WIDTH - 70 * mm, 3)
    _centred_lines(canvas, lines, centre, 85 * mm, REGULAR, size, leading=1.4)

    _facts(canvas, certificate, language, 63 * mm)
    _signature_block(canvas, signatory, language, centre - 97 * mm, 38 * mm)
    _code(canvas, formatted(certificate.code), verification_url, language, centre, 44 * mm)
    qr = 28 * mm
    _qr(canvas, verification_url, centre + 97 * mm - qr / 2, 24 * mm, qr)

    canvas.setFillColor(MUTED)
    canvas.setFont(REGULAR, 7.5)
    canvas.drawCentredString(centre, 18.5 * mm, dates_in(wording.timezone, language))
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()
