"""What the importer makes of a page, and the one error it raises."""

import hashlib
from dataclasses import dataclass
from datetime import date
from decimal import Decimal


class ArticleImportError(ValueError):
    """Why a page cannot be imported, in one line an editor can act on.

    A ValueError rather than an ImportError: Python raises ImportError for modules that
    fail to load, and a handler for one must never swallow the other.
    """


@dataclass(frozen=True)
class ParsedQuote:
    paragraph: int  # 1-based, as Quote.paragraph
    paragraph_count: int
    text: str  # without quotation marks; " … " joins the parts of a split quote
    speaker: str  # an organisation's or a person's name, or an unnamed source
    is_organisation: bool  # the importer's guess; a known name or alias overrides it
    attribution: str  # as written, "" when the statement continues the previous one
    # Each run of quoted words as (paragraph, start, end): offsets into
    # ParsedArticle.paragraphs[paragraph - 1], end exclusive, quotation marks outside.
    # A paragraph may hold several quotes, and a quote several runs ("We will," he said,
    # "fight on."). Empty: the whole paragraphs paragraph … paragraph + paragraph_count - 1.
    spans: tuple = ()
    # A named person ("Jane Smith"), as against an unnamed source ("a security official");
    # never true together with is_organisation.
    is_person: bool = False
    speaker_role: str = ""  # as the text introduces them: "a spokeswoman for the ministry"
    speaker_organisation: str = ""  # the organisation a person speaks for, as named


@dataclass(frozen=True)
class ParsedAppeal:
    ticks: tuple  # Decimal amounts labelling the bar, from zero to the goal
    raised: Decimal
    campaign_month: date
    currency: str
    currency_symbol: str
    symbol_after_amount: bool

    @property
    def goal(self):
        return self.ticks[-1]


@dataclass(frozen=True)
class ParsedArticle:
    headline: str
    paragraphs: tuple
    byline: str = ""
    caption: str = ""
    credit: str = ""
    quotes: tuple = ()
    appeal: ParsedAppeal | None = None
    appeal_message: str = ""

    @property
    def body(self):
        return "\n\n".join(self.paragraphs)

    @property
    def fingerprint(self):
        """The same story gives the same fingerprint, however its whitespace or case."""
        words = " ".join(f"{self.headline}\n{self.body}".split()).casefold()
        return hashlib.sha256(words.encode()).hexdigest()
