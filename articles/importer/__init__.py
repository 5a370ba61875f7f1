"""A plain-text page (wire copy, a scraped page, a press statement) as a ParsedArticle.

Parsing only, no database: `apply.article_import()` does the writing. The
page's shape, as in the seed: an optional donation bar (tick amounts, the raised amount,
the campaign month), the headline (scrapers often print it twice), an optional byline and
photo caption, the body paragraphs separated by blank lines, an optional closing appeal.
"""

from .page import MAX_BYTES, check_size, decode, parse, parse_bytes, parse_file
from .parsed import (
    ArticleImportError,
    ParsedAppeal,
    ParsedArticle,
    ParsedQuote,
)
from .quotes import find_quotes
from .speakers import classify_speaker

__all__ = [
    "MAX_BYTES",
    "ArticleImportError",
    "ParsedAppeal",
    "ParsedArticle",
    "ParsedQuote",
    "check_size",
    "classify_speaker",
    "decode",
    "find_quotes",
    "parse",
    "parse_bytes",
    "parse_file",
]
