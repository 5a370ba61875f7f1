"""Slugs made from names and headlines: one rule for every model that makes one."""

from django.utils.text import slugify


def slug_of(text, *, max_length, fallback):
    """`text` as a unicode slug that fits `max_length`, or `fallback` when nothing of it
    survives (a name of punctuation alone)."""
    slug = slugify(text, allow_unicode=True)[:max_length].strip("-")
    return slug or fallback


def unique_slug(model, text, *, fallback, exclude_pk=None):
    """A slug for `text` that no other row of `model` has, numbered (`-2`, `-3`, …) and
    cut so the number still fits the field's `max_length`."""
    max_length = model._meta.get_field("slug").max_length
    base = slug_of(text, max_length=max_length, fallback=fallback)
    taken = model._default_manager.exclude(pk=exclude_pk) if exclude_pk else model._default_manager
    slug, number = base, 1
    while taken.filter(slug=slug).exists():
        number += 1
        suffix = f"-{number}"
        slug = base[: max_length - len(suffix)].rstrip("-") + suffix
    return slug
