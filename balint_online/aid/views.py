"""Pages: a registrant applies for aid and follows it; administrators set up programmes and decide."""

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]  # newer than types-WTForms

from ..core.errors import DomainError
from ..core.forms import attach_domain_error, required
from ..core.labels import N_
from ..enrollment.models import Application
from ..extensions import db
from . import rules, services
from .forms import AidApplicationForm, AidDecisionForm, ProgrammeForm
from .models import AidApplication, AidProgramme

bp = Blueprint("aid", __name__)


def _translated(registry: dict[str, str]) -> dict[str, str]:
    """A registry of aid/rules.py (English, marked for the catalogue) in the reader's language."""
    return {key: _(words) for key, words in registry.items()}


def _programme_choices(programmes) -> list[SelectChoice]:
    return [SelectChoice(p.id, p.name) for p in programmes]


def _apply_page(application, form=None, status=200):
    programmes = services.programmes_for(application.series_id)
    form = form or AidApplicationForm(formdata=None)
    form.programme_id.choices = _programme_choices(programmes)
    if form.programme_id.data is None and len(programmes) == 1:
        form.programme_id.data = programmes[0].id  # the only choice, made for them
    mine = [a for a in services.aid_of(current_user) if a.application_id == application.id]
    return render_template("aid/apply.html", application=application, series=application.series, form=form,
                           programmes=programmes, mine=mine, groups_text=services.groups_text,
                           training=_translated(rules.TRAINING_STATUSES),
                           specialties=_translated(rules.SPECIALTIES)), status


@bp.route("/applications/<int:application_id>/aid", methods=["GET", "POST"])
@login_required
def apply(application_id):
    application = db.get_or_404(Application, application_id)
    if application.user_id != current_user.id:
        abort(403)
    form = AidApplicationForm()
    form.programme_id.choices = _programme_choices(services.programmes_for(application.series_id))
    if not form.is_submitted():
        return _apply_page(application)
    if form.validate():
        try:
            aid = services.apply_for_aid(application, current_user, db.get_or_404(AidProgramme, form.programme_id.data),
                                         training_status=form.training_status.data, specialty=form.specialty.data,
                                         statement=required(form.statement))
        except DomainError as exc:
            attach_domain_error(form, exc, "programme_id")
        else:
            db.session.commit()
            flash(_("Your application for %(programme)s is with the society; you will hear by email.",
                    programme=aid.programme.name), "success")
            return redirect(url_for(".apply", application_id=application.id))
    return _apply_page(application, form, 422)


# -- administrators ---------------------------------------------------------------------------------

def _admins_only():
    if not current_user.is_admin:
        abort(403)


def _queue_page(programme_form=None, status=200):
    programme_form = programme_form or ProgrammeForm(formdata=None)
    _series_choices(programme_form)
    page = services.review_page()
    return render_template(
        "aid/queue.html", page=page, counts=services.awards_counts((a.programme_id, a.series_id) for a in page.items),
        programmes=services.programmes(), programme_form=programme_form,
        decision_forms={a.id: AidDecisionForm(formdata=None, prefix=f"a{a.id}") for a in page.items},
        groups_text=services.groups_text, training=_translated(rules.TRAINING_STATUSES),
        specialties=_translated(rules.SPECIALTIES)), status


def _series_choices(form: ProgrammeForm) -> None:
    form.series_id.choices = [SelectChoice(0, _("Every series (the society's programme)"))] + [
        SelectChoice(s.id, s.title) for s in services.series_open_to_programmes()]


@bp.get("/admin/aid")
@login_required
def queue():
    _admins_only()
    return _queue_page()


@bp.post("/admin/aid/programmes")
@login_required
def create_programme():
    _admins_only()
    form = ProgrammeForm()
    _series_choices(form)
    if form.validate_on_submit():
        try:
            programme = services.create_programme(
                current_user, series_id=form.series_id.data or None, kind=form.kind.data, name=required(form.name),
                description=form.description.data or "", max_awards=form.max_awards.data,
                criteria=[rules.GROUPS[key][1] for key in form.groups.data or ()], deadline=form.deadline.data)
        except DomainError as exc:
            attach_domain_error(form, exc, "name")
        else:
            db.session.commit()
            flash(_("%(programme)s is open for applications.", programme=programme.name), "success")
            return redirect(url_for(".queue"))
    return _queue_page(form, 422)


def _decide(aid_id: int, act, done: str):
    """Award or decline from the queue; `done` is the flash (a catalogue entry), with %(programme)s and %(name)s."""
    _admins_only()
    aid = db.get_or_404(AidApplication, aid_id)
    form = AidDecisionForm(prefix=f"a{aid.id}")
    if not form.validate_on_submit():
        return _queue_page(status=422)
    try:
        act(aid, current_user, form.reason.data or "")
    except DomainError as exc:
        db.session.rollback()
        flash(exc.message, "error")
        return _queue_page(status=exc.status)
    db.session.commit()
    flash(_(done, programme=aid.programme.name, name=aid.user.name), "success")
    return redirect(url_for(".queue"))


@bp.post("/admin/aid/<int:aid_id>/award")
@login_required
def award(aid_id):
    return _decide(aid_id, services.award, N_("%(programme)s awarded to %(name)s."))


@bp.post("/admin/aid/<int:aid_id>/decline")
@login_required
def decline(aid_id):
    return _decide(aid_id, services.decline,
                   N_("%(name)s's application for %(programme)s declined; they are told why."))
