from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from math import ceil
from typing import Generic, TypeVar

from sqlalchemy import Select, func, select

from practice import db

Item = TypeVar("Item")


@dataclass(frozen=True)
class Page(Generic[Item]):
    items: Sequence[Item]
    number: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, ceil(self.total / self.per_page))

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.pages


def paginate(query: Select, ordered: Select, page: int, per_page: int) -> Page:
    """Count ``query``, then load one page of ``ordered`` (the same query, sorted and with
    its eager loads). A page number past the end shows the last page."""
    total = db.session.scalar(select(func.count()).select_from(query.subquery()))
    page = min(max(1, page), max(1, ceil(total / per_page)))
    items = db.session.scalars(ordered.limit(per_page).offset((page - 1) * per_page)).all()
    return Page(items=items, number=page, per_page=per_page, total=total)


def clamp_page(raw: str | None) -> int:
    try:
        return max(1, int(raw or 1))
    except ValueError:
        return 1


MAX_ID = 2**31 - 1


def query_id(value: str | None) -> int | None:
    """A record id from the query string: a whole number the databases can hold, or None."""
    try:
        number = int(value or "")
    except ValueError:
        return None
    return number if 1 <= number <= MAX_ID else None
