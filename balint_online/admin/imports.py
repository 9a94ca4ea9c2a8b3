"""Checking a membership CSV (email, expires_on[, kind]) row by row, without a database.

Every problem in every row is found before anything is written, so an administrator can fix the
file in one pass; the caller writes only a file with no problems at all.
"""

import csv
import io
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from datetime import date

from flask_babel import gettext as _

MAX_ROWS = 5000
# Far more than MAX_ROWS rows need; a larger file is refused, never cut short.
MAX_FILE_BYTES = 1_000_000
HEADER = ("email", "expires_on", "kind")
DEFAULT_KIND = "society"


@dataclass(frozen=True)
class ImportRow:
    line: int
    email: str
    expires_on: date | None
    kind: str
    problems: tuple[str, ...]


@dataclass(frozen=True)
class ImportCheck:
    rows: list[ImportRow] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # about the file as a whole

    @property
    def rows_with_problems(self) -> list[ImportRow]:
        return [row for row in self.rows if row.problems]

    @property
    def clean(self) -> bool:
        return bool(self.rows) and not self.problems and not self.rows_with_problems


def read_cells(text: str) -> list[tuple[int, list[str]]]:
    """(line number, cells) for each non-blank row, the optional header left out."""
    reader = csv.reader(io.StringIO(text))
    rows = [(reader.line_num, [cell.strip() for cell in cells]) for cells in reader if any(c.strip() for c in cells)]
    if rows and tuple(c.lower() for c in rows[0][1]) in (HEADER, HEADER[:2]):
        rows = rows[1:]
    return rows


def _parse_date(text: str) -> date | None:
    if len(text) != 10:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def check_rows(cells: list[tuple[int, list[str]]], *, known_emails: Collection[str],
               kinds: Mapping[str, str]) -> ImportCheck:
    """Each row's problems: columns, unknown email, bad date, unknown kind, a repeat of an earlier row's email."""
    if not cells:
        return ImportCheck(problems=[
            _("The file has no rows: write one membership per line (email, expires_on[, kind]).")])
    if len(cells) > MAX_ROWS:
        return ImportCheck(problems=[_("The file has %(count)s rows; import at most %(max)s at a time.",
                                                     count=len(cells), max=MAX_ROWS)])
    first_line: dict[str, int] = {}
    rows = []
    for line, values in cells:
        problems = []
        if len(values) not in (2, 3):
            problems.append(_("Expected 2 or 3 columns (email, expires_on[, kind]); found %(count)s.",
                              count=len(values)))
        values = values + [""] * (3 - len(values))
        email, when, kind = values[0].lower(), values[1], values[2].lower() or DEFAULT_KIND
        if not email:
            problems.append(_("No email."))
        elif email in first_line:
            problems.append(_("Duplicate: %(email)s is already on line %(line)s.", email=email,
                              line=first_line[email]))
        elif email not in known_emails:
            problems.append(_("Unknown email: no account for %(email)s.", email=email))
        first_line.setdefault(email, line)
        expires_on = _parse_date(when)
        if expires_on is None:
            problems.append(_("Bad date %(when)r: write the expiry date as YYYY-MM-DD.", when=when))
        if kind not in kinds:
            problems.append(_("Unknown kind %(kind)r: use %(kinds)s (or leave it blank for %(default)s).",
                              kind=kind, kinds=", ".join(kinds), default=DEFAULT_KIND))
        rows.append(ImportRow(line=line, email=email, expires_on=expires_on, kind=kind, problems=tuple(problems)))
    return ImportCheck(rows=rows)
