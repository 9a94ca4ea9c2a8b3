"""Certificate downloads, the leaders' page for credit settings and reissues, and their attendance grid."""

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user, login_required
from sqlalchemy import select
from wtforms import IntegerField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]  # newer than types-WTForms
from wtforms.validators import InputRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from ..accounts.models import DISCIPLINES
from ..core.clock import now
from ..core.csvfile import csv_download
from ..core.errors import DomainError
from ..core.forms import Form, attach_domain_error, choices, required
from ..extensions import db
from ..pagecache.kept import kept
from ..series.services import managed_series
from . import services
from .attendance import attendance_grid, attendance_table, cell_name, save_attendance
from .attendance_form import attendance_form
from .models import Certificate, SeriesCredit, SeriesCreditLine
from .rules import BODIES

bp = Blueprint("certificates", __name__)


class CreditForm(Form):
    minutes_per_meeting = IntegerField(_l("Credit minutes per meeting attended"),
                                       validators=[InputRequired(), NumberRange(1, 600)])
    min_meetings = IntegerField(_l("Meetings a member must attend for a certificate"),
                                validators=[InputRequired(), NumberRange(1, 52)])
    grace_minutes = IntegerField(_l("Minutes late (or early to leave) that still count as the whole meeting"),
                                 validators=[Optional(), NumberRange(0, 30)], default=10)
    statements = TextAreaField(_l("Statements for everyone (one per line, printed as written; credit lines below "
                                  "are printed for their disciplines only)"), validators=[Length(max=4000)])


class CreditLineForm(Form):
    body = SelectField(_l("Accrediting body"),
                       choices=[SelectChoice(k, f"{b.name} ({b.credit_type})") for k, b in BODIES.items()])
    amount = StringField(_l("Credits"), validators=[Optional(), Length(max=10)],
                         description=_l("For example 19.25; leave empty where the body states no figure "
                                        "(its statement then says why)."))
    credit_type = StringField(_l("Credit type (empty: the body's own)"), validators=[Optional(), Length(max=120)])
    disciplines = SelectMultipleField(_l("For (none ticked: the body's own disciplines)"), choices=choices(DISCIPLINES),
                                      widget=ListWidget(prefix_label=False), option_widget=CheckboxInput())
    statement = TextAreaField(_l("Statement as approved (empty: the body's standard statement)"),
                              validators=[Length(max=2000)])

@bp.get("/certificates/<int:certificate_id>.pdf")
@login_required
def download(certificate_id):
    certificate = db.get_or_404(Certificate, certificate_id)
    if not services.can_download(certificate, current_user):
        abort(404)
    headers = {"Content-Disposition": f'inline; filename="certificate-{certificate.number}.pdf"',
               "Cache-Control": "private, no-store"}
    return services.pdf_bytes(certificate), 200, {"Content-Type": "application/pdf", **headers}

@bp.route("/lead/series/<int:series_id>/credit", methods=["GET", "POST"])
@login_required
def credit(series_id):
    series = managed_series(series_id, current_user)
    current = db.session.get(SeriesCredit, series.id)
    # By default every meeting, in its entirety: the society's requirement (seed 000).
    form = CreditForm(obj=current) if current else CreditForm(minutes_per_meeting=series.duration_minutes,
                                                              min_meetings=series.meeting_count)
    if form.validate_on_submit():
        try:
            services.set_credit(series, current_user, minutes_per_meeting=required(form.minutes_per_meeting),
                                min_meetings=required(form.min_meetings), statements=form.statements.data or "",
                                grace_minutes=10 if form.grace_minutes.data is None else form.grace_minutes.data)
        except DomainError as exc:
            attach_domain_error(form, exc, "statements")
        else:
            db.session.commit()
            flash(_("Credit settings saved. Certificates are issued when the series ends."), "success")
            return redirect(url_for(".credit", series_id=series.id))
    return _credit_page(series, form, CreditLineForm(formdata=None), current)


def _credit_page(series, form, line_form, current):
    certificates = db.session.scalars(select(Certificate).where(Certificate.series_id == series.id)
                                      .order_by(Certificate.issued_at.desc())).all()
    return render_template("certificates/credit.html", series=series, form=form, line_form=line_form, credit=current,
                           bodies=BODIES, disciplines=DISCIPLINES, certificates=certificates), \
        422 if form.errors or line_form.errors else 200


@bp.post("/lead/series/<int:series_id>/credit/lines")
@login_required
def add_line(series_id):
    series = managed_series(series_id, current_user)
    current = db.session.get(SeriesCredit, series.id)
    line_form = CreditLineForm()
    if line_form.validate_on_submit():
        try:
            line = services.add_credit_line(series, current_user, body=line_form.body.data,
                                            amount=line_form.amount.data or "",
                                            credit_type=line_form.credit_type.data or "",
                                            disciplines=line_form.disciplines.data or [],
                                            statement=line_form.statement.data or "")
        except DomainError as exc:
            attach_domain_error(line_form, exc, "body")
        else:
            db.session.commit()
            flash(_("Credit line added: %(body)s.", body=BODIES[line.body].name), "success")
            return redirect(url_for(".credit", series_id=series.id))
    form = CreditForm(formdata=None, obj=current) if current else CreditForm(formdata=None)
    return _credit_page(series, form, line_form, current)


@bp.post("/lead/credit-lines/<int:line_id>/remove")
@login_required
def remove_line(line_id):
    line = db.get_or_404(SeriesCreditLine, line_id)
    services.remove_credit_line(line, current_user)
    db.session.commit()
    flash(_("Credit line removed."), "success")
    return redirect(url_for(".credit", series_id=line.series_id))

@bp.post("/certificates/<int:certificate_id>/reissue")
@login_required
def reissue(certificate_id):
    certificate = db.get_or_404(Certificate, certificate_id)
    series_id = certificate.series_id
    fresh = services.reissue(certificate, current_user)
    db.session.commit()
    flash(_("Certificate %(number)s issued; %(old)s is superseded.", number=fresh.number, old=certificate.number),
          "success")
    return redirect(url_for(".credit", series_id=series_id))


@bp.route("/lead/series/<int:series_id>/attendance", methods=["GET", "POST"])
@login_required
def attendance(series_id):
    series = managed_series(series_id, current_user)
    grid = attendance_grid(series, now())
    form = attendance_form(grid)
    if form.validate_on_submit():
        changed = save_attendance(series, current_user,
                                  {name: f.data for name, f in form._fields.items() if name != "csrf_token"})
        db.session.commit()
        flash(ngettext("Attendance saved (%(num)d change).", "Attendance saved (%(num)d changes).", changed), "success")
        return redirect(url_for(".attendance", series_id=series.id))
    return (render_template("certificates/attendance.html", grid=grid, form=form, cell_name=cell_name),
            422 if form.errors else 200)


@bp.get("/lead/series/<int:series_id>/attendance.csv")
@login_required
@kept
def attendance_export(series_id):
    series = managed_series(series_id, current_user)
    header, rows = attendance_table(attendance_grid(series, now()))
    return csv_download(header, rows, f"attendance-series-{series.id}.csv")
