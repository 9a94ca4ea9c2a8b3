"""The join decision as a plain function: every combination of who, when and whether the meeting is on."""

from datetime import UTC, datetime, timedelta

import pytest

from balint_online.video.access import decide

START = datetime(2026, 10, 19, 23, 0, tzinfo=UTC)
END = START + timedelta(minutes=90)
WINDOW = timedelta(minutes=15)
MOMENTS = {
    "a day before": START - timedelta(days=1),
    "a second before the window": START - WINDOW - timedelta(seconds=1),
    "the window opens": START - WINDOW,
    "the start": START,
    "the last minute": END - timedelta(minutes=1),
    "the end": END,
    "a week later": END + timedelta(days=7),
}
OPEN = {"the window opens", "the start", "the last minute"}


@pytest.mark.parametrize("cancelled", [False, True])
@pytest.mark.parametrize("is_leader, is_enrolled", [(False, False), (False, True), (True, False), (True, True)])
@pytest.mark.parametrize("when", list(MOMENTS))
def test_every_combination(when, is_leader, is_enrolled, cancelled):
    verdict = decide(moment=MOMENTS[when], starts_at=START, ends_at=END, window=WINDOW, cancelled=cancelled,
                     is_leader=is_leader, is_enrolled=is_enrolled)
    assert verdict.opens_at == START - WINDOW
    if cancelled:
        expected = (None, "cancelled")
    elif not (is_leader or is_enrolled):
        expected = (None, "not_enrolled")
    elif when in OPEN:
        expected = ("host" if is_leader else "participant", None)
    else:
        expected = (None, "too_early" if MOMENTS[when] < START else "ended")
    assert (verdict.role, verdict.refusal) == expected
    assert verdict.allowed == (expected[0] is not None)
