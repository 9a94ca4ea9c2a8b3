"""The calendar page's form: how meetings reach the person's calendar."""

from wtforms import RadioField

from ..core.forms import Form, choices
from .delivery import DELIVERY


class DeliveryForm(Form):
    calendar_delivery = RadioField("How meetings reach your calendar",
                                   choices=choices({key: label for key, (label, _, _) in DELIVERY.items()}))
