"""The leader's workspace: who is in the group, telling them things, exporting the roster."""

import hashlib

from ..core.errors import InvalidInput
from ..core.pricecategories import CLAIM_KEYS
from ..enrollment.queries import enrolled_members
from ..enrollment.services import series_applications
from ..notifications.services import queue_email
from ..pricing.services import membership_flags, payment_status, series_today


def audience(series) -> list:
    """Everyone a change to the series is told about: its enrolled members, then its leaders."""
    people = enrolled_members([series.id])[series.id]
    return people + [leader for leader in series.leaders if leader not in people]


def message_group(series, sender, subject: str, body: str) -> int:
    """Email the whole group; sending the same message twice (a double click) sends it once."""
    errors = {}
    if not subject.strip() or len(subject) > 150:
        errors["subject"] = "A subject of at most 150 characters."
    if not body.strip() or len(body) > 5000:
        errors["body"] = "A message of at most 5000 characters."
    if errors:
        raise InvalidInput("The message needs attention.", fields=errors)
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


def roster_rows(series) -> list[list]:
    today = series_today(series)
    rows = []
    for a in series_applications(series, history=False):
        is_member, granted = membership_flags(a.user, today)
        claimed = ["yes" if made else "no" for _, made in a.claim_answers]
        rows.append([a.user.name, a.user.email, a.user.discipline_label, a.status, *claimed,
                     "yes" if is_member else "other society" if granted else "no", payment_status(a),
                     f"{a.amount_due:.2f}", a.currency, a.applied_at.date().isoformat(), a.attestation_text.version])
    return rows
