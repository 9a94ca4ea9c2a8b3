"""The society's words, quoted as its pages give them: every statement the demo and the tests quote is
found verbatim (whitespace aside) in the seed pages, when they are at hand (../shared/seeds)."""

from pathlib import Path

import pytest

from balint_online.certificates.rules import BODIES
from balint_online.demo import AID_PROGRAMMES, ONLINE_GROUP_CREDIT
from tests.aid.test_aid_app import ABS, LEBOWITZ
from tests.certificates.test_credit_rules import AAVSB, APA, NASW

SEEDS = Path(__file__).resolve().parents[3] / "shared" / "seeds"


def page(prefix: str) -> str:
    found = sorted(SEEDS.glob(f"{prefix}_*.txt"))
    if not found:
        pytest.skip("the society's pages are not at hand")
    return " ".join(found[0].read_text().split())


def quoted(text: str) -> str:
    return " ".join(text.split())


def test_the_aid_programmes_and_the_intensive_credit_are_the_intensive_pages_words():
    intensive = page("000")
    for _, _, _, _, description in AID_PROGRAMMES:
        assert quoted(description) in intensive
    for line in (APA, NASW, AAVSB):
        assert quoted(line.statement) in intensive
    assert quoted(BODIES["aafp"].statement) in intensive and quoted(BODIES["apa"].statement) in intensive
    assert "the deadline for financial aid applications is July 31, 2026" in intensive
    assert ABS["deadline"] == LEBOWITZ["deadline"] == "2026-07-31" and ABS["max_awards"] == 2
    assert "full tuition support for up to two individuals" in intensive
    assert ("Those registering at the non-member rate will have an option to apply for a one-year "
            "complimentary membership") in intensive


def test_the_online_groups_credit_is_the_online_groups_pages_words():
    online = page("002")
    for _, statement in ONLINE_GROUP_CREDIT:
        assert quoted(statement) in online
