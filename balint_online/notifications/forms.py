"""The leader's choice of how news of applications reaches them (the account page)."""

from flask_babel import lazy_gettext as _l
from wtforms import RadioField
from wtforms.validators import InputRequired

from ..core.forms import Form
from .digests import LEADER_MAIL


class LeaderMailForm(Form):
    leader_mail = RadioField(_l("Applications and withdrawals in the groups you lead"),
                             choices=list(LEADER_MAIL.items()), validators=[InputRequired()])
