"""Text that must stay on one line: names, titles, email headers and calendar summaries."""

import re

# Line breaks of every kind and other control characters: each would end a header (or start a
# header of the sender's choosing) or a new line in a calendar list.
_BREAKS = re.compile(r"[\x00-\x1f\x7f\x85\u2028\u2029]+")


def one_line(text: str | None) -> str:
    """`text` with control characters and every run of whitespace as one space."""
    return " ".join(_BREAKS.sub(" ", text or "").split())
