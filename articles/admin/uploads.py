"""Admin saves that survive a media disk that is full or read-only.

Without this, a failed image write is a server error and everything the editor typed is
lost. Instead the row is saved without the new file and the editor is sent back to the
form with a message saying which file was not stored and why. The text is what cannot be
retyped under deadline; the image can be uploaded again once the disk has room.
"""

import errno
import logging

from django.contrib import messages
from django.contrib.admin.options import IS_POPUP_VAR
from django.db import models, transaction
from django.http import HttpResponseRedirect
from django.urls import reverse

logger = logging.getLogger(__name__)

_REASONS = {
    errno.ENOSPC: "the media disk is full",
    errno.EDQUOT: "the media disk quota is used up",
    errno.EROFS: "the media storage is read-only",
    errno.EACCES: "the media storage refuses to write",
    errno.EPERM: "the media storage refuses to write",
}


class UploadFailureAdminMixin:
    """Owns save_model and the responses after it; a save_model in the admin class
    itself runs outside the savepoint."""

    def save_model(self, request, obj, form, change):
        try:
            # A savepoint, so the failed attempt leaves nothing behind in the transaction.
            with transaction.atomic():
                super().save_model(request, obj, form, change)
            return
        except OSError as error:
            dropped = _drop_new_files(obj, form)
            if not dropped:
                raise
            logger.exception("Upload not stored for %s %s", obj._meta.label, obj.pk or "(new)")
            reason = _reason(error)
        if not change:
            # The rolled-back INSERT may have left its id on the object.
            obj.pk, obj._state.adding = None, True
        super().save_model(request, obj, form, change)
        names = " and ".join(str(field.verbose_name) for field in dropped)
        self.message_user(
            request,
            f"The {names} could not be stored: {reason}. The {obj._meta.verbose_name} "
            f"“{obj}” was saved without it; upload it again once that is fixed.",
            messages.ERROR,
        )
        request.upload_failed = True

    def response_add(self, request, obj, post_url_continue=None):
        if self._back_to_form(request):
            return HttpResponseRedirect(self._change_url(obj))
        return super().response_add(request, obj, post_url_continue)

    def response_change(self, request, obj):
        if self._back_to_form(request):
            return HttpResponseRedirect(self._change_url(obj))
        return super().response_change(request, obj)

    def _back_to_form(self, request):
        # A popup must close as usual; it still shows the error message.
        return getattr(request, "upload_failed", False) and IS_POPUP_VAR not in request.POST

    def _change_url(self, obj):
        opts = obj._meta
        return reverse(
            f"admin:{opts.app_label}_{opts.model_name}_change",
            args=[obj.pk],
            current_app=self.admin_site.name,
        )


def _reason(error):
    return _REASONS.get(error.errno, f"the media storage failed ({error.strerror})")


def _drop_new_files(obj, form):
    """Put back the previous value of every file field given a new file in this form.

    A new file that was stored before the failure (another file field's) is deleted:
    the row that would have pointed to it was rolled back.
    """
    dropped = []
    for field in obj._meta.concrete_fields:
        if not isinstance(field, models.FileField) or field.name not in form.changed_data:
            continue
        file = getattr(obj, field.attname)
        previous = form.initial.get(field.name)
        previous = getattr(previous, "name", previous) or ""
        if not file or file.name == previous:
            continue  # cleared, or unchanged
        if file._committed:
            file.storage.delete(file.name)
        setattr(obj, field.attname, previous)
        dropped.append(field)
    return dropped
