"""What every URL must be before any view sees it: ids within their columns, text a database can store."""

from flask import abort, request
from flask_babel import gettext as _
from werkzeug.routing import IntegerConverter

from .schemas import ID_MAX, text_problem


def _up_to(bound: int) -> str:
    """A regular expression matching exactly the decimal numbers 1..bound (no leading zeros)."""
    digits = str(bound)
    shorter = [f"[1-9][0-9]{{0,{len(digits) - 2}}}"] if len(digits) > 1 else []
    same = []
    for i, digit in enumerate(digits):
        low = "1" if i == 0 else "0"
        if int(digit) > int(low):
            rest = len(digits) - i - 1
            same.append(f"{digits[:i]}[{low}-{int(digit) - 1}]" + (f"[0-9]{{{rest}}}" if rest else ""))
    return "(?:" + "|".join(shorter + same + [digits]) + ")"


class IdConverter(IntegerConverter):
    """`<int:...>` matches only 1 to 2^31-1: every integer in a path is an id of an INTEGER column,
    so a larger one is a 404 like any unknown id, never a database overflow.

    The bound is in the pattern itself, not only in to_python: werkzeug checks a rule's methods
    before its converters, so a pattern matching too much turns an unknown id into a 405.
    """

    regex = _up_to(ID_MAX)

    def __init__(self, map, fixed_digits=0, min=1, max=ID_MAX, signed=False):
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


def bound_urls(app) -> None:
    # Registered as "int" rather than a new name so that routes other features add are bounded too.
    app.url_map.converters["int"] = IdConverter

    @app.before_request
    def storable_url():
        # Tokens and searches in paths and query strings reach queries too: the same rule as every text field.
        for value in (request.path, *request.args.keys(), *request.args.values()):
            if problem := text_problem(value):
                abort(400, _("That address cannot be used: %(problem)s", problem=problem))
