"""What the models of several domains share."""

import uuid

from django.db import models

from ..cache_keys import key_for

# How many of the newest articles decide which topics and speakers are "live".
RECENT_ARTICLES = 500


class EditLocked(models.Model):
    """Optimistic locking for rows edited in the admin.

    Every save draws a new token; the admin form carries the token it was opened with
    and refuses to save when the row's token has moved on (see admin_locking.py).
    A random token rather than a counter: restoring an old revision then brings no
    number back that a stale form could match.
    """

    edit_token = models.UUIDField(default=uuid.uuid4, editable=False)

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        self.edit_token = uuid.uuid4()
        if kwargs.get("update_fields") is not None:
            # A partial save (e.g. publishing from the changelist) is still an edit that
            # an open form must not overwrite.
            kwargs["update_fields"] = {*kwargs["update_fields"], "edit_token"}
        super().save(*args, **kwargs)


def related_model(model, name):
    """The model at the other end of relation `name`: how a module reaches a model that
    imports it (Article imports the tags and organisations) without importing it back."""
    return model._meta.get_field(name).related_model


def related_key(instance, name):
    """The surrogate key of the row foreign key `name` points at, without reading it."""
    field = instance._meta.get_field(name)
    return key_for(field.related_model, getattr(instance, field.attname))
