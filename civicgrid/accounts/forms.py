from datetime import datetime, timedelta

from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from . import throttle


def _clock(moment: datetime) -> str:
    """``moment`` rounded up to the minute, as local time (with the date if not today)."""
    local = timezone.localtime(moment)
    if local.second or local.microsecond:
        local = local.replace(second=0, microsecond=0) + timedelta(minutes=1)
    if local.date() == timezone.localdate():
        return formats.time_format(local, "TIME_FORMAT")
    return formats.date_format(local, "DATETIME_FORMAT")


class ThrottledSignIn:
    """Authentication through ``accounts.throttle``: refused, with the time to try again,
    while the username or the client address has failed too often."""

    retry_at: datetime | None = None  # set when refused: the lock ends then
    error_messages = {
        "throttled": _(
            "Too many failed sign-in attempts. Sign-in is locked until %(time)s: try again then."
        ),
    }

    def clean(self):
        username = self.cleaned_data.get("username")
        password = self.cleaned_data.get("password")
        if username is not None and password:
            try:
                self.user_cache = throttle.sign_in(
                    self.request, username=username, password=password
                )
            except throttle.Locked as locked:
                self.retry_at = locked.retry_at
                raise ValidationError(
                    self.error_messages["throttled"],
                    code="throttled",
                    params={"time": _clock(locked.retry_at)},
                ) from None
            if self.user_cache is None:
                raise self.get_invalid_login_error()
            self.confirm_login_allowed(self.user_cache)
        return self.cleaned_data


class LoginForm(ThrottledSignIn, AuthenticationForm):
    """Django's sign-in form with the hints browsers and password managers need."""

    error_messages = {**AuthenticationForm.error_messages, **ThrottledSignIn.error_messages}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].label = _("Username")
        self.fields["username"].widget.attrs.update(autocomplete="username", autocapitalize="none")
        self.fields["password"].label = _("Password")
        self.fields["password"].widget.attrs.update(autocomplete="current-password")


class AdminLoginForm(ThrottledSignIn, AdminAuthenticationForm):
    """The admin's sign-in form, throttled like the staff sign-in page."""

    error_messages = {**AdminAuthenticationForm.error_messages, **ThrottledSignIn.error_messages}
