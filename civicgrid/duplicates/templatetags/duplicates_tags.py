"""``{% supporters_card case %}``: who joined a case (+1), for the case page."""

from django import template

register = template.Library()


@register.inclusion_tag("duplicates/partials/_supporters.html")
def supporters_card(case):
    supporters = list(case.supporters.all()) if case.pk else []
    return {"case": case, "supporters": supporters}
