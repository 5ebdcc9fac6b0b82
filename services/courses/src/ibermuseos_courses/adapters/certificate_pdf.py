"""The printable certificate: A4 landscape, in the language asked for, with a QR code of its verification link.

The text is the wording frozen at issue; only the labels around it come from here. The font
is Bitstream Vera (shipped with reportlab), embedded so accents print the same everywhere.
"""

import io
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

from ..domain.certificates import Certificate, long_date
from ..domain.codes import formatted

_FONTS = Path(reportlab.__file__).parent / "fonts"
REGULAR, BOLD = "Vera", "Vera-Bold"
_LABELS = {
    "es": {
        "code": "Código de verificación",
        "verify": "Verifique este certificado en",
        "issued": "Emitido el",
    },
    "pt": {
        "code": "Código de verificação",
        "verify": "Verifique este certificado em",
        "issued": "Emitido em",
    },
    "en": {"code": "Verification code", "verify": "Verify this certificate at", "issued": "Issued on"},
}


def _register_fonts() -> None:
    if REGULAR not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont(REGULAR, str(_FONTS / "Vera.ttf")))
        pdfmetrics.registerFont(TTFont(BOLD, str(_FONTS / "VeraBd.ttf")))


def language_of(requested: str | None, fallback: str) -> str:
    """es, pt or en: the one asked for, else the holder's, else Spanish."""
    for candidate in (requested, fallback):
        primary = (candidate or "").split("-")[0].lower()
        if primary in _LABELS:
            return primary
    return "es"


def _centred(canvas: Canvas, text: str, y: float, font: str, size: float, width: float) -> float:
    canvas.setFont(font, size)
    for line in simpleSplit(text, font, size, width):
        canvas.drawCentredString(A4[1] / 2, y, line)
        y -= size * 1.35
    return y


def render(certificate: Certificate, language: str, verification_url: str) -> bytes:
    """The certificate as a one-page PDF in `language` (es, pt or en)."""
    _register_fonts()
    labels = _LABELS[language]
    wording = certificate.wording
    buffer = io.BytesIO()
    page_width, page_height = landscape(A4)
    canvas = Canvas(buffer, pagesize=(page_width, page_height), pageCompression=1)
    canvas.setTitle(f"{wording.heading.in_language(language)} - {certificate.holder_name}")
    canvas.setAuthor(wording.issuer)
    canvas.setSubject(wording.title.in_language(language))

    canvas.setStrokeColor(colors.HexColor("#7a1f2b"))
    canvas.setLineWidth(3)
    canvas.rect(12 * mm, 12 * mm, page_width - 24 * mm, page_height - 24 * mm)
    canvas.setLineWidth(0.8)
    canvas.rect(15 * mm, 15 * mm, page_width - 30 * mm, page_height - 30 * mm)

    text_width = page_width - 70 * mm
    canvas.setFillColor(colors.HexColor("#7a1f2b"))
    y = _centred(canvas, wording.issuer.upper(), page_height - 40 * mm, BOLD, 16, text_width)
    canvas.setFillColor(colors.black)
    y = _centred(canvas, wording.heading.in_language(language), y - 10 * mm, BOLD, 30, text_width)
    y = _centred(canvas, certificate.holder_name, y - 8 * mm, BOLD, 24, text_width)
    y = _centred(canvas, wording.statement.in_language(language), y - 6 * mm, REGULAR, 13, text_width)
    _centred(
        canvas,
        f"{labels['issued']} {long_date(certificate.issued_at.date(), language)}",
        y - 4 * mm,
        REGULAR,
        11,
        text_width,
    )

    qr_size = 34 * mm
    widget = QrCodeWidget(verification_url, barLevel="M")
    x0, y0, x1, y1 = widget.getBounds()
    drawing = Drawing(qr_size, qr_size, transform=[qr_size / (x1 - x0), 0, 0, qr_size / (y1 - y0), 0, 0])
    drawing.add(widget)
    renderPDF.draw(drawing, canvas, page_width - 25 * mm - qr_size, 22 * mm)

    canvas.setFont(REGULAR, 9)
    canvas.drawString(25 * mm, 34 * mm, f"{labels['code']}: {formatted(certificate.code)}")
    canvas.drawString(25 * mm, 29 * mm, f"{labels['verify']}:")
    canvas.drawString(25 * mm, 24 * mm, verification_url)
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()
