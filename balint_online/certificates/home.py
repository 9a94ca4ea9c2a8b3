"""The member's certificates on their home page, and why one did not come."""

from datetime import timedelta
from functools import cache

from flask_babel import gettext as _
from sqlalchemy import bindparam, select
from sqlalchemy.orm import selectinload

from ..core.labels import N_
from ..core.pagination import paginate
from ..core.types import UTCDateTime
from ..enrollment.home import HISTORY_PER_PAGE
from ..enrollment.models import Application
from ..extensions import db
from ..series.models import Series
from ..series.services import last_end_column
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


# How long after a group ends the home page says why it brought no certificate: the news of the weeks
# after the last meeting (the certificates themselves stay listed, a page at a time).
MISSING_SHOWN_FOR = timedelta(days=90)


@cache
def _certificates():
    return (select(Certificate).where(Certificate.user_id == bindparam("user_id"), Certificate.superseded_at.is_(None))
            .order_by(Certificate.issued_at.desc(), Certificate.id))


@cache
def _ended_lately():
    """The enrolled groups that ended between the bound `since` and `moment` without a certificate."""
    last_end = last_end_column()
    return (select(Series).join(Application, Application.series_id == Series.id)
            .where(Application.user_id == bindparam("user_id"), Application.status == "enrolled",
                   Series.id.not_in(select(Certificate.series_id).where(Certificate.user_id == bindparam("user_id"),
                                                                        Certificate.superseded_at.is_(None))),
                   last_end <= bindparam("moment", type_=UTCDateTime()),
                   last_end > bindparam("since", type_=UTCDateTime()))
            .order_by(Series.id).options(selectinload(Series.meetings)))


@cache
def _credits():
    return select(SeriesCredit).where(SeriesCredit.series_id.in_(bindparam("series_ids", expanding=True)))


def section(home):
    certificates = paginate(_certificates(), HISTORY_PER_PAGE, param="certificates", short=True,
                            params=home.params)
    # The enrolled groups that ended lately without a certificate: each says why (the rule's reasons).
    recent = db.session.scalars(_ended_lately(), {**home.params, "since": home.moment - MISSING_SHOWN_FOR}).all()
    ended = {s.id: s for s in recent if s.status_at(home.moment) == "completed"}
    missing = []
    if ended:
        for credit in db.session.scalars(_credits(), {"series_ids": sorted(ended)}):
            decided = decision(ended[credit.series_id], home.user, credit)
            missing.append((ended[credit.series_id], [_(REASON_TEXT[code], n=n) for code, n in decided.reasons]))
    if not certificates.total and not missing:
        return None
    return ("certificates/_home.html", {"certificates": certificates, "missing": missing})
