"""A member's data pages (/account/data, its JSON, the erasure request) and the administrators' queue of requests."""

from functools import wraps

from flask import Blueprint, abort, flash, jsonify, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..core.forms import required
from ..extensions import db
from . import services
from .export import HEADINGS
from .forms import ErasureForm, RefusalForm

bp = Blueprint("privacy", __name__)


@bp.app_template_global()
def erasure_form():
    """The erasure form for the account page, which another feature renders."""
    return ErasureForm(formdata=None)


bp.add_app_template_global(services.latest_request, "latest_erasure_request")


@bp.get("/account/data")
@login_required
def data_page():
    data = services.export_data(current_user, form="page")
    db.session.commit()
    return render_template("privacy/data.html", data=data, headings=HEADINGS)


@bp.get("/account/data.json")
@login_required
def data_json():
    data = services.export_data(current_user, form="json")
    db.session.commit()
    response = jsonify(data)
    response.headers["Content-Disposition"] = 'attachment; filename="balint-online-my-data.json"'
    return response


def _erasure_page(form=None, refusals=(), status=200):
    return render_template("privacy/erasure.html", form=form or ErasureForm(formdata=None), refusals=refusals,
                           latest=services.latest_request(current_user)), status


@bp.get("/account/erasure")
@login_required
def erasure():
    return _erasure_page()


@bp.post("/account/erasure")
@login_required
def request_erasure():
    form = ErasureForm()
    if not form.validate_on_submit():
        return _erasure_page(form, status=422)
    erasure_request, refusals = services.request_erasure(current_user._get_current_object())
    db.session.commit()
    if refusals:
        return _erasure_page(refusals=refusals, status=409)
    flash(_("Your request to erase your data is recorded; we email you when an administrator has dealt with it."),
          "success")
    return redirect(url_for(".erasure"))


# -- administrators ---------------------------------------------------------------------------------

def admins_only(view):
    @wraps(view)
    @login_required
    def guarded(*args, **kwargs):
        if not current_user.is_admin:
            abort(403)
        return view(*args, **kwargs)

    return guarded


def _queue_page(refusals=None, refusal_forms=None, status=200):
    pending = services.pending_requests()
    refusal_forms = refusal_forms or {}
    for r in pending:
        refusal_forms.setdefault(r.id, RefusalForm(formdata=None, prefix=f"r{r.id}"))
    return render_template("privacy/admin_requests.html", pending=pending, decided=services.decided_requests(),
                           refusal_forms=refusal_forms, refusals=refusals or {}), status


@bp.get("/admin/erasure-requests")
@admins_only
def admin_requests():
    return _queue_page()


@bp.post("/admin/erasure-requests/<int:request_id>/confirm")
@admins_only
def confirm(request_id):
    # A request already decided, or the administrator's own: DomainError, answered by the error page.
    erasure_request, refusals = services.confirm_erasure(request_id, current_user._get_current_object())
    if refusals:
        db.session.rollback()
        return _queue_page(refusals={request_id: refusals}, status=409)
    db.session.commit()
    flash(_("The data of request %(id)d is erased; the person now appears as %(pseudonym)s.",
            id=erasure_request.id, pseudonym=erasure_request.pseudonym), "success")
    return redirect(url_for(".admin_requests"))


@bp.post("/admin/erasure-requests/<int:request_id>/refuse")
@admins_only
def refuse(request_id):
    form = RefusalForm(prefix=f"r{request_id}")
    if not form.validate_on_submit():
        return _queue_page(refusal_forms={request_id: form}, status=422)
    services.refuse_erasure(request_id, current_user._get_current_object(), required(form.reason).strip())
    db.session.commit()
    flash(_("The request is refused and the member is told why."), "info")
    return redirect(url_for(".admin_requests"))
