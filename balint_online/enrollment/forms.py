from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, FieldList, FormField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from ..core.forms import Form, SubForm, choices
from ..core.pricecategories import CLAIMS
from . import attestation


def _strip(text):
    return text.strip() if text else text


NOTE_HINT = _l("Optional, for the leaders: your setting, what draws you to the group. "
               "Please include no patient details.")


class ApplyForm(Form):
    # One box per claim of core/pricecategories.py, named by its key, added below.
    note = TextAreaField(
        _l("A note for the leaders"), filters=[_strip], validators=[Optional(), Length(max=1000)], description=NOTE_HINT
    )
    recalculate = SubmitField(_l("Update the price"))
    submit = SubmitField(_l("Apply"))
    items: list = []

    def claim_fields(self):
        return [self[claim.key] for claim in CLAIMS]

    def claims(self) -> frozenset[str]:
        """What the applicant ticked about themselves, for the price."""
        return frozenset(claim.key for claim in CLAIMS if self[claim.key].data)

    def answers(self) -> dict[str, bool]:
        return {key: self[field_name(key)].data for key in attestation.required_keys(self.items)}

    def attestation_fields(self):
        return [self[field_name(key)] for key in attestation.required_keys(self.items)]

    @property
    def advice(self):
        return [item for item in self.items if not item.required]


for _claim in CLAIMS:
    setattr(ApplyForm, _claim.key, BooleanField(_l(_claim.label), description=_l(_claim.description)))


def field_name(key: str) -> str:
    return f"attest_{key}"


def apply_form(items) -> ApplyForm:
    """The apply form for one version of the commitments: a checkbox per requirement, in its exact wording."""
    form_class = type("VersionedApplyForm", (ApplyForm,), {
        field_name(item.key): BooleanField(item.text) for item in items if item.required})
    form = form_class()
    form.items = list(items)
    return form


KINDS = {"required": _l("A requirement: applicants confirm it"), "advice": _l("Advice: shown with whom to contact")}


class CommitmentItemForm(SubForm):
    key = StringField(_l("Key"), validators=[Optional(), Length(max=40)],
                      description=_l("Stable name used by the API; lower-case letters, digits and underscores."))
    text = TextAreaField(_l("Wording"), validators=[Optional(), Length(max=attestation.TEXT_MAX)])
    kind = SelectField(_l("Kind"), choices=choices(KINDS))
    contact = StringField(_l("Whom to contact (advice)"), validators=[Optional(), Length(max=300)])


class CommitmentsForm(Form):
    intro = TextAreaField(_l("Introduction"), validators=[DataRequired(), Length(max=attestation.TEXT_MAX)])
    items = FieldList(FormField(CommitmentItemForm), min_entries=1)

    def _kept_rows(self) -> list:
        return [row for row in self.items if (row.text.data or "").strip()]

    def edited_items(self) -> list:
        """The items as written, leaving out rows with no wording (a blank new row, or an item removed)."""
        return [attestation.Item(key=(row.key.data or "").strip(), text=(row.text.data or "").strip(),
                                 required=row.kind.data == "required", contact=(row.contact.data or "").strip())
                for row in self._kept_rows()]

    def attach(self, fields: dict[str, str]) -> list:
        """The service's errors ("items.<n>.<field>", n counting the items kept) under the rows they concern;
        returns (field, problem) pairs for the page's summary."""
        rows = self._kept_rows()
        attached = []
        for name, problem in fields.items():
            parts = name.split(".")
            field = rows[int(parts[1])][parts[2]] if len(parts) == 3 and parts[0] == "items" else self.intro
            field.errors = list(field.errors) + [problem]
            attached.append((field, problem))
        return attached


class WithdrawForm(Form):
    reason = TextAreaField(_l("Why are you withdrawing?"), filters=[_strip],
                           validators=[DataRequired(_l("Please say why, in a sentence.")), Length(max=1000)],
                           description=_l("Your written withdrawal; the leaders see it. No patient details, please."))


class DeclineForm(Form):
    reason = TextAreaField(_l("Reason for declining"), filters=[_strip],
                           validators=[DataRequired(_l("A reason is required: the applicant is told.")),
                                       Length(max=1000)],
                           description=_l("The applicant receives this reason by email, as written."))
