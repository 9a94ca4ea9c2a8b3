"""The payer's billing details, on the invoice page."""

from flask_babel import lazy_gettext as _l
from wtforms import StringField, TextAreaField
from wtforms.validators import Length, Optional

from ..core.forms import Form
from .models import BillingDetails

FIELDS = ("organisation", "address", "po_reference", "tax_id")


def _strip(text):
    return text.strip() if text else ""


def _limit(column) -> Length:
    return Length(max=BillingDetails.__table__.c[column].type.length)


class BillingForm(Form):
    organisation = StringField(_l("Organisation paying (optional)"), filters=[_strip],
                               validators=[Optional(), _limit("organisation")],
                               description=_l("Your employer or another body paying the fee: "
                                              "the invoice is made out to it."))
    address = TextAreaField(_l("Its billing address"), filters=[_strip], validators=[Optional(), _limit("address")])
    po_reference = StringField(_l("Purchase-order reference"), filters=[_strip],
                               validators=[Optional(), _limit("po_reference")],
                               description=_l("If your finance office gave you one, it is printed on the invoice."))
    tax_id = StringField(_l("Its tax id or VAT number"), filters=[_strip],
                         validators=[Optional(), _limit("tax_id")])

    def details(self) -> dict:
        return {name: self[name].data or "" for name in FIELDS}
