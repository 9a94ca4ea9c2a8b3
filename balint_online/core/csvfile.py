"""CSV downloads that are safe to open in a spreadsheet."""

import csv
import io
import re
from collections.abc import Iterable, Sequence

from flask import Response, stream_with_context
from flask_babel import get_locale

_NUMBER = re.compile(r"-?\d+(\.\d+)?")


def safe_cell(value) -> str:
    """A text cell starting with =, +, -, @ (or a tab) runs as a formula in a spreadsheet: quote it."""
    text = "" if value is None else str(value)
    if text[:1] in ("=", "+", "@", "\t", "\r") or (text[:1] == "-" and not _NUMBER.fullmatch(text)):
        return "'" + text
    return text


def _attachment(filename: str) -> dict:
    return {"Content-Disposition": f'attachment; filename="{filename}"'}


def csv_download(header: Sequence[str], rows: Iterable[Sequence], filename: str) -> Response:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows([safe_cell(cell) for cell in row] for row in rows)
    return Response(out.getvalue(), mimetype="text/csv", headers=_attachment(filename))


def csv_stream(header: Sequence[str], rows: Iterable[Sequence], filename: str, batch: int = 500) -> Response:
    """The same download written as the rows come, `batch` rows at a time: however many there are,
    the whole file is never held in memory. The rows are read inside the request (its session)."""
    # Settle the reader's language now: the rows are written after the view has returned, when the
    # request's database session (and the signed-in person loaded in it) is gone under a real server.
    get_locale()

    def chunks():
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(header)
        for n, row in enumerate(rows, start=1):
            writer.writerow([safe_cell(cell) for cell in row])
            if n % batch == 0:
                yield out.getvalue()
                out.seek(0)
                out.truncate()
        yield out.getvalue()

    return Response(stream_with_context(chunks()), mimetype="text/csv", headers=_attachment(filename))
