"""Invoices, receipts, paying, and taking up the complimentary membership."""

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select

from ..enrollment.models import Application
from ..extensions import db
from .card_models import CHECKOUT_OUTCOMES, CheckoutSession
from .models import PAYMENT_METHODS, MembershipOffer, Payment
from .providers import configured_provider
from .services import account, invoice_lines, invoice_number, receipt_number, take_up_membership_offer

bp = Blueprint("pricing", __name__)


def _require_money_view(application: Application) -> None:
    # Money is between the member and the society: leaders see payment status on the roster only.
    # Anyone else is told there is no such invoice, as for an unused id.
    if application.user_id != current_user.id and not current_user.is_admin:
        abort(404)


@bp.get("/applications/<int:application_id>/invoice")
@login_required
def invoice(application_id):
    application = db.get_or_404(Application, application_id)
    _require_money_view(application)
    return render_template("pricing/invoice.html", application=application, series=application.series,
                           number=invoice_number(application), lines=invoice_lines(application),
                           account=account(application), tz=application.user.timezone,
                           address=current_app.config["SOCIETY_ADDRESS"],
                           instructions=current_app.config["INVOICE_PAYMENT_INSTRUCTIONS"])


@bp.get("/payments/<int:payment_id>/receipt")
@login_required
def receipt(payment_id):
    payment = db.get_or_404(Payment, payment_id)
    application = payment.application
    _require_money_view(application)
    return render_template("pricing/receipt.html", payment=payment, application=application,
                           series=application.series, number=receipt_number(payment),
                           invoice=invoice_number(application), tz=application.user.timezone, methods=PAYMENT_METHODS,
                           address=current_app.config["SOCIETY_ADDRESS"])


@bp.post("/applications/<int:application_id>/pay")
@login_required
def pay(application_id):
    application = db.get_or_404(Application, application_id)
    if application.user_id != current_user.id:
        abort(404)
    step = configured_provider().start_payment(application)
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
        CheckoutSession.application_id == application.id, CheckoutSession.stripe_id == request.args.get("session_id", "")))
    if checkout is None:
        abort(404)
    return render_template("pricing/card_payment.html", application=application, series=application.series,
                           checkout=checkout, heading=CHECKOUT_OUTCOMES[checkout.outcome], account=account(application),
                           tz=current_user.timezone)


@bp.post("/membership-offers/<int:offer_id>/accept")
@login_required
def take_up_offer(offer_id):
    offer = db.get_or_404(MembershipOffer, offer_id)
    membership = take_up_membership_offer(offer, current_user)
    flash(f"Welcome to the society: your complimentary membership runs until {membership.expires_on.isoformat()}.",
          "success")
    return redirect(url_for("pages.home"))
