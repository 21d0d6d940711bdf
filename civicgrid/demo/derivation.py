"""Derive plausible polygons below district level: split a parent into children of given size.

A developer's tool behind ``build_demo_geography``: it needs numpy (dev dependency) and
is never imported at runtime. No geometry is published below district level, so the
demo district is cut top-down — district → streets → communities → grids — and each
level tiles its parent exactly, so nesting holds by construction.

How one parent is cut (``split``):

1. Points are drawn inside the parent in proportion to a population density (dense urban
   cores, thin countryside, thinner coastal flats).
2. Each child gets a share of those points (its share of the population) by a
   capacity-constrained k-means: points go to the seed with the least *power distance*
   (squared distance minus a per-seed weight), the weights are tuned until every seed
   holds its share, and seeds move to the mean of their points.
3. The child's polygon is the union of the Voronoi cells of its points, clipped to the
   parent; stray pieces go to the neighbour they touch most, and the shared borders are
   smoothed together (``coverage_simplify``) without touching the parent's outline.

So a child's area is its population divided by the local density: urban grids are
small, village grids large. All work happens in a local kilometre grid, so distances
are isotropic.
"""

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import shapely
from shapely.geometry import MultiPolygon, Polygon
from shapely.ops import unary_union

# Local metric frame around Dongying: degrees → kilometres.
LNG0, LAT0 = 118.6, 37.4
KX = 111.32 * math.cos(math.radians(LAT0))
KY = 110.95
# How far an anchored seed may wander from its anchor while its cell settles.
LEASH_KM = 4.0

Density = Callable[[np.ndarray, np.ndarray], np.ndarray]


@dataclass
class Piece:
    """One child to cut out of a parent: its population weight and where it prefers to be.

    ``anchor`` (km) seeds it at a known position; without one, children with
    ``urban=True`` take the densest seeds.
    """

    weight: float
    urban: bool = False
    anchor: tuple[float, float] | None = None


def to_km(geometry):
    """Degrees (lng, lat) → the local kilometre frame."""
    return shapely.transform(geometry, lambda c: (c - [LNG0, LAT0]) * [KX, KY])


def to_degrees(geometry):
    """The local kilometre frame → degrees (lng, lat)."""
    return shapely.transform(geometry, lambda c: c / [KX, KY] + [LNG0, LAT0])


def point_km(lng: float, lat: float) -> tuple[float, float]:
    return ((lng - LNG0) * KX, (lat - LAT0) * KY)


def sample(parent: Polygon, n: int, density: Density, rng: np.random.Generator) -> np.ndarray:
    """``n`` points inside ``parent`` drawn in proportion to ``density`` (rejection sampling)."""
    minx, miny, maxx, maxy = parent.bounds
    probe_x = rng.uniform(minx, maxx, 4000)
    probe_y = rng.uniform(miny, maxy, 4000)
    top = float(density(probe_x, probe_y).max()) * 1.2
    batches, found = [], 0
    while found < n:
        x = rng.uniform(minx, maxx, 8 * n)
        y = rng.uniform(miny, maxy, 8 * n)
        keep = shapely.contains_xy(parent, x, y) & (rng.uniform(0, top, 8 * n) < density(x, y))
        batches.append(np.column_stack([x[keep], y[keep]]))
        found += int(keep.sum())
    return np.concatenate(batches)[:n]


def initial_seeds(points: np.ndarray, pieces: Sequence[Piece], density: Density, rng) -> np.ndarray:
    """Seeds for the pieces: their anchors, else k-means centres with urban pieces densest."""
    k = len(pieces)
    if all(p.anchor is not None for p in pieces):
        return np.array([p.anchor for p in pieces], dtype=float)
    centres = points[rng.choice(len(points), k, replace=False)]
    for _step in range(10):  # plain Lloyd: spread the seeds over the population
        owner = _nearest(points, centres, np.zeros(k))
        centres = _means(points, owner, centres)
    # Urban pieces first, then the rest by weight, get the seeds from densest down.
    by_density = np.argsort(-density(centres[:, 0], centres[:, 1]))
    order = sorted(range(k), key=lambda i: (not pieces[i].urban, -pieces[i].weight, i))
    seeds = np.empty_like(centres)
    for piece_index, centre_index in zip(order, by_density, strict=True):
        seeds[piece_index] = centres[centre_index]
    return seeds


def _nearest(points: np.ndarray, seeds: np.ndarray, weights: np.ndarray) -> np.ndarray:
    d2 = ((points[:, None, :] - seeds[None, :, :]) ** 2).sum(axis=2)
    return (d2 - weights).argmin(axis=1)


def _means(points: np.ndarray, owner: np.ndarray, seeds: np.ndarray) -> np.ndarray:
    moved = seeds.copy()
    for i in range(len(seeds)):
        mine = owner == i
        if mine.any():
            moved[i] = points[mine].mean(axis=0)
    return moved


def assign(points: np.ndarray, seeds: np.ndarray, shares: np.ndarray, leash: float | None):
    """Give each point to a seed so that seed ``i`` holds ``shares[i]`` of the points.

    Power distances with tuned weights keep the cells convex; seeds move to the centroid
    of their points (so cells are compact), but no further than ``leash`` km from where
    they started when anchored, so streets stay near their real place.
    """
    k = len(seeds)
    anchors = seeds.copy()
    weights = np.zeros(k)
    spread = float(points.var(axis=0).sum())
    for _round in range(40):
        d2 = ((points[:, None, :] - seeds[None, :, :]) ** 2).sum(axis=2)
        for _inner in range(40):
            owner = (d2 - weights).argmin(axis=1)
            held = np.bincount(owner, minlength=k) / len(points)
            if np.abs(held - shares).max() < 0.1 / len(points) ** 0.5:
                break
            weights += 0.6 * spread * (shares - held) / k
        seeds = _means(points, owner, seeds)
        if leash is not None:
            offset = seeds - anchors
            length = np.maximum(np.hypot(offset[:, 0], offset[:, 1]), 1e-9)
            seeds = anchors + offset * np.minimum(1.0, leash / length)[:, None]
    return _nearest(points, seeds, weights)


def split(
    parent: Polygon, pieces: Sequence[Piece], density: Density, rng, per_piece: int = 70
) -> list[Polygon]:
    """Cut ``parent`` (km) into one polygon per piece, sized by the pieces' weights.

    The pieces tile the parent exactly; each is a single polygon.
    """
    k = len(pieces)
    if k == 1:
        return [parent]
    shares = np.array([p.weight for p in pieces], dtype=float)
    shares /= shares.sum()
    for _attempt in range(8):
        points = sample(parent, max(400, per_piece * k), density, rng)
        seeds = initial_seeds(points, pieces, density, rng)
        leash = LEASH_KM if pieces[0].anchor is not None else None
        owner = assign(points, seeds, shares, leash)
        # A seed squeezed out by its neighbours holds no points: draw again.
        if np.bincount(owner, minlength=k).min() >= 3:
            break
    else:
        raise RuntimeError("could not give every piece its share; try another seed")
    cells = shapely.voronoi_polygons(
        shapely.MultiPoint(points), extend_to=parent.envelope.buffer(1.0), ordered=True
    )
    cells = shapely.intersection(np.asarray(shapely.get_parts(cells)), parent)
    polygons = [unary_union(list(cells[owner == i])) for i in range(k)]
    polygons = heal(polygons)
    spacing = math.sqrt(parent.area / len(points))
    return smooth(polygons, tolerance=0.8 * spacing)


def _polygonal(geometry):
    """Only the areal parts of an overlay result (drop stray points and lines)."""
    parts = [g for g in shapely.get_parts(geometry) if g.geom_type == "Polygon" and g.area > 0]
    return unary_union(parts) if parts else Polygon()


def heal(polygons: list) -> list:
    """Make each polygon a single part: a stray part joins the neighbour it touches most."""
    polygons = [_polygonal(p) for p in polygons]
    for i in range(len(polygons)):
        if not isinstance(polygons[i], MultiPolygon):
            continue
        parts = sorted(polygons[i].geoms, key=lambda g: g.area, reverse=True)
        polygons[i] = parts[0]
        for part in parts[1:]:
            edge = part.boundary
            best = max(
                (j for j in range(len(polygons)) if j != i),
                key=lambda j, edge=edge: edge.intersection(polygons[j].boundary).length,
            )
            polygons[best] = _polygonal(unary_union([polygons[best], part]))
    return polygons


def smooth(polygons: list, tolerance: float) -> list:
    """Simplify the shared borders of a tiling together; the outer outline stays exact."""
    simplified = list(
        shapely.coverage_simplify(np.asarray(polygons), tolerance, simplify_boundary=False)
    )
    # Simplification can in rare cases pinch a thin piece; keep the original there.
    return [
        s if s.is_valid and s.geom_type == "Polygon" and not s.is_empty else p
        for s, p in zip(simplified, polygons, strict=True)
    ]


def snap(geometry, grid: float = 1e-6):
    """Round to the file's precision (1e-6°, ~0.1 m) keeping the polygon valid."""
    snapped = shapely.set_precision(geometry, grid)
    if snapped.geom_type == "MultiPolygon":
        snapped = max(snapped.geoms, key=lambda g: g.area)
    return snapped
