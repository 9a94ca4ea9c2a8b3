"""Issuing invoices and credit notes, numbered without gaps; the payer's billing details; the
accountant's export.

Each document is issued by an explicit call from the flow or service whose change causes it, inside
that transaction and under its series lock (series/locking.py): an invoice when an application first
owes the fee (flows/applications.py: accepted, or offered a place from the waiting list), a credit
note when what the member is charged comes down (flows/payments.settle after every ending and
payment; aid.services: a scholarship, an aid award) or when the payer changes. Services flush; the
request, job or command commits.
"""

import heapq
from collections.abc import Iterator
from datetime import datetime
from functools import cache

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import bindparam, func, select

from ..accounts.models import User
from ..audit.services import log_action
from ..core.clock import now
from ..core.errors import DomainError
from ..core.money import format_money
from ..core.prices import local_date
from ..core.statements import upsert
from ..core.wording import in_sentence
from ..enrollment.models import Application
from ..extensions import db
from ..pricing.models import Payment, Refund, RefundStatus
from ..pricing.services import account, invoice_lines, receipt_number
from ..series.locking import lock_series
from ..series.models import Series
from . import rules
from .models import BillingDetails, CreditNote, DocumentCounter, Invoice
from .rules import CREDIT_NOTE, CREDIT_REASONS, INVOICE, Payer, Period, payer_of

# -- numbering ------------------------------------------------------------------------------------

def _next_sequence(kind: str, year: int) -> int:
    """The next number of `kind` in `year`, from its counter row, made or incremented by one upsert. The
    row stays locked (PostgreSQL's row lock; SQLite's one writer) until this transaction ends: concurrent
    issues wait for each other, and a rolled-back issue takes its number back with it."""
    bump = (upsert(DocumentCounter).values(kind=kind, year=year, last=1)
            .on_conflict_do_update(index_elements=(DocumentCounter.kind, DocumentCounter.year),
                                   set_={"last": DocumentCounter.last + 1})
            .returning(DocumentCounter.last))
    return db.session.execute(bump).scalar_one()


def _issue_fields(kind: str) -> dict:
    """Number, date and the society's details for a document issued now."""
    config = current_app.config
    moment = now()
    issued_on = local_date(moment, config["SOCIETY_TIMEZONE"])
    sequence = _next_sequence(kind, issued_on.year)
    prefix = config["INVOICE_NUMBER_PREFIX"] if kind == INVOICE else config["CREDIT_NOTE_NUMBER_PREFIX"]
    return {"number": rules.document_number(prefix, issued_on.year, sequence), "year": issued_on.year,
            "sequence": sequence, "issued_at": moment, "issued_on": issued_on,
            "society_name": config["SOCIETY_NAME"], "society_address": config["SOCIETY_ADDRESS"],
            "society_tax_id": config["SOCIETY_TAX_ID"], "society_registration": config["SOCIETY_REGISTRATION"],
            "society_tax_note": config["SOCIETY_TAX_NOTE"]}


# -- invoices -------------------------------------------------------------------------------------

def current_invoice(application) -> Invoice | None:
    """The invoice the member is asked to pay now: the latest issued (earlier ones were replaced)."""
    return max(application.invoices, key=lambda i: i.id, default=None)


def billing_details(application) -> BillingDetails | None:
    return db.session.get(BillingDetails, application.id)


def payer_for(application) -> Payer:
    details = billing_details(application)
    user = application.user
    if details is None:
        return Payer(name=user.name, email=user.email)
    return Payer(name=user.name, email=user.email, organisation=details.organisation, address=details.address,
                 po_reference=details.po_reference, tax_id=details.tax_id)


def _description(application) -> str:
    series = application.series
    leaders = " and ".join(leader.name for leader in series.leaders)
    text = f"{series.title}, led by {leaders}; {len(series.live_meetings)} online meetings"
    if series.first_start:
        text += (f", {local_date(series.first_start, series.timezone).isoformat()} to "
                 f"{local_date(series.last_end, series.timezone).isoformat()}")
    return text


def issue_invoice(application, actor, *, replaces: Invoice | None = None) -> Invoice:
    """The invoice for an application that now owes its fee (an offer or a place), once: an application
    invoiced before keeps its invoice, unless this one `replaces` it. The caller holds the series lock."""
    if replaces is None and (existing := current_invoice(application)) is not None:
        return existing
    lines = invoice_lines(application)
    invoice = Invoice(application=application, **payer_for(application).columns(), **_issue_fields(INVOICE),
                      description=_description(application), lines=[line.to_api() for line in lines],
                      currency=application.currency, total=sum((line.amount for line in lines), rules.ZERO),
                      payment_instructions=current_app.config["INVOICE_PAYMENT_INSTRUCTIONS"], replaces=replaces)
    db.session.add(invoice)
    db.session.flush()
    log_action(invoice, "invoice_issued", actor, data={
        "number": invoice.number, "total": format_money(invoice.total), "currency": invoice.currency,
        "organisation": invoice.payer_organisation, "replaces": replaces.number if replaces else None})
    return invoice


# -- credit notes ---------------------------------------------------------------------------------

def _credit(invoice: Invoice, amount, reason: str, actor, *, refund: Refund | None = None,
            wording: str | None = None) -> CreditNote:
    note = CreditNote(invoice=invoice, amount=amount, currency=invoice.currency, reason=reason,
                      reason_text=wording or CREDIT_REASONS[reason], refund=refund, **_issue_fields(CREDIT_NOTE))
    db.session.add(note)
    db.session.flush()
    log_action(note, "credit_note_issued", actor, reason=note.reason_text, data={
        "number": note.number, "invoice": invoice.number, "amount": format_money(amount), "currency": note.currency,
        "refund_id": refund.id if refund else None})
    return note


def credit_to_account(application, actor, reason: str, *, refund: Refund | None = None,
                      wording: str | None = None) -> CreditNote | None:
    """A credit note against the current invoice for whatever it asks beyond what the member is now
    charged (pricing.services.account), if anything; None when the documents already agree or no
    invoice was issued. The caller holds the series lock. `reason` is a key of CREDIT_REASONS;
    `wording`, when given, is printed instead of its standard words (e.g. the aid programme's name)."""
    invoice = current_invoice(application)
    if invoice is None:
        return None
    amount = rules.credit_due(invoiced=invoice.total, credited=invoice.credited, charged=account(application).charged)
    return _credit(invoice, amount, reason, actor, refund=refund, wording=wording) if amount > 0 else None


# -- the payer ------------------------------------------------------------------------------------

def save_billing_details(application, actor, *, organisation: str, address: str, po_reference: str,
                         tax_id: str) -> Invoice | None:
    """Record who pays. After issue an invoice is never changed: a new payer gets a new invoice for
    the same amount, and the old one is credited in full. Returns the invoice issued for the new
    payer, or None when none was (not yet invoiced, or nothing changed)."""
    lock_series(application.series_id)
    details = billing_details(application) or BillingDetails(application_id=application.id)
    given = {"organisation": organisation, "address": address, "po_reference": po_reference, "tax_id": tax_id}
    before = {name: getattr(details, name) or "" for name in given}
    if before == given:
        return None
    if not application.is_live:
        raise DomainError(_("This application is %(status)s: its invoices are settled. Ask the society if a "
                            "document needs correcting.", status=in_sentence(application.status_label)),
                          code="invoice_settled")
    invoice = current_invoice(application)
    for name, value in given.items():
        setattr(details, name, value)
    details.updated_at = now()
    db.session.add(details)
    db.session.flush()
    log_action(application, "payer_changed", actor,
               changes={name: [before[name], value] for name, value in given.items() if before[name] != value},
               data={"invoice": invoice.number if invoice else None})
    if invoice is None or payer_of(invoice) == payer_for(application):
        return None
    remaining = invoice.total - invoice.credited
    if remaining > 0:
        _credit(invoice, remaining, "payer_changed", actor)
    return issue_invoice(application, actor, replaces=invoice)


# -- reading --------------------------------------------------------------------------------------

@cache
def _series_invoice_numbers():
    # Built once, the series bound as it runs: its hundreds of applications need no list of ids.
    latest = (select(func.max(Invoice.id)).join(Application, Application.id == Invoice.application_id)
              .where(Application.series_id == bindparam("series_id")).group_by(Invoice.application_id))
    return select(Invoice.application_id, Invoice.number).where(Invoice.id.in_(latest))


def invoice_numbers(series_id: int) -> dict[int, str]:
    """The current invoice number of each application of a series that has one, in one query."""
    rows = db.session.execute(_series_invoice_numbers(), {"series_id": series_id}).all()
    return {application_id: number for application_id, number in rows}


def _latest_invoice_per_application():
    return (select(Invoice.application_id, func.max(Invoice.id).label("invoice_id"))
            .where(Invoice.application_id.is_not(None)).group_by(Invoice.application_id).subquery())


EXPORT_COLUMNS = ("date", "document", "number", "invoice", "payer", "email", "organisation", "tax_id",
                  "po_reference", "group", "currency", "amount", "method", "reference", "reason")
# Within a day, documents come before the money that moved on them.
_ORDER = {"invoice": 0, "credit_note": 1, "payment": 2, "refund": 3}


def accountant_rows(period: Period) -> Iterator[list[str]]:
    """One row per document in the period (invoices, credit notes, payments received, refunds paid out),
    by date: four queries, read in batches and merged, whatever the period holds. Amounts are signed
    as the society's books see them: what is invoiced or received positive, what is credited or paid back
    negative (no tax is added: any tax note is on the documents)."""
    tz = current_app.config["SOCIETY_TIMEZONE"]
    start, end = period.instants(tz)
    latest = _latest_invoice_per_application()
    current = db.aliased(Invoice)

    def day(instant: datetime) -> str:
        return local_date(instant, tz).isoformat()

    def invoices():
        replaced = db.aliased(Invoice)
        query = (select(Invoice, Series.title, replaced.number)
                 .outerjoin(Application, Application.id == Invoice.application_id)
                 .outerjoin(Series, Series.id == Application.series_id)
                 .outerjoin(replaced, replaced.id == Invoice.replaces_id)
                 .where(Invoice.issued_on >= period.first, Invoice.issued_on <= period.last)
                 .order_by(Invoice.issued_on, Invoice.sequence))
        for invoice, title, replaces in db.session.execute(query.execution_options(yield_per=500)):
            yield [invoice.issued_on.isoformat(), "invoice", invoice.number, invoice.number, invoice.payer_name,
                   invoice.payer_email, invoice.payer_organisation, invoice.payer_tax_id, invoice.payer_po_reference,
                   title or "", invoice.currency, format_money(invoice.total), "", "",
                   f"replaces {replaces}" if replaces else ""]

    def credit_notes():
        query = (select(CreditNote, Invoice, Series.title).join(Invoice, Invoice.id == CreditNote.invoice_id)
                 .outerjoin(Application, Application.id == Invoice.application_id)
                 .outerjoin(Series, Series.id == Application.series_id)
                 .where(CreditNote.issued_on >= period.first, CreditNote.issued_on <= period.last)
                 .order_by(CreditNote.issued_on, CreditNote.sequence))
        for note, invoice, title in db.session.execute(query.execution_options(yield_per=500)):
            yield [note.issued_on.isoformat(), "credit_note", note.number, invoice.number, invoice.payer_name,
                   invoice.payer_email, invoice.payer_organisation, invoice.payer_tax_id, invoice.payer_po_reference,
                   title or "", note.currency, format_money(-note.amount), "", "", note.reason_text]

    def money(model, instant, amount_sign, number_of, method, reference, where):
        query = (select(model, User.name, User.email, Series.title, current.number, current.payer_organisation,
                        current.payer_tax_id, current.payer_po_reference)
                 .join(Application, Application.id == model.application_id).join(User, User.id == Application.user_id)
                 .join(Series, Series.id == Application.series_id)
                 .outerjoin(latest, latest.c.application_id == Application.id)
                 .outerjoin(current, current.id == latest.c.invoice_id)
                 .where(instant >= start, instant < end, *where).order_by(instant, model.id))
        kind = "payment" if model is Payment else "refund"
        for row, name, email, title, number, organisation, tax_id, po in db.session.execute(
                query.execution_options(yield_per=500)):
            yield [day(getattr(row, instant.key)), kind, number_of(row), number or "", name, email,
                   organisation or "", tax_id or "", po or "", title, row.currency,
                   format_money(amount_sign * row.amount), method(row), reference(row),
                   "" if model is Payment else row.reason.replace("_", " ")]

    payments = money(Payment, Payment.received_at, 1, receipt_number, lambda p: p.method, lambda p: p.reference, ())
    refunds = money(Refund, Refund.paid_at, -1, lambda r: f"refund {r.id}", lambda r: "refund",
                    lambda r: r.paid_reference, (Refund.status == RefundStatus.PAID, Refund.amount > rules.ZERO))
    yield from heapq.merge(invoices(), credit_notes(), payments, refunds, key=lambda row: (row[0], _ORDER[row[1]]))
