"""Certificate downloads, and the leaders' page for credit settings and reissues."""

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user, login_required
from sqlalchemy import select
from wtforms import IntegerField, TextAreaField
from wtforms.validators import InputRequired, Length, NumberRange

from ..core.errors import DomainError
from ..core.forms import Form, attach_domain_error
from ..extensions import db
from ..series.models import Series
from . import services
from .models import Certificate, SeriesCredit

bp = Blueprint("certificates", __name__)


class CreditForm(Form):
    minutes_per_meeting = IntegerField("Credit minutes per meeting attended", validators=[InputRequired(), NumberRange(1, 600)])
    min_meetings = IntegerField("Meetings a member must attend for a certificate", validators=[InputRequired(), NumberRange(1, 52)])
    statements = TextAreaField("Accreditation statements (one per line, printed as written)", validators=[Length(max=4000)])


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
    series = db.get_or_404(Series, series_id)
    if not series.can_manage(current_user):
        abort(403)
    current = db.session.get(SeriesCredit, series.id)
    form = CreditForm(obj=current) if current else CreditForm(minutes_per_meeting=series.duration_minutes,
                                                              min_meetings=max(series.meeting_count - 1, 1))
    if form.validate_on_submit():
        try:
            services.set_credit(series, current_user, minutes_per_meeting=form.minutes_per_meeting.data,
                                min_meetings=form.min_meetings.data, statements=form.statements.data or "")
        except DomainError as exc:
            attach_domain_error(form, exc, "statements")
        else:
            flash("Credit settings saved. Certificates are issued when the series ends.", "success")
            return redirect(url_for(".credit", series_id=series.id))
    certificates = db.session.scalars(select(Certificate).where(Certificate.series_id == series.id)
                                      .order_by(Certificate.issued_at.desc())).all()
    return render_template("certificates/credit.html", series=series, form=form, certificates=certificates), \
        422 if form.errors else 200


@bp.post("/certificates/<int:certificate_id>/reissue")
@login_required
def reissue(certificate_id):
    certificate = db.get_or_404(Certificate, certificate_id)
    series_id = certificate.series_id
    fresh = services.reissue(certificate, current_user)
    flash(f"Certificate {fresh.number} issued; {certificate.number} is superseded.", "success")
    return redirect(url_for(".credit", series_id=series_id))
