"""Lists that grow with a society come a page at a time."""

from flask import request, url_for
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import Select

from ..extensions import db

__all__ = ["PER_PAGE", "Pagination", "page_url", "paginate"]

PER_PAGE = 25


def paginate(query: Select, per_page: int = PER_PAGE) -> Pagination:
    """The page named by ?page= (out of range gives an empty last page, never an error)."""
    return db.paginate(query, per_page=per_page, max_per_page=per_page, error_out=False, count=True)


def page_url(page: int) -> str:
    """This page's address with another page number, keeping the other query arguments."""
    args = {**request.view_args, **request.args.to_dict(), "page": page}
    return url_for(request.endpoint, **args)
