"""The demo district 东营区: real boundary, real divisions, derived streets, communities, grids.

A developer's tool behind ``build_demo_geography`` (needs numpy from the dev group and
the shared source files); the result ships as ``civicgrid/regions/data/dongying.geojson``
and the running application only ever reads that file. See the README beside it for
sources and licences.

Geometry stays in GCJ-02, the datum of the source boundary; the import converts it.
"""

import csv
import json
import random
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import shapely
from shapely.geometry import mapping, shape
from tqdm import tqdm

from .derivation import KX, LNG0, Piece, point_km, snap, split, to_degrees, to_km

CITY = ("370500000000", "东营市")
DISTRICT = ("370502000000", "东营区")
TOTAL_GRIDS = 948  # the number 东营区 reports after merging its 16 older kinds of grid

# Where each street or town roughly is (GCJ-02 lng, lat): streets seed their cells here.
# Urban streets (街道) sit in the western and eastern city; towns (镇) in the countryside.
ANCHORS = {
    "001": (118.490, 37.480),  # 文汇街道
    "002": (118.530, 37.460),  # 黄河路街道
    "003": (118.625, 37.445),  # 东城街道
    "004": (118.455, 37.440),  # 辛店街道
    "005": (118.500, 37.435),  # 胜利街道
    "006": (118.560, 37.405),  # 胜园街道
    "400": (118.565, 37.452),  # 东营商贸园
    "102": (118.640, 37.335),  # 牛庄镇
    "103": (118.850, 37.420),  # 六户镇
    "104": (118.380, 37.360),  # 史口镇
    "105": (118.280, 37.410),  # 龙居镇
}
# Population density: two urban cores (lng, lat, peak, radius km) over farmland that thins
# out towards the coastal flats in the east, with a small bump at each town's seat.
CORES = [(118.500, 37.455, 33.0, 3.2), (118.625, 37.445, 22.0, 2.4)]
TOWN_SEATS = [ANCHORS[code] for code in ("102", "103", "104", "105")]
COAST_FROM, COAST_TO = 118.75, 119.00

# Dedicated grids (专属网格) and the kind of place each covers: twenty in all.
DEDICATED_KINDS = ["学校"] * 7 + ["医院"] * 5 + ["农贸市场"] * 4
INDUSTRIAL_PARK = "工业园区"  # in the seat community of three towns
TRADE_MARKET = "商贸市场"  # the trade park's own community
# The trade park houses few people but many market halls: room for three times its people.
TRADE_PARK_ROOM = 3.0
# A dedicated grid covers one site: its area weighs like a fraction of a basic grid.
DEDICATED_AREA = 0.3


@dataclass
class GridPlan:
    """One grid to derive: its sequence in the community, name, kind and households."""

    seq: int
    name: str
    kind: str = "basic"
    households: int = 0


@dataclass
class Community:
    """A community (社区) or village (村) with the grids planned for it."""

    code: str
    name: str
    urban: bool
    grids: list[GridPlan] = field(default_factory=list)

    @property
    def households(self) -> int:
        return sum(g.households for g in self.grids)

    @property
    def weight(self) -> float:
        return sum(grid_weight(g, self) for g in self.grids)


@dataclass
class Street:
    """A street (街道) or town (镇) with its communities."""

    code: str
    name: str
    communities: list[Community] = field(default_factory=list)


def display_name(name: str) -> str:
    """The name people use: 东营社区居委会 → 东营社区, 王家村委会 → 王家村."""
    for suffix in ("村民委员会", "村委会"):
        if name.endswith(suffix):
            return name[: -len(suffix)] + "村"
    for suffix in ("居民居委会", "居民委员会", "居委会"):
        if name.endswith(suffix):
            base = name[: -len(suffix)]
            return base if base.endswith("社区") else base + "社区"
    return name


def read_divisions(streets_csv: Path, communities_csv: Path) -> list[Street]:
    """The district's streets/towns with their communities/villages, from china-division."""
    district = DISTRICT[0][:6]
    with streets_csv.open(encoding="utf-8") as f:
        streets = [
            Street(row["code"] + "000", row["name"])
            for row in csv.DictReader(f)
            if row["areaCode"] == district
        ]
    by_code = {s.code[:9]: s for s in streets}
    with communities_csv.open(encoding="utf-8") as f:
        for row in csv.DictReader(f):
            if row["areaCode"] == district:
                urban = not row["name"].endswith(("村委会", "村民委员会"))
                community = Community(row["code"], display_name(row["name"]), urban)
                by_code[row["streetCode"]].communities.append(community)
    return streets


def plan_grids(streets: list[Street], rng: random.Random) -> None:
    """Give every community its grids: urban 4–6, villages 1–2, exactly TOTAL_GRIDS."""
    communities = [c for s in streets for c in s.communities]
    counts = {
        c.code: rng.choice([4, 5, 5, 6]) if c.urban else rng.choice([1, 2]) for c in communities
    }
    limits = {c.code: (4, 6) if c.urban else (1, 2) for c in communities}
    while (total := sum(counts.values())) != TOTAL_GRIDS:
        step = 1 if total < TOTAL_GRIDS else -1
        movable = [c for c, n in counts.items() if limits[c][0] <= n + step <= limits[c][1]]
        counts[rng.choice(movable)] += step
    dedicated = choose_dedicated(streets, rng)
    for community in communities:
        n = counts[community.code]
        low, high = (300, 500) if community.urban else (150, 350)
        community.grids = [
            GridPlan(seq, f"{community.name}第{seq}网格", households=rng.randint(low, high))
            for seq in range(1, n + 1)
        ]
        if kind := dedicated.get(community.code):
            # The last grid of the community covers the site instead of homes.
            community.grids[-1] = GridPlan(n, f"{community.name}专属网格（{kind}）", "dedicated")


def choose_dedicated(streets: list[Street], rng: random.Random) -> dict[str, str]:
    """Community code → kind of its dedicated grid: schools, hospitals and markets in
    urban communities, industrial parks at town seats, the trade park's market."""
    chosen: dict[str, str] = {}
    for street in streets:
        suffix = street.code[6:9]
        urban = [c for c in street.communities if c.urban]
        if suffix == "400":
            chosen[urban[0].code] = TRADE_MARKET
        elif suffix in ("102", "103", "104") and urban:
            chosen[urban[0].code] = INDUSTRIAL_PARK
    candidates = [
        c
        for s in streets
        if s.code[6:9] in ("001", "002", "003", "004", "005", "006")
        for c in s.communities
        if c.urban
    ]
    picked = rng.sample(candidates, len(DEDICATED_KINDS))
    for community, kind in zip(picked, DEDICATED_KINDS, strict=True):
        chosen[community.code] = kind
    return chosen


def grid_weight(grid: GridPlan, community: Community) -> float:
    """How much room a grid takes: its households; a site a fraction of a basic grid."""
    if grid.kind == "basic":
        return float(grid.households)
    basic = [g.households for g in community.grids if g.kind == "basic"] or [300]
    return DEDICATED_AREA * sum(basic) / len(basic)


def street_weight(street: Street) -> float:
    """A street's share of the district: its population, but the trade park (one
    community, mostly market halls) needs room for trade, not homes."""
    weight = sum(c.weight for c in street.communities)
    return weight * TRADE_PARK_ROOM if street.code[6:9] == "400" else weight


def density(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Relative population density at kilometre coordinates (see ``derivation``)."""
    lng = x / KX + LNG0
    coast = np.clip((lng - COAST_FROM) / (COAST_TO - COAST_FROM), 0, 1)
    value = 1.0 - 0.65 * coast
    for lng0, lat0, peak, radius in CORES:
        cx, cy = point_km(lng0, lat0)
        value = value + peak * np.exp(-((x - cx) ** 2 + (y - cy) ** 2) / (2 * radius**2))
    for seat in TOWN_SEATS:
        cx, cy = point_km(*seat)
        value = value + 3.0 * np.exp(-((x - cx) ** 2 + (y - cy) ** 2) / 2)
    return value


def read_boundary(path: Path):
    """The district's outline (GCJ-02), its largest part, snapped to 1e-6°."""
    geometry = shape(json.loads(path.read_text(encoding="utf-8")))
    if geometry.geom_type == "MultiPolygon":
        geometry = max(geometry.geoms, key=lambda g: g.area)
    return snap(geometry)


def derive(boundary_path: Path, streets_csv: Path, communities_csv: Path, seed: int) -> list[dict]:
    """Every feature of the demo file: city, district, streets, communities and grids."""
    rng = np.random.default_rng(seed)
    streets = read_divisions(streets_csv, communities_csv)
    plan_grids(streets, random.Random(seed))
    district = read_boundary(boundary_path)
    features = [
        feature(*CITY, "city", "", None),
        feature(*DISTRICT, "district", CITY[0], district, households=total(streets)),
    ]
    pieces = [Piece(street_weight(s), anchor=point_km(*ANCHORS[s.code[6:9]])) for s in streets]
    street_cells = [snap(to_degrees(c)) for c in split(to_km(district), pieces, density, rng, 400)]
    communities: list[dict] = []
    grids: list[dict] = []
    with tqdm(total=TOTAL_GRIDS, desc="grids", unit="") as bar:
        for street, cell in zip(streets, street_cells, strict=True):
            features.append(
                feature(street.code, street.name, "street", DISTRICT[0], cell, total([street]))
            )
            derive_street(street, cell, rng, (communities, grids), bar)
    return features + communities + grids


def derive_street(street: Street, cell, rng, out: tuple[list, list], bar) -> None:
    """Cut a street into its communities and those into grids; append their features."""
    communities, grids = out
    pieces = [Piece(c.weight, urban=c.urban) for c in street.communities]
    ccells = split(to_km(cell), pieces, density, rng)
    for community, ccell in zip(street.communities, ccells, strict=True):
        ccell = snap(to_degrees(ccell))
        communities.append(
            feature(
                community.code,
                community.name,
                "community",
                street.code,
                ccell,
                community.households,
            )
        )
        grid_pieces = [
            Piece(grid_weight(g, community), urban=g.kind == "basic") for g in community.grids
        ]
        grid_cells = split(to_km(ccell), grid_pieces, density, rng, per_piece=50)
        for plan, gcell in zip(community.grids, grid_cells, strict=True):
            grids.append(
                feature(
                    f"{community.code}{plan.seq:03d}",
                    plan.name,
                    "grid",
                    community.code,
                    snap(to_degrees(gcell)),
                    plan.households,
                    plan.kind,
                )
            )
            bar.update(1)


def total(streets: list[Street]) -> int:
    return sum(c.households for s in streets for c in s.communities)


def feature(code, name, level, parent_code, geometry, households=None, kind="") -> dict:
    properties = {
        "code": code,
        "name": name,
        "level": level,
        "parent_code": parent_code,
        "grid_kind": kind,
        "households": households,
    }
    return {"type": "Feature", "properties": properties, "geometry": _rounded(geometry)}


def _rounded(geometry) -> dict | None:
    if geometry is None:
        return None
    # set_precision leaves binary noise (118.50000000000001): print 6 decimals at most.
    rounded = shapely.transform(geometry, lambda c: np.round(c, 6))
    return json.loads(json.dumps(mapping(rounded)))


def write(features: list[dict], out: Path, attribution: str) -> None:
    """One FeatureCollection, one feature per line, so import errors point at a line."""
    out.parent.mkdir(parents=True, exist_ok=True)
    lines = [json.dumps(f, ensure_ascii=False, separators=(",", ":")) for f in features]
    header = {"type": "FeatureCollection", "datum": "gcj02", "attribution": attribution}
    head = json.dumps(header, ensure_ascii=False)[:-1] + ', "features": [\n'
    out.write_text(head + ",\n".join(lines) + "\n]}\n", encoding="utf-8")


def render_picture(features: list[dict], out: Path) -> None:
    """A PNG of the derived grids: the whole district and the city centre enlarged.

    Needs matplotlib, which is no dependency: ``uv run --with matplotlib …``.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    geometries = {f["properties"]["code"]: shape(f["geometry"]) for f in features if f["geometry"]}
    by_level: dict[str, list[dict]] = {}
    for f in features:
        by_level.setdefault(f["properties"]["level"], []).append(f)
    # The enlarged panel: 12 km × 10 km around the western city's core.
    lng, lat = CORES[0][0], CORES[0][1]
    centre = (lng - 0.075, lat - 0.045, lng + 0.075, lat + 0.045)
    figure, axes = plt.subplots(1, 2, figsize=(18, 6.4), width_ratios=[2.1, 1])
    for axis, bounds in zip(axes, (None, centre), strict=True):
        _draw(axis, by_level, geometries)
        if bounds:
            axis.set_xlim(bounds[0], bounds[2])
            axis.set_ylim(bounds[1], bounds[3])
        axis.set_aspect(1 / np.cos(np.radians(37.4)))
        axis.set_axis_off()
    axes[0].set_title("370502: 11 streets/towns, 330 communities/villages, 948 grids (synthetic)")
    axes[1].set_title("western city centre, enlarged; orange: dedicated grids")
    figure.tight_layout()
    out.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(out, dpi=85, bbox_inches="tight")
    plt.close(figure)


def _draw(axis, by_level: dict, geometries: dict) -> None:
    palette = ["#dbe9f6", "#e3f1dc", "#f6e7d8", "#ece0f3", "#f4f1d0", "#d8efee"]
    streets = {f["properties"]["code"]: i for i, f in enumerate(by_level["street"])}
    for f in by_level["grid"]:
        ring = geometries[f["properties"]["code"]].exterior.xy
        dedicated = f["properties"]["grid_kind"] == "dedicated"
        colour = (
            "#f39c4a" if dedicated else palette[streets[f["properties"]["code"][:9] + "000"] % 6]
        )
        axis.fill(*ring, facecolor=colour, edgecolor="#9aa5b1", linewidth=0.25)
    for level, colour, width in (("community", "#52606d", 0.6), ("street", "#8b1e1e", 2.0)):
        for f in by_level[level]:
            axis.plot(*geometries[f["properties"]["code"]].exterior.xy, color=colour, lw=width)
