"""The administrators' pages: memberships, imports, scholarships, payments and refunds, series and their ledgers."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..accounts.models import MEMBERSHIP_KINDS, Membership, User
from ..aid.services import grant_scholarship
from ..audit.models import OBJECT_TYPES
from ..audit.services import entries as audit_entries
from ..core.csvfile import csv_download, csv_stream
from ..core.errors import DomainError, NotAllowed
from ..core.forms import attach_domain_error, required
from ..core.money import format_money
from ..core.pagination import requested_page
from ..enrollment.models import Application, ApplicationStatus
from ..extensions import db
from ..flows.payments import record_payment
from ..invoicing.rules import parse_period
from ..invoicing.services import EXPORT_COLUMNS, accountant_rows, current_invoice, invoice_numbers
from ..notifications import services as notifications
from ..notifications.models import OutboxMessage
from ..pagecache.kept import kept
from ..pricing.forms import PaymentForm, RefundPaidForm, ScholarshipForm
from ..pricing.models import PAYMENT_METHODS, Refund
from ..pricing.services import account, invoice_lines, mark_refund_paid, unsettled_places
from ..series.models import Series
from ..series.services import status_now
from . import services
from .forms import ExpiryForm, ImportForm, MembershipForm, RoleForm

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.before_request
@login_required
def admins_only():
    if not current_user.is_admin:
        abort(403)


@bp.get("/")
@kept
def index():
    owing, in_credit = unsettled_places(owing_page=requested_page("owing"), credit_page=requested_page("credit"))
    return render_template("admin/index.html", refunds=services.refunds_due(), paid=services.refunds_paid(),
                           owing=owing, in_credit=in_credit)


@bp.get("/log")
def audit_log():
    series_id = request.args.get("series", type=int)
    object_type = request.args.get("type", "")
    if object_type not in OBJECT_TYPES.values():
        object_type = ""
    log = audit_entries(series_id=series_id, object_type=object_type, before=request.args.get("before", type=int))
    return render_template("admin/audit.html", log=log, series_id=series_id, object_type=object_type,
                           object_types=list(OBJECT_TYPES.values()))


# -- memberships ------------------------------------------------------------------------------------

@bp.get("/people")
@kept
def people():
    query = request.args.get("q", "")
    return render_template("admin/people.html", query=query, people=services.search_people(query),
                           kinds={key: str(label) for key, label in MEMBERSHIP_KINDS.items()})


def _person_page(person: User, membership_form=None, expiry_forms=None, role_form=None, status=200):
    applications = db.session.scalars(db.select(Application).where(Application.user_id == person.id)
                                      .order_by(Application.applied_at.desc())).all()
    expiry_forms = expiry_forms or {}
    for m in person.memberships:
        expiry_forms.setdefault(m.id, ExpiryForm(formdata=None, expires_on=m.expires_on, prefix=f"m{m.id}"))
    return render_template("admin/person.html", person=person, applications=applications,
                           membership_form=membership_form or MembershipForm(formdata=None),
                           expiry_forms=expiry_forms, role_form=role_form or RoleForm(formdata=None, role=person.role),
                           role_labels=services.ROLE_LABELS), status


@bp.get("/people/<int:user_id>")
def person(user_id):
    return _person_page(db.get_or_404(User, user_id))


@bp.post("/people/<int:user_id>/role")
def change_role(user_id):
    person = db.get_or_404(User, user_id)
    form = RoleForm()
    if form.validate_on_submit():
        before = person.role
        try:
            changed = services.change_role(person, form.role.data, current_user, confirmed=form.confirm.data)
        except NotAllowed:
            abort(403)
        except DomainError as exc:
            attach_domain_error(form, exc, "role")
        else:
            db.session.commit()
            labels = services.ROLE_LABELS
            flash(
                _("%(name)s is now: %(role)s (was %(before)s).", name=person.name, role=labels[person.role],
                  before=labels[before])
                if changed
                else _("%(name)s is %(role)s already: nothing changed.", name=person.name, role=labels[person.role]),
                "success" if changed else "info",
            )
            return redirect(url_for(".person", user_id=person.id))
    return _person_page(person, role_form=form, status=422)


@bp.post("/people/<int:user_id>/memberships")
def add_membership(user_id):
    person = db.get_or_404(User, user_id)
    form = MembershipForm()
    if form.validate_on_submit():
        try:
            services.add_membership(person, kind=form.kind.data, expires_on=required(form.expires_on),
                                    note=(form.note.data or "").strip(), actor=current_user)
        except DomainError as exc:
            attach_domain_error(form, exc, "kind")
        else:
            db.session.commit()
            flash(_("Membership recorded for %(name)s, until %(day)s.", name=person.name,
                    day=required(form.expires_on).isoformat()), "success")
            return redirect(url_for(".person", user_id=person.id))
    return _person_page(person, membership_form=form, status=422)


@bp.post("/memberships/<int:membership_id>")
def change_expiry(membership_id):
    membership = db.get_or_404(Membership, membership_id)
    form = ExpiryForm(prefix=f"m{membership.id}")
    if form.validate_on_submit():
        try:
            services.change_expiry(membership, required(form.expires_on), current_user)
        except DomainError as exc:
            attach_domain_error(form, exc, "expires_on")
        else:
            db.session.commit()
            flash(_("%(name)s's membership now runs until %(day)s.", name=membership.user.name,
                    day=membership.expires_on.isoformat()), "success")
            return redirect(url_for(".person", user_id=membership.user_id))
    return _person_page(membership.user, expiry_forms={membership.id: form}, status=422)


@bp.route("/memberships/import", methods=["GET", "POST"])
def import_memberships():
    form = ImportForm()
    check = result = None
    if form.validate_on_submit() and (text := form.text()) is not None:
        if form.apply.data:
            check, result = services.apply_membership_import(text, current_user)
            db.session.commit()
        else:
            check = services.check_membership_import(text)
        # Kept in the box, so that "Apply" sends exactly what was checked.
        form.csv_text.data = text
        if result:
            flash(_("Imported: %(created)s created, %(updated)s updated, %(unchanged)s unchanged.",
                    created=result.created, updated=result.updated, unchanged=result.unchanged),
                  "success")
            return redirect(url_for(".import_memberships"))
    status = 422 if form.errors or (check and not check.clean) else 200
    return render_template("admin/import.html", form=form, check=check), status


# -- money ------------------------------------------------------------------------------------------

def _application_page(application: Application, *, payment_form=None, scholarship_form=None, status=200):
    payment_form = payment_form or PaymentForm(formdata=None)
    payment_form.issue_key()
    refund_forms = {r.id: RefundPaidForm(formdata=None, prefix=f"r{r.id}") for r in application.refunds}
    return render_template("admin/application.html", application=application, series=application.series,
                           account=account(application), lines=invoice_lines(application),
                           invoice=current_invoice(application), payment_form=payment_form,
                           scholarship_form=scholarship_form or ScholarshipForm(formdata=None),
                           refund_forms=refund_forms, methods=PAYMENT_METHODS), status


@bp.get("/applications/<int:application_id>")
def application(application_id):
    return _application_page(db.get_or_404(Application, application_id))


@bp.post("/applications/<int:application_id>/payments")
def record(application_id):
    application = db.get_or_404(Application, application_id)
    form = PaymentForm()
    if form.validate_on_submit():
        try:
            payment, created = record_payment(application, amount=required(form.amount), method=form.method.data,
                                              reference=(form.reference.data or "").strip(), actor=current_user,
                                              idempotency_key=form.idempotency_key.data)
        except DomainError as exc:
            attach_domain_error(form, exc, "amount")
        else:
            db.session.commit()
            if created:
                flash(_("Payment of %(amount)s %(currency)s recorded; the member is emailed a receipt.",
                        amount=format_money(payment.amount), currency=payment.currency), "success")
            else:
                flash(_("This payment was already recorded (the form was sent twice); nothing was added."), "info")
            return redirect(url_for(".application", application_id=application.id))
    return _application_page(application, payment_form=form, status=422)


@bp.post("/applications/<int:application_id>/scholarship")
def scholarship(application_id):
    application = db.get_or_404(Application, application_id)
    form = ScholarshipForm()
    if form.validate_on_submit():
        try:
            grant_scholarship(application, current_user, required(form.reason))
        except DomainError as exc:
            attach_domain_error(form, exc, "reason")
        else:
            db.session.commit()
            flash(_("Scholarship granted: %(name)s now owes %(amount)s %(currency)s.", name=application.user.name,
                    amount=format_money(application.amount_due), currency=application.currency), "success")
            return redirect(url_for(".application", application_id=application.id))
    return _application_page(application, scholarship_form=form, status=422)


@bp.post("/refunds/<int:refund_id>/paid")
def refund_paid(refund_id):
    refund = db.get_or_404(Refund, refund_id)
    form = RefundPaidForm(prefix=f"r{refund.id}")
    if not form.validate_on_submit():
        return _application_page(refund.application, status=422)
    if not refund.payable_by_hand:
        flash(_("This refund is going out through Stripe (or is paid already); it cannot be marked paid by hand."),
              "info")
        return redirect(url_for(".application", application_id=refund.application_id))
    mark_refund_paid(refund, reference=(form.reference.data or "").strip(), actor=current_user)
    db.session.commit()
    flash(_("Refund of %(amount)s %(currency)s marked paid.", amount=format_money(refund.amount),
            currency=refund.currency), "success")
    return redirect(url_for(".application", application_id=refund.application_id))


@bp.get("/scholarships")
def scholarships():
    page, grants = services.scholarships_page()
    return render_template("admin/scholarships.html", page=page, grants=grants)


@bp.get("/series")
def series_list():
    page, ledgers = services.ledgers_page()
    return render_template("admin/series.html", page=page, ledgers=ledgers)


LEDGER_PAGE = 25


@bp.get("/series/<int:series_id>/ledger")
@kept
def ledger(series_id):
    # Totals are over every application; the lines come a page at a time (the CSV has them all).
    ledger, lines = services.series_ledger_page(db.get_or_404(Series, series_id), LEDGER_PAGE)
    return render_template("admin/ledger.html", ledger=ledger, lines=lines, status=status_now(ledger.series),
                           status_labels=ApplicationStatus.texts())


LEDGER_COLUMNS = ("quoted", "due", "paid", "refund_due", "refund_paid", "balance")


@bp.get("/series/<int:series_id>/ledger.csv")
@kept
def ledger_csv(series_id):
    series = db.get_or_404(Series, series_id)
    lines, totals = services.ledger_export(series)
    numbers = invoice_numbers(series.id)
    rows = [[numbers.get(line.id, ""), line.name, line.email, line.status, "yes" if line.scholarship else "no",
             line.currency, *(format_money(getattr(line, c)) for c in LEDGER_COLUMNS)] for line in lines]
    rows.append(["total", "", "", "", "", series.currency, *(format_money(getattr(totals, c)) for c in LEDGER_COLUMNS)])
    return csv_download(["invoice", "name", "email", "status", "scholarship", "currency", *LEDGER_COLUMNS], rows,
                        f"ledger-series-{series.id}.csv")


@bp.get("/accounts")
def accounts():
    """The accountant's export: pick a period."""
    return render_template("admin/accounts.html", columns=EXPORT_COLUMNS)


@bp.get("/accounts.csv")
def accounts_csv():
    try:
        period = parse_period(request.args.get("from"), request.args.get("to"))
    except ValueError as exc:
        abort(400, description=_("%(problem)s Nothing was exported.", problem=exc))
    return csv_stream(EXPORT_COLUMNS, accountant_rows(period),
                      f"accounts-{period.first.isoformat()}-to-{period.last.isoformat()}.csv")


@bp.get("/mail")
def failed_mail():
    """Messages the platform gave up sending, with the reason, so that someone can act on them."""
    return render_template("admin/mail.html", messages=notifications.failed_messages())


@bp.post("/mail/<int:message_id>/retry")
def retry_mail(message_id):
    message = db.get_or_404(OutboxMessage, message_id)
    if message.failed_at is None:
        abort(404)
    notifications.retry_message(message)
    db.session.commit()
    flash(_("The message to %(recipient)s is back in the queue.", recipient=message.recipient), "success")
    return redirect(url_for(".failed_mail"))
