"""The certificate as a PDF (fpdf2), from stored facts only."""

from datetime import UTC, datetime, time

from fpdf import FPDF

from ..core.pdf import unicode_font
from .rules import CertificateFacts


def render_certificate(facts: CertificateFacts) -> bytes:
    pdf = FPDF(orientation="landscape", format="A4")
    pdf.set_title(f"Certificate {facts.number}")
    pdf.set_author(facts.society)
    # A fixed creation date keeps the same certificate byte-identical on every download.
    pdf.set_creation_date(datetime.combine(facts.issued_on, time(), tzinfo=UTC))
    pdf.add_page()
    family, unicode_ok = unicode_font(pdf)

    def text(value: str) -> str:
        return value if unicode_ok else value.encode("latin-1", "replace").decode("latin-1")

    def line(value: str, size: int, *, bold: bool = False, gap: float = 4):
        pdf.set_font(family, "B" if bold else "", size)
        pdf.multi_cell(0, size * 0.5, text(value), align="C", new_x="LMARGIN", new_y="NEXT")
        pdf.ln(gap)

    pdf.set_draw_color(19, 94, 99)
    pdf.set_line_width(1.2)
    pdf.rect(10, 10, pdf.w - 20, pdf.h - 20)
    pdf.set_y(28)
    line(facts.society, 16, bold=True)
    line("Certificate of attendance", 28, bold=True, gap=8)
    line("This certifies that", 13)
    line(facts.member_name, 24, bold=True)
    line(f"attended {facts.meetings_attended} of {facts.meetings_held} meetings of the online Balint group", 13)
    line(f"\u201c{facts.series_title}\u201d", 16, bold=True)
    line(f"held from {facts.first_date:%-d %B %Y} to {facts.last_date:%-d %B %Y}, "
         f"led by {' and '.join(facts.leaders)},", 13)
    line(f"for a total of {facts.hours} hours.", 13, bold=True, gap=8)
    for credit in facts.credits:
        # Without a figure the body's statement says where the credit stands (e.g. "determination is pending").
        amount = f"{credit['amount']} {credit['credit_type']}" if credit["amount"] else credit["credit_type"]
        line(f"{credit['body_name']}: {amount}", 11, bold=True, gap=1)
        line(credit["statement"], 9, gap=3)
    for statement in facts.statements:
        line(statement, 10, gap=2)
    pdf.set_y(pdf.h - 30)
    pdf.set_font(family, "", 9)
    pdf.cell(0, 5, text(f"Certificate {facts.number} · issued {facts.issued_on:%-d %B %Y}"), align="C")
    return bytes(pdf.output())
