"""Invoices, credit notes and receipts as PDFs (fpdf2), laid out one way.

Invoices and credit notes print only what was stored when they were issued, so the same document
comes out byte-identical on every download; a receipt prints the payment as recorded and the
society's details as configured now.
"""

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from decimal import Decimal

from flask import current_app
from fpdf import FPDF

from ..core.pdf import unicode_font
from ..core.prices import local_date
from ..pricing.models import PAYMENT_METHODS
from ..pricing.services import receipt_number
from .models import CreditNote, Invoice


def _money(amount: Decimal, currency: str) -> str:
    return f"{amount:,.2f} {currency}"


@dataclass
class _Sheet:
    """One document as printed: headed by the society, addressed to someone, with lines and a total."""

    title: str
    dated: date
    author: str
    society: list[str]
    addressed: tuple[str, list[str]]
    facts: list[tuple[str, str]] = field(default_factory=list)
    lines: list[tuple[str, str]] = field(default_factory=list)
    total: tuple[str, str] | None = None
    notes: list[str] = field(default_factory=list)


def _society(name: str, address: str, tax_id: str, registration: str) -> list[str]:
    lines = [name, *[line for line in address.splitlines() if line.strip() and line.strip() != name]]
    if tax_id:
        lines.append(f"Tax id / VAT number: {tax_id}")
    if registration:
        lines.append(registration)
    return lines


def _issued_society(document) -> list[str]:
    return _society(document.society_name, document.society_address, document.society_tax_id,
                    document.society_registration)


def _payer(invoice: Invoice) -> list[str]:
    lines = [invoice.payer_organisation] if invoice.payer_organisation else []
    lines += [line for line in invoice.payer_address.splitlines() if line.strip()]
    if invoice.payer_tax_id:
        lines.append(f"Tax id / VAT number: {invoice.payer_tax_id}")
    lines.append(f"{'For' if invoice.payer_organisation else ''} {invoice.payer_name} ({invoice.payer_email})".strip())
    return lines


def _render(sheet: _Sheet) -> bytes:
    pdf = FPDF(format="A4")
    pdf.set_title(sheet.title)
    pdf.set_author(sheet.author)
    # A fixed creation date keeps the same document byte-identical on every download.
    pdf.set_creation_date(datetime.combine(sheet.dated, time(), tzinfo=UTC))
    pdf.set_auto_page_break(True, margin=20)
    pdf.add_page()
    family, unicode_ok = unicode_font(pdf)
    width = pdf.epw

    def text(value: str) -> str:
        return value if unicode_ok else value.encode("latin-1", "replace").decode("latin-1")

    def block(lines, size=10, *, bold_first=False, align="L"):
        for n, line in enumerate(lines):
            pdf.set_font(family, "B" if bold_first and n == 0 else "", size)
            pdf.multi_cell(0, size * 0.5, text(line), align=align, new_x="LMARGIN", new_y="NEXT")

    block(sheet.society, bold_first=True, align="R")
    pdf.ln(6)
    pdf.set_font(family, "B", 18)
    pdf.cell(0, 10, text(sheet.title), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(family, "", 10)
    pdf.cell(0, 6, text(f"Date: {sheet.dated.isoformat()}"), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    heading, addressee = sheet.addressed
    pdf.set_font(family, "B", 10)
    pdf.cell(0, 6, text(heading), new_x="LMARGIN", new_y="NEXT")
    block(addressee)
    pdf.ln(4)
    for label, value in sheet.facts:
        pdf.set_font(family, "B", 10)
        pdf.cell(45, 5, text(label))
        pdf.set_font(family, "", 10)
        pdf.multi_cell(0, 5, text(value), new_x="LMARGIN", new_y="NEXT")
    if sheet.lines:
        pdf.ln(4)
        pdf.set_font(family, "B", 10)
        pdf.cell(width - 45, 7, text("Description"), border="B")
        pdf.cell(45, 7, text("Amount"), border="B", align="R", new_x="LMARGIN", new_y="NEXT")
        pdf.set_font(family, "", 10)
        for label, amount in sheet.lines:
            # A long label wraps; its amount stays beside its first line.
            top = pdf.get_y()
            pdf.multi_cell(width - 45, 6, text(label), new_x="LMARGIN", new_y="NEXT")
            bottom = pdf.get_y()
            pdf.set_xy(pdf.l_margin + width - 45, top)
            pdf.cell(45, 6, text(amount), align="R")
            pdf.set_y(bottom)
    if sheet.total:
        pdf.set_font(family, "B", 11)
        pdf.cell(width - 45, 8, text(sheet.total[0]), border="T")
        pdf.cell(45, 8, text(sheet.total[1]), border="T", align="R", new_x="LMARGIN", new_y="NEXT")
    if sheet.notes:
        pdf.ln(6)
        block(sheet.notes, 9)
    return bytes(pdf.output())


def render_invoice(invoice: Invoice) -> bytes:
    facts = [("Invoice number", invoice.number), ("For", invoice.description)]
    if invoice.payer_po_reference:
        facts.append(("Purchase order", invoice.payer_po_reference))
    if invoice.replaces is not None:
        facts.append(("Replaces", f"invoice {invoice.replaces.number} (cancelled by a credit note)"))
    notes = [invoice.society_tax_note] if invoice.society_tax_note else []
    if invoice.payment_instructions:
        notes += [invoice.payment_instructions, f"Please quote {invoice.number} as the payment reference."]
    return _render(_Sheet(
        title=f"Invoice {invoice.number}", dated=invoice.issued_on, author=invoice.society_name,
        society=_issued_society(invoice), addressed=("Billed to", _payer(invoice)), facts=facts,
        lines=[(label, _money(amount, invoice.currency)) for label, amount in invoice.items],
        total=("Total", _money(invoice.total, invoice.currency)), notes=notes))


def render_credit_note(note: CreditNote) -> bytes:
    invoice = note.invoice
    facts = [("Credit note number", note.number),
             ("Credits invoice", f"{invoice.number} of {invoice.issued_on.isoformat()}"),
             ("For", invoice.description)]
    if invoice.payer_po_reference:
        facts.append(("Purchase order", invoice.payer_po_reference))
    if note.refund is not None:
        facts.append(("Refund", f"{_money(note.refund.amount, note.refund.currency)} owed back, due by "
                                f"{note.refund.due_by.isoformat()}"))
    return _render(_Sheet(
        title=f"Credit note {note.number}", dated=note.issued_on, author=note.society_name,
        society=_issued_society(note), addressed=("Credited to", _payer(invoice)), facts=facts,
        lines=[(note.reason_text, _money(-note.amount, note.currency))],
        total=("Total credited", _money(note.amount, note.currency)),
        notes=[note.society_tax_note] if note.society_tax_note else []))


def render_receipt(payment, invoice: Invoice | None) -> bytes:
    config = current_app.config
    application = payment.application
    user = application.user
    method = PAYMENT_METHODS.get(payment.method, payment.method)
    facts = [("Receipt number", receipt_number(payment)),
             ("Method", f"{method}, reference {payment.reference}" if payment.reference else method),
             ("For", application.series.title + (f", invoice {invoice.number}" if invoice else ""))]
    addressee = ([invoice.payer_organisation] if invoice and invoice.payer_organisation else []) + [
        f"{user.name} ({user.email})"]
    return _render(_Sheet(
        title=f"Receipt {receipt_number(payment)}", dated=local_date(payment.received_at, config["SOCIETY_TIMEZONE"]),
        author=config["SOCIETY_NAME"], society=_society(config["SOCIETY_NAME"], config["SOCIETY_ADDRESS"],
                                                        config["SOCIETY_TAX_ID"], config["SOCIETY_REGISTRATION"]),
        addressed=("Received from", addressee), facts=facts,
        total=("Amount received", _money(payment.amount, payment.currency)), notes=["Thank you."]))
