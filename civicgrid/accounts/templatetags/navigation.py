from django import template

from civicgrid.accounts.pages import PAGES, may_open, menu_entries

register = template.Library()


@register.simple_tag
def menu_for(user):
    """The pages of all of ``user``'s roles, for the header menu, each centre's folded."""
    return menu_entries(user) if user.is_authenticated else []


@register.simple_tag
def where_you_work(user) -> list[tuple[str, str]]:
    """(role, where) of each of ``user``'s grants: a department, or its regions by name
    (a grid worker's grids), for pages that say what is outside them."""
    if not user.is_authenticated:
        return []
    rows = []
    for grant in user.role_grants():
        if grant.department_id:
            where = grant.department.name
        else:
            names = [r.name for r in grant.regions.order_by("code")[: MAX_NAMED + 1]]
            where = "、".join(names[:MAX_NAMED]) + ("…" if len(names) > MAX_NAMED else "")
        rows.append((str(grant.get_role_display()), where))
    return rows


@register.simple_tag
def grid_page(user):
    """The grid worker's page of their grids on a map, if ``user`` uses it."""
    if not user.is_authenticated or "grid" not in PAGES or not may_open(user, "grid"):
        return None
    return PAGES["grid"]


MAX_NAMED = 8
