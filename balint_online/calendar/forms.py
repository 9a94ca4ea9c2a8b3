"""The calendar page's form: how meetings reach the person's calendar."""

from flask_wtf import FlaskForm
from wtforms import RadioField

from ..core.forms import choices
from .delivery import DELIVERY


class DeliveryForm(FlaskForm):
    calendar_delivery = RadioField("How meetings reach your calendar",
                                   choices=choices({key: label for key, (label, _, _) in DELIVERY.items()}))
