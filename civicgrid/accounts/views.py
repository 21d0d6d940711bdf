"""Sign-in, sign-out and the role-based home redirect."""

import math

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import NON_FIELD_ERRORS
from django.shortcuts import redirect
from django.utils import timezone

from .forms import LoginForm
from .pages import home_page


@login_required
def home(request):
    """Send each role to the page its work starts on."""
    return redirect(home_page(request.user).url_name)


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True
    # Django's LoginView would show the request's host name as the site name.
    extra_context = {"site_name": settings.CIVICGRID_SITE_NAME}

    def form_invalid(self, form):
        response = super().form_invalid(form)
        if form.has_error(NON_FIELD_ERRORS, "throttled"):
            response.status_code = 429  # Too Many Requests: the page says until when
            wait = (form.retry_at - timezone.now()).total_seconds()
            response["Retry-After"] = str(max(1, math.ceil(wait)))
        return response


class LogoutView(auth_views.LogoutView):
    """Sign-out is a POST (the menu's button); Django refuses a GET."""
