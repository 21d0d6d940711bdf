from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from civicgrid.core.admin import ReadOnlyAdmin

from .forms import AdminLoginForm
from .models import ApiToken, LoginFailure, User

# The admin's sign-in is throttled like the staff sign-in page (accounts.throttle).
admin.site.login_form = AdminLoginForm


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ["username", "first_name", "role", "integration", "department", "is_active"]
    list_filter = ["role", "integration", "department", "is_active"]
    filter_horizontal = ["regions", "groups", "user_permissions"]
    fieldsets = [
        *BaseUserAdmin.fieldsets,
        (
            _("Role and scope"),
            {"fields": ["role", "integration", "department", "regions", "phone"]},
        ),
    ]
    add_fieldsets = [
        *BaseUserAdmin.add_fieldsets,
        (_("Role and scope"), {"fields": ["role", "integration", "department", "regions"]}),
    ]


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["name", "user", "prefix", "created_at", "last_used_at", "revoked"]
    list_filter = ["revoked"]
    readonly_fields = ["prefix", "created_at", "last_used_at"]
    fields = ["user", "name", "prefix", "created_at", "last_used_at", "revoked"]

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
            return
        token, raw = ApiToken.issue(obj.user, obj.name)
        obj.pk = token.pk
        self.message_user(
            request, _("Token created. Copy it now, it is shown only once: %(key)s") % {"key": raw}
        )


@admin.register(LoginFailure)
class LoginFailureAdmin(ReadOnlyAdmin):
    """Failed sign-ins (staff page and admin), for whoever watches for attacks: read-only."""

    list_display = ["at", "username", "address", "reason"]
    list_filter = ["reason", "at"]
    search_fields = ["username", "address"]
    date_hierarchy = "at"
