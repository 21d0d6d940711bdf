"""What every map of open cases shares: the choropleth classes and the script's words."""

from django.utils.translation import gettext as _

from .models import Light

# Upper bounds of the choropleth classes (open cases per grid); the legend reads them.
LOAD_CLASSES = (0, 2, 5, 10, 20)


def map_strings() -> dict[str, str]:
    """The words the map script shows, translated here so the script has none."""
    words = {
        "openCases": _("open cases"),
        "showCases": _("Show its cases"),
        "grids": _("Grids by open cases"),
        "streets": _("Street outlines"),
        "points": _("Open cases"),
        "legend": _("Open cases per grid"),
        "empty": _("No grids with a boundary are loaded yet."),
        # %(n)s is filled in by the script.
        "inView": _("Open cases in view: %(n)s"),
        "cluster": _("%(n)s open cases here; click to zoom in"),
        **{light.value: light.label for light in Light},
    }
    return {key: str(value) for key, value in words.items()}
