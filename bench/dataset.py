"""A society's worth of data, for benchmarks and for the query-count tests.

`build(Scale())` makes the benchmark's society: 10,000 members, 1,000 series over five years
(most finished, some open), one large series with 300 applicants and 40 meetings, payments for
every enrolled member. The tests build the same shape at two small sizes and check that each
page costs the same number of queries at both.

Rows are made through the models (so new columns get their defaults) and flushed in batches;
no services run, so nothing is emailed and nothing is recomputed.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from werkzeug.security import generate_password_hash

ZONES = ("America/New_York", "America/Chicago", "America/Los_Angeles", "Europe/London", "Europe/Berlin",
         "Australia/Sydney", "Asia/Kolkata")
DISCIPLINES = ("physician", "nurse_practitioner", "psychologist", "social_worker", "other")
PRICES = {
    "standard": {"early": "800.00", "regular": "875.00"},
    "member": {"early": "650.00", "regular": "725.00"},
    "trainee": {"early": "400.00", "regular": "450.00"},
    "member_trainee": {"early": "300.00", "regular": "350.00"},
}
PASSWORD = "scale-password-1"


@dataclass(frozen=True)
class Scale:
    members: int = 10_000
    series: int = 1_000
    group_size: int = 8
    big_applicants: int = 300
    big_meetings: int = 40
    years: int = 5


@dataclass
class Built:
    """Ids a benchmark or test needs to ask for the pages."""

    admin_id: int = 0
    leader_id: int = 0
    member_id: int = 0
    big_series_id: int = 0
    open_series_ids: list[int] = field(default_factory=list)


def build(scale: Scale, today: date, seed: int = 7) -> Built:
    """Fill an empty, migrated database (inside an app context); commits once at the end."""
    from balint_online.accounts.models import Membership, User
    from balint_online.core.prices import parse_price_table, quote
    from balint_online.enrollment.models import Application
    from balint_online.enrollment.services import current_attestation_text
    from balint_online.extensions import db
    from balint_online.pricing.models import Payment
    from balint_online.rotation.models import PresenterTurn
    from balint_online.series.models import Meeting, Series
    from balint_online.video.models import Attendance

    rng = random.Random(seed)
    # Everyone applies after the early-bird rates end (as `enrol` dates it) and at the non-member rate: the
    # quote the pricing rule gives them, locked in as applying would.
    quoted = quote(parse_price_table(PRICES), currency="USD", on=today, early_bird_deadline=today - timedelta(days=1),
                   is_member=False)
    # One real hash shared by every account: hashing 10,000 passwords would dominate the build.
    hashed = generate_password_hash(PASSWORD, method="pbkdf2:sha256:1000")
    text = current_attestation_text()
    answers = {key: True for key in ("clinically_active", "willing_to_present", "attend_all_sessions",
                                     "emotional_readiness", "confidentiality")}
    built = Built()

    def person(n: int, role: str) -> User:
        return User(email=f"{role}{n}@scale.balint.test", name=f"{role.title()} {n:05d} Scale", password_hash=hashed,
                    role=role, discipline=DISCIPLINES[n % len(DISCIPLINES)], timezone=ZONES[n % len(ZONES)])

    admin = person(0, "admin")
    leaders = [person(n, "leader") for n in range(max(2, scale.series // 10))]
    members = [person(n, "member") for n in range(scale.members)]
    db.session.add_all([admin, *leaders, *members])
    db.session.flush()
    built.admin_id, built.leader_id, built.member_id = admin.id, leaders[0].id, members[0].id
    db.session.add_all(Membership(user_id=m.id, starts_on=today - timedelta(days=400),
                                  expires_on=today + timedelta(days=300))
                       for m in members[::2])

    first_day = today - timedelta(days=365 * scale.years)
    span = (today + timedelta(days=120) - first_day).days

    def make_series(n: int, start: date, meetings: int, capacity: int) -> Series:
        zone = ZONES[n % len(ZONES)]
        series = Series(title=f"Balint group {n:04d}", description="A weekly online Balint group.", timezone=zone,
                        first_meeting_local=datetime.combine(start, time(19, 0)), meeting_count=meetings,
                        capacity=capacity, prices=PRICES, currency="USD",
                        early_bird_deadline=start - timedelta(days=30),
                        cancellation_deadline=start - timedelta(days=14), lifecycle="published",
                        published_at=datetime.combine(start - timedelta(days=60), time(12), tzinfo=UTC))
        series.leaders = [leaders[n % len(leaders)], leaders[(n + 1) % len(leaders)]]
        for k in range(meetings):
            begins = datetime.combine(start + timedelta(weeks=k), time(19, 0), tzinfo=UTC)
            series.meetings.append(Meeting(number=k + 1, starts_at=begins, ends_at=begins + timedelta(minutes=90)))
        return series

    def enrol(series: Series, user: User, enrolled: bool, decided: datetime) -> Application:
        status = "enrolled" if enrolled else rng.choice(("pending", "waitlisted", "declined", "withdrawn"))
        application = Application(series=series, user_id=user.id, status=status, attestation_text=text,
                                  attestation_answers=answers, attested_at=decided, price=quoted.amount,
                                  quote=quoted.to_api(), currency=quoted.currency, applied_at=decided,
                                  decided_at=decided,
                                  enrolled_at=decided if enrolled else None,
                                  waitlisted_at=decided if status == "waitlisted" else None,
                                  ended_at=decided if status in ("declined", "withdrawn") else None)
        db.session.add(application)
        return application

    everyone = list(range(len(members)))
    for n in range(scale.series):
        start = first_day + timedelta(days=(n * span) // max(1, scale.series))
        series = make_series(n, start, 8, scale.group_size)
        db.session.add(series)
        decided = datetime.combine(start - timedelta(days=20), time(12), tzinfo=UTC)
        group = [members[i] for i in rng.sample(everyone, scale.group_size)]
        if n % 50 == 0 and members[0] not in group:  # the benchmark's member takes part now and then
            group[0] = members[0]
        applications = [enrol(series, user, True, decided) for user in group]
        series.seats_taken = len(group)
        db.session.flush()
        for application in applications:
            db.session.add(Payment(application_id=application.id, amount=application.price, currency="USD",
                                   method="bank", reference=f"INV-{application.id}", received_at=decided))
        for meeting, user in zip(series.meetings, group, strict=False):
            db.session.add(PresenterTurn(meeting_id=meeting.id, user_id=user.id, role="presenter",
                                         announced_at=decided))
        if start >= today:  # meetings begin at 19:00 UTC, so a series starting today is open until then
            built.open_series_ids.append(series.id)
        if n % 100 == 0:
            db.session.flush()

    big_start = today + timedelta(days=30)
    big = make_series(scale.series, big_start, scale.big_meetings, scale.big_meetings)
    big.leaders = [leaders[0]]
    db.session.add(big)
    decided = datetime.combine(today - timedelta(days=5), time(12), tzinfo=UTC)
    applicants = [members[i] for i in rng.sample(everyone[1:], scale.big_applicants)]
    big_apps = [enrol(big, user, k < scale.big_meetings, decided) for k, user in enumerate(applicants)]
    big.seats_taken = scale.big_meetings
    db.session.flush()
    for application in big_apps:
        if application.status == "enrolled":
            db.session.add(Payment(application_id=application.id, amount=application.price, currency="USD",
                                   method="card", reference=f"INV-{application.id}", received_at=decided))
    for meeting, application in zip(big.meetings, big_apps, strict=False):
        db.session.add(PresenterTurn(meeting_id=meeting.id, user_id=application.user_id, role="presenter",
                                     announced_at=decided))
        db.session.add(Attendance(meeting_id=meeting.id, user_id=application.user_id, status="present"))
    built.big_series_id = big.id
    built.open_series_ids.append(big.id)
    db.session.commit()
    return built
