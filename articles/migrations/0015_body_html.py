"""Every body from paragraphs separated by blank lines (each inline HTML, cleaned when
rendered) to sanitised HTML blocks, and every quote to a mark over its words.

Readers see the same page: each paragraph becomes a <p>, a quote's words are wrapped
in <q data-quote="qN" …speaker…> where its paragraphs hold them (its whole paragraphs
when they no longer do, as the page showed them), and the Quote rows are rebuilt from
the marks as the index service would. Backwards, the marks are dropped from the text
and the rows keep their paragraphs (a person's quote names them as a free-text source).

It reads the body's sanitiser and mark reader from the app: they are pure functions,
and the stored format is theirs.
"""

import html
import re

from django.db import migrations

from articles.quote_text import SPLIT_QUOTE_JOINER
from articles.rendering.html import clean_body, split_blocks, split_paragraphs
from articles.rendering.marks import read_marks

BATCH = 500
_OLD_EMPHASIS = [(re.compile(r"<(/?)b(\s[^<>]*)?>", re.I), r"<\1strong>"),
                 (re.compile(r"<(/?)i(\s[^<>]*)?>", re.I), r"<\1em>")]
_MARK = re.compile(r"<q [^<>]*>.*?</q>", re.S)
_MARK_TAG = re.compile(r"</?q(?: [^<>]*)?>")


def marked_body(body, quotes):
    """The old `body` as new HTML with each of `quotes` (old rows, in paragraph order) a
    mark keyed q1, q2, …; returns (html, {key: quote})."""
    paragraphs = split_paragraphs(body)
    for pattern, replacement in _OLD_EMPHASIS:
        paragraphs = [pattern.sub(replacement, p) for p in paragraphs]
    keyed = {}
    for number, quote in enumerate(quotes, start=1):
        first = quote.paragraph - 1
        span = range(first, min(first + quote.paragraph_count, len(paragraphs)))
        if not span:
            continue
        key = f"q{number}"
        keyed[key] = quote
        opening = _opening(key, quote)
        parts = [
            part
            for piece in re.split(r"\n\s*\n", quote.text)
            for part in piece.split(SPLIT_QUOTE_JOINER)
            if part.strip()
        ]
        if not _wrap_parts(paragraphs, span, parts, opening):
            # The words drifted from the body: the page showed these paragraphs as the
            # statement, so they become its marked words.
            for index in span:
                if "<q " not in paragraphs[index]:
                    paragraphs[index] = f"{opening}{paragraphs[index]}</q>"
    return clean_body("".join(f"<p>{p}</p>" for p in paragraphs)), keyed


def _opening(key, quote):
    if quote.organisation_id:
        speaker = f'data-organisation="{quote.organisation_id}"'
    else:
        speaker = f'data-source="{html.escape(quote.source or "unknown")}"'
    attribution = (
        f' data-attribution="{html.escape(quote.attribution)}"' if quote.attribution else ""
    )
    return f'<q data-quote="{key}" {speaker}{attribution}>'


def _wrap_parts(paragraphs, span, parts, opening):
    """Wrap each part in the first place after the previous one that holds it; False
    when a part is found nowhere (then nothing is wrapped)."""
    found, index, position = [], span[0], 0
    for part in parts:
        pattern = _words(part)
        while index <= span[-1]:
            taken = [m.span() for m in _MARK.finditer(paragraphs[index])]
            match = next(
                (
                    m
                    for m in pattern.finditer(paragraphs[index], position)
                    if not any(s < m.end() and m.start() < e for s, e in taken)
                ),
                None,
            )
            if match:
                found.append((index, match.start(), match.end()))
                position = match.end()
                break
            index, position = index + 1, 0
        else:
            return False
    for index, start, end in reversed(found):
        text = paragraphs[index]
        paragraphs[index] = f"{text[:start]}{opening}{text[start:end]}</q>{text[end:]}"
    return True


def _words(part):
    # The words as typed or as HTML-escaped, any whitespace between them.
    words = part.split()
    escaped = [html.escape(word, quote=False) for word in words]
    alternatives = {r"\s+".join(map(re.escape, w)) for w in (words, escaped)}
    return re.compile("|".join(sorted(alternatives)))


def forward(apps, schema_editor):
    Article = apps.get_model("articles", "Article")
    Quote = apps.get_model("articles", "Quote")
    ids = list(Article.objects.order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(ids), BATCH):
        batch = ids[start : start + BATCH]
        quotes = {}
        for quote in Quote.objects.filter(article_id__in=batch).order_by("paragraph", "pk"):
            quotes.setdefault(quote.article_id, []).append(quote)
        articles, changed_quotes, gone = [], [], []
        for article in Article.objects.filter(pk__in=batch).only("pk", "body"):
            article.body, keyed = marked_body(article.body, quotes.get(article.pk, []))
            articles.append(article)
            indexed = {mark.key: mark for mark in read_marks(article.body).marks}
            for quote in quotes.get(article.pk, []):
                key = next((k for k, q in keyed.items() if q is quote), None)
                if key not in indexed:
                    gone.append(quote.pk)  # it pointed past the body: never shown
                    continue
                for name, value in indexed[key].row_fields().items():
                    setattr(quote, name, value)
                changed_quotes.append(quote)
        Article.objects.bulk_update(articles, ["body"])
        Quote.objects.filter(pk__in=gone).delete()
        Quote.objects.bulk_update(
            changed_quotes,
            ["key", "text", "source", "attribution", "paragraph", "paragraph_count",
             "is_statement", "position", "organisation", "person"],
        )


def backward(apps, schema_editor):
    Article = apps.get_model("articles", "Article")
    Quote = apps.get_model("articles", "Quote")
    for article in Article.objects.only("pk", "body").iterator(chunk_size=BATCH):
        paragraphs = []
        for block in split_blocks(article.body):
            block = _MARK_TAG.sub("", block)
            if block.startswith("<p>") and block.endswith("</p>"):
                block = block[3:-4]
            paragraphs.append(block)
        Article.objects.filter(pk=article.pk).update(body="\n\n".join(paragraphs))
    seen = set()
    for quote in Quote.objects.select_related("person").order_by("article_id", "position"):
        if (quote.article_id, quote.paragraph) in seen:
            quote.delete()  # the old schema held one quote per paragraph
            continue
        seen.add((quote.article_id, quote.paragraph))
        if quote.person_id:
            quote.source, quote.person = quote.person.name, None
            quote.save(update_fields=["source", "person"])


class Migration(migrations.Migration):
    dependencies = [("articles", "0014_people_roles")]

    operations = [migrations.RunPython(forward, backward)]
