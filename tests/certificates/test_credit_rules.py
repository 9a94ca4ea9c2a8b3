"""The pure credit rules: a whole meeting, the certificate's decision and reasons, credit lines by discipline."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from itertools import product

import pytest

from balint_online.accounts.models import DISCIPLINES
from balint_online.certificates import rules
from balint_online.certificates.rules import (
    ABSENT,
    BODIES,
    EXCUSED,
    FULL,
    LATE,
    LEFT_EARLY,
    NO_CREDIT_LINE,
    TOO_FEW_MEETINGS,
    CreditLine,
    CreditSettings,
    Presence,
    decide,
    lines_for,
    meeting_verdict,
)

START = datetime(2026, 10, 19, 23, 0, tzinfo=UTC)
END = START + timedelta(minutes=90)
GRACE = timedelta(minutes=10)
M = timedelta(minutes=1)

# The seed's statements (000, "Continuing Education"), as a series would carry them.
APA = CreditLine("apa", "CE credits", Decimal("19.25"), ("psychologist",),
                 "The American Balint Society is approved by the American Psychological Association to sponsor "
                 "continuing education for psychologists. The American Balint Society maintains responsibility for "
                 "this program and its content. This activity is approved for 19.25 CE credits.")
NASW = CreditLine("nasw", "continuing education contact hours", Decimal("17"), ("social_worker",),
                  "This program is Approved by the National Association of Social Workers (Approval # 886826093-7562) "
                  "for 17 continuing education contact hours.")
AAVSB = CreditLine("aavsb", "credits", Decimal("19.25"), ("veterinarian",),
                   "This program is approved by the American Association of Veterinary State Boards for 19.25 credits.")
AAFP = CreditLine("aafp", "AAFP Prescribed credit", None, ("physician",), BODIES["aafp"].statement)


def test_the_bodies_are_those_the_society_names_with_their_disciplines():
    assert {k: (b.credit_type, b.disciplines) for k, b in BODIES.items()} == {
        "aafp": ("AAFP Prescribed credit", ("physician",)),
        "apa": ("CE credits", ("psychologist",)),
        "nasw": ("continuing education contact hours", ("social_worker",)),
        "aavsb": ("credits", ("veterinarian",)),
    }
    assert all(d in DISCIPLINES for b in BODIES.values() for d in b.disciplines)
    assert "AMA PRA Category 1 Credit" in BODIES["aafp"].statement
    assert "maintains responsibility for this program and its content" in BODIES["apa"].statement


@pytest.mark.parametrize("discipline", list(DISCIPLINES))
def test_each_discipline_gets_only_its_own_lines(discipline):
    got = lines_for(discipline, (APA, NASW, AAVSB, AAFP))
    assert all(discipline in line.disciplines for line in got)
    assert len(got) == (1 if discipline in ("psychologist", "social_worker", "veterinarian", "physician") else 0)


ARRIVALS = [None, START - 15 * M, START, START + GRACE, START + GRACE + M, END]
DEPARTURES = [None, START + 30 * M, END - GRACE - M, END - GRACE, END, END + 5 * M]


@pytest.mark.parametrize("entered,joined,left,word", list(product(
    ARRIVALS, ARRIVALS, DEPARTURES, (None, "present", "absent", "excused"))))
def test_a_meeting_counts_only_when_attended_in_full(entered, joined, left, word):
    verdict = meeting_verdict(Presence(START, END, entered, joined, left, word), GRACE)
    if word:
        assert verdict == {"present": FULL, "absent": ABSENT, "excused": EXCUSED}[word]  # the leaders' word wins
        return
    arrivals = [t for t in (entered, joined) if t]
    if not arrivals:
        assert verdict == ABSENT
    elif min(arrivals) > START + GRACE:
        assert verdict == LATE
    elif left is not None and left < END - GRACE:
        assert verdict == LEFT_EARLY
    else:
        assert verdict == FULL


def test_the_earliest_arrival_counts_whichever_record_saw_it():
    assert meeting_verdict(Presence(START, END, entered_at=START + 30 * M, joined_at=START), GRACE) == FULL
    assert meeting_verdict(Presence(START, END, entered_at=START, joined_at=START + 30 * M), GRACE) == FULL


def test_no_grace_means_on_the_minute():
    assert meeting_verdict(Presence(START, END, entered_at=START + M), timedelta(0)) == LATE
    assert meeting_verdict(Presence(START, END, entered_at=START, left_at=END - M), timedelta(0)) == LEFT_EARLY


SETTINGS = CreditSettings(minutes_per_meeting=90, min_meetings=4, statements=(), lines=(APA, NASW))


def test_every_meeting_in_full_with_a_line_for_the_discipline():
    d = decide([(1, FULL), (2, FULL), (3, FULL), (4, FULL)], SETTINGS, "psychologist")
    assert d.eligible and d.full_meetings == 4 and d.lines == (APA,) and d.reasons == ()
    assert decide([(n, FULL) for n in range(1, 5)], SETTINGS, "social_worker").lines == (NASW,)


def test_leaving_early_once_loses_the_certificate_and_says_where():
    d = decide([(2, FULL), (1, FULL), (3, LEFT_EARLY), (4, FULL)], SETTINGS, "psychologist")
    assert not d.eligible and d.full_meetings == 3 and d.reasons == ((LEFT_EARLY, 3),)


def test_every_reason_is_given_in_meeting_order():
    d = decide([(4, ABSENT), (1, LATE), (2, EXCUSED), (3, FULL)], SETTINGS, "physician")
    assert d.reasons == ((LATE, 1), (EXCUSED, 2), (ABSENT, 4), (NO_CREDIT_LINE, None))


def test_no_line_for_the_discipline_means_no_certificate_but_no_lines_at_all_means_the_statements():
    assert decide([(n, FULL) for n in range(1, 5)], SETTINGS, "physician").reasons == ((NO_CREDIT_LINE, None),)
    plain = CreditSettings(90, 4, ("Approved for 6 hours.",))
    assert decide([(n, FULL) for n in range(1, 5)], plain, "physician").eligible


def test_a_lower_threshold_forgives_a_missed_meeting_and_no_meetings_held_gives_a_reason():
    lenient = CreditSettings(90, 3, (), lines=(APA,))
    assert decide([(1, FULL), (2, ABSENT), (3, FULL), (4, FULL)], lenient, "psychologist").eligible
    assert decide([], lenient, "psychologist").reasons == ((TOO_FEW_MEETINGS, None),)


def test_credit_lines_print_their_amounts_or_pending():
    assert APA.to_json()["amount"] == "19.25" and APA.to_json()["body_name"] == "American Psychological Association"
    assert AAFP.to_json()["amount"] is None and NASW.to_json()["amount"] == "17"  # as the body states it
    assert rules.credit_hours(4, 90) == Decimal("6.00")
