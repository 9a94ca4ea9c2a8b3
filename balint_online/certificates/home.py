from sqlalchemy import select

from ..extensions import db
from .models import Certificate


def section(user):
    certificates = db.session.scalars(select(Certificate).where(
        Certificate.user_id == user.id, Certificate.superseded_at.is_(None)).order_by(Certificate.issued_at.desc())).all()
    if not certificates:
        return None
    return ("certificates/_home.html", {"certificates": certificates})
