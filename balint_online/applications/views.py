"""Pages for applying, following one's application, and the leaders' review of a series' applications."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from functools import cache, lru_cache

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from markupsafe import Markup
from sqlalchemy import Date, Row, bindparam, or_, select

from ..accounts.models import DISCIPLINES, MEMBERSHIP_KINDS, Membership, User
from ..audit.models import AuditEntry
from ..core.errors import DomainError, InvalidInput
from ..core.forms import attach_errors, required
from ..core.i18n import current_locale
from ..core.money import format_money
from ..core.pagination import list_page
from ..core.prices import DECLINED, refund_for_withdrawal, refund_owed
from ..core.wording import in_sentence
from ..enrollment import attestation, services
from ..enrollment.forms import CommitmentsForm, DeclineForm, WithdrawForm, apply_form, field_name
from ..enrollment.models import (
    ADMIN_ONLY_ACTIONS,
    LIVE_STATUSES,
    SEATED_STATUSES,
    Application,
    ApplicationStatus,
    AttestationText,
    claim_answers,
)
from ..enrollment.quotes import quote_for, series_today
from ..extensions import db
from ..flows import applications as flows
from ..pagecache.kept import kept
from ..pricing.models import PaymentStatus
from ..pricing.providers import pays_online
from ..pricing.services import (
    account,
    paid_total,
    payment_columns,
    payment_status,
    row_payment_status,
)
from ..series.models import Series
from ..series.services import managed_series, status_now

bp = Blueprint("enrollment", __name__)

CONFIRM_MESSAGE = _l("Please confirm this commitment.")


def _live_application(series: Series, user) -> Application | None:
    return db.session.scalar(select(Application).where(
        Application.series_id == series.id, Application.user_id == user.id, Application.status.in_(LIVE_STATUSES)))


def _attach(form, fields: dict[str, str]) -> None:
    """Put each service error on its form field; attestation items get the page's wording."""
    worded = {name: CONFIRM_MESSAGE if name.startswith("attestation.") else problem for name, problem in fields.items()}
    attach_errors(form, worded, "note", _form_name)


def _form_name(name: str) -> str:
    return field_name(name.removeprefix("attestation.")) if name.startswith("attestation.") else name


@bp.route("/series/<int:series_id>/apply", methods=["GET", "POST"])
@login_required
def apply(series_id):
    series = db.get_or_404(Series, series_id)
    if series.lifecycle == "draft" and not series.can_manage(current_user):
        abort(404)
    if existing := _live_application(series, current_user):
        flash(_("You have already applied to this group; here is your application."), "info")
        return redirect(url_for(".application", application_id=existing.id))
    wording = services.current_attestation_text()
    form = apply_form(wording.item_list)
    problem = None
    # "Update the price" only re-renders with the box as ticked; "Apply" validates and applies.
    if form.is_submitted() and not form.recalculate.data:
        valid = form.validate()
        _attach(form, attestation.missing_items(form.items, form.answers()))
        if valid and not form.errors:
            try:
                application = services.apply(series, current_user, claims=form.claims(),
                                             answers=form.answers(), note=form.note.data or "")
            except InvalidInput as exc:
                _attach(form, exc.fields)
            except DomainError as exc:
                problem = exc.message
            else:
                db.session.commit()
                flash(_("Thank you: your application is in. The leaders choose the group; we will email you."),
                      "success")
                return redirect(url_for(".application", application_id=application.id))
    today = series_today(series)
    context = dict(series=series, form=form, problem=problem, intro=wording.intro,
                   quote=quote_for(series, current_user, claims=form.claims(), on=today),
                   membership=current_user.membership_on(today), today=today,
                   registration_closed=series.registration_closed)
    return render_template("enrollment/apply.html", **context), 422 if form.errors or problem else 200


def _viewable(application_id) -> Application:
    application = db.get_or_404(Application, application_id)
    services.require_view(application, current_user)
    return application


def _own(application_id) -> Application:
    application = db.get_or_404(Application, application_id)
    if application.user_id != current_user.id:
        services.require_view(application, current_user)  # 404 to strangers
        abort(403)
    return application


@bp.get("/applications/<int:application_id>")
@login_required
def application(application_id):
    application = _viewable(application_id)
    return render_template("enrollment/application.html", application=application, series=application.series,
                           position=services.waitlist_position(application), account=account(application),
                           payment_status=payment_status(application), pays_online=pays_online(),
                           is_applicant=application.user_id == current_user.id)


@bp.post("/applications/<int:application_id>/accept-offer")
@login_required
def accept_offer(application_id):
    application = _own(application_id)
    flows.accept_offer(application, current_user)
    db.session.commit()
    flash(_("Welcome: your place in %(series)s is confirmed.", series=application.series.title), "success")
    return redirect(url_for(".application", application_id=application.id))


@bp.route("/applications/<int:application_id>/withdraw", methods=["GET", "POST"])
@login_required
def withdraw(application_id):
    application = _own(application_id)
    if not application.is_live:
        flash(_("This application is already %(status)s.", status=in_sentence(application.status_label)), "info")
        return redirect(url_for(".application", application_id=application.id))
    series = application.series
    # The refund the service will record if they confirm today, computed by the same rule.
    paid = paid_total(application)
    preview = refund_for_withdrawal(paid=paid, received_on=series_today(series),
                                    cancellation_deadline=series.cancellation_deadline, fee=series.cancellation_fee)
    form = WithdrawForm()
    if form.validate_on_submit():
        owed = flows.withdraw(application, current_user, required(form.reason))
        db.session.commit()
        if owed.amount > 0:
            flash(_("Your withdrawal is recorded. Refund: %(amount)s %(currency)s, by %(day)s.",
                    amount=format_money(owed.amount), currency=owed.currency, day=owed.due_by.isoformat()), "success")
        else:
            flash(_("Your withdrawal is recorded."), "success")
        return redirect(url_for(".application", application_id=application.id))
    return (render_template("enrollment/withdraw.html", application=application, series=series, preview=preview,
                            paid=paid, form=form), 422 if form.errors else 200)


# -- the leaders' review ------------------------------------------------------------------------------

ROSTER_GROUPS = (
    ("pending", _l("Awaiting your decision"), ("pending",)),
    ("enrolled", _l("Enrolled"), ("enrolled",)),
    ("waiting", _l("Waiting list, in order"), ("offered", "waitlisted")),
    ("declined", _l("Declined"), ("declined",)),
    ("withdrawn", _l("Withdrawn"), ("withdrawn",)),
    ("ended", _l("Offer lapsed or series cancelled"), ("offer_expired", "cancelled")),
)
# Applicants shown per page of each group: each is a full card (what they said, their money, the
# commitments and history on file), so a page holds what a leader reads at one sitting and stays
# quick to serve; those who need a decision or hold a place come more at a time than the closed ones.
OPEN_GROUP_PAGE = 10
CLOSED_GROUP_PAGE = 5
OPEN_GROUPS = ("pending", "enrolled", "waiting")


def _queue_order(application: Row) -> tuple:  # a row of the roster's light read
    # An open offer comes first: it is the head of the queue, holding the freed seat.
    return (application.status != "offered", application.waitlisted_at or application.applied_at, application.id)


def _managed_series(series_id) -> Series:
    return managed_series(series_id, current_user)


@bp.get("/lead/series/<int:series_id>/applications")
@login_required
@kept
def roster(series_id):
    series = _managed_series(series_id)
    # Every group a page at a time: the order and the waiting-list places come from a light
    # read of all applications; only the applicants shown are loaded in full.
    light = db.session.execute(select(Application.id, Application.status, Application.waitlisted_at,
                                      Application.applied_at).where(Application.series_id == series.id)).all()
    by_status = defaultdict(list)
    for a in light:
        by_status[a.status].append(a)
    pages = []
    for key, title, statuses in ROSTER_GROUPS:
        members = sorted((a for status in statuses for a in by_status[status]),
                         key=_queue_order if key == "waiting" else lambda a: (a.applied_at, a.id))
        pages.append((key, title, list_page(members, param=f"{key}_page",
                                            per_page=OPEN_GROUP_PAGE if key in OPEN_GROUPS else CLOSED_GROUP_PAGE)))
    words = _Words()
    shown = _roster_cards([a.id for *_, p in pages for a in p.items], series_today(series), words)
    groups = [(key, title, [shown[a.id] for a in page.items], page) for key, title, page in pages]
    queue = services.waitlist_positions(light)
    tz, language = current_user.timezone, str(current_locale())
    bodies = {card.id: _card_body(card, queue.get(card.id) if key == "waiting" else None, tz, language)
              for key, _title, cards, _page in groups for card in cards}
    return render_template("enrollment/roster.html", series=series, status=status_now(series), groups=groups,
                           bodies=bodies)


@lru_cache(maxsize=1024)  # a leader reads the same cards again after each decision; the facts are the key
def _card_body(card: "RosterCard", place: int | None, tz: str, language: str) -> Markup:
    """A roster card's markup but its buttons (their forms carry the session's token), for the facts shown,
    the place on the waiting list, and the reader's zone and language."""
    return Markup(render_template("enrollment/_roster_card.html", a=card, place=place, tz=tz,
                                  status_labels=ApplicationStatus.texts()))


@dataclass(frozen=True)
class RosterCard:
    """What the roster shows of one application, read as rows: no object graph per applicant. Its words
    are in the reader's language already, each looked up once for the page (`_Words`). Every field is
    a value, so that the card's markup can be kept for the same facts (`_card_body`)."""

    id: int
    status: ApplicationStatus
    status_label: str
    name: str
    discipline_label: str
    claim_answers: tuple[tuple[str, str], ...]  # (the claim's heading, the answer as the roster words it)
    membership: tuple[str, date] | None  # (its kind, the day it ends) when one covers today
    offer_expires_at: datetime | None
    payment_label: str
    shows_payment: bool
    amount_due: Decimal
    currency: str
    note: str
    attestation_version: int
    attestation_intro: str
    attestation_record: tuple[str, ...]  # each item of the wording agreed to, as confirmed or not
    attested_at: datetime
    history: tuple  # rows: at, action, to_status, actor (a name or None), reason

    @property
    def is_live(self) -> bool:
        return self.status in LIVE_STATUSES


class _Words:
    """The roster's repeated words, translated on first use and kept for the page: the same statuses,
    claims and attestation wordings recur on every card, and a lazy label or a template's `_()` looks
    its translation up again each time."""

    def __init__(self):
        self.statuses = ApplicationStatus.texts()
        self.payments = PaymentStatus.texts()
        self.disciplines = {key: str(label) for key, label in DISCIPLINES.items()}
        self.kinds = {key: str(label) for key, label in MEMBERSHIP_KINDS.items()}
        self._claims: dict[tuple, tuple[tuple[str, str], ...]] = {}
        self._records: dict[tuple, tuple[str, ...]] = {}

    def claims(self, claims: list) -> tuple[tuple[str, str], ...]:
        key = tuple(claims)
        if key not in self._claims:
            self._claims[key] = tuple((_(claim.title), _(claim.yes) if made else _("No"))
                                      for claim, made in claim_answers(claims))
        return self._claims[key]

    def record(self, wording_id: int, items, answers: dict) -> tuple[str, ...]:
        """What the applicant agreed to, item by item, as the roster words it."""
        made = tuple(answers.get(item.key) is True for item in items)
        key = (wording_id, made)
        if key not in self._records:
            self._records[key] = tuple(
                _("Advice shown: “%(text)s”", text=item.text) if not item.required
                else _("Confirmed: “%(text)s”", text=item.text) if yes
                else _("Not confirmed: “%(text)s”", text=item.text) for item, yes in zip(items, made, strict=True))
        return self._records[key]


# The cards' statements, built once, the applications (`ids`, `user_ids`) and the day bound as they run.

@cache
def _card_rows():
    return (select(Application.id, Application.status, Application.user_id, User.name, User.discipline,
                   Application.claims, Application.note, Application.attestation_text_id,
                   Application.attestation_answers, Application.attested_at, Application.offer_expires_at,
                   Application.price, Application.scholarship, Application.currency, *payment_columns())
            .join(User, User.id == Application.user_id).where(Application.id.in_(bindparam("ids", expanding=True))))


@cache
def _covering_memberships():
    today = bindparam("today", type_=Date())
    return (select(Membership.user_id, Membership.kind, Membership.expires_on)
            .where(Membership.user_id.in_(bindparam("user_ids", expanding=True)), Membership.expires_on >= today,
                   or_(Membership.starts_on.is_(None), Membership.starts_on <= today))
            .order_by(Membership.expires_on, Membership.id))


@cache
def _card_history(everything: bool):
    """The applications' history as the reader may see it: an administrator all of it (as
    Application.history_for)."""
    entries = (select(AuditEntry.application_id, AuditEntry.at, AuditEntry.action, AuditEntry.to_status,
                      AuditEntry.reason, User.name.label("actor"))
               .outerjoin(User, User.id == AuditEntry.actor_id)
               .where(AuditEntry.application_id.in_(bindparam("ids", expanding=True))).order_by(AuditEntry.id))
    return entries if everything else entries.where(AuditEntry.action.not_in(ADMIN_ONLY_ACTIONS))


def _roster_cards(ids: list[int], today: date, words: _Words) -> dict[int, RosterCard]:
    """The cards of these applications in four queries, whatever their number: the applications with
    their money summed by the database, the memberships covering today, the wordings agreed to, the
    history as the signed-in person may see it."""
    if not ids:
        return {}
    rows = db.session.execute(_card_rows(), {"ids": ids}).all()
    covering: dict[int, tuple[str, date]] = {}
    for user_id, kind, ends in db.session.execute(_covering_memberships(),
                                                  {"user_ids": sorted({r.user_id for r in rows}), "today": today}):
        covering.setdefault(user_id, (words.kinds.get(kind, kind), ends))
    wordings = {t.id: (t, t.item_list) for t in db.session.scalars(
        select(AttestationText).where(AttestationText.id.in_({r.attestation_text_id for r in rows})))}
    history: dict[int, list] = {i: [] for i in ids}
    for entry in db.session.execute(_card_history(current_user.is_admin), {"ids": ids}):
        history[entry.application_id].append(entry)
    cards = {}
    for r in rows:
        wording, items = wordings[r.attestation_text_id]
        cards[r.id] = RosterCard(
            id=r.id, status=r.status, status_label=words.statuses[r.status], name=r.name,
            discipline_label=words.disciplines.get(r.discipline, r.discipline), claim_answers=words.claims(r.claims),
            membership=covering.get(r.user_id), offer_expires_at=r.offer_expires_at,
            payment_label=words.payments[row_payment_status(r)],
            shows_payment=r.status in SEATED_STATUSES or r.paid > 0,
            amount_due=Decimal("0.00") if r.scholarship else r.price, currency=r.currency, note=r.note,
            attestation_version=wording.version, attestation_intro=wording.intro,
            attestation_record=words.record(wording.id, items, r.attestation_answers),
            attested_at=r.attested_at, history=tuple(history[r.id]))
    return cards


@bp.post("/lead/applications/<int:application_id>/accept")
@login_required
def accept(application_id):
    application = db.get_or_404(Application, application_id)
    flows.accept(application, current_user)
    db.session.commit()
    if application.status == "enrolled":
        flash(_("%(name)s is enrolled and has been emailed.", name=application.user.name), "success")
    else:
        flash(_("The group is full: %(name)s is number %(position)s on the waiting list and has been emailed.",
                name=application.user.name, position=services.waitlist_position(application)), "info")
    return redirect(url_for(".roster", series_id=application.series_id))


@bp.route("/lead/applications/<int:application_id>/decline", methods=["GET", "POST"])
@login_required
def decline(application_id):
    application = db.get_or_404(Application, application_id)
    series = _managed_series(application.series_id)
    # Declining an applicant, or removing someone who holds a place: the same service, told apart on the page.
    removing = application.status in SEATED_STATUSES
    form = DeclineForm()
    if form.validate_on_submit():
        flows.decline(application, current_user, required(form.reason))
        db.session.commit()
        flash(_("%(name)s is removed from the group; they have been emailed your reason.", name=application.user.name)
              if removing else _("%(name)s's application is declined; they have been emailed your reason.",
                                 name=application.user.name), "success")
        return redirect(url_for(".roster", series_id=series.id))
    # The refund they would be owed, by the rule the service applies (everything paid comes back).
    preview = refund_owed(ending=DECLINED, paid=paid_total(application), ended_on=series_today(series),
                          cancellation_deadline=series.cancellation_deadline, fee=series.cancellation_fee)
    return (render_template("enrollment/decline.html", application=application, series=series, form=form,
                            removing=removing, preview=preview), 422 if form.errors else 200)


# -- the society's commitments, edited by its admins --------------------------------------------------

@bp.route("/admin/commitments", methods=["GET", "POST"])
@login_required
def commitments():
    if not current_user.is_admin:
        abort(403)
    current = services.current_attestation_text()
    form = CommitmentsForm()
    if not form.is_submitted():
        rows = [{"key": i.key, "text": i.text, "kind": "required" if i.required else "advice", "contact": i.contact}
                for i in current.item_list]
        form.process(data={"intro": current.intro, "items": rows + [{"kind": "required"}]})
    problems = []
    if form.validate_on_submit():
        try:
            stored = services.publish_attestation(required(form.intro), form.edited_items(), current_user)
        except DomainError as exc:
            problems = form.attach(exc.fields or {"intro": exc.message})
        else:
            db.session.commit()
            flash(_("Version %(version)s of the commitments is now what applicants agree to; earlier applications "
                    "keep the version they agreed to.", version=stored.version), "success")
            return redirect(url_for(".commitments"))
    problems = problems or [(f, e) for f in [form.intro, *(sub for row in form.items for sub in row)] for e in f.errors]
    return render_template("enrollment/commitments.html", form=form, current=current, problems=problems), \
        422 if problems else 200
