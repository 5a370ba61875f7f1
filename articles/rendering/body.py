"""The article body as the page shows it: paragraphs, quoted statements as block quotes
with their speaker cited, and the lead image's srcset."""

import html
import re
from dataclasses import dataclass

from django.core.files.storage import default_storage
from django.utils.html import escape
from django.utils.safestring import mark_safe

from ..quote_text import SPLIT_QUOTE_JOINER
from .html import plain_text, sanitise_inline


@dataclass
class BodyBlock:
    """A run of body paragraphs as the page shows them: plain, or one quoted statement."""

    paragraphs: list
    quote: object = None  # the Quote, for a quoted statement
    # False when the attribution is not written in the paragraphs (a statement that
    # continues the previous one): the template then cites the speaker below the quote.
    cited_inline: bool = False


def body_blocks(paragraphs, quotes):
    """`paragraphs` as blocks: those `quotes` point at become block quotes."""
    starts = {}
    for quote in quotes:
        if quote.fits_in(len(paragraphs)):
            starts.setdefault(quote.paragraph, quote)
    blocks, number = [], 1
    while number <= len(paragraphs):
        quote = starts.get(number)
        if quote is None:
            blocks.append(BodyBlock([sanitise_inline(paragraphs[number - 1])]))
            number += 1
            continue
        span = paragraphs[number - 1 : number - 1 + quote.paragraph_count]
        rendered, cited_inline = quote_paragraphs(quote, span)
        blocks.append(BodyBlock(rendered, quote, cited_inline))
        number += quote.paragraph_count
    return blocks


def quote_paragraphs(quote, paragraphs):
    """The quoted paragraphs as safe HTML with the attribution wrapped in <cite>,
    and whether the attribution was found in them."""
    rendered = [str(sanitise_inline(p)) for p in paragraphs]
    # Escaped as the sanitiser escapes text (quote marks stay as they are), so that
    # "the army's spokesman said" is found.
    attribution = html.escape(quote.attribution, quote=False)
    cited_inline = False
    for index in range(len(rendered) - 1, -1, -1):
        if attribution and (
            cited := _replace_last_in_text(rendered[index], attribution, cite(quote, attribution))
        ):
            rendered[index] = cited
            cited_inline = True
            break
    return [mark_safe(p) for p in rendered], cited_inline


def speaker_cite(quote):
    """The speaker's name in <cite>, for a statement whose paragraphs do not name it."""
    return mark_safe(cite(quote, escape(quote.speaker_name)))


def cite(quote, label):
    if quote.organisation_id:
        url = quote.organisation.get_absolute_url()
        return f'<cite><a href="{escape(url)}">{label}</a></cite>'
    return f"<cite>{label}</cite>"


def quote_in_text(quoted, paragraphs):
    """Whether `paragraphs` (body HTML) still hold the `quoted` words; the parts of a
    split quote must each be there, in order."""
    text = _normalise_quote(plain_text(" ".join(paragraphs)))
    position = 0
    for part in quoted.split(SPLIT_QUOTE_JOINER):
        part = _normalise_quote(part)
        found = text.find(part, position)
        if found < 0:
            return False
        position = found + len(part)
    return True


def srcset(renditions, key):
    """A srcset of the renditions' `key` files ("name", or "smallest" for WebP)."""
    sizes = renditions.get("sizes", [])
    if key == "smallest" and all(size["smallest"] == size["name"] for size in sizes):
        return ""  # no WebP copy came out smaller: nothing to offer beside the fallback
    return ", ".join(f"{default_storage.url(size[key])} {size['width']}w" for size in sizes)


# A tag as the sanitiser writes it: every attribute value is double-quoted with any
# '"' inside escaped, so a ">" inside a value does not end the tag.
_SANITISED_TAG = re.compile(r'(<[^<>"]*(?:"[^"]*"[^<>"]*)*>)')


def _replace_last_in_text(sanitised, old, new):
    """`sanitised` HTML with the last `old` in its text replaced by `new`; None when
    only a tag holds it. A match inside a tag (a link's title or address) would put the
    <cite> markup, quote marks and all, into an attribute and break it open."""
    pieces = _SANITISED_TAG.split(sanitised)  # text, tag, text, …, text
    for index in range(len(pieces) - 1, -1, -2):
        before, found, after = pieces[index].rpartition(old)
        if found:
            pieces[index] = f"{before}{new}{after}"
            return "".join(pieces)
    return None


_QUOTE_MARKS = str.maketrans({c: None for c in '"“”„«»'})


def _normalise_quote(text):
    return " ".join(text.translate(_QUOTE_MARKS).split()).casefold()
