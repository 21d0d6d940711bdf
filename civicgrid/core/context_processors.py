from django.conf import settings


def site(request):
    """Site name and map settings every page needs."""
    return {
        "site_name": settings.CIVICGRID_SITE_NAME,
        "tile_url": settings.CIVICGRID_TILE_URL,
        "tile_attribution": settings.CIVICGRID_TILE_ATTRIBUTION,
        "tile_datum": settings.CIVICGRID_TILE_DATUM,
    }
