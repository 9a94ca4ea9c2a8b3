"""CSV downloads that are safe to open in a spreadsheet."""

import csv
import io
import re
from collections.abc import Iterable, Sequence

from flask import Response

_NUMBER = re.compile(r"-?\d+(\.\d+)?")


def safe_cell(value) -> str:
    """A text cell starting with =, +, -, @ (or a tab) runs as a formula in a spreadsheet: quote it."""
    text = "" if value is None else str(value)
    if text[:1] in ("=", "+", "@", "\t", "\r") or (text[:1] == "-" and not _NUMBER.fullmatch(text)):
        return "'" + text
    return text


def csv_download(header: Sequence[str], rows: Iterable[Sequence], filename: str) -> Response:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows([safe_cell(cell) for cell in row] for row in rows)
    return Response(out.getvalue(), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})
