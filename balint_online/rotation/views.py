"""The rotation pages: who presents when (members, in their own time zone), the leaders' swap and move
forms, a member's availability, swap requests between members, and the leaders asking a member to present
at a meeting they marked unavailable. Plain forms, no scripts."""

from datetime import datetime
from functools import lru_cache

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]  # newer than types-WTForms

from ..core.errors import DomainError
from ..core.i18n import current_locale
from ..core.timefmt import human
from ..enrollment.queries import enrolled_people
from ..extensions import db
from ..pagecache.kept import kept
from ..series.models import Meeting, Series
from ..series.services import require_known
from . import commands, placements, queries, state, swaps, wording
from .forms import (
    AvailabilityForm,
    CaseTitleForm,
    MoveForm,
    PlacementForm,
    SwapForm,
    SwapRequestForm,
    parse_turn,
    turn_value,
)
from .models import PlacementRequest, RotationEvent, SwapRequest

bp = Blueprint("rotation", __name__)


def _series(series_id: int) -> Series:
    series = db.get_or_404(Series, series_id)
    require_known(series, current_user)
    if not state.can_view(series, current_user):
        abort(403, _("Only this group's leaders, its enrolled members and administrators see its rotation."))
    return series


def _label(meeting: Meeting) -> str:
    # The leaders' forms name each meeting in several lists (turns, meetings).
    return _meeting_label(meeting.number, meeting.starts_at, current_user.timezone, str(current_locale()))


@lru_cache(maxsize=4096)
def _meeting_label(number: int, starts_at: datetime, tz: str, language: str) -> str:
    return _("Meeting %(number)s, %(when)s", number=number, when=human(starts_at, tz, locale=language))


def _upcoming(rows):
    return [r for r in rows if not r.past and not r.meeting.is_cancelled]


def _turn_choices(rows, *, only=None, without=None):
    return [
        SelectChoice(turn_value(r.meeting.id, t.user_id), f"{_label(r.meeting)}: {t.user.name}")
        for r in _upcoming(rows) for t in r.presenters
        if (only is None or t.user_id == only) and (without is None or t.user_id != without)
    ]


def _leader_forms(series: Series, rows, swap_form=None, move_form=None):
    choices = _turn_choices(rows)
    swap_form = swap_form or SwapForm(formdata=None)
    swap_form.turn_a.choices = swap_form.turn_b.choices = choices
    move_form = move_form or MoveForm(formdata=None)
    move_form.turn.choices = choices
    move_form.to_meeting.choices = [SelectChoice("", _("The same meeting"))] + [
        SelectChoice(str(r.meeting.id), _label(r.meeting)) for r in _upcoming(rows)]
    move_form.to_user.choices = [SelectChoice("", _("The same member"))] + [
        SelectChoice(str(u.id), u.name) for u in enrolled_people(series.id)]
    return swap_form, move_form


def _render(series: Series, status: int = 200, *, error: str | None = None, swap_form=None, move_form=None,
            title_forms=None):
    rows = queries.rotation_rows(series)
    can_manage = series.can_manage(current_user)
    is_member = state.is_enrolled(series, current_user)
    context = {"series": series, "rows": rows, "can_manage": can_manage, "is_member": is_member, "error": error}
    mine = [r for r in _upcoming(rows) if any(t.user_id == current_user.id for t in r.presenters)]
    context["my_turns"] = mine
    context["my_backups"] = [r for r in _upcoming(rows) if r.backup and r.backup.user_id == current_user.id]
    forms = {}
    for row in mine:
        turn = next(t for t in row.presenters if t.user_id == current_user.id)
        given = (title_forms or {}).get(row.meeting.id)
        forms[row.meeting.id] = given or CaseTitleForm(formdata=None, prefix=f"m{row.meeting.id}",
                                                       case_title=turn.case_title)
    context["title_forms"] = forms
    if is_member:
        context["incoming"] = [r for r in swaps.swap_requests_for(series, current_user)
                               if r.partner_id == current_user.id and r.status == "pending"]
    if can_manage:
        context["swap_form"], context["move_form"] = _leader_forms(series, rows, swap_form, move_form)
        context["events"] = _recent_events(series)
    return render_template("rotation/rotation.html", **context), status


def _recent_events(series: Series) -> list[tuple[RotationEvent, str]]:
    """The last ten changes to the rotation, each with the turns it moved in words ("meeting 6: Dr Ann
    Avery in, Finn Ford out"): two queries, however many people they name."""
    events = db.session.scalars(select(RotationEvent).where(RotationEvent.series_id == series.id)
                                .order_by(RotationEvent.id.desc()).limit(10)).all()
    names = state.names_for(user_id for event in events for _, user_id, _ in event.changes)
    numbers = {meeting.id: meeting.number for meeting in series.meetings}  # loaded for the rows already
    return [(event, wording.moves(event.changes, numbers, names)) for event in events]


@bp.get("/series/<int:series_id>/rotation")
@login_required
@kept
def page(series_id):
    return _render(_series(series_id))


def _require_manager(series: Series) -> None:
    if not series.can_manage(current_user):
        abort(403, _("Only this group's leaders and administrators change its rotation."))


@bp.post("/series/<int:series_id>/rotation/swap")
@login_required
def swap(series_id):
    series = _series(series_id)
    _require_manager(series)
    form = SwapForm()
    _leader_forms(series, queries.rotation_rows(series), swap_form=form)
    if not form.validate_on_submit():
        return _render(series, 422, error=_("Choose the two turns to swap."), swap_form=form)
    (meeting_a, user_a), (meeting_b, user_b) = parse_turn(form.turn_a.data), parse_turn(form.turn_b.data)
    try:
        commands.swap_turns(series, current_user, meeting_a, user_a, meeting_b, user_b)
    except DomainError as exc:
        db.session.rollback()
        return _render(series, exc.status, error=exc.message, swap_form=form)
    db.session.commit()
    flash(_("The two turns were swapped. Both members are told in their next email about their turns."), "success")
    return redirect(url_for(".page", series_id=series.id), 303)


@bp.post("/series/<int:series_id>/rotation/move")
@login_required
def move(series_id):
    series = _series(series_id)
    _require_manager(series)
    form = MoveForm()
    _leader_forms(series, queries.rotation_rows(series), move_form=form)
    if not form.validate_on_submit():
        return _render(series, 422, error=_("Choose the turn to move."), move_form=form)
    meeting_id, user_id = parse_turn(form.turn.data)
    to_meeting = int(form.to_meeting.data) if form.to_meeting.data else None
    to_user = int(form.to_user.data) if form.to_user.data else None
    try:
        commands.move_turn(series, current_user, meeting_id, user_id, to_meeting_id=to_meeting, to_user_id=to_user)
    except DomainError as exc:
        db.session.rollback()
        return _render(series, exc.status, error=exc.message, move_form=form)
    db.session.commit()
    flash(_("The turn was moved. The members concerned are told in their next email about their turns."), "success")
    return redirect(url_for(".page", series_id=series.id), 303)


@bp.post("/series/<int:series_id>/rotation/meetings/<int:meeting_id>/title")
@login_required
def case_title(series_id, meeting_id):
    series = _series(series_id)
    meeting = db.get_or_404(Meeting, meeting_id)
    if meeting.series_id != series.id:
        abort(404)
    form = CaseTitleForm(prefix=f"m{meeting.id}")
    if not form.validate_on_submit():
        return _render(series, 422, error=_("Please check the title of your case."), title_forms={meeting.id: form})
    try:
        commands.set_case_title(meeting, current_user, form.case_title.data or "")
    except DomainError as exc:
        db.session.rollback()
        return _render(series, exc.status, error=exc.message, title_forms={meeting.id: form})
    db.session.commit()
    flash(_("Saved the title of your case.") if form.case_title.data else _("Removed the title of your case."),
          "success")
    return redirect(url_for(".page", series_id=series.id), 303)


@bp.route("/series/<int:series_id>/rotation/availability", methods=["GET", "POST"])
@login_required
def availability(series_id):
    series = _series(series_id)
    if not state.is_enrolled(series, current_user):
        abort(403, _("Only members enrolled in this group say when they cannot present."))
    rows = _upcoming(queries.rotation_rows(series))
    form = AvailabilityForm()
    form.unavailable.choices = [SelectChoice(r.meeting.id, _label(r.meeting)) for r in rows]
    error, status = None, 200
    if form.validate_on_submit():
        try:
            commands.set_availability(series, current_user, form.unavailable.data or [], current_user)
        except DomainError as exc:
            db.session.rollback()
            error, status = exc.message, exc.status
        else:
            db.session.commit()
            flash(
                _("Saved. The rotation has been updated; anyone whose turn moved is told in their next email "
                  "about their turns."),
                "success",
            )
            return redirect(url_for(".page", series_id=series.id), 303)
    elif form.is_submitted():
        error, status = _("Please check the meetings you chose."), 422
    else:
        form.unavailable.data = [i for i in queries.unavailable_meeting_ids(series, current_user)
                                 if any(r.meeting.id == i for r in rows)]
    my_turns = {r.meeting.id for r in rows if any(t.user_id == current_user.id for t in r.presenters)}
    return render_template("rotation/availability.html", series=series, form=form, error=error, rows=rows,
                           my_turns=my_turns), status


@bp.route("/series/<int:series_id>/rotation/requests", methods=["GET", "POST"])
@login_required
def requests(series_id):
    series = _series(series_id)
    is_member = state.is_enrolled(series, current_user)
    form = _swap_request_form(series, queries.rotation_rows(series))
    error, status = None, 200
    if form.is_submitted():
        if not is_member:
            abort(403, _("Only members enrolled in this group ask to swap turns."))
        if form.validate():
            partner_meeting, partner = parse_turn(form.their_turn.data)
            try:
                swaps.request_swap(series, current_user, int(form.my_turn.data), partner, partner_meeting,
                                   form.message.data or "")
            except DomainError as exc:
                db.session.rollback()
                error, status = exc.message, exc.status
            else:
                db.session.commit()
                flash(
                    _("Your request was sent. If they accept, your turns are swapped; if they decline, "
                      "you will hear by email."),
                    "success",
                )
                return redirect(url_for(".requests", series_id=series.id), 303)
        else:
            error, status = _("Please choose both turns."), 422
    return _requests_page(series, form, error, status, is_member)


def _requests_page(series, form, error, status, is_member, placement_form=None):
    placement_form = placement_form or PlacementForm(prefix="place")
    if series.can_manage(current_user):
        _blockout_choices(series, placement_form)
    return render_template("rotation/requests.html", series=series, form=form, error=error, is_member=is_member,
                           swap_requests=swaps.swap_requests_for(series, current_user),
                           placement_form=placement_form, can_manage=series.can_manage(current_user),
                           placement_requests=placements.placement_requests_for(series, current_user)), status


def _blockout_choices(series, form) -> None:
    form.blockout.choices = [SelectChoice(turn_value(m.id, user_id), f"{name}: {_label(m)}")
                             for user_id, name, m in placements.blockouts(series)]


def _swap_request_form(series, rows):
    form = SwapRequestForm()
    form.my_turn.choices = [SelectChoice(str(r.meeting.id), _label(r.meeting)) for r in _upcoming(rows)
                            if any(t.user_id == current_user.id for t in r.presenters)]
    form.their_turn.choices = _turn_choices(rows, without=current_user.id)
    return form


@bp.post("/series/<int:series_id>/rotation/placements")
@login_required
def ask_placement(series_id):
    """A leader asks a member to present at a meeting they marked unavailable (they confirm on their page)."""
    series = _series(series_id)
    _require_manager(series)
    form = PlacementForm(prefix="place")
    _blockout_choices(series, form)
    swap_form = _swap_request_form(series, queries.rotation_rows(series))
    is_member = state.is_enrolled(series, current_user)
    if not form.validate_on_submit():
        return _requests_page(series, swap_form, _("Choose the member and the meeting."), 422, is_member, form)
    meeting_id, user_id = parse_turn(form.blockout.data)
    try:
        placements.ask_to_place(series, current_user, meeting_id, user_id, form.message.data or "")
    except DomainError as exc:
        db.session.rollback()
        return _requests_page(series, swap_form, exc.message, exc.status, is_member, form)
    db.session.commit()
    flash(_("They have been asked by email; the turn is placed only if they agree."), "success")
    return redirect(url_for(".requests", series_id=series.id), 303)


@bp.post("/rotation/placements/<int:request_id>/<any(accept, decline, withdraw):action>")
@login_required
def answer_placement(request_id, action):
    request = db.get_or_404(PlacementRequest, request_id)
    return _answer(request, action, placements.withdraw_placement, placements.answer_placement, {
        "withdraw": _("The request was withdrawn."),
        "accept": _("Thank you: your turn is placed at that meeting; the rotation is updated."),
        "decline": _("You declined; the leaders have been told.")})


@bp.post("/rotation/requests/<int:request_id>/<any(accept, decline, withdraw):action>")
@login_required
def answer(request_id, action):
    request = db.get_or_404(SwapRequest, request_id)
    return _answer(request, action, swaps.withdraw_swap_request, swaps.answer_swap_request, {
        "withdraw": _("Your request was withdrawn."), "accept": _("You swapped turns; the rotation is updated."),
        "decline": _("You declined; they have been told.")})


def _answer(request, action: str, withdraw, answer, done: dict[str, str]):
    """Withdraw, accept or decline a request from the requests page; a refusal is shown there, not as an error page."""
    try:
        if action == "withdraw":
            withdraw(request, current_user)
        else:
            answer(request, current_user, accept=action == "accept")
        db.session.commit()  # a refused answer is kept, with its reason, before it is shown
        swaps.raise_if_refused(request)
        flash(done[action], "success")
    except DomainError as exc:
        db.session.rollback()
        if exc.status == 403:
            raise
        flash(exc.message, "error")
    return redirect(url_for(".requests", series_id=request.series_id), 303)
