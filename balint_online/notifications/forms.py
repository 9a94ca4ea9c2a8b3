"""The leader's choice of how news of applications reaches them (the account page)."""

from flask_babel import lazy_gettext as _l
from wtforms import RadioField
from wtforms.validators import InputRequired

from ..core.forms import Form, choices
from .digests import LEADER_MAIL


class LeaderMailForm(Form):
    leader_mail = RadioField(_l("Applications and withdrawals in the groups you lead"),
                             choices=choices(LEADER_MAIL), validators=[InputRequired()])
