"""The member's certificates on their home page, and why one did not come."""

from flask_babel import gettext as _
from sqlalchemy import select

from ..core.labels import N_
from ..enrollment.home import applications
from ..extensions import db
from . import rules
from .models import Certificate, SeriesCredit
from .services import decision

REASON_TEXT = {
    rules.LATE: N_("joined late at meeting %(n)s"),
    rules.LEFT_EARLY: N_("left early at meeting %(n)s"),
    rules.ABSENT: N_("missed meeting %(n)s"),
    rules.EXCUSED: N_("excused from meeting %(n)s"),
    rules.TOO_FEW_MEETINGS: N_("too few meetings attended in full"),
    rules.NO_CREDIT_LINE: N_("no credit line for your discipline"),
}


def section(home):
    certificates = db.session.scalars(select(Certificate).where(
        Certificate.user_id == home.user.id, Certificate.superseded_at.is_(None))
        .order_by(Certificate.issued_at.desc())).all()
    have = {c.series_id for c in certificates}
    # The enrolled groups that ended without a certificate: each says why (the rule's reasons).
    ended = {a.series_id: a.series for a in applications(home)
             if a.status == "enrolled" and a.series_id not in have and a.series.status_at(home.moment) == "completed"}
    missing = []
    if ended:
        for credit in db.session.scalars(select(SeriesCredit).where(SeriesCredit.series_id.in_(ended))):
            decided = decision(ended[credit.series_id], home.user, credit)
            missing.append((ended[credit.series_id], [_(REASON_TEXT[code], n=n) for code, n in decided.reasons]))
    if not certificates and not missing:
        return None
    return ("certificates/_home.html", {"certificates": certificates, "missing": missing})
