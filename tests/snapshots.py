"""Each test's tables, emptied before it; and set-up built once per test process, put back for the next test asking.

Most tests start by building a group through the services (publish, apply, accept: invoices, invitations,
emails, the rotation), and many tests start from the same group. A builder marked `@kept` runs for real
the first time; the rows it leaves (every table, and PostgreSQL's sequences) are then kept with its answer,
and a later test reaching the same builder, with the same arguments, from the same earlier steps, under the
same settings and clock, gets those rows written back in one go instead: the state the services built,
without building it again.

"The same earlier steps" is the test's lineage: every builder call since the tables were emptied, cheap ones
(`@step`: run for real every time, only noted) included. Any other commit (a request, a job, a test's own
write) ends the lineage, and from there every builder runs for real, as before.
"""

from __future__ import annotations

import dataclasses
import functools
import json
from collections import Counter
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from flask import current_app
from sqlalchemy import JSON, bindparam, event, inspect, select, text
from sqlalchemy.engine import Engine

from balint_online.extensions import db


@dataclasses.dataclass
class _Lineage:
    steps: list | None = dataclasses.field(default_factory=list)  # None: something untracked was written
    numbers: Counter = dataclasses.field(default_factory=Counter)  # the builders' own numbering (tests' names)
    depth: int = 0  # inside a builder: its commits are its own


@dataclasses.dataclass(frozen=True)
class _Kept:
    rows: list[tuple[Any, list[dict]]]
    sequences: list[tuple[str, int | None]]
    numbers: Counter
    answer: Any


@dataclasses.dataclass(frozen=True)
class _Ref:
    """An ORM object in a kept answer: its class, primary key and any attributes a test set on it."""

    model: type
    key: Any
    extra: dict


_current = _Lineage()
_KEPT: dict[tuple, _Kept] = {}


def _tables() -> list:
    """Every table but the data version: it only grows, across tests too, so that a page kept in one
    test (pagecache) is never the page of another; rows put back raise it like any change saved."""
    return [table for table in db.metadata.sorted_tables if table.name != "data_version"]


def empty_tables() -> None:
    """Delete every row, children first, and number from 1 again.

    DELETE rather than TRUNCATE on PostgreSQL too: a test leaves a few rows, and TRUNCATE's new
    files for every table cost over a second a test where DELETE costs a few milliseconds. There
    the statements go as one script, a single round trip instead of one for each of 40 tables.
    """
    with db.engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.exec_driver_sql(_emptying_script())
        else:
            for table in reversed(_tables()):
                connection.execute(table.delete())


@functools.cache
def _emptying_script() -> str:
    return "".join(f'DELETE FROM "{table.name}"; ' for table in reversed(_tables())) + (
        "SELECT setval(c.oid, 1, false) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
        " WHERE c.relkind = 'S' AND n.nspname = current_schema()")


def new_test() -> None:
    """Empty tables for the test about to run, and its lineage started."""
    global _current
    empty_tables()
    _current = _Lineage()


def next_number(kind: str) -> int:
    """The next number for a builder's default names (member1@..., ...): part of what is kept."""
    _current.numbers[kind] += 1
    return _current.numbers[kind]


@event.listens_for(Engine, "commit")
def _untracked_commit(_connection) -> None:
    if _current.depth == 0:
        _current.steps = None


def _key(value) -> Any:
    """A hashable, value-based key for a builder's argument; TypeError for what cannot be compared."""
    if value is None or isinstance(value, str | int | float | bool):
        return value
    if isinstance(value, date | datetime | timedelta | Decimal):
        return repr(value)
    if isinstance(value, dict):
        return tuple(sorted((k, _key(v)) for k, v in value.items()))
    if isinstance(value, list | tuple):
        return tuple(_key(v) for v in value)
    mapper = getattr(type(value), "__mapper__", None)
    if mapper is not None:
        return (type(value).__name__, inspect(value).identity)
    if hasattr(value, "user") and hasattr(value, "client"):  # the api(user) client: who acts
        return ("api", _key(value.user))
    if callable(value) and hasattr(value, "__qualname__"):  # a fixture's builder passed on (api)
        return ("function", value.__module__, value.__qualname__)
    raise TypeError(f"not a builder argument kept sets can compare: {type(value).__name__}")


def _settings() -> tuple:
    """The app's settings (the clock, the database, the providers' addresses) as one comparable value."""
    return tuple(sorted((name, json.dumps(value, sort_keys=True, default=repr))
                        for name, value in current_app.config.items()))


def _each_part(value, leaf):
    """`value` with `leaf` applied to each part that is not a dict, list, tuple or dataclass (a _Ref is a part)."""
    if isinstance(value, _Ref):
        return leaf(value)
    if isinstance(value, dict):
        return {k: _each_part(v, leaf) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(_each_part(v, leaf) for v in value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return dataclasses.replace(value, **{f.name: _each_part(getattr(value, f.name), leaf)
                                             for f in dataclasses.fields(value)})
    return leaf(value)


def _reference(value):
    """An ORM object as a reference, to be loaded again in a later test's session; anything else as it is."""
    mapper = getattr(type(value), "__mapper__", None)
    if mapper is None:
        return value
    mapped = set(mapper.attrs.keys())
    extra = {k: v for k, v in vars(value).items() if not k.startswith("_") and k not in mapped}
    return _Ref(type(value), inspect(value).identity, extra)


def _loaded(value):
    if not isinstance(value, _Ref):
        return value
    obj = db.session.get(value.model, value.key)
    for name, extra in value.extra.items():
        setattr(obj, name, extra)
    return obj


def _sequences(connection) -> list[tuple[str, int | None]]:
    if connection.dialect.name != "postgresql":
        return []  # SQLite numbers a table's rows from its highest id, which the rows themselves restore
    return list(connection.execute(text(
        "SELECT sequencename, last_value FROM pg_sequences WHERE schemaname = current_schema() ORDER BY 1")))


def _json_columns(table) -> list:
    return [column for column in table.columns if isinstance(column.type, JSON)]


def _rows(connection, table) -> list[dict]:
    """The table's rows as its columns read them; a JSON column's SQL NULL told apart from JSON's null."""
    columns = _json_columns(table)
    found = []
    for row in connection.execute(select(table, *[c.is_(None).label(f"{c.name} is null") for c in columns])):
        values = dict(row._mapping)
        for column in columns:
            if not values.pop(f"{column.name} is null") and values[column.name] is None:
                values[column.name] = JSON.NULL
        found.append(values)
    return found


def _insert(table):
    """An INSERT writing None in a JSON column as SQL NULL and JSON.NULL as JSON's null, as the rows were."""
    return table.insert().values({c.name: bindparam(c.name, type_=JSON(none_as_null=True))
                                  for c in _json_columns(table)})


def _keep(answer) -> _Kept:
    db.session.commit()
    connection = db.session.connection()
    rows = [(table, _rows(connection, table)) for table in _tables()]
    kept = _Kept([(table, found) for table, found in rows if found], _sequences(connection),
                 Counter(_current.numbers), _each_part(answer, _reference))
    db.session.commit()
    return kept


def _put_back(kept: _Kept):
    db.session.rollback()
    empty_tables()
    with db.engine.begin() as connection:
        for table, rows in kept.rows:
            connection.execute(_insert(table), rows)
        for name, last in kept.sequences:
            connection.execute(text("SELECT setval(:name, :value, :called)"),
                               {"name": name, "value": last or 1, "called": last is not None})
        connection.execute(text("UPDATE data_version SET value = value + 1"))
    db.session.expire_all()
    _current.numbers = Counter(kept.numbers)
    return _each_part(kept.answer, _loaded)


def _builder(keep: bool):
    def decorate(build):
        @functools.wraps(build)
        def run(*args, **kwargs):
            if _current.depth:  # a builder inside another: part of the outer one
                return build(*args, **kwargs)
            try:
                step = (build.__module__, build.__qualname__, _key(args), _key(kwargs), _settings())
            except TypeError:
                step = None
            key = None if _current.steps is None or step is None else (*_current.steps, step)
            _current.depth += 1
            _current.steps = None  # until the step is done: a builder that fails leaves what it wrote unknown
            try:
                if keep and key in _KEPT:
                    answer = _put_back(_KEPT[key])
                else:
                    answer = build(*args, **kwargs)
                    if keep and key is not None:
                        _KEPT[key] = _keep(answer)
            finally:
                _current.depth -= 1
            _current.steps = None if key is None else list(key)
            return answer

        return run

    return decorate


kept = _builder(keep=True)
"""A costly builder: run once per process for each lineage, its rows put back after."""

step = _builder(keep=False)
"""A cheap builder (a user): always run, noted in the lineage so that kept builders after it still count."""
