"""Cursor pagination: each page ends with an opaque cursor naming the last row's place
in the list's order, (sort key, pk), and the next page starts after it.

A keyset, not an offset: the database walks its index from the cursor, so page 50,000
costs what page one does, nothing is counted, and rows inserted meanwhile never shift
a row onto a second page or off every page. The cursor is signed, so a forged or altered
one is refused (400) rather than turned into a query.
"""

from dataclasses import dataclass
from datetime import datetime

from django.core import signing
from django.db.models import Q

_SALT = "articles.api.cursor"


class BadCursor(ValueError):
    pass


@dataclass(frozen=True)
class Ordering:
    """One order a list can be walked in: by `key` (a field or an annotation the
    queryset carries), then by pk; or by pk alone when `key` is None."""

    name: str
    key: str | None = None
    descending: bool = False

    def order_by(self):
        sign = "-" if self.descending else ""
        return [f"{sign}{self.key}", f"{sign}pk"] if self.key else [f"{sign}pk"]

    def after(self, value, pk):
        """The rows after the one at (value, pk) in this order."""
        beyond = "lt" if self.descending else "gt"
        if self.key is None:
            return Q(**{f"pk__{beyond}": pk})
        after = Q(**{f"{self.key}__{beyond}": value}) | Q(**{self.key: value, f"pk__{beyond}": pk})
        # The same rows, with a bound PostgreSQL can walk the key's index from: it does
        # not see one in the OR alone, and scanned from the start on every deep page.
        return Q(**{f"{self.key}__{beyond}e": value}) & after

    def cursor_for(self, row):
        value = getattr(row, self.key) if self.key else None
        if isinstance(value, datetime):
            value = value.isoformat()
        return signing.dumps([self.name, value, row.pk], salt=_SALT)

    def read(self, cursor):
        """The (value, pk) a cursor of this order names; BadCursor for anything else."""
        try:
            name, value, pk = signing.loads(cursor, salt=_SALT)
        except (signing.BadSignature, ValueError, TypeError) as error:
            raise BadCursor("Not a cursor this API gave out.") from error
        if name != self.name:
            raise BadCursor("A cursor of another list, or of this list in another order.")
        if isinstance(value, str):
            value = datetime.fromisoformat(value)
        return value, pk


def page_of(queryset, ordering, *, cursor=None, limit):
    """Up to `limit` rows after `cursor`, and the cursor of the page after them (None
    at the end). One query: a row past the page tells whether there is another."""
    if cursor:
        queryset = queryset.filter(ordering.after(*ordering.read(cursor)))
    rows = list(queryset.order_by(*ordering.order_by())[: limit + 1])
    if len(rows) <= limit:
        return rows, None
    rows = rows[:limit]
    return rows, ordering.cursor_for(rows[-1])
