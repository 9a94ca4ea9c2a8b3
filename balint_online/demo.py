"""Demonstration data for a fresh install: people, memberships and three open series."""

from datetime import date, datetime, time, timedelta
from decimal import Decimal

from flask import current_app
from sqlalchemy import select

from .accounts.models import User, find_user_by_email
from .accounts.services import create_user
from .aid.models import AidProgramme
from .aid.rules import GROUPS
from .aid.services import create_programme
from .certificates.models import SeriesCredit
from .certificates.services import add_credit_line, set_credit
from .enrollment.attestation import KEYS  # the built-in wording's keys: requirements and advice alike
from .enrollment.models import Application
from .enrollment.services import apply
from .extensions import db
from .flows.applications import accept
from .flows.series import publish_series
from .series.models import Series
from .series.services import SeriesInput, create_series

PASSWORD = "demo-password-1"
PEOPLE = [
    ("admin@demo.balint.test", "Ada Admin", "admin", "America/New_York", "other", True),
    ("leader.ruth@demo.balint.test", "Dr Ruth Okafor", "leader", "America/New_York", "physician", True),
    ("leader.sam@demo.balint.test", "Sam Lindqvist, LCSW", "leader", "America/Chicago", "social_worker", True),
    ("leader.mei@demo.balint.test", "Dr Mei Tan", "leader", "Australia/Sydney", "psychologist", True),
    ("member.jo@demo.balint.test", "Dr Jo Alvarez", "member", "America/Los_Angeles", "physician", True),
    ("member.priya@demo.balint.test", "Priya Raman, NP", "member", "Europe/London", "nurse_practitioner", False),
    ("member.tom@demo.balint.test", "Tom Becker, PsyD", "member", "America/Denver", "psychologist", True),
    ("resident.lee@demo.balint.test", "Dr Lee Park (resident)", "member", "America/New_York", "physician", False),
]
PRICES = {
    "standard": {"early": "800.00", "regular": "875.00"},
    "member": {"early": "650.00", "regular": "725.00"},
    "trainee": {"early": "400.00", "regular": "450.00"},
    "member_trainee": {"early": "300.00", "regular": "350.00"},
}


def _next_weekday(start: date, weekday: int) -> date:
    return start + timedelta(days=(weekday - start.weekday()) % 7)


def load_demo(today: date) -> int:
    """Adds what is missing and flushes; the caller commits."""
    created = 0
    for email, name, role, tz, discipline, member in PEOPLE:
        if find_user_by_email(email) is None:
            create_user(email=email, name=name, password=PASSWORD, role=role, timezone=tz, discipline=discipline,
                        member_until=today + timedelta(days=365) if member else None)
            created += 1
    admin = _person("admin@demo.balint.test")
    ruth, sam, mei = (_person(f"leader.{n}@demo.balint.test") for n in ("ruth", "sam", "mei"))
    start = today + timedelta(days=21)
    plans = [
        ("Evening group for primary care clinicians", "America/New_York", _next_weekday(start, 0), time(19, 0),
         [ruth, sam], "Eight weekly meetings on Monday evenings for physicians, nurse practitioners and "
         "behavioural-health colleagues in primary care. Open to trainees."),
        ("Southern hemisphere early-evening group", "Australia/Sydney", _next_weekday(start, 2), time(18, 0),
         [mei], "A group for clinicians in Australia and New Zealand, meeting fortnightly on Wednesdays."),
        ("Lunchtime group for hospital clinicians", "Europe/London", _next_weekday(start + timedelta(days=7), 3),
         time(12, 30), [ruth], "Thursday lunchtime meetings for hospital doctors, nurses and psychologists."),
    ]
    for title, tz, day, at, leaders, description in plans:
        if db.session.scalar(select(Series.id).where(Series.title == title)):
            continue
        data = SeriesInput(
            title=title, description=description, timezone=tz, first_meeting_local=datetime.combine(day, at),
            interval_weeks=2 if "fortnightly" in description else 1, leader_emails=[u.email for u in leaders],
            prices=PRICES, early_bird_deadline=today + timedelta(days=10),
            cancellation_deadline=today + timedelta(days=14),
            registration_deadline=today + timedelta(days=18),
            cancellation_fee=Decimal("100.00"), currency=current_app.config["DEFAULT_CURRENCY"],
        )
        publish_series(create_series(data, admin, "jitsi"), admin)
        created += 1
    return created + _demo_group(admin) + _demo_aid_and_credit(admin, today)


# The society's words: financial aid from seed 000, the online groups' credit from seed 002.
AID_PROGRAMMES = [
    ("full_tuition", "ABS Scholarship", 2, (),
     "The ABS Scholarship program provides full tuition support for up to two individuals who have been accepted "
     "into an ABS Leadership Training Intensive course."),
    ("reimbursement", "Jerome and Maureen Lebowitz Scholarship", None,
     ("nurse_practitioners", "family_medicine_residents", "surgery_residents"),
     "The Jerome and Maureen Lebowitz Scholarship provides reimbursement of course registration for nurse "
     "practitioners and family medicine or surgery residents."),
]
ONLINE_GROUP_CREDIT = [
    ("aafp", "The AAFP has reviewed Balint Group - Decreasing Isolation with Peer Consultation, and deemed it "
             "acceptable for AAFP credit. AMA/AAFP Equivalency: AAFP Prescribed credit is accepted by the American "
             "Medical Association as equivalent to AMA PRA Category 1 Credit toward the AMA Physician's Recognition "
             "Award. When applying for the AMA PRA, Prescribed credit earned must be reported as Prescribed, not as "
             "Category 1."),
    ("apa", "The American Balint Society is approved by the American Psychological Association to sponsor continuing "
            "education for psychologists. The American Balint Society maintains responsibility for this program and "
            "its content."),
]


def _person(email: str) -> User:
    """A demo account (made before anything refers to it)."""
    person = find_user_by_email(email)
    if person is None:
        raise LookupError(f"The demo account {email} is missing.")
    return person


def _evening_group() -> Series:
    return db.session.scalars(select(Series).where(Series.title == "Evening group for primary care clinicians")).one()


def _demo_aid_and_credit(admin, today: date) -> int:
    """The society's two scholarships, applied for by the deadline the page gives (its early registration
    deadline); the evening group's credit lines for physicians and psychologists, every meeting in full."""
    added = 0
    series = _evening_group()
    for kind, name, limit, groups, description in AID_PROGRAMMES:
        if db.session.scalar(select(AidProgramme.id).where(AidProgramme.name == name)) is None:
            create_programme(admin, series_id=None, kind=kind, name=name, description=description, max_awards=limit,
                             criteria=[GROUPS[g][1] for g in groups], deadline=series.early_bird_deadline)
            added += 1
    if db.session.get(SeriesCredit, series.id) is None:
        set_credit(series, admin, minutes_per_meeting=series.duration_minutes, min_meetings=series.meeting_count,
                   statements="")
        for body, statement in ONLINE_GROUP_CREDIT:
            add_credit_line(series, admin, body=body, credit_type="", amount="", disciplines=[], statement=statement)
        added += 1
    return added


def _demo_group(admin) -> int:
    """A few members applied to and accepted into the first series, so rotation and calendars have content."""
    series = db.session.scalars(select(Series).where(Series.title == "Evening group for primary care clinicians")).one()
    added = 0
    for email, trainee in (("member.jo@demo.balint.test", False), ("member.tom@demo.balint.test", False),
                           ("resident.lee@demo.balint.test", True), ("member.priya@demo.balint.test", False)):
        user = _person(email)
        if db.session.scalar(select(Application.id).where(Application.series_id == series.id,
                                                          Application.user_id == user.id)):
            continue
        application = apply(series, user, claims={"trainee"} if trainee else (), answers={key: True for key in KEYS},
                            note="Demo application.")
        if email != "member.priya@demo.balint.test":  # one stays pending for the leaders to decide
            accept(application, admin)
        added += 1
    return added
