"""Sign-in, sign-out and the role-based home redirect."""

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect

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


class LogoutView(auth_views.LogoutView):
    """Sign-out is a POST (the menu's button); Django refuses a GET."""
