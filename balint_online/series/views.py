"""Catalogue, series pages and the leader's pages to create and publish a series."""

from datetime import datetime

from flask import Blueprint, abort, current_app, flash, redirect, render_template, url_for
from flask_login import current_user, login_required
from sqlalchemy import select

from ..core.errors import DomainError
from ..core.forms import attach_domain_error
from ..extensions import db
from ..pricing.rules import parse_price_table, price_range
from .forms import SeriesForm, price_field_rows, prices_from_form
from .models import Series, series_leaders
from .services import SeriesInput, create_series, open_series, publish_series

bp = Blueprint("series", __name__)


def price_span(series: Series):
    return price_range(parse_price_table(series.prices))


@bp.get("/")
def catalogue():
    return render_template("series/catalogue.html", series_list=open_series(), price_span=price_span)


@bp.get("/series/<int:series_id>")
def detail(series_id):
    series = db.get_or_404(Series, series_id)
    user = current_user if current_user.is_authenticated else None
    if series.lifecycle == "draft" and not series.can_manage(user):
        abort(404)
    return render_template("series/detail.html", series=series, price_span=price_span,
                           can_manage=series.can_manage(user))


@bp.get("/lead")
@login_required
def leading():
    if not current_user.can_lead:
        abort(403)
    query = select(Series).order_by(Series.first_meeting_local.desc())
    if not current_user.is_admin:
        query = query.join(series_leaders).where(series_leaders.c.user_id == current_user.id)
    return render_template("series/leading.html", series_list=db.session.scalars(query).unique().all())


@bp.route("/lead/series/new", methods=["GET", "POST"])
@login_required
def new():
    if not current_user.can_lead:
        abort(403)
    form = SeriesForm()
    if not form.is_submitted():
        form.timezone.data = current_user.timezone
    if form.validate_on_submit():
        data = SeriesInput(
            title=form.title.data, description=form.description.data or "", timezone=form.timezone.data,
            first_meeting_local=datetime.combine(form.first_date.data, form.start_time.data),
            meeting_count=form.meeting_count.data, interval_weeks=form.interval_weeks.data,
            duration_minutes=form.duration_minutes.data, capacity=form.capacity.data,
            presenters_per_meeting=form.presenters_per_meeting.data,
            leader_emails=[current_user.email] + ([form.co_leader.data] if form.co_leader.data else []),
            video_provider=form.video_provider.data, currency=form.currency.data.upper(),
            prices=prices_from_form(form), trainee_discount_percent=form.trainee_discount.data,
            early_bird_deadline=form.early_bird_deadline.data, cancellation_deadline=form.cancellation_deadline.data,
            cancellation_fee=form.cancellation_fee.data,
            skip_dates=getattr(form.skip_dates, "parsed", []), offer_hours=form.offer_hours.data,
        )
        try:
            series = create_series(data, current_user, current_app.config["VIDEO_PROVIDER"])
        except DomainError as exc:
            attach_domain_error(form, exc, "title", _form_name)
        else:
            flash("Draft saved. Check the dates below, then publish to open applications.", "success")
            return redirect(url_for(".detail", series_id=series.id))
    return render_template("series/new.html", form=form, price_rows=price_field_rows(form)), 422 if form.errors else 200


_FORM_FIELD_FOR = {"first_meeting_local": "first_date", "leader_emails": "co_leader"}


def _form_name(name: str) -> str:
    if name.startswith("prices."):
        _, category, period = (name.split(".") + ["regular"])[:3]
        return f"price_{category}_{period}"
    return _FORM_FIELD_FOR.get(name, name)


@bp.post("/lead/series/<int:series_id>/publish")
@login_required
def publish(series_id):
    series = db.get_or_404(Series, series_id)
    publish_series(series, current_user)
    flash("Published: the series is open for applications.", "success")
    return redirect(url_for(".detail", series_id=series.id))

