"""Forms with which administrators handle money."""

import secrets

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]  # newer than types-WTForms
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError

from ..core.forms import Form, MoneyField
from .models import PAYMENT_METHODS


def _more_than_zero(form, field):
    if field.data is not None and field.data == 0:
        raise ValidationError(_("Must be more than 0.00."))


class PaymentForm(Form):
    amount = MoneyField(_l("Amount received"), validators=[InputRequired(), _more_than_zero],
                         description=_l("For example 875.00, in the application's currency."))
    method = SelectField(_l("How it was paid"), default="transfer",
                         choices=[SelectChoice(key, _l(words)) for key, words in PAYMENT_METHODS.items()])
    reference = StringField(_l("Reference (optional)"), validators=[Optional(), Length(max=200)],
                            description=_l("The bank reference or cheque number."))
    # Issued with the form, so sending the same form twice records one payment.
    idempotency_key = HiddenField(validators=[InputRequired(), Length(max=200)])

    def issue_key(self) -> None:
        if not self.idempotency_key.data:
            self.idempotency_key.data = f"form:{secrets.token_urlsafe(18)}"


class ScholarshipForm(Form):
    reason = TextAreaField(_l("Why (kept in the application's history)"),
                           filters=[lambda text: text.strip() if text else text],
                           validators=[DataRequired(_l("Say why, for the record.")), Length(max=1000)])


class RefundPaidForm(Form):
    reference = StringField(_l("Refund reference"), validators=[Optional(), Length(max=200)])
