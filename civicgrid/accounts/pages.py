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


@dataclass(frozen=True)
class MenuGroup:
    """Pages of one centre, folded under one menu entry (a leader opens over thirty pages)."""

    label: str | Promise
    pages: tuple[Page, ...]


# URL namespace → the label of the menu group its pages fold into; pages of a namespace
# not named here, and pages named in ``UNGROUPED``, stay on the menu bar itself.
GROUPS: dict[str, str | Promise] = {}
UNGROUPED: set[str] = set()


def register_menu_group(label: str | Promise, namespaces: tuple[str, ...], *, except_pages=()):
    """Fold the pages of ``namespaces`` under ``label``, but for the page keys ``except_pages``."""
    for namespace in namespaces:
        GROUPS[namespace] = label
    UNGROUPED.update(except_pages)


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


def menu_entries(user) -> list[Page | MenuGroup]:
    """The menu of ``user`` with each centre's pages folded into one group, in the order of
    each group's first page. A group the user has only one page of stays a plain entry."""
    slots: list[Page | str] = []
    grouped: dict[str, list[Page]] = {}
    for key, entry in PAGES.items():
        if not may_open(user, key):
            continue
        label = None if key in UNGROUPED else GROUPS.get(entry.url_name.split(":")[0])
        if label is None:
            slots.append(entry)
            continue
        name = str(label)
        if name not in grouped:
            grouped[name] = []
            slots.append(name)
        grouped[name].append(entry)
    labels = {str(label): label for label in GROUPS.values()}
    menu: list[Page | MenuGroup] = []
    for slot in slots:
        if isinstance(slot, Page):
            menu.append(slot)
        elif len(grouped[slot]) == 1:
            menu.append(grouped[slot][0])
        else:
            menu.append(MenuGroup(labels[slot], tuple(grouped[slot])))
    return menu


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
