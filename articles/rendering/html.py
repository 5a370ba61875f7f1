"""Editor-typed text as safe HTML, and as plain text; the body's one sanitiser."""

import html as html_entities
import re

import nh3
from django.utils.safestring import mark_safe

# What an editor may write in a caption; everything else is stripped.
INLINE_TAGS = {"a", "em", "strong", "i", "b"}
INLINE_ATTRIBUTES = {"a": {"href", "title"}}
LINK_SCHEMES = {"http", "https", "mailto"}
PARAGRAPH_BREAK = re.compile(r"\n\s*\n")

# The body (see README, "How the content is modelled"): top-level blocks, the inline
# markup inside them, and quote marks <q data-quote="KEY" …speaker…>.
BLOCK_TAGS = frozenset({"p", "h2", "h3", "ul", "ol", "blockquote"})
BODY_TAGS = BLOCK_TAGS | {"li", "a", "strong", "em", "br", "q"}
MARK_ATTRIBUTES = ("data-quote", "data-person", "data-organisation", "data-source")
BODY_ATTRIBUTES = {"a": {"href"}, "q": {*MARK_ATTRIBUTES, "data-attribution"}}
QUOTE_KEY = re.compile(r"[a-z0-9]{1,16}")
# The longest free-text source and attribution a mark keeps (Quote's columns).
MARK_TEXT_LENGTHS = {"data-source": 200, "data-attribution": 300}

# Built once: handing nh3.clean() its rules on every call costs as much as the cleaning.
_INLINE_CLEANER = nh3.Cleaner(
    tags=INLINE_TAGS,
    attributes=INLINE_ATTRIBUTES,
    url_schemes=LINK_SCHEMES,
    link_rel="noopener noreferrer",
)
_TEXT_CLEANER = nh3.Cleaner(tags=set())


def _mark_attribute(element, attribute, value):
    """A quote mark's data-* value as the contract allows it, or None to drop it; and
    only the allow-list's attributes (nh3 keeps lang and title on any tag otherwise)."""
    if attribute not in BODY_ATTRIBUTES.get(element, ()):
        return None
    if element != "q":
        return value
    if attribute == "data-quote":
        return value if QUOTE_KEY.fullmatch(value) else None
    if attribute in ("data-person", "data-organisation"):
        return value if value.isascii() and value.isdigit() and int(value) > 0 else None
    if attribute in MARK_TEXT_LENGTHS:
        return " ".join(value.split())[: MARK_TEXT_LENGTHS[attribute]] or None
    return value


_BODY_CLEANER = nh3.Cleaner(
    tags=BODY_TAGS,
    attributes=BODY_ATTRIBUTES,
    url_schemes=LINK_SCHEMES,
    link_rel="noopener noreferrer",
    attribute_filter=_mark_attribute,
)

# A tag as the sanitiser writes it: every attribute value is double-quoted with any
# '"' inside escaped, so a ">" inside a value does not end the tag.
SANITISED_TAG = re.compile(r'(<[^<>"]*(?:"[^"]*"[^<>"]*)*>)')
_TAG_NAME = re.compile(r"<(/?)([a-z0-9]+)")
_ATTRIBUTE = re.compile(r'([a-z-]+)="([^"]*)"')
VOID_TAGS = frozenset({"br"})


def sanitise_inline(text):
    """Editor-typed text as safe HTML: links and emphasis kept, every other tag dropped."""
    return mark_safe(_INLINE_CLEANER.clean(text))


def clean_body(html):
    """The body as it is stored: sanitised HTML, ready to render, of top-level blocks.

    Text outside any block (plain text, or inline markup) becomes paragraphs, one per
    blank-line-separated run, so text typed or imported as paragraphs separated by
    blank lines is stored the same way. A <q> that is not a valid quote mark, or sits
    inside another, keeps its words and loses the tag. Cleaning clean HTML changes
    nothing, so saving an article twice stores the same body.
    """
    blocks, loose, depth, marks_open, dropped_q = [], [], 0, 0, []
    current = []
    for piece in SANITISED_TAG.split(_BODY_CLEANER.clean(html)):
        if not piece:
            continue
        tag = tag_of(piece)
        if tag is None:
            (current if depth else loose).append(piece)
            continue
        closing, name = tag
        if name == "q":
            if not closing and (marks_open or "data-quote" not in attributes_of(piece)):
                dropped_q.append(True)
                continue
            if not closing:
                dropped_q.append(False)
                marks_open += 1
            elif dropped_q and dropped_q.pop():
                continue
            else:
                marks_open -= 1
        if depth == 0 and name in BLOCK_TAGS and not closing:
            blocks.extend(_paragraphs("".join(loose)))
            loose = []
        if depth == 0 and name not in BLOCK_TAGS:
            loose.append(piece)
            continue
        current.append(piece)
        if name in VOID_TAGS:
            continue
        depth += -1 if closing else 1
        if depth == 0:
            blocks.append(_block("".join(current)))
            current = []
    blocks.extend(_paragraphs("".join(loose)))
    return "\n".join(block for block in blocks if block)


def _paragraphs(loose):
    """Inline HTML outside any block, as <p> blocks split at blank lines outside tags."""
    paragraphs, current, depth = [], [], 0
    for piece in SANITISED_TAG.split(loose):
        tag = tag_of(piece) if piece else None
        if tag is None:
            parts = PARAGRAPH_BREAK.split(piece) if depth == 0 else [piece]
            for index, part in enumerate(parts):
                if index:
                    paragraphs.append("".join(current))
                    current = []
                current.append(part)
            continue
        current.append(piece)
        if tag[1] not in VOID_TAGS:
            depth += -1 if tag[0] else 1
    paragraphs.append("".join(current))
    return [_block(f"<p>{paragraph}</p>") for paragraph in paragraphs]


def _block(html):
    """One block with its whitespace folded, or "" when it holds no text."""
    pieces = SANITISED_TAG.split(html)
    for index in range(0, len(pieces), 2):
        pieces[index] = re.sub(r"\s+", " ", pieces[index])
    block = "".join(pieces)
    if not plain_text(block).strip():
        return ""
    return _trim(block)


def _trim(block):
    # "<p> words </p>" → "<p>words</p>": leading and trailing spaces inside a block
    # show as nothing, and trimming them makes cleaning clean HTML change nothing.
    return re.sub(r"^(<[^<>]*>) ", r"\1", re.sub(r" (</[a-z0-9]+>)$", r"\1", block))


def tag_of(piece):
    """(closing, name) of a sanitised tag, or None for text."""
    if not piece.startswith("<"):
        return None
    match = _TAG_NAME.match(piece)
    return (bool(match.group(1)), match.group(2)) if match else None


def attributes_of(tag):
    """A sanitised tag's attributes, values as written (escaped)."""
    return dict(_ATTRIBUTE.findall(tag))


def split_blocks(body):
    """The stored body's top-level blocks (the paragraphs quotes count), each as HTML."""
    blocks, current, depth = [], [], 0
    for piece in SANITISED_TAG.split(body):
        if not piece:
            continue
        tag = tag_of(piece)
        if depth == 0 and tag is None:
            continue  # the newlines between blocks
        current.append(piece)
        if tag is None or tag[1] in VOID_TAGS:
            continue
        depth += -1 if tag[0] else 1
        if depth == 0:
            blocks.append("".join(current))
            current = []
    return blocks


def split_paragraphs(text):
    """Plain text's paragraphs, separated by blank lines (the body's format before it
    was HTML; still how the importer reads a page)."""
    return [" ".join(p.split()) for p in PARAGRAPH_BREAK.split(text.strip()) if p.strip()]


def plain_text(html):
    return _TEXT_CLEANER.clean(html)


def words_of(body):
    """A stored body's words as plain text, for the search index and excerpts: each tag
    becomes a space (so a heading's last word and the next paragraph's first stay two
    words) and entities become their characters."""
    return " ".join(html_entities.unescape(SANITISED_TAG.sub(" ", body)).split())
