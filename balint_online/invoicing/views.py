"""Invoices, receipts and credit notes (pages and PDFs), the payer's billing details, paying, and
taking up the complimentary membership."""

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from ..core.errors import DomainError
from ..core.forms import attach_domain_error
from ..core.pricecategories import LABELS
from ..enrollment.models import Application
from ..extensions import db
from ..pricing.card_models import CHECKOUT_OUTCOMES, CheckoutSession
from ..pricing.models import PAYMENT_METHODS, MembershipOffer, Payment
from ..pricing.providers import configured_provider, pays_online
from ..pricing.services import account, receipt_number, take_up_membership_offer
from . import pdf
from .forms import BillingForm
from .models import CreditNote, Invoice
from .services import billing_details, current_invoice, save_billing_details

bp = Blueprint("pricing", __name__)


@bp.app_template_filter("category_label")
def category_label(key: str) -> str:
    """A price category's name for people (core/pricecategories.py), for a price table's row."""
    return _(LABELS[key]) if key in LABELS else key


def _require_money_view(application: Application | None) -> None:
    # Money is between the member and the society: leaders see payment status on the roster only.
    # Anyone else is told there is no such invoice, as for an unused id.
    if application is None or (application.user_id != current_user.id and not current_user.is_admin):
        abort(404)


def _pdf(content: bytes, name: str):
    return content, 200, {"Content-Type": "application/pdf", "Content-Disposition": f'inline; filename="{name}.pdf"'}


def _invoice_page(application: Application, form: BillingForm | None = None, status: int = 200):
    invoice = current_invoice(application)
    if invoice is None and not application.is_live:
        abort(404)  # it ended before the fee was owed: no invoice was ever issued
    form = form or BillingForm(formdata=None, obj=billing_details(application))
    invoices = sorted(application.invoices, key=lambda i: i.id)
    return render_template("pricing/invoice.html", application=application, series=application.series,
                           invoice=invoice, earlier=invoices[:-1],
                           credit_notes=[note for i in invoices for note in i.credit_notes],
                           account=account(application), tz=application.user.timezone, form=form,
                           can_change_payer=application.is_live, pays_online=pays_online()), status


@bp.get("/applications/<int:application_id>/invoice")
@login_required
def invoice(application_id):
    application = db.get_or_404(Application, application_id)
    _require_money_view(application)
    return _invoice_page(application)


@bp.post("/applications/<int:application_id>/billing")
@login_required
def billing(application_id):
    application = db.get_or_404(Application, application_id)
    _require_money_view(application)
    form = BillingForm()
    if form.validate_on_submit():
        try:
            reissued = save_billing_details(application, current_user, **form.details())
        except DomainError as exc:
            attach_domain_error(form, exc, "organisation")
        else:
            db.session.commit()
            if reissued:
                assert reissued.replaces is not None  # a reissue replaces the earlier invoice
                flash(_("Invoice %(number)s is issued to the new payer; the earlier invoice %(earlier)s is "
                        "cancelled by a credit note.", number=reissued.number, earlier=reissued.replaces.number),
                      "success")
            else:
                flash(_("Billing details saved."), "success")
            return redirect(url_for(".invoice", application_id=application.id))
    return _invoice_page(application, form=form, status=422)


@bp.get("/applications/<int:application_id>/invoice.pdf")
@login_required
def invoice_pdf(application_id):
    application = db.get_or_404(Application, application_id)
    _require_money_view(application)
    if (issued := current_invoice(application)) is None:
        abort(404)
    return _pdf(pdf.render_invoice(issued), f"invoice-{issued.number}")


@bp.get("/invoices/<int:invoice_id>.pdf")
@login_required
def issued_invoice_pdf(invoice_id):
    """Any invoice by id, the replaced ones included."""
    issued = db.get_or_404(Invoice, invoice_id)
    _require_money_view(issued.application)
    return _pdf(pdf.render_invoice(issued), f"invoice-{issued.number}")


@bp.get("/credit-notes/<int:credit_note_id>.pdf")
@login_required
def credit_note_pdf(credit_note_id):
    note = db.get_or_404(CreditNote, credit_note_id)
    _require_money_view(note.application)
    return _pdf(pdf.render_credit_note(note), f"credit-note-{note.number}")


def _receipt(payment_id):
    payment = db.get_or_404(Payment, payment_id)
    _require_money_view(payment.application)
    return payment, current_invoice(payment.application)


@bp.get("/payments/<int:payment_id>/receipt")
@login_required
def receipt(payment_id):
    payment, invoiced = _receipt(payment_id)
    application = payment.application
    return render_template("pricing/receipt.html", payment=payment, application=application,
                           series=application.series, number=receipt_number(payment), invoice=invoiced,
                           tz=application.user.timezone,
                           methods={key: _(words) for key, words in PAYMENT_METHODS.items()},
                           address=current_app.config["SOCIETY_ADDRESS"])


@bp.get("/payments/<int:payment_id>/receipt.pdf")
@login_required
def receipt_pdf(payment_id):
    payment, invoiced = _receipt(payment_id)
    return _pdf(pdf.render_receipt(payment, invoiced), f"receipt-{receipt_number(payment)}")


@bp.post("/applications/<int:application_id>/pay")
@login_required
def pay(application_id):
    application = db.get_or_404(Application, application_id)
    if application.user_id != current_user.id:
        abort(404)
    # Owing, the member holds an issued invoice (services.issue_invoice), whose number the payment carries.
    invoice = current_invoice(application)
    step = configured_provider().start_payment(application, invoice.number if invoice is not None else None)
    db.session.commit()
    if step.instructions:
        flash(step.instructions, "info")
    return redirect(step.redirect_url)


@bp.get("/applications/<int:application_id>/card-payment")
@login_required
def card_payment(application_id):
    """Where Stripe Checkout sends the member back: what we know of their payment (from the webhook only)."""
    application = db.get_or_404(Application, application_id)
    if application.user_id != current_user.id:
        abort(404)
    checkout = db.session.scalar(select(CheckoutSession).where(
        CheckoutSession.application_id == application.id,
        CheckoutSession.stripe_id == request.args.get("session_id", "")))
    if checkout is None:
        abort(404)
    return render_template("pricing/card_payment.html", application=application, series=application.series,
                           checkout=checkout, heading=_(CHECKOUT_OUTCOMES[checkout.outcome]),
                           account=account(application), tz=current_user.timezone)


@bp.post("/membership-offers/<int:offer_id>/accept")
@login_required
def take_up_offer(offer_id):
    offer = db.get_or_404(MembershipOffer, offer_id)
    membership = take_up_membership_offer(offer, current_user)
    db.session.commit()
    flash(_("Welcome to the society: your complimentary membership runs until %(day)s.",
            day=membership.expires_on.isoformat()), "success")
    return redirect(url_for("pages.home"))
