"""The member's certificates on their home page, and why one did not come."""

from sqlalchemy import select

from ..core.clock import now
from ..enrollment.queries import enrolled_series_ids
from ..extensions import db
from . import rules
from .models import Certificate, SeriesCredit
from .services import decision

REASON_TEXT = {
    rules.LATE: "joined late at meeting {n}",
    rules.LEFT_EARLY: "left early at meeting {n}",
    rules.ABSENT: "missed meeting {n}",
    rules.EXCUSED: "excused from meeting {n}",
    rules.TOO_FEW_MEETINGS: "too few meetings attended in full",
    rules.NO_CREDIT_LINE: "no credit line for your discipline",
}


def section(user):
    certificates = db.session.scalars(select(Certificate).where(
        Certificate.user_id == user.id,
        Certificate.superseded_at.is_(None)).order_by(Certificate.issued_at.desc())).all()
    have = {c.series_id for c in certificates}
    moment = now()
    missing = []
    enrolled_in = select(SeriesCredit).where(SeriesCredit.series_id.in_(enrolled_series_ids(user.id)))
    for credit in db.session.scalars(enrolled_in):
        if credit.series_id in have or credit.series.status_at(moment) != "completed":
            continue
        decided = decision(credit.series, user, credit)
        reasons = [REASON_TEXT[code].format(n=n) for code, n in decided.reasons]
        missing.append((credit.series, reasons))
    if not certificates and not missing:
        return None
    return ("certificates/_home.html", {"certificates": certificates, "missing": missing})
