"""API keys: what a partner sends to read the Content API at its higher rate limit."""

import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone

# Shown in front of every key, so a key pasted into a chat or a repository is recognised.
KEY_PREFIX = "nrk_"
# Characters of a key kept in clear, to tell keys apart in the admin and in logs.
SHOWN_CHARACTERS = 12


def hash_key(key):
    """What is stored of a key. SHA-256 without salt or stretching is enough: a key is 256
    random bits, not a password a person chose, so no guess list can reach it."""
    return hashlib.sha256(key.encode()).hexdigest()


class ApiKeyQuerySet(models.QuerySet):
    def active(self):
        return self.filter(revoked_at__isnull=True)

    def for_key(self, key):
        """The active key `key` is, or None."""
        return self.active().filter(hashed_key=hash_key(key)).first()


class ApiKey(models.Model):
    """A partner's key to the Content API. Only its hash is stored: the key itself is
    shown once, to the editor who issues it."""

    name = models.CharField(
        max_length=200, help_text="Who the key is for, e.g. the partner and their app."
    )
    shown_part = models.CharField(
        max_length=SHOWN_CHARACTERS,
        editable=False,
        help_text="The key's first characters, to tell keys apart; the key is not stored.",
    )
    hashed_key = models.CharField(max_length=64, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="api_keys_issued",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(
        null=True,
        blank=True,
        editable=False,
        help_text="From this moment the key is refused; a revoked key stays revoked.",
    )

    objects = ApiKeyQuerySet.as_manager()

    class Meta:
        verbose_name = "API key"
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["hashed_key"], name="api_key_hash_unique"),
        ]

    def __str__(self):
        return f"{self.name} ({self.shown_part}…)"

    @classmethod
    def issue(cls, *, name, created_by=None):
        """A new key for `name`: the row, and the key itself, which is never seen again."""
        api_key = cls(name=name, created_by=created_by)
        key = api_key.new_key()
        api_key.save()
        return api_key, key

    def new_key(self):
        """Give this unsaved row a new key, and return the key: only its hash is kept."""
        key = f"{KEY_PREFIX}{secrets.token_urlsafe(32)}"
        self.shown_part = key[:SHOWN_CHARACTERS]
        self.hashed_key = hash_key(key)
        return key

    @property
    def is_active(self):
        return self.revoked_at is None

    def revoke(self):
        """Refuse the key from now on; revoking it again changes nothing."""
        if self.revoked_at is None:
            self.revoked_at = timezone.now()
            ApiKey.objects.filter(pk=self.pk, revoked_at__isnull=True).update(
                revoked_at=self.revoked_at
            )
