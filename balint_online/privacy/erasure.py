"""Erasing a person: what is removed, what is anonymised, and what the society keeps.

Kept, because the society must keep it or because it names nobody once the account is anonymised:
- the financial records (payments, refunds, issued invoices and credit notes: RETAINED_TABLES),
  with the payer's name as issued. They are the only place the name or address may remain;
- the applications (series, status, dates, price, the yes/no answers to the commitments), so that
  seats, ledgers and refunds still add up, without the applicant's own words;
- attendance and the certificates already issued, so that the society can still show an accrediting
  body what it certified and for how many meetings; the certificate's printed name becomes the
  pseudonym, so it no longer certifies anyone by name (the member downloads theirs before asking);
- the audit log, with the person pseudonymised: entries keep pointing at the anonymised account,
  which every log shows as its pseudonym ("member-3fa9c2d1e0"), and the name and address are
  replaced by it wherever an entry's text or data held them.

Removed: sign-ins, API tokens, password-reset links, the billing details they gave (the invoices
keep them as issued), the calendar feed (a new secret no one knows),
video links, presenting unavailability, memberships and the membership offer, every email to them
(queued or sent, with its body), the free text they wrote or that was written about them
(application notes and end reasons, aid statements and decision notes, case titles, swap and
placement messages, the reasons they gave in the audit log). Anywhere else the name or address
still appears in any text (another member's email, a rotation's explanation), it is replaced by the pseudonym.
"""

import json
import re
import secrets

from sqlalchemy import JSON, String, Text, and_, cast, delete, func, or_, select, update
from sqlalchemy.types import TypeDecorator

from ..accounts.models import ERASED_EMAIL_DOMAIN, ApiToken, Membership, PasswordReset, SignIn, User
from ..aid.models import AidApplication
from ..audit.models import AuditEntry
from ..calendar.models import CalendarSequence
from ..certificates.models import Certificate
from ..enrollment.models import Application
from ..extensions import db
from ..invoicing.models import BillingDetails
from ..notifications.models import Notice, OutboxMessage
from ..pricing.models import MembershipOffer
from ..rotation.models import MemberUnavailability, PlacementRequest, PresenterTurn, SwapRequest
from ..video.models import VideoLink

# The financial records the society keeps as issued (and the card provider's records of the same
# payments and refunds); the only tables the name may remain in. A name no table has costs nothing.
RETAINED_TABLES = frozenset({"payments", "refunds", "invoices", "credit_notes", "checkout_sessions", "refund_payouts",
                             "stripe_events"})
ERASED_NAME = "Erased member"
# Not a hash in any format werkzeug knows, so no password ever matches it.
UNUSABLE_PASSWORD = "!erased"
# Where a row holds its own person's name ("" for the whole value, else the JSON key): a namesake keeps theirs.
OWN_NAMES = {("users", "name"): "", ("certificates", "facts"): "member_name"}
# A shorter name would match ordinary words in other people's texts; it is then left there.
SHORTEST_NAME_REPLACED = 3


def new_pseudonym() -> str:
    """Random, not derived from the name or address, so that nobody can recompute it from them."""
    return "member-" + secrets.token_hex(5)


def erase_person(user: User, pseudonym: str) -> None:
    """Remove or anonymise everything about `user` outside the retained records. The caller commits."""
    name, email, uid = user.name, user.email, user.id
    for model in (SignIn, ApiToken, PasswordReset, VideoLink, CalendarSequence, MemberUnavailability, MembershipOffer,
                  Membership, Notice):
        db.session.execute(delete(model).where(model.user_id == uid))
    # The payer details they gave live on in the invoices issued with them; the form's copy goes.
    db.session.execute(delete(BillingDetails).where(
        BillingDetails.application_id.in_(select(Application.id).where(Application.user_id == uid))))
    db.session.execute(delete(OutboxMessage).where(or_(OutboxMessage.user_id == uid,
                                                       func.lower(OutboxMessage.recipient) == email.lower())))
    for statement in (
        update(Application).where(Application.user_id == uid).values(note="", end_reason=""),
        update(AidApplication).where(AidApplication.user_id == uid)
        .values(statement="", specialty="", decision_note=""),
        update(PresenterTurn).where(PresenterTurn.user_id == uid).values(case_title=""),
        update(SwapRequest).where(or_(SwapRequest.requester_id == uid,
                                      SwapRequest.partner_id == uid)).values(message=""),
        update(PlacementRequest).where(PlacementRequest.user_id == uid).values(message=""),
        # The only change ever made to the append-only log: their own words go, the facts stay.
        update(AuditEntry.__table__).where(AuditEntry.actor_id == uid, AuditEntry.reason != "").values(reason=""),
    ):
        db.session.execute(statement, execution_options={"synchronize_session": False})  # all read afresh below
    for certificate in db.session.scalars(select(Certificate).where(Certificate.user_id == uid)):
        certificate.facts = {**certificate.facts, "member_name": pseudonym}
    user.name, user.email, user.password_hash = ERASED_NAME, f"{pseudonym}@{ERASED_EMAIL_DOMAIN}", UNUSABLE_PASSWORD
    user.role, user.discipline, user.timezone = "member", "other", "UTC"
    user.calendar_token = secrets.token_urlsafe(32)
    db.session.flush()
    replace_mentions([name, email], pseudonym)
    # What was changed behind the ORM's back is read afresh.
    db.session.expire_all()


def _is_json(column) -> bool | None:
    """True for a JSON column, False for a text one, None for anything else."""
    kind = column.type.impl if isinstance(column.type, TypeDecorator) else column.type
    if isinstance(kind, JSON):
        return True
    return False if isinstance(kind, String) else None


def _pattern(needles: list[str]) -> re.Pattern:
    # Whole words only: "Jo Member" inside "Jo Membership" is somebody else's text.
    alternatives = sorted(set(needles), key=len, reverse=True)
    return re.compile("|".join(rf"(?<!\w){re.escape(n)}(?!\w)" for n in alternatives), re.IGNORECASE)


def _replaced(value, pattern: re.Pattern, replacement: str):
    if isinstance(value, str):
        return pattern.sub(replacement, value)
    if isinstance(value, list):
        return [_replaced(v, pattern, replacement) for v in value]
    if isinstance(value, dict):
        return {_replaced(k, pattern, replacement): _replaced(v, pattern, replacement) for k, v in value.items()}
    return value


def replace_mentions(needles: list[str], replacement: str) -> int:
    """Replace every mention of `needles` in every text and JSON column of every table but the retained
    ones; returns the number of values changed.

    Every column rather than a list of them, so that a feature added later is covered without being
    named here. The database finds the candidate rows (case-insensitively, JSON as stored text);
    Python replaces whole words, inside JSON values and keys alike.
    """
    needles = [n.strip() for n in needles if len(n.strip()) >= SHORTEST_NAME_REPLACED]
    if not needles:
        return 0
    pattern = _pattern(needles)
    changed = 0
    for table in db.metadata.sorted_tables:
        if table.name in RETAINED_TABLES:
            continue
        keys = list(table.primary_key.columns)
        for column in table.columns:
            is_json, own = _is_json(column), OWN_NAMES.get((table.name, column.name))
            if is_json is None or own == "":
                continue
            # JSON holds a string as json.dumps wrote it: "José" as "Jos\u00e9".
            escaped = {json.dumps(n)[1:-1].lower() for n in needles} if is_json else set()
            forms = {n.lower() for n in needles} | escaped
            stored = func.lower(cast(column, Text))
            found = db.session.execute(select(*keys, column).where(or_(*(stored.contains(f, autoescape=True)
                                                                          for f in forms)))).all()
            for *key, value in found:
                new = _replaced(value, pattern, replacement)
                if own and own in value:
                    new[own] = value[own]
                if new != value:
                    db.session.execute(table.update().where(and_(*(k == v for k, v in zip(keys, key, strict=True))))
                                       .values({column.name: new}))
                    changed += 1
    return changed
