from django import template

from civicgrid.accounts.pages import pages_for

register = template.Library()


@register.simple_tag
def menu_for(user):
    """The pages of all of ``user``'s roles, for the header menu."""
    return pages_for(user) if user.is_authenticated else []
