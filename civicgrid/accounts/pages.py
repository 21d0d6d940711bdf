"""Which role works on which page: the menu and the page guards read this one table,
which the apps above fill (``register_page``).

A person with several role grants opens the pages of each, sees them all in the menu,
and starts at the home page of their first grant.

Pages only decide who may *open* them. What a user may *do* to a case is decided by
``cases.lifecycle`` (role and scope per action), and which cases they see by
``cases.scope.visible_cases``.
"""

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.utils.functional import Promise
from django.utils.translation import gettext

from .models import Role

# Every role of a person; an integration account (another system) opens no page.
EVERYONE = tuple(r for r in Role.values if r != Role.INTEGRATION)


@dataclass(frozen=True)
class Page:
    url_name: str
    label: str | Promise
    roles: tuple[str, ...]


# The pages upper apps add (``register_page``, from ``civicgrid/wiring/extensions.py``);
# the menu shows them in the order they are registered.
PAGES: dict[str, Page] = {}


def register_page(key: str, page: Page) -> None:
    """Add a page to the menu under ``key`` (the name ``@page(key)`` and ``HOME`` use)."""
    PAGES[key] = page


# Where "home" takes each role: the page its work starts on.
HOME = {
    Role.OPERATOR: "intake",
    Role.DISPATCHER: "triage",
    Role.HANDLER: "inbox",
    Role.GRID_WORKER: "grid",
    Role.LEADER: "map",
    Role.MEDIATOR: "cases",
    Role.ADMIN: "cases",
    Role.INSPECTOR: "inspection",
    Role.ASSESSOR: "assessment",
    Role.COMMANDER: "incidents",
    Role.COURT_LIAISON: "court_liaison",
}


def may_open(user, key: str) -> bool:
    if not user.is_authenticated or user.is_integration or user.has_role(Role.INTEGRATION):
        return False
    return user.is_superuser or user.has_role(Role.ADMIN, *PAGES[key].roles)


def pages_for(user) -> list[Page]:
    """The menu of ``user``, in a fixed order."""
    return [page for key, page in PAGES.items() if may_open(user, key)]


def home_page(user) -> Page:
    """The home page of the user's first grant."""
    roles = user.roles
    return PAGES[HOME.get(roles[0], "cases") if roles else "cases"]


def page(key: str) -> Callable:
    """Guard a view: sign-in required, then 403 for a role that does not use the page."""

    def decorate(view: Callable) -> Callable:
        @wraps(view)
        def guarded(request, *args, **kwargs):
            if not may_open(request.user, key):
                raise PermissionDenied(
                    gettext("Your role (%(role)s) does not use the page “%(page)s”.")
                    % {"role": request.user.roles_display, "page": PAGES[key].label}
                )
            return view(request, *args, **kwargs)

        return login_required(guarded)

    return decorate
