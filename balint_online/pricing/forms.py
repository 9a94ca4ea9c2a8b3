"""Forms with which administrators handle money."""

import secrets

from wtforms import HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError

from ..core.forms import Form, MoneyField, choices
from .models import PAYMENT_METHODS


def _more_than_zero(form, field):
    if field.data is not None and field.data == 0:
        raise ValidationError("Must be more than 0.00.")


class PaymentForm(Form):
    amount = MoneyField("Amount received", validators=[InputRequired(), _more_than_zero],
                         description="For example 875.00, in the application's currency.")
    method = SelectField("How it was paid", choices=choices(PAYMENT_METHODS), default="transfer")
    reference = StringField("Reference (optional)", validators=[Optional(), Length(max=200)],
                            description="The bank reference or cheque number.")
    # Issued with the form, so sending the same form twice records one payment.
    idempotency_key = HiddenField(validators=[InputRequired(), Length(max=200)])

    def issue_key(self) -> None:
        if not self.idempotency_key.data:
            self.idempotency_key.data = f"form:{secrets.token_urlsafe(18)}"


class ScholarshipForm(Form):
    reason = TextAreaField("Why (kept in the application's history)",
                           filters=[lambda text: text.strip() if text else text],
                           validators=[DataRequired("Say why, for the record."), Length(max=1000)])


class RefundPaidForm(Form):
    reference = StringField("Refund reference", validators=[Optional(), Length(max=200)])
