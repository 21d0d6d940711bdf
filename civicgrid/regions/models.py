"""Regions (行政区划) and grids (网格): one tree from city down to grid."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Level(models.TextChoices):
    CITY = "city", _("city")
    DISTRICT = "district", _("district")
    STREET = "street", _("street / town")
    COMMUNITY = "community", _("community / village")
    GRID = "grid", _("grid")


LEVEL_ORDER = [Level.CITY, Level.DISTRICT, Level.STREET, Level.COMMUNITY, Level.GRID]


class GridKind(models.TextChoices):
    BASIC = "basic", _("basic grid")
    DEDICATED = "dedicated", _("dedicated grid")


class RegionQuerySet(models.QuerySet):
    def grids(self):
        return self.filter(level=Level.GRID)

    def within(self, region: "Region"):
        """The region and everything below it."""
        return self.filter(path__startswith=region.path)

    def within_any(self, regions):
        query = models.Q()
        for region in regions:
            query |= models.Q(path__startswith=region.path)
        return self.filter(query) if query else self.none()


class Region(models.Model):
    """A node of the administrative tree; grids are its leaves.

    ``code`` is the 12-digit GB/T 2260 division code (cities and districts padded with
    zeros); a grid's code is its community's 12 digits plus a 3-digit sequence, so grid
    codes are unique and stable. ``path`` holds the codes from the root down, joined by
    ``/`` and ending with ``/``, so a subtree is one indexed prefix query.
    Geometry is GeoJSON in WGS84, kept as text; lookups run in process with Shapely.
    """

    code = models.CharField(_("code"), max_length=15, unique=True)
    name = models.CharField(_("name"), max_length=100)
    level = models.CharField(_("level"), max_length=10, choices=Level.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    path = models.CharField(_("path"), max_length=255, db_index=True, editable=False)
    grid_kind = models.CharField(
        _("grid kind"), max_length=10, choices=GridKind.choices, blank=True
    )
    boundary = models.JSONField(_("boundary (GeoJSON, WGS84)"), null=True, blank=True)
    centroid_lat = models.FloatField(_("centroid latitude"), null=True, blank=True)
    centroid_lng = models.FloatField(_("centroid longitude"), null=True, blank=True)
    households = models.PositiveIntegerField(_("households"), null=True, blank=True)
    source = models.CharField(_("source"), max_length=200, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = RegionQuerySet.as_manager()

    class Meta:
        verbose_name = _("region")
        verbose_name_plural = _("regions")
        ordering = ["code"]
        indexes = [models.Index(fields=["level", "code"])]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    def save(self, *args, **kwargs):
        prefix = self.parent.path if self.parent_id else ""
        self.path = f"{prefix}{self.code}/"
        super().save(*args, **kwargs)

    @property
    def is_grid(self) -> bool:
        return self.level == Level.GRID

    def ancestors(self) -> list["Region"]:
        """From the root down to the parent, in one query."""
        codes = [c for c in self.path.split("/") if c and c != self.code]
        # Names and paths, not polygons: a district's boundary is ~70 kB of GeoJSON.
        by_code = {r.code: r for r in Region.objects.filter(code__in=codes).defer("boundary")}
        return [by_code[c] for c in codes if c in by_code]

    def lineage(self) -> list["Region"]:
        """This region and its ancestors, most specific first."""
        return [self, *reversed(self.ancestors())]


class PlaceKind(models.TextChoices):
    STREET = "street", _("street / town")
    COMMUNITY = "community", _("community / village")
    ROAD = "road", _("road")
    LANDMARK = "landmark", _("landmark")
    ADDRESS = "address", _("address (house number)")


class Place(models.Model):
    """An entry of the gazetteer (地名地址库): a named place and its point, for finding
    where a caller is. Not a region: a region is a polygon cases are counted in, a place
    is only a name and a point (a street's place is the point inside its polygon).

    ``region`` is the region it lies in (given by the import or found from the point);
    name, kind and region identify an entry, so importing a file again updates it.
    ``initials`` (东营社区 → ``dysq``) and ``pinyin`` (``dongyingshequ``) are the search
    keys, kept by ``refresh_keys``; ``search_text`` joins name, aliases and their keys
    for the "contains" search.
    """

    name = models.CharField(_("name"), max_length=100, db_index=True)
    kind = models.CharField(_("kind"), max_length=10, choices=PlaceKind.choices)
    region = models.ForeignKey(
        Region,
        verbose_name=_("region"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="places",
    )
    lng = models.FloatField(_("longitude (WGS84)"))
    lat = models.FloatField(_("latitude (WGS84)"))
    aliases = models.CharField(
        _("aliases"), max_length=255, blank=True, help_text=_("Separated by “;”.")
    )
    initials = models.CharField(_("pinyin initials"), max_length=100, db_index=True, editable=False)
    pinyin = models.CharField(_("pinyin"), max_length=255, db_index=True, editable=False)
    search_text = models.TextField(editable=False)
    source = models.CharField(_("source"), max_length=200, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("place")
        verbose_name_plural = _("gazetteer")
        ordering = ["name"]
        # The "contains" search scans this index rather than the wider table.
        indexes = [models.Index(fields=["search_text"], name="place_search_text")]
        constraints = [
            models.UniqueConstraint(
                fields=["name", "kind", "region"],
                name="place_unique_in_region",
            ),
            models.UniqueConstraint(
                fields=["name", "kind"],
                condition=models.Q(region__isnull=True),
                name="place_unique_outside_regions",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        self.refresh_keys()
        super().save(*args, **kwargs)

    def alias_list(self) -> list[str]:
        return [a for a in self.aliases.split(";") if a]

    def refresh_keys(self) -> None:
        """Recompute the search keys from the name and aliases."""
        from .gazetteer import search_keys

        self.initials, self.pinyin, self.search_text = search_keys(self.name, self.alias_list())
