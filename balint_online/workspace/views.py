"""The leader's workspace per series: the hub, meeting changes with a preview, group messages, exports."""

from datetime import datetime
from zoneinfo import ZoneInfo

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user, login_required
from sqlalchemy import func, select
from wtforms import DateField, IntegerField, StringField, TextAreaField, TimeField
from wtforms.validators import InputRequired, Length, NumberRange

from ..audit.services import entries as audit_entries
from ..core.csvfile import csv_stream
from ..core.errors import DomainError
from ..core.forms import Form, attach_domain_error, required
from ..enrollment.models import Application
from ..extensions import db
from ..flows.series import add_meeting, cancel_meeting, cancel_series, reschedule_meeting, restore_meeting
from ..pagecache.kept import kept
from ..rotation.commands import set_presenter_count
from ..rotation.queries import cancellation_warning, guarantee
from ..series.models import Meeting, Series
from ..series.services import managed_series
from .services import ROSTER_COLUMNS, audience, message_group, roster_rows

bp = Blueprint("workspace", __name__)


class RescheduleForm(Form):
    new_date = DateField(_l("New date"), validators=[InputRequired()])
    new_time = TimeField(_l("New start time (in the group's zone)"), validators=[InputRequired()])


class AddMeetingForm(Form):
    new_date = DateField(_l("Date"), validators=[InputRequired()])
    new_time = TimeField(_l("Start time (in the group's zone)"), validators=[InputRequired()])


class PresentersForm(Form):
    count = IntegerField(_l("Members presenting at this meeting"), validators=[InputRequired(), NumberRange(1, 10)],
                         description=_l("Two presenters at one meeting can give every member a turn when a meeting "
                                        "is lost."))


class CancelForm(Form):
    reason = StringField(_l("Reason, for the members"), validators=[InputRequired(), Length(max=500)])


class MessageForm(Form):
    subject = StringField(_l("Subject"), validators=[InputRequired(), Length(max=150)])
    body = TextAreaField(_l("Message"), validators=[InputRequired(), Length(max=5000)],
                         description=_l("Goes by email to every enrolled member and the leaders. No patient details."))


def _managed_series(series_id: int) -> Series:
    return managed_series(series_id, current_user)


def _form_name(name: str) -> str:
    return {"starts_at_local": "new_date"}.get(name, name)


@bp.get("/lead/series/<int:series_id>")
@login_required
@kept
def hub(series_id):
    series = _managed_series(series_id)
    counts = dict(db.session.execute(select(Application.status, func.count()).where(
        Application.series_id == series.id).group_by(Application.status)).all())
    return render_template("workspace/hub.html", series=series, counts=counts, audience=audience(series),
                           guarantee=guarantee(series))


@bp.get("/lead/series/<int:series_id>/log")
@login_required
def log(series_id):
    series = _managed_series(series_id)
    return render_template("workspace/log.html", series=series,
                           log=audit_entries(series_id=series.id, before=request.args.get("before", type=int)))


def _change_page(meeting: Meeting, *, move=None, cancel=None, presenters=None):
    series = meeting.series
    local = meeting.starts_at.astimezone(ZoneInfo(series.timezone))
    move = move or RescheduleForm(prefix="move", new_date=local.date(), new_time=local.time())
    cancel = cancel or CancelForm(prefix="cancel")
    presenters = presenters or PresentersForm(prefix="presenters", count=meeting.presenters_here)
    status = 422 if move.errors or cancel.errors or presenters.errors else 200
    return render_template("workspace/change_meeting.html", meeting=meeting, series=series, move=move, cancel=cancel,
                           presenters=presenters, audience=audience(series),
                           cancel_warning=cancellation_warning(meeting)), status


@bp.get("/lead/meetings/<int:meeting_id>/change")
@login_required
def change_meeting(meeting_id):
    meeting = db.get_or_404(Meeting, meeting_id)
    _managed_series(meeting.series_id)
    return _change_page(meeting)


def _change(meeting_id: int, which: str, form, fallback: str, apply, done):
    """Apply a reschedule or cancellation from the change page; on a problem, show the page with it."""
    meeting = db.get_or_404(Meeting, meeting_id)
    _managed_series(meeting.series_id)
    if form.validate_on_submit():
        try:
            apply(meeting, form)
        except DomainError as exc:
            attach_domain_error(form, exc, fallback, _form_name)
        else:
            db.session.commit()
            _flash_done(meeting, done)
            return redirect(url_for(".hub", series_id=meeting.series_id))
    return _change_page(meeting, **{which: form})


def _flash_done(meeting: Meeting, done) -> None:
    """What the change did (`done(number, told)`, a sentence that counts who is told), and whether every member
    still has a presenting turn."""
    promise = guarantee(meeting.series)
    said = [done(meeting.number, len(audience(meeting.series))), promise.explanation]
    if promise.remedies:
        said.append(_("To keep the promise, %(remedies)s.", remedies=_(", or ").join(promise.remedies)))
    flash(" ".join(said), "success" if promise.kept else "warning")


@bp.post("/lead/meetings/<int:meeting_id>/reschedule")
@login_required
def reschedule(meeting_id):
    return _change(meeting_id, "move", RescheduleForm(prefix="move"), "new_date",
                   lambda m, f: reschedule_meeting(m, datetime.combine(f.new_date.data, f.new_time.data), current_user),
                   lambda number, told: ngettext("Meeting %(number)s moved; %(num)d person is told by email.",
                                                 "Meeting %(number)s moved; %(num)d people are told by email.",
                                                 told, number=number))


@bp.post("/lead/meetings/<int:meeting_id>/cancel")
@login_required
def cancel(meeting_id):
    return _change(meeting_id, "cancel", CancelForm(prefix="cancel"), "reason",
                   lambda m, f: cancel_meeting(m, current_user, f.reason.data),
                   lambda number, told: ngettext("Meeting %(number)s cancelled; %(num)d person is told by email.",
                                                 "Meeting %(number)s cancelled; %(num)d people are told by email.",
                                                 told, number=number))


@bp.post("/lead/meetings/<int:meeting_id>/presenters")
@login_required
def presenters(meeting_id):
    return _change(meeting_id, "presenters", PresentersForm(prefix="presenters"), "count",
                   lambda m, f: set_presenter_count(m, f.count.data, current_user),
                   lambda number, told: _("Meeting %(number)s: the rotation is re-planned and members whose turns "
                                          "moved are told.", number=number))


@bp.post("/lead/meetings/<int:meeting_id>/restore")
@login_required
def restore(meeting_id):
    meeting = db.get_or_404(Meeting, meeting_id)
    _managed_series(meeting.series_id)
    try:
        restore_meeting(meeting, current_user)
    except DomainError as exc:
        flash(_("Meeting %(number)s was not restored: %(problem)s", number=meeting.number, problem=exc.message),
              "error")
    else:
        db.session.commit()
        _flash_done(meeting, lambda number, told: ngettext(
            "Meeting %(number)s takes place after all; %(num)d person is told by email.",
            "Meeting %(number)s takes place after all; %(num)d people are told by email.", told, number=number))
    return redirect(url_for(".hub", series_id=meeting.series_id))


@bp.route("/lead/series/<int:series_id>/meetings/new", methods=["GET", "POST"])
@login_required
def add(series_id):
    series = _managed_series(series_id)
    form = AddMeetingForm()
    if form.validate_on_submit():
        try:
            meeting = add_meeting(series, datetime.combine(required(form.new_date), required(form.new_time)),
                                  current_user)
        except DomainError as exc:
            attach_domain_error(form, exc, "new_date", _form_name)
        else:
            db.session.commit()
            _flash_done(meeting, lambda number, told: ngettext(
                "Meeting %(number)s added; %(num)d person is told by email.",
                "Meeting %(number)s added; %(num)d people are told by email.", told, number=number))
            return redirect(url_for(".hub", series_id=series.id))
    return render_template("workspace/add_meeting.html", series=series, form=form, audience=audience(series),
                           guarantee=guarantee(series)), 422 if form.errors else 200


@bp.route("/lead/series/<int:series_id>/cancel", methods=["GET", "POST"])
@login_required
def cancel_whole_series(series_id):
    series = _managed_series(series_id)
    form = CancelForm()
    if form.validate_on_submit():
        try:
            cancel_series(series, current_user, required(form.reason))
        except DomainError as exc:
            attach_domain_error(form, exc, "reason")
        else:
            db.session.commit()
            flash(_("The series is cancelled; every member is refunded in full and told by email."), "success")
            return redirect(url_for(".hub", series_id=series.id))
    return render_template("workspace/cancel_series.html", series=series, form=form, audience=audience(series)), \
        422 if form.errors else 200


@bp.route("/lead/series/<int:series_id>/message", methods=["GET", "POST"])
@login_required
def message(series_id):
    series = _managed_series(series_id)
    form = MessageForm()
    if form.validate_on_submit():
        try:
            sent = message_group(series, current_user, required(form.subject), required(form.body))
        except DomainError as exc:
            attach_domain_error(form, exc, "body")
        else:
            db.session.commit()
            flash(ngettext("Message sent to %(num)d person.", "Message sent to %(num)d people.", sent) if sent
                  else _("That message was sent already."), "success")
            return redirect(url_for(".hub", series_id=series.id))
    return render_template("workspace/message.html", series=series, form=form, audience=audience(series)), \
        422 if form.errors else 200


@bp.get("/lead/series/<int:series_id>/roster.csv")
@login_required
@kept
def roster_export(series_id):
    series = _managed_series(series_id)
    return csv_stream(ROSTER_COLUMNS, roster_rows(series), f"roster-series-{series.id}.csv")
