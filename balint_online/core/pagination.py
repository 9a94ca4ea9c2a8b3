"""Lists that grow with a society come a page at a time."""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from weakref import WeakKeyDictionary

from flask import request, url_for
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import Select, bindparam, func, literal, select

from ..extensions import db

__all__ = ["PER_PAGE", "Counted", "ListPage", "Pagination", "count_up_to", "list_page", "page_of", "page_url",
           "paginate", "requested_page", "rows_page"]

PER_PAGE = 25


def paginate(query: Select, per_page: int = PER_PAGE, *, counted: "Counted | None" = None,
             param: str = "page", short: bool = False, params: Mapping[str, Any] | None = None) -> Pagination:
    """The page named by ?<param>= (?page= unless a page holds several lists); a number past the end
    gives the last page, never an error.

    `counted` (from `count_up_to`) replaces the full count with a bounded one already made.
    `short`: the list is short (one person's history, say): each row of the page says how many the
    whole list has, so the page and its count are one statement (a page of several short lists, the
    home page, saves a query for each). A long list is counted by a statement of its own, which need
    not sort every row.
    `params`: the values of the query's own bind parameters, for a query built once (see `_Page`).
    """
    page = requested_page(param)
    found = _page(query, page, per_page, counted, short, params or {})
    if page > found.pages > 0:
        found = _page(query, found.pages, per_page, counted, short, params or {})
    found.param = param  # type: ignore[attr-defined]  # the pager's links (_pager.html) name it
    return found


# A list query's page and count statements, derived once per query object: a query built once (its
# values bound as it runs) then costs no statement building per request, which on a busy page took
# longer than running the statements. Weak keys: a query built for one request takes its own along.
_windows: "WeakKeyDictionary[Select, dict[bool, Select]]" = WeakKeyDictionary()
_counts: "WeakKeyDictionary[Select, Select]" = WeakKeyDictionary()


def _window(query: Select, counting: bool = False) -> Select:
    """A page of the query; `counting`: each row ends with how many rows the whole list has."""
    if (kept := _windows.get(query)) is None:
        kept = _windows[query] = {}
    if (window := kept.get(counting)) is None:
        listed = query.add_columns(func.count().over().label("list_total")) if counting else query
        window = kept[counting] = listed.limit(bindparam("page_limit")).offset(bindparam("page_offset"))
    return window


def _counts_along(query: Select) -> bool:
    # Over a DISTINCT query the window would count the rows before they are made distinct.
    return not query._distinct


def _counting(query: Select) -> Select:
    """How many rows the query gives, in one statement: its order and its columns left out (a column
    computed per row, a series' first start say, would be computed for every row only to be counted)."""
    if (counting := _counts.get(query)) is None:
        bare = query.order_by(None)
        if not bare._distinct:  # a DISTINCT query's rows are told apart by its columns: they stay
            bare = bare.with_only_columns(literal(1), maintain_column_froms=True)
        counting = _counts[query] = select(func.count()).select_from(bare.subquery())
    return counting


class _Page(Pagination):
    """Flask-SQLAlchemy's pagination, over the statements above and with the query's own values."""

    listed_total: int | None = None  # how many the list has, when the page's rows said so

    def _query_items(self) -> list:
        query, params, counting = self._query_args["query"], self._query_args["params"], self._query_args["counting"]
        result = db.session.execute(_window(query, counting), {**params, "page_limit": self.per_page,
                                                               "page_offset": self._query_offset}).unique()
        if not counting:
            return list(result.scalars())
        rows = result.all()
        self.listed_total = rows[0].list_total if rows else None
        return [row[0] for row in rows]

    def _query_count(self) -> int:
        return _count(self._query_args["query"], self._query_args["params"])


def _page(query: Select, page: int, per_page: int, counted: "Counted | None", short: bool,
          params: Mapping[str, Any]) -> Pagination:
    found = _Page(page=page, per_page=per_page, max_per_page=per_page, error_out=False, count=False, query=query,
                  params=params, counting=short and counted is None and _counts_along(query))
    if counted is not None:
        # `more`: the pager says "more than" the total (_pager.html).
        found.total, found.more = counted.total, counted.more  # type: ignore[attr-defined]
    elif found.listed_total is not None:
        found.total = found.listed_total
    elif short and page == 1 and len(found.items) < per_page:  # an empty list, or a DISTINCT one
        found.total = len(found.items)
    else:  # a long list, or a page past the end of a short one
        found.total = _count(query, params)
    return found


def _count(query: Select, params: Mapping[str, Any] | None = None) -> int:
    return db.session.scalar(_counting(query), params or {}) or 0


@dataclass(frozen=True)
class Counted:
    total: int
    more: bool  # there are more than `total`: the count stopped there


_bounded_counts: "WeakKeyDictionary[Select, Select]" = WeakKeyDictionary()


def count_up_to(query: Select, limit: int, params: Mapping[str, Any] | None = None) -> Counted:
    """How many rows `query` gives, counting no further than `limit`: a search that matches most of a
    large society stops early instead of counting everyone."""
    if (counting := _bounded_counts.get(query)) is None:
        matches = (query.order_by(None).with_only_columns(literal(1), maintain_column_froms=True)
                   .limit(bindparam("count_limit")).subquery())
        counting = _bounded_counts[query] = select(func.count()).select_from(matches)
    total = db.session.scalar(counting, {**(params or {}), "count_limit": limit + 1}) or 0
    return Counted(min(total, limit), total > limit)


def requested_page(param: str = "page") -> int:
    return max(request.args.get(param, 1, type=int) or 1, 1)


@dataclass(frozen=True)
class ListPage:
    """A page of a list already in memory, with the attributes the pager template uses."""

    items: list
    page: int
    per_page: int
    total: int
    param: str = "page"

    @property
    def pages(self) -> int:
        return max((self.total + self.per_page - 1) // self.per_page, 1)

    @property
    def first(self) -> int:
        """How many items come before this page."""
        return (self.page - 1) * self.per_page

    has_prev = property(lambda self: self.page > 1)
    has_next = property(lambda self: self.page < self.pages)
    prev_num = property(lambda self: self.page - 1)
    next_num = property(lambda self: self.page + 1)


def rows_page(query: Select, per_page: int = PER_PAGE, *, param: str = "page",
              params: Mapping[str, Any] | None = None) -> ListPage:
    """The page ?<param>= names of a short list's rows (several columns each, summed by the database,
    not objects), clamped to the last page; each row also says how many the list has (`list_total`), so
    the page and its count are one statement. `params` as for `paginate`."""
    page = requested_page(param)
    params = params or {}
    counting = _counts_along(query)

    def rows(number: int) -> list:
        return list(db.session.execute(_window(query, counting), {**params, "page_limit": per_page,
                                                                  "page_offset": (number - 1) * per_page}).all())

    found = rows(page)
    if found and counting:
        total = found[0].list_total
    elif page == 1 and len(found) < per_page:
        return ListPage(found, 1, per_page, len(found), param)
    else:  # a page past the end
        total = _count(query, params)
    last = max((total + per_page - 1) // per_page, 1)
    if page > last:
        page, found = last, rows(last)
    return ListPage(found, page, per_page, total, param)


def list_page(items: list, *, param: str = "page", per_page: int = PER_PAGE) -> ListPage:
    """The page of `items` that ?<param>= names (clamped to the last page)."""
    return page_of(items, requested_page(param), param=param, per_page=per_page)


def page_of(items: list, page: int, *, param: str = "page", per_page: int = PER_PAGE) -> ListPage:
    """Page number `page` of `items` (clamped to the last page), its pager's links naming ?<param>=."""
    page = min(max(page, 1), max((len(items) + per_page - 1) // per_page, 1))
    start = (page - 1) * per_page
    return ListPage(items[start:start + per_page], page, per_page, len(items), param)


def page_url(page: int | None, param: str = "page") -> str:
    """This page's address with another page (a number, or where a list paged by position starts),
    keeping the other query arguments; None: without ?<param>=, the list's first page."""
    args = {**(request.view_args or {}), **request.args.to_dict(), param: page}
    if page is None:
        del args[param]
    return url_for(request.endpoint or "", **args)
