"""The leader's workspace: who is in the group, telling them things, exporting the roster."""

import hashlib
from collections.abc import Iterator
from functools import cache

from flask_babel import gettext as _
from sqlalchemy import Date, bindparam, select

from ..accounts.models import DISCIPLINES, User
from ..core.errors import InvalidInput
from ..core.money import ZERO
from ..core.pricecategories import CLAIM_KEYS
from ..enrollment.models import Application, AttestationText
from ..enrollment.queries import enrolled_members
from ..enrollment.quotes import membership_flag_columns, series_today
from ..extensions import db
from ..notifications.services import queue_email
from ..pricing.services import payment_columns, row_payment_status


def audience(series) -> list:
    """Everyone a change to the series is told about: its enrolled members, then its leaders."""
    people = enrolled_members([series.id])[series.id]
    return people + [leader for leader in series.leaders if leader not in people]


def message_group(series, sender, subject: str, body: str) -> int:
    """Email the whole group; sending the same message twice (a double click) sends it once."""
    errors = {}
    if not subject.strip() or len(subject) > 150:
        errors["subject"] = _("A subject of at most 150 characters.")
    if not body.strip() or len(body) > 5000:
        errors["body"] = _("A message of at most 5000 characters.")
    if errors:
        raise InvalidInput(_("The message needs attention."), fields=errors)
    digest = hashlib.sha256(f"{subject}\n{body}".encode()).hexdigest()[:16]
    sent = 0
    for person in audience(series):
        if queue_email(key=f"group-message:{series.id}:{digest}:user-{person.id}", kind="group_message", user=person,
                       context={"series": series, "sender": sender, "subject": subject.strip(), "body": body.strip()}):
            sent += 1
    return sent


# One column per claim an applicant may make (core/pricecategories.py), by its key.
ROSTER_COLUMNS = ("name", "email", "discipline", "status", *CLAIM_KEYS, "member", "payment_status", "amount_due",
                  "currency", "applied_at", "attestation_version")


@cache
def _roster_export():
    """Built once, the series and its day bound as it runs. A series' roster is a few hundred rows, fetched
    at once: a server-side cursor cost a transaction and more round trips, a quarter of the export's time."""
    return (select(User.name, User.email, User.discipline, Application.status, Application.claims,
                   *membership_flag_columns(User.id, bindparam("today", type_=Date())), Application.price,
                   Application.scholarship, *payment_columns(), Application.currency, Application.applied_at,
                   AttestationText.version)
            .join(User, User.id == Application.user_id)
            .join(AttestationText, AttestationText.id == Application.attestation_text_id)
            .where(Application.series_id == bindparam("series_id")).order_by(Application.applied_at, Application.id))


def roster_rows(series) -> Iterator[list]:
    """The roster export, every application of the series in one query with its money and membership
    summed by the database: rows come as the database sends them, no object loaded per applicant.
    The query runs when the rows are read (a streamed download reads them after the view returns)."""
    params = {"series_id": series.id, "today": series_today(series)}

    def rows():
        # Translated once for the file, not once a row (a lazy label looks its translation up each time).
        disciplines = {key: str(label) for key, label in DISCIPLINES.items()}
        for r in db.session.execute(_roster_export(), params):
            yield _roster_row(r, disciplines)

    return rows()


def _roster_row(r, disciplines: dict[str, str]) -> list:
    claimed = ["yes" if key in r.claims else "no" for key in CLAIM_KEYS]
    return [r.name, r.email, disciplines.get(r.discipline, r.discipline), r.status, *claimed,
            "yes" if r.is_member else "other society" if r.granted else "no", row_payment_status(r),
            f"{ZERO if r.scholarship else r.price:.2f}", r.currency, r.applied_at.date().isoformat(), r.version]
