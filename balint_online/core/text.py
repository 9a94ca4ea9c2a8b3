"""Text that must stay on one line: names, titles, email subjects and calendar summaries."""


def one_line(text: str) -> str:
    """`text` with every run of whitespace, line breaks included, as one space.

    A line break in a name or title would split an email subject (or end a header) and
    start a new line in calendar lists.
    """
    return " ".join(text.split())
