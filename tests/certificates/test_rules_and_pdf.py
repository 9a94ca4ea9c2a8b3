"""Credit hours, eligibility, and what the certificate PDF says (read back with pypdf)."""

import io
from datetime import date
from decimal import Decimal

import pytest
from pypdf import PdfReader

from balint_online.certificates.pdf import render_certificate
from balint_online.certificates.rules import CertificateFacts, CreditSettings, credit_hours, is_eligible


@pytest.mark.parametrize("attended,minutes,hours",
                         [(8, 90, "12.00"), (7, 90, "10.50"), (1, 50, "0.75"), (3, 55, "2.75"),
                                                    (0, 90, "0.00"), (5, 7, "0.50")])
def test_credit_hours_to_the_quarter_hour(attended, minutes, hours):
    assert credit_hours(attended, minutes) == Decimal(hours)


def test_eligibility():
    settings = CreditSettings(minutes_per_meeting=90, min_meetings=6, statements=())
    assert not is_eligible(5, settings) and is_eligible(6, settings) and is_eligible(8, settings)
    assert not is_eligible(8, CreditSettings(90, 0, ()))


def pdf_text(data: bytes) -> str:
    return " ".join(" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(data)).pages)


def test_the_certificate_says_who_what_when_and_how_long():
    facts = CertificateFacts(
        number="BO-0007-00042-1", member_name="Dr Zoë Łukasiewicz-Ødegård", discipline="Physician",
        series_title="Evening group for primary care", leaders=("Dr Ruth Okafor", "Sam Lindqvist"),
        first_date=date(2026, 10, 19), last_date=date(2026, 12, 7), meetings_held=8, meetings_attended=7,
        hours=Decimal("10.50"), statements=("This activity has been approved for 10.5 hours of CE credit.",),
        society="American Balint Society", issued_on=date(2026, 12, 8))
    data = render_certificate(facts)
    assert data.startswith(b"%PDF")
    text = pdf_text(data)
    for expected in ("Certificate of attendance", "Dr Zoë Łukasiewicz-Ødegård", "Evening group for primary care",
                     "attended 7 of 8 meetings", "19 October 2026", "7 December 2026", "10.50 hours",
                     "Dr Ruth Okafor and Sam Lindqvist", "approved for 10.5 hours", "BO-0007-00042-1",
                     "American Balint Society"):
        assert expected in text, expected
