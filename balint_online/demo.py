"""Demonstration data for a fresh install: people, memberships and three open series."""

from datetime import date, datetime, time, timedelta
from decimal import Decimal

from sqlalchemy import select

from .accounts.models import find_user_by_email
from .accounts.services import create_user
from .extensions import db
from .series.models import Series
from .series.services import SeriesInput, create_series, publish_series

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
    created = 0
    for email, name, role, tz, discipline, member in PEOPLE:
        if find_user_by_email(email) is None:
            create_user(email=email, name=name, password=PASSWORD, role=role, timezone=tz, discipline=discipline,
                        member_until=today + timedelta(days=365) if member else None)
            created += 1
    admin = find_user_by_email("admin@demo.balint.test")
    ruth, sam, mei = (find_user_by_email(f"leader.{n}@demo.balint.test") for n in ("ruth", "sam", "mei"))
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
            prices=PRICES, early_bird_deadline=today + timedelta(days=10), cancellation_deadline=today + timedelta(days=14),
            registration_deadline=today + timedelta(days=18),
            cancellation_fee=Decimal("100.00"),
        )
        publish_series(create_series(data, admin, "jitsi"), admin)
        created += 1
    return created + _demo_group(admin)


def _demo_group(admin) -> int:
    """A few members applied to and accepted into the first series, so rotation and calendars have content."""
    from .enrollment.attestation import KEYS  # the built-in wording's keys: requirements and advice alike
    from .enrollment.models import Application
    from .enrollment.services import accept, apply

    series = db.session.scalar(select(Series).where(Series.title == "Evening group for primary care clinicians"))
    added = 0
    for email, trainee in (("member.jo@demo.balint.test", False), ("member.tom@demo.balint.test", False),
                           ("resident.lee@demo.balint.test", True), ("member.priya@demo.balint.test", False)):
        user = find_user_by_email(email)
        if db.session.scalar(select(Application.id).where(Application.series_id == series.id,
                                                          Application.user_id == user.id)):
            continue
        application = apply(series, user, trainee=trainee, answers={key: True for key in KEYS},
                            note="Demo application.")
        if email != "member.priya@demo.balint.test":  # one stays pending for the leaders to decide
            accept(application, admin)
        added += 1
    return added
