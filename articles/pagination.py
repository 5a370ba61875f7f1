"""Lists that page without counting every row: readers' lists and the admin's."""

from django.core.paginator import Paginator
from django.utils.functional import cached_property

# Readers' lists page this deep at most; they go further back through the archives and
# search instead.
MAX_PAGES = 50


class CappedPaginator(Paginator):
    """Pages at most `max_pages` deep.

    Counting a list of 100,000 articles, and skipping to its 4,000th page, means reading
    the whole list; counting up to the last page it offers costs the same at any size.
    `counted` is a cheaper queryset with the same rows to count, where there is one.
    """

    def __init__(self, object_list, per_page, counted=None, max_pages=MAX_PAGES):
        super().__init__(object_list, per_page)
        self.counted = object_list if counted is None else counted
        self.max_pages = max_pages

    @cached_property
    def count(self):
        cap = self.per_page * self.max_pages
        if isinstance(self.counted, list):
            return len(self.counted[:cap])
        # Any `cap` rows count the same, so not in order: sorting first made PostgreSQL
        # find and sort every match of a word in most of a million articles (3 s).
        return self.counted.order_by()[:cap].count()

    @property
    def is_capped(self):
        return self.count == self.per_page * self.max_pages

    @property
    def count_label(self):
        """The count to show: "1,000+" where the list goes on past the last page."""
        return f"{self.count:,}{'+' if self.is_capped else ''}"
