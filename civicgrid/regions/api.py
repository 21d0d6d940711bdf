"""Read-only regions API: the administrative tree, "which grid is this point in?" and the
gazetteer's search as one types."""

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

from civicgrid.core.api import ERRORS, Input, InvalidInput, versioned_json

from . import outlines
from .datum import Datum
from .gazetteer import MAX_RESULTS, search
from .locator import locate
from .models import Level, PlaceKind, Region

router = Router(tags=["regions"])


class RegionFilters(Input):
    level: Level | None = None
    parent: str | None = Field(None, max_length=15, description="Parent code: its children.")
    limit: int = Field(1000, ge=1, le=5000)
    offset: int = Field(0, ge=0, le=10_000_000)


class PointOut(Schema):
    lng: float
    lat: float


class RegionOut(Schema):
    code: str
    name: str
    level: str
    parent: str | None = Field(description="Parent code.")
    grid_kind: str
    centroid: PointOut | None = Field(description="WGS84.")
    households: int | None

    @staticmethod
    def resolve_parent(region: Region) -> str | None:
        # The parent code is the last-but-one element of the path: no join needed.
        codes = [c for c in region.path.split("/") if c]
        return codes[-2] if len(codes) > 1 else None

    @staticmethod
    def resolve_centroid(region: Region):
        if region.centroid_lng is None or region.centroid_lat is None:
            return None
        return {"lng": region.centroid_lng, "lat": region.centroid_lat}


class RegionRef(Schema):
    code: str
    name: str
    level: str


class LocateQuery(Input):
    lng: float = Field(ge=-180, le=180, allow_inf_nan=False)
    lat: float = Field(ge=-90, le=90, allow_inf_nan=False)
    datum: Datum = Datum.WGS84


class LocationOut(Schema):
    lng: float = Field(description="WGS84")
    lat: float = Field(description="WGS84")
    grid: RegionRef | None
    lineage: list[RegionRef] = Field(description="From the grid up to the city.")
    needs_placement: bool


class PagedRegionOut(Schema):
    items: list[RegionOut]
    count: int


@router.get("", response={200: PagedRegionOut, **ERRORS}, summary="Regions and grids")
def list_regions(request: HttpRequest, filters: Query[RegionFilters]):
    """Rendered once per version of the region tree and query, shared by every process
    (``core.bodies``): the tree changes only when an administrator edits or imports it."""
    parent = None
    if filters.parent:
        parent = Region.objects.filter(code=filters.parent).values_list("pk", flat=True).first()
        if parent is None:
            raise InvalidInput(
                "parent", _("There is no region with code %(code)s.") % {"code": filters.parent}
            )

    def build() -> dict:
        query = Region.objects.order_by("code")
        if filters.level:
            query = query.filter(level=filters.level)
        if parent is not None:
            query = query.filter(parent_id=parent)
        rows = query.only(
            "code",
            "name",
            "level",
            "path",
            "grid_kind",
            "centroid_lng",
            "centroid_lat",
            "households",
        )[filters.offset : filters.offset + filters.limit]
        return {
            "items": [RegionOut.model_validate(r).model_dump() for r in rows],
            "count": query.count(),
        }

    asked = (filters.level or "", filters.parent or "", filters.limit, filters.offset)
    return versioned_json(request, f"api.regions:{asked}", outlines.version(), build)


@router.get("/locate", response={200: LocationOut, **ERRORS}, summary="The grid a point lies in")
def locate_point(request: HttpRequest, point: Query[LocateQuery]):
    try:
        location = locate(point.lng, point.lat, point.datum.value)
    except ValueError as exc:
        raise InvalidInput("lng", str(exc)) from exc
    # Names and levels only: the polygons stay in the database.
    regions = Region.objects.filter(code__in=location.lineage).only("code", "name", "level")
    lineage = sorted(regions, key=lambda r: -location.lineage.index(r.code))
    return {
        "lng": location.lng,
        "lat": location.lat,
        "grid": location.grid,
        "lineage": lineage,
        "needs_placement": location.grid is None,
    }


class PlaceQuery(Input):
    q: str = Field(
        min_length=1,
        max_length=100,
        description="Chinese (文汇), pinyin initials (whjd) or pinyin (wenhui).",
    )
    limit: int = Field(10, ge=1, le=MAX_RESULTS)
    within: str | None = Field(
        None, max_length=15, description="Region code: only places in its subtree."
    )


class PlaceOut(Schema):
    id: int
    name: str
    kind: PlaceKind
    kind_label: str = Field(description="In the caller's language.")
    lng: float = Field(description="WGS84")
    lat: float = Field(description="WGS84")
    region: str | None = Field(description="Code of the region it lies in.")
    context: list[str] = Field(description="Names of the regions above it, district down.")
    aliases: list[str]


@router.get(
    "/places",
    response={200: list[PlaceOut], **ERRORS},
    summary="Search the gazetteer (地名地址库)",
    url_name="search_places",
)
def search_places(request: HttpRequest, query: Query[PlaceQuery]):
    """Places whose name starts with or contains the query, or whose pinyin initials or
    pinyin start with it: the exact name first, then prefixes, then the rest."""
    within = None
    if query.within:
        within = Region.objects.defer("boundary").filter(code=query.within).first()
        if within is None:
            raise InvalidInput(
                "within", _("There is no region with code %(code)s.") % {"code": query.within}
            )
    return [
        {
            "id": hit.place.pk,
            "name": hit.place.name,
            "kind": hit.place.kind,
            "kind_label": str(PlaceKind(hit.place.kind).label),
            "lng": hit.place.lng,
            "lat": hit.place.lat,
            "region": hit.place.region.code if hit.place.region else None,
            "context": hit.context,
            "aliases": hit.place.alias_list(),
        }
        for hit in search(query.q, limit=query.limit, within=within)
    ]
