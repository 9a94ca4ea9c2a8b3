"""Catalogue, series pages and the leader's pages to create and publish a series."""

import json
from dataclasses import replace
from datetime import datetime
from decimal import Decimal
from functools import lru_cache
from typing import NamedTuple

from flask import Blueprint, abort, current_app, flash, g, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from markupsafe import Markup
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from ..accounts.models import User
from ..accounts.signins import read_along
from ..accounts.views import _account_page
from ..certificates.services import public_credit
from ..core.errors import DomainError
from ..core.forms import attach_domain_error
from ..core.i18n import current_locale
from ..core.pagination import paginate, rows_page
from ..core.prices import parse_price_table, price_range
from ..core.viewer import viewer_timezone
from ..enrollment.home import pending_counts
from ..enrollment.models import LIVE_STATUSES, Application
from ..enrollment.services import current_attestation_text
from ..extensions import db
from ..flows.series import publish_series, update_series
from ..pagecache.kept import kept
from ..series.forms import (
    BackgroundForm,
    SeriesForm,
    fill_form,
    only_published_fields,
    price_field_rows,
    prices_from_form,
)
from ..series.models import Series, series_leaders
from ..series.services import (
    SeriesInput,
    create_series,
    input_of,
    leader_names,
    open_series_cards,
    open_series_params,
)

bp = Blueprint("series", __name__)


def price_span(series: Series):
    """The lowest and highest price of a series (early-bird rates included)."""
    return _price_span(json.dumps(series.prices, sort_keys=True))


@lru_cache(maxsize=1024)  # keyed by the table's own text, so never stale; the catalogue shows 20 a page
def _price_span(prices: str):
    return price_range(parse_price_table(json.loads(prices)))


class Card(NamedTuple):
    """Everything a catalogue card shows, and all its template (series/_card.html) may read: a card is
    rendered once for the same facts, whoever looks, and any change to what it shows is another key."""

    id: int
    title: str
    leaders: tuple[str, ...]
    meeting_count: int
    interval_weeks: int
    duration_minutes: int
    first_start: datetime | None
    timezone: str
    seats_left: int
    capacity: int
    low: Decimal | None
    high: Decimal | None
    currency: str
    viewer_tz: str  # the zone and language the card is written for
    language: str


def card(row, leaders: list[str]) -> Markup:
    """A catalogue card from a row of `open_series_cards` and the series' leaders' names."""
    low, high = _price_span(row.prices)
    return _card(Card(row.id, row.title, tuple(leaders), row.meeting_count, row.interval_weeks, row.duration_minutes,
                      row.first_start, row.timezone, max(row.capacity - row.seats_taken, 0), row.capacity, low, high,
                      row.currency, viewer_timezone(), str(current_locale())))


@lru_cache(maxsize=2048)  # a page's 20 cards cost more than the rest of it; most visitors see the same ones
def _card(facts: Card) -> Markup:
    return Markup(render_template("series/_card.html", s=facts))


@bp.get("/")
@kept
def catalogue():
    # Rows, not objects: a page of series read as the columns its cards show.
    page = rows_page(open_series_cards(), 20, params=open_series_params())
    leaders = leader_names(row.id for row in page.items)
    return render_template("series/catalogue.html", page=page,
                           cards=[card(row, leaders[row.id]) for row in page.items])


@bp.get("/series/<int:series_id>")
@kept
def detail(series_id):
    """Everything a clinician decides on before signing up; a member's own place, if they have one."""
    series = db.get_or_404(Series, series_id)
    user = current_user if current_user.is_authenticated else None
    if series.lifecycle == "draft" and not series.can_manage(user):
        abort(404)
    mine = None if user is None else db.session.scalar(select(Application).where(
        Application.series_id == series.id, Application.user_id == user.id, Application.status.in_(LIVE_STATUSES)))
    commitments = current_attestation_text()
    db.session.commit()  # the built-in wording is stored the first time it is shown
    return render_template("series/detail.html", series=series, price_span=price_span, mine=mine,
                           can_manage=series.can_manage(user), commitments=commitments, credit=public_credit(series),
                           contact=current_app.config["SOCIETY_CONTACT_EMAIL"])


def _pending_count():
    """Applications waiting for the decision of the person (a `User` in the statement) as a leader."""
    led = select(series_leaders.c.series_id).where(series_leaders.c.user_id == User.id).correlate(User)
    return (select(func.count(Application.id)).where(Application.series_id.in_(led), Application.status == "pending")
            .correlate(User).scalar_subquery())


# The menu of every leader's page shows it: read along with the sign-in, not by a statement of its own.
read_along("pending_decisions", _pending_count)


@bp.app_template_global()
def pending_decisions() -> int:
    """Applications waiting for the signed-in leader's decision, for the count beside "Leading" in the menu."""
    return current_user.along.get("pending_decisions") or 0


@bp.app_template_global()
def background_form():
    """The leader's background form, for the account page (accounts/profile.html includes it)."""
    return g.get("background_form") or BackgroundForm(formdata=None, obj=current_user)


@bp.post("/account/background")
@login_required
def background():
    if not current_user.can_lead:
        abort(403)
    form = BackgroundForm()
    if form.validate_on_submit():
        current_user.background = (form.background.data or "").strip()
        db.session.commit()
        flash(_("Your background is saved; it is shown on the pages of the series you lead."), "success")
        return redirect(url_for("accounts.profile", _anchor="background"))
    g.background_form = form  # the account page again, with what they typed and why it was refused
    return _account_page(status=422)


@bp.get("/lead")
@login_required
@kept
def leading():
    if not current_user.can_lead:
        abort(403)
    query = (select(Series).order_by(Series.first_meeting_local.desc(), Series.id.desc())
             .options(selectinload(Series.meetings), selectinload(Series.leaders)))
    if not current_user.is_admin:
        query = query.where(
            Series.id.in_(select(series_leaders.c.series_id).where(series_leaders.c.user_id == current_user.id))
        )
    led = select(series_leaders.c.series_id).where(series_leaders.c.user_id == current_user.id)
    pending = pending_counts(db.session.scalars(led).all())
    waiting = db.session.scalars(
        select(Series).where(Series.id.in_(list(pending))).order_by(Series.first_meeting_local)
    ).all()
    return render_template("series/leading.html", page=paginate(query), pending=pending,
                           waiting=[(s, pending[s.id]) for s in waiting])


def _values_from_form(form, leaders: list[str]) -> dict:
    """The SeriesInput fields the form holds (a published series' edit form holds only a few)."""
    values = {name: form[name].data for name in (
        "title", "timezone", "meeting_count", "interval_weeks", "duration_minutes", "capacity",
        "presenters_per_meeting", "video_provider", "early_bird_deadline", "registration_deadline",
        "cancellation_deadline", "offer_hours") if name in form}
    if "description" in form:
        values["description"] = form.description.data or ""
    if "co_leader" in form:
        values["leader_emails"] = leaders + ([form.co_leader.data] if form.co_leader.data else [])
    if "first_date" in form:
        values.update(
            first_meeting_local=datetime.combine(form.first_date.data, form.start_time.data),
            currency=form.currency.data.upper(), prices=prices_from_form(form),
            trainee_discount_percent=form.trainee_discount.data, cancellation_fee=form.cancellation_fee.data,
            skip_dates=getattr(form.skip_dates, "parsed", []))
    return values


def _form_page(form, series=None):
    return render_template("series/new.html", form=form, price_rows=price_field_rows(form), series=series), \
        422 if form.errors else 200


@bp.route("/lead/series/new", methods=["GET", "POST"])
@login_required
def new():
    if not current_user.can_lead:
        abort(403)
    form = SeriesForm()
    if not form.is_submitted():
        form.timezone.data = current_user.timezone
    if form.validate_on_submit():
        try:
            series = create_series(SeriesInput(**_values_from_form(form, [current_user.email])), current_user,
                                   current_app.config["VIDEO_PROVIDER"])
        except DomainError as exc:
            attach_domain_error(form, exc, "title", _form_name)
        else:
            db.session.commit()
            flash(_("Draft saved. Check the dates below, then publish to open applications."), "success")
            return redirect(url_for(".detail", series_id=series.id))
    return _form_page(form)


@bp.route("/lead/series/<int:series_id>/edit", methods=["GET", "POST"])
@login_required
def edit(series_id):
    """The same service as PATCH /api/v1/series/<id>: a draft in full, a published series in what keeps promises."""
    series = db.get_or_404(Series, series_id)
    if not series.can_manage(current_user):
        abort(403)
    if series.lifecycle == "cancelled":
        abort(409, _("A cancelled series cannot be edited."))
    base = input_of(series)
    assert base.leader_emails is not None  # input_of names every leader
    # The signed-in leader stays first; the form's co-leader field holds the other one.
    first = current_user.email if series.is_led_by(current_user) else base.leader_emails[0]
    others = [e for e in base.leader_emails if e != first]
    form = SeriesForm()
    if series.lifecycle == "published":
        only_published_fields(form)
    if not form.is_submitted():
        fill_form(form, base, others[0] if others else None)
    if form.validate_on_submit():
        try:
            update_series(series, replace(base, **_values_from_form(form, [first])), current_user,
                          current_app.config["VIDEO_PROVIDER"])
        except DomainError as exc:
            attach_domain_error(form, exc, "title", _form_name)
        else:
            db.session.commit()
            flash(_("Changes saved."), "success")
            return redirect(url_for(".detail", series_id=series.id))
    return _form_page(form, series)


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
    db.session.commit()
    flash(_("Published: the series is open for applications."), "success")
    return redirect(url_for(".detail", series_id=series.id))

