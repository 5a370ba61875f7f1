"""The article body as the page shows it: the stored blocks as they are, whole-paragraph
statements as block quotes with their speaker cited, quotes inside a sentence as
<q cite> with their speaker linked; and the lead image's srcset.

The body is stored sanitised (`html.clean_body`), so nothing here cleans it again: it
only rewrites the quote marks, whose attributes were validated when it was saved.
"""

import html
import re
from dataclasses import dataclass

from django.core.files.storage import default_storage
from django.utils.html import escape
from django.utils.safestring import mark_safe

from .html import SANITISED_TAG, attributes_of, split_blocks

_MARK_OPEN = re.compile(r"<q [^<>]*>")
_MARK_TAG = re.compile(r"</?q(?: [^<>]*)?>")


@dataclass
class BodyBlock:
    """Top-level blocks of the body as the page shows them: one block, or the paragraphs
    of one quoted statement."""

    html: list  # safe HTML, each a whole block (<p>…</p>, <h2>…</h2>, …)
    quote: object = None  # the Quote, for a quoted statement
    # False when the attribution is not written in the paragraphs (a statement that
    # continues the previous one): the template then cites the speaker below the quote.
    cited_inline: bool = False


def body_blocks(body, quotes):
    """The stored `body` as blocks, given its `quotes` (with their speakers loaded)."""
    blocks = split_blocks(body)
    by_key = {quote.key: quote for quote in quotes}
    statements = {}
    for quote in by_key.values():
        if quote.is_statement and quote.fits_in(len(blocks)):
            statements.setdefault(quote.paragraph, quote)
    # Each inline quote's speaker is linked once: where its last run is.
    last_runs = {}
    for quote in by_key.values():
        if not quote.is_statement:
            last_runs.setdefault(quote.paragraph + quote.paragraph_count - 1, []).append(quote)
    shown, number = [], 1
    while number <= len(blocks):
        quote = statements.get(number)
        if quote is None:
            block = _inline_quotes(blocks[number - 1], by_key, last_runs.get(number, ()))
            shown.append(BodyBlock([mark_safe(block)]))
            number += 1
            continue
        span = blocks[number - 1 : number - 1 + quote.paragraph_count]
        rendered, cited_inline = _statement(quote, span)
        shown.append(BodyBlock(rendered, quote, cited_inline))
        number += quote.paragraph_count
    return shown


def _statement(quote, blocks):
    """A statement's paragraphs without their marks, the attribution wrapped in <cite>,
    and whether the attribution was found in them."""
    rendered = [_MARK_TAG.sub("", block) for block in blocks]
    attribution = html.escape(quote.attribution, quote=False)
    if attribution:
        for index in range(len(rendered) - 1, -1, -1):
            if cited := _replace_last_in_text(
                rendered[index], attribution, cite(quote, attribution)
            ):
                rendered[index] = cited
                return [mark_safe(p) for p in rendered], True
    return [mark_safe(p) for p in rendered], False


def _inline_quotes(block, by_key, linked_here):
    """A block with each mark as <q cite="speaker's page"> and, where its last run is,
    its attribution linked to the speaker."""

    def mark(match):
        quote = by_key.get(attributes_of(match.group()).get("data-quote"))
        if quote is None:  # not in the index (it is rebuilt on save): plain words
            return '<q class="quote">'
        url = quote.speaker_url
        cite_url = f' cite="{escape(url)}"' if url else ""
        return (
            f'<q class="quote" id="{quote.anchor}"{cite_url} title="{escape(quote.speaker_name)}">'
        )

    block = _MARK_OPEN.sub(mark, block)
    for quote in linked_here:
        attribution = html.escape(quote.attribution, quote=False)
        if attribution and quote.speaker_url:
            link = f'<a class="speaker" href="{escape(quote.speaker_url)}">{attribution}</a>'
            block = _replace_last_in_text(block, attribution, link) or block
    return block


def speaker_cite(quote):
    """The speaker's name in <cite>, for a statement whose paragraphs do not name it."""
    return mark_safe(cite(quote, escape(quote.speaker_name)))


def cite(quote, label):
    if url := quote.speaker_url:
        return f'<cite><a href="{escape(url)}">{label}</a></cite>'
    return f"<cite>{label}</cite>"


def srcset(renditions, key):
    """A srcset of the renditions' `key` files ("name", or "smallest" for WebP)."""
    sizes = renditions.get("sizes", [])
    if key == "smallest" and all(size["smallest"] == size["name"] for size in sizes):
        return ""  # no WebP copy came out smaller: nothing to offer beside the fallback
    return ", ".join(f"{default_storage.url(size[key])} {size['width']}w" for size in sizes)


def _replace_last_in_text(sanitised, old, new):
    """`sanitised` HTML with the last `old` in its text replaced by `new`; None when
    only a tag holds it. A match inside a tag (a link's title or address) would put the
    <cite> markup, quote marks and all, into an attribute and break it open."""
    pieces = SANITISED_TAG.split(sanitised)  # text, tag, text, …, text
    for index in range(len(pieces) - 1, -1, -2):
        before, found, after = pieces[index].rpartition(old)
        if found:
            pieces[index] = f"{before}{new}{after}"
            return "".join(pieces)
    return None
