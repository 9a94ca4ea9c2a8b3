"""The society's data version: one number, raised by every transaction that saves anything."""

from sqlalchemy import BigInteger
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import Model


class DataVersion(Model):
    """A single row (id 1) whose value moves in the same transaction as every change saved
    (pagecache.versions), so a page built while it held one value is still the page for as long as
    it holds that value. Never lowered."""

    __tablename__ = "data_version"

    id: Mapped[int] = mapped_column(primary_key=True)
    value: Mapped[int] = mapped_column(BigInteger, default=0)
