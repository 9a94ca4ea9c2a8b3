"""The calendar page's form: how meetings reach the person's calendar."""

from flask_babel import lazy_gettext as _l
from wtforms import RadioField

from ..core.forms import Form, choices
from .delivery import DELIVERY


class DeliveryForm(Form):
    calendar_delivery = RadioField(_l("How meetings reach your calendar"),
                                   choices=choices({key: label for key, (label, _, _) in DELIVERY.items()}))
