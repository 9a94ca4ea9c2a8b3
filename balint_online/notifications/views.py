"""The leader's mail preference, a part of the account page that this feature renders and saves."""

from flask import Blueprint, abort, flash, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..extensions import db
from .digests import set_leader_mail
from .forms import LeaderMailForm

bp = Blueprint("notifications", __name__)


@bp.app_template_global()
def leader_mail_form():
    """The form for templates/accounts/_leader_mail.html, filled with the leader's current choice."""
    return LeaderMailForm(formdata=None, leader_mail=current_user.leader_mail)


@bp.post("/account/leader-mail")
@login_required
def leader_mail():
    if not current_user.can_lead:
        abort(403, _("Only leaders get news of applications."))
    form = LeaderMailForm()
    if not form.validate_on_submit():
        flash(_("Choose how you want to hear of applications and withdrawals."), "error")
        return redirect(url_for("accounts.profile") + "#leader-mail", 303)
    set_leader_mail(current_user, form.leader_mail.data)
    db.session.commit()
    flash(_("Saved: an email for each application and withdrawal.") if form.leader_mail.data == "each"
          else _("Saved: one summary a day of applications and withdrawals."), "success")
    return redirect(url_for("accounts.profile") + "#leader-mail", 303)
