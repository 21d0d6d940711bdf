"""Printable documents in Chinese: one small builder over ReportLab for every app.

Agreements, written notices, dossiers, reports and incident logs are all built the same way:
a title, paragraphs, tables, an optional bar chart and signature lines, on A4 with page
numbers. The text uses ReportLab's built-in Adobe CID font STSong-Light, so no font file is
needed on the server (offline by design) and the PDF's text can be searched and extracted.

    doc = Document(_("Mediation agreement"), subtitle=case.number)
    doc.heading(_("Parties"))
    doc.table([[_("side"), _("name")], ["甲方", "张**"]])
    doc.paragraph(facts)
    doc.signatures([_("Applicant"), _("Respondent"), _("Mediator")])
    return pdf_response(doc.render(), f"{case.number}.pdf")
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import datetime
from xml.sax.saxutils import escape

from django.http import HttpResponse
from reportlab.graphics.charts.barcharts import VerticalBarChart
from reportlab.graphics.shapes import Drawing
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.platypus import (
    PageBreak,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

FONT = "STSong-Light"
pdfmetrics.registerFont(UnicodeCIDFont(FONT))

_BODY = ParagraphStyle("body", fontName=FONT, fontSize=10.5, leading=16, wordWrap="CJK")
_SMALL = ParagraphStyle("small", parent=_BODY, fontSize=9, leading=13)
_TITLE = ParagraphStyle("title", parent=_BODY, fontSize=18, leading=26, alignment=TA_CENTER)
_SUBTITLE = ParagraphStyle("subtitle", parent=_BODY, fontSize=10, alignment=TA_CENTER)
_HEADING = ParagraphStyle("heading", parent=_BODY, fontSize=13, leading=20, spaceBefore=8)


def _text(value: object) -> str:
    """Escape a value for a ReportLab paragraph (it reads a little XML), keeping line breaks."""
    return escape("" if value is None else str(value)).replace("\n", "<br/>")


class Document:
    """An A4 document assembled from blocks, rendered to PDF bytes by `render()`."""

    def __init__(self, title: str, *, subtitle: str = "", author: str = "civicgrid"):
        self.title = str(title)
        self.author = author
        self.story: list = [Paragraph(_text(self.title), _TITLE)]
        if subtitle:
            self.story.append(Paragraph(_text(subtitle), _SUBTITLE))
        self.story.append(Spacer(1, 6 * mm))

    def heading(self, text: str) -> Document:
        self.story.append(Paragraph(_text(text), _HEADING))
        return self

    def paragraph(self, text: str, *, small: bool = False) -> Document:
        self.story.append(Paragraph(_text(text), _SMALL if small else _BODY))
        return self

    def fields(self, pairs: Sequence[tuple[str, object]]) -> Document:
        """Label/value lines as a two-column table without a header."""
        rows = [[Paragraph(_text(k), _SMALL), Paragraph(_text(v), _BODY)] for k, v in pairs]
        if rows:
            table = Table(rows, colWidths=[40 * mm, None])
            table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP")]))
            self.story.append(table)
        return self

    def table(self, rows: Sequence[Sequence[object]], *, widths=None) -> Document:
        """A grid table whose first row is the header."""
        if not rows:
            return self
        cells = [[Paragraph(_text(c), _SMALL) for c in row] for row in rows]
        table = Table(cells, colWidths=widths, repeatRows=1)
        table.setStyle(
            TableStyle(
                [
                    ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
                    ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eef2f7")),
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ]
            )
        )
        self.story.append(table)
        self.story.append(Spacer(1, 3 * mm))
        return self

    def bar_chart(
        self, labels: Sequence[str], values: Sequence[float], *, height: float = 60 * mm
    ) -> Document:
        """A simple vertical bar chart (counts by day, by unit…)."""
        if not values:
            return self
        width = 170 * mm
        drawing = Drawing(width, height)
        chart = VerticalBarChart()
        chart.x, chart.y = 12 * mm, 12 * mm
        chart.width, chart.height = width - 20 * mm, height - 18 * mm
        chart.data = [list(values)]
        chart.categoryAxis.categoryNames = [str(label) for label in labels]
        chart.categoryAxis.labels.fontName = FONT
        chart.categoryAxis.labels.fontSize = 7
        chart.categoryAxis.labels.angle = 30 if len(labels) > 8 else 0
        chart.categoryAxis.labels.boxAnchor = "ne" if len(labels) > 8 else "n"
        chart.valueAxis.valueMin = 0
        chart.valueAxis.labels.fontSize = 7
        chart.bars[0].fillColor = colors.HexColor("#2f6fb0")
        drawing.add(chart)
        self.story.append(drawing)
        return self

    def signatures(self, roles: Sequence[str]) -> Document:
        """Lines for signatures and dates, one per role."""
        self.story.append(Spacer(1, 8 * mm))
        for role in roles:
            line = f"{_text(role)}: ____________________ &nbsp;&nbsp; ____ / __ / __"
            self.story.append(Paragraph(line, _BODY))
            self.story.append(Spacer(1, 4 * mm))
        return self

    def spacer(self, height_mm: float = 4) -> Document:
        self.story.append(Spacer(1, height_mm * mm))
        return self

    def page_break(self) -> Document:
        self.story.append(PageBreak())
        return self

    def render(self) -> bytes:
        buffer = io.BytesIO()
        printed = datetime.now().astimezone().strftime("%Y-%m-%d %H:%M")

        def footer(canvas, doc):
            canvas.saveState()
            canvas.setFont(FONT, 8)
            canvas.drawString(20 * mm, 10 * mm, f"{self.title} · {printed}")
            canvas.drawRightString(A4[0] - 20 * mm, 10 * mm, f"{doc.page}")
            canvas.restoreState()

        template = SimpleDocTemplate(
            buffer,
            pagesize=A4,
            title=self.title,
            author=self.author,
            leftMargin=20 * mm,
            rightMargin=20 * mm,
            topMargin=18 * mm,
            bottomMargin=18 * mm,
        )
        template.build(self.story, onFirstPage=footer, onLaterPages=footer)
        return buffer.getvalue()


def pdf_response(content: bytes, filename: str, *, inline: bool = True) -> HttpResponse:
    """Serve PDF bytes; `inline` opens it in the browser's viewer for printing."""
    response = HttpResponse(content, content_type="application/pdf")
    disposition = "inline" if inline else "attachment"
    response["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


def text_of(content: bytes) -> str:
    """The extracted text of a PDF (for tests and checks); needs pypdf (a dev dependency)."""
    from pypdf import PdfReader

    return "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(content)).pages)
