from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.core.exceptions import ValidationError
from django.forms.models import BaseInlineFormSet
from django.utils.translation import gettext_lazy as _

from civicgrid.core.admin import ReadOnlyAdmin

from .forms import AdminLoginForm
from .models import ApiToken, LoginFailure, Role, RoleGrant, User

# The admin's sign-in is throttled like the staff sign-in page (accounts.throttle).
admin.site.login_form = AdminLoginForm


class GrantFormSet(BaseInlineFormSet):
    """The grants of one user, checked together: a system holds exactly one."""

    def clean(self):
        super().clean()
        kept = [
            form.cleaned_data
            for form in self.forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE")
        ]
        if self.instance.integration and len(kept) != 1:
            raise ValidationError(_("An integration account holds one grant."))
        if not self.instance.integration and any(
            grant.get("role") == Role.INTEGRATION for grant in kept
        ):
            raise ValidationError(_("Name the system this account is."))


class RoleGrantInline(admin.TabularInline):
    model = RoleGrant
    formset = GrantFormSet
    extra = 0
    fields = ["role", "regions", "department"]
    filter_horizontal = ["regions"]
    verbose_name = _("role grant")
    verbose_name_plural = _("Roles and scope (one grant per role held)")


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ["username", "first_name", "roles_display", "integration", "is_active"]
    list_filter = ["grants__role", "integration", "grants__department", "is_active"]
    filter_horizontal = ["groups", "user_permissions"]
    inlines = [RoleGrantInline]
    fieldsets = [
        *BaseUserAdmin.fieldsets,
        (_("System and contact"), {"fields": ["integration", "phone"]}),
    ]
    add_fieldsets = [
        *BaseUserAdmin.add_fieldsets,
        (_("System and contact"), {"fields": ["integration"]}),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("grants")

    @admin.display(description=_("roles"))
    def roles_display(self, user: User) -> str:
        # From the prefetched grants: one query for the whole list.
        roles = dict.fromkeys(grant.get_role_display() for grant in user.grants.all())
        return ", ".join(str(role) for role in roles) or "—"


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
