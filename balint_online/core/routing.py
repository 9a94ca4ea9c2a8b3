"""Ids in URLs bounded by their columns, for every route at once."""

from werkzeug.routing import IntegerConverter

from .schemas import ID_MAX


class IdConverter(IntegerConverter):
    """`<int:...>` matches only 1 to 2^31-1: every integer in a path is an id of an INTEGER column,
    so a larger one is a 404 like any unknown id, never a database overflow."""

    def __init__(self, map, fixed_digits=0, min=1, max=ID_MAX, signed=False):
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


def bound_path_ids(app) -> None:
    # Registered as "int" rather than a new name so that routes other features add are bounded too.
    app.url_map.converters["int"] = IdConverter
