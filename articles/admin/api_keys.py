"""API keys in the admin: editors issue a key (shown once, on the page after saving) and
revoke it; nothing else about a key can be edited, and no one can read a key back."""

from django.contrib import admin, messages
from django.template.response import TemplateResponse
from django.utils.cache import patch_cache_control

from ..models import ApiKey


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin):
    list_display = ["name", "shown_part", "created_by", "created_at", "revoked_at"]
    list_filter = [("revoked_at", admin.EmptyFieldListFilter)]
    list_select_related = ["created_by"]
    search_fields = ["name", "shown_part"]
    readonly_fields = ["shown_part", "created_by", "created_at", "revoked_at"]
    actions = ["revoke"]

    def get_fields(self, request, obj=None):
        return ["name"] if obj is None else ["name", *self.readonly_fields]

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
            # Kept on the request only, for response_add(): never stored or logged.
            request.new_api_key = obj.new_key()
        super().save_model(request, obj, form, change)

    def response_add(self, request, obj, post_url_continue=None):
        """The key, once: a page of its own rather than a message, which would keep it
        in the session or a cookie until it was shown."""
        response = TemplateResponse(
            request,
            "admin/articles/apikey/issued.html",
            {
                **self.admin_site.each_context(request),
                "opts": self.opts,
                "api_key": obj,
                "key": request.new_api_key,
                "title": "Copy the new API key",
            },
        )
        patch_cache_control(response, private=True, no_store=True)
        return response

    @admin.action(description="Revoke the selected keys", permissions=["change"])
    def revoke(self, request, queryset):
        revoked = 0
        for api_key in queryset.filter(revoked_at__isnull=True):
            api_key.revoke()
            revoked += 1
        self.message_user(request, f"Revoked {revoked} key(s).", messages.SUCCESS)
