"""Editor-typed text as safe HTML, and as plain text."""

import re

import nh3
from django.utils.safestring import mark_safe

# What an editor may write in a body paragraph or caption; everything else is stripped.
INLINE_TAGS = {"a", "em", "strong", "i", "b"}
INLINE_ATTRIBUTES = {"a": {"href", "title"}}
LINK_SCHEMES = {"http", "https", "mailto"}
PARAGRAPH_BREAK = re.compile(r"\n\s*\n")

# Built once: handing nh3.clean() its rules on every call costs as much as the cleaning
# (an article page cleans each paragraph as it renders it).
_INLINE_CLEANER = nh3.Cleaner(
    tags=INLINE_TAGS,
    attributes=INLINE_ATTRIBUTES,
    url_schemes=LINK_SCHEMES,
    link_rel="noopener noreferrer",
)
_TEXT_CLEANER = nh3.Cleaner(tags=set())


def sanitise_inline(text):
    """Editor-typed text as safe HTML: links and emphasis kept, every other tag dropped."""
    return mark_safe(_INLINE_CLEANER.clean(text))


def split_paragraphs(text):
    return [" ".join(p.split()) for p in PARAGRAPH_BREAK.split(text.strip()) if p.strip()]


def plain_text(html):
    return _TEXT_CLEANER.clean(html)
